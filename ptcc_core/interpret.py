"""Reading a free-text message once: what the user asks, and everything needed to answer.

`Interpreter.interpret(text, context)` normalises the text once, reads the profile details in
it once, asks the matcher (with its answerability verdict) once, and names the intent: small
talk, a feeling or news, another language, an estimate or a what-if on the last one, the ways
to earn more, a follow-up on the last answer, several asks at once, an entry, "did you mean",
or a decline. The advisor decides from this reading alone; nothing downstream reads the text
again. Compound messages are the one exception by nature: each ask is matched on its own.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Literal

from ptcc_core.extractor import Extractor
from ptcc_core.knowledge import Knowledge
from ptcc_core.matcher import Matcher, MatchResult
from ptcc_core.profile import MAX_YEARS, Profile
from ptcc_core.text import (
    QUESTION_WORDS,
    find_phrases,
    normalize,
    phrase_table,
    replace_phrases,
    sentences,
)

MAX_QUESTION_CHARS = 600

Intent = Literal[
    "empty",
    "small_talk",
    "feeling",
    "other_language",
    "abroad",
    "levers",
    "estimate",
    "what_if",
    "follow_up",
    "several",
    "entry",
    "unsure",
    "decline",
]

_FIRST_PERSON = re.compile(r"\b(i|me|my|im|ive|id|mine|myself)\b")
# Pay named as pay ("paid time off" is not); "how much" or "range" alone may ask about a
# benefit, so they count as salary words but do not name pay.
_PAY = (
    r"salary|salaries|pay|paid(?! (time|leave|holidays?|vacation|sick))|earn|earning|make|"
    r"making|wage|wages|income"
)
_PAY_NAMED = re.compile(rf"\b({_PAY})\b")
_SALARY_WORDS = re.compile(
    rf"\b({_PAY}|worth|estimate|money)\b|\bhow much\b|\b(range|realistic|expect|ballpark|fair)\b"
)
# Experience given as the middle of the range ("average experience", "at the national
# median"): stated, though as no number of years (the estimate then uses the median).
_MIDDLE_EXPERIENCE = re.compile(
    r"\b(average|median|typical|normal|middling|mid)( ?ish)? (level of )?(experience|"
    r"experience level|seniority)\b|\b(at|around|near|about) the (national )?(median|average)\b"
)
# Kinds of ask about money that is not pay: a benefit, a cost or a fee.
_NOT_PAY = frozenset({"benefit", "cost_fee"})
# "Would I (realistically) make", and "would he make" of a son or daughter the user describes.
_ASKS_ESTIMATE = re.compile(
    r"\b(would|will|could|should|can|do|might|shall)\s+(i|he|she)\s+"
    r"((realistically|probably|likely|actually|really|typically|usually)\s+)?"
    r"(make|earn|get paid|be paid|expect|take home|be making|be earning|ask for|start at|"
    r"start out at)\b"
    r"|\bi\s+(will|would|can)\s+(make|earn)\b|\b(salary|pay|wage)\s+i\s+(will|would|can)\s+get\b"
    r"|\b(what|how much)\s+(would|will|could|can|might)\s+i\s+get\b"
    r"|\b(what|how much)\s+(would|will|could|might)\s+they\s+(likely\s+|probably\s+)?"
    r"(pay|offer)\b|\b(would|will|could|might)\s+(\w+\s+){0,6}pay\s+me\b"
    r"|\bmy\s+(salary|pay|estimate|earnings|income|worth|expected pay|market value|value|"
    r"market rate|rate)\b"
    r"|\b(estimate|estimation)\b"
    r"|\b(am i|im)\s+(worth|underpaid|overpaid|paid)\b"
    r"|\bwhat can i expect\b"
    r"|\b(start|starting)\s+(people|someone|new hires|newbies|me)\s+(out\s+)?at\b"
    r"|\bwhat\s+(would|will|could|might)\s+my\s+(\w+\s+){0,3}(job|role|position)\s+pay\b"
    r"|\bis\s+(that|this|it)\s+(a\s+)?fair\s+(pay|salary|wage)\b|\bfair\s+(pay|salary|wage)$"
    r"|\bwhat\s+(should|would|will)\s+(my\s+)?(starting|start)\s+(pay|salary|wage)\s+be\b"
)
_WANTS_MORE = re.compile(
    r"\b(i|me|my)\b.*\b(earn|make|get paid|be paid) more\b"
    r"|\b(get|ask for|negotiate|deserve) a raise\b|\bmy raise\b"
    r"|\b(increase|boost|raise|grow|improve) my (pay|salary|income|earnings)\b"
)
# Kinds of ask (language.toml) that a personal estimate does not answer.
_NOT_AN_ESTIMATE = frozenset({"how_to", "investment", "legal_hr"})
# Nor does it answer a price, or pay in a year the article has no figures for.
_NO_ESTIMATE_SCOPES = frozenset({"price", "period"})
# Where one ask ends and the next begins: "?", ";", "also", or "and" before a question word.
_ASK_BOUNDARY = re.compile(
    r"[?;]|\b(?:and also|also|oh and|plus)\b"
    r"|\band\s+(?=(?:do|does|is|are|what|whats|how|can|will|should|which|who|where|why)\b)",
    re.IGNORECASE,
)
_CLAUSE_BOUNDARY = re.compile(r"[,;]")
_COMPARES = re.compile(
    r"\b(vs|versus|or|than|compared?|comparison|difference between|which pays)\b"
)
_COMPARISON_SIDES = re.compile(
    r"\b(?:vs|versus|or|compared (?:to|with)|than|and)\b|[,/]", re.IGNORECASE
)
_COMPARISON_MAX_CHARS = 1050
_MIN_ASK_WORDS = 3
_MAX_ASKS = 3
_MAX_FOLLOW_UP_WORDS = 6
# Follow-ups that mean nothing without the last answer.
_BARE_FOLLOW_UPS = frozenset(
    [
        "why",
        "how",
        "how so",
        "how come",
        "how much",
        "really",
        "example",
        "for example",
        "more",
        "tell me more",
        "and",
        "so",
        "what else",
        "such as",
        "like what",
        "meaning",
    ]
)
_WHAT_IF = re.compile(r"(and|what about|how about|what if|with|in|at|if i|plus|instead|now)\b")
_MORE_YEARS = re.compile(r"\b(\d+(?:\.\d+)?)\s+more\s+years?\b")
# Words that carry no topic around small talk ("thanks so much bot").
_FILLER = frozenset(
    [
        "bot",
        "there",
        "so",
        "much",
        "very",
        "you",
        "again",
        "man",
        "buddy",
        "friend",
        "a",
        "lot",
        "for",
        "the",
        "info",
        "that",
        "all",
        "advisor",
        "ptcc",
        "and",
        "oh",
        "really",
        "help",
        "me",
        "please",
        "ok",
    ]
)
_MIN_SPANISH_WORDS = 2


@dataclass(frozen=True)
class Context:
    """What the advisor knows before this message: the saved profile and the last reply."""

    profile: Profile = dataclasses.field(default_factory=Profile)
    last_entry: str | None = None
    last_estimate: Profile | None = None


@dataclass(frozen=True)
class Reading:
    """One message, read. `profile` is what to estimate from (estimate, what-if, levers);
    `entries` the entries that answer (several asks, a follow-up) or, for an entry, the other
    side of a comparison; `kind` the small talk or
    feeling; `match` the matcher's verdict on the whole message."""

    text: str
    normalized: str
    intent: Intent
    details: Profile = dataclasses.field(default_factory=Profile)
    match: MatchResult | None = None
    profile: Profile | None = None
    entries: tuple[str, ...] = ()
    kind: str | None = None
    asks_estimate: bool = False


