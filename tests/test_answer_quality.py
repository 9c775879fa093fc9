"""Answer quality stays above its floor on every question set kept in tests/data.

`dev_questions.jsonl` is the shared development set; the others were written by people who saw
neither the knowledge nor the code (`blind_*` were scored once, blind, before any tuning; see
the README). Each line is judged as ../shared/eval/score.py judges it (the `ptcc ask --jsonl`
contract); the replies come from the same code path as `ptcc ask`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ptcc_core.advisor import Advisor
from ptcc_core.question_sets import load_questions, reply_passes

DATA = Path(__file__).parent / "data"
FLOORS = {"in_scope": 0.65, "out_of_scope": 0.90, "personal": 0.90}
SETS = sorted(p.name for p in DATA.glob("*.jsonl"))


def shares(advisor: Advisor, name: str) -> dict[str, float]:
    tally: dict[str, list[int]] = {}
    for item in load_questions(DATA / name):
        reply = advisor.answer(item.q)
        mid = reply.estimate.mid if reply.estimate else None
        passed = reply_passes(item, reply.matched, reply.text, mid)
        counts = tally.setdefault(item.kind, [0, 0])
        counts[0] += passed
        counts[1] += 1
    return {kind: good / total for kind, (good, total) in tally.items()}


@pytest.mark.parametrize("name", SETS)
def test_every_question_set_stays_above_its_floor(advisor: Advisor, name: str) -> None:
    result = shares(advisor, name)
    for kind, share in result.items():
        assert share >= FLOORS[kind], f"{kind}: {share:.0%} < {FLOORS[kind]:.0%}"
