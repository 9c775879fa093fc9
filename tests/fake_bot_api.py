"""A small fake Telegram Bot API server for end-to-end tests, on 127.0.0.1 over real HTTP.

It serves the methods the bot calls, validates their parameters the way Telegram does
(malformed HTML in parse_mode=HTML, texts over 4,096 characters, callback data over 64 bytes
are rejected with 400 Bad Request), feeds updates through getUpdates, and records what the
bot sends so tests can read the conversation back.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiohttp import web

# Shaped like a token from @BotFather: the bot id, a colon, 35 letters, digits, - or _.
TOKEN = "123456789:AAHfakeTokenForTheLocalTestBotApi01"
# A webhook secret as the README says to make one: long and random.
WEBHOOK_SECRET = "Qm9sZC1yYW5kb20td2ViaG9vay1zZWNyZXQtZm9yLXRlc3Rz"
BOT_USER = {"id": 999, "is_bot": True, "first_name": "PTCC Advisor", "username": "ptcc_test_bot"}
_ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                 "tg-spoiler", "span", "blockquote", "tg-emoji"}  # fmt: skip


class _TelegramHTML(HTMLParser):
    """Checks text the way Telegram parses parse_mode=HTML; collects the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.visible: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS:
            self.error = f'Unsupported start tag "{tag}"'
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.error = f'Unexpected end tag "{tag}"'
        else:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data or ">" in data:
            self.error = "Unexpected '<' or '>'"
        self.visible.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in ("lt", "gt", "amp", "quot"):
            self.error = f'Unsupported HTML entity "&{name};"'
        self.visible.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.visible.append(html.unescape(f"&#{name};"))


def check_html(text: str) -> tuple[str | None, str]:
    """(error or None, visible text) for a parse_mode=HTML message."""
    if "&" in text:
        # A bare "&" that starts no entity is malformed for Telegram.
        for index in (i for i, c in enumerate(text) if c == "&"):
            end = text.find(";", index)
            if end == -1 or end - index > 10 or " " in text[index:end]:
                return "Can't parse entities: bare '&'", text
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    if parser.error is None and parser.open:
        parser.error = f'Can\'t find end tag corresponding to start tag "{parser.open[-1]}"'
    return parser.error, "".join(parser.visible)


class BadRequest(Exception):
    pass


@dataclass
class Sent:
    """A message the bot sent or edited."""

    method: str
    chat_id: int
    message_id: int
    text: str
    buttons: list[tuple[str, str]]
    at: float = field(default_factory=time.monotonic)


