"""Shared fixtures: the installed knowledge and an advisor over it, loaded once per run, and
the fake Bot API server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ptcc_core.advisor import Advisor
from ptcc_core.knowledge import Knowledge, load_knowledge
from tests.fake_bot_api import FakeBotAPI


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge()


@pytest.fixture(scope="session")
def advisor(knowledge: Knowledge) -> Advisor:
    return Advisor(knowledge)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    server = FakeBotAPI()
    await server.start()
    yield server
    await server.stop()
