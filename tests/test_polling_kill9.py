"""Polling mode under kill -9: every update that a getUpdates offset confirmed to Telegram
was stored first, so it is handled by the next process. 20 kills at random moments while
users keep writing; at the end, each confirmed update is in the inbox and done. On SQLite and
on PostgreSQL (whose polling slot, an advisory lock, the killed process's connection frees)."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import subprocess
import time

import asyncpg

from tests.bot_process import bot_env, launch_bot
from tests.fake_bot_api import FakeBotAPI

KILLS = 20
USERS = 8


DONE = "SELECT update_id FROM inbox WHERE done_at IS NOT NULL"


async def handled(db: str) -> set[int]:
    if db.startswith("postgresql"):
        conn = await asyncpg.connect(db)
        try:
            return {i for (i,) in await conn.fetch(DONE)}
        finally:
            await conn.close()
    with sqlite3.connect(db.removeprefix("sqlite:///")) as conn:
        return {i for (i,) in conn.execute(DONE)}


async def test_kill_9_in_polling_mode_loses_no_confirmed_update(api: FakeBotAPI, db: str) -> None:
    env = bot_env(api, db)

    def launch() -> subprocess.Popen[bytes]:
        return launch_bot(env)

    bot = launch()
    done_writing = asyncio.Event()
    sent = 0

    async def user(user_id: int) -> None:
        nonlocal sent
        questions = ["what is a CMAA?", "what does a coordinator do?", "pay in Boston?", "hi"]
        n = 0
        while not done_writing.is_set():
            await api.send_text(user_id, f"{questions[n % len(questions)]} ({n})")
            sent += 1
            n += 1
            await asyncio.sleep(0.15)

    async def killer() -> None:
        nonlocal bot
        rng = random.Random(20)
        for _ in range(KILLS):
            await asyncio.sleep(rng.uniform(0.8, 2.5))
            bot.kill()
            bot.wait(10)
            bot = launch()
        done_writing.set()

    try:
        await asyncio.gather(killer(), *(user(700 + u) for u in range(USERS)))
        # The last process works through what is left; Telegram keeps the unconfirmed rest.
        deadline = time.monotonic() + 90
        while True:
            confirmed = set(api.confirmed)
            done = await handled(db)
            if confirmed <= done and not api.updates:
                break
            assert time.monotonic() < deadline, f"{len(confirmed - done)} confirmed, not handled"
            await asyncio.sleep(0.5)
    finally:
        bot.kill()
        bot.wait(10)
    assert sent > KILLS * USERS  # the load really ran between the kills
    assert len(confirmed) == sent  # every update was confirmed in the end, and none lost
