"""Answer quality stays above its floor on three question sets.

`dev_questions.jsonl` is the shared development set; `heldout_a/b/c/d.jsonl` were written
separately from the knowledge, in other words, to check that the matcher understands users
rather than one set of lines. Each line is judged as ../shared/eval/score.py judges it
(the `ptcc ask --jsonl` contract); the replies come from the same code path as `ptcc ask`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ptcc_core.advisor import Advisor
from ptcc_core.cli import reply_json

DATA = Path(__file__).parent / "data"
MAX_ANSWER = 1200
FLOORS = {"in_scope": 0.90, "out_of_scope": 0.90, "personal": 0.85}
# The held-out sets are new wordings: their floors guard against regressions there.
HELDOUT_FLOORS = {"in_scope": 0.80, "out_of_scope": 0.70, "personal": 0.85}


def judge(item: dict, reply: dict) -> bool:
    answer = str(reply.get("answer") or "").lower()
    if item["kind"] == "out_of_scope":
        return not reply["matched"]
    if item["kind"] == "personal":
        mid = (reply.get("estimate") or {}).get("mid")
        low, high = item["expect_range"]
        return isinstance(mid, int | float) and low <= mid <= high
    if not reply["matched"] or len(answer) > MAX_ANSWER:
        return False
    return all(any(s.lower() in answer for s in group) for group in item.get("expect_any", []))


def shares(advisor: Advisor, name: str) -> dict[str, float]:
    items = [json.loads(line) for line in (DATA / name).read_text().splitlines() if line.strip()]
    tally: dict[str, list[int]] = {}
    for item in items:
        passed = judge(item, reply_json(item["q"], advisor.answer(item["q"])))
        counts = tally.setdefault(item["kind"], [0, 0])
        counts[0] += passed
        counts[1] += 1
    return {kind: good / total for kind, (good, total) in tally.items()}


def test_development_set_stays_above_the_floor(advisor: Advisor) -> None:
    result = shares(advisor, "dev_questions.jsonl")
    for kind, floor in FLOORS.items():
        assert result[kind] >= floor, f"{kind}: {result[kind]:.0%} < {floor:.0%}"


@pytest.mark.parametrize(
    "name", ["heldout_a.jsonl", "heldout_b.jsonl", "heldout_c.jsonl", "heldout_d.jsonl"]
)
def test_held_out_sets_stay_above_their_floors(advisor: Advisor, name: str) -> None:
    result = shares(advisor, name)
    for kind, floor in HELDOUT_FLOORS.items():
        assert result[kind] >= floor, f"{kind}: {result[kind]:.0%} < {floor:.0%}"
