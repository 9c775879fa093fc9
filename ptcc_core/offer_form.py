"""The guided /offer and /compare flows: an offer's parts asked one at a time, typed as numbers
("45k", "$2,000", "10 days", "6%"), each but the base with a default the user can keep."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ptcc_core.conversation import OFFER_STEPS, Choice, OfferStep
from ptcc_core.offers import Offer
from ptcc_core.text import normalize

KEEP = Choice(label="Keep the default", value="offer:keep")
BACK = Choice(label="⬅ Back", value="offer:back")
STOP = Choice(label="✖ Cancel", value="offer:cancel")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_UNIT_WORDS = {
    "usd",
    "dollars",
    "dollar",
    "a",
    "per",
    "year",
    "annual",
    "annually",
    "days",
    "day",
    "percent",
    "of",
    "salary",
    "about",
    "around",
    "roughly",
    "approximately",
}


@dataclass(frozen=True)
class OfferQuestion:
    prompt: str
    example: str


QUESTIONS: dict[OfferStep, OfferQuestion] = {
    "base": OfferQuestion("What is the base salary, per year?", "45000 or 45k"),
    "bonus": OfferQuestion(
        "Any yearly bonus you can expect? (The article says bonuses are not always standard; a yearly one can range from a few hundred to several thousand dollars.)",
        "1500, or 0",
    ),
    "health_insurance": OfferQuestion(
        "What does the employer pay toward your health insurance per year? (A strong plan can be worth thousands.)",
        "6000, or 0 if unknown",
    ),
    "pto_days": OfferQuestion(
        "How many paid days off a year (vacation, sick days, holidays)?", "15"
    ),
    "ce_stipend": OfferQuestion("Any continuing-education stipend per year?", "500, or 0"),
    "match_rate_pct": OfferQuestion(
        "Does the employer match 401(k)/403(b) contributions? Type the % of your contribution it adds, or 0 for no match. (A common match, the article says, is 50% of your contribution up to 6% of salary.)",
        "50, or 0",
    ),
    "match_cap_pct": OfferQuestion("It matches up to what % of your salary?", "6"),
    "contribution_pct": OfferQuestion("And what % of your salary would you put in?", "6"),
}


def choices(step: OfferStep) -> tuple[Choice, ...]:
    return (STOP,) if step == "base" else (KEEP, BACK, STOP)


def default_text(step: OfferStep) -> str:
    default = Offer.model_fields[step].default
    return "" if step == "base" else f" (default: {default:g})"


def read_amount(step: OfferStep, text: str) -> float | None:
    """The number a typed answer gives, if it is one this step accepts."""
    words = normalize(text).split()
    found = [w for w in words if _NUMBER.fullmatch(w)]
    # Only a number and its units: "what is a 403b?" is a question, not an amount.
    if len(found) != 1 or any(w not in _UNIT_WORDS and w not in found for w in words):
        return None
    value = float(found[0])
    limits = Offer.model_fields[step].metadata
    low = next((getattr(m, "gt", None) for m in limits if getattr(m, "gt", None) is not None), None)
    high = next((m.le for m in limits if getattr(m, "le", None) is not None), None)
    if (low is not None and value <= low) or (high is not None and value > high) or value < 0:
        return None
    return value


def next_offer_step(step: OfferStep, answers: dict[str, float]) -> OfferStep | None:
    """The step after this one; with no employer match, its cap and your share do not count."""
    if step == "match_rate_pct" and not answers.get("match_rate_pct"):
        return None
    index = OFFER_STEPS.index(step) + 1
    return OFFER_STEPS[index] if index < len(OFFER_STEPS) else None
