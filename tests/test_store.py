"""The session store against a real SQLite file: round trips, persistence, isolation between
users, the schema version, and the errors a broken or foreign database file gives."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import threading
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite.core
import pytest

from ptcc_core.advisor import Advisor
from ptcc_core.conversation import Event, SavedEstimate, Session
from ptcc_core.profile import Profile
from ptcc_core.store import SCHEMA_VERSION, Store, StoreError, db_path_from, default_db_path

AT = datetime(2026, 11, 24, 12, 30, tzinfo=UTC)


def full_session() -> Session:
    """A session with every part set: profile, a questionnaire step, a draft, estimates."""
    profile = Profile(
        years=5,
        education="bachelor",
        certifications=("cmaa", "CEHRS"),
        location="Boston, MA",
        employer="hospital",
        skills=("emr", "insurance"),
    )
    draft = Profile.model_validate({"years": 2.5, "education": "associate"})
    estimates = (
        SavedEstimate(at=AT, low=50_000, mid=58_000, high=70_000, profile=profile),
        SavedEstimate(
            at=datetime(2026, 11, 25, 8, 0, tzinfo=UTC),
            low=40_000,
            mid=45_500,
            high=52_000,
            profile=Profile(years=1, education="high_school"),
        ),
    )
    return Session(
        profile=profile,
        step="certifications",
        draft=draft,
        editing=True,
        confirming_forget=False,
        estimates=estimates,
    )


def rows(path: Path) -> dict[str, str]:
    """user_key -> data, read straight from the file with the sqlite3 module."""
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT user_key, data FROM sessions").fetchall())


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "ptcc.db"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(db_path)
    try:
        yield opened
    finally:
        await opened.close()


# Loading and saving ------------------------------------------------------------------------


async def test_a_new_user_gets_an_empty_session(store: Store, db_path: Path) -> None:
    session = await store.load("tg:1")
    assert session == Session()
    assert session.profile.is_empty() and session.step is None and session.estimates == ()
    assert db_path.is_file()  # the parent directory was created


async def test_save_then_load_round_trips_a_full_session(store: Store) -> None:
    session = full_session()
    await store.save("tg:42", session)
    loaded = await store.load("tg:42")
    assert loaded == session
    # The parts that matter, spelled out, so an equality quirk cannot hide a loss.
    assert loaded.profile.certifications == ("CEHRS", "CMAA")
    assert loaded.profile.location == "Boston, MA"
    assert loaded.step == "certifications"
    assert loaded.editing is True
    assert loaded.draft.years == 2.5 and loaded.draft.education == "associate"
    assert loaded.draft.model_fields_set == {"years", "education"}
    assert [e.mid for e in loaded.estimates] == [58_000, 45_500]
    assert loaded.estimates[0].at == AT
    assert loaded.estimates[1].profile.education == "high_school"


async def test_a_second_save_replaces_the_first(store: Store, db_path: Path) -> None:
    await store.save("tg:42", full_session())
    newer = Session(profile=Profile(years=9, location="Denver"))
    await store.save("tg:42", newer)
    assert await store.load("tg:42") == newer
    assert list(rows(db_path)) == ["tg:42"]


async def test_data_survives_closing_and_reopening(db_path: Path) -> None:
    first = await Store.open(db_path)
    await first.save("terminal:alice", full_session())
    await first.close()

    second = await Store.open(db_path)
    try:
        assert await second.load("terminal:alice") == full_session()
        assert await second.load("terminal:bob") == Session()
    finally:
        await second.close()


async def test_forget_deletes_only_that_users_row(store: Store, db_path: Path) -> None:
    other = Session(profile=Profile(years=3, location="NYC"))
    await store.save("tg:1", full_session())
    await store.save("tg:2", other)
    assert set(rows(db_path)) == {"tg:1", "tg:2"}

    await store.forget("tg:1")

    with sqlite3.connect(db_path) as db:
        (count,) = db.execute("SELECT COUNT(*) FROM sessions WHERE user_key = 'tg:1'").fetchone()
        (kept,) = db.execute("SELECT COUNT(*) FROM sessions WHERE user_key = 'tg:2'").fetchone()
    assert count == 0
    assert kept == 1
    assert await store.load("tg:1") == Session()
    assert await store.load("tg:2") == other


async def test_forgetting_an_unknown_user_is_harmless(store: Store, db_path: Path) -> None:
    await store.save("tg:2", full_session())
    await store.forget("tg:999")
    assert set(rows(db_path)) == {"tg:2"}


async def test_one_users_save_never_changes_another_users_session(store: Store) -> None:
    alice = full_session()
    await store.save("terminal:alice", alice)
    await store.save("tg:7", Session(profile=Profile(years=1)))
    await store.save("tg:7", Session(profile=Profile(years=2), step="education"))
    await store.save("tg:77", Session())
    assert await store.load("terminal:alice") == alice
    assert (await store.load("tg:7")).profile.years == 2
    assert await store.load("tg:77") == Session()


async def test_a_damaged_stored_session_is_a_store_error(store: Store, db_path: Path) -> None:
    await store.save("tg:1", full_session())
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE sessions SET data = '{\"step\": \"nonsense\"' WHERE user_key = 'tg:1'")
    with pytest.raises(StoreError, match="tg:1"):
        await store.load("tg:1")


async def test_a_questionnaire_through_the_store_asks_every_question(
    store: Store, advisor: Advisor
) -> None:
    """As on Telegram: load, handle one message, save. Which questions the draft has
    answered must survive storage, or the next answer would skip the remaining steps."""
    steps = []
    for kind, value in [
        ("command", "estimate"),
        ("text", "5 years"),
        ("text", "bachelor's"),
        ("text", "none"),
        ("text", "Boston"),
        ("text", "hospital"),
    ]:
        session = await store.load("tg:5")
        outcome = advisor.handle(session, Event(kind=kind, value=value, at=AT))  # type: ignore[arg-type]
        await store.save("tg:5", outcome.session)
        steps.append(outcome.session.step)
    assert steps == ["years", "education", "certifications", "location", "employer", "skills"]
    draft = (await store.load("tg:5")).draft
    assert (draft.years, draft.education, draft.employer) == (5, "bachelor", "hospital")
    assert draft.location is not None and "Boston" in draft.location


# The database file -------------------------------------------------------------------------


async def test_open_sets_wal_mode_and_the_schema_version(store: Store, db_path: Path) -> None:
    with sqlite3.connect(db_path) as db:
        (mode,) = db.execute("PRAGMA journal_mode").fetchone()
        (version,) = db.execute("PRAGMA user_version").fetchone()
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    assert mode.lower() == "wal"
    assert version == SCHEMA_VERSION
    assert "sessions" in tables


async def test_reopening_a_current_database_keeps_its_rows(db_path: Path) -> None:
    first = await Store.open(db_path)
    await first.save("tg:1", full_session())
    await first.close()
    second = await Store.open(db_path)  # no migration runs twice ("table already exists")
    await second.close()
    with sqlite3.connect(db_path) as db:
        (version,) = db.execute("PRAGMA user_version").fetchone()
    assert version == SCHEMA_VERSION
    assert set(rows(db_path)) == {"tg:1"}


async def test_a_database_from_a_newer_version_is_refused(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    with sqlite3.connect(db_path) as db:
        db.execute("CREATE TABLE sessions (user_key TEXT PRIMARY KEY, data TEXT, updated_at TEXT)")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer") as caught:
        await Store.open(db_path)
    assert str(SCHEMA_VERSION + 1) in str(caught.value)
    with sqlite3.connect(db_path) as db:
        (version,) = db.execute("PRAGMA user_version").fetchone()
    assert version == SCHEMA_VERSION + 1  # not silently "migrated" back


async def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not SQLite \x00\xff\xfe" * 300)
    with pytest.raises(StoreError) as caught:
        await Store.open(path)
    assert not isinstance(caught.value, sqlite3.Error)
    assert str(path) in str(caught.value)
    assert path.read_bytes().startswith(b"this is not SQLite")  # left as it was


async def test_a_path_that_is_a_directory_is_a_store_error(tmp_path: Path) -> None:
    directory = tmp_path / "a_directory"
    directory.mkdir()
    with pytest.raises(StoreError) as caught:
        await Store.open(directory)
    assert str(directory) in str(caught.value)


def test_a_failed_open_leaves_no_work_for_a_closed_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ptcc chat` runs Store.open under asyncio.run: when opening fails, nothing may be
    left running that later reports to the closed loop (a traceback printed after the
    clean "ptcc: cannot open the database" message). aiosqlite's worker thread is slowed
    down here so the outcome does not depend on thread timing."""
    real_worker = aiosqlite.core._connection_worker_thread

    class SlowQueue:
        def __init__(self, queue: object) -> None:
            self.queue, self.calls = queue, 0

        def get(self) -> object:
            item = self.queue.get()  # type: ignore[attr-defined]
            self.calls += 1
            if self.calls > 1:
                time.sleep(0.3)
            return item

    def slow_worker(tx: object) -> None:
        real_worker(SlowQueue(tx))

    thread_errors: list[BaseException | None] = []
    monkeypatch.setattr(aiosqlite.core, "_connection_worker_thread", slow_worker)
    monkeypatch.setattr(threading, "excepthook", lambda args: thread_errors.append(args.exc_value))
    before = set(threading.enumerate())
    directory = tmp_path / "a_directory"
    directory.mkdir()

    with pytest.raises(StoreError):
        asyncio.run(Store.open(directory))

    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=5)
    assert thread_errors == []