class Interpreter:
    """Reads messages against the knowledge, the matcher and the extractor."""

    def __init__(self, knowledge: Knowledge, matcher: Matcher, extractor: Extractor) -> None:
        self._knowledge = knowledge
        self._matcher = matcher
        self._extractor = extractor
        talk = knowledge.language.small_talk
        self._small_talk = phrase_table(
            (p, f"<{kind}>")
            for kind in ("greeting", "thanks", "help", "bye")
            for p in getattr(talk, kind)
        )
        self._feelings = phrase_table(
            (p, kind) for kind in ("good_news", "nerves") for p in getattr(talk, kind)
        )
        self._spanish = talk.spanish

    def interpret(self, text: str, context: Context | None = None) -> Reading:
        context = context or Context()
        text = text.strip()[:MAX_QUESTION_CHARS]
        normalized = normalize(text)
        if not normalized:
            return Reading(text, normalized, "empty")
        small_talk = self._small_talk_kind(normalized)
        if small_talk:
            return Reading(text, normalized, "small_talk", kind=small_talk)
        feeling = self._feeling_kind(text, normalized)
        if feeling:
            return Reading(text, normalized, "feeling", kind=feeling)
        if self._is_spanish(text):
            return Reading(text, normalized, "other_language", kind="es")
        details = self._extractor.extract(text, normalized)
        what_if = self._what_if(text, normalized, details, context)
        if what_if is not None:
            return what_if
        result = self._matcher.match(text, normalized)
        read = Reading(text, normalized, "decline", details=details, match=result)
        if result.scope_problem == "country":
            return _with(read, "abroad")
        same_topic = self._same_topic(read, context)
        if same_topic is not None:
            return same_topic
        merged = context.profile.merged_with(details)
        personal = (
            result.scope_problem not in _NO_ESTIMATE_SCOPES
            and not self._asked_kinds(text, result) & _NOT_AN_ESTIMATE
        )
        # Ways to earn more are for the case in view: the last estimate's, or the profile.
        in_view = (context.last_estimate or context.profile).merged_with(details)
        if personal and _WANTS_MORE.search(normalized) and not in_view.is_empty():
            return _with(read, "levers", profile=in_view)
        asks = bool(_ASKS_ESTIMATE.search(normalized))
        if personal and self._wants_estimate(normalized, details, context.profile, result):
            return _with(read, "estimate", profile=merged)
        several = self._several_asks(text)
        if several:
            return _with(read, "several", entries=several)
        if result.entry_id is not None:
            other = self._compared_with(text, normalized, result.entry_id)
            return _with(read, "entry", asks_estimate=asks, entries=other)
        if result.alternatives and not result.out_of_scope:
            return _with(read, "unsure", asks_estimate=asks)
        return _with(read, "decline", asks_estimate=asks)

    def _asked_kinds(self, text: str, result: MatchResult) -> frozenset[str]:
        """The kinds of ask of the sentence that asks for an estimate, if one does: the rest
        is context ("I got an interview at a hospital. What will they offer?")."""
        # Clauses too: "got an interview at a hospital, what would they start me at".
        parts = [c for s in sentences(text) for c in _CLAUSE_BOUNDARY.split(s) if c.strip()]
        if len(parts) < 2:
            return result.ask_kinds
        asking = [n for n in map(normalize, parts) if _ASKS_ESTIMATE.search(n)]
        if not asking:
            return result.ask_kinds
        return frozenset().union(*(self._matcher.ask_kinds(s) for s in asking))

    def outside_the_us(self, place: str) -> bool:
        """Does this place name a country (or a city) outside the United States?"""
        return self._matcher.scope_problem(normalize(place)) == "country"

    # What kind of message ---------------------------------------------------------------

    def _small_talk_kind(self, normalized: str) -> str | None:
        """'greeting', 'thanks', 'help' or 'bye' when the message is only that."""
        words = replace_phrases(normalized.split(), self._small_talk)
        kinds = [w[1:-1] for w in words if w.startswith("<")]
        if not kinds or any(not w.startswith("<") and w not in _FILLER for w in words):
            return None
        for kind in ("help", "thanks", "bye"):
            if kind in kinds:
                return kind
        return "greeting"

    def _feeling_kind(self, text: str, normalized: str) -> str | None:
        """'good_news' or 'nerves' for a message that shares a feeling and asks nothing."""
        if "?" in text or QUESTION_WORDS.intersection(normalized.split()):
            return None
        found = [kind for _, kind in find_phrases(normalized, self._feelings)]
        return "good_news" if "good_news" in found else (found[0] if found else None)

    def _is_spanish(self, text: str) -> bool:
        """Mostly Spanish: "cuánto gana un coordinador en Texas", not an English question
        that starts "como se dice..."."""
        words = text.lower().replace("¿", " ").replace("?", " ").split()
        spanish = sum(w.strip(".,!¡") in self._spanish for w in words)
        return spanish >= _MIN_SPANISH_WORDS and 2 * spanish >= len(words)

    # Personal asks ----------------------------------------------------------------------

    def _wants_estimate(
        self, normalized: str, details: Profile, stored: Profile, result: MatchResult
    ) -> bool:
        """Is this a user asking about their own pay, with something to estimate from?"""
        # Skills alone ("billing", "WebPT") say little about who is asking.
        stated = details.model_fields_set - {"skills"}
        if _MIDDLE_EXPERIENCE.search(normalized):
            stated = stated | {"years"}
        # A benefit or a cost ("how much pension would I get") is not pay, however it is asked.
        if result.ask_kinds & _NOT_PAY and not _PAY_NAMED.search(normalized):
            return False
        if _ASKS_ESTIMATE.search(normalized):
            return bool(stated) or not stored.is_empty()
        if not stated:
            return False
        first_person = bool(_FIRST_PERSON.search(normalized))
        # "Hourly pay at Select Medical in Tampa": a company's pay, unless a profile is given
        # ("I work for ATI", "9 years, bachelor's, Select Medical in Denver").
        if "named_company" in result.ask_kinds and not first_person and len(stated) < 3:
            return False
        about_pay = bool(_SALARY_WORDS.search(normalized))
        if "years" in stated and first_person and about_pay:
            return True
        # A message that lists three facts about someone is a profile, whatever its wording.
        return len(stated) >= 3 or (len(stated) == 2 and about_pay)

    # Context ----------------------------------------------------------------------------

    def _what_if(
        self, text: str, normalized: str, details: Profile, context: Context
    ) -> Reading | None:
        """After an estimate, a short "and in boston?" or "with 3 more years?" is a what-if on
        the profile it was made from."""
        base = context.last_estimate
        if base is None or len(normalized.split()) > _MAX_FOLLOW_UP_WORDS:
            return None
        more = _MORE_YEARS.search(normalized)
        if not (more or (_WHAT_IF.match(normalized) and details.model_fields_set)):
            return None
        changed = base.merged_with(details)
        if "certifications" in details.model_fields_set:
            added = sorted({*base.certifications, *details.certifications})
            changed = changed.model_copy(update={"certifications": tuple(added)})
        if more:
            years = min((base.years or 0) + float(more.group(1)), MAX_YEARS)
            changed = changed.model_copy(update={"years": years})
        if changed.location and self.outside_the_us(changed.location):
            return None
        return Reading(text, normalized, "what_if", details=details, profile=changed)

    def _same_topic(self, read: Reading, context: Context) -> Reading | None:
        """After an answer, a short "why?" or "how much?" that means nothing on its own is
        asked of the same topic: the related entry that fits it best."""
        last = self._knowledge.entries.get(context.last_entry or "")
        if last is None or len(read.normalized.split()) > _MAX_FOLLOW_UP_WORDS:
            return None
        assert read.match is not None
        if read.normalized not in _BARE_FOLLOW_UPS and read.match.entry_id is not None:
            return None
        ranked = self._matcher.analyse(f"{read.text} {last.title}", among=last.related).ranked
        nearby = [c.entry_id for c in ranked if c.score > 0]
        return _with(read, "follow_up", entries=tuple(nearby[:1])) if nearby else None

    def _compared_with(self, text: str, normalized: str, entry_id: str) -> tuple[str, ...]:
        """For "Boston vs NYC, which pays more?": the entry that answers the other side of a
        comparison, when both sides have their own entry in the same section."""
        if not _COMPARES.search(normalized):
            return ()
        entry = self._knowledge.entries[entry_id]
        for side in _COMPARISON_SIDES.split(text):
            other = self._matcher.match(side).entry_id if side.strip() else None
            if other and other != entry_id:
                found = self._knowledge.entries[other]
                short = len(entry.answer) + len(found.answer) <= _COMPARISON_MAX_CHARS
                return (other,) if short and found.section == entry.section else ()
        return ()

    def _several_asks(self, text: str) -> tuple[str, ...]:
        """For "what's the pay in NYC and do I need a degree?": the entries that answer each
        ask, when the message holds two or more asks that different entries answer."""
        asks = [a for a in _ASK_BOUNDARY.split(text) if a and len(a.split()) >= _MIN_ASK_WORDS]
        if len(asks) < 2:
            return ()
        ids = [self._matcher.match(ask).entry_id for ask in asks[:_MAX_ASKS]]
        found = tuple(dict.fromkeys(i for i in ids if i is not None))
        return found if len(found) >= 2 else ()


def _with(read: Reading, intent: Intent, **changes: object) -> Reading:
    return dataclasses.replace(read, intent=intent, **changes)  # type: ignore[arg-type]
