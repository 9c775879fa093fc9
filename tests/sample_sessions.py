"""A session with every part set, shared by the store tests of both back-ends."""

from __future__ import annotations

from datetime import UTC, datetime

from ptcc_core.conversation import SavedEstimate, Session
from ptcc_core.profile import Profile

AT = datetime(2026, 11, 24, 12, 30, tzinfo=UTC)


def full_session() -> Session:
    """A session with every part set: profile, a questionnaire step, a draft, estimates."""
    profile = Profile(
        years=5,
        education="bachelor",
        certifications=("cmaa", "CEHRS"),
        location="Boston, MA",
        employer="hospital",
        skills=("emr", "insurance"),
    )
    draft = Profile.model_validate({"years": 2.5, "education": "associate"})
    estimates = (
        SavedEstimate(at=AT, low=50_000, mid=58_000, high=70_000, profile=profile),
        SavedEstimate(
            at=datetime(2026, 11, 25, 8, 0, tzinfo=UTC),
            low=40_000,
            mid=45_500,
            high=52_000,
            profile=Profile(years=1, education="high_school"),
        ),
    )
    return Session(
        profile=profile,
        step="certifications",
        draft=draft,
        editing=True,
        confirming_forget=False,
        estimates=estimates,
    )
