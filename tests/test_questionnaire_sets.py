"""Inside the questionnaire, on message sets written blind (tests/data/questionnaire/): an
answer is taken as the step's answer, and a question is answered, not taken as one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.score_questionnaire import score
from ptcc_core.advisor import Advisor

SETS = sorted((Path(__file__).parent / "data" / "questionnaire").glob("*.jsonl"))
FLOORS = {"answer": 0.90, "question": 0.95}


@pytest.mark.parametrize("path", SETS, ids=[p.name for p in SETS])
def test_answers_are_taken_and_questions_answered(advisor: Advisor, path: Path) -> None:
    misses: list[str] = []
    counts = score(advisor, path, misses)
    for kind, floor in FLOORS.items():
        assert counts[f"{kind} right"] / counts[kind] >= floor, misses
