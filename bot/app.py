"""The Telegram application: handlers that turn updates into advisor events and replies into
messages, per-user ordering, logging without the token, polling or webhook.

Run it with `ptcc-bot` (see bot/main.py and the README's "Run it on Telegram").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any, Literal, TypeVar
from urllib.parse import urlparse

from telegram import (
    Bot,
    BotCommand,
    Chat,
    InlineQueryResultArticle,
    InputTextMessageContent,
    MaybeInaccessibleMessage,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import metrics
from bot.charts import Charts
from bot.inbox import POLL_TIMEOUT, Inbox, ListenError, poll
from bot.logs import configure_logging
from bot.render import keyboard, message_text
from bot.settings import Settings
from ptcc_core.advisor import Advisor
from ptcc_core.conversation import Event, Outcome, Reply
from ptcc_core.estimator import Estimate
from ptcc_core.loading import KnowledgeError
from ptcc_core.store import Store, StoreError, check_store, open_store
from ptcc_core.turn import take_turn

log = logging.getLogger("ptcc.bot")

COMMANDS = {
    "start": "Welcome and what I can do",
    "estimate": "A personal salary estimate",
    "profile": "Your answers and estimates",
    "topics": "Browse what I know",
    "offer": "Total compensation of a job offer",
    "compare": "Compare two job offers",
    "forget": "Delete all your data",
    "privacy": "What I keep, and for how long",
    "help": "How to use me",
    "cancel": "Stop the questionnaire",
}
NOT_TEXT = "I can only read text messages. Ask me a question, or tap below for a salary estimate."
TROUBLE = "Sorry, something went wrong on my side. Please try again in a moment."
_RETRY_DELAYS = (0.5, 1.0, 2.0)
# Chats whose live question is remembered (its buttons go when it is answered), and albums
# already answered; the oldest are forgotten first, so memory stays bounded.
MAX_REMEMBERED = 10_000
EXPIRE_EVERY = 3600
CONNECTIONS = 32
POOL_WAIT = 10.0
Sent = TypeVar("Sent")
ONE_POLLER = (
    "another ptcc-bot is already polling Telegram with this database, and Telegram allows one "
    "getUpdates consumer per bot. Stop it, or run several replicas in webhook mode "
    '(PTCC_WEBHOOK_URL with a PostgreSQL PTCC_DB; see the README\'s "Run at scale").'
)
SLOW_DOWN = (
    "You're sending messages faster than I can read them. Give me a few seconds, then ask again."
)


class PerUserOrder(BaseUpdateProcessor):
    """Runs updates of different users concurrently and each user's updates in order."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        user = update.effective_user if isinstance(update, Update) else None
        if user is None:
            await coroutine
            return
        lock = self._locks.setdefault(user.id, asyncio.Lock())
        self._waiting[user.id] = self._waiting.get(user.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[user.id] -= 1
            if not self._waiting[user.id]:
                # The last update of this user in flight: drop the lock so memory stays flat.
                del self._waiting[user.id], self._locks[user.id]

    async def initialize(self) -> None:
        """Nothing to set up: locks are made per user on demand."""

    async def shutdown(self) -> None:
        """Nothing to release."""


class Pace:
    """Per-user flood control: a bucket of BURST messages that refills at RATE a second.

    A user over the limit gets one kind warning per flood (the flood ends once their bucket
    has refilled), and their extra messages are skipped until then; other users are not
    touched. Buckets of users who went quiet are dropped now and then, so memory stays flat
    however many users come."""

    BURST = 10
    RATE = 2.0
    SWEEP_EVERY = 1000

    def __init__(self) -> None:
        self._tokens: dict[int, tuple[float, float]] = {}
        self._warned: set[int] = set()
        self._calls = 0

    def _level(self, user_id: int, now: float) -> float:
        tokens, since = self._tokens.get(user_id, (self.BURST, now))
        return min(self.BURST, tokens + (now - since) * self.RATE)

    def allow(self, user_id: int) -> bool:
        now = time.monotonic()
        self._calls += 1
        if self._calls % self.SWEEP_EVERY == 0:
            self._sweep(now)
        tokens = self._level(user_id, now)
        if tokens >= self.BURST:
            self._warned.discard(user_id)  # quiet long enough: a new flood may be warned
        if tokens >= 1:
            self._tokens[user_id] = (tokens - 1, now)
            return True
        self._tokens[user_id] = (tokens, now)
        return False

    def should_warn(self, user_id: int) -> bool:
        if user_id in self._warned:
            return False
        self._warned.add(user_id)
        return True

    def _sweep(self, now: float) -> None:
        """Forget users whose bucket is full again: they are as new."""
        full = [u for u in self._tokens if self._level(u, now) >= self.BURST]
        for user_id in full:
            del self._tokens[user_id]
            self._warned.discard(user_id)

    def tracked(self) -> int:
        return len(self._tokens)


async def _with_retries(send: Callable[[], Awaitable[Sent]]) -> Sent:
    """Send, trying again with back-off when Telegram answers 5xx or the connection drops.

    Not on a timeout: the message may have arrived, and a user should not read it twice.
    Bad requests are not retried either: they would fail the same way.
    """
    for delay in _RETRY_DELAYS:
        try:
            return await send()
        except (BadRequest, TimedOut):
            raise
        except NetworkError as exc:
            log.warning("Telegram did not take a message (%s); trying again in %ss", exc, delay)
            await asyncio.sleep(delay)
    return await send()


class Channel:
    """Bridges Telegram updates and the advisor, with the store in between."""

    def __init__(
        self,
        advisor: Advisor,
        db: str | None,
        admin_ids: tuple[int, ...],
        polling: bool,
        with_metrics: bool = False,
    ) -> None:
        self.advisor = advisor
        self.db = db
        self.admin_ids = frozenset(admin_ids)
        # Polling takes the database's one polling slot (Telegram allows one consumer).
        self.polling = polling
        self._store: Store | None = None
        self._charts: Charts | None = None
        self._pace = Pace()
        self._live_questions: OrderedDict[int, int] = OrderedDict()
        self._albums: OrderedDict[str, None] = OrderedDict()
        self._expiry: asyncio.Task[None] | None = None
        # Metrics served: keep the inbox backlog gauges fresh too.
        self._with_metrics = with_metrics
        self._backlog: asyncio.Task[None] | None = None
        # Known once the bot has asked Telegram who it is (Application.initialize).
        self.username = ""

    @property
    def store(self) -> Store:
        assert self._store is not None, "the store opens in post_init"
        return self._store

    async def open(self) -> None:
        self._store = await open_store(self.db)
        if self.polling and not await self._store.hold_polling_lock():
            await self._store.close()
            raise StoreError(ONE_POLLER)
        self._charts = Charts(self.advisor.knowledge.factors)
        self._expiry = asyncio.create_task(self._expire_now_and_then())
        if self._with_metrics:
            self._backlog = asyncio.create_task(metrics.Backlog(self._store.backlog).run())

    async def _expire_now_and_then(self) -> None:
        """Delete what has outlived its retention (README, "Privacy"), at start and hourly."""
        while True:
            try:
                await self.store.expire(self.advisor.retention)
            except Exception:
                metrics.DATABASE_ERRORS.labels("expire").inc()
                log.exception("could not delete expired questions and sessions; trying later")
            await asyncio.sleep(EXPIRE_EVERY)

    async def close(self) -> None:
        for task in (self._expiry, self._backlog):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._store is not None:
            await self._store.close()
        if self._charts is not None:
            self._charts.close()

    async def deliver(
        self,
        update: Update,
        kind: Literal["text", "choice", "command"],
        value: str,
        pressed: MaybeInaccessibleMessage | None = None,
    ) -> None:
        user = update.effective_user
        chat = update.effective_chat
        if user is None or chat is None:
            return
        metrics.UPDATES.labels(kind).inc()
        if not self._pace.allow(user.id):
            if self._pace.should_warn(user.id):
                await chat.send_message(SLOW_DOWN)
            return
        event = Event(
            kind=kind,
            value=value[:5000],
            at=datetime.now(UTC),
            private=chat.type == ChatType.PRIVATE,
        )
        done = update.update_id

        async def send(outcome: Outcome) -> None:
            metrics.count_outcome(outcome, typed=kind == "text")
            if outcome.replies:
                await self.store.sending(done)
            await self._show(chat, outcome, pressed)

        # Every update comes from the inbox (bot/inbox.py): replies first, then the save that
        # marks the update done. A process that dies in between leaves the update to be
        # handled again, from the same session.
        await take_turn(self.advisor, self.store, f"tg:{user.id}", event, send, done)

    async def _show(
        self, chat: Chat, outcome: Outcome, pressed: MaybeInaccessibleMessage | None
    ) -> None:
        """The replies in the chat. A press whose outcome replaces its message edits that
        message; the rest are new messages. Only the newest questionnaire or offer question
        keeps its buttons: an older one's are taken away, so no answered step stays live."""
        replies = list(outcome.replies)
        edited: int | None = None
        if (
            pressed is not None
            and outcome.replaces
            and replies
            and await self._edit(pressed, replies[0])
        ):
            edited = pressed.message_id
            self._note_question(chat.id, edited, replies[0])
            if replies[0].estimate is not None:
                await self._send_chart(chat, replies[0].estimate)
            replies.pop(0)
        live = self._live_questions.get(chat.id)
        if live is not None and live != edited and (replies or edited is not None):
            await self._take_buttons_away(chat, live)
        for reply in replies:
            try:
                sent = await _with_retries(partial(chat.send_message, **self._content(reply)))
            except TimedOut as exc:
                # The message may well have arrived: go on as if it had, never send twice.
                log.warning("Telegram took too long to confirm a message: %s", exc)
            else:
                self._note_question(chat.id, sent.message_id, reply)
            if reply.estimate is not None:
                await self._send_chart(chat, reply.estimate)

    async def _edit(self, pressed: MaybeInaccessibleMessage, reply: Reply) -> bool:
        """Put the reply in place of the pressed message; False if Telegram will not (the
        message is too old, or is a photo), so the reply goes out as a new message."""
        if not isinstance(pressed, Message) or pressed.photo:
            return False
        try:
            await _with_retries(partial(pressed.edit_text, **self._content(reply)))
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return True
            log.info("could not edit a message, sending a new one: %s", exc)
            return False
        except TimedOut as exc:
            log.warning("Telegram took too long to confirm an edit: %s", exc)
        return True

    def _content(self, reply: Reply) -> dict[str, Any]:
        """What a message shows, the same whether it is sent or edited into place."""
        return {
            "text": message_text(reply),
            "parse_mode": ParseMode.HTML,
            "reply_markup": keyboard(reply.choices, self.username),
        }

    def _note_question(self, chat_id: int, message_id: int | None, reply: Reply) -> None:
        """Remember the chat's live question, whose buttons go once it is answered."""
        if message_id is None:
            return
        if reply.kind == "question" and reply.choices:
            self._live_questions[chat_id] = message_id
            self._live_questions.move_to_end(chat_id)
            while len(self._live_questions) > MAX_REMEMBERED:
                self._live_questions.popitem(last=False)
        elif self._live_questions.get(chat_id) == message_id:
            del self._live_questions[chat_id]

    async def _take_buttons_away(self, chat: Chat, message_id: int) -> None:
        self._live_questions.pop(chat.id, None)
        try:
            await chat.get_bot().edit_message_reply_markup(chat.id, message_id, reply_markup=None)
        except TelegramError as exc:  # gone or already bare: nothing is left to press
            log.info("could not take the buttons off an answered question: %s", exc)

    async def _send_chart(self, chat: Chat, estimate: Estimate) -> None:
        """The estimate as a picture, after its text: if this fails, the text has arrived."""
        try:
            assert self._charts is not None, "the chart worker starts in open()"
            await self._charts.send(chat, estimate)
        except Exception:  # a chart is a bonus: never let it break the reply
            log.warning("could not send the estimate chart", exc_info=True)

    # Handlers -----------------------------------------------------------------------------

    async def drop_forged(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Run before every handler: Telegram never sends a private chat whose id is not its
        user's, and a forged one could send one user's data (or /stats) to another's chat."""
        user, chat = update.effective_user, update.effective_chat
        private = chat is not None and chat.type == ChatType.PRIVATE
        if private and user is not None and chat is not None and chat.id != user.id:
            log.warning("dropping update %s: private chat and sender differ", update.update_id)
            raise ApplicationHandlerStop

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or not message.text:
            return
        words = message.text.split()
        name, _, addressee = words[0].lstrip("/").partition("@")
        if addressee and addressee.lower() != self.username.lower():
            return  # "/start@otherbot" in a group is for another bot
        # The name and a deep link's payload: "/start estimate".
        await self.deliver(update, "command", " ".join([name.lower(), *words[1:2]]))

    async def on_stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        texts = self.advisor.texts
        allowed = user.id in self.admin_ids
        reply = texts.stats(await self.store.stats()) if allowed else texts.operators_only()
        await chat.send_message(message_text(reply), parse_mode=ParseMode.HTML)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or not message.text:
            return
        text: str | None = message.text
        if message.chat.type != ChatType.PRIVATE:
            text = self._addressed_text(message, context.bot.username)
        if text is not None:
            await self.deliver(update, "text", text)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        try:
            await query.answer()
        except TelegramError as exc:
            log.info("could not answer a button press: %s", exc)
        await self.deliver(update, "choice", query.data or "", pressed=query.message)

    async def on_inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.inline_query
        metrics.UPDATES.labels("inline").inc()
        if query is None or not self._pace.allow(query.from_user.id):
            return  # over the limit: no answer, as Telegram shows for a slow bot
        results = [
            InlineQueryResultArticle(
                id=entry.id,
                title=entry.title,
                description=entry.answer[:120],
                input_message_content=InputTextMessageContent(
                    message_text(self.advisor.texts.entry(entry, 100.0, ())),
                    parse_mode=ParseMode.HTML,
                ),
            )
            for entry in self.advisor.best_entries(query.query[:256])
        ]
        await query.answer(results, cache_time=300)

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        metrics.UPDATES.labels("other").inc()
        if message is None or message.chat.type != ChatType.PRIVATE:
            return
        if message.media_group_id is not None:
            # An album arrives as one update per photo: answer its first one only.
            if message.media_group_id in self._albums:
                return
            self._albums[message.media_group_id] = None
            while len(self._albums) > MAX_REMEMBERED:
                self._albums.popitem(last=False)
        reply = self.advisor.texts.small_talk("help")
        await message.reply_text(NOT_TEXT, reply_markup=keyboard(reply.choices, self.username))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(context.error, TimedOut):
            # The reply may well have arrived: an apology on top would only confuse.
            log.warning("Telegram took too long to confirm a message: %s", context.error)
            return
        if isinstance(context.error, StoreError):
            # It says in one line what is wrong with the database and what to do.
            log.error("could not handle an update: %s", context.error)
        else:
            log.error("error while handling an update", exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            try:
                await update.effective_chat.send_message(TROUBLE)
            except TelegramError:
                log.warning("could not tell the user about the error")

    @staticmethod
    def _addressed_text(message: Message, username: str) -> str | None:
        """In a group: the text if it mentions the bot or replies to it, else None."""
        mention = f"@{username}".lower()
        text = message.text or ""
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.is_bot:
            return text
        if mention in text.lower():
            start = text.lower().index(mention)
            return (text[:start] + text[start + len(mention) :]).strip()
        return None


AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def build_application(settings: Settings, advisor: Advisor) -> AnyApplication:
    """The python-telegram-bot Application, wired to the advisor and the store."""
    assert settings.telegram_bot_token is not None
    token = settings.telegram_bot_token.get_secret_value()
    channel = Channel(
        advisor,
        settings.ptcc_db,
        settings.ptcc_admin_ids,
        polling=not settings.ptcc_webhook_url,
        with_metrics=settings.ptcc_metrics_port is not None,
    )

    async def post_init(application: AnyApplication) -> None:
        await channel.open()
        channel.username = application.bot.username
        try:
            await application.bot.set_my_commands(
                [BotCommand(name, description) for name, description in COMMANDS.items()]
            )
        except TelegramError as exc:
            log.warning("could not register the command list (setMyCommands): %s", exc)

    async def post_shutdown(application: AnyApplication) -> None:
        await channel.close()

    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.ptcc_bot_api_url)
        .base_file_url(settings.ptcc_bot_api_url.replace("/bot", "/file/bot"))
        .concurrent_updates(PerUserOrder(256))
        # httpx scans its whole pool on every request: 256 connections (PTB's default) cost
        # more CPU than they save. A request waits for a free connection rather than fail.
        .connection_pool_size(CONNECTIONS)
        .pool_timeout(POOL_WAIT)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    application: AnyApplication
    if settings.ptcc_rate_limit > 0:
        # Waits out Telegram's 429 "retry after" and keeps under its flood limits.
        limiter = AIORateLimiter(overall_max_rate=settings.ptcc_rate_limit, max_retries=3)
        application = builder.rate_limiter(limiter).build()
    else:
        application = builder.build()
    application.add_handler(TypeHandler(Update, channel.drop_forged), group=-1)
    application.add_handler(CommandHandler("stats", channel.on_stats))
    application.add_handler(CommandHandler(list(COMMANDS), channel.on_command))
    application.add_handler(CallbackQueryHandler(channel.on_button))
    application.add_handler(InlineQueryHandler(channel.on_inline))
    application.add_handler(
        MessageHandler(
            filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGES, channel.on_text
        )
    )
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGES & ~filters.TEXT, channel.on_other)
    )
    application.add_handler(MessageHandler(filters.COMMAND, channel.on_command))
    application.add_error_handler(channel.on_error)
    application.bot_data["channel"] = channel
    return application


