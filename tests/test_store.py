"""The store's behaviour, the same on both back-ends: every test here runs against a real
SQLite file and against a real PostgreSQL server (see conftest's `db`): round trips,
persistence, isolation between users, migrations, /forget, and moving a database."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import asyncpg
import pytest

from ptcc_core.advisor import Advisor
from ptcc_core.conversation import Event, Session
from ptcc_core.migrate import migrate
from ptcc_core.profile import Profile
from ptcc_core.schema import SCHEMA_VERSION, migration
from ptcc_core.store import Store, StoreError, open_store
from tests.sample_sessions import AT, full_session


async def stored_keys(store: Store) -> set[str]:
    """The user keys with a row in the sessions table, read with plain SQL."""
    return {key for (key,) in await store.rows("SELECT user_key FROM sessions")}


# Loading and saving ------------------------------------------------------------------------


async def test_a_new_user_gets_an_empty_session(store: Store) -> None:
    session = await store.load("tg:1")
    assert session == Session()
    assert session.profile.is_empty() and session.step is None and session.estimates == ()


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


async def test_a_second_save_replaces_the_first(store: Store) -> None:
    await store.save("tg:42", full_session())
    newer = Session(profile=Profile(years=9, location="Denver"))
    await store.save("tg:42", newer)
    assert await store.load("tg:42") == newer
    assert await stored_keys(store) == {"tg:42"}


async def test_data_survives_closing_and_reopening(db: str) -> None:
    first = await open_store(db)
    await first.save("terminal:alice", full_session())
    await first.close()

    second = await open_store(db)  # no migration runs twice ("table already exists")
    try:
        assert await second.load("terminal:alice") == full_session()
        assert await second.load("terminal:bob") == Session()
    finally:
        await second.close()


async def test_forget_deletes_only_that_users_row(store: Store) -> None:
    other = Session(profile=Profile(years=3, location="NYC"))
    await store.save("tg:1", full_session())
    await store.save("tg:2", other)
    await store.forget("tg:1")
    assert await stored_keys(store) == {"tg:2"}
    assert await store.load("tg:1") == Session()
    assert await store.load("tg:2") == other


async def test_forgetting_an_unknown_user_is_harmless(store: Store) -> None:
    await store.save("tg:2", full_session())
    await store.forget("tg:999")
    assert await stored_keys(store) == {"tg:2"}


async def test_one_users_save_never_changes_another_users_session(store: Store) -> None:
    alice = full_session()
    await store.save("terminal:alice", alice)
    await store.save("tg:7", Session(profile=Profile(years=1)))
    await store.save("tg:7", Session(profile=Profile(years=2), step="education"))
    await store.save("tg:77", Session())
    assert await store.load("terminal:alice") == alice
    assert (await store.load("tg:7")).profile.years == 2
    assert await store.load("tg:77") == Session()


@pytest.mark.parametrize(
    "damage",
    ['{"step": "x"', '{"step": "nowhere"}', '{"profile": {"years": -4}}', "[]", "null",
     '{"estimates": [{"at": "yesterday"}]}', '{"profile": {"location": "zebra kestrel 7"}'],
)  # fmt: skip
async def test_a_damaged_session_is_set_aside_and_its_user_starts_afresh(
    store: Store, advisor: Advisor, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    await store.save("tg:1", full_session())
    await store.write(("UPDATE sessions SET data = ? WHERE user_key = ?", (damage, "tg:1")))
    with caplog.at_level(logging.DEBUG, logger="ptcc"):  # the bot's own, as PTCC_LOG_LEVEL
        loaded = await store.load("tg:1")
    assert loaded == Session(set_aside=True)
    assert "set aside the unreadable session of tg:1" in caplog.text
    assert damage not in caplog.text and "zebra" not in caplog.text  # the data is the user's
    assert await store.rows("SELECT data FROM damaged_sessions WHERE user_key = 'tg:1'") == [
        (damage,)
    ]
    assert (await store.stats()).damaged == 1
    # The user is answered, told once, and can go on; /forget removes the set-aside copy too.
    event = Event(kind="text", value="what is a CMAA?", at=AT)
    outcome = advisor.handle(loaded, event)
    assert "starting afresh" in outcome.replies[0].text and outcome.replies[1].kind == "answer"
    await store.save("tg:1", outcome.session)
    assert not (await store.load("tg:1")).set_aside
    await store.forget("tg:1")
    assert (await store.stats()).damaged == 0


async def test_forget_leaves_no_row_that_names_the_user(store: Store) -> None:
    await store.save("tg:5", full_session(), (False, "my email is ana@example.com, help"))
    await store.save("tg:6", Session(), (False, "what is pizza"))
    await store.enqueue(100, "tg:5", '{"message": "/forget"}')
    await store.enqueue(101, "tg:5", '{"message": "later"}')
    await store.forget("tg:5", done=100)
    for table in ("sessions", "questions", "damaged_sessions", "inbox"):
        rows = await store.rows(f"SELECT * FROM {table}")
        named = [row for row in rows if "tg:5" in map(str, row)]
        # Only the update sent after /forget still waits, to be answered.
        assert named == ([] if table != "inbox" else [r for r in rows if r[0] == 101]), table
    assert (await store.stats()).unanswered == 1  # the other user's question stays


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


async def test_stats_count_users_estimates_and_questions(store: Store) -> None:
    await store.save("tg:1", full_session(), (True, "what is a CMAA?"))
    await store.save("tg:2", Session(), (False, "Tell me  a joke"))
    await store.save("tg:3", Session(), (False, "tell me a joke"))
    stats = await store.stats()
    assert (stats.users, stats.estimates, stats.answered, stats.unanswered) == (3, 2, 1, 2)
    assert stats.top_unanswered == [("tell me a joke", 2)]


# Schema ------------------------------------------------------------------------------------


async def test_every_migration_runs_once_and_the_schema_is_current(store: Store) -> None:
    for table in ("sessions", "questions", "inbox"):
        assert await store.rows(f"SELECT count(*) FROM {table}") == [(0,)]
    if store.dialect == "sqlite":
        assert await store.rows("PRAGMA user_version") == [(SCHEMA_VERSION,)]
    else:
        assert await store.rows("SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]


@pytest.mark.parametrize("start", range(1, SCHEMA_VERSION))
async def test_each_migration_upgrades_an_older_database_and_keeps_its_rows(
    db: str, start: int
) -> None:
    """A database left at schema `start` by an older release, with a user in it, opens:
    every later migration runs once and the user's session is still there."""
    session = full_session()
    row = ("tg:9", session.model_dump_json(), "2026-01-01T00:00:00+00:00")
    insert = "INSERT INTO sessions (user_key, data, updated_at) VALUES"
    if db.startswith("sqlite:///"):
        with sqlite3.connect(db.removeprefix("sqlite:///")) as conn:
            for version in range(1, start + 1):
                conn.executescript(migration(version, "sqlite"))
            conn.execute(f"{insert} (?, ?, ?)", row)
            conn.execute(f"PRAGMA user_version = {start}")
    else:
        conn = await asyncpg.connect(db)
        try:
            for version in range(1, start + 1):
                await conn.execute(migration(version, "postgresql"))
            await conn.execute(f"{insert} ($1, $2, $3)", *row)
            await conn.execute("CREATE TABLE schema_version (version INTEGER)")
            await conn.execute("INSERT INTO schema_version VALUES ($1)", start)
        finally:
            await conn.close()
    store = await open_store(db)
    try:
        assert await store.load("tg:9") == session
        await store.enqueue(1, "tg:9", "{}")  # the newest table works
        assert (await store.stats()).users == 1
    finally:
        await store.close()


