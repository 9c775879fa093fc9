"""The terminal channel: `ptcc chat` talks to the same advisor as the Telegram bot.

Buttons become numbered choices (type the number), commands are typed as on Telegram
("/estimate"), and the session is kept in the same SQLite database the bot uses, under the
key "terminal:<login name>".
"""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Callable
from datetime import UTC, datetime

from ptcc_core.advisor import Advisor
from ptcc_core.conversation import Choice, Event, Reply
from ptcc_core.store import open_store
from ptcc_core.turn import take_turn

_QUIT = {"quit", "exit", "/quit", "/exit", "q"}


def render(reply: Reply) -> str:
    """A reply as terminal text, choices numbered from 1."""
    lines = [reply.text]
    lines += [f"  {n}) {choice.label}" for n, choice in enumerate(reply.choices, start=1)]
    return "\n".join(lines)


def to_event(line: str, choices: tuple[Choice, ...]) -> Event:
    """What a typed line means: a numbered choice, a /command, or text.

    A number picks a choice; "5 years" or "5y" is text, as is a number with no choice to pick.
    """
    now = datetime.now(UTC)
    stripped = line.strip()
    if stripped.isdigit() and 1 <= int(stripped) <= len(choices):
        return Event(kind="choice", value=choices[int(stripped) - 1].value, at=now)
    if stripped.startswith("/"):
        return Event(kind="command", value=stripped[1:], at=now)
    return Event(kind="text", value=stripped, at=now)


async def run_chat(
    advisor: Advisor,
    db: str | None,
    read: Callable[[str], str] = input,
    write: Callable[[str], None] = print,
) -> None:
    """Chat until the user types quit or input ends."""
    store = await open_store(db)
    user_key = f"terminal:{getpass.getuser()}"
    try:
        start = Event(kind="command", value="start", at=datetime.now(UTC))
        outcome = await take_turn(advisor, store, user_key, start)
        choices: tuple[Choice, ...] = ()
        write("PTCC Advisor in the terminal: type a question, a number to pick, or quit.\n")
        while True:
            for reply in outcome.replies:
                write(render(reply) + "\n")
                choices = reply.choices or choices
            try:
                line = await asyncio.to_thread(read, "> ")
            except (EOFError, KeyboardInterrupt):
                write("")
                return
            if line.strip().lower() in _QUIT:
                write("Bye! Your answers are saved for next time.")
                return
            if not line.strip():
                outcome = outcome.model_copy(update={"replies": ()})
                continue
            outcome = await take_turn(advisor, store, user_key, to_event(line, choices))
    finally:
        await store.close()
