"""Score a questionnaire message set (tests/data/questionnaire/*.jsonl): at each step, an
answer must be taken as that step's answer, and a question must be answered without being
taken as one. Prints the share of each, per step and overall; -v lists the misses.

    python -m bench.score_questionnaire tests/data/questionnaire/blind_j.jsonl [-v]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from ptcc_core.advisor import Advisor
from ptcc_core.conversation import Event, Session

LEAD_UP = {"years": "5 years", "education": "bachelor's", "certifications": "none",
           "location": "Denver", "employer": "hospital"}  # fmt: skip
STEPS = ["years", "education", "certifications", "location", "employer", "skills"]
NOT_READ = "Sorry, I couldn't read that as an answer"


def at_step(advisor: Advisor, step: str) -> Session:
    """A session whose questionnaire has reached `step`."""
    now = datetime.now(UTC)
    session = advisor.handle(Session(), Event(kind="command", value="estimate", at=now)).session
    for earlier in STEPS[: STEPS.index(step)]:
        event = Event(kind="text", value=LEAD_UP[earlier], at=now)
        session = advisor.handle(session, event).session
    assert session.step == step, (step, session.step)
    return session


def score(advisor: Advisor, path: Path, misses: list[str] | None = None) -> Counter[str]:
    """Counts "<kind>", "<kind> right", "<step> <kind>", "<step> <kind> right"; each miss is
    added to `misses` if given."""
    counts: Counter[str] = Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        step, kind = case["step"], case["kind"]
        event = Event(kind="text", value=case["text"], at=datetime.now(UTC))
        outcome = advisor.handle(at_step(advisor, step), event)
        taken = step in outcome.session.draft.model_fields_set or outcome.session.step != step
        first = outcome.replies[0].text if outcome.replies else ""
        right = taken if kind == "answer" else not taken and not first.startswith(NOT_READ)
        for key in (kind, f"{step} {kind}"):
            counts[key] += 1
            counts[f"{key} right"] += right
        if not right and misses is not None:
            misses.append(f"{step}/{kind}: {case['text']!r} -> {first[:70]!r}")
    return counts


def main(path: str, verbose: bool) -> None:
    misses: list[str] = []
    counts = score(Advisor.load(), Path(path), misses)
    for miss in misses if verbose else ():
        print("MISS", miss)
    for kind in ("answer", "question"):
        per = ", ".join(f"{s} {counts[f'{s} {kind} right']}/{counts[f'{s} {kind}']}" for s in STEPS)
        share = counts[f"{kind} right"] / counts[kind]
        print(
            f"{kind}s handled right: {counts[f'{kind} right']}/{counts[kind]} ({share:.0%}); {per}"
        )


if __name__ == "__main__":
    main(sys.argv[1], "-v" in sys.argv)