async def test_a_jammed_inbox_from_before_is_cleared_and_bad_ids_are_refused(db: str) -> None:
    """An "abc" update id stored by an older release once failed every lease for good: the
    migration drops it, and the column now refuses anything but a positive integer."""
    if db.startswith("sqlite:///"):
        with sqlite3.connect(db.removeprefix("sqlite:///")) as conn:
            for version in range(1, 4):
                conn.executescript(migration(version, "sqlite"))
            junk = "INSERT INTO inbox (update_id, user_key, payload, received_at) VALUES"
            conn.execute(f"{junk} ('abc', 'tg:1', '{{}}', 0), (1.5, 'tg:2', '{{}}', 0)")
            conn.execute(f"{junk} (7, 'tg:3', '{{}}', 0)")
            conn.execute("PRAGMA user_version = 3")
    store = await open_store(db)
    try:
        if db.startswith("sqlite:///"):
            assert await store.rows("SELECT update_id FROM inbox") == [(7,)]
        for bad in ("abc", 0, -5):
            with pytest.raises(Exception):  # noqa: B017 - each driver names it its own way
                await store.write(
                    (
                        "INSERT INTO inbox (update_id, user_key, payload, received_at) "
                        "VALUES (?, 'tg:1', '{}', 0)",
                        (bad,),
                    )
                )
        await store.enqueue(8, "tg:1", "{}")
        assert [c.update_id for c in await store.claim("me", 30, 10)][-1] == 8
    finally:
        await store.close()


async def test_a_database_from_a_newer_version_is_refused(db: str) -> None:
    store = await open_store(db)
    newer = SCHEMA_VERSION + 1
    if store.dialect == "sqlite":
        await store.write((f"PRAGMA user_version = {newer}", ()))
    else:
        await store.write(("UPDATE schema_version SET version = ?", (newer,)))
    await store.close()
    with pytest.raises(StoreError, match="newer") as caught:
        await open_store(db)
    assert str(newer) in str(caught.value)


# Moving between databases ------------------------------------------------------------------


async def test_migrate_to_copies_every_profile_estimate_and_question(
    db: str, pg_url: str, tmp_path: Path
) -> None:
    """Round trip: this back-end -> PostgreSQL -> a new SQLite file; nothing lost or changed."""
    store = await open_store(db)
    for n in range(25):
        session = full_session() if n % 2 else Session(profile=Profile(years=n))
        await store.save(f"tg:{n}", session, (n % 3 == 0, f"question {n}"))
    before = await store.dump()
    await store.close()

    there = await migrate(db, pg_url)
    assert (there.users, there.estimates, there.questions) == (25, 24, 25)
    back_url = f"sqlite:///{tmp_path / 'back.db'}"
    back = await migrate(pg_url, back_url)
    assert (back.users, back.estimates, back.questions) == (25, 24, 25)

    returned = await open_store(back_url)
    try:
        assert await returned.dump() == before
        assert await returned.load("tg:3") == full_session()
    finally:
        await returned.close()


async def test_migrate_to_refuses_a_database_that_already_has_users(
    store: Store, db: str, pg_url: str
) -> None:
    target = await open_store(pg_url)
    await target.save("tg:1", Session())
    await target.close()
    await store.save("tg:2", Session())
    with pytest.raises(StoreError, match="already holds 1"):
        await migrate(db, pg_url)
