"""Per-user state and the webhook inbox, behind one interface with two back-ends: SQLite
(a file, the default, for one process) and PostgreSQL (for several replicas). PTCC_DB picks
one; the core and the bot never know which they talk to.

A store keeps, per user, the session (profile, questionnaire position, answers so far,
pending confirmations, estimate history); the questions asked, for the operator's view; and
the inbox of webhook updates that replicas lease, handle in order per user, and mark done.
The SQL is shared: each back-end supplies only how to run a query and a transaction.
"""

from __future__ import annotations

import logging
import os
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ValidationError

from ptcc_core.conversation import Session
from ptcc_core.privacy import Retention, scrub
from ptcc_core.schema import SCHEMA_VERSION, Dialect

MAX_KEPT_QUESTION = 500
log = logging.getLogger("ptcc.store")
Row = tuple[Any, ...]
Statement = tuple[str, Sequence[Any]]


class StoreError(Exception):
    """The database cannot be used; the message says why and what to do."""


class Stats(BaseModel):
    """What the operator sees: counts, and the most asked questions nobody could answer."""

    users: int
    estimates: int
    answered: int
    unanswered: int
    top_unanswered: list[tuple[str, int]]
    # Webhook inbox, over the updates still kept (done ones are pruned after a few days).
    updates: int = 0
    taken_over: int = 0
    # Updates whose replies may have gone out twice: taken over after replies had started.
    repeated: int = 0
    # Sessions that could not be read, set aside for the operator (the users started afresh).
    damaged: int = 0
    # Updates given up because processes kept dying on them, kept for the operator.
    given_up: int = 0


class Claimed(BaseModel):
    """An inbox update leased to one replica."""

    update_id: int
    user_key: str
    payload: str
    # Leases so far, this one included: above 1, a process died (or stopped) holding it.
    attempts: int
    # Processes that died while handling it alone.
    failures: int = 0


class GivenUp(BaseModel):
    """An update given up because processes kept dying on it, as kept for the operator."""

    update_id: int
    user_key: str
    payload: str
    received_at: float
    given_up_at: float


class SessionRow(BaseModel):
    user_key: str
    data: str
    updated_at: str


class QuestionRow(BaseModel):
    answered: int
    text: str | None
    asked_at: str
    user_key: str | None = None


class Dump(BaseModel):
    """Everything worth moving to another database (the inbox is transient and stays)."""

    sessions: list[SessionRow]
    questions: list[QuestionRow]


def default_db_path() -> Path:
    """Where the database lives unless PTCC_DB says otherwise (XDG data directory)."""
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "ptcc" / "ptcc.db"


def db_path_from(value: str | None) -> Path:
    """A PTCC_DB value that names SQLite (a path or sqlite:///PATH) as a path; the default
    when empty."""
    if not value:
        return default_db_path()
    if value.startswith("sqlite:///"):
        return Path(value.removeprefix("sqlite:///"))
    if "://" in value:
        raise StoreError(
            f"PTCC_DB={redact(value)!r}: use a file path, sqlite:///PATH or "
            "postgresql://USER:PASSWORD@HOST:PORT/DATABASE"
        )
    return Path(value).expanduser()


def is_postgresql(value: str | None) -> bool:
    return bool(value) and str(value).startswith(("postgresql://", "postgres://"))


def redact(url: str) -> str:
    """A database URL fit for logs and messages: the password replaced."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        # A URL this malformed may hide a password anywhere: show none of it.
        return url.split("://", 1)[0] + "://<a URL that cannot be read>"
    if password is None:
        return url
    netloc = parts.netloc.replace(f":{password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def check_version(name: str, version: int) -> None:
    """Refuse a database whose schema a newer PTCC Advisor wrote: never migrate it back."""
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the database {name} was written by a newer PTCC Advisor (schema {version}, this "
            f"one knows {SCHEMA_VERSION}). Upgrade PTCC Advisor, or point PTCC_DB at another "
            "database."
        )


async def open_store(value: str | None) -> Store:
    """The store PTCC_DB names: a path or sqlite:///PATH (default) or postgresql://..."""
    if is_postgresql(value):
        from ptcc_core.postgres_store import PostgresStore

        return await PostgresStore.open(str(value))
    from ptcc_core.sqlite_store import SQLiteStore

    return await SQLiteStore.open(db_path_from(value))


