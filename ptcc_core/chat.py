"""The terminal channel: `ptcc chat` talks to the same advisor as the Telegram bot.

Buttons become numbered choices (type the number; one numbering per screen), commands are typed as on Telegram
("/estimate"), and the session is kept in the same SQLite database the bot uses, under the
key "terminal:<login name>".
"""

from __future__ import annotations

import getpass
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from ptcc_core.advisor import Advisor
from ptcc_core.conversation import Choice, Event, Reply
from ptcc_core.store import open_store
from ptcc_core.turn import take_turn

_QUIT = {"quit", "exit", "/quit", "/exit", "q"}
# Typed words for the buttons of a step that asks for a number: there a number is the
# answer, so these buttons are not numbered.
_WORDS = {
    "nav:back": "back",
    "nav:skip": "skip",
    "nav:cancel": "cancel",
    "nav:done": "done",
    "offer:keep": "keep",
    "offer:back": "back",
    "offer:cancel": "cancel",
}


@dataclass(frozen=True)
class Screen:
    """What one turn shows: its text, the choices its numbers pick (one numbering for the
    whole screen), and whether a typed number is an amount rather than a choice."""

    text: str
    choices: tuple[Choice, ...]
    asks_number: bool


def render(replies: tuple[Reply, ...]) -> Screen:
    """The replies of one turn as terminal text, choices numbered from 1 across all of them;
    a step that asks for a number names its navigation words instead."""
    parts: list[str] = []
    numbered: list[Choice] = []
    asks_number = False
    for reply in replies:
        lines = [reply.text]
        if reply.asks_number:
            asks_number = True
            words = dict.fromkeys(_WORDS[c.value] for c in reply.choices if c.value in _WORDS)
            if words:
                lines.append(f"  (type a number, or: {', '.join(words)})")
        else:
            asks_number = False
            for choice in reply.choices:
                numbered.append(choice)
                lines.append(f"  {len(numbered)}) {choice.label}")
        parts.append("\n".join(lines))
    return Screen("\n\n".join(parts), tuple(numbered), asks_number)


def to_event(line: str, screen: Screen) -> Event:
    """What a typed line means: a numbered choice, a /command, or text.

    A number picks a choice, unless the step asks for a number ("how many years?", an
    amount); "5 years" is text, as is a number with no choice to pick.
    """
    now = datetime.now(UTC)
    stripped = line.strip()
    choices = screen.choices
    if not screen.asks_number and stripped.isdigit() and 1 <= int(stripped) <= len(choices):
        return Event(kind="choice", value=choices[int(stripped) - 1].value, at=now)
    if stripped.startswith("/"):
        return Event(kind="command", value=stripped[1:], at=now)
    return Event(kind="text", value=stripped, at=now)


def _read_line(read: Callable[[str], str]) -> str:
    """One line, on this thread, with Ctrl-C raising KeyboardInterrupt at once: asyncio's own
    handler would only cancel the chat at its next await, after Enter."""
    if threading.current_thread() is not threading.main_thread():
        return read("> ")
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return read("> ")
    finally:
        signal.signal(signal.SIGINT, previous)


async def run_chat(
    advisor: Advisor,
    db: str | None,
    read: Callable[[str], str] = input,
    write: Callable[[str], None] = print,
) -> None:
    """Chat until the user types quit, presses Ctrl-C or input ends."""
    store = await open_store(db)
    user_key = f"terminal:{getpass.getuser()}"
    try:
        start = Event(kind="command", value="start", at=datetime.now(UTC))
        outcome = await take_turn(advisor, store, user_key, start)
        screen = Screen("", (), False)
        write("PTCC Advisor in the terminal: type a question, a number to pick, or quit.\n")
        while True:
            if outcome.replies:
                screen = render(outcome.replies)
                write(screen.text + "\n")
            try:
                line = _read_line(read)
            except (EOFError, KeyboardInterrupt):
                write("")
                return
            if line.strip().lower() in _QUIT:
                write("Bye! Your answers are saved for next time.")
                return
            if not line.strip():
                outcome = outcome.model_copy(update={"replies": ()})
                continue
            outcome = await take_turn(advisor, store, user_key, to_event(line, screen))
    finally:
        await store.close()
