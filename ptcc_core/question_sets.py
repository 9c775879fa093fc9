"""Question sets with what a correct reply contains, and judging a reply against them.

The format is the evaluation's (../shared/eval/README.md): one JSON object a line, of kind
`in_scope` (with `expect_any`: groups of strings, one of each group must appear), `out_of_scope`
(the reply must decline) or `personal` (the estimate's most likely figure must fall in
`expect_range`). The answer-quality tests and the script that fits the answerability model
both judge by these rules.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

MAX_ANSWER_CHARS = 1200

Kind = Literal["in_scope", "out_of_scope", "personal"]


class Question(BaseModel):
    """One line of a question set."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    q: str
    kind: Kind
    topic: str = ""
    expect_any: tuple[tuple[str, ...], ...] = ()
    expect_range: tuple[float, float] | None = None


def load_questions(path: Path) -> list[Question]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Question.model_validate(json.loads(line)) for line in lines if line.strip()]


def answer_passes(question: Question, answer: str) -> bool:
    """Does this answer text say what an in-scope question asks for?"""
    text = answer.lower()
    return len(text) <= MAX_ANSWER_CHARS and all(
        any(s.lower() in text for s in group) for group in question.expect_any
    )


def reply_passes(
    question: Question, matched: bool, answer: str, estimate_mid: float | None
) -> bool:
    """Is this reply right for the question, by the evaluation's rules?"""
    if question.kind == "out_of_scope":
        return not matched
    if question.kind == "personal":
        low, high = question.expect_range or (0.0, 0.0)
        return estimate_mid is not None and low <= estimate_mid <= high
    return matched and answer_passes(question, answer)
