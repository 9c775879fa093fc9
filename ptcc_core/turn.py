"""One conversation turn through the store, the same for every channel: load the user's
session, let the advisor handle the event, save the new session (or delete everything on
/forget), and count the question for the operator's view."""

from __future__ import annotations

from ptcc_core.advisor import Advisor
from ptcc_core.conversation import Event, Outcome
from ptcc_core.store import Store


async def take_turn(advisor: Advisor, store: Store, user_key: str, event: Event) -> Outcome:
    session = await store.load(user_key)
    outcome = advisor.handle(session, event)
    asked = outcome.answered if event.kind == "text" else None
    question = (asked, event.value) if asked is not None else None
    if outcome.forget:
        await store.forget(user_key)
    else:
        await store.save(user_key, outcome.session, question)
    return outcome
