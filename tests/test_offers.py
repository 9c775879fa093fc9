"""Total compensation and offer comparison, in the core and through `ptcc`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ptcc_core.offers import Offer, compare, parse_offer, total_compensation


def part(offer: Offer, label: str) -> int:
    return next(line.amount for line in total_compensation(offer).lines if line.label == label)


@pytest.mark.parametrize(("contribution", "match"), [(6, 1350), (10, 1350), (4, 900), (0, 0)])
def test_a_match_of_50_percent_up_to_6(contribution: float, match: int) -> None:
    offer = Offer(base=45000, contribution_pct=contribution, match_rate_pct=50, match_cap_pct=6)
    assert part(offer, "Retirement match") == match


def test_no_match_is_counted_unless_given() -> None:
    total = total_compensation(Offer(base=45000, contribution_pct=6))
    line = next(line for line in total.lines if line.label == "Retirement match")
    assert line.amount == 0 and "no employer match given" in line.assumption


def test_every_part_adds_up_and_pto_is_valued_at_daily_pay() -> None:
    offer = Offer(
        base=52000,
        bonus=1500,
        profit_sharing=500,
        health_insurance=6000,
        pto_days=10,
        ce_stipend=750,
        match_rate_pct=50,
    )
    total = total_compensation(offer)
    assert part(offer, "Paid time off") == 2000
    assert total.total == 52000 + 1500 + 500 + 1560 + 6000 + 2000 + 750
    assert all(line.assumption for line in total.lines)


@given(st.integers(20000, 200000), st.integers(0, 20000), st.integers(0, 20000))
def test_comparison_names_the_offer_worth_more(base: int, extra_a: int, extra_b: int) -> None:
    result = compare(Offer(base=base, bonus=extra_a), Offer(base=base, health_insurance=extra_b))
    assert result.difference == abs(extra_a - extra_b)
    assert result.better == (None if extra_a == extra_b else 1 if extra_a > extra_b else 2)


def test_a_lower_base_with_better_benefits_can_win() -> None:
    result = compare(Offer(base=45000, health_insurance=6000, pto_days=15), Offer(base=48000))
    assert result.better == 1


@pytest.mark.parametrize(
    "spec", ["base=abc", "salary=5", "base", "base=-1", "base=45000 pto_days=500"]
)
def test_bad_offer_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_offer(spec)


def ptcc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ptcc_core.cli", *args], capture_output=True, text=True
    )


def test_offer_and_compare_commands() -> None:
    offer = json.loads(ptcc("offer", "--base", "45000", "--bonus", "1000", "--json").stdout)
    assert offer["total"] == 45000 + 1000  # no match counted unless given
    matched = ptcc("offer", "--base", "45000", "--match-rate-pct", "50", "--json").stdout
    assert json.loads(matched)["total"] == 45000 + 1350
    text = ptcc("compare", "base=45000 health_insurance=6000", "base=48000").stdout
    assert text.startswith("Offer A is worth $3,000 more")
    both = json.loads(ptcc("compare", "base=45000", "base=45000", "--json").stdout)
    assert both["better"] is None and both["difference"] == 0


@pytest.mark.parametrize(
    "args",
    [
        ["offer"],
        ["offer", "--base", "0"],
        ["offer", "--base", "4e4x"],
        ["compare", "base=1", "nope=2"],
    ],
)
def test_bad_offer_arguments_exit_2(args: list[str]) -> None:
    result = ptcc(*args)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_offer_flow_in_conversation(advisor) -> None:
    from datetime import UTC, datetime

    from ptcc_core.conversation import Event, Session

    def turn(session: Session, kind: str, value: str):
        stored = Session.model_validate_json(session.model_dump_json())
        return advisor.handle(stored, Event(kind=kind, value=value, at=datetime.now(UTC)))

    outcome = turn(Session(), "command", "offer")
    assert outcome.session.offer_step == "base"
    outcome = turn(outcome.session, "text", "what is a 403b?")  # a question in between
    assert outcome.replies[0].kind == "answer" and outcome.session.offer_step == "base"
    outcome = turn(outcome.session, "text", "lots")  # not a number
    assert "couldn't read" in outcome.replies[0].text
    for value in ("$45,000", "1k", "offer:keep", "10 days", "skip", "50%", "6", "6%"):
        kind = "choice" if value.startswith("offer:") else "text"
        outcome = turn(outcome.session, kind, value)
    assert outcome.session.offer_step is None
    assert outcome.replies[0].text.startswith("This offer: $49,081 a year in total.")


def test_compare_flow_asks_for_two_offers(advisor) -> None:
    from datetime import UTC, datetime

    from ptcc_core.conversation import Event, Session

    session = Session()
    answers = ["45000", "0", "6000", "15", "0", "0", "48000", "0", "0", "10", "0", "0"]
    outcome = advisor.handle(session, Event(kind="command", value="compare", at=datetime.now(UTC)))
    for answer in answers:
        outcome = advisor.handle(
            outcome.session, Event(kind="text", value=answer, at=datetime.now(UTC))
        )
    assert outcome.replies[0].text.startswith("Offer A is worth")
    assert outcome.session.offer_step is None and outcome.session.offer_a is None