async def test_a_path_under_a_regular_file_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("x")
    with pytest.raises(StoreError):
        await Store.open(blocker / "ptcc.db")


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0,
    reason="root (and Windows) can write into a read-only directory",
)
async def test_a_path_in_a_read_only_directory_is_a_store_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(StoreError):
            await Store.open(locked / "ptcc.db")
        with pytest.raises(StoreError):
            await Store.open(locked / "sub" / "ptcc.db")
    finally:
        locked.chmod(0o700)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
async def test_a_path_in_a_directory_even_root_cannot_write_is_a_store_error() -> None:
    with pytest.raises(StoreError):
        await Store.open(Path("/proc/ptcc-test-no-such-dir/ptcc.db"))


# PTCC_DB values ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, ""])
def test_an_empty_ptcc_db_means_the_default_path(value: str | None) -> None:
    assert db_path_from(value) == default_db_path()


def test_the_default_path_follows_xdg_data_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_db_path() == tmp_path / "xdg" / "ptcc" / "ptcc.db"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_db_path() == tmp_path / "home" / ".local" / "share" / "ptcc" / "ptcc.db"


def test_a_sqlite_url_gives_its_path() -> None:
    assert db_path_from("sqlite:///x/y.db") == Path("x/y.db")
    assert db_path_from("sqlite:////var/lib/ptcc.db") == Path("/var/lib/ptcc.db")


def test_a_plain_path_is_used_as_it_is(tmp_path: Path) -> None:
    assert db_path_from(str(tmp_path / "p.db")) == tmp_path / "p.db"
    assert db_path_from("relative/p.db") == Path("relative/p.db")


@pytest.mark.parametrize(
    "value", ["postgresql://user:pw@localhost/ptcc", "mysql://db/ptcc", "sqlite://x.db"]
)
def test_a_url_of_another_database_is_a_store_error(value: str) -> None:
    with pytest.raises(StoreError, match="sqlite:///"):
        db_path_from(value)
