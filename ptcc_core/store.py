"""Per-user state in SQLite through aiosqlite: the session (profile, questionnaire position,
answers so far, estimate history), one row per user, written in one transaction per change.

The schema is versioned with `PRAGMA user_version` and migrated forward on open. A file that
cannot be opened, or that a newer version of PTCC Advisor wrote, stops start-up with a
message that says what to do, never a silent reset.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
from pydantic import BaseModel, ValidationError

from ptcc_core.conversation import Session

SCHEMA_VERSION = 2
_MIGRATIONS: dict[int, str] = {
    1: """
        CREATE TABLE sessions (
            user_key   TEXT PRIMARY KEY,
            data       TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
    """,
    # Questions users asked, for the operator: no user key; text kept only when unanswered.
    2: """
        CREATE TABLE questions (
            id       INTEGER PRIMARY KEY,
            answered INTEGER NOT NULL,
            text     TEXT,
            asked_at TEXT NOT NULL
        );
        CREATE INDEX questions_unanswered ON questions (answered, text);
    """,
}
MAX_KEPT_QUESTION = 500


class Stats(BaseModel):
    """What the operator sees: counts, and the most asked questions nobody could answer."""

    users: int
    estimates: int
    answered: int
    unanswered: int
    top_unanswered: list[tuple[str, int]]


def _probe(path: Path) -> None:
    sqlite3.connect(path).close()


class StoreError(Exception):
    """The database cannot be used; the message says why and what to do."""


def default_db_path() -> Path:
    """Where the database lives unless PTCC_DB says otherwise (XDG data directory)."""
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "ptcc" / "ptcc.db"


def db_path_from(value: str | None) -> Path:
    """A PTCC_DB value (a path or sqlite:///PATH) as a path; the default when empty."""
    if not value:
        return default_db_path()
    if value.startswith("sqlite:///"):
        return Path(value.removeprefix("sqlite:///"))
    if "://" in value:
        raise StoreError(f"PTCC_DB={value!r}: use a file path or sqlite:///PATH")
    return Path(value).expanduser()


class Store:
    """Loads and saves sessions by user key ("tg:12345", "terminal:alice")."""

    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        self._db = db
        self.path = path

    @classmethod
    async def open(cls, path: Path) -> Store:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
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
        # In WAL mode NORMAL loses nothing when the process dies (kill -9), only on power loss.
        await self._db.execute("PRAGMA synchronous = NORMAL")
        async with self._db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the database {self.path} was written by a newer PTCC Advisor (schema "
                f"{version}, this one knows {SCHEMA_VERSION}). Upgrade PTCC Advisor, or point "
                "PTCC_DB at another file."
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            await self._db.executescript(
                f"BEGIN; {_MIGRATIONS[target]} PRAGMA user_version = {target}; COMMIT;"
            )

    async def close(self) -> None:
        await self._db.close()

    async def load(self, user_key: str) -> Session:
        """The user's session, or a fresh one for a new user."""
        async with self._db.execute(
            "SELECT data FROM sessions WHERE user_key = ?", (user_key,)
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return Session()
        try:
            return Session.model_validate_json(row[0])
        except ValidationError as exc:
            raise StoreError(f"the stored session of {user_key} is damaged: {exc}") from exc

    async def save(
        self, user_key: str, session: Session, question: tuple[bool, str] | None = None
    ) -> None:
        """Save the session and, if given, count the question (answered, text): one commit."""
        now = datetime.now(UTC).isoformat()
        if question is not None:
            await self._add_question(*question)
        await self._db.execute(
            "INSERT INTO sessions (user_key, data, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_key) DO UPDATE SET data = excluded.data, "
            "updated_at = excluded.updated_at",
            (user_key, session.model_dump_json(), now),
        )
        await self._db.commit()

    async def _add_question(self, answered: bool, text: str) -> None:
        """Count a question; keep its text (never who asked) only when it went unanswered."""
        kept = None if answered else " ".join(text.split())[:MAX_KEPT_QUESTION]
        await self._db.execute(
            "INSERT INTO questions (answered, text, asked_at) VALUES (?, ?, ?)",
            (int(answered), kept, datetime.now(UTC).isoformat()),
        )

    async def stats(self, top: int = 10) -> Stats:
        async with self._db.execute(
            "SELECT count(*), coalesce(sum(json_array_length(data, '$.estimates')), 0) FROM sessions"
        ) as cursor:
            users, estimates = await cursor.fetchone() or (0, 0)
        async with self._db.execute(
            "SELECT coalesce(sum(answered), 0), coalesce(sum(1 - answered), 0) FROM questions"
        ) as cursor:
            answered, unanswered = await cursor.fetchone() or (0, 0)
        async with self._db.execute(
            "SELECT lower(text) AS asked, count(*) AS times FROM questions WHERE answered = 0 "
            "GROUP BY asked ORDER BY times DESC, asked LIMIT ?",
            (top,),
        ) as cursor:
            rows = await cursor.fetchall()
        return Stats(
            users=users,
            estimates=estimates,
            answered=answered,
            unanswered=unanswered,
            top_unanswered=[(str(text), int(times)) for text, times in rows],
        )

    async def forget(self, user_key: str) -> None:
        """Delete every row about the user."""
        await self._db.execute("DELETE FROM sessions WHERE user_key = ?", (user_key,))
        await self._db.commit()


async def check_store(path: Path) -> None:
    """Open and close the database: raises StoreError with what to fix if it cannot be used."""
    store = await Store.open(path)
    await store.close()
