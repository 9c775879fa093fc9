"""Privacy end to end through the fake Bot API and a real SQLite file: /forget leaves no
trace of the user in the database's bytes, /privacy says what is kept, and a damaged session
never locks its user out."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.bot_runner import Bot
from tests.fake_bot_api import FakeBotAPI
from tests.test_bot_e2e import USER, eventually, say

EMAIL = "ana.lopez.private@example.com"


def raw_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.glob("bot.db*") if p.is_file())


async def test_forget_leaves_no_trace_in_the_files(
    api: FakeBotAPI, bot: Bot, tmp_path: Path
) -> None:
    for text in (f"my email is {EMAIL}, who is hiring in Tampa?", "I have 5 years, pay in Boston?"):
        await say(api, text, expect=1 if "email" in text else 2)
    await say(api, "save")
    db = sqlite3.connect(tmp_path / "bot.db")
    await eventually(lambda: db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1)
    [(kept,)] = db.execute("SELECT text FROM questions WHERE answered = 0").fetchall()
    assert EMAIL not in kept and "[email]" in kept  # scrubbed before it was ever stored
    await say(api, "/forget")
    await api.press(USER, "forget:yes")
    await eventually(lambda: db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0)
    assert db.execute("SELECT count(*) FROM questions").fetchone()[0] == 0
    await eventually(lambda: f"tg:{USER}".encode() not in raw_bytes(tmp_path))
    assert b"Boston" not in raw_bytes(tmp_path)


async def test_privacy_says_what_is_kept_and_for_how_long(api: FakeBotAPI, bot: Bot) -> None:
    texts = await say(api, "/privacy")
    assert "365 days" in texts[0] and "90 days" in texts[0] and "/forget" in texts[0]
    assert {c["command"] for c in api.commands} >= {"privacy"}


async def test_a_damaged_session_gets_a_kind_word_not_an_error(
    api: FakeBotAPI, bot: Bot, tmp_path: Path
) -> None:
    await say(api, "/estimate", expect=2)
    db = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)
    await eventually(lambda: db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1)
    db.execute("UPDATE sessions SET data = '{\"step\": 7' WHERE user_key = ?", (f"tg:{USER}",))
    texts = await say(api, "what is a CMAA?", expect=2)
    assert "starting afresh" in texts[0] and "Medical Administrative Assistant" in texts[1]
    texts = await say(api, "/forget")
    assert "Are you sure" in texts[0]
