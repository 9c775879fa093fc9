"""Shared fixtures: the installed knowledge and an advisor over it, loaded once per run; the
fake Bot API server on 127.0.0.1; a real PostgreSQL server (started once per run) with a fresh
database per test; `db`, a fresh database of each back-end in turn, and `store` over it."""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from ptcc_core.advisor import Advisor
from ptcc_core.knowledge import Knowledge, load_knowledge
from ptcc_core.store import Store, open_store
from tests.bot_runner import Bot
from tests.fake_bot_api import FakeBotAPI
from tests.postgres_server import PostgresServer, find_bindir, start_server

_databases = itertools.count(1)


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


@pytest.fixture
async def bot(api: FakeBotAPI, tmp_path: Path, advisor: Advisor) -> AsyncIterator[Bot]:
    """The bot running against `api`, with its database at tmp_path / "bot.db"."""
    runner = Bot(api, tmp_path / "bot.db", advisor)
    await runner.start()
    yield runner
    if runner.app is not None:
        await runner.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    if find_bindir() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the PostgreSQL tests: .ci/run installs postgresql")
        pytest.skip("no PostgreSQL server: install Debian's postgresql package")
    server = start_server()
    yield server
    server.stop()


def database_name() -> str:
    """A database name no other test of this run (or of a parallel run) uses."""
    return f"test_{os.getpid()}_{next(_databases)}"


@pytest.fixture
async def pg_url(postgres_server: PostgresServer) -> str:
    return await postgres_server.new_database(database_name())


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A PTCC_DB value for a fresh database: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ptcc.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return await server.new_database(database_name())


@pytest.fixture
async def store(db: str) -> AsyncIterator[Store]:
    """The store over `db`, open for the test."""
    opened = await open_store(db)
    try:
        yield opened
    finally:
        await opened.close()
