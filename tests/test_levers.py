""" "How do I earn more?": levers agree with the estimator and reach users everywhere."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime

from hypothesis import example, given, settings

from ptcc_core.advisor import Advisor
from ptcc_core.conversation import Event, Session
from ptcc_core.profile import Profile
from tests.test_estimator import profiles


@settings(max_examples=200)
@given(profile=profiles())
def test_applying_a_lever_gives_the_mid_plus_its_delta(advisor: Advisor, profile: Profile) -> None:
    base = advisor.estimator.estimate(profile).mid
    levers = advisor.lever_finder.levers(profile)
    assert [lv.delta_mid for lv in levers] == sorted((lv.delta_mid for lv in levers), reverse=True)
    for lever in levers:
        assert lever.delta_mid > 0
        assert advisor.estimator.estimate(lever.profile).mid == base + lever.delta_mid


def test_a_new_coordinator_is_told_about_certification_experience_and_place(
    advisor: Advisor,
) -> None:
    changes = [
        lv.change for lv in advisor.lever_finder.levers(Profile(years=1, education="high_school"))
    ]
    assert any("CMAA" in c for c in changes)
    assert any("mid-career" in c and "2 more years" in c for c in changes)
    assert any("associate" in c for c in changes)
    assert any("San Francisco" in c for c in changes)


def test_free_text_raise_question_uses_the_stored_profile(advisor: Advisor) -> None:
    reply = advisor.answer("how can I get a raise?", Profile(years=4, location="Dallas"))
    assert reply.kind == "levers" and "+$" in reply.text


def test_every_estimate_offers_the_levers_button(advisor: Advisor) -> None:
    at = datetime.now(UTC)
    session = Session(profile=Profile(years=5))
    outcome = advisor.handle(
        session, Event(kind="text", value="what would I make in Boston?", at=at)
    )
    button = next(c.value for c in outcome.replies[0].choices if "levers" in c.value)
    levers = advisor.handle(outcome.session, Event(kind="choice", value=button, at=at))
    assert levers.replies[0].kind == "levers"
    assert "Boston" in levers.replies[0].text or "most likely figure" in levers.replies[0].text


def test_estimate_json_lists_levers_largest_first() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ptcc_core.cli",
            "estimate",
            "--years",
            "2",
            "--education",
            "associate",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    levers = json.loads(result.stdout)["levers"]
    assert levers and {"change", "delta_mid"} <= set(levers[0])
    assert [lv["delta_mid"] for lv in levers] == sorted(
        (lv["delta_mid"] for lv in levers), reverse=True
    )


ALL_OF_IT = {"education": "high_school", "employer": "specialty_clinic",
             "certifications": ("CMAA", "CEHRS", "CPCT"),
             "skills": ("emr", "billing_coding", "insurance", "excel", "soft_skills")}  # fmt: skip


@settings(max_examples=200)
@given(profile=profiles())
# The longest replies found: every factor given, above the article's ceiling or senior.
@example(profile=Profile(years=8, location="San Francisco", **ALL_OF_IT))
@example(profile=Profile(years=20, location="rural Ohio", **ALL_OF_IT))
def test_estimate_and_lever_replies_stay_chat_sized(advisor: Advisor, profile: Profile) -> None:
    assert len(advisor.texts.estimate(advisor.estimator.estimate(profile)).text) <= 1200
    assert len(advisor.levers(profile).text) <= 1200
