"""The one delivery path: every update is stored in the database's inbox before Telegram is
told it arrived, then handled from there, so no update is lost when a process dies.

Updates come in one of two ways. In webhook mode the bot serves the webhook itself and
answers Telegram's POST with 200 only once the update is stored. In polling mode (`poll`)
each batch from getUpdates is stored before the next getUpdates call, whose offset is what
confirms the batch to Telegram; a process killed in between gets the same batch again.

Handling is separate from receiving: every replica leases stored updates (the oldest
unfinished one per user, so each user's updates run in order and one at a time), handles
them through python-telegram-bot's Application, and marks them done in the same transaction
that saves the user's session. A replica that dies leaves leases that expire; any other
replica then takes those updates over. `update_id` is the inbox's primary key, so an update
that Telegram sends twice, or that reaches two replicas, is stored and handled once.

An update taken over from a process that died is handled alone, with nothing else in hand,
after a count of one more failure is committed: a process that dies then died on it. After
MAX_FAILURES such deaths it is given up (kept for the operator) so its user's later updates
go on. A process killed from outside blames an update only if it was handling one alone at
that very moment.

The webhook's server is `bot.webhook`, loaded only in webhook mode (aiohttp is 8 MB a
process that polling does not need).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import socket
import sys
from collections import deque
from collections.abc import Coroutine, Sequence
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken
from telegram.ext import Application

from bot import metrics
from ptcc_core.store import Claimed, Store, StoreError

log = logging.getLogger("ptcc.inbox")

# Done updates are kept this long so that a late redelivery is still recognised.
KEEP_DONE = 2 * 24 * 3600
_PRUNE_EVERY = 600
MAX_FAILURES = 3
_STOP_GRACE = 10.0
# getUpdates long-polls this many seconds; the read may take a little longer.
POLL_TIMEOUT = 25.0
_READ_SLACK = 10.0
_MIN_BACKOFF = 0.5
_MAX_BACKOFF = 30.0

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def database_failed(message: str, *args: object) -> None:
    """Log the database error being handled: a StoreError says in one line what is wrong
    and what to do, so its traceback would only bury that; anything else keeps its own."""
    error = sys.exc_info()[1]
    if isinstance(error, StoreError):
        log.error(f"{message}: %s", *args, error)
    else:
        log.exception(message, *args)


class ListenError(Exception):
    """The webhook server cannot listen where the settings say; the message says what to fix."""


class NotAnUpdate(ValueError):
    """A body that is no Telegram update (no positive integer update_id, or not one at all)."""


def _valid_id(update_id: object) -> bool:
    # Telegram's update ids are positive integers; anything else would jam the inbox.
    return type(update_id) is int and 0 < update_id < 2**63


def _user_key(update: Update) -> str:
    """Whose update it is: its user's updates are handled in order, one at a time."""
    user = update.effective_user
    return f"tg:{user.id}" if user is not None else f"update:{update.update_id}"


