"""The database schema as numbered migrations, one list for both back-ends (SQLite and
PostgreSQL). A migration is one SQL script, or one per dialect where the two differ.

Each store applies, in one transaction, every migration past the version the database has
recorded; both back-ends run the same list, and the store tests run it on both."""

from __future__ import annotations

from typing import Literal

Dialect = Literal["sqlite", "postgresql"]

SCHEMA_VERSION = 7

_MIGRATIONS: dict[int, str | dict[Dialect, str]] = {
    1: """
        CREATE TABLE sessions (
            user_key   TEXT PRIMARY KEY,
            data       TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
    """,
    # Questions users asked, for the operator: no user key; text kept only when unanswered.
    2: {
        "sqlite": """
            CREATE TABLE questions (
                id       INTEGER PRIMARY KEY,
                answered INTEGER NOT NULL,
                text     TEXT,
                asked_at TEXT NOT NULL
            );
            CREATE INDEX questions_unanswered ON questions (answered, text);
        """,
        "postgresql": """
            CREATE TABLE questions (
                id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                answered INTEGER NOT NULL,
                text     TEXT,
                asked_at TEXT NOT NULL
            );
            CREATE INDEX questions_unanswered ON questions (answered, text);
        """,
    },
    # Webhook updates, stored before Telegram gets its 200 and handled by whichever replica
    # leases them. Times are Unix seconds. `sending` is set once replies start going out, so a
    # retry after a crash knows its replies may repeat, and counts that in `repeats`.
    3: """
        CREATE TABLE inbox (
            update_id   BIGINT PRIMARY KEY,
            user_key    TEXT NOT NULL,
            payload     TEXT NOT NULL,
            received_at DOUBLE PRECISION NOT NULL,
            lease_owner TEXT,
            lease_until DOUBLE PRECISION,
            attempts    INTEGER NOT NULL DEFAULT 0,
            sending     INTEGER NOT NULL DEFAULT 0,
            repeats     INTEGER NOT NULL DEFAULT 0,
            done_at     DOUBLE PRECISION
        );
        CREATE INDEX inbox_waiting ON inbox (user_key, update_id) WHERE done_at IS NULL;
        CREATE INDEX inbox_done ON inbox (done_at) WHERE done_at IS NOT NULL;
    """,
    # Only positive integer update ids: one stored "abc" once failed every later lease that
    # read it. Rows that break the rule (from before it) go. SQLite compares any text as
    # greater than a number, so it also checks the type; its table is rebuilt to add it.
    4: {
        "sqlite": """
            CREATE TABLE inbox_checked (
                update_id   INTEGER PRIMARY KEY
                            CHECK (typeof(update_id) = 'integer' AND update_id > 0),
                user_key    TEXT NOT NULL,
                payload     TEXT NOT NULL,
                received_at DOUBLE PRECISION NOT NULL,
                lease_owner TEXT,
                lease_until DOUBLE PRECISION,
                attempts    INTEGER NOT NULL DEFAULT 0,
                sending     INTEGER NOT NULL DEFAULT 0,
                repeats     INTEGER NOT NULL DEFAULT 0,
                done_at     DOUBLE PRECISION
            );
            INSERT INTO inbox_checked SELECT * FROM inbox
                WHERE typeof(update_id) = 'integer' AND update_id > 0;
            DROP TABLE inbox;
            ALTER TABLE inbox_checked RENAME TO inbox;
            CREATE INDEX inbox_waiting ON inbox (user_key, update_id) WHERE done_at IS NULL;
            CREATE INDEX inbox_done ON inbox (done_at) WHERE done_at IS NOT NULL;
        """,
        "postgresql": """
            DELETE FROM inbox WHERE update_id <= 0;
            ALTER TABLE inbox ADD CONSTRAINT inbox_update_id_positive CHECK (update_id > 0);
        """,
    },
    # One row the health check rewrites: it proves the database takes writes, not just reads.
    5: """
        CREATE TABLE heartbeat (
            id      INTEGER PRIMARY KEY CHECK (id = 1),
            beat_at DOUBLE PRECISION NOT NULL
        );
    """,
    # Sessions that could not be read are set aside here for the operator, and the user
    # starts afresh; questions remember whose they were, only so /forget can delete them
    # (the operator's view never shows it). Handled inbox updates keep no user from now on.
    6: """
        CREATE TABLE damaged_sessions (
            user_key TEXT NOT NULL,
            data     TEXT NOT NULL,
            found_at TEXT NOT NULL
        );
        CREATE INDEX damaged_sessions_user ON damaged_sessions (user_key);
        ALTER TABLE questions ADD COLUMN user_key TEXT;
        CREATE INDEX questions_user ON questions (user_key);
        CREATE INDEX questions_asked ON questions (asked_at);
        CREATE INDEX sessions_updated ON sessions (updated_at);
        UPDATE inbox SET user_key = '', payload = '' WHERE done_at IS NOT NULL;
    """,
    # `failures` counts the processes that died while handling an update alone (a taken-over
    # update is handled with nothing else in hand, so its death is its own); `attempts` goes
    # on counting leases. An update given up is kept, with its user, for the operator.
    7: """
        ALTER TABLE inbox ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE inbox ADD COLUMN given_up_at DOUBLE PRECISION;
        CREATE INDEX inbox_given_up ON inbox (given_up_at) WHERE given_up_at IS NOT NULL;
    """,
}


def migration(version: int, dialect: Dialect) -> str:
    """The SQL that brings a database from version-1 to version, in the given dialect."""
    step = _MIGRATIONS[version]
    return step if isinstance(step, str) else step[dialect]
