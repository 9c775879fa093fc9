"""The bot's own webhook server over real HTTP, on a real PostgreSQL database: Telegram gets
its 200 only once an update is stored, a 503 while the database is unreachable (so it sends
the update again later), and a 400 for a body that is no update; an update that keeps
failing is given up rather than blocking its user for good."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from bot.app import build_application, serve_webhook
from bot.inbox import MAX_FAILURES
from bot.settings import Settings
from ptcc_core.advisor import Advisor
from ptcc_core.conversation import Session
from ptcc_core.profile import Profile
from ptcc_core.store import open_store
from tests.fake_bot_api import TOKEN, WEBHOOK_SECRET, FakeBotAPI
from tests.ports import free_port
from tests.postgres_server import PostgresServer

SECRET = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
# The bot's operator, whose /stats a forged update must not send elsewhere.
OPERATOR = 9001


@pytest.fixture
async def hook(api: FakeBotAPI, pg_url: str, advisor: Advisor) -> AsyncIterator[str]:
    async for url in _serving(api, pg_url, advisor):
        yield url


# Small enough to reach in a test: a cap of 8 connections, 1 s to send a request.
TIGHT = {"PTCC_WEBHOOK_MAX_CONNECTIONS": 8, "PTCC_WEBHOOK_READ_TIMEOUT": 1.0}


@pytest.fixture
async def tight_hook(api: FakeBotAPI, pg_url: str, advisor: Advisor) -> AsyncIterator[str]:
    async for url in _serving(api, pg_url, advisor, **TIGHT):
        yield url


async def _serving(
    api: FakeBotAPI, pg_url: str, advisor: Advisor, **limits: float
) -> AsyncIterator[str]:
    port = free_port()
    settings = Settings(
        TELEGRAM_BOT_TOKEN=TOKEN,
        PTCC_BOT_API_URL=api.base_url,
        PTCC_DB=pg_url,
        PTCC_WEBHOOK_URL="https://bot.invalid/hook",
        PTCC_WEBHOOK_SECRET=WEBHOOK_SECRET,
        PTCC_WEBHOOK_LISTEN="127.0.0.1",
        PTCC_WEBHOOK_PORT=port,
        PTCC_ADMIN_IDS=str(OPERATOR),
        **limits,
    )
    stop = asyncio.Event()
    served = asyncio.create_task(
        serve_webhook(settings, build_application(settings, advisor), stop)
    )
    while api.webhook is None:  # registered once the server listens
        assert not served.done(), served.exception()
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    stop.set()
    await served


async def test_an_unreachable_database_means_no_200_and_the_update_comes_again(
    api: FakeBotAPI, hook: str, pg_url: str, postgres_server: PostgresServer
) -> None:
    database = pg_url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(postgres_server.url())
    update = {"update_id": 10, "message": api.message(5, "what is a CMAA?")}
    async with httpx.AsyncClient() as client:
        try:
            await admin.execute(f"ALTER DATABASE {database} ALLOW_CONNECTIONS false")
            await drop_connections(admin, database)
            refused = await client.post(f"{hook}/hook", json=update, headers=SECRET)
            assert refused.status_code == 503
            assert (await client.get(f"{hook}/healthz")).status_code == 503
        finally:
            await admin.execute(f"ALTER DATABASE {database} ALLOW_CONNECTIONS true")
            await admin.close()
        # Telegram tries again later; now the update is stored and answered, once.
        again = await client.post(f"{hook}/hook", json=update, headers=SECRET)
        assert again.status_code == 200
        assert (await client.get(f"{hook}/healthz")).status_code == 200
    [reply] = await api.wait_for(5, 1)
    assert "Medical Administrative Assistant" in reply.text


async def test_bodies_that_are_no_update_get_400_and_no_secret_403(hook: str) -> None:
    async with httpx.AsyncClient() as client:
        assert (
            await client.post(f"{hook}/hook", content=b"{not json", headers=SECRET)
        ).status_code == 400
        assert (
            await client.post(f"{hook}/hook", json={"message": {}}, headers=SECRET)
        ).status_code == 400
        assert (await client.post(f"{hook}/hook", json={"update_id": 1})).status_code == 403


async def test_an_update_that_keeps_failing_is_given_up_and_the_user_goes_on(
    api: FakeBotAPI, hook: str, pg_url: str
) -> None:
    store = await open_store(pg_url)
    try:
        stuck = {"update_id": 50, "message": api.message(6, "what is a CMAA?")}
        # Stored as if replicas had died on it, alone, in turn (no NOTIFY: none rushes in).
        await store.write(
            (
                "INSERT INTO inbox (update_id, user_key, payload, received_at, attempts, "
                "failures) VALUES (?, ?, ?, ?, ?, ?)",
                (50, "tg:6", json.dumps(stuck), 0.0, MAX_FAILURES + 1, MAX_FAILURES),
            )
        )
        async with httpx.AsyncClient() as client:
            update = {"update_id": 51, "message": api.message(6, "glassdoor total pay?")}
            assert (
                await client.post(f"{hook}/hook", json=update, headers=SECRET)
            ).status_code == 200
        [reply] = await api.wait_for(6, 1)
        assert "52,143" in reply.text  # the later update is answered; the stuck one is not
        [kept] = await store.given_up()  # kept for the operator, message and all
        assert (kept.update_id, json.loads(kept.payload)) == (50, stuck)
        assert (await store.stats()).given_up == 1
    finally:
        await store.close()


@pytest.mark.parametrize("bad_id", ["abc", 1.5, -3, 0, True, None, 2**70])
async def test_an_update_id_that_is_no_positive_integer_is_refused_and_jams_nothing(
    api: FakeBotAPI, hook: str, bad_id: object
) -> None:
    async with httpx.AsyncClient() as client:
        body = {"update_id": bad_id, "message": api.message(8, "what is a CMAA?")}
        refused = await client.post(f"{hook}/hook", json=body, headers=SECRET)
        assert refused.status_code == 400
        good = {"update_id": 61, "message": api.message(8, "what is a CMAA?")}
        assert (await client.post(f"{hook}/hook", json=good, headers=SECRET)).status_code == 200
    [reply] = await api.wait_for(8, 1)
    assert "Medical Administrative Assistant" in reply.text


async def test_a_wrong_secret_of_the_right_length_is_refused(hook: str) -> None:
    wrong = {"X-Telegram-Bot-Api-Secret-Token": "x" * len(WEBHOOK_SECRET)}
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{hook}/hook", json={"update_id": 70}, headers=wrong)
    assert response.status_code == 403


async def test_a_forged_update_cannot_send_a_victims_data_to_another_chat(
    api: FakeBotAPI, hook: str, pg_url: str
) -> None:
    victim, attacker = OPERATOR, 9002
    store = await open_store(pg_url)
    try:
        await store.save(
            f"tg:{victim}",
            Session(profile=Profile(years=7, location="Boston, MA"), confirming_forget=True),
        )
        forged = [
            {"message": api.message(victim, text, chat_id=attacker, chat_type="private")}
            for text in ("/profile", "/stats", "/forget")
        ]
        # The victim's own /forget screen was open: a forged press of its "yes" button.
        yes = api.callback_query(victim, "forget:yes", 1, chat_id=attacker)
        async with httpx.AsyncClient() as client:
            for update_id, update in enumerate([*forged, {"callback_query": yes}], start=80):
                body = {"update_id": update_id, **update}
                response = await client.post(f"{hook}/hook", json=body, headers=SECRET)
                assert response.status_code == 200  # stored, then dropped by the handler
            probe = {"update_id": 90, "message": api.message(attacker, "hi")}
            await client.post(f"{hook}/hook", json=probe, headers=SECRET)
        sent = await api.wait_for(attacker, 1)  # the attacker's own "hi" is answered...
        assert len(sent) == 1 and "Your profile" not in sent[0].text  # ...and nothing else
        assert "Users:" not in sent[0].text
        assert (await store.load(f"tg:{victim}")).profile.location == "Boston, MA"
    finally:
        await store.close()


async def test_healthz_proves_a_write_and_names_no_address(
    hook: str, pg_url: str, postgres_server: PostgresServer
) -> None:
    """A database that still answers reads but takes no writes (as on a disk gone
    read-only) fails the health check; the answer does not show where the database is."""
    database = pg_url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(postgres_server.url())
    async with httpx.AsyncClient() as client:
        try:
            await admin.execute(f"ALTER DATABASE {database} SET default_transaction_read_only = on")
            await drop_connections(admin, database)
            for _ in range(50):  # the pool reconnects, now read-only
                failed = await client.get(f"{hook}/healthz")
                if failed.status_code == 503:
                    break
                await asyncio.sleep(0.1)
            assert failed.status_code == 503 and failed.text == "database unavailable"
        finally:
            await admin.execute(f"ALTER DATABASE {database} RESET default_transaction_read_only")
            await drop_connections(admin, database)
            await admin.close()
        for _ in range(50):
            if (await client.get(f"{hook}/healthz")).status_code == 200:
                break
            await asyncio.sleep(0.1)
        assert (await client.get(f"{hook}/healthz")).status_code == 200


async def drop_connections(admin: asyncpg.Connection, database: str) -> None:
    """End every connection to the database, as a server restart would."""
    await admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", database
    )


async def _half_sent(url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A connection that starts a request and never finishes its headers (slowloris)."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"POST /hook HTTP/1.1\r\nHost: bot\r\nX-Telegram-Bot-Api-Secret")
    await writer.drain()
    return reader, writer


async def _closed_within(reader: asyncio.StreamReader, seconds: float) -> bool:
    try:
        return await asyncio.wait_for(reader.read(), seconds) == b""
    except TimeoutError:
        return False


async def test_a_client_that_never_finishes_its_request_is_cut_off(
    api: FakeBotAPI, tight_hook: str
) -> None:
    slow = [await _half_sent(tight_hook) for _ in range(3)]
    update = {"update_id": 70, "message": api.message(7, "what is a CMAA?")}
    async with httpx.AsyncClient() as client:
        posted = await client.post(f"{tight_hook}/hook", json=update, headers=SECRET)
    assert posted.status_code == 200
    # Cut off at the 1 s read timeout, where aiohttp alone would wait for ever.
    assert all([await _closed_within(reader, 3.0) for reader, _ in slow])
    await api.wait_for(7, 1)


async def test_a_body_that_never_arrives_gets_408(tight_hook: str) -> None:
    host, port = tight_hook.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    head = (
        "POST /hook HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
        f"X-Telegram-Bot-Api-Secret-Token: {WEBHOOK_SECRET}\r\nContent-Length: 500\r\n\r\n"
    )
    writer.write(head.encode() + b'{"update_id": 71,')
    await writer.drain()
    status = await asyncio.wait_for(reader.readline(), 5.0)
    assert status.startswith(b"HTTP/1.1 408")
    writer.close()


async def test_connections_over_the_cap_are_closed_and_the_server_recovers(
    tight_hook: str,
) -> None:
    held = [await _half_sent(tight_hook) for _ in range(TIGHT["PTCC_WEBHOOK_MAX_CONNECTIONS"])]
    extra, _ = await _half_sent(tight_hook)
    assert await _closed_within(extra, 0.5)  # at once, not at the read timeout
    # The held ones time out, and the server takes requests again.
    assert all([await _closed_within(reader, 3.0) for reader, _ in held])
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"{tight_hook}/healthz")).status_code == 200