class Inbox:
    """Keeps incoming updates in the store and hands them, leased, to the Application."""

    def __init__(
        self,
        application: AnyApplication,
        store: Store,
        *,
        workers: int,
        lease: float,
    ) -> None:
        self.application = application
        self.store = store
        self.workers = workers
        self.lease = lease
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self._wake = asyncio.Event()
        self._running: set[asyncio.Task[None]] = set()
        self._in_hand: set[int] = set()
        # Taken-over updates leased and waiting to be handled alone, and the one that is.
        self._alone: deque[Claimed] = deque()
        self._lone: asyncio.Task[None] | None = None

    # Keeping ------------------------------------------------------------------------------

    async def keep(self, data: object) -> int:
        """Store one update as Telegram sent it; returns its id. Raises NotAnUpdate for a
        body that is none, and the store's error if it cannot be stored."""
        update_id, key, payload = self._incoming(data)
        await self.store.enqueue(update_id, key, payload)
        return update_id

    async def keep_batch(self, batch: Sequence[Update]) -> None:
        """Store a getUpdates batch, already read by python-telegram-bot, in one transaction;
        an update whose id would jam the inbox is logged and skipped (Telegram would send it
        again and again otherwise)."""
        incoming = []
        for update in batch:
            if _valid_id(update.update_id):
                payload = json.dumps(update.to_dict())
                incoming.append((update.update_id, _user_key(update), payload))
            else:
                log.error("skipping an update that cannot be read: id %r", update.update_id)
        if incoming:
            await self.store.enqueue_all(incoming)

    def _incoming(self, data: object) -> tuple[int, str, str]:
        """(update_id, the user's key, the payload) of an update, or NotAnUpdate."""
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not _valid_id(update_id):
            raise NotAnUpdate(f"update_id {update_id!r} is not a positive integer")
        try:
            update = Update.de_json(data, self.application.bot)  # type: ignore[arg-type]
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise NotAnUpdate(str(exc)) from exc
        return update.update_id, _user_key(update), json.dumps(data)

    # Handling ----------------------------------------------------------------------------

    async def work(self, stop: asyncio.Event) -> None:
        """Lease and handle updates until `stop` is set; then finish what is in hand."""
        await self.store.on_enqueue(self._wake.set)
        keeper = asyncio.create_task(self._keep_leases(stop))
        try:
            while not stop.is_set():
                self._wake.clear()
                await self._take_more()
                # Wake on a new update anywhere, a finished update here, or to look for
                # expired leases now and then.
                await self._wait(stop, timeout=min(1.0, self.lease / 3))
        finally:
            if self._running:
                await asyncio.wait(self._running, timeout=_STOP_GRACE)
            keeper.cancel()
            with contextlib.suppress(Exception):
                # Whatever is still unfinished goes back to the other replicas now.
                await self.store.release(self.owner)

    async def _take_more(self) -> None:
        """Start handling what this replica can: leased taken-over updates one at a time
        with nothing else running, otherwise as many new leases as workers are free."""
        if self._lone is not None and not self._lone.done():
            return
        if self._alone:
            if not self._running:
                self._lone = self._start(self._handle_alone(self._alone.popleft()))
            return
        free = self.workers - len(self._running)
        if free > 0:
            for claimed in await self._claim(free):
                self._in_hand.add(claimed.update_id)
                if claimed.attempts > 1:
                    self._alone.append(claimed)
                else:
                    self._start(self._handle(claimed))

    def _start(self, handling: Coroutine[None, None, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(handling)
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return task

    async def _wait(self, stop: asyncio.Event, timeout: float) -> None:
        woken = asyncio.ensure_future(self._wake.wait())
        stopped = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait(
                {woken, stopped}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            woken.cancel()
            stopped.cancel()

    async def _claim(self, limit: int) -> list[Claimed]:
        try:
            return await self.store.claim(self.owner, self.lease, limit)
        except Exception:
            metrics.DATABASE_ERRORS.labels("claim").inc()
            database_failed("could not lease updates from the inbox; trying again")
            await asyncio.sleep(1)
            return []

    async def _handle_alone(self, claimed: Claimed) -> None:
        """A taken-over update: given up if processes died on it alone too often (it would
        block its user's later updates for good), else blamed in advance and handled."""
        handle = False
        try:
            if claimed.failures >= MAX_FAILURES:
                await self.store.give_up(claimed.update_id)
                metrics.GIVE_UPS.inc()
                log.error(
                    "gave up update %s: %s processes died handling it; kept for the operator",
                    claimed.update_id,
                    claimed.failures,
                )
            else:
                metrics.TAKE_OVERS.inc()
                log.warning(
                    "taking over update %s (attempt %s): the process that had it stopped",
                    claimed.update_id,
                    claimed.attempts,
                )
                await self.store.blame(claimed.update_id)
                handle = True
        except Exception:
            # Its lease runs out and it is tried again.
            metrics.DATABASE_ERRORS.labels("take_over").inc()
            database_failed("update %s stays in the inbox for another try", claimed.update_id)
        if handle:
            await self._handle(claimed)
        else:
            self._in_hand.discard(claimed.update_id)
            self._wake.set()

    async def _handle(self, claimed: Claimed) -> None:
        log.debug("handling update %s (attempt %s)", claimed.update_id, claimed.attempts)
        try:
            update = Update.de_json(json.loads(claimed.payload), self.application.bot)
            # Handler errors go to the Application's error handler and do not come back here.
            with metrics.HANDLING.time():
                await self.application.process_update(update)
        except Exception:
            log.exception("could not handle update %s", claimed.update_id)
        # For a conversation turn the save has marked it done already; this covers the rest
        # (inline queries, /stats, ignored updates) and costs a no-op UPDATE otherwise.
        await self._settle(claimed.update_id)

    async def _settle(self, update_id: int) -> None:
        """Mark the update done; if even that fails, its lease runs out and it is tried again."""
        try:
            await self.store.finish(update_id)
        except Exception:
            metrics.DATABASE_ERRORS.labels("finish").inc()
            database_failed("update %s stays in the inbox for another try", update_id)
        finally:
            self._in_hand.discard(update_id)
            self._wake.set()

    async def _keep_leases(self, stop: asyncio.Event) -> None:
        """Renew this replica's leases while it works on them; prune old done updates."""
        since_prune = float(_PRUNE_EVERY)
        while not stop.is_set():
            await asyncio.sleep(self.lease / 3)
            since_prune += self.lease / 3
            try:
                if self._in_hand:
                    await self.store.renew(self.owner, self.lease, sorted(self._in_hand))
                if since_prune >= _PRUNE_EVERY:
                    await self.store.prune(KEEP_DONE)
                    since_prune = 0
            except Exception:
                metrics.DATABASE_ERRORS.labels("renew").inc()
                database_failed("could not renew leases")


async def poll(inbox: Inbox, stop: asyncio.Event, timeout: float = POLL_TIMEOUT) -> None:
    """Long-poll getUpdates until `stop` is set, storing each batch before the next call
    confirms it; run beside `inbox.work`. A rejected token ends it (InvalidToken)."""
    bot = inbox.application.bot
    await bot.delete_webhook()
    offset: int | None = None
    delay = _MIN_BACKOFF
    while not stop.is_set():
        try:
            batch = await bot.get_updates(
                offset=offset,
                timeout=int(timeout),
                read_timeout=timeout + _READ_SLACK,
                allowed_updates=Update.ALL_TYPES,
            )
            await inbox.keep_batch(batch)
        except InvalidToken:
            raise
        except Conflict as exc:
            log.error("another process is polling Telegram with this token (%s)", exc)
        except Exception as exc:
            # Nothing is confirmed: the same batch comes again on the next call.
            log.warning("could not fetch or store updates (%s); trying again in %ss", exc, delay)
        else:
            if batch:
                offset = batch[-1].update_id + 1
            delay = _MIN_BACKOFF
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(delay * 2, _MAX_BACKOFF)
