"""The webhook inbox in the store, on both back-ends: an update is stored once, leased to one
replica at a time, each user's updates in update_id order and one at a time, a dead
replica's lease expires and another takes over, and replies that may repeat are counted."""

from __future__ import annotations

import asyncio
import contextlib
import time

import asyncpg
import pytest

from ptcc_core.conversation import Session
from ptcc_core.privacy import Retention
from ptcc_core.store import Store, open_store
from tests.postgres_server import PostgresServer


async def test_an_update_sent_twice_is_stored_once(store: Store) -> None:
    assert await store.enqueue(1, "tg:1", '{"update_id": 1}') is True
    assert await store.enqueue(1, "tg:1", '{"update_id": 1}') is False
    assert [c.update_id for c in await store.claim("a", 30, 10)] == [1]


async def test_a_batch_is_stored_at_once_and_its_repeats_once(store: Store) -> None:
    assert await store.enqueue_all([(1, "tg:1", "{}"), (2, "tg:2", "{}")]) == 2
    # getUpdates sent again after a crash: the old part is recognised, the new one kept.
    assert await store.enqueue_all([(2, "tg:2", "{}"), (3, "tg:1", "{}")]) == 1
    claimed = await store.claim("a", 30, 10)
    assert [c.update_id for c in claimed] == [1, 2]


async def test_each_user_gets_one_update_at_a_time_in_order(store: Store) -> None:
    for update_id, user in [(5, "tg:1"), (3, "tg:1"), (4, "tg:2"), (9, "tg:1"), (6, "tg:2")]:
        await store.enqueue(update_id, user, "{}")
    first = await store.claim("a", 30, 10)
    assert [(c.update_id, c.user_key) for c in first] == [(3, "tg:1"), (4, "tg:2")]
    assert await store.claim("b", 30, 10) == []  # both users have an update in hand

    await store.finish(3)
    assert [c.update_id for c in await store.claim("b", 30, 10)] == [5]
    await store.save("tg:2", Session(), done=4)  # the save marks the update done
    await store.finish(5)
    assert [c.update_id for c in await store.claim("a", 30, 10)] == [6, 9]


async def test_a_dead_replicas_lease_expires_and_another_takes_over(store: Store) -> None:
    await store.enqueue(1, "tg:1", '{"text": "hi"}')
    [taken] = await store.claim("dies", 0.3, 10)
    assert taken.attempts == 1
    assert await store.claim("other", 30, 10) == []
    await asyncio.sleep(0.4)
    [again] = await store.claim("other", 30, 10)
    assert (again.update_id, again.attempts, again.payload) == (1, 2, '{"text": "hi"}')
    assert (await store.stats()).taken_over == 1


async def test_a_replica_whose_clock_runs_ahead_takes_no_live_lease(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    await store.enqueue(1, "tg:1", "{}")
    assert [c.update_id for c in await store.claim("a", 30, 10)] == [1]
    # An hour ahead: by its own clock the lease ran out long ago; by the database's, not.
    ahead = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: ahead)
    assert await store.claim("b", 30, 10) == []
    await store.renew("a", 30, [1])
    assert await store.claim("b", 30, 10) == []


