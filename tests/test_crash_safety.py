"""kill -9 at random moments under load: nothing a user was told is lost, no row is torn.

A turn's replies go out, then its save marks its inbox update done; a process killed in
between leaves the update unfinished, and the next process handles it again. So once the
inbox has settled, every estimate a user saw saved is in the database after any number of
crashes, and every row still reads back.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import subprocess
from pathlib import Path

from ptcc_core.conversation import Session
from tests.bot_process import bot_env, launch_bot
from tests.fake_bot_api import FakeBotAPI

USERS = 25
MESSAGES = 8


async def test_random_kill_9_under_load_loses_no_stored_estimate(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    db = tmp_path / "crash.db"
    env = bot_env(api, db)

    def launch() -> subprocess.Popen[bytes]:
        return launch_bot(env)

    bot = launch()
    seen: dict[int, int] = {}

    async def user(user_id: int) -> None:
        for n in range(MESSAGES):
            for text in (f"I have {n + 1} years, what would I make in Boston?", "save"):
                before = len(api.to(user_id))
                await api.send_text(user_id, text)
                try:
                    await api.wait_for(user_id, before + 1, timeout=8)
                except AssertionError:
                    break  # the update died with the bot: a real user would just ask again
        texts = [s.text for s in api.to(user_id) if s.method == "sendMessage"]
        seen[user_id] = sum(text.startswith("Saved to your profile") for text in texts)

    async def killer() -> None:
        nonlocal bot
        rng = random.Random(11)
        for _ in range(3):
            await asyncio.sleep(rng.uniform(1.5, 4.0))
            bot.kill()
            bot.wait(10)
            bot = launch()

    try:
        await asyncio.gather(killer(), *(user(500 + u) for u in range(USERS)))
        await settled(db)
    finally:
        bot.kill()
        bot.wait(10)

    connection = sqlite3.connect(db)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {
        key: Session.model_validate_json(data)
        for key, data in connection.execute("SELECT user_key, data FROM sessions")
    }
    assert sum(seen.values()) > USERS  # the load really ran between the kills
    for user_id, estimates_seen in seen.items():
        session = stored.get(f"tg:{user_id}")
        assert session is not None and len(session.estimates) >= estimates_seen, user_id


async def settled(db: Path, timeout: float = 60) -> None:
    """Wait until the last process has handled every stored update."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        with sqlite3.connect(db) as connection:
            [(waiting,)] = connection.execute("SELECT count(*) FROM inbox WHERE done_at IS NULL")
        if not waiting:
            return
        assert asyncio.get_running_loop().time() < deadline, f"{waiting} updates never handled"
        await asyncio.sleep(0.2)