def run(settings: Settings) -> int:
    """Start the bot in polling or webhook mode; returns the exit status.

    Operator mistakes (broken knowledge files, an unusable database, a token Telegram
    rejects) stop start-up with a message that says what to fix."""
    assert settings.telegram_bot_token is not None
    configure_logging(settings.secrets(), settings.ptcc_log_format, settings.ptcc_log_level)
    try:
        advisor = Advisor.load(retention=settings.retention())
        asyncio.run(check_store(settings.ptcc_db))
        asyncio.run(check_telegram(settings))
        if settings.ptcc_metrics_port is not None:
            serve_metrics(settings.ptcc_metrics_host, settings.ptcc_metrics_port)
    except (KnowledgeError, StoreError, StartError) as exc:
        log.error("cannot start: %s", exc)
        return 1
    application = build_application(settings, advisor)
    try:
        serve_updates = serve_webhook if settings.ptcc_webhook_url else serve_polling
        asyncio.run(_until_signalled(partial(serve_updates, settings, application)))
    except (StoreError, ListenError) as exc:
        log.error("cannot start: %s", exc)
        return 1
    except Stopped as exc:
        log.error("stopped: %s", exc)
        return 1
    except InvalidToken:
        log.error("cannot start: %s", REJECTED)
        return 1
    except Exception:
        # A bug: its traceback goes through the log's redaction, never straight to stderr.
        log.exception("stopped by an unexpected error")
        return 1
    return 0


