"""The advisor: what to say to a user, for any text, button or command.

`Advisor.answer` answers one free-text message on its own (as `ptcc ask` does);
`Advisor.handle` runs a whole conversation turn against a user's session, including the
guided questionnaire. Both are pure: no I/O, the session goes in and comes out.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ptcc_core.conversation import (
    MAX_SAVED_ESTIMATES,
    OFFER_STEPS,
    STEPS,
    Event,
    Outcome,
    Reply,
    SavedEstimate,
    Session,
    StepId,
)
from ptcc_core.dialog import Questionnaire
from ptcc_core.estimator import Estimate, Estimator
from ptcc_core.extractor import Extractor
from ptcc_core.interpret import Context, Interpreter, Reading
from ptcc_core.knowledge import Entry, Knowledge, load_knowledge
from ptcc_core.levers import LeverFinder
from ptcc_core.matcher import Matcher, MatchResult
from ptcc_core.offer_form import QUESTIONS, next_offer_step, read_amount
from ptcc_core.offers import Offer, compare, total_compensation
from ptcc_core.profile import Profile
from ptcc_core.replies import Texts
from ptcc_core.text import normalize

MAX_PLACE_NAME = 40

_NO_OFFER: dict[str, Any] = {
    "offer_step": None,
    "offer_draft": {},
    "offer_a": None,
    "comparing": False,
}
_NAV_WORDS = {
    "back": "nav:back",
    "skip": "nav:skip",
    "cancel": "nav:cancel",
    "done": "nav:done",
    "stop": "nav:cancel",
}
_YES = {"yes", "y", "yeah", "yep", "sure", "confirm", "delete", "ok", "okay"}


class Advisor:
    """Answers users from the knowledge, the matcher and the estimator."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.estimator = Estimator(knowledge.factors, knowledge.section_titles())
        self.matcher = Matcher(knowledge)
        self.extractor = Extractor(knowledge.factors, self.estimator.places)
        self.questionnaire = Questionnaire(knowledge.factors, self.extractor)
        self.texts = Texts(knowledge)
        self.lever_finder = LeverFinder(self.estimator)
        self.interpreter = Interpreter(knowledge, self.matcher, self.extractor)

    @classmethod
    def load(cls, directory: Path | None = None) -> Advisor:
        """An advisor over a knowledge directory (the installed one by default)."""
        return cls(load_knowledge(directory))

    # One message on its own ------------------------------------------------------------

    def answer(self, text: str, profile: Profile | None = None) -> Reply:
        """The reply to one free-text message, personalised with a stored profile if given."""
        return self.reply(self.interpreter.interpret(text, Context(profile=profile or Profile())))

    def reply(self, reading: Reading) -> Reply:
        """What to say to a message, from its reading alone."""
        intent = reading.intent
        if intent == "empty":
            return self.texts.small_talk("help")
        if intent == "small_talk":
            return self.texts.small_talk(reading.kind or "help")
        if intent == "feeling":
            return self.texts.feeling(reading.kind or "nerves")
        if intent == "other_language":
            return self.texts.spanish()
        if intent == "levers" and reading.profile is not None:
            return self.levers(reading.profile)
        if intent in ("estimate", "what_if") and reading.profile is not None:
            estimate = self.estimator.estimate(reading.profile)
            return self.texts.estimate(estimate, what_if=intent == "what_if")
        if intent == "several":
            return self.texts.several([self.knowledge.entries[i] for i in reading.entries])
        if intent == "follow_up":
            return self.texts.entry(self.knowledge.entries[reading.entries[0]], 100.0, ())
        assert reading.match is not None
        return self._from_match(reading.match, reading.entries[0] if reading.entries else None)

    def outside_the_us(self, place: str) -> bool:
        """Does this place name a country (or a city) outside the United States?"""
        return self.interpreter.outside_the_us(place)

    def best_entries(self, text: str, limit: int = 5) -> list[Entry]:
        """The entries that fit text best, for inline answers: the confident match first,
        then the runners-up; the overviews when there is no text or no match."""
        result = self.matcher.match(text) if text.strip() else None
        ids = [result.entry_id] if result and result.entry_id else []
        ids += (
            [c.entry_id for c in result.alternatives] if result and not result.out_of_scope else []
        )
        if not ids:
            ids = [e.id for e in self.knowledge.entries.values() if e.id.endswith("overview")]
        return [self.knowledge.entries[i] for i in dict.fromkeys(ids)][:limit]

    def levers(self, profile: Profile) -> Reply:
        """The changes that would raise this profile's estimate, largest first."""
        mid = self.estimator.estimate(profile).mid
        return self.texts.levers(self.lever_finder.levers(profile), mid)

    def _from_match(self, result: MatchResult, compared_with: str | None = None) -> Reply:
        if result.entry_id is not None:
            entry = self.knowledge.entries[result.entry_id]
            also = self.knowledge.entries[compared_with] if compared_with else None
            return self.texts.entry(entry, result.score, result.alternatives, also)
        if result.alternatives and not result.out_of_scope:
            return self.texts.unsure(result)
        return self.texts.fallback(result)

    # A conversation turn ----------------------------------------------------------------

    def handle(self, session: Session, event: Event) -> Outcome:
        """Handle one event against a user's session; returns replies and the new session."""
        if event.kind == "command":
            return self._command(session, event)
        if event.kind == "choice":
            return self._choice(session, event)
        return self._text(session, event)

    def _command(self, session: Session, event: Event) -> Outcome:
        name = (
            event.value.lstrip("/").split("@")[0].split()[0].lower() if event.value.strip() else ""
        )
        idle = session.model_copy(
            update={"step": None, "draft": Profile(), "editing": False, **_NO_OFFER}
        )
        if name == "start":
            return Outcome(replies=(self.texts.welcome(bool(session.estimates)),), session=idle)
        if name == "estimate":
            return self._start_questionnaire(idle)
        if name == "profile":
            return Outcome(replies=(self.texts.profile(idle),), session=idle)
        if name == "topics":
            return Outcome(replies=(self.texts.topics(),), session=idle)
        if name == "forget":
            confirming = idle.model_copy(update={"confirming_forget": True})
            return Outcome(replies=(self.texts.confirm_forget(),), session=confirming)
        if name in ("offer", "compare"):
            return self._start_offer(idle, comparing=name == "compare")
        if name == "cancel":
            cancelled = (
                session.step is not None
                or session.confirming_forget
                or session.offer_step is not None
            )
            idle = idle.model_copy(update={"confirming_forget": False})
            return Outcome(replies=(self.texts.cancelled(cancelled),), session=idle)
        if name == "help":
            return Outcome(replies=(self.texts.small_talk("help"),), session=session)
        return Outcome(replies=(self.texts.unknown_command(name),), session=session)

    def _choice(self, session: Session, event: Event) -> Outcome:
        kind, _, rest = event.value.partition(":")
        if kind == "go":
            if rest == "estimate":
                return self._start_questionnaire(session)
            if rest == "topics":
                return Outcome(replies=(self.texts.topics(),), session=session)
            if rest == "ask":
                return Outcome(replies=(self.texts.ask_prompt(),), session=session)
            if rest == "profile":
                return Outcome(replies=(self.texts.profile(session),), session=session)
            if rest == "levers":
                if session.profile.is_empty():
                    return self._start_questionnaire(session)
                return Outcome(replies=(self.levers(session.profile),), session=session)
        if kind == "offer" and session.offer_step is not None:
            if rest == "keep" and session.offer_step != "base":
                return self._offer_answer(session, None)
            if rest == "cancel":
                calm = session.model_copy(update=_NO_OFFER)
                return Outcome(replies=(self.texts.cancelled(True),), session=calm)
        if kind == "sec" and any(s.id == rest for s in self.knowledge.sections):
            return Outcome(replies=(self.texts.section(rest),), session=session)
        if kind == "entry" and rest in self.knowledge.entries:
            reply = self.texts.entry(self.knowledge.entries[rest], 100.0, ())
            return Outcome(replies=self._then_reask(session, reply), session=session)
        if kind == "forget" and session.confirming_forget:
            if rest == "yes":
                return Outcome(replies=(self.texts.forgotten(),), session=Session(), forget=True)
            calm = session.model_copy(update={"confirming_forget": False})
            return Outcome(replies=(self.texts.cancelled(True),), session=calm)
        if kind == "edit" and rest in STEPS:
            step: StepId = rest
            editing = session.model_copy(
                update={
                    "step": step,
                    "draft": Profile(),
                    "editing": True,
                    "confirming_forget": False,
                }
            )
            return Outcome(replies=(self._question(editing),), session=editing)
        if session.step is not None:
            if kind == "nav":
                return self._navigate(session, rest, event)
            if kind == "ans" and rest.startswith(f"{session.step}:"):
                read = self.questionnaire.read_choice(session.step, event.value, session.draft)
                if read is not None:
                    draft, move_on = read
                    if move_on:
                        return self._advance(session, draft, event)
                    moved = session.model_copy(update={"draft": draft})
                    return Outcome(replies=(self._question(moved),), session=moved)
        return Outcome(
            replies=self._then_reask(session, self.texts.stale_button()), session=session
        )

    def _text(self, session: Session, event: Event) -> Outcome:
        text = event.value.strip()
        normalized = normalize(text)
        if session.confirming_forget:
            if normalized in _YES:
                return Outcome(replies=(self.texts.forgotten(),), session=Session(), forget=True)
            calm = session.model_copy(update={"confirming_forget": False})
            return Outcome(replies=(self.texts.cancelled(True),), session=calm)
        if session.step is not None:
            return self._questionnaire_text(session, text, normalized, event)
        if session.offer_step is not None:
            return self._offer_text(session, text, normalized)
        reading = self.interpreter.interpret(text, _context(session))
        reply = self.reply(reading)
        remembered = session.model_copy(
            update={
                "last_entry": reply.entry_id if reply.kind == "answer" else None,
                "last_estimate": reply.estimate.profile if reply.estimate else None,
            }
        )
        if reading.intent == "estimate" and reply.estimate is not None:
            return self._remember(remembered, reply.estimate, reply, event)
        if reading.asks_estimate and session.profile.is_empty():
            return self._start_questionnaire(remembered)
        return Outcome(replies=(reply,), session=remembered)

    # Offers ---------------------------------------------------------------------------------

    def _start_offer(self, session: Session, comparing: bool) -> Outcome:
        started = session.model_copy(
            update={**_NO_OFFER, "offer_step": OFFER_STEPS[0], "comparing": comparing}
        )
        intro = self.texts.offer_intro(comparing)
        return Outcome(replies=(intro, self._offer_question(started)), session=started)

    def _offer_question(self, session: Session) -> Reply:
        step = session.offer_step
        assert step is not None
        which = ("B" if session.offer_a is not None else "A") if session.comparing else None
        return self.texts.offer_question(step, which)

    def _offer_text(self, session: Session, text: str, normalized: str) -> Outcome:
        step = session.offer_step
        assert step is not None
        if normalized in ("cancel", "stop"):
            return Outcome(
                replies=(self.texts.cancelled(True),), session=session.model_copy(update=_NO_OFFER)
            )
        if normalized in ("skip", "keep", "default") and step != "base":
            return self._offer_answer(session, None)
        amount = read_amount(step, text)
        if amount is not None:
            return self._offer_answer(session, amount)
        reply = self.answer(text, session.profile)
        if reply.matched:
            return Outcome(replies=(reply, self._offer_question(session)), session=session)
        hint = self.texts.not_understood(f'Type a number, like "{QUESTIONS[step].example}".')
        return Outcome(replies=(hint, self._offer_question(session)), session=session)

    def _offer_answer(self, session: Session, amount: float | None) -> Outcome:
        step = session.offer_step
        assert step is not None
        draft = dict(session.offer_draft)
        if amount is not None:
            draft[step] = amount
        following = next_offer_step(step)
        if following is not None:
            moved = session.model_copy(update={"offer_step": following, "offer_draft": draft})
            return Outcome(replies=(self._offer_question(moved),), session=moved)
        if session.comparing and session.offer_a is None:
            second = session.model_copy(
                update={"offer_step": OFFER_STEPS[0], "offer_draft": {}, "offer_a": draft}
            )
            return Outcome(replies=(self._offer_question(second),), session=second)
        done = session.model_copy(update=_NO_OFFER)
        if session.comparing and session.offer_a is not None:
            result = compare(Offer.model_validate(session.offer_a), Offer.model_validate(draft))
            return Outcome(replies=(self.texts.offer_comparison(result),), session=done)
        total = total_compensation(Offer.model_validate(draft))
        return Outcome(replies=(self.texts.offer_total(total),), session=done)

    # The questionnaire --------------------------------------------------------------------

    def _start_questionnaire(self, session: Session) -> Outcome:
        started = session.model_copy(
            update={
                "step": STEPS[0],
                "draft": Profile(),
                "editing": False,
                "confirming_forget": False,
            }
        )
        return Outcome(
            replies=(self.texts.questionnaire_intro(), self._question(started)), session=started
        )

    def _question(self, session: Session) -> Reply:
        assert session.step is not None
        question = self.questionnaire.questions[session.step]
        choices = self.questionnaire.navigation(session.step, session.draft, session.editing)
        current = getattr(session.profile, session.step) if session.editing else None
        return self.texts.question(question, choices, current)

    def _navigate(self, session: Session, action: str, event: Event) -> Outcome:
        assert session.step is not None
        if action == "cancel":
            idle = session.model_copy(update={"step": None, "draft": Profile(), "editing": False})
            return Outcome(replies=(self.texts.cancelled(True),), session=idle)
        if action == "back":
            previous = self.questionnaire.previous_step(session.step)
            if previous is None or session.editing:
                return Outcome(replies=(self._question(session),), session=session)
            back = session.model_copy(update={"step": previous})
            return Outcome(replies=(self._question(back),), session=back)
        if action in ("skip", "done"):
            return self._advance(session, session.draft, event)
        return Outcome(replies=(self._question(session),), session=session)

    def _questionnaire_text(
        self, session: Session, text: str, normalized: str, event: Event
    ) -> Outcome:
        assert session.step is not None
        step = session.step
        if normalized in _NAV_WORDS:
            return self._navigate(session, _NAV_WORDS[normalized].split(":")[1], event)
        reading = None
        if _is_question(text, normalized):
            # "How much more do they pay in San Francisco?" at the location step asks; it
            # does not answer. The answer comes first, then the same question again.
            reading = self.interpreter.interpret(text, _context(session))
            if reading.intent in ("entry", "several", "follow_up", "unsure"):
                return Outcome(
                    replies=(self.reply(reading), self._question(session)), session=session
                )
        details = self.extractor.extract(text, normalized)
        draft = self.questionnaire.apply_text(step, details, normalized, session.draft)
        place = draft.location if draft is not None else text
        if step == "location" and place and self.interpreter.outside_the_us(place):
            # The article's figures are for the US: no estimate for a place abroad.
            abroad = self.texts.fallback(self.matcher.match(place))
            return Outcome(replies=(abroad, self._question(session)), session=session)
        if draft is not None:
            # Other details in the same message are kept too: "5 years, bachelor's, Boston".
            if not session.editing:
                draft = Profile.model_validate(
                    {
                        **details.model_dump(exclude_unset=True),
                        **draft.model_dump(exclude_unset=True),
                    }
                )
            return self._advance(session, draft, event)
        reply = self.reply(reading or self.interpreter.interpret(text, _context(session)))
        if reply.kind in ("answer", "small_talk", "unsure") or reply.estimate is not None:
            return Outcome(replies=(reply, self._question(session)), session=session)
        if step == "location" and _looks_like_place(text):
            draft = self.questionnaire.apply_place(text, session.draft)
            return self._advance(session, draft, event)
        hint = self.questionnaire.questions[step].hint
        return Outcome(
            replies=(self.texts.not_understood(hint), self._question(session)), session=session
        )

    def _advance(self, session: Session, draft: Profile, event: Event) -> Outcome:
        assert session.step is not None
        if session.editing:
            profile = session.profile.merged_with(draft)
            return self._finish(session, profile, event)
        step: StepId | None = self.questionnaire.next_step(session.step)
        while step is not None and step in draft.model_fields_set:
            step = self.questionnaire.next_step(step)
        if step is None:
            return self._finish(session, draft, event)
        moved = session.model_copy(update={"step": step, "draft": draft})
        return Outcome(replies=(self._question(moved),), session=moved)

    def _finish(self, session: Session, profile: Profile, event: Event) -> Outcome:
        idle = session.model_copy(
            update={"step": None, "draft": Profile(), "editing": False, "profile": profile}
        )
        estimate = self.estimator.estimate(profile)
        return self._remember(idle, estimate, self.texts.estimate(estimate, with_edit=True), event)

    def _remember(
        self, session: Session, estimate: Estimate, reply: Reply, event: Event
    ) -> Outcome:
        record = SavedEstimate(
            at=event.at,
            low=estimate.low,
            mid=estimate.mid,
            high=estimate.high,
            profile=estimate.profile,
        )
        saved = (*session.estimates, record)[-MAX_SAVED_ESTIMATES:]
        updated = session.model_copy(update={"profile": estimate.profile, "estimates": saved})
        return Outcome(replies=(reply,), session=updated)

    def _then_reask(self, session: Session, reply: Reply) -> tuple[Reply, ...]:
        return (reply, self._question(session)) if session.step is not None else (reply,)


def _context(session: Session) -> Context:
    """What a message is read against: the saved profile and the last reply."""
    return Context(session.profile, session.last_entry, session.last_estimate)


_MIN_QUESTION_WORDS = 4
_QUESTION_START = re.compile(
    r"(what|whats|how|hows|which|why|who|where|when|do|does|is|are|can|could|should|will|would)\b"
)


def _is_question(text: str, normalized: str) -> bool:
    """A question, not an answer: "boston?" still answers "where do you work?"."""
    long_enough = len(normalized.split()) >= _MIN_QUESTION_WORDS
    return long_enough and ("?" in text or bool(_QUESTION_START.match(normalized)))


def _looks_like_place(text: str) -> bool:
    words = text.split()
    short = 0 < len(words) <= 4 and len(text) <= MAX_PLACE_NAME
    return (
        short
        and "?" not in text
        and all(w.replace(".", "").replace(",", "").isalpha() for w in words)
    )
