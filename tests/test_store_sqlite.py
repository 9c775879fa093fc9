"""The SQLite back-end's file: WAL mode, every commit synced to the disk, the schema version
in PRAGMA user_version, the errors a broken or foreign database file gives, and the PTCC_DB
values that name a file."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite.core
import pytest

from ptcc_core.schema import SCHEMA_VERSION
from ptcc_core.sqlite_store import SQLiteStore
from ptcc_core.store import StoreError, db_path_from, default_db_path
from tests.bot_process import bot_env
from tests.fake_bot_api import FakeBotAPI
from tests.sample_sessions import full_session


def rows(path: Path) -> dict[str, str]:
    """user_key -> data, read straight from the file with the sqlite3 module."""
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT user_key, data FROM sessions").fetchall())


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "ptcc.db"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[SQLiteStore]:
    opened = await SQLiteStore.open(db_path)
    try:
        yield opened
    finally:
        await opened.close()


# The database file -------------------------------------------------------------------------


async def test_open_sets_wal_mode_and_the_schema_version(store: SQLiteStore, db_path: Path) -> None:
    with sqlite3.connect(db_path) as db:
        (mode,) = db.execute("PRAGMA journal_mode").fetchone()
        (version,) = db.execute("PRAGMA user_version").fetchone()
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    assert mode.lower() == "wal"
    assert version == SCHEMA_VERSION
    assert "sessions" in tables


async def test_reopening_a_current_database_keeps_its_rows(db_path: Path) -> None:
    first = await SQLiteStore.open(db_path)
    await first.save("tg:1", full_session())
    await first.close()
    second = await SQLiteStore.open(db_path)  # no migration runs twice ("table already exists")
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
        await SQLiteStore.open(db_path)
    assert str(SCHEMA_VERSION + 1) in str(caught.value)
    with sqlite3.connect(db_path) as db:
        (version,) = db.execute("PRAGMA user_version").fetchone()
    assert version == SCHEMA_VERSION + 1  # not silently "migrated" back


async def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not SQLite \x00\xff\xfe" * 300)
    with pytest.raises(StoreError) as caught:
        await SQLiteStore.open(path)
    assert not isinstance(caught.value, sqlite3.Error)
    assert str(path) in str(caught.value)
    assert path.read_bytes().startswith(b"this is not SQLite")  # left as it was


async def test_a_path_that_is_a_directory_is_a_store_error(tmp_path: Path) -> None:
    directory = tmp_path / "a_directory"
    directory.mkdir()
    with pytest.raises(StoreError) as caught:
        await SQLiteStore.open(directory)
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
        asyncio.run(SQLiteStore.open(directory))

    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=5)
    assert thread_errors == []


async def test_a_path_under_a_regular_file_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("x")
    with pytest.raises(StoreError):
        await SQLiteStore.open(blocker / "ptcc.db")


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
            await SQLiteStore.open(locked / "ptcc.db")
        with pytest.raises(StoreError):
            await SQLiteStore.open(locked / "sub" / "ptcc.db")
    finally:
        locked.chmod(0o700)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
async def test_a_path_in_a_directory_even_root_cannot_write_is_a_store_error() -> None:
    with pytest.raises(StoreError):
        await SQLiteStore.open(Path("/proc/ptcc-test-no-such-dir/ptcc.db"))


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


async def test_a_new_database_is_private_to_its_owner(db_path: Path) -> None:
    opened = await SQLiteStore.open(db_path)
    try:
        await opened.save("tg:1", full_session())
        assert db_path.parent.stat().st_mode & 0o777 == 0o700
        for name in (db_path.name, db_path.name + "-wal", db_path.name + "-shm"):
            assert (db_path.parent / name).stat().st_mode & 0o777 == 0o600, name
        assert await opened.rows("PRAGMA synchronous") == [(2,)]  # FULL
        assert await opened.rows("PRAGMA secure_delete") == [(1,)]
    finally:
        await opened.close()


def take_away(db: Path, how: str) -> None:
    """Remove the database file, or replace it with another (as restoring a backup would)."""
    if how == "removed":
        db.unlink()
    else:
        other = db.with_name("restored.db")
        sqlite3.connect(other).close()
        os.replace(other, db)


@pytest.mark.parametrize("how", ["removed", "replaced"])
async def test_a_database_file_removed_or_replaced_while_open_is_noticed(
    db_path: Path, how: str
) -> None:
    opened = await SQLiteStore.open(db_path)
    try:
        await opened.health_check()
        take_away(db_path, how)
        reasons: list[str] = []
        opened.on_unusable(reasons.append)
        with pytest.raises(StoreError, match="removed or replaced"):
            await opened.save("tg:1", full_session())
        assert "removed or replaced" in reasons[0]  # the bot is told to stop
        with pytest.raises(StoreError, match="removed or replaced"):
            await opened.health_check()
    finally:
        await opened.close()


_SAVES = """
import asyncio, sys
from pathlib import Path
from ptcc_core.conversation import Session
from ptcc_core.sqlite_store import SQLiteStore

async def main() -> None:
    store = await SQLiteStore.open(Path(sys.argv[1]))
    for n in range(int(sys.argv[2])):
        await store.save(f"tg:{n}", Session())
    await store.close()

asyncio.run(main())
"""


def test_every_committed_save_reaches_the_disk(db_path: Path, tmp_path: Path) -> None:
    """What survives a power cut is what was synced: with synchronous=NORMAL a WAL commit is
    not, and a simulated power cut kept none of 50 committed rows. Each save must sync."""
    strace = shutil.which("strace")
    if strace is None:
        pytest.skip("strace is not installed")
    saves, trace = 20, tmp_path / "syncs.txt"
    traced = subprocess.run(
        [strace, "-f", "-e", "trace=fsync,fdatasync", "-o", str(trace), sys.executable,
         "-c", _SAVES, str(db_path), str(saves)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if traced.returncode != 0 and "ptrace" in traced.stderr:
        pytest.skip("this machine does not allow ptrace")
    assert traced.returncode == 0, traced.stderr
    syncs = [line for line in trace.read_text().splitlines() if "sync(" in line]
    assert len(syncs) >= saves


@pytest.mark.parametrize("how", ["removed", "replaced"])
async def test_the_bot_stops_with_one_sentence_when_its_file_goes(
    api: FakeBotAPI, tmp_path: Path, how: str
) -> None:
    db = tmp_path / "bot.db"
    log_path = tmp_path / "bot.log"
    with log_path.open("w") as log_file:
        bot = subprocess.Popen(
            [sys.executable, "-m", "bot.main"], env=bot_env(api, db), stdin=subprocess.DEVNULL,
            stdout=log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            await api.send_text(61, "what is a CMAA?")
            await api.wait_for(61, 1, timeout=60)
            for _ in range(100):  # and saved: the file goes between two turns
                if rows(db):
                    break
                await asyncio.sleep(0.1)
            take_away(db, how)
            # Noticed at the next write (the workers look for work every second), not
            # only when a user writes.
            code = await asyncio.to_thread(bot.wait, 30)
        finally:
            bot.kill()
            bot.wait(10)
    written = log_path.read_text()
    assert code == 1
    assert "stopped: the database file" in written and "Restart the bot" in written
    assert "Traceback" not in written