class StartError(Exception):
    """Telegram cannot be used with these settings; the message says what to fix."""


class Stopped(Exception):
    """The running bot had to stop (its database became unusable); the message says why."""


def serve_metrics(host: str, port: int) -> None:
    try:
        metrics.serve(host, port)
    except OSError as exc:
        raise StartError(
            f"cannot serve metrics on {host}:{port} ({exc.strerror or exc}). Set "
            "PTCC_METRICS_PORT to a free port, or unset it to turn metrics off."
        ) from None


REJECTED = (
    "Telegram rejected TELEGRAM_BOT_TOKEN. Copy the token again from @BotFather "
    "(/mybots -> API Token) and set it."
)


async def check_telegram(settings: Settings) -> None:
    """Ask Telegram who the bot is, once, before anything starts: a rejected token or an
    unreachable server stops start-up with one sentence (never the token, never a traceback)."""
    assert settings.telegram_bot_token is not None
    bot = Bot(settings.telegram_bot_token.get_secret_value(), base_url=settings.ptcc_bot_api_url)
    host = urlparse(settings.ptcc_bot_api_url).netloc or settings.ptcc_bot_api_url
    try:
        async with bot:
            await bot.get_me()
    except InvalidToken:
        raise StartError(REJECTED) from None
    except (NetworkError, TimedOut) as exc:
        reason = str(exc).replace(settings.telegram_bot_token.get_secret_value(), "<token>")
        raise StartError(
            f"could not reach Telegram at {host} ({reason}). Check the network connection "
            "(or PTCC_BOT_API_URL) and start again."
        ) from None


