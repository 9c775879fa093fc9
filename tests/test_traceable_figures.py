"""Every figure the bot quotes comes from the article: each dollar amount and percentage in
the knowledge answers, the estimate breakdowns and notes, the ways to earn more and the offer
texts is one the article gives. The bot's own arithmetic is allowed only where the text says
so ("I count", "the sum of the premiums"), and every estimate is rounded the same way and
stops where the article's figures end."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from ptcc_core.advisor import Advisor
from ptcc_core.offer_form import QUESTIONS
from ptcc_core.offers import Offer, total_compensation
from ptcc_core.profile import Profile

# A copy of the source article (shared/source/000_954a31b7260f569e.txt), for this check.
ARTICLE = Path(__file__).parent / "data" / "source_article.txt"
_DOLLARS = re.compile(
    r"\$(\d[\d,]*)(k?)(\+|\s+or more)?(?:\s*(?:-|to|and)\s*[+~]?\$(\d[\d,]*)(k?)(\+|\s+or more)?)?"
)
_PERCENTS = re.compile(
    r"[+-]?(\d+(?:\.\d+)?)(?:%|\s*percent)?\s*(?:-|to)\s*[+-]?(\d+(?:\.\d+)?)\s*(?:%|percent)"
    r"|(\d+(?:\.\d+)?)\s*(?:%|percent)"
)
# The bot's own arithmetic, each said to be so where it appears.
_OWN = re.compile(
    r"I count [^;)]*|\$[\d,]+ is the sum of the premiums|tops out at \+\d+%"
    r"|you put in [^;]*; the employer adds [^,]*, up to [^,]*, as given"
    r"|[^.]*\(my arithmetic[^.]*\."
)


def _amount(digits: str, k: str) -> int:
    value = int(digits.replace(",", ""))
    return value * 1000 if k else value


def figures(text: str) -> set[str]:
    """Each figure as a token: "$35000", a range "$35000-$42000", an open one "$42000+",
    "25-35%" (whichever way round or signed), "8%"."""
    found = set()
    for low, k1, plus1, high, k2, plus2 in _DOLLARS.findall(text):
        # "$56,000 to $70,000 or more" is the article's "$56,000 - $70,000+".
        if high:
            found.add(f"${_amount(low, k1)}-${_amount(high, k2 or k1)}{'+' if plus2 else ''}")
        else:
            found.add(f"${_amount(low, k1)}{'+' if plus1 else ''}")
    for low, high, single in _PERCENTS.findall(text):
        if single:
            found.add(f"{float(single):g}%")
        else:
            a, b = sorted((float(low), float(high)))
            found.add(f"{a:g}-{b:g}%")
    return found


def endpoints(tokens: set[str]) -> set[str]:
    """Single figures that a range or an open figure contains: "$35000" in "$35000-$42000"."""
    singles = set()
    for token in tokens:
        unit = "%" if token.endswith("%") else ""
        body = token.rstrip("+%")
        parts = [part if part.startswith("$") else part + unit for part in body.split("-")]
        singles.update(parts)
        if token.endswith("+"):
            singles.add(parts[-1] + "+")  # "$70,000+" in "$56,000 - $70,000+"
    return singles


@pytest.fixture(scope="module")
def article_figures() -> set[str]:
    """The article's figures as it gives them (ranges whole), and each end on its own."""
    given = figures(ARTICLE.read_text(encoding="utf-8"))
    return given | endpoints(given)


def quoted(text: str) -> set[str]:
    """What a text quotes: a range must be one of the article's ranges, not just two of its
    numbers ("$42,000-$44,000+" is not the article's "$42,000+")."""
    return figures(_OWN.sub("", text))


def test_the_article_is_found_and_read(article_figures: set[str]) -> None:
    assert {
        "$45160",
        "$35000-$42000",
        "$56000-$70000+",
        "$42000+",
        "25-35%",
        "50%",
    } <= article_figures
    assert "$42000-$44000" not in article_figures and "$39000+" not in article_figures


def test_every_knowledge_answer_quotes_only_the_articles_figures(
    advisor: Advisor, article_figures: set[str]
) -> None:
    for entry in advisor.knowledge.entries.values():
        assert quoted(entry.answer) <= article_figures, entry.id
    for group in advisor.knowledge.unanswerable:
        assert quoted(group.reason) <= article_figures, group.id


def _profiles() -> list[Profile]:
    years = (None, 0.5, 2, 5, 9, 20)
    places = (None, "San Francisco", "Boston", "Denver", "rural Ohio")
    employers = (None, "hospital", "private_clinic", "corporate_chain", "specialty_clinic")
    return [
        Profile(
            years=y,
            education=e,
            certifications=c,
            location=p,
            employer=m,
            skills=("billing", "emr") if y == 9 else (),
        )
        for y, e, c, p, m in itertools.product(
            years, (None, "high_school", "bachelor"), ((), ("CMAA", "CPCT")), places, employers
        )
    ]


def test_every_estimate_text_quotes_only_the_articles_figures(
    advisor: Advisor, article_figures: set[str]
) -> None:
    ceiling = advisor.knowledge.factors.experience.tier[-1].high
    for profile in _profiles():
        estimate = advisor.estimator.estimate(profile)
        for step in estimate.breakdown:
            assert quoted(step.effect) <= article_figures, (profile, step.effect)
        for note in estimate.notes:
            assert quoted(note) <= article_figures, (profile, note)
        for lever in advisor.lever_finder.levers(profile):
            assert quoted(lever.why) <= article_figures, (profile, lever.why)
        # One rounding for every figure, and no most likely figure past the article's top.
        assert all(v % 100 == 0 for v in (estimate.low, estimate.mid, estimate.high))
        assert estimate.low <= estimate.mid <= min(estimate.high, ceiling), profile


def test_the_offer_texts_quote_only_the_articles_figures(article_figures: set[str]) -> None:
    for question in QUESTIONS.values():
        assert quoted(question.prompt) <= article_figures, question.prompt
    for line in total_compensation(Offer(base=45000)).lines:
        if line.assumption != "as given":
            assert quoted(line.assumption) - {"$45000", "$173"} <= article_figures, line


def test_a_stacked_profile_says_where_the_articles_figures_end(advisor: Advisor) -> None:
    everything = Profile(
        years=13,
        education="bachelor",
        certifications=("CMAA", "CEHRS", "CPCT"),
        location="San Francisco",
        employer="specialty_clinic",
        skills=("billing", "emr", "excel", "insurance"),
    )
    reply = advisor.texts.estimate(advisor.estimator.estimate(everything))
    assert "most likely about $70,000" in reply.text
    assert "the article's figures end at $70,000+" in reply.text.lower()
    assert "adding them up is my arithmetic" in reply.text
