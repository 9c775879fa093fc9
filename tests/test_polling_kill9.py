"""Polling mode under kill -9: every update that a getUpdates offset confirmed to Telegram
was stored first, so it is handled by the next process. 20 kills at random moments while
users keep writing; at the end, each confirmed update is in the inbox and done, and none was
given up. An update that itself kills the process is given up after MAX_FAILURES deaths,
and only it. On SQLite and on PostgreSQL (whose polling slot, an advisory lock, the killed
process's connection frees)."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import subprocess
import time

import asyncpg

from bot.inbox import MAX_FAILURES
from tests.bot_process import bot_env, launch_bot
from tests.fake_bot_api import FakeBotAPI

KILLS = 20
USERS = 8


DONE = "SELECT update_id FROM inbox WHERE done_at IS NOT NULL"
GIVEN_UP = "SELECT update_id FROM inbox WHERE given_up_at IS NOT NULL"


async def ids(db: str, sql: str) -> set[int]:
    if db.startswith("postgresql"):
        conn = await asyncpg.connect(db)
        try:
            return {i for (i,) in await conn.fetch(sql)}
        finally:
            await conn.close()
    with sqlite3.connect(db.removeprefix("sqlite:///")) as conn:
        return {i for (i,) in conn.execute(sql)}


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
            done = await ids(db, DONE)
            if confirmed <= done and not api.updates:
                break
            assert time.monotonic() < deadline, f"{len(confirmed - done)} confirmed, not handled"
            await asyncio.sleep(0.5)
    finally:
        bot.kill()
        bot.wait(10)
    assert sent > KILLS * USERS  # the load really ran between the kills
    assert len(confirmed) == sent  # every update was confirmed in the end, and none lost
    assert await ids(db, GIVEN_UP) == set()  # killed from outside: no update is to blame


POISON = 990


async def test_an_update_that_kills_the_process_is_given_up_and_no_other(
    api: FakeBotAPI, db: str
) -> None:
    env = bot_env(api, db)
    bot = [launch_bot(env)]
    deaths = 0

    def die_on_poison(method: str, params: dict[str, object]) -> None:
        # As if handling this user's update crashed the interpreter, every time.
        nonlocal deaths
        if str(params.get("chat_id")) == str(POISON) and bot[0].poll() is None:
            bot[0].kill()
            deaths += 1

    api.before_call = die_on_poison
    others = [801, 802, 803, 804]
    try:
        for round_ in range(3):  # others' updates are in hand when the process dies
            for user in others:
                await api.send_text(user, f"what is a CMAA? ({round_})")
            if round_ == 0:
                poison = await api.send_text(POISON, "what does a coordinator do?")
        await api.wait_for(others[0], 1, timeout=60)  # the database is made by now
        deadline = time.monotonic() + 120
        while not await ids(db, GIVEN_UP):
            assert time.monotonic() < deadline, f"not given up after {deaths} deaths"
            if bot[0].poll() is not None:
                bot[0].wait(10)
                bot[0] = launch_bot(env)
            await asyncio.sleep(0.2)
        assert await ids(db, GIVEN_UP) == {poison}
        assert deaths == MAX_FAILURES + 1  # once among others, then alone each time
        api.before_call = None
        for user in others:
            await api.wait_for(user, 3, timeout=60)  # every other update was answered
        seen = len(api.to(POISON))  # what reached Telegram before each death
        await api.send_text(POISON, "what is a CMAA?")
        *_, reply = await api.wait_for(POISON, seen + 1, timeout=60)  # its user goes on
        assert "Medical Administrative Assistant" in reply.text
    finally:
        bot[0].kill()
        bot[0].wait(10)
    assert await ids(db, GIVEN_UP) == {poison}
