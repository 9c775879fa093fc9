"""The guided questionnaire: one question per profile field, answered by button or by text.

Each step knows its prompt, its choices, how to read a typed answer, and how a button press
changes the draft profile. Certifications and skills take several answers: a press toggles
one, and "Done" moves on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ptcc_core.conversation import STEPS, Choice, StepId
from ptcc_core.extractor import Extractor
from ptcc_core.factors import SalaryFactors
from ptcc_core.profile import MAX_YEARS, Profile
from ptcc_core.text import normalize

BACK = Choice(label="⬅ Back", value="nav:back")
SKIP = Choice(label="Skip", value="nav:skip")
CANCEL = Choice(label="✖ Cancel", value="nav:cancel")
DONE = Choice(label="✔ Done", value="nav:done")

# "None" at a step that takes several: "nope none", "nah I don't have any", "none really".
_NONE = re.compile(
    r"^(?:(?:none|no|nope|nah|nothing|zero|not yet|not really|na|n a|idk|not sure|dont know)\b.*"
    r"|.*\b(?:none|nothing)\b.*"
    r"|.*\b(?:dont|do not|havent|have not|dont have|never got)\b.*\b(?:any|one|them)\b.*)$"
)
# "All three", "all of them", "every one": every choice at such a step.
_ALL = re.compile(r"^(?:.*\b)?(?:all|every|each)(?: of)?(?: (?:them|those|three|four|one))?\b")
# A range typed as on the buttons ("1-2", "3 to 5 years"): its middle.
_YEAR_RANGE = re.compile(
    r"^(\d+(?:\.\d+)?)(?:\s*(?:-|to)\s*|\s+)(\d+(?:\.\d+)?)(?:\s*(?:years?|yrs?))?$"
)
# "6ish", "about 6", "like 6 i guess": a bare number with a hedge around it.
_HEDGED_NUMBER = re.compile(
    r"^(?:about|around|roughly|maybe|like|almost|nearly|over)?\s*"
    r"(\d+(?:\.\d+)?)\s*(?:ish|or so|i guess|i think|maybe)?$"
)

_YEARS_BUTTONS = (
    ("Under 1 year", 0.5),
    ("1–2 years", 1.5),
    ("3–5 years", 4),
    ("6–7 years", 6.5),
    ("8–12 years", 10),
    ("13+ years", 14),
)


@dataclass(frozen=True)
class Question:
    """One questionnaire step as shown to the user."""

    step: StepId
    prompt: str
    hint: str
    choices: tuple[Choice, ...]
    multi: bool = False


class Questionnaire:
    """The questionnaire's steps, built from the salary factor tables."""

    def __init__(self, factors: SalaryFactors, extractor: Extractor) -> None:
        self._factors = factors
        self._extractor = extractor
        locations = factors.locations
        self._location_buttons = {
            **{m.id: m.name for m in locations.metro},
            "average": f"Average city (e.g. {locations.average.examples[0]})",
            "lower": "Rural / lower-cost area",
        }
        self.questions: dict[StepId, Question] = {
            "years": Question(
                "years",
                "How many years have you worked as a PT care coordinator?",
                'Pick a range or type a number, like "5 years" or "6 months".',
                tuple(
                    Choice(label=label, value=f"ans:years:{value:g}")
                    for label, value in _YEARS_BUTTONS
                ),
            ),
            "education": Question(
                "education",
                "What is your highest level of education?",
                'Pick one or type it, like "GED", "associate\'s" or "bachelor\'s".',
                tuple(
                    Choice(label=lv.label, value=f"ans:education:{lv.id}")
                    for lv in factors.education.level
                ),
            ),
            "certifications": Question(
                "certifications",
                "Do you hold any of these certifications? Tap each one you have, then Done.",
                'Tap the ones you hold, or type them ("CMAA and CEHRS"), or "none".',
                tuple(
                    Choice(label=c.id, value=f"ans:certifications:{c.id}")
                    for c in factors.certifications.certification
                ),
                multi=True,
            ),
            "location": Question(
                "location",
                "Where do you work, or want to work?",
                'Pick one or type a city or area, like "Boston", "Denver" or "rural Ohio".',
                tuple(
                    Choice(label=label, value=f"ans:location:{key}")
                    for key, label in self._location_buttons.items()
                ),
            ),
            "employer": Question(
                "employer",
                "What kind of employer?",
                'Pick one or type it, like "hospital" or "private clinic".',
                tuple(
                    Choice(label=e.label.split(" (")[0], value=f"ans:employer:{e.id}")
                    for e in factors.employers.employer
                ),
            ),
            "skills": Question(
                "skills",
                "Which of these skills do you bring? Tap each one, then Done.",
                'Tap the ones you have, or type them ("WebPT, billing"), or "none".',
                tuple(
                    Choice(label=s.label.split(" (")[0], value=f"ans:skills:{s.id}")
                    for s in factors.skills.skill
                ),
                multi=True,
            ),
        }

        aliases: dict[str, tuple[str, ...]] = {
            **{f"ans:education:{lv.id}": lv.aliases for lv in factors.education.level},
            **{f"ans:employer:{e.id}": e.aliases for e in factors.employers.employer},
        }
        self._choice_words: dict[StepId, list[tuple[str, frozenset[str]]]] = {
            step: [
                (c.value, frozenset(normalize(phrase).split()))
                for c in question.choices
                for phrase in (c.label.split(" (")[0], *aliases.get(c.value, ()))
                if normalize(phrase)
            ]
            for step, question in self.questions.items()
        }

    def next_step(self, step: StepId | None) -> StepId | None:
        if step is None:
            return STEPS[0]
        index = STEPS.index(step) + 1
        return STEPS[index] if index < len(STEPS) else None

    def previous_step(self, step: StepId) -> StepId | None:
        index = STEPS.index(step)
        return STEPS[index - 1] if index > 0 else None

    def navigation(self, step: StepId, draft: Profile, editing: bool) -> tuple[Choice, ...]:
        question = self.questions[step]
        marked = tuple(
            Choice(label=f"✔ {c.label}", value=c.value)
            if question.multi and c.value.rsplit(":", 1)[1] in getattr(draft, step)
            else c
            for c in question.choices
        )
        nav = [DONE] if question.multi else []
        if not editing and self.previous_step(step):
            nav.append(BACK)
        if not question.multi:
            nav.append(SKIP)
        nav.append(CANCEL)
        return marked + tuple(nav)

    def read_choice(self, step: StepId, value: str, draft: Profile) -> tuple[Profile, bool] | None:
        """Apply a pressed answer button: (new draft, whether to move on), or None if forged."""
        question = self.questions[step]
        if value not in {c.value for c in question.choices}:
            return None
        answer = value.rsplit(":", 1)[1]
        if step == "years":
            return self._set(draft, "years", float(answer)), True
        if step == "location":
            return self._set(draft, "location", self._location_buttons[answer]), True
        if question.multi:
            held = set(getattr(draft, step))
            held ^= {answer}
            return self._set(draft, step, tuple(held)), False
        return self._set(draft, step, answer), True

    def apply_place(self, text: str, draft: Profile) -> Profile:
        """The draft with a place the article does not name (it takes the national average)."""
        return self._set(draft, "location", " ".join(text.split()).title())

    def apply_text(
        self, step: StepId, details: Profile, normalized: str, draft: Profile
    ) -> Profile | None:
        """The draft with a typed answer to this step, or None if the message gives none:
        `details` are what the message states (read once, by the extractor)."""
        question = self.questions[step]
        value = getattr(details, step) if step in details.model_fields_set else None
        if question.multi and not value:
            if _ALL.match(normalized):
                return self._set(draft, step, [c.value.rsplit(":", 1)[1] for c in question.choices])
            if _NONE.match(normalized):
                return self._set(draft, step, ())
        if step == "years" and value is None:
            value = _typed_years(normalized)  # "5", "1-2", "6ish" answer "how many years?"
        if value is None and not question.multi:
            picked = self._named_choice(step, normalized)
            read = self.read_choice(step, picked, draft) if picked else None
            if read is not None:
                return read[0]
        if value is None or (step == "years" and value > MAX_YEARS):
            return None
        return self._set(draft, step, value)

    def _named_choice(self, step: StepId, normalized: str) -> str | None:
        """The one choice whose label's words, or one of its aliases' words, all appear in
        the text, in any order ("average city", "small private PT practice"), if only one
        choice does."""
        words = set(normalized.split())
        named = {value for value, needed in self._choice_words[step] if needed <= words}
        return named.pop() if len(named) == 1 else None

    @staticmethod
    def _set(draft: Profile, field: str, value: Any) -> Profile:
        """The draft with one more answer, validated, and marked as answered."""
        return Profile.model_validate({**draft.model_dump(exclude_unset=True), field: value})


def _typed_years(normalized: str) -> float | None:
    """Years typed without the word "years": "5", "6ish", "1-2" (a range's middle)."""
    found = _YEAR_RANGE.match(normalized)
    if found:
        return (float(found.group(1)) + float(found.group(2))) / 2
    found = _HEDGED_NUMBER.match(normalized)
    return float(found.group(1)) if found else None
