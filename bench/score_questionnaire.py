"""Score a questionnaire message set (tests/data/blind_questionnaire_*.jsonl): at each step,
an answer must be taken as that step's answer, and a question must be answered without being
taken as one. Prints the share of each, per step and overall.

    python bench/score_questionnaire.py tests/data/blind_questionnaire_j.jsonl
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import UTC, datetime

from ptcc_core.advisor import Advisor
from ptcc_core.conversation import Event, Session

LEAD_UP = {"years": "5 years", "education": "bachelor's", "certifications": "none",
           "location": "Denver", "employer": "hospital"}  # fmt: skip
STEPS = ["years", "education", "certifications", "location", "employer", "skills"]


def at_step(advisor: Advisor, step: str) -> Session:
    now = datetime.now(UTC)
    session = advisor.handle(Session(), Event(kind="command", value="estimate", at=now)).session
    for earlier in STEPS[: STEPS.index(step)]:
        session = advisor.handle(
            session, Event(kind="text", value=LEAD_UP[earlier], at=now)
        ).session
    assert session.step == step, (step, session.step)
    return session


def main(path: str) -> None:
    advisor = Advisor.load()
    right: Counter[tuple[str, str]] = Counter()
    total: Counter[tuple[str, str]] = Counter()
    with open(path, encoding="utf-8") as lines:
        cases = [json.loads(line) for line in lines]
    for case in cases:
        step, kind = case["step"], case["kind"]
        session = at_step(advisor, step)
        outcome = advisor.handle(
            session, Event(kind="text", value=case["text"], at=datetime.now(UTC))
        )
        taken = step in outcome.session.draft.model_fields_set or outcome.session.step != step
        first = outcome.replies[0].text if outcome.replies else ""
        if kind == "answer":
            ok = taken
        else:
            ok = not taken and not first.startswith("Sorry, I couldn't read that as an answer")
        total[(step, kind)] += 1
        right[(step, kind)] += ok
        if not ok and "-v" in sys.argv:
            print(f"MISS {step}/{kind}: {case['text']!r} -> {first[:70]!r}")
    for kind in ("answer", "question"):
        n = sum(v for (s, k), v in total.items() if k == kind)
        r = sum(v for (s, k), v in right.items() if k == kind)
        per = ", ".join(f"{s} {right[(s, kind)]}/{total[(s, kind)]}" for s in STEPS)
        print(f"{kind}s handled right: {r}/{n} ({r / n:.0%}); {per}")


if __name__ == "__main__":
    main(sys.argv[1])
