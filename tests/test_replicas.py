"""Several real `ptcc-bot` processes in webhook mode on one real PostgreSQL database, behind
a round-robin proxy, fed by a Telegram-like poster and answering through the fake Bot API
(harness: bench/bench_replicas.py). Every user gets every reply once and in order; an update
posted twice, to two replicas, is handled once; kill -9 of a replica loses nothing."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.bench_replicas import run_replicas
from ptcc_core.advisor import Advisor
from tests.fake_bot_api import TOKEN, FakeBotAPI

ROOT = Path(__file__).resolve().parent.parent


async def test_two_replicas_answer_100_users_once_and_in_order_despite_double_posts(
    pg_url: str, advisor: Advisor, tmp_path: Path
) -> None:
    result = await run_replicas(pg_url, 2, 100, advisor=advisor, twice_every=7, log_dir=tmp_path)
    assert result.updates > 800  # each stored once, though every 7th was posted twice
    assert result.duplicates_after_kill == 0 and result.repeats_counted == 0


async def test_three_replicas_with_one_killed_mid_load_lose_nothing(
    pg_url: str, advisor: Advisor, tmp_path: Path
) -> None:
    result = await run_replicas(
        pg_url, 3, 100, advisor=advisor, twice_every=11, kill_at=0.4, lease=3, log_dir=tmp_path
    )
    # run_replicas has checked that every reply arrived, in order; repeats stay rare and
    # never exceed what the store counted.
    assert result.repeats_counted <= 20
    print(f"after kill -9: {result.duplicates_after_kill} replies repeated, "
          f"{result.repeats_counted} counted, {result.taken_over} updates taken over")  # fmt: skip


async def test_one_process_on_sqlite_serves_the_webhook_the_same_way(
    advisor: Advisor, tmp_path: Path
) -> None:
    result = await run_replicas(f"sqlite:///{tmp_path / 'hook.db'}", 1, 30, advisor=advisor)
    assert result.updates > 200


def _polling_bot(api: FakeBotAPI, db: str) -> subprocess.Popen[str]:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "PTCC_BOT_API_URL": api.base_url,
           "PTCC_DB": db}  # fmt: skip
    env.pop("PTCC_WEBHOOK_URL", None)
    return subprocess.Popen([sys.executable, "-m", "bot.main"], env=env, cwd=ROOT, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)  # fmt: skip


async def test_polling_refuses_a_second_process_on_the_same_database(
    api: FakeBotAPI, db: str
) -> None:
    first = _polling_bot(api, db)
    try:
        await api.send_text(1, "/start")
        await api.wait_for(1, 1, timeout=60)
        second = _polling_bot(api, db)
        _, errors = await asyncio.to_thread(second.communicate, timeout=60)
        assert second.returncode == 1
        assert "already polling" in errors and "webhook" in errors
        assert "Traceback" not in errors
        assert first.poll() is None  # the first one goes on
    finally:
        first.kill()
        first.communicate(timeout=30)
    # Once the first is gone (even by kill -9), the slot is free again.
    deadline = time.monotonic() + 30
    while True:
        again = _polling_bot(api, db)
        before = len(api.to(2))
        await api.send_text(2, "/start")
        try:
            await api.wait_for(2, before + 1, timeout=20)
            break
        except AssertionError:
            assert time.monotonic() < deadline, "the polling slot was never freed"
        finally:
            again.kill()
            await asyncio.to_thread(again.communicate, timeout=30)
