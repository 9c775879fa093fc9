"""The webhook server: Telegram POSTs each update here, and it is answered 200 only once the
inbox has stored it; `/healthz` says whether the database takes a write.

This follows python-telegram-bot's custom-webhook example: an aiohttp server of our own
calls the inbox (and through it Application.process_update) instead of the library's
built-in webhook server. Imported only in webhook mode: polling needs no HTTP server.
"""

from __future__ import annotations

import asyncio
import hmac
import logging

from aiohttp import web
from telegram import Update

from bot import metrics
from bot.guard import ConnectionGuard
from bot.inbox import Inbox, ListenError, NotAnUpdate, database_failed

log = logging.getLogger("ptcc.inbox")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class Webhook:
    """The webhook's two routes: updates (with Telegram's secret header) and the health check."""

    def __init__(self, inbox: Inbox, secret: str, read_timeout: float) -> None:
        self.inbox = inbox
        self.secret = secret
        self.read_timeout = read_timeout

    async def receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        # Constant time: how much of a guess matched must not show in how long it takes.
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            return web.Response(status=403)
        try:
            async with asyncio.timeout(self.read_timeout):
                body = await request.json()
        except TimeoutError:
            metrics.WEBHOOK_DROPPED.labels("too_slow").inc()
            return web.Response(status=408)
        except ValueError as exc:
            log.warning("ignoring a webhook request that is not JSON: %s", exc)
            return web.Response(status=400)
        try:
            await self.inbox.keep(body)
        except (NotAnUpdate, ValueError) as exc:
            log.warning("ignoring a webhook request that is not an update: %s", exc)
            return web.Response(status=400)
        except Exception:
            # No 200: Telegram keeps the update and sends it again.
            metrics.DATABASE_ERRORS.labels("keep").inc()
            database_failed("could not store an update")
            return web.Response(status=503)
        return web.Response()

    async def health(self, request: web.Request) -> web.Response:
        """200 only if the database takes a write now; the reason goes to the log, not to
        whoever asks (the check may be reachable from outside)."""
        try:
            await self.inbox.store.health_check()
        except Exception as exc:
            log.error("health check failed: %s", exc)
            return web.Response(status=503, text="database unavailable")
        return web.Response(text="ok")


async def serve(
    inbox: Inbox,
    *,
    url: str,
    path: str,
    listen: str,
    port: int,
    secret: str,
    guard: ConnectionGuard,
    stop: asyncio.Event,
) -> None:
    """Run the webhook server and the workers until `stop` is set."""
    webhook = Webhook(inbox, secret, guard.read_timeout)
    web_app = web.Application(middlewares=[guard.middleware])
    web_app.router.add_post(path, webhook.receive)
    web_app.router.add_get("/healthz", webhook.health)
    # Idle keep-alive connections close at the guard's deadline, not aiohttp's 75 s.
    runner = web.AppRunner(web_app, access_log=None, keepalive_timeout=guard.read_timeout)
    await runner.setup()
    assert runner.server is not None
    loop = asyncio.get_running_loop()
    try:
        server = await loop.create_server(
            guard.factory(runner.server), listen, port, reuse_address=True
        )
    except OSError as exc:
        await runner.cleanup()
        raise ListenError(
            f"cannot serve the webhook on {listen}:{port} ({exc.strerror or exc}). Set "
            "PTCC_WEBHOOK_LISTEN and PTCC_WEBHOOK_PORT to an address and port that are free."
        ) from exc
    await inbox.application.bot.set_webhook(
        url, secret_token=secret, allowed_updates=Update.ALL_TYPES, max_connections=100
    )
    log.info("serving the webhook on %s:%s%s as %s", listen, port, path, inbox.owner)
    try:
        await inbox.work(stop)
    finally:
        server.close()
        await runner.cleanup()
