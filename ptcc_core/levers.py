""" "How do I earn more?": the changes to a profile that would raise its estimate, ranked.

Each lever is one change the article speaks about (a certification, the next experience tier,
the next education level, a higher-paying metro, another employer type, an in-demand skill),
priced by running the estimator on the changed profile, so a lever's `delta_mid` is exactly
what the estimate would gain.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict

from ptcc_core.estimator import Estimator, usd
from ptcc_core.factors import EDUCATION_ORDER, EMPLOYER_IDS
from ptcc_core.profile import Profile


class Lever(BaseModel):
    """One change, what it adds to the most likely figure, and why it pays."""

    model_config = ConfigDict(frozen=True)

    change: str
    delta_mid: int
    why: str
    profile: Profile


class LeverFinder:
    """Prices every change the article names against a profile."""

    def __init__(self, estimator: Estimator) -> None:
        self._estimator = estimator
        self._factors = estimator.factors

    def levers(self, profile: Profile) -> list[Lever]:
        """The changes that raise the most likely figure, largest first."""
        base = self._estimator.estimate(profile).mid
        found = []
        for change, why, changed in self._candidates(profile):
            delta = self._estimator.estimate(changed).mid - base
            if delta > 0:
                found.append(Lever(change=change, delta_mid=delta, why=why, profile=changed))
        return sorted(found, key=lambda lever: lever.delta_mid, reverse=True)

    def _candidates(self, profile: Profile) -> Iterator[tuple[str, str, Profile]]:
        f = self._factors

        def with_(**changes: Any) -> Profile:
            return Profile.model_validate({**profile.model_dump(), **changes})

        if not profile.certifications:
            cert = f.certifications.certification[0]
            yield (
                f"Earn the {cert.id} ({cert.name})",
                f"Holding one or more certifications can add {usd(f.certifications.premium_low)} "
                f"to {usd(f.certifications.premium_high)} or more a year"
                + (f"; the {cert.id} is offered by the {cert.issuer}." if cert.issuer else "."),
                with_(certifications=(cert.id,)),
            )
        years = profile.years or 0.0
        later = [t for t in f.experience.tier if t.years_from > years]
        if later:
            tier = later[0]
            wait = tier.years_from - years
            yield (
                f"Reach the {tier.label.lower()} tier ({tier.article_years}), "
                f"in {wait:g} more year{'s' if wait != 1 else ''}",
                f"The article puts that tier at {usd(tier.low)}-{usd(tier.high)}"
                f"{'+' if tier.open_ended else ''}.",
                with_(years=tier.years_from),
            )
        if profile.education in EDUCATION_ORDER[:-1]:
            level = f.education.get(EDUCATION_ORDER[EDUCATION_ORDER.index(profile.education) + 1])
            article = "an" if level.label[0].lower() in "aeiou" else "a"
            if level.open_ended:
                why = (
                    f"It means a higher starting salary ({usd(level.low)}+) and a much clearer "
                    "path toward leadership roles like Office Manager or Practice Administrator."
                )
            else:
                low, high = f.education.start_range(level.id)
                why = (
                    f"It makes you much more competitive and can push starting pay closer to "
                    f"{usd(low)}-{usd(high)}."
                )
            yield (
                f"Complete {article} {level.label[0].lower()}{level.label[1:]}",
                why,
                with_(education=level.id),
            )
        top = max(f.locations.metro, key=lambda m: m.premium_low + m.premium_high)
        yield (
            f"Work in {top.name}",
            f"Salaries there can be {top.premium_low:.0%} to {top.premium_high:.0%} above the "
            "national average"
            + (
                ", though the article says a much higher cost of living offsets that."
                if top.id == f.locations.sf_example.metro
                else "."
            ),
            with_(location=top.name),
        )
        for employer_id in EMPLOYER_IDS:
            if employer_id != profile.employer:
                employer = f.employers.get(employer_id)
                yield (
                    f"Move to a {employer.label[0].lower()}{employer.label[1:]}",
                    employer.note,
                    with_(employer=employer_id),
                )
        missing = [s for s in f.skills.skill if s.id not in profile.skills]
        if missing:
            yield (
                f"Build an in-demand skill, such as {missing[0].label}",
                "The article says highlighting in-demand skills can lead to offers at the "
                "higher end of the range for your experience.",
                with_(skills=(*profile.skills, missing[0].id)),
            )
