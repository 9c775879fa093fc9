"""The estimator agrees with every figure the article states, and holds its invariants."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ptcc_core.advisor import Advisor
from ptcc_core.estimator import Estimate, rounded
from ptcc_core.factors import EDUCATION_ORDER, EMPLOYER_IDS
from ptcc_core.profile import Profile

EDUCATIONS = st.sampled_from(EDUCATION_ORDER)
YEARS = st.floats(min_value=0, max_value=50, allow_nan=False)
CERTS = st.lists(st.sampled_from(["CMAA", "CEHRS", "CPCT"]), max_size=3, unique=True)
SKILLS = st.lists(
    st.sampled_from(["emr", "billing_coding", "insurance", "excel", "soft_skills"]),
    max_size=5,
    unique=True,
)
# Where the article's figures end: the senior tier's "$70,000+".
CEILING = 70000
METROS = {
    "San Francisco": (0.25, 0.35),
    "New York": (0.20, 0.30),
    "Boston": (0.15, 0.25),
    "Washington, D.C.": (0.15, 0.20),
}


def profiles(**fixed: object) -> st.SearchStrategy[Profile]:
    fields: dict[str, st.SearchStrategy[object]] = {
        "years": st.one_of(st.none(), YEARS),
        "education": st.one_of(st.none(), EDUCATIONS),
        "certifications": CERTS,
        "employer": st.one_of(st.none(), st.sampled_from(EMPLOYER_IDS)),
        "skills": SKILLS,
        "location": st.one_of(st.none(), st.sampled_from([*METROS, "Dallas", "rural Ohio"])),
    }
    fields.update({k: st.just(v) for k, v in fixed.items()})
    return st.builds(Profile, **fields)  # type: ignore[arg-type]


def estimate(advisor: Advisor, **fields: object) -> Estimate:
    return advisor.estimator.estimate(Profile(**fields))  # type: ignore[arg-type]


# The article's own figures ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("years", "low", "high"),
    [
        (0, 35000, 42000),
        (2, 35000, 42000),
        (3, 43000, 55000),
        (7.5, 43000, 55000),
        (8, 56000, 70000),
        (20, 56000, 70000),
    ],
)
def test_experience_tiers_match_the_article(
    advisor: Advisor, years: float, low: int, high: int
) -> None:
    result = estimate(advisor, years=years)
    assert (result.low, result.high) == (low, high)
    assert low <= result.mid <= high


@pytest.mark.parametrize(
    ("education", "low", "high"),
    [("high_school", 35000, 38000), ("associate", 39000, 44000), ("bachelor", 42000, 44000)],
)
def test_starting_pay_by_education_matches_the_article(
    advisor: Advisor, education: str, low: int, high: int
) -> None:
    result = estimate(advisor, years=0, education=education)
    assert (result.low, result.high) == (low, high)


def test_unknown_experience_uses_the_national_range_and_median(advisor: Advisor) -> None:
    result = estimate(advisor)
    assert (result.low, result.mid, result.high) == (
        38000,
        45200,
        56000,
    )  # the median $45,160, to $100
    assert any("years of experience" in note for note in result.notes)


def test_hospital_start_is_the_articles_45_to_50k(advisor: Advisor) -> None:
    result = estimate(advisor, years=0, employer="hospital")
    assert (result.low, result.high) == (45000, 50000)


def test_san_francisco_follows_the_stated_band_and_says_so(advisor: Advisor) -> None:
    result = estimate(advisor, years=5, location="SF")
    base = estimate(advisor, years=5)
    assert result.low == rounded(base.low * 1.25)
    assert result.high == rounded(base.high * 1.35)
    assert any("tops out at +38%, above its stated +35%" in note for note in result.notes)


def test_unnamed_city_takes_the_average_with_a_note(advisor: Advisor) -> None:
    denver = estimate(advisor, years=4, location="Denver")
    plain = estimate(advisor, years=4)
    assert (denver.low, denver.mid, denver.high) == (plain.low, plain.mid, plain.high)
    assert any("Denver" in note and "national average" in note for note in denver.notes)


@pytest.mark.parametrize(
    "place", ["rural Kentucky", "a small town", "the Midwest", "the Southeast"]
)
def test_lower_cost_places_take_5_to_15_percent_off(advisor: Advisor, place: str) -> None:
    result = estimate(advisor, years=4, location=place)
    plain = estimate(advisor, years=4)
    assert result.low == rounded(plain.low * 0.85)
    assert result.high == rounded(plain.high * 0.95)


def test_breakdown_names_each_factor_and_its_source(advisor: Advisor, knowledge) -> None:
    result = estimate(
        advisor,
        years=6,
        education="bachelor",
        certifications=["CMAA"],
        location="Boston",
        employer="specialty_clinic",
        skills=["emr"],
    )
    titles = set(knowledge.section_titles().values())
    assert len(result.breakdown) == 6
    assert all(step.source in titles for step in result.breakdown)
    assert result.breakdown[-1].low == result.low and result.breakdown[-1].high == result.high


# Invariants ------------------------------------------------------------------------------


@settings(max_examples=300)
@given(profile=profiles(), more=st.floats(min_value=0, max_value=30, allow_nan=False))
def test_never_falls_as_years_grow(advisor: Advisor, profile: Profile, more: float) -> None:
    years = profile.years or 0.0
    before = advisor.estimator.estimate(profile.model_copy(update={"years": years}))
    after = advisor.estimator.estimate(profile.model_copy(update={"years": min(years + more, 50)}))
    assert after.low >= before.low
    assert after.mid >= before.mid
    assert after.high >= before.high


@settings(max_examples=300)
@given(profile=profiles())
def test_higher_education_never_pays_less(advisor: Advisor, profile: Profile) -> None:
    results = [
        advisor.estimator.estimate(profile.model_copy(update={"education": level}))
        for level in EDUCATION_ORDER
    ]
    for lower, higher in itertools.pairwise(results):
        assert higher.low >= lower.low
        assert higher.mid >= lower.mid
        assert higher.high >= lower.high


@settings(max_examples=300)
@given(profile=profiles(location=None), cert=st.sampled_from(["CMAA", "CEHRS", "CPCT"]))
def test_a_certification_adds_within_the_articles_band(
    advisor: Advisor, profile: Profile, cert: str
) -> None:
    without = advisor.estimator.estimate(profile.model_copy(update={"certifications": ()}))
    with_cert = advisor.estimator.estimate(profile.model_copy(update={"certifications": (cert,)}))
    assert with_cert.high - without.high == 5000
    if with_cert.mid < CEILING:
        assert 2000 <= with_cert.mid - without.mid <= 5000
        assert with_cert.low - without.low == 2000
    else:  # the most likely figure stops where the article's figures end
        assert with_cert.mid == CEILING and without.mid <= CEILING


@settings(max_examples=300)
@given(profile=profiles(location=None), metro=st.sampled_from(sorted(METROS)))
def test_each_metro_premium_is_within_its_stated_band(
    advisor: Advisor, profile: Profile, metro: str
) -> None:
    low_band, high_band = METROS[metro]
    average = advisor.estimator.estimate(profile.model_copy(update={"location": "Phoenix"}))
    city = advisor.estimator.estimate(profile.model_copy(update={"location": metro}))
    tolerance = 100 / average.low  # both rounded to $100
    for field in ("low", "mid", "high"):
        ratio = getattr(city, field) / getattr(average, field) - 1
        if field != "high" and getattr(city, field) == CEILING:
            assert ratio <= high_band + tolerance, field  # stopped at the article's top
            continue
        assert low_band - tolerance <= ratio <= high_band + tolerance, field


@settings(max_examples=300)
@given(profile=profiles())
def test_estimates_are_ordered_deterministic_and_sourced(
    advisor: Advisor, profile: Profile
) -> None:
    first = advisor.estimator.estimate(profile)
    assert first == advisor.estimator.estimate(profile)
    assert 0 < first.low <= first.mid <= first.high
    assert first.currency == "USD"
    assert first.breakdown and all(step.source for step in first.breakdown)
