"""The operator's view: questions kept without who asked, /stats for admins only, migrations."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ptcc_core.advisor import Advisor
from ptcc_core.conversation import Session
from ptcc_core.profile import Profile
from ptcc_core.schema import SCHEMA_VERSION
from ptcc_core.sqlite_store import SQLiteStore
from tests.bot_runner import Bot
from tests.fake_bot_api import FakeBotAPI
from tests.test_bot_e2e import say

ADMIN = 31337


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    opened = await SQLiteStore.open(tmp_path / "ops.db")
    yield opened
    await opened.close()


async def test_unanswered_questions_are_kept_as_text_only(
    store: SQLiteStore, tmp_path: Path, advisor: Advisor
) -> None:
    await store.save("tg:1", Session(), (True, "what is a CMAA?"))
    for _ in range(2):
        await store.save("tg:1", Session(), (False, "Tell me  a joke"))
    await store.save("tg:2", Session(), (False, "pizza?"))
    stats = await store.stats()
    assert (stats.answered, stats.unanswered) == (1, 3)
    assert stats.top_unanswered == [("tell me a joke", 2), ("pizza?", 1)]
    rows = sqlite3.connect(tmp_path / "ops.db").execute("SELECT * FROM questions").fetchall()
    assert ("what is a CMAA?",) not in [(row[2],) for row in rows]
    # Whose a question was is kept only for /forget: the operator's view never shows it.
    assert "tg:" not in str(stats) and "tg:" not in advisor.texts.stats(stats).text


async def test_unanswered_questions_are_kept_scrubbed_and_expire(store: SQLiteStore) -> None:
    from datetime import UTC, datetime, timedelta

    from ptcc_core.privacy import Retention

    text = "I'm Ana Lopez, ana@example.com, +1 617 555 0123: do you know Select Medical's pay?"
    await store.save("tg:1", Session(), (False, text))
    [(kept,)] = await store.rows("SELECT text FROM questions")
    assert kept == "I'm [name], [email], [phone]: do you know Select Medical's pay?"
    old = (datetime.now(UTC) - timedelta(days=91)).isoformat()
    await store.write(("UPDATE questions SET asked_at = ?", (old,)))
    await store.save("tg:2", Session(), (False, "pizza?"))
    await store.write(("UPDATE sessions SET updated_at = ? WHERE user_key = 'tg:1'", (old,)))
    await store.expire(Retention(question_days=90, session_days=90))
    assert await store.rows("SELECT text FROM questions") == [("pizza?",)]
    assert await store.rows("SELECT user_key FROM sessions") == [("tg:2",)]


async def test_stats_count_users_and_saved_estimates(store: SQLiteStore) -> None:
    from datetime import UTC, datetime

    from ptcc_core.conversation import SavedEstimate

    saved = SavedEstimate(at=datetime.now(UTC), low=1, mid=2, high=3, profile=Profile())
    await store.save("tg:1", Session(estimates=(saved, saved)))
    await store.save("tg:2", Session())
    stats = await store.stats()
    assert (stats.users, stats.estimates) == (2, 2)


async def test_a_version_1_database_migrates_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE sessions (user_key TEXT PRIMARY KEY, data TEXT NOT NULL, updated_at TEXT NOT NULL);"
        "PRAGMA user_version = 1;"
    )
    db.execute(
        "INSERT INTO sessions VALUES (?, ?, ?)",
        ("tg:7", Session(profile=Profile(years=3)).model_dump_json(), "t"),
    )
    db.commit()
    db.close()
    store = await SQLiteStore.open(path)
    try:
        assert (await store.load("tg:7")).profile.years == 3
        await store.save("tg:7", Session(), (False, "x"))
    finally:
        await store.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


async def test_stats_command_is_for_admins_only(api: FakeBotAPI, tmp_path: Path, advisor) -> None:
    runner = Bot(api, tmp_path / "bot.db", advisor)
    runner.settings = runner.settings.model_copy(update={"ptcc_admin_ids": (ADMIN,)})
    await runner.start()
    try:
        await say(api, "tell me a joke", user=5)
        refused = await say(api, "/stats", user=5)
        assert "operators" in refused[0] and "joke" not in refused[0]
        shown = await say(api, "/stats", user=ADMIN)
        assert "Users: 1" in shown[0] and "1x tell me a joke" in shown[0]
    finally:
        await runner.stop()


def test_ptcc_stats_reads_the_same_database(tmp_path: Path) -> None:
    env = {"PTCC_DB": str(tmp_path / "cli.db"), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "ptcc_core.cli"]
    subprocess.run(
        [*command, "chat"],
        input="recommend a movie\nquit\n",
        env=env,
        text=True,
        capture_output=True,
        check=True,
    )
    result = subprocess.run(
        [*command, "stats"], env=env, text=True, capture_output=True, check=True
    )
    assert "1 unanswered" in result.stdout and "recommend a movie" in result.stdout
