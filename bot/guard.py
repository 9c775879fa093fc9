"""Slow clients and floods of connections cannot take the webhook server down.

aiohttp's server sets no deadline for a request to arrive: a client that sends half its
headers holds its connection for good (the "slowloris" attack), and nothing caps how many
connections are open, so enough of them exhaust the process's file descriptors. Neither is an
aiohttp setting, so this is written here. asyncio's `create_server` takes any protocol
factory: each connection gets aiohttp's own protocol, wrapped. Beyond the cap a new connection
is closed at once; a connection that has not delivered a whole request's headers within the
read timeout, or that sits that long idle after a request, is closed. The body is read in
the handler under the same deadline (`Webhook.receive`). The TLS proxy in front (Caddy)
buffers requests too; this holds when the bot is reached without it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot import metrics

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ConnectionGuard:
    """Counts the open connections and gives each a deadline for its next request."""

    def __init__(self, max_connections: int, read_timeout: float) -> None:
        self.max_connections = max_connections
        self.read_timeout = read_timeout
        self._open: dict[asyncio.BaseTransport, _Guarded] = {}

    def factory(self, inner: Callable[[], asyncio.BaseProtocol]) -> Callable[[], _Guarded]:
        """A protocol factory for `loop.create_server` around aiohttp's own (`runner.server`)."""
        return lambda: _Guarded(inner(), self)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """While a request is handled its connection has no deadline (the handler sets its
        own for the body); once answered, the connection has one for the next request."""
        guarded = self._open.get(request.transport) if request.transport else None
        if guarded is None:
            return await handler(request)
        guarded.disarm()
        try:
            return await handler(request)
        finally:
            guarded.arm()

    def _admit(self, transport: asyncio.BaseTransport, guarded: _Guarded) -> bool:
        if len(self._open) >= self.max_connections:
            metrics.WEBHOOK_DROPPED.labels("too_many").inc()
            return False
        self._open[transport] = guarded
        return True

    def _forget(self, transport: asyncio.BaseTransport) -> None:
        self._open.pop(transport, None)


class _Guarded(asyncio.Protocol):
    """aiohttp's protocol for one connection, with the guard's cap and deadline around it."""

    def __init__(self, inner: asyncio.BaseProtocol, guard: ConnectionGuard) -> None:
        self._inner = inner
        self._guard = guard
        self._transport: asyncio.Transport | None = None
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport), "a stream server gives stream transports"
        if not self._guard._admit(transport, self):
            transport.abort()
            return
        self._transport = transport
        self._inner.connection_made(transport)
        self.arm()

    def arm(self) -> None:
        self.disarm()
        loop = asyncio.get_running_loop()
        self._deadline = loop.call_later(self._guard.read_timeout, self._too_slow)

    def disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        metrics.WEBHOOK_DROPPED.labels("too_slow").inc()
        if self._transport is not None:
            self._transport.abort()

    def data_received(self, data: bytes) -> None:
        assert isinstance(self._inner, asyncio.Protocol)
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        assert isinstance(self._inner, asyncio.Protocol)
        return self._inner.eof_received()

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        self.disarm()
        if self._transport is None:  # refused: aiohttp never saw it
            return
        self._guard._forget(self._transport)
        self._inner.connection_lost(exc)
