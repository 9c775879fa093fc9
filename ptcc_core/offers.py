"""Total compensation of a job offer, and two offers side by side.

The article's view: base salary is one part; bonuses, profit sharing, health insurance, a
retirement match (a common one is 50% of your contribution up to 6% of salary), paid time off
and a continuing-education stipend make up the rest. Every figure here is the user's, or a
default that is shown as an assumption; no employer match is counted unless it was given.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ptcc_core.estimator import usd

WORKING_DAYS_PER_YEAR = 260


class Offer(BaseModel):
    """One job offer. Everything but the base salary has a default the user can change."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base: int = Field(gt=0, le=1_000_000, description="annual base salary, USD")
    bonus: int = Field(default=0, ge=0, le=1_000_000, description="expected yearly bonus")
    profit_sharing: int = Field(default=0, ge=0, le=1_000_000)
    health_insurance: int = Field(
        default=0, ge=0, le=100_000, description="what the employer pays for your cover, yearly"
    )
    contribution_pct: float = Field(
        default=6.0, ge=0, le=100, description="your 401(k)/403(b) contribution"
    )
    match_rate_pct: float = Field(
        default=0.0, ge=0, le=200, description="employer match, % of your contribution"
    )
    match_cap_pct: float = Field(
        default=6.0, ge=0, le=100, description="matched up to this % of salary"
    )
    pto_days: float = Field(default=0, ge=0, le=100, description="paid days off a year")
    ce_stipend: int = Field(
        default=0, ge=0, le=100_000, description="continuing-education allowance"
    )


class Line(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: str
    amount: int
    assumption: str


class TotalCompensation(BaseModel):
    """An offer's parts in dollars a year, their total, and what each assumes."""

    model_config = ConfigDict(frozen=True)

    offer: Offer
    lines: tuple[Line, ...]
    total: int


def total_compensation(offer: Offer) -> TotalCompensation:
    matched_pct = min(offer.contribution_pct, offer.match_cap_pct)
    match = offer.base * matched_pct / 100 * offer.match_rate_pct / 100
    daily = offer.base / WORKING_DAYS_PER_YEAR
    given = "as given"
    lines = (
        Line(label="Base salary", amount=offer.base, assumption=given),
        Line(
            label="Bonus",
            amount=offer.bonus,
            assumption=given
            if offer.bonus
            else "none given; the article says bonuses are not always standard, and a yearly one can range from a few hundred to several thousand dollars",
        ),
        Line(
            label="Profit sharing",
            amount=offer.profit_sharing,
            assumption=given if offer.profit_sharing else "none given",
        ),
        Line(
            label="Retirement match",
            amount=round(match),
            assumption=f"you put in {offer.contribution_pct:g}% of salary; the employer adds {offer.match_rate_pct:g}% of that, up to {offer.match_cap_pct:g}% of salary, as given"
            if offer.match_rate_pct
            else "no employer match given; a common match, the article says, is 50% of your contribution up to 6% of salary, so ask the employer",
        ),
        Line(
            label="Health insurance",
            amount=offer.health_insurance,
            assumption=given
            if offer.health_insurance
            else "none given; the article says a strong plan can be worth thousands a year",
        ),
        Line(
            label="Paid time off",
            amount=round(daily * offer.pto_days),
            assumption=f"{offer.pto_days:g} days at your daily pay ({usd(daily)}, base / {WORKING_DAYS_PER_YEAR} working days)",
        ),
        Line(
            label="Continuing-education stipend",
            amount=offer.ce_stipend,
            assumption=given if offer.ce_stipend else "none given",
        ),
    )
    return TotalCompensation(offer=offer, lines=lines, total=sum(line.amount for line in lines))


class Comparison(BaseModel):
    model_config = ConfigDict(frozen=True)

    first: TotalCompensation
    second: TotalCompensation
    difference: int
    better: int | None


def compare(first: Offer, second: Offer) -> Comparison:
    """Which offer is worth more in total, and by how much (better is 1, 2 or None for a tie)."""
    a, b = total_compensation(first), total_compensation(second)
    difference = abs(a.total - b.total)
    better = None if difference == 0 else (1 if a.total > b.total else 2)
    return Comparison(first=a, second=b, difference=difference, better=better)


def parse_offer(spec: str) -> Offer:
    """An offer from "base=45000 bonus=2000 health_insurance=5000" (commas work too)."""
    fields: dict[str, str] = {}
    for part in spec.replace(",", " ").split():
        key, sep, value = part.partition("=")
        if not sep or not value:
            raise ValueError(f"{part!r} is not KEY=VALUE")
        fields[key.strip().lower().replace("-", "_")] = value.strip().lstrip("$")
    unknown = set(fields) - set(Offer.model_fields)
    if unknown:
        raise ValueError(f"unknown {sorted(unknown)}; use {', '.join(Offer.model_fields)}")
    try:
        return Offer.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
        raise ValueError(problems) from None


def offer_text(total: TotalCompensation, name: str = "This offer") -> str:
    lines = [f"{name}: {usd(total.total)} a year in total."]
    lines += [f"- {line.label}: {usd(line.amount)} ({line.assumption})" for line in total.lines]
    return "\n".join(lines)


def comparison_text(comparison: Comparison) -> str:
    if comparison.better is None:
        verdict = "Both offers are worth the same in total."
    else:
        verdict = f"Offer {'AB'[comparison.better - 1]} is worth {usd(comparison.difference)} more a year in total."
    return "\n\n".join(
        [verdict, offer_text(comparison.first, "Offer A"), offer_text(comparison.second, "Offer B")]
    )