async def _until_signalled(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await main(stop)


@contextlib.asynccontextmanager
async def _running(
    settings: Settings, application: AnyApplication, stop: asyncio.Event
) -> AsyncIterator[Inbox]:
    """The Application started (and stopped after), with the inbox its updates go through;
    `stop` is set, and Stopped raised after, if the database becomes unusable meanwhile."""
    unusable: list[str] = []

    def must_stop(reason: str) -> None:
        unusable.append(reason)
        stop.set()

    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        channel: Channel = application.bot_data["channel"]
        channel.store.on_unusable(must_stop)
        yield Inbox(
            application,
            channel.store,
            workers=settings.ptcc_workers,
            lease=settings.ptcc_inbox_lease,
        )
    finally:
        if application.running:
            await application.stop()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
        await application.shutdown()
    if unusable:
        raise Stopped(unusable[0])


async def serve_webhook(
    settings: Settings, application: AnyApplication, stop: asyncio.Event
) -> None:
    """Webhook mode until `stop` is set; several replicas may share one PostgreSQL database."""
    assert settings.ptcc_webhook_url is not None
    secret = settings.ptcc_webhook_secret
    assert secret is not None, "the settings refuse webhook mode without a secret"
    # Here, not at the top: polling needs no HTTP server (aiohttp is 8 MB a process).
    from bot.guard import ConnectionGuard
    from bot.webhook import serve

    async with _running(settings, application, stop) as inbox:
        await serve(
            inbox,
            url=settings.ptcc_webhook_url,
            path=urlparse(settings.ptcc_webhook_url).path or "/",
            listen=settings.ptcc_webhook_listen,
            port=settings.ptcc_webhook_port,
            secret=secret.get_secret_value(),
            guard=ConnectionGuard(
                settings.ptcc_webhook_max_connections, settings.ptcc_webhook_read_timeout
            ),
            stop=stop,
        )


async def serve_polling(
    settings: Settings,
    application: AnyApplication,
    stop: asyncio.Event,
    poll_timeout: float = POLL_TIMEOUT,
) -> None:
    """Polling mode until `stop` is set: getUpdates (long-polling `poll_timeout` seconds)
    into the inbox, handled from there."""
    async with _running(settings, application, stop) as inbox:
        # This process holds the polling slot: what a killed one left leased is taken now,
        # not when its lease runs out.
        await inbox.store.release_every_lease()
        poller = asyncio.create_task(poll(inbox, stop, poll_timeout))
        # A poller that ends (a rejected token) stops the workers too.
        poller.add_done_callback(lambda _: stop.set())
        try:
            await inbox.work(stop)
        finally:
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller
