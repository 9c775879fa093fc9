"""The advisor: what to say to a user, for any text, button or command.

`Advisor.answer` answers one free-text message on its own (as `ptcc ask` does);
`Advisor.handle` runs a whole conversation turn against a user's session, including the
guided questionnaire. Both are pure: no I/O, the session goes in and comes out.
"""

from __future__ import annotations

import hashlib
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
from ptcc_core.privacy import Retention
from ptcc_core.profile import Profile
from ptcc_core.replies import PRIVATE_ESTIMATE, Assumed, Texts
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
_SAVE = {"save", "save it", "save that", "save this", "save to my profile", "save my profile"}
# Flows that hold personal data: in a group they open in the private chat instead (the
# /start payload of a t.me deep link).
_PRIVATE_FLOWS = ("estimate", "profile", "offer", "compare", "forget")
# Buttons that may appear in a group: topics and answers, nothing personal.
_PUBLIC_CHOICES = ("menu:", "sec:", "topic:", "entry:", "go:topics", "go:ask", "open:")
# What a message in the middle of the questionnaire may be, other than an answer.
_ASIDES = ("small_talk", "feeling", "entry", "several", "follow_up", "estimate", "what_if")


class Advisor:
    """Answers users from the knowledge, the matcher and the estimator."""

    def __init__(self, knowledge: Knowledge, retention: Retention | None = None) -> None:
        self.knowledge = knowledge
        self.retention = retention or Retention()
        self.estimator = Estimator(knowledge.factors, knowledge.section_titles())
        self.matcher = Matcher(knowledge)
        self.extractor = Extractor(knowledge.factors, self.estimator.places)
        self.questionnaire = Questionnaire(knowledge.factors, self.extractor)
        self.texts = Texts(knowledge)
        self.lever_finder = LeverFinder(self.estimator)
        self.interpreter = Interpreter(knowledge, self.matcher, self.extractor)

    @classmethod
    def load(cls, directory: Path | None = None, retention: Retention | None = None) -> Advisor:
        """An advisor over a knowledge directory (the installed one by default)."""
        return cls(load_knowledge(directory), retention)

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
            return self.texts.estimate(self.estimator.estimate(reading.profile))
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
        if session.set_aside:
            # The stored session could not be read: start afresh, and say so once.
            outcome = self.handle(session.model_copy(update={"set_aside": False}), event)
            return outcome.model_copy(
                update={"replies": (self.texts.fresh_start(), *outcome.replies)}
            )
        if not event.private:
            return self._in_group(session, event)
        if event.kind == "command":
            return self._command(session, event)
        if event.kind == "choice":
            return self._choice(session, event)
        return self._text(session, event)

    def _command(self, session: Session, event: Event) -> Outcome:
        name, argument = _command_parts(event.value)
        if name == "start" and argument in _PRIVATE_FLOWS:
            name = argument  # a deep link from a group: t.me/<bot>?start=estimate
        if name in ("help", "topics", "profile", "privacy"):
            # Asked in the middle of a flow: answered, then the flow's question comes back.
            if name == "help":
                reply = self.texts.small_talk("help")
            elif name == "topics":
                reply = self.texts.topics()
            elif name == "privacy":
                reply = self.texts.privacy(self.retention)
            else:
                reply = self.texts.profile(session)
            return Outcome(replies=self._then_reask(session, reply), session=session)
        idle = session.model_copy(
            update={"step": None, "draft": Profile(), "editing": False, **_NO_OFFER}
        )
        if name == "start":
            return Outcome(replies=(self.texts.welcome(bool(session.estimates)),), session=idle)
        if name == "estimate":
            return self._start_questionnaire(idle)
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
        return Outcome(replies=(self.texts.unknown_command(name),), session=session)

    def _in_group(self, session: Session, event: Event) -> Outcome:
        """A group message or button: topics and answers only, read without the user's
        profile; personal flows open in the private chat. The session is left as it was."""
        if event.kind == "command":
            name = _command_parts(event.value)[0]
            if name in ("start", "help"):
                reply = self.texts.small_talk("help")
            elif name == "topics":
                reply = self.texts.topics()
            elif name == "privacy":
                reply = self.texts.privacy(self.retention)
            elif name in _PRIVATE_FLOWS:
                reply = self.texts.in_private(name)
            elif name == "cancel":
                reply = self.texts.cancelled(False)
            else:
                reply = self.texts.unknown_command(name)
        elif event.kind == "choice":
            if not event.value.startswith(_PUBLIC_CHOICES):
                reply = self.texts.in_private("estimate")
            else:
                # Read against an empty session: no profile, no flow under way.
                outcome = self._choice(Session(), event)
                return outcome.model_copy(
                    update={"replies": tuple(map(_public, outcome.replies)), "session": session}
                )
        else:
            reply = self.reply(self.interpreter.interpret(event.value, Context()))
        return Outcome(replies=(_public(reply),), session=session)

    def _choice(self, session: Session, event: Event) -> Outcome:
        kind, _, rest = event.value.partition(":")
        if kind == "go":
            if rest == "estimate":
                return self._start_questionnaire(session)
            if rest == "topics":
                return Outcome(
                    replies=self._then_reask(session, self.texts.topics()), session=session
                )
            if rest == "ask":
                return Outcome(replies=(self.texts.ask_prompt(),), session=session)
            if rest == "profile":
                return Outcome(
                    replies=self._then_reask(session, self.texts.profile(session)),
                    session=session,
                )
        if kind == "save":
            return self._save(session, event, rest)
        if kind == "levers" and session.pending_save and rest == _digest(session.pending_save):
            # "How do I earn more?" under a what-if: for that case.
            reply = self.levers(session.pending_save)
            return Outcome(replies=self._then_reask(session, reply), session=session)
        if kind == "levers" or (kind, rest) == ("go", "levers"):
            if session.profile.is_empty():
                return self._start_questionnaire(session)
            return Outcome(replies=(self.levers(session.profile),), session=session)
        if kind == "offer" and session.offer_step is not None:
            if rest == "keep" and session.offer_step != "base":
                return self._offer_answer(session, None, replaces=True)
            if rest == "cancel":
                calm = session.model_copy(update=_NO_OFFER)
                return Outcome(replies=(self.texts.cancelled(True),), session=calm, replaces=True)
            if rest == "back":
                return self._offer_back(session).model_copy(update={"replaces": True})
        # Menus and "did you mean" give way to what was picked from them.
        if kind == "menu" and (not rest or rest in self.knowledge.menus):
            reply = self.texts.menu(rest) if rest else self.texts.topics()
            return Outcome(replies=(reply,), session=session, replaces=True)
        if kind == "sec" and any(s.id == rest for s in self.knowledge.sections):
            return Outcome(replies=(self.texts.section(rest),), session=session, replaces=True)
        if kind in ("topic", "entry") and rest in self.knowledge.entries:
            reply = self.texts.entry(self.knowledge.entries[rest], 100.0, ())
            remembered = session.model_copy(update={"last_entry": rest})
            return Outcome(
                replies=self._then_reask(session, reply),
                session=remembered,
                replaces=kind == "topic",
            )
        if kind == "forget" and session.confirming_forget:
            if rest == "yes":
                return Outcome(
                    replies=(self.texts.forgotten(),), session=Session(), forget=True, replaces=True
                )
            calm = session.model_copy(update={"confirming_forget": False})
            return Outcome(
                replies=self._then_reask(calm, self.texts.cancelled(True)),
                session=calm,
                replaces=True,
            )
        if kind == "edit" and rest in STEPS:
            step: StepId = rest
            editing = session.model_copy(
                update={
                    "step": step,
                    "draft": Profile(),
                    "editing": True,
                    "confirming_forget": False,
                    **_NO_OFFER,
                }
            )
            return Outcome(replies=(self._question(editing),), session=editing, replaces=True)
        if session.step is not None:
            if kind == "nav":
                return self._navigate(session, rest, event).model_copy(update={"replaces": True})
            if kind == "ans" and rest.startswith(f"{session.step}:"):
                read = self.questionnaire.read_choice(session.step, event.value, session.draft)
                if read is not None:
                    draft, move_on = read
                    if move_on:
                        advanced = self._advance(session, draft, event)
                        return advanced.model_copy(update={"replaces": True})
                    moved = session.model_copy(update={"draft": draft})
                    return Outcome(replies=(self._question(moved),), session=moved, replaces=True)
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
        if normalized in _SAVE:
            return self._save(session, event, None)
        if session.step is not None:
            return self._questionnaire_text(session, text, normalized, event)
        if session.offer_step is not None:
            return self._offer_text(session, text, normalized)
        reading = self.interpreter.interpret(text, _context(session))
        if reading.intent in ("estimate", "what_if") and reading.profile is not None:
            return self._estimate_for(session, reading, event)
        reply = self.reply(reading)
        remembered = session.model_copy(
            update={
                "last_entry": reply.entry_id if reply.kind == "answer" else None,
                "last_estimate": None,
            }
        )
        if reading.asks_estimate and session.profile.is_empty():
            return self._start_questionnaire(remembered)
        return Outcome(replies=(reply,), session=remembered)

    # Estimates for a question, and saving them ------------------------------------------

    def _estimate_for(self, session: Session, reading: Reading, event: Event) -> Outcome:
        """An estimate for the profile a question reads as. The saved profile's own estimate
        is kept in the history; one with details from the question is a what-if: shown with
        what was assumed, and kept only if the user saves it."""
        assert reading.profile is not None
        profile = reading.profile
        estimate = self.estimator.estimate(profile)
        remembered = session.model_copy(update={"last_entry": None, "last_estimate": profile})
        if profile == session.profile:
            return self._remember(remembered, estimate, self.texts.estimate(estimate), event)
        what_if = reading.intent == "what_if"
        case = Assumed(
            stated=frozenset(reading.details.model_fields_set),
            kept_from="the last estimate" if what_if else "your profile",
            digest=_digest(profile),
        )
        reply = self.texts.estimate(estimate, case=case)
        return Outcome(
            replies=(reply,), session=remembered.model_copy(update={"pending_save": profile})
        )

    def _save(self, session: Session, event: Event, digest: str | None) -> Outcome:
        """ "Save to my profile", pressed or typed: the last what-if becomes the profile."""
        pending = session.pending_save
        if pending is None or (digest is not None and digest != _digest(pending)):
            reply = self.texts.nothing_to_save(stale=digest is not None)
            return Outcome(replies=self._then_reask(session, reply), session=session)
        estimate = self.estimator.estimate(pending)
        saved = self._remember(
            session.model_copy(update={"pending_save": None}), estimate, None, event
        ).session
        reply = self.texts.profile(saved, saved_now=True)
        return Outcome(replies=self._then_reask(saved, reply), session=saved)

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
        if normalized == "back":
            return self._offer_back(session)
        amount = read_amount(step, text)
        if amount is not None:
            return self._offer_answer(session, amount)
        reply = self.answer(text, session.profile)
        if reply.matched or _asks_something(text, normalized):
            return Outcome(replies=(reply, self._offer_question(session)), session=session)
        hint = self.texts.not_understood(f'Type a number, like "{QUESTIONS[step].example}".')
        return Outcome(replies=(hint, self._offer_question(session)), session=session)

    def _offer_back(self, session: Session) -> Outcome:
        step = session.offer_step
        assert step is not None
        earlier = OFFER_STEPS[max(OFFER_STEPS.index(step) - 1, 0)]
        back = session.model_copy(update={"offer_step": earlier})
        return Outcome(replies=(self._offer_question(back),), session=back)

    def _offer_answer(
        self, session: Session, amount: float | None, replaces: bool = False
    ) -> Outcome:
        step = session.offer_step
        assert step is not None
        draft = dict(session.offer_draft)
        if amount is not None:
            draft[step] = amount
        following = next_offer_step(step, draft)
        if following is not None:
            moved = session.model_copy(update={"offer_step": following, "offer_draft": draft})
            return Outcome(replies=(self._offer_question(moved),), session=moved, replaces=replaces)
        if session.comparing and session.offer_a is None:
            second = session.model_copy(
                update={"offer_step": OFFER_STEPS[0], "offer_draft": {}, "offer_a": draft}
            )
            return Outcome(
                replies=(self._offer_question(second),), session=second, replaces=replaces
            )
        done = session.model_copy(update=_NO_OFFER)
        if session.comparing and session.offer_a is not None:
            result = compare(Offer.model_validate(session.offer_a), Offer.model_validate(draft))
            reply = self.texts.offer_comparison(result)
        else:
            reply = self.texts.offer_total(total_compensation(Offer.model_validate(draft)))
        return Outcome(replies=(reply,), session=done, replaces=replaces)

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
        if _asks_something(text, normalized):
            # "How much more do they pay in San Francisco?" at the location step asks; it
            # does not answer. The answer comes first, then the same question again.
            return self._aside(session, self.interpreter.interpret(text, _context(session)), event)
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
        if details.model_fields_set and not session.editing:
            # Answers to later steps ("I have a bachelor's" while asked for years): kept,
            # and this step asked again.
            kept = session.draft.merged_with(details)
            moved = session.model_copy(update={"draft": kept})
            echo = self.texts.got_it(session.draft, kept)
            return Outcome(replies=(_after(echo, self._question(moved)),), session=moved)
        reading = self.interpreter.interpret(text, _context(session))
        place_like = step == "location" and _looks_like_place(text)
        if reading.intent in _ASIDES or (reading.intent == "unsure" and not place_like):
            return self._aside(session, reading, event)
        if place_like:
            draft = self.questionnaire.apply_place(text, session.draft)
            return self._advance(session, draft, event)
        hint = self.questionnaire.questions[step].hint
        return Outcome(
            replies=(self.texts.not_understood(hint), self._question(session)), session=session
        )

    def _aside(self, session: Session, reading: Reading, event: Event) -> Outcome:
        """A question in the middle of the questionnaire: answered (an estimate as a
        what-if), then the same step again; nothing is taken as the step's answer."""
        if reading.intent in ("estimate", "what_if") and reading.profile is not None:
            answered = self._estimate_for(session, reading, event)
        else:
            answered = Outcome(replies=(self.reply(reading),), session=session)
        return answered.model_copy(
            update={"replies": self._then_reask(answered.session, answered.replies[0])}
        )

    def _advance(self, session: Session, draft: Profile, event: Event) -> Outcome:
        assert session.step is not None
        echo = self.texts.got_it(session.draft, draft, session.step)
        if session.editing:
            profile = session.profile.merged_with(draft)
            return self._finish(session, profile, event, echo)
        step: StepId | None = self.questionnaire.next_step(session.step)
        while step is not None and step in draft.model_fields_set:
            step = self.questionnaire.next_step(step)
        if step is None:
            return self._finish(session, draft, event, echo)
        moved = session.model_copy(update={"step": step, "draft": draft})
        return Outcome(replies=(_after(echo, self._question(moved)),), session=moved)

    def _finish(self, session: Session, profile: Profile, event: Event, echo: str) -> Outcome:
        idle = session.model_copy(
            update={"step": None, "draft": Profile(), "editing": False, "profile": profile}
        )
        estimate = self.estimator.estimate(profile)
        reply = _after(echo, self.texts.estimate(estimate, with_edit=True))
        return self._remember(idle, estimate, reply, event)

    def _remember(
        self, session: Session, estimate: Estimate, reply: Reply | None, event: Event
    ) -> Outcome:
        """The session with this estimate's profile saved and the estimate in the history,
        unless it is the same as the last one kept."""
        record = SavedEstimate(
            at=event.at,
            low=estimate.low,
            mid=estimate.mid,
            high=estimate.high,
            profile=estimate.profile,
        )
        history = session.estimates
        last = history[-1] if history else None
        if last is None or last.model_copy(update={"at": event.at}) != record:
            history = (*history, record)[-MAX_SAVED_ESTIMATES:]
        updated = session.model_copy(update={"profile": estimate.profile, "estimates": history})
        return Outcome(replies=(reply,) if reply else (), session=updated)

    def _then_reask(self, session: Session, reply: Reply) -> tuple[Reply, ...]:
        """The reply, then the question of the flow under way, if any, again."""
        if session.step is not None:
            return (reply, self._question(session))
        if session.offer_step is not None:
            return (reply, self._offer_question(session))
        return (reply,)


