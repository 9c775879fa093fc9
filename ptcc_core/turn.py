"""One conversation turn through the store, the same for every channel: load the user's
session, let the advisor handle the event, hand the replies to the channel, then save the new
session (or delete everything on /forget) and count the question for the operator's view.

With `deliver`, replies go out before the save, and `done` marks the inbox update handled in
the save's transaction: a process that dies in between leaves the update unfinished, and the
next attempt answers it again from the old session. Without it the caller sends afterwards.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ptcc_core.advisor import Advisor
from ptcc_core.conversation import Event, Outcome
from ptcc_core.store import Store

Deliver = Callable[[Outcome], Awaitable[None]]


async def take_turn(
    advisor: Advisor,
    store: Store,
    user_key: str,
    event: Event,
    deliver: Deliver | None = None,
    done: int | None = None,
) -> Outcome:
    session = await store.load(user_key)
    outcome = advisor.handle(session, event)
    if deliver is not None:
        await deliver(outcome)
    asked = outcome.answered if event.kind == "text" else None
    question = (asked, event.value) if asked is not None else None
    if outcome.forget:
        await store.forget(user_key, done)
    else:
        await store.save(user_key, outcome.session, question, done)
    return outcome
