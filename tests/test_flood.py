"""Flood control: one "slow down" note per flood, quiet users forgotten, albums answered
once, inline queries under the same per-user limit."""

from __future__ import annotations

import asyncio

import pytest

from bot.app import Pace
from tests.bot_runner import Bot
from tests.fake_bot_api import FakeBotAPI
from tests.test_bot_e2e import USER


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr("bot.app.time.monotonic", fake)
    return fake


def test_a_500_message_flood_gets_one_note(clock: Clock) -> None:
    pace, notes = Pace(), 0
    for _ in range(500):
        clock.now += 0.05  # twenty a second, ten times the refill rate
        if not pace.allow(1) and pace.should_warn(1):
            notes += 1
    assert notes == 1
    clock.now += 60  # quiet for a minute: a later flood is a new one
    for _ in range(30):
        if not pace.allow(1) and pace.should_warn(1):
            notes += 1
    assert notes == 2


def test_quiet_users_are_forgotten(clock: Clock) -> None:
    pace = Pace()
    for user_id in range(3000):
        pace.allow(user_id)
    clock.now += 60
    for _ in range(Pace.SWEEP_EVERY):
        pace.allow(99_999)
    assert pace.tracked() <= 2


async def test_an_album_of_ten_photos_gets_one_reply(api: FakeBotAPI, bot: Bot) -> None:
    photo = [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}]
    for _ in range(10):
        await api.push({"message": api.message(USER, None, photo=photo, media_group_id="album1")})
    await api.wait_for(USER, 1)
    await asyncio.sleep(1.0)
    assert len(api.to(USER)) == 1


async def test_inline_queries_share_the_per_user_limit(api: FakeBotAPI, bot: Bot) -> None:
    for n in range(25):
        await api.push(
            {"inline_query": {"id": f"q{n}", "from": api._user(USER), "query": "pay", "offset": ""}}
        )
    await asyncio.sleep(2.0)
    assert Pace.BURST <= len(api.inline_answers) <= Pace.BURST + 5
