"""Anything a user can send: never a crash, never a message Telegram would reject."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.render import keyboard, message_text
from ptcc_core.advisor import Advisor
from ptcc_core.conversation import STEPS, Event, Session
from tests.bot_runner import Bot
from tests.fake_bot_api import FakeBotAPI, check_html
from tests.test_bot_e2e import say

NASTY = st.one_of(
    st.text(max_size=5000),
    st.text(alphabet="<>&*_`[]()~|#!\\\"'", max_size=300),
    st.text(alphabet="\u200b\u200c\u200d\u202e\u202d\u0627\u05d0\U0001f600 ab", max_size=500),
    st.just("x" * 4096 + "<b>"),
)
SESSIONS = st.sampled_from([Session(), *(Session(step=step) for step in STEPS)])


def acceptable(reply_text: str) -> bool:
    error, visible = check_html(reply_text)
    return error is None and len(visible.strip()) > 0 and len(visible) <= 4096


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(text=NASTY, session=SESSIONS)
def test_any_text_gets_a_reply_telegram_accepts(
    advisor: Advisor, text: str, session: Session
) -> None:
    outcome = advisor.handle(session, Event(kind="text", value=text[:5000], at=datetime.now(UTC)))
    assert outcome.replies
    for reply in outcome.replies:
        assert acceptable(message_text(reply))
        markup = keyboard(reply.choices, "ptcc_test_bot")
        for row in markup.inline_keyboard if markup else ():
            assert all(1 <= len(str(b.callback_data).encode()) <= 64 for b in row)


@settings(max_examples=300)
@given(data=st.text(max_size=64), session=SESSIONS)
def test_forged_buttons_are_harmless(advisor: Advisor, data: str, session: Session) -> None:
    outcome = advisor.handle(session, Event(kind="choice", value=data, at=datetime.now(UTC)))
    assert outcome.replies and not outcome.forget
    assert all(acceptable(message_text(reply)) for reply in outcome.replies)


async def test_random_nasty_texts_through_the_fake_server(
    api: FakeBotAPI, tmp_path, advisor: Advisor
) -> None:
    runner = Bot(api, tmp_path / "bad.db", advisor)
    await runner.start()
    rng = random.Random(7)
    alphabet = "<>&*_`[]()\u200b\u202e\u0627\U0001f600 abcCMAA?"
    try:
        for n in range(40):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4096))).strip() or "?"
            await say(api, text, user=100 + n)
    finally:
        await runner.stop()
    assert api.rejected == []