def _context(session: Session) -> Context:
    """What a message is read against: the saved profile and the last reply."""
    return Context(session.profile, session.last_entry, session.last_estimate)


_QUESTION_START = re.compile(
    r"(what|whats|how|hows|which|why|who|where|when|does|is|are|can|could|should|will|would"
    r"|do(?!\s+not\b)|tell me|explain|show me|please|i want to know|id like to know"
    r"|i wonder|wondering|im curious|i was curious|curious whether|curious if)\b"
)
_QUESTION_WORD = re.compile(
    r"\b(what|whats|how|which|why|who|where|when|does|do|is|are|can|could|should|would)\b"
)


def _asks_something(text: str, normalized: str) -> bool:
    """A question or a request, not an answer: "boston?" and "about 5 years?" still answer
    "where" and "how long"; "what do they pay in Boston?" asks."""
    if _QUESTION_START.match(normalized):
        return True
    return "?" in text and bool(_QUESTION_WORD.search(normalized))


def _command_parts(value: str) -> tuple[str, str]:
    """ "/start@bot estimate" -> ("start", "estimate")."""
    words = value.strip().lstrip("/").split()
    if not words:
        return "", ""
    return words[0].split("@")[0].lower(), (words[1] if len(words) > 1 else "").lower()


def _digest(profile: Profile) -> str:
    """A short fingerprint of a profile: a "Save" button saves only the estimate it is on."""
    return hashlib.blake2b(profile.model_dump_json().encode(), digest_size=6).hexdigest()


def _after(echo: str, reply: Reply) -> Reply:
    """The reply with the echo of the answer just taken in front of it."""
    return reply.model_copy(update={"text": f"{echo}\n\n{reply.text}"}) if echo else reply


def _public(reply: Reply) -> Reply:
    """A reply fit for a group: personal buttons give way to one that opens the private chat."""
    kept = tuple(c for c in reply.choices if c.value.startswith(_PUBLIC_CHOICES))
    if len(kept) == len(reply.choices):
        return reply
    return reply.model_copy(update={"choices": (*kept, PRIVATE_ESTIMATE)})


def _looks_like_place(text: str) -> bool:
    words = text.split()
    short = 0 < len(words) <= 4 and len(text) <= MAX_PLACE_NAME
    return (
        short
        and "?" not in text
        and all(w.replace(".", "").replace(",", "").isalpha() for w in words)
    )
