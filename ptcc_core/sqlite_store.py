"""The SQLite back-end (aiosqlite): one file, one process, the default.

The schema version lives in `PRAGMA user_version` and is migrated forward on open. A file
that cannot be opened, or that a newer version of PTCC Advisor wrote, stops start-up with a
message that says what to do, never a silent reset.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import aiosqlite

from ptcc_core.schema import SCHEMA_VERSION, Dialect, migration
from ptcc_core.store import Row, Statement, Store, StoreError, check_version


def _probe(path: Path) -> None:
    sqlite3.connect(path).close()


def _create_private(path: Path) -> None:
    """A new database (and so its -wal and -shm files, which SQLite makes with the same
    mode) readable by its owner only, in a folder only its owner can enter."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


class SQLiteStore(Store):
    dialect: ClassVar[Dialect] = "sqlite"
    estimates_sql: ClassVar[str] = "json_array_length(data, '$.estimates')"
    clock_sql: ClassVar[str] = "((julianday('now') - 2440587.5) * 86400.0)"

    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        super().__init__()
        self._db = db
        self.path = path
        self.name = str(path)
        # One connection: a transaction must not interleave with another task's statements.
        self._writing = asyncio.Lock()
        self._wake: list[Callable[[], None]] = []
        self._polling_lock: int | None = None
        self._identity = _identity(path)

    @classmethod
    async def open(cls, path: Path) -> SQLiteStore:
        try:
            _create_private(path)
            # Probe synchronously first: aiosqlite's worker thread outlives a failed connect.
            await asyncio.to_thread(_probe, path)
            db = await aiosqlite.connect(path)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the database {path}: {exc}") from exc
        store = cls(db, path)
        try:
            await store._prepare()
        except sqlite3.DatabaseError as exc:
            await db.close()
            raise StoreError(
                f"the database {path} cannot be used ({exc}). Check the file's permissions, "
                "or point PTCC_DB at another file."
            ) from exc
        except StoreError:
            await db.close()
            raise
        return store

    async def _prepare(self) -> None:
        await self._db.execute("PRAGMA busy_timeout = 5000")
        await self._db.execute("PRAGMA journal_mode = WAL")
        # FULL: a commit (and so a webhook's 200) is on disk before it returns, power cut
        # included; NORMAL kept none of 50 acknowledged rows through one. The cost is in
        # bench/bench_sqlite_sync.py and the README.
        await self._db.execute("PRAGMA synchronous = FULL")
        # Deleted rows are overwritten, so /forget leaves no copy in the file's free pages.
        await self._db.execute("PRAGMA secure_delete = ON")
        [(version,)] = await self.rows("PRAGMA user_version")
        check_version(self.name, version)
        for target in range(version + 1, SCHEMA_VERSION + 1):
            await self._db.executescript(
                f"BEGIN; {migration(target, 'sqlite')} PRAGMA user_version = {target}; COMMIT;"
            )

    async def rows(self, sql: str, *args: Any) -> list[Row]:
        async with self._db.execute(sql, args) as cursor:
            return [tuple(row) for row in await cursor.fetchall()]

    async def write(self, *statements: Statement) -> list[list[Row]]:
        if _identity(self.path) != self._identity:
            # Writing on would go to a file nobody will read again.
            reason = (
                f"the database file {self.path} was removed or replaced while the bot ran. "
                "Restart the bot (restore the file from a backup first if it was deleted)."
            )
            self._report_unusable(reason)
            raise StoreError(reason)
        async with self._writing:
            try:
                results = []
                for sql, args in statements:
                    async with self._db.execute(sql, args) as cursor:
                        results.append([tuple(row) for row in await cursor.fetchall()])
                await self._db.commit()
            except BaseException:
                await self._db.rollback()
                raise
        return results

    async def forget(self, user_key: str, done: int | None = None) -> None:
        await super().forget(user_key, done)
        # The write-ahead log still holds the deleted pages until a checkpoint: fold it into
        # the file (where secure_delete has zeroed them) and empty it.
        await self.rows("PRAGMA wal_checkpoint(TRUNCATE)")

    async def enqueue_all(self, updates: Sequence[tuple[int, str, str]]) -> int:
        inserted = await super().enqueue_all(updates)
        for wake in self._wake:
            wake()
        return inserted

    async def on_enqueue(self, wake: Callable[[], None]) -> None:
        # One process per SQLite file: every enqueue happens here.
        self._wake.append(wake)

    async def hold_polling_lock(self) -> bool:
        # A lock file beside the database: POSIX locks on the database file itself would be
        # dropped by SQLite closing its own descriptors. It lasts as long as this process.
        lock_path = self.path.with_name(self.path.name + ".polling-lock")
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return False
        self._polling_lock = descriptor
        return True

    async def close(self) -> None:
        await self._db.close()
        if self._polling_lock is not None:
            os.close(self._polling_lock)
            self._polling_lock = None
