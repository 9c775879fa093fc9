"""The salary estimator: a profile -> low, most likely and high annual pay, explained.

Pure and deterministic. Each step applies one of the article's factors, in this order, and
records what it did and where the figure comes from:

1. experience tier (or the national range when years are unknown); more years inside a tier
   move the most likely figure from the lower to the upper part of the tier's range;
2. education: its starting range replaces the entry tier's; later tiers carry part of the
   difference (the article gives education figures for starting pay only);
3. skills: each in-demand skill moves the most likely figure toward the top of the band;
4. employer type: a hospital system's starting range is a floor, a specialty clinic pays a
   little more at the top, the others follow the national figures;
5. certifications: one premium band for one or more certifications;
6. location: the metro premium or lower-cost discount, as a percentage of everything above.

The article gives each factor on its own and never says how they combine; adding them up is
this estimator's arithmetic, and every breakdown of two or more factors says so. Its
figures end at the senior tier's "$70,000+" (high-cost areas and large systems included), so
the most likely figure stops there; a higher top of the range is marked as the sum of
premiums, not an article figure. Every figure is rounded to the nearest $100.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict

from ptcc_core.factors import SalaryFactors
from ptcc_core.places import Place, PlaceResolver
from ptcc_core.profile import Profile

_POSITION_START = 0.25
_POSITION_SPAN = 0.5
ROUND_TO = 100


def rounded(amount: float) -> int:
    """To the nearest $100, halves up: every figure an estimate shows is rounded this way."""
    return int(math.floor(amount / ROUND_TO + 0.5) * ROUND_TO)


class Step(BaseModel):
    """One factor that moved the estimate, with the band after it was applied."""

    model_config = ConfigDict(frozen=True)

    factor: str
    effect: str
    source: str
    low: int
    mid: int
    high: int


class Estimate(BaseModel):
    """A salary estimate in annual USD, with the steps that produced it and caveats."""

    model_config = ConfigDict(frozen=True)

    low: int
    mid: int
    high: int
    currency: str = "USD"
    profile: Profile
    breakdown: tuple[Step, ...]
    notes: tuple[str, ...]


def usd(amount: float) -> str:
    return f"${round(amount):,}"


def _pct(fraction: float) -> str:
    return f"{fraction * 100:+.0f}%"


class _Band:
    """The band being built.

    `low`/`high` are the range from experience and education (scaled by an employer
    premium); the most likely figure sits at `position` inside it. Floors and additions are
    kept apart and applied last, so a floor lifts each figure without moving the others.
    """

    def __init__(self, low: float, high: float, position: float) -> None:
        self.low, self.high, self.position = low, high, position
        self.floor = (0.0, 0.0, 0.0)
        self.add = (0.0, 0.0, 0.0)

    def figures(self) -> tuple[float, float, float]:
        inside = self.low + (self.high - self.low) * self.position
        plain = (self.low, inside, self.high)
        low, mid, high = (
            max(v, f) + a for v, f, a in zip(plain, self.floor, self.add, strict=True)
        )
        return low, mid, high


class _Run:
    """One estimate in the making: the band, the steps recorded so far, and the notes."""

    def __init__(self, band: _Band, titles: dict[str, str], entry_tier: bool) -> None:
        self.band = band
        self.entry_tier = entry_tier
        self.steps: list[Step] = []
        self.notes: list[str] = []
        self._titles = titles
        self.scale = (1.0, 1.0, 1.0)

    def record(self, factor: str, effect: str, section: str) -> None:
        low, mid, high = self.figures()
        source = self._titles.get(section, section)
        self.steps.append(
            Step(factor=factor, effect=effect, source=source, low=low, mid=mid, high=high)
        )

    def figures(self) -> tuple[int, int, int]:
        figures = zip(self.band.figures(), self.scale, strict=True)
        low, mid, high = (rounded(value * scale) for value, scale in figures)
        return low, min(max(mid, low), high), high


class Estimator:
    """Turns profiles into estimates using the article's salary factor tables."""

    def __init__(self, factors: SalaryFactors, section_titles: dict[str, str]) -> None:
        self.factors = factors
        self.places = PlaceResolver(factors.locations)
        self._titles = section_titles

    def estimate(self, profile: Profile) -> Estimate:
        run = self._experience(profile)
        self._education(profile, run)
        self._skills(profile, run)
        self._employer(profile, run)
        self._certifications(profile, run)
        self._location(profile, run)
        low, mid, high = run.figures()
        ceiling = self.factors.experience.tier[-1].high
        if mid > ceiling:
            run.notes.insert(
                0,
                f"The article's figures end at {usd(ceiling)}+, so the most likely figure stops "
                f"there; {usd(high)} is the sum of the premiums, not an article figure.",
            )
            mid, low = ceiling, min(low, ceiling)
        return Estimate(
            low=low,
            mid=mid,
            high=high,
            profile=profile,
            breakdown=tuple(run.steps),
            notes=tuple(run.notes),
        )

    def _experience(self, profile: Profile) -> _Run:
        f = self.factors
        if profile.years is None:
            nat = f.national
            position = (nat.median - nat.typical_low) / (nat.typical_high - nat.typical_low)
            run = _Run(_Band(nat.typical_low, nat.typical_high, position), self._titles, False)
            run.record(
                "Experience not given",
                f"national typical range {usd(nat.typical_low)}-{usd(nat.typical_high)}, "
                f"median {usd(nat.median)}",
                nat.section,
            )
            run.notes.append("Tell me your years of experience for a closer estimate.")
            return run
        tier = f.experience.tier_for(profile.years)
        progress = (profile.years - tier.years_from) / (tier.top_at_years - tier.years_from)
        progress = min(max(progress, 0.0), 1.0)
        band = _Band(tier.low, tier.high, _POSITION_START + _POSITION_SPAN * progress)
        run = _Run(band, self._titles, entry_tier=tier is f.experience.tier[0])
        years = f"{profile.years:g} year{'s' if profile.years != 1 else ''}"
        top = "+" if tier.open_ended else ""
        run.record(
            f"{tier.label} ({tier.article_years}): {years}",
            f"{usd(tier.low)}-{usd(tier.high)}{top}",
            f.experience.section,
        )
        if tier.open_ended and profile.years > tier.top_at_years:
            run.notes.append(
                f"The article puts senior pay at {usd(tier.low)}-{usd(tier.high)}+ with no upper "
                "limit: more with office-management duties, in high-cost areas or in large "
                "health systems."
            )
        return run

    def _education(self, profile: Profile, run: _Run) -> None:
        if profile.education is None:
            return
        table = self.factors.education
        entry = self.factors.experience.tier[0]
        start_low, start_high = table.start_range(profile.education)
        band = run.band
        weight = 1.0 if run.entry_tier else table.later_tier_weight
        band.low += weight * (start_low - entry.low)
        band.high += weight * (start_high - entry.high)
        band.high = max(band.high, band.low)
        level = table.get(profile.education)
        start = f"{usd(level.low)}+" if level.open_ended else f"{usd(start_low)}-{usd(start_high)}"
        if run.entry_tier:
            effect = f"starting salary {start}"
        else:
            effect = f"starting salary {start}; I count {weight:.0%} of that edge after entry level"
            run.notes.append(
                "The article gives education figures for starting pay only, and calls "
                "experience arguably the most significant factor in salary growth."
            )
        run.record(level.label, effect, table.section)

    def _skills(self, profile: Profile, run: _Run) -> None:
        table = self.factors.skills
        known = [s for s in (table.get(sid) for sid in profile.skills) if s is not None]
        counted = known[: table.max_counted]
        if not counted:
            return
        run.band.position += table.mid_shift_per_skill * len(counted)
        labels = ", ".join(s.label.split(" (")[0] for s in counted)
        run.record(f"In-demand skills: {labels}", "toward the top of your range", table.section)

    def _employer(self, profile: Profile, run: _Run) -> None:
        if profile.employer is None:
            return
        employer = self.factors.employers.get(profile.employer)
        section = self.factors.employers.section
        band = run.band
        effects = []
        if employer.floor_low is not None and employer.floor_high is not None:
            floor_mid = (employer.floor_low + employer.floor_high) / 2
            band.floor = (employer.floor_low, floor_mid, employer.floor_high)
            effects.append(f"starting pay of {usd(employer.floor_low)}-{usd(employer.floor_high)}")
        if employer.premium_high:
            band.low *= 1 + employer.premium_low
            band.high *= 1 + employer.premium_high
            effects.append(
                f"may pay slightly more (the article gives no figure; I count up to "
                f"{_pct(employer.premium_high)} at the top)"
            )
        if employer.range_low is not None and employer.range_high is not None:
            effects.append(
                f"varies widely, {usd(employer.range_low)}-{usd(employer.range_high)} "
                "(no adjustment)"
            )
        effect = "; ".join(effects) or "often in line with the national averages"
        run.record(employer.label, effect, section)
        run.notes.append(employer.note)

    def _certifications(self, profile: Profile, run: _Run) -> None:
        table = self.factors.certifications
        held = [c for c in (table.get(cid) for cid in profile.certifications) if c is not None]
        if not held:
            return
        band = run.band
        mid_premium = (table.premium_low + table.premium_high) / 2
        band.add = (table.premium_low, mid_premium, table.premium_high)
        names = ", ".join(c.id for c in held)
        run.record(
            f"Certification{'s' if len(held) > 1 else ''}: {names}",
            f"+{usd(table.premium_low)} to +{usd(table.premium_high)} or more, for holding one "
            "or more",
            table.section,
        )
        if len(held) > 1:
            run.notes.append(
                "The article gives one premium for holding one or more certifications, so "
                "extra certifications are not added twice."
            )

    def _location(self, profile: Profile, run: _Run) -> None:
        if profile.location is None:
            return
        table = self.factors.locations
        place: Place = self.places.resolve(profile.location)
        run.scale = (
            1 + place.premium_low,
            1 + (place.premium_low + place.premium_high) / 2,
            1 + place.premium_high,
        )
        if place.kind == "metro":
            effect = f"{_pct(place.premium_low)} to {_pct(place.premium_high)} on national pay"
        elif place.kind == "lower":
            effect = (
                f"{_pct(place.premium_low)} to {_pct(place.premium_high)}, with lower living costs"
            )
        else:
            effect = "national average (no premium)"
        run.record(f"Location: {place.name}", effect, table.section)
        notes = run.notes
        if place.kind == "unnamed":
            notes.append(
                f"The article gives no figure for {place.name}; I used the national average. "
                "A local salary calculator (Salary.com or Payscale) can refine it."
            )
        if place.metro_id == table.sf_example.metro:
            ex = table.sf_example
            notes.append(
                f"The article's own example, {usd(ex.base)} elsewhere becoming "
                f"{usd(ex.low)}-{usd(ex.high)} in San Francisco, tops out at "
                f"{_pct(ex.high / ex.base - 1)}, above its stated {_pct(place.premium_high)}; "
                f"I follow the stated {_pct(place.premium_low)} to {_pct(place.premium_high)}. "
                "The article says a much higher cost of living offsets that pay."
            )
        elif place.kind == "metro":
            notes.append(
                "The article says salaries follow the local cost of living, but gives no "
                "living-cost figure for this city."
            )
            if profile.employer == "corporate_chain":
                notes.append("A corporate chain may not pay the full city premium.")