async def check_store(value: str | None) -> str:
    """Open the database and write to it; returns its name for messages, raises StoreError
    with what to fix if it cannot be used (a database it can read but not write included)."""
    store = await open_store(value)
    try:
        await store.health_check()
    finally:
        await store.close()
    return store.name


class Store(ABC):
    """Loads and saves sessions by user key ("tg:12345", "terminal:alice"), and keeps the
    webhook inbox. SQL is written once, with ? placeholders, for both dialects."""

    dialect: ClassVar[Dialect]
    # How many estimates a session's JSON holds, in this dialect.
    estimates_sql: ClassVar[str]
    # The database's time now, in Unix seconds, as SQL.
    clock_sql: ClassVar[str]
    # Added to the claim's inner SELECT where the dialect can skip rows others are leasing.
    lock_clause: ClassVar[str] = ""
    # Run in the enqueue's transaction to wake other processes, where the dialect can.
    announce: ClassVar[tuple[Statement, ...]] = ()
    name: str

    def __init__(self) -> None:
        self._unusable: list[Callable[[str], None]] = []

    def on_unusable(self, stop: Callable[[str], None]) -> None:
        """Call `stop(reason)` once this process can no longer use the database it opened
        (its SQLite file removed or replaced, its polling slot taken by another process
        while the database was away): the process must stop, and the reason says why."""
        self._unusable.append(stop)

    def _report_unusable(self, reason: str) -> None:
        stops, self._unusable = self._unusable, []
        for stop in stops:
            stop(reason)

    @abstractmethod
    async def rows(self, sql: str, *args: Any) -> list[Row]:
        """Run one read and return its rows."""

    @abstractmethod
    async def write(self, *statements: Statement) -> list[list[Row]]:
        """Run statements in one transaction; the rows each returned."""

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def hold_polling_lock(self) -> bool:
        """Take the one polling slot of this database for as long as the store is open;
        False if another process holds it (Telegram allows one getUpdates consumer). If the
        slot is lost to another process, the store becomes unusable (`on_unusable`)."""

    @abstractmethod
    async def on_enqueue(self, wake: Callable[[], None]) -> None:
        """Call `wake` whenever any process stores a new update in the inbox."""

    async def health_check(self) -> None:
        """Prove the database takes a write now; raises StoreError saying what is wrong."""
        try:
            await self.write(
                (
                    "INSERT INTO heartbeat (id, beat_at) VALUES (1, ?) "
                    "ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at",
                    (time.time(),),
                )
            )
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(
                f"the database {self.name} does not take writes ({type(exc).__name__}: {exc}). "
                "Check its disk and permissions."
            ) from exc

    # Sessions ----------------------------------------------------------------------------

    async def load(self, user_key: str) -> Session:
        """The user's session, or a fresh one for a new user. A session that cannot be read
        is moved aside for the operator, and the user starts afresh (told so once), rather
        than being locked out."""
        found = await self.rows("SELECT data FROM sessions WHERE user_key = ?", user_key)
        if not found:
            return Session()
        try:
            return Session.model_validate_json(found[0][0])
        except ValidationError as exc:
            # The data itself stays out of the log: it is the user's.
            log.warning(
                "set aside the unreadable session of %s (%s problems)", user_key, exc.error_count()
            )
        await self.write(
            (
                "INSERT INTO damaged_sessions (user_key, data, found_at) VALUES (?, ?, ?)",
                (user_key, str(found[0][0]), datetime.now(UTC).isoformat()),
            ),
            ("DELETE FROM sessions WHERE user_key = ?", (user_key,)),
        )
        return Session(set_aside=True)

    async def save(
        self,
        user_key: str,
        session: Session,
        question: tuple[bool, str] | None = None,
        done: int | None = None,
    ) -> None:
        """Save the session, count the question (answered, text) if given, and mark the inbox
        update `done` if given: all in one transaction."""
        statements: list[Statement] = []
        if question is not None:
            statements.append(self._question(user_key, *question))
        statements.append(
            (
                "INSERT INTO sessions (user_key, data, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (user_key) DO UPDATE SET data = excluded.data, "
                "updated_at = excluded.updated_at",
                (user_key, session.model_dump_json(), datetime.now(UTC).isoformat()),
            )
        )
        if done is not None:
            statements.append(self._finish(done))
        await self.write(*statements)

    async def forget(self, user_key: str, done: int | None = None) -> None:
        """Delete every row about the user: the session, any set-aside copy, the questions
        they asked and their updates given up. Handled inbox updates keep no user (see
        `_finish`); the one being handled now, `done`, becomes one of them, and later ones
        still wait to be answered."""
        statements: list[Statement] = [
            ("DELETE FROM sessions WHERE user_key = ?", (user_key,)),
            ("DELETE FROM damaged_sessions WHERE user_key = ?", (user_key,)),
            ("DELETE FROM questions WHERE user_key = ?", (user_key,)),
            ("DELETE FROM inbox WHERE user_key = ? AND given_up_at IS NOT NULL", (user_key,)),
        ]
        if done is not None:
            statements.append(self._finish(done))
        await self.write(*statements)

    async def expire(self, retention: Retention) -> None:
        """Delete questions and given-up updates older than the retention, and sessions
        unused for longer."""
        now = datetime.now(UTC)
        questions = now - timedelta(days=retention.question_days)
        sessions = (now - timedelta(days=retention.session_days)).isoformat()
        await self.write(
            ("DELETE FROM questions WHERE asked_at < ?", (questions.isoformat(),)),
            ("DELETE FROM inbox WHERE given_up_at < ?", (questions.timestamp(),)),
            ("DELETE FROM sessions WHERE updated_at < ?", (sessions,)),
            ("DELETE FROM damaged_sessions WHERE found_at < ?", (sessions,)),
        )

    @staticmethod
    def _question(user_key: str, answered: bool, text: str) -> Statement:
        """Count a question; keep its text, scrubbed of emails, phone numbers and names, only
        when it went unanswered. The user key is for /forget; the operator never sees it."""
        kept = None if answered else scrub(" ".join(text.split()))[:MAX_KEPT_QUESTION]
        return (
            "INSERT INTO questions (answered, text, asked_at, user_key) VALUES (?, ?, ?, ?)",
            (int(answered), kept, datetime.now(UTC).isoformat(), user_key),
        )

    async def stats(self, top: int = 10) -> Stats:
        [(users, estimates)] = await self.rows(
            f"SELECT count(*), coalesce(sum({self.estimates_sql}), 0) FROM sessions"
        )
        [(answered, unanswered)] = await self.rows(
            "SELECT coalesce(sum(answered), 0), coalesce(sum(1 - answered), 0) FROM questions"
        )
        asked = await self.rows(
            "SELECT lower(text) AS asked, count(*) AS times FROM questions WHERE answered = 0 "
            "GROUP BY asked ORDER BY times DESC, asked LIMIT ?",
            top,
        )
        [(damaged,)] = await self.rows("SELECT count(*) FROM damaged_sessions")
        [(updates, taken_over, repeated, given_up)] = await self.rows(
            "SELECT count(*), coalesce(sum(CASE WHEN attempts > 1 THEN 1 ELSE 0 END), 0), "
            "coalesce(sum(repeats), 0), count(given_up_at) FROM inbox"
        )
        return Stats(
            users=users,
            estimates=estimates,
            answered=answered,
            unanswered=unanswered,
            top_unanswered=[(str(text), int(times)) for text, times in asked],
            updates=updates,
            taken_over=taken_over,
            repeated=repeated,
            damaged=damaged,
            given_up=given_up,
        )

    # The inbox ---------------------------------------------------------------------------

    async def backlog(self) -> tuple[int, float | None]:
        """How many updates wait to be handled, and when the oldest arrived (Unix time)."""
        [(waiting, oldest)] = await self.rows(
            "SELECT count(*), min(received_at) FROM inbox WHERE done_at IS NULL"
        )
        return int(waiting), float(oldest) if oldest is not None else None

    async def enqueue(self, update_id: int, user_key: str, payload: str) -> bool:
        """Store an update; False if it was stored before (Telegram sent it again)."""
        return await self.enqueue_all([(update_id, user_key, payload)]) == 1

    async def enqueue_all(self, updates: Sequence[tuple[int, str, str]]) -> int:
        """Store (update_id, user_key, payload) updates in one transaction, so a getUpdates
        batch costs one commit; returns how many were new."""
        now = time.time()
        inserted = await self.write(
            *(
                (
                    "INSERT INTO inbox (update_id, user_key, payload, received_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (update_id) DO NOTHING RETURNING update_id",
                    (update_id, user_key, payload, now),
                )
                for update_id, user_key, payload in updates
            ),
            *self.announce,
        )
        return sum(len(rows) for rows in inserted[: len(updates)])

    async def claim(self, owner: str, lease: float, limit: int) -> list[Claimed]:
        """Lease up to `limit` updates to `owner` for `lease` seconds: for each user only the
        oldest unfinished update, and only if nobody holds a live lease on it."""
        # Lease times come from the database's clock, not each replica's: a replica whose
        # clock runs ahead would otherwise take updates whose leases are still live.
        [rows] = await self.write(
            (
                f"UPDATE inbox SET lease_owner = ?, lease_until = {self.clock_sql} + ?, "
                "attempts = attempts + 1 "
                "WHERE update_id IN ("
                "  SELECT update_id FROM inbox AS i"
                "  WHERE i.done_at IS NULL"
                f"  AND (i.lease_until IS NULL OR i.lease_until < {self.clock_sql})"
                "  AND NOT EXISTS (SELECT 1 FROM inbox AS e WHERE e.user_key = i.user_key"
                "    AND e.done_at IS NULL AND e.update_id < i.update_id)"
                f"  ORDER BY i.update_id LIMIT ?{self.lock_clause}) "
                f"AND done_at IS NULL AND (lease_until IS NULL OR lease_until < {self.clock_sql}) "
                "RETURNING update_id, user_key, payload, attempts, failures",
                (owner, float(lease), limit),
            )
        )
        claimed = [
            Claimed(update_id=u, user_key=k, payload=p, attempts=a, failures=f)
            for u, k, p, a, f in rows
        ]
        return sorted(claimed, key=lambda c: c.update_id)

    async def blame(self, update_id: int) -> None:
        """Count, before handling starts, one more process that may die on this update
        alone: if it does, the count stays."""
        await self.write(
            ("UPDATE inbox SET failures = failures + 1 WHERE update_id = ?", (update_id,))
        )

    async def give_up(self, update_id: int) -> None:
        """Mark an update done without handling it, so its user's later ones go on; it stays,
        with its message and user, for the operator (until /forget or the retention)."""
        now = time.time()
        await self.write(
            (
                "UPDATE inbox SET done_at = ?, given_up_at = ? "
                "WHERE update_id = ? AND done_at IS NULL",
                (now, now, update_id),
            )
        )

    async def given_up(self) -> list[GivenUp]:
        """The updates given up, oldest first."""
        rows = await self.rows(
            "SELECT update_id, user_key, payload, received_at, given_up_at FROM inbox "
            "WHERE given_up_at IS NOT NULL ORDER BY update_id"
        )
        return [
            GivenUp(update_id=u, user_key=k, payload=p, received_at=r, given_up_at=g)
            for u, k, p, r, g in rows
        ]

    async def renew(self, owner: str, lease: float, update_ids: Sequence[int]) -> None:
        """Extend `owner`'s leases on the unfinished updates it is still working on."""
        await self.write(
            *[
                (
                    f"UPDATE inbox SET lease_until = {self.clock_sql} + ? "
                    "WHERE update_id = ? AND lease_owner = ? AND done_at IS NULL",
                    (float(lease), update_id, owner),
                )
                for update_id in update_ids
            ]
        )

    async def release(self, owner: str) -> None:
        """Give up `owner`'s leases on unfinished updates, so others take them at once."""
        await self.write(
            (
                "UPDATE inbox SET lease_until = NULL WHERE lease_owner = ? AND done_at IS NULL",
                (owner,),
            )
        )

    async def release_every_lease(self) -> None:
        """Give up every lease on unfinished updates: for the one process that holds the
        polling slot, whose leases left in the inbox can only be those of a process that died."""
        await self.write(("UPDATE inbox SET lease_until = NULL WHERE done_at IS NULL", ()))

    async def sending(self, update_id: int) -> None:
        """Replies to the update start going out now; if an earlier attempt got this far and
        never finished, they may repeat: count it."""
        await self.write(
            (
                "UPDATE inbox SET repeats = repeats + sending, sending = 1 WHERE update_id = ?",
                (update_id,),
            )
        )

    async def finish(self, update_id: int) -> None:
        """Mark an update done (a no-op if it already is)."""
        await self.write(self._finish(update_id))

    @staticmethod
    def _finish(update_id: int) -> Statement:
        # The message and whose it was go once handled: the inbox keeps the update's id, for
        # de-duplication only.
        return (
            "UPDATE inbox SET done_at = ?, payload = '', user_key = '' "
            "WHERE update_id = ? AND done_at IS NULL",
            (time.time(), update_id),
        )

    async def prune(self, older_than: float) -> None:
        """Forget done updates finished more than `older_than` seconds ago (keeping those
        whose replies may have repeated, and those given up, for the operator)."""
        await self.write(
            (
                "DELETE FROM inbox WHERE done_at < ? AND repeats = 0 AND given_up_at IS NULL",
                (time.time() - older_than,),
            )
        )

    # Moving to another database ----------------------------------------------------------

    async def dump(self) -> Dump:
        sessions = await self.rows(
            "SELECT user_key, data, updated_at FROM sessions ORDER BY user_key"
        )
        questions = await self.rows(
            "SELECT answered, text, asked_at, user_key FROM questions ORDER BY id"
        )
        return Dump(
            sessions=[SessionRow(user_key=k, data=d, updated_at=u) for k, d, u in sessions],
            questions=[
                QuestionRow(answered=a, text=t, asked_at=at, user_key=k)
                for a, t, at, k in questions
            ],
        )

    async def restore(self, dump: Dump) -> None:
        """Copy a dump in, in one transaction; refuses a database that already has users."""
        [(users,)] = await self.rows("SELECT count(*) FROM sessions")
        if users:
            raise StoreError(
                f"{self.name} already holds {users} users' sessions: move into an empty "
                "database, so nobody's data is mixed or overwritten."
            )
        await self.write(
            *[
                (
                    "INSERT INTO sessions (user_key, data, updated_at) VALUES (?, ?, ?)",
                    (row.user_key, row.data, row.updated_at),
                )
                for row in dump.sessions
            ],
            *[
                (
                    "INSERT INTO questions (answered, text, asked_at, user_key) "
                    "VALUES (?, ?, ?, ?)",
                    (row.answered, row.text, row.asked_at, row.user_key),
                )
                for row in dump.questions
            ],
        )