class FakeBotAPI:
    """Start with `await api.start()`; point the bot at `api.base_url`."""

    def __init__(self) -> None:
        self.updates: list[dict[str, Any]] = []
        # Update ids a getUpdates offset has confirmed: Telegram will never send them again.
        self.confirmed: set[int] = set()
        self.sent: list[Sent] = []
        # The same messages by chat: tests with many users wait on one chat each.
        self._sent_to: dict[int, list[Sent]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.rejected: list[tuple[str, str]] = []
        self.commands: list[dict[str, str]] = []
        self.callback_answers: list[str] = []
        self.webhook: dict[str, Any] | None = None
        self.fail_photos = False
        # file_id -> the PNG uploaded: a photo sent by its file_id is looked up here.
        self.photos: dict[str, bytes] = {}
        # method -> retry_after seconds for each 429 Too Many Requests still to answer
        self.too_many: dict[str, list[int]] = {}
        # method -> seconds to wait before answering each of the next calls
        self.slow: dict[str, list[float]] = {}
        # method -> how many calls to drop (connection closed, no answer) before serving it
        self.drop: dict[str, int] = {}
        # method -> HTTP statuses (500, 502, ...) to answer before serving it again
        self.server_errors: dict[str, list[int]] = {}
        self.inline_answers: dict[str, list[dict[str, Any]]] = {}
        # Called with (method, params) before each call is served: a test acts at that moment
        # (kills the bot while it handles an update, say).
        self.before_call: Callable[[str, dict[str, Any]], None] | None = None
        # What each message shows now, as Telegram keeps it: (chat, message id) -> the last
        # send or edit. An edit replaces text and keyboard; editing the keyboard alone too.
        self.shown: dict[tuple[int, int], Sent] = {}
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._new_update = asyncio.Condition()
        self._new_message = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self, host: str = "127.0.0.1") -> None:
        """Listen on a free port of `host` (deploy/check passes 0.0.0.0, for containers)."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # Feeding updates -------------------------------------------------------------------------

    def _user(self, user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}

    def _chat(self, chat_id: int, kind: str | None = None) -> dict[str, Any]:
        # As on Telegram, a group's id is negative and a private chat's is the user's id.
        kind = kind or ("group" if chat_id < 0 else "private")
        return {"id": chat_id, "type": kind, **({"title": "Group"} if kind != "private" else {})}

    async def push(self, update: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        update["update_id"] = update_id
        async with self._new_update:
            self.updates.append(update)
            self._new_update.notify_all()
        return update_id

    def message(
        self,
        user_id: int,
        text: str | None = None,
        chat_id: int | None = None,
        chat_type: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(chat_id if chat_id is not None else user_id, chat_type),
            "from": self._user(user_id),
            **extra,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                length = len(text.split()[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return message

    async def send_text(self, user_id: int, text: str, **kwargs: Any) -> int:
        return await self.push({"message": self.message(user_id, text, **kwargs)})

    async def press(
        self,
        user_id: int,
        data: str,
        message_id: int | None = None,
        chat_id: int | None = None,
        forged: bool = False,
    ) -> int:
        """Press a button the bot's message shows now (the latest message with buttons in
        the chat by default). As on Telegram, a button no longer shown cannot be pressed;
        `forged` sends the press anyway, as a hand-made request could."""
        chat = chat_id if chat_id is not None else user_id
        if message_id is None:
            with_buttons = [i for (c, i), m in self.shown.items() if c == chat and m.buttons]
            message_id = max(with_buttons, default=1)
        shown = self.shown.get((chat, message_id))
        if not forged:
            on_it = [value for _, value in shown.buttons] if shown else []
            assert data in on_it, f"no button {data!r} on message {message_id}: {on_it}"
        query = self.callback_query(user_id, data, message_id, chat)
        return await self.push({"callback_query": query})

    def callback_query(
        self, user_id: int, data: str, message_id: int, chat_id: int | None = None
    ) -> dict[str, Any]:
        """A button press on the bot's message `message_id`, as Telegram sends it."""
        chat = chat_id if chat_id is not None else user_id
        shown = self.shown.get((chat, message_id))
        return {
            "id": str(next(self._update_ids) * 7),
            "from": self._user(user_id),
            "chat_instance": str(chat),
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": self._chat(chat),
                "from": BOT_USER,
                "text": shown.text if shown else "...",
            },
        }

    def live_keyboards(self, chat_id: int) -> list[Sent]:
        """The messages in a chat that still show buttons to press."""
        return [m for (c, _), m in self.shown.items() if c == chat_id and m.buttons]

    # Reading what the bot sent -------------------------------------------------------------------

    def to(self, chat_id: int) -> list[Sent]:
        return list(self._sent_to.get(chat_id, ()))

    async def wait_for(self, chat_id: int, count: int, timeout: float = 10) -> list[Sent]:
        """Wait until the bot has sent at least `count` messages to the chat."""

        async def enough() -> None:
            async with self._new_message:
                await self._new_message.wait_for(
                    lambda: len(self._sent_to.get(chat_id, ())) >= count
                )

        try:
            await asyncio.wait_for(enough(), timeout)
        except TimeoutError:
            raise AssertionError(
                f"chat {chat_id}: {len(self.to(chat_id))} messages, wanted {count}: "
                f"{[s.text[:60] for s in self.to(chat_id)]}"
            ) from None
        return self.to(chat_id)

    async def wait_for_total(self, count: int) -> None:
        """Wait until the bot has sent at least `count` messages, to anyone."""
        async with self._new_message:
            await self._new_message.wait_for(lambda: len(self.sent) >= count)

    # The API --------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append((method, params))
        if self.before_call is not None:
            self.before_call(method, params)
        if self.too_many.get(method):
            retry_after = self.too_many[method].pop(0)
            self.rejected.append((method, "429"))
            return web.json_response(
                {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {retry_after}",
                 "parameters": {"retry_after": retry_after}},
                status=429,
            )  # fmt: skip
        if self.slow.get(method):
            await asyncio.sleep(self.slow[method].pop(0))
        if self.drop.get(method):
            self.drop[method] -= 1
            self.rejected.append((method, "dropped"))
            assert request.transport is not None
            request.transport.close()
            return web.Response(status=500)
        if self.server_errors.get(method):
            status = self.server_errors[method].pop(0)
            self.rejected.append((method, str(status)))
            return web.json_response(
                {"ok": False, "error_code": status, "description": "Bad Gateway"}, status=status
            )
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
                status=404,
            )
        try:
            result = await handler(params)
        except BadRequest as exc:
            self.rejected.append((method, str(exc)))
            return web.json_response(
                {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}, status=400
            )
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    async def _params(request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        data = await request.post()
        params: dict[str, Any] = {}
        for key, value in data.items():
            if isinstance(value, str):
                try:
                    params[key] = json.loads(value)
                except ValueError:
                    params[key] = value
            else:
                params[key] = value
        return params

    async def _m_getme(self, params: dict[str, Any]) -> Any:
        return BOT_USER

    async def _m_deletewebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = None
        return True

    async def _m_setwebhook(self, params: dict[str, Any]) -> Any:
        url = str(params.get("url", ""))
        if not url.startswith("https://"):
            raise BadRequest("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = {"url": url, "secret_token": params.get("secret_token")}
        return True

    async def _m_setmycommands(self, params: dict[str, Any]) -> Any:
        commands = params.get("commands") or []
        for command in commands:
            if (
                not 1 <= len(command["command"]) <= 32
                or not 1 <= len(command["description"]) <= 256
            ):
                raise BadRequest("invalid command")
        self.commands = commands
        return True

    async def _m_getupdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        # As on Telegram: asking from an offset confirms every update before it.
        self.confirmed |= {u["update_id"] for u in self.updates if u["update_id"] < offset}
        self.updates = [u for u in self.updates if u["update_id"] >= offset]

        def pending() -> list[dict[str, Any]]:
            return [u for u in self.updates if u["update_id"] >= offset][:100]

        async with self._new_update:
            if not pending() and timeout:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._new_update.wait_for(lambda: bool(pending())), timeout
                    )
            return pending()

    def _check_text(self, params: dict[str, Any]) -> str:
        text = str(params.get("text", ""))
        visible = text
        if params.get("parse_mode") == "HTML":
            error, visible = check_html(text)
            if error:
                raise BadRequest(f"can't parse entities: {error}")
        if not visible.strip():
            raise BadRequest("message text is empty")
        if len(visible) > 4096:
            raise BadRequest("message is too long")
        return text

    @staticmethod
    def _buttons(params: dict[str, Any]) -> list[tuple[str, str]]:
        markup = params.get("reply_markup") or {}
        buttons = []
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    raise BadRequest("text buttons are unallowed in the inline keyboard")
                if "url" in button:
                    if not str(button["url"]).startswith(("https://", "http://", "tg://")):
                        raise BadRequest("BUTTON_URL_INVALID")
                    buttons.append((button["text"], f"url:{button['url']}"))
                    continue
                data = button.get("callback_data", "")
                if not 1 <= len(data.encode()) <= 64:
                    raise BadRequest("BUTTON_DATA_INVALID")
                buttons.append((button["text"], data))
        return buttons

    async def _deliver(self, sent: Sent, content: dict[str, Any]) -> dict[str, Any]:
        """Record a message the bot sent and answer with the Message Telegram would return."""
        async with self._new_message:
            self.sent.append(sent)
            self._sent_to.setdefault(sent.chat_id, []).append(sent)
            self.shown[(sent.chat_id, sent.message_id)] = sent
            self._new_message.notify_all()
        return {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": self._chat(sent.chat_id),
            "from": BOT_USER,
            **content,
        }

    async def _record(self, method: str, params: dict[str, Any], message_id: int) -> dict[str, Any]:
        text = self._check_text(params)
        sent = Sent(method, int(params["chat_id"]), message_id, text, self._buttons(params))
        return await self._deliver(sent, {"text": html.unescape(text)})

    async def _m_sendmessage(self, params: dict[str, Any]) -> Any:
        return await self._record("sendMessage", params, next(self._message_ids))

    async def _m_sendphoto(self, params: dict[str, Any]) -> Any:
        if self.fail_photos:
            raise BadRequest("PHOTO_INVALID_DIMENSIONS")
        photo = params.get("photo")
        content = getattr(photo, "file", None)
        if isinstance(photo, str) and photo in self.photos:
            file_id = photo  # a photo Telegram already has, sent again by its file_id
        elif content is not None and content.read(8).startswith(b"\x89PNG"):
            file_id = f"AgACAgQAAxkDAAI{len(self.photos):06d}"
            self.photos[file_id] = b"\x89PNG" + content.read()
        else:
            raise BadRequest("wrong file identifier/HTTP URL specified")
        caption = str(params.get("caption", ""))
        if len(caption) > 1024:
            raise BadRequest("message caption is too long")
        sent = Sent("sendPhoto", int(params["chat_id"]), next(self._message_ids), caption, [])
        photo_sizes = [{"file_id": file_id, "file_unique_id": file_id, "width": 1, "height": 1}]
        return await self._deliver(sent, {"photo": photo_sizes})

    def _to_edit(self, params: dict[str, Any]) -> Sent:
        key = (int(params.get("chat_id", 0)), int(params.get("message_id", 0)))
        if key not in self.shown:
            raise BadRequest("message to edit not found")
        return self.shown[key]

    async def _m_editmessagetext(self, params: dict[str, Any]) -> Any:
        before = self._to_edit(params)
        if before.method == "sendPhoto":
            raise BadRequest("there is no text in the message to edit")
        text = self._check_text(params)
        if text == before.text and self._buttons(params) == before.buttons:
            raise BadRequest(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        return await self._record("editMessageText", params, before.message_id)

    async def _m_editmessagereplymarkup(self, params: dict[str, Any]) -> Any:
        before = self._to_edit(params)
        buttons = self._buttons(params)
        if buttons == before.buttons:
            raise BadRequest("message is not modified")
        # Only what the message shows changes: this is no new message in the chat.
        self.shown[(before.chat_id, before.message_id)] = Sent(
            before.method, before.chat_id, before.message_id, before.text, buttons
        )
        return {
            "message_id": before.message_id,
            "date": int(time.time()),
            "chat": self._chat(before.chat_id),
            "from": BOT_USER,
            "text": html.unescape(before.text),
        }

    async def _m_answerinlinequery(self, params: dict[str, Any]) -> Any:
        results = params.get("results") or []
        if len(results) > 50:
            raise BadRequest("RESULTS_TOO_MUCH")
        for result in results:
            if not 1 <= len(str(result.get("id", "")).encode()) <= 64:
                raise BadRequest("RESULT_ID_INVALID")
            content = result.get("input_message_content", {})
            self._check_text(
                {"text": content.get("message_text", ""), "parse_mode": content.get("parse_mode")}
            )
        async with self._new_message:
            self.inline_answers[str(params["inline_query_id"])] = results
            self._new_message.notify_all()
        return True

    async def inline(self, user_id: int, text: str, timeout: float = 10) -> list[dict[str, Any]]:
        """Type "@bot text" as the user; returns the results the bot offered."""
        query_id = f"iq{next(self._update_ids)}"
        await self.push(
            {
                "inline_query": {
                    "id": query_id,
                    "from": self._user(user_id),
                    "query": text,
                    "offset": "",
                }
            }
        )

        async def answered() -> None:
            async with self._new_message:
                await self._new_message.wait_for(lambda: query_id in self.inline_answers)

        await asyncio.wait_for(answered(), timeout)
        return self.inline_answers[query_id]

    async def _m_answercallbackquery(self, params: dict[str, Any]) -> Any:
        self.callback_answers.append(str(params.get("callback_query_id")))
        return True
