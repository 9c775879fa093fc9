"""Core replies -> Telegram messages: HTML-escaped text and inline keyboards."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from ptcc_core.conversation import Choice, Reply

MAX_MESSAGE = 4096
_SHORT_LABEL = 18


def message_text(reply: Reply) -> str:
    """The reply as Telegram HTML: the text escaped, cut to Telegram's limit if ever needed."""
    text = reply.text
    escaped = html.escape(text, quote=False)
    while len(escaped) > MAX_MESSAGE:
        text = text[: len(text) - (len(escaped) - MAX_MESSAGE) - 1]
        escaped = html.escape(text, quote=False) + "…"
    return escaped


def keyboard(choices: tuple[Choice, ...], bot_username: str) -> InlineKeyboardMarkup | None:
    """Buttons, two to a row when their labels are short, one to a row otherwise. An
    "open:<flow>" choice is a link that opens the private chat and starts that flow there
    (a t.me deep link: Telegram sends it as "/start <flow>")."""
    if not choices:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    for choice in choices:
        kind, _, flow = choice.value.partition(":")
        if kind == "open":
            button = InlineKeyboardButton(
                choice.label[:64], url=f"https://t.me/{bot_username}?start={flow}"
            )
        else:
            button = InlineKeyboardButton(choice.label[:64], callback_data=choice.value)
        short = len(choice.label) <= _SHORT_LABEL
        if short and rows and len(rows[-1]) == 1 and len(rows[-1][0].text) <= _SHORT_LABEL:
            rows[-1].append(button)
        else:
            rows.append([button])
    return InlineKeyboardMarkup(rows)
