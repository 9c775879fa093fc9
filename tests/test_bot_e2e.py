"""The Telegram bot end to end: the real python-telegram-bot Application talks real HTTP to a
fake Bot API server on 127.0.0.1 (tests/fake_bot_api.py), with a real SQLite file."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.bot_runner import Bot
from tests.fake_bot_api import TOKEN, FakeBotAPI

USER = 4242


async def say(
    api: FakeBotAPI, text: str, expect: int = 1, user: int = USER, **kw: Any
) -> list[str]:
    before = len(api.to(kw.get("chat_id", user)))
    await api.send_text(user, text, **kw)
    sent = await api.wait_for(kw.get("chat_id", user), before + expect)
    return [s.text for s in sent[before:]]


async def press(api: FakeBotAPI, data: str, expect: int = 1, user: int = USER) -> list[str]:
    before = len(api.to(user))
    await api.press(user, data)
    sent = await api.wait_for(user, before + expect)
    return [s.text for s in sent[before:]]


async def test_start_registers_commands_and_offers_buttons(api: FakeBotAPI, bot: Bot) -> None:
    texts = await say(api, "/start")
    assert "PTCC Advisor" in texts[0]
    assert [b[1] for b in api.to(USER)[-1].buttons] == ["go:estimate", "go:ask", "go:topics"]
    assert {c["command"] for c in api.commands} >= {"start", "estimate", "profile", "forget"}
    assert api.rejected == []


async def test_questionnaire_by_buttons_and_typing_then_profile(api: FakeBotAPI, bot: Bot) -> None:
    await say(api, "/start")
    texts = await press(api, "go:estimate", expect=2)
    assert "How many years" in texts[1]
    await press(api, "ans:years:4")
    await say(api, "bachelors")
    await press(api, "ans:certifications:CMAA")  # toggles, asks again with a tick
    assert "✔ CMAA" in [b[0] for b in api.to(USER)[-1].buttons]
    await press(api, "nav:done")
    await say(api, "boston")
    await press(api, "ans:employer:hospital")
    result = await say(api, "none", expect=2)
    assert "Your estimate" in result[0] and "Boston" in result[0]
    assert api.to(USER)[-1].method == "sendPhoto"
    profile = await say(api, "/profile")
    assert "Boston" in profile[0] and "Latest estimate" in profile[0]
    assert api.rejected == []


async def test_a_question_mid_questionnaire_then_the_same_question_again(
    api: FakeBotAPI, bot: Bot
) -> None:
    await say(api, "/estimate", expect=2)
    texts = await say(api, "what is a CMAA?", expect=2)
    assert "Medical Administrative Assistant" in texts[0]
    assert "How many years" in texts[1]


async def test_answers_survive_a_restart_mid_questionnaire(api: FakeBotAPI, bot: Bot) -> None:
    await say(api, "/estimate", expect=2)
    await say(api, "7 years")
    await bot.stop()
    await bot.start()
    texts = await say(api, "associate")
    assert "certifications" in texts[0]
    for answer in ("none", "San Francisco", "private clinic"):
        await say(api, answer)
    final = await say(api, "none", expect=2)
    assert "7 years" in final[0] and "San Francisco" in final[0]


async def test_change_one_answer_from_profile(api: FakeBotAPI, bot: Bot) -> None:
    await say(api, "I have 5 years and a bachelor's, what would I make in Dallas?", expect=2)
    await say(api, "save")
    await press(api, "edit:location")
    texts = await say(api, "NYC", expect=2)
    assert "New York" in texts[0] and "5 years" in texts[0]


async def test_forget_deletes_every_row(api: FakeBotAPI, bot: Bot, tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "bot.db")

    def rows() -> int:
        query = "SELECT count(*) FROM sessions WHERE user_key = ?"
        return int(db.execute(query, (f"tg:{USER}",)).fetchone()[0])

    await say(api, "I have 3 years, what would I earn in Boston?", expect=2)
    await eventually(lambda: rows() == 1)  # saved once the replies are out
    await say(api, "/forget")
    await press(api, "forget:yes")
    await eventually(lambda: rows() == 0)


async def eventually(check: Callable[[], bool], timeout: float = 10) -> None:
    """Wait until `check()` holds: the store writes a turn just after its replies go out."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