async def test_a_lease_taken_by_a_replica_whose_clock_runs_behind_expires_on_time(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    await store.enqueue(1, "tg:1", "{}")
    # Two minutes behind: by its own clock its lease would last until long after it died.
    behind = time.time() - 120
    monkeypatch.setattr(time, "time", lambda: behind)
    assert [c.update_id for c in await store.claim("behind", 0.3, 10)] == [1]
    monkeypatch.undo()
    assert await store.claim("b", 30, 10) == []
    await asyncio.sleep(0.4)
    assert [c.update_id for c in await store.claim("b", 30, 10)] == [1]  # once, on time


async def test_renewing_keeps_a_lease_and_releasing_gives_it_up(store: Store) -> None:
    await store.enqueue(1, "tg:1", "{}")
    await store.enqueue(2, "tg:2", "{}")
    await store.claim("slow", 0.3, 10)
    await asyncio.sleep(0.2)
    await store.renew("slow", 30, [1])  # still working on 1; 2 failed and was let go
    await asyncio.sleep(0.2)
    assert [c.update_id for c in await store.claim("other", 30, 10)] == [2]
    await store.release("slow")
    assert [c.update_id for c in await store.claim("other", 30, 10)] == [1]


async def test_replies_that_may_repeat_are_counted(store: Store) -> None:
    await store.enqueue(1, "tg:1", "{}")
    await store.enqueue(2, "tg:2", "{}")
    await store.claim("dies", 0.1, 10)
    await store.sending(1)  # replica dies after its first reply to update 1
    await asyncio.sleep(0.2)  # ... and before it sent anything for update 2
    await store.claim("other", 30, 10)
    await store.sending(1)
    await store.sending(2)
    await store.finish(1)
    await store.finish(2)
    stats = await store.stats()
    assert (stats.updates, stats.taken_over, stats.repeated) == (2, 2, 1)


async def test_done_updates_keep_only_their_id_and_are_pruned_later(store: Store) -> None:
    await store.enqueue(1, "tg:1", '{"text": "my salary is private"}')
    await store.claim("a", 30, 10)
    await store.finish(1)
    assert await store.rows("SELECT payload FROM inbox") == [("",)]
    assert await store.enqueue(1, "tg:1", "{}") is False  # still recognised
    await store.prune(older_than=3600)
    assert (await store.stats()).updates == 1
    await store.prune(older_than=0)
    assert (await store.stats()).updates == 0


async def test_deaths_are_counted_apart_from_leases_and_a_given_up_update_is_kept(
    store: Store,
) -> None:
    await store.enqueue(1, "tg:1", '{"text": "the message that kills"}')
    await store.enqueue(2, "tg:1", '{"text": "a later one"}')
    [first] = await store.claim("a", 0.01, 10)
    assert (first.attempts, first.failures) == (1, 0)
    await store.release("a")
    await store.blame(1)
    await store.release("a")
    [again] = await store.claim("b", 30, 10)
    assert (again.attempts, again.failures) == (2, 1)
    await store.give_up(1)
    await store.finish(1)  # a late finish changes nothing: it stays as given up
    [kept] = await store.given_up()
    assert (kept.update_id, kept.user_key, kept.payload) == (
        1,
        "tg:1",
        '{"text": "the message that kills"}',
    )
    assert (await store.stats()).given_up == 1
    assert [c.update_id for c in await store.claim("b", 30, 10)] == [2]  # the user goes on
    await store.prune(older_than=0)
    assert [g.update_id for g in await store.given_up()] == [1]  # pruning keeps it


async def test_a_given_up_update_goes_with_forget_or_after_the_retention(store: Store) -> None:
    for update_id, user in [(1, "tg:1"), (2, "tg:2")]:
        await store.enqueue(update_id, user, '{"text": "me@example.com"}')
        await store.claim("a", 30, 10)
        await store.give_up(update_id)
    await store.forget("tg:1")
    assert [g.update_id for g in await store.given_up()] == [2]
    await store.expire(Retention(question_days=1))
    assert [g.update_id for g in await store.given_up()] == [2]
    await store.write(("UPDATE inbox SET given_up_at = given_up_at - 2 * 86400", ()))
    await store.expire(Retention(question_days=1))
    assert await store.given_up() == []


async def test_two_replicas_claiming_at_once_never_share_an_update(db: str) -> None:
    """Many concurrent claimers on separate connections (on PostgreSQL, separate pools as
    separate processes would have): every update is leased exactly once."""
    replicas = [await open_store(db) for _ in range(3)]
    try:
        for update_id in range(1, 301):
            await replicas[0].enqueue(update_id, f"tg:{update_id % 40}", "{}")
        leased: list[tuple[str, int]] = []

        async def work(name: str, store: Store) -> None:
            while True:
                claimed = await store.claim(name, 30, 4)
                if not claimed:
                    if len(leased) == 300:
                        return
                    await asyncio.sleep(0.01)
                    continue
                for each in claimed:
                    leased.append((name, each.update_id))
                    await store.finish(each.update_id)

        await asyncio.wait_for(
            asyncio.gather(*(work(f"r{i}", s) for i, s in enumerate(replicas) for _ in range(3))),
            120,
        )
        ids = [update_id for _, update_id in leased]
        assert sorted(ids) == list(range(1, 301))
        for user in range(40):  # each user's updates were taken in order
            mine = [u for u in ids if u % 40 == user]
            assert mine == sorted(mine)
    finally:
        for store in replicas:
            await store.close()


_SLOT_HOLDER = (
    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


async def test_the_polling_slot_is_taken_again_when_the_database_drops_it(pg_url: str) -> None:
    first, second = await open_store(pg_url), await open_store(pg_url)
    admin = await asyncpg.connect(pg_url)
    lost = asyncio.Event()
    first.on_unusable(lambda reason: lost.set())
    try:
        assert await first.hold_polling_lock() is True
        # As a database restart does: the connection, and the lock with it, are gone.
        await admin.execute(f"SELECT pg_terminate_backend(pid, 5000) FROM ({_SLOT_HOLDER}) AS h")
        holder = None
        for _ in range(50):
            await asyncio.sleep(0.1)
            if holder := await admin.fetchval(_SLOT_HOLDER):
                break
        assert holder is not None  # taken again, so a second poller started now is refused
        assert await second.hold_polling_lock() is False
        assert not lost.is_set()
    finally:
        await admin.close()
        await first.close()
        await second.close()


async def test_a_poller_whose_slot_another_took_meanwhile_is_told_to_stop(pg_url: str) -> None:
    # The poller connects as a role of its own, so it can be kept out while the database is
    # "away" and another process takes the slot.
    admin = await asyncpg.connect(pg_url)
    role = pg_url.rsplit("/", 1)[1] + "_poller"
    database = pg_url.rsplit("/", 1)[1]
    await admin.execute(f'CREATE ROLE "{role}" LOGIN')
    await admin.execute(f'ALTER DATABASE "{database}" OWNER TO "{role}"')
    first = await open_store(pg_url.replace("postgres@", f"{role}@"))
    reasons: list[str] = []
    lost = asyncio.Event()
    first.on_unusable(lambda reason: (reasons.append(reason), lost.set()))
    try:
        assert await first.hold_polling_lock() is True
        # Two statements, two transactions: the role must be shut out before its backends go.
        await admin.execute(f'ALTER ROLE "{role}" NOLOGIN')
        await admin.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE usename = $1",
            role,
        )
        assert await admin.fetchval("SELECT pg_try_advisory_lock(74021002)")
        await admin.execute(f'ALTER ROLE "{role}" LOGIN')
        await asyncio.wait_for(lost.wait(), 10)
        assert "another process took the polling slot" in reasons[0]
    finally:
        await first.close()
        await admin.close()


async def test_the_new_update_listener_comes_back_after_the_database_drops_it(
    pg_url: str, postgres_server: PostgresServer
) -> None:
    listening, other = await open_store(pg_url), await open_store(pg_url)
    admin = await asyncpg.connect(postgres_server.url())
    database = pg_url.rsplit("/", 1)[1]
    woken = asyncio.Event()

    async def enqueue_until_woken(first_id: int) -> bool:
        for update_id in range(first_id, first_id + 50):
            woken.clear()
            with contextlib.suppress(OSError, asyncpg.PostgresError):
                await other.enqueue(update_id, "tg:1", "{}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), 0.2)
                return True
        return False

    try:
        await listening.on_enqueue(woken.set)
        assert await enqueue_until_woken(1)
        # A restart: every connection goes, and for a while none is taken, so listening
        # again fails at first too.
        await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = $1",
            database,
        )
        await asyncio.sleep(1.5)
        await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        assert await enqueue_until_woken(100)  # woken by NOTIFY again, not by a timer
    finally:
        await admin.close()
        await listening.close()
        await other.close()


async def test_polling_is_one_process_per_database(db: str) -> None:
    first, second = await open_store(db), await open_store(db)
    try:
        assert await first.hold_polling_lock() is True
        assert await second.hold_polling_lock() is False
        await first.close()
        assert await second.hold_polling_lock() is True
    finally:
        await second.close()
