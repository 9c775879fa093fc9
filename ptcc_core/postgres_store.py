"""The PostgreSQL back-end (asyncpg, a connection pool): one database that several bot
replicas share.

The schema version lives in a one-row `schema_version` table; replicas starting together
migrate under an advisory lock, so exactly one of them runs each migration. New inbox updates
are announced with NOTIFY, so idle replicas wake at once instead of polling the table.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable
from functools import cache
from typing import Any, ClassVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from ptcc_core.schema import SCHEMA_VERSION, Dialect, migration
from ptcc_core.store import Row, Statement, Store, StoreError, check_version, redact

log = logging.getLogger("ptcc.store")

_CHANNEL = "ptcc_inbox"
# Arbitrary fixed keys for pg_advisory_lock: one for migrating, one for the polling slot.
_MIGRATION_LOCK = 74_021_001
_POLLING_LOCK = 74_021_002
_POOL_SIZE = 10
# Seconds between tries to take the polling slot again while the database is away.
_RETAKE_EVERY = 0.5
_LOST = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)


@cache
def _numbered(sql: str) -> str:
    """The shared SQL's ? placeholders as PostgreSQL's $1, $2, ..."""
    count = iter(range(1, 1000))
    return re.sub(r"\?", lambda _: f"${next(count)}", sql)


class PostgresStore(Store):
    dialect: ClassVar[Dialect] = "postgresql"
    estimates_sql: ClassVar[str] = "json_array_length(data::json -> 'estimates')"
    clock_sql: ClassVar[str] = "extract(epoch FROM clock_timestamp())::double precision"
    lock_clause: ClassVar[str] = " FOR UPDATE SKIP LOCKED"
    # Delivered to the listeners when the enqueue commits.
    announce: ClassVar[tuple[Statement, ...]] = (("SELECT pg_notify(?, '')", (_CHANNEL,)),)

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        super().__init__()
        self._pool = pool
        self.name = redact(url)
        # Connections kept out of the pool: the polling lock's, and the NOTIFY listener's.
        self._held: list[PoolConnectionProxy] = []
        self._listeners: list[tuple[PoolConnectionProxy, Callable[..., None]]] = []
        self._relisten: asyncio.Future[None] | None = None
        self._retaking: asyncio.Future[None] | None = None

    @classmethod
    async def open(cls, url: str) -> PostgresStore:
        try:
            pool = await asyncpg.create_pool(
                url, min_size=1, max_size=_POOL_SIZE, command_timeout=60
            )
        except (*_LOST, ValueError) as exc:
            raise StoreError(
                f"cannot connect to PostgreSQL at {redact(url)} ({exc}). Check PTCC_DB (user, "
                "password, host, port, database) and that the server is running."
            ) from exc
        store = cls(pool, url)
        try:
            await store._prepare()
        except BaseException:
            await pool.close()
            raise
        return store

    async def _prepare(self) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
            await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER)")
            version = await conn.fetchval("SELECT max(version) FROM schema_version") or 0
            check_version(self.name, version)
            for target in range(version + 1, SCHEMA_VERSION + 1):
                await conn.execute(migration(target, "postgresql"))
            if version < SCHEMA_VERSION:
                await conn.execute("DELETE FROM schema_version")
                await conn.execute("INSERT INTO schema_version VALUES ($1)", SCHEMA_VERSION)

    async def rows(self, sql: str, *args: Any) -> list[Row]:
        return [tuple(row) for row in await self._pool.fetch(_numbered(sql), *args)]

    async def write(self, *statements: Statement) -> list[list[Row]]:
        async with self._pool.acquire() as conn, conn.transaction():
            return [
                [tuple(row) for row in await conn.fetch(_numbered(sql), *args)]
                for sql, args in statements
            ]

    async def on_enqueue(self, wake: Callable[[], None]) -> None:
        conn = await self._pool.acquire()
        self._held.append(conn)

        def on_notify(*_: object) -> None:
            wake()

        def on_lost(_: object) -> None:
            # The server dropped the connection: listen again once it takes connections.
            self._relisten = asyncio.ensure_future(self._listen_again(wake))

        await conn.add_listener(_CHANNEL, on_notify)
        conn.add_termination_listener(on_lost)
        self._listeners.append((conn, on_notify))

    async def _listen_again(self, wake: Callable[[], None]) -> None:
        # Any error, not just a lost connection: a listener that dies leaves the workers
        # waking only on their timer, so keep trying while the store is open.
        while not self._pool.is_closing():
            try:
                await self.on_enqueue(wake)
                return
            except Exception as exc:
                log.warning("could not listen for new updates again (%s); retrying", exc)
                await asyncio.sleep(1)

    async def hold_polling_lock(self) -> bool:
        # A session-level advisory lock lives as long as this connection: a replica that dies,
        # even by kill -9, frees the slot when the server notices the connection is gone.
        conn = await self._pool.acquire()
        if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", _POLLING_LOCK):
            await self._pool.release(conn)
            return False
        self._held.append(conn)

        def on_lost(_: object) -> None:
            # A restart of the database drops the connection and the lock with it: take it
            # again at once, before a second poller can start.
            self._retaking = asyncio.ensure_future(self._take_slot_again())

        conn.add_termination_listener(on_lost)
        return True

    async def _take_slot_again(self) -> None:
        while not self._pool.is_closing():
            try:
                if await self.hold_polling_lock():
                    log.warning("took the polling slot again after the database dropped it")
                else:
                    self._report_unusable(
                        "another process took the polling slot while the database was away; "
                        "only one bot may poll a database (use webhook mode for several)"
                    )
                return
            except Exception as exc:
                log.warning("could not take the polling slot again (%s); retrying", exc)
                await asyncio.sleep(_RETAKE_EVERY)

    async def close(self) -> None:
        # A connection the server dropped is gone already: nothing to undo on it.
        for conn, on_notify in self._listeners:
            with contextlib.suppress(*_LOST):
                await conn.remove_listener(_CHANNEL, on_notify)
        for conn in self._held:
            with contextlib.suppress(*_LOST):
                await self._pool.release(conn)
        self._listeners.clear()
        self._held.clear()
        await self._pool.close()
