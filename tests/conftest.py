"""Shared fixtures: the installed knowledge and an advisor over it, loaded once per run."""

from __future__ import annotations

import pytest

from ptcc_core.advisor import Advisor
from ptcc_core.knowledge import Knowledge, load_knowledge


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge()


@pytest.fixture(scope="session")
def advisor(knowledge: Knowledge) -> Advisor:
    return Advisor(knowledge)
