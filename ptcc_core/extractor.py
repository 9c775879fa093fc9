"""Free text -> the profile details it states: years, education, certifications, location,
employer type and skills ("5 yrs, bachelor's, CMAA, Boston, hospital").

Only what the text says is set on the returned profile (see `Profile.model_fields_set`), so
it can be merged over a stored profile without erasing anything.
"""

from __future__ import annotations

import re
from typing import Any

from ptcc_core.factors import SalaryFactors
from ptcc_core.places import PlaceResolver
from ptcc_core.profile import MAX_YEARS, Profile
from ptcc_core.text import find_phrases, normalize, phrase_table

_NUMBER_WORDS = {
    "zero": 0, "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "half": 0.5,
}  # fmt: skip
_NUMBER = r"(\d+(?:\.\d+)?|" + "|".join(_NUMBER_WORDS) + r")"
# "a 4 year degree", "2 years of college": a length of schooling, not of experience.
_SCHOOLING = (
    r"\s+(?:of\s+|in\s+)?(?:college|university|uni|school|schooling|degree|program|programme|"
    r"course|courses|classes|study|studies)\b"
)
_YEARS = re.compile(
    _NUMBER
    + r"(?:\s+and\s+a\s+half)?\s*(?:plus\s+|\+\s*)?(years?|months?)\b(?!\s+old)"
    + f"(?!{_SCHOOLING})"
)
_NO_EXPERIENCE = re.compile(
    r"\b(no experience|zero experience|entry level|just starting|starting out|new grad|"
    r"fresh graduate|fresher|first job|first year|brand new|never worked|new to it|just started)\b"
    # Someone just out of school, or about to begin: "my son just finished high school",
    # "a new patient care coordinator", "want to start as a coordinator", "my first coord job".
    r"|\bjust (finished|graduated|graduating|finishing|out of)\b|\brecent(ly)? grad"
    r"|\bnew (coordinator|hire|patient care coordinator|physical therapy care coordinator)\b"
    r"|\b(start|starting) (out )?as (a|an)\b|\bfirst (\w+ ){1,2}job\b"
    # Asking what one would start at: a first job ("what would I start at", "start me at").
    r"|\b(would|will|could|might|should) (i|he|she|they|we) (\w+ )?start (out )?(at|on)\b"
    r"|\bstart (me|him|her) (out )?at\b|\bmy starting (pay|salary|wage)\b"
)
# "Make 40k a year", "what do they earn a year": a rate of pay, not a year of experience.
_PAY_RATE = re.compile(
    r"\b(make|makes|making|made|earn|earns|earning|earned|paid|pay|pays|get|gets|salary|"
    r"wage|income|bring in|take home|k|thousand|dollars|bucks)(\s+\w+)?\s+$"
)
_DECADES = re.compile(r"\b(a|one|two|1|2)?\s*decades?\b")


def _number(token: str) -> float:
    return float(_NUMBER_WORDS[token]) if token in _NUMBER_WORDS else float(token)


class Extractor:
    """Finds profile details in text using the salary factor tables' aliases."""

    def __init__(self, factors: SalaryFactors, places: PlaceResolver) -> None:
        self._places = places
        self._education = phrase_table(
            (alias, lv.id) for lv in factors.education.level for alias in (lv.label, *lv.aliases)
        )
        self._certifications = phrase_table(
            (alias, c.id)
            for c in factors.certifications.certification
            for alias in (c.id, c.name, *c.aliases)
        )
        self._employers = phrase_table(
            (alias, e.id) for e in factors.employers.employer for alias in e.aliases
        )
        self._skills = phrase_table(
            (alias, s.id) for s in factors.skills.skill for alias in s.aliases
        )

    def years(self, normalized: str) -> float | None:
        match = next(
            (
                m
                for m in _YEARS.finditer(normalized)
                if m.group(1) not in ("a", "an") or not _PAY_RATE.search(normalized[: m.start()])
            ),
            None,
        )
        if match:
            value = _number(match.group(1))
            if "and a half" in match.group(0):
                value += 0.5
            if match.group(2).startswith("month"):
                value = round(value / 12, 1)
            return value if 0 <= value <= MAX_YEARS else None
        decades = _DECADES.search(normalized)
        if decades:
            return 10.0 * (_number(decades.group(1)) if decades.group(1) else 1)
        if _NO_EXPERIENCE.search(normalized):
            return 0.0
        return None

    def education(self, normalized: str) -> str | None:
        found = [value for _, value in find_phrases(normalized, self._education)]
        return found[-1] if found else None

    def certifications(self, normalized: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v for _, v in find_phrases(normalized, self._certifications)))

    def employer(self, normalized: str) -> str | None:
        found = [value for _, value in find_phrases(normalized, self._employers)]
        return found[0] if found else None

    def skills(self, normalized: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v for _, v in find_phrases(normalized, self._skills)))

    def field(self, name: str, text: str, normalized: str | None = None) -> Any:
        """One profile field as the text states it, or None when it does not."""
        normalized = normalize(text) if normalized is None else normalized
        if name == "location":
            place = self._places.find(text)
            return place.name if place else None
        readers = {
            "years": self.years,
            "education": self.education,
            "certifications": self.certifications,
            "employer": self.employer,
            "skills": self.skills,
        }
        value = readers[name](normalized)
        return None if value == () else value

    def extract(self, text: str, normalized: str | None = None) -> Profile:
        """The details text states, as a profile whose set fields are exactly those found
        (`normalized`: the text already normalised, when the caller has it)."""
        normalized = normalize(text) if normalized is None else normalized
        found = {name: self.field(name, text, normalized) for name in Profile.model_fields}
        return Profile(**{name: value for name, value in found.items() if value is not None})