@pytest.mark.parametrize(
    "extra",
    [
        {
            "sticker": {
                "file_id": "s",
                "file_unique_id": "s",
                "type": "regular",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
            }
        },
        {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
        {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 1}},
        {"location": {"latitude": 1.0, "longitude": 2.0}},
        {"document": {"file_id": "d", "file_unique_id": "d", "file_name": "cv.pdf"}},
        {"video": {"file_id": "v", "file_unique_id": "v", "width": 1, "height": 1, "duration": 1}},
        {"audio": {"file_id": "a", "file_unique_id": "a", "duration": 1}},
        {
            "animation": {
                "file_id": "g",
                "file_unique_id": "g",
                "width": 1,
                "height": 1,
                "duration": 1,
            }
        },
        {"video_note": {"file_id": "n", "file_unique_id": "n", "length": 1, "duration": 1}},
        {"contact": {"phone_number": "+100", "first_name": "Ann"}},
        {"dice": {"emoji": "🎲", "value": 3}},
        {
            "venue": {
                "location": {"latitude": 1.0, "longitude": 2.0},
                "title": "Clinic",
                "address": "Main St",
            }
        },
    ],
)
async def test_non_text_messages_get_a_kind_answer(
    api: FakeBotAPI, bot: Bot, extra: dict[str, Any]
) -> None:
    await api.push({"message": api.message(USER, **extra)})
    sent = await api.wait_for(USER, 1)
    assert "only read text" in sent[0].text


@pytest.mark.parametrize(
    "text",
    [
        "<b>bold</b> & <script>alert(1)</script> *_`[x](y)",
        "a" * 4096,
        "&amp; &foo; <<>>",
        "\u202eRTL\u200b text",
    ],
)
async def test_odd_text_is_escaped_and_never_rejected(api: FakeBotAPI, bot: Bot, text: str) -> None:
    await say(api, text)
    assert api.rejected == []


async def test_edited_messages_and_forged_buttons_are_harmless(api: FakeBotAPI, bot: Bot) -> None:
    await api.push(
        {"edited_message": api.message(USER, "what about boston?", edit_date=int(time.time()))}
    )
    await api.wait_for(USER, 1)
    before = len(api.to(USER))
    await api.press(USER, "ans:years:999", forged=True)
    texts = [s.text for s in (await api.wait_for(USER, before + 1))[before:]]
    assert "earlier message" in texts[0]
    await api.press(USER, "x" * 64, forged=True)
    await api.wait_for(USER, before + 2)
    assert api.rejected == []


async def test_in_groups_only_messages_addressed_to_the_bot(api: FakeBotAPI, bot: Bot) -> None:
    group = -100
    await api.send_text(USER, "what is a CMAA?", chat_id=group, chat_type="supergroup")
    texts = await say(api, "@ptcc_test_bot what is a CMAA?", chat_id=group, chat_type="supergroup")
    assert len(api.to(group)) == 1
    assert "Medical Administrative Assistant" in texts[0]


async def test_users_are_kept_apart(api: FakeBotAPI, bot: Bot) -> None:
    await say(api, "I have 10 years, what would I earn in Boston?", expect=2, user=1)
    await say(api, "/profile", user=2)
    assert "don't have a saved profile" in api.to(2)[-1].text


async def test_kill_9_mid_questionnaire_loses_nothing(api: FakeBotAPI, tmp_path: Path) -> None:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "PTCC_BOT_API_URL": api.base_url,
           "PTCC_DB": str(tmp_path / "kill.db")}  # fmt: skip

    def launch() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.main"], env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
        )  # fmt: skip

    process = launch()
    try:
        await say(
            api, "what would I make in Boston with 3 years?", expect=2
        )  # draws a chart, in a thread of the bot's own
        await say(api, "/estimate", expect=2)
        await say(api, "12 years")
        await say(api, "high school")
        process.kill()
        process.wait(10)
        process = launch()
        before = len(api.to(USER))
        await api.send_text(USER, "CEHRS")
        # If the kill came between the last reply and its save, that reply comes once more
        # first (counted in /stats); the step itself is never lost.
        await eventually(
            lambda: any("Where do you work" in s.text for s in api.to(USER)[before:]), 20
        )
    finally:
        process.kill()
        logs = process.communicate(timeout=10)[1]
    assert TOKEN.encode() not in logs
    await asyncio.sleep(1)
    assert processes_using(env["PTCC_DB"]) == []  # nothing the bot started outlives it


def processes_using(db: str) -> list[int]:
    """Live processes started with PTCC_DB=db in their environment."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            environ = (proc / "environ").read_bytes().split(b"\0")
            state = (proc / "stat").read_text().split()[2]
        except (OSError, IndexError):
            continue
        if f"PTCC_DB={db}".encode() in environ and state != "Z":
            found.append(int(proc.name))
    return found


async def test_one_users_burst_is_answered_in_order(api: FakeBotAPI, bot: Bot) -> None:
    questions = [
        "boston premium?",
        "what is a CMAA?",
        "how big are bonuses",
        "what is ICD-10",
        "D.C. pay premium?",
    ]
    for question in questions:
        await api.send_text(USER, question)
    sent = await api.wait_for(USER, len(questions))
    markers = ["15% to 25%", "Medical Administrative Assistant", "bonus", "ICD-10", "15% to 20%"]
    for message, marker in zip(sent, markers, strict=True):
        assert marker.lower() in message.text.lower()


async def test_a_failed_chart_still_leaves_the_estimate_text(api: FakeBotAPI, bot: Bot) -> None:
    api.fail_photos = True
    texts = await say(api, "I have 4 years and a CMAA, what would I make in Boston?")
    assert "a year, most likely about" in texts[0]
    await say(api, "thanks")
    assert [s.method for s in api.to(USER)] == ["sendMessage", "sendMessage"]
    assert api.rejected == [("sendPhoto", "PHOTO_INVALID_DIMENSIONS")]


async def test_a_chart_with_the_same_figures_is_sent_again_not_drawn_again(
    api: FakeBotAPI, bot: Bot
) -> None:
    question = "I have 4 years and a CMAA, what would I make in Boston?"
    for user in (USER, USER + 1):
        await api.send_text(user, question)
        await api.wait_for(user, 2)
    await say(api, "and with 9 years?", expect=2)
    photos = [s for s in api.sent if s.method == "sendPhoto"]
    assert len(photos) == 3 and len(api.photos) == 2
    sent_again = [params["photo"] for method, params in api.calls if method == "sendPhoto"]
    assert isinstance(sent_again[1], str) and sent_again[1] in api.photos


async def test_inline_mode_offers_the_best_answers(api: FakeBotAPI, bot: Bot) -> None:
    results = await api.inline(USER, "boston premium")
    assert results and results[0]["id"] == "loc_boston"
    assert "15% to 25%" in results[0]["input_message_content"]["message_text"]
    assert await api.inline(USER, "")  # an empty query offers the overviews
    assert await api.inline(USER, "<b>" * 100) is not None
    assert api.rejected == []


async def test_offer_and_compare_in_the_bot(api: FakeBotAPI, bot: Bot) -> None:
    texts = await say(api, "/offer", expect=2)
    assert "base salary" in texts[1]
    await say(api, "52k")
    for _ in range(4):
        await press(api, "offer:keep")
    total = await press(api, "offer:keep")  # no employer match: nothing more is asked
    assert "This offer: $52,000 a year in total." in total[0]
    assert "no employer match given" in total[0]
    await say(api, "/compare", expect=2)
    await press(api, "offer:cancel")
    assert "Cancelled" in api.to(USER)[-1].text
    assert api.rejected == []


async def test_how_do_i_earn_more_after_an_estimate(api: FakeBotAPI, bot: Bot) -> None:
    await say(api, "I have 2 years and a GED, what would I make in Dallas?", expect=2)
    levers = next(b[1] for b in api.to(USER)[-2].buttons if b[1].startswith("levers:"))
    texts = await press(api, levers)
    assert "What would raise your most likely figure" in texts[0] and "CMAA" in texts[0]
    texts = await say(api, "how can I get a raise?")
    assert "What would raise" in texts[0]


async def test_429_too_many_requests_is_waited_out_and_answered_once(
    api: FakeBotAPI, bot: Bot
) -> None:
    api.too_many["sendMessage"] = [1, 1]
    started = time.monotonic()
    texts = await say(api, "what is a CMAA?")
    assert "Medical Administrative Assistant" in texts[0]
    assert time.monotonic() - started >= 2  # it waited the retry_after twice
    assert len(api.to(USER)) == 1
    assert api.rejected == [("sendMessage", "429"), ("sendMessage", "429")]


async def test_a_flooding_user_is_slowed_kindly_and_others_are_not(
    api: FakeBotAPI, bot: Bot
) -> None:
    flooder, other = 666, 777
    for n in range(30):
        await api.send_text(flooder, f"what is a CMAA? {n}")
    texts = await say(api, "boston premium?", user=other)
    assert "15% to 25%" in texts[0]
    await asyncio.sleep(1)
    sent = [s.text for s in api.to(flooder)]
    assert 10 <= len(sent) <= 13
    assert sum("faster than I can read" in t for t in sent) == 1


async def test_server_errors_are_retried_and_the_reply_arrives_once(
    api: FakeBotAPI, bot: Bot
) -> None:
    api.server_errors["sendMessage"] = [502, 500]
    texts = await say(api, "what is a CMAA?")
    assert "Medical Administrative Assistant" in texts[0]
    await asyncio.sleep(0.5)
    assert len(api.to(USER)) == 1
    assert api.rejected == [("sendMessage", "502"), ("sendMessage", "500")]


async def test_get_updates_failing_for_a_while_then_recovering(api: FakeBotAPI, bot: Bot) -> None:
    api.server_errors["getUpdates"] = [502, 500, 502]
    # Telegram fails three getUpdates calls in a row (with back-off between them); the
    # message sent after that is still fetched and answered.
    await eventually(lambda: not api.server_errors["getUpdates"], 20)
    texts = await say(api, "boston premium?")
    assert "15% to 25%" in texts[0]
    assert [r for r in api.rejected if r[0] == "getUpdates"] == [
        ("getUpdates", "502"),
        ("getUpdates", "500"),
        ("getUpdates", "502"),
    ]


async def test_a_dropped_connection_is_retried_and_the_reply_arrives_once(
    api: FakeBotAPI, bot: Bot
) -> None:
    api.drop["sendMessage"] = 2
    texts = await say(api, "what is a CMAA?")
    assert "Medical Administrative Assistant" in texts[0]
    await asyncio.sleep(0.5)
    assert len(api.to(USER)) == 1
    assert api.rejected == [("sendMessage", "dropped"), ("sendMessage", "dropped")]


async def test_an_answer_slower_than_the_timeout_is_not_sent_twice(
    api: FakeBotAPI, bot: Bot
) -> None:
    api.slow["sendMessage"] = [7.0]  # python-telegram-bot gives up reading after 5 s
    await api.send_text(USER, "what is a CMAA?")
    sent = await api.wait_for(USER, 1, timeout=15)
    assert "Medical Administrative Assistant" in sent[0].text
    texts = await say(api, "boston premium?")  # and the bot goes on
    assert "15% to 25%" in texts[0]
    assert len([s for s in api.to(USER) if "Medical Administrative" in s.text]) == 1


@pytest.mark.parametrize(
    "update",
    [
        {
            "channel_post": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": -5, "type": "channel", "title": "C"},
                "text": "hi",
            }
        },
        {
            "my_chat_member": {
                "chat": {"id": USER, "type": "private"},
                "from": {"id": USER, "is_bot": False, "first_name": "U"},
                "date": 0,
                "old_chat_member": {
                    "status": "member",
                    "user": {"id": 999, "is_bot": True, "first_name": "B"},
                },
                "new_chat_member": {
                    "status": "kicked",
                    "until_date": 0,
                    "user": {"id": 999, "is_bot": True, "first_name": "B"},
                },
            }
        },
        {
            "message": {
                "message_id": 3,
                "date": 0,
                "chat": {"id": -77, "type": "group", "title": "G"},
                "new_chat_members": [],
            }
        },
    ],
)
async def test_other_update_kinds_are_ignored_safely(
    api: FakeBotAPI, bot: Bot, update: dict
) -> None:
    await api.push(update)
    texts = await say(api, "boston premium?")  # the bot is still fine afterwards
    assert "15% to 25%" in texts[-1]
    assert api.rejected == []
