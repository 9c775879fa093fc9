"""Answer or decline: a small logistic model over what the matcher saw in a question.

The matcher ranks entries; this decides whether the best of them really answers. Its inputs
are the features below (the lexical and semantic scores of the best entries, the margin to the
runner-up, how much of the question the best entry covers, how close the question comes to a
known unanswerable one, and the kinds of ask the article seldom answers). The weights are
fitted by `ptcc knowledge train` (`ptcc_core.training`, scikit-learn) and stored as
`knowledge/answerability.json`; at run time scoring is one dot product in numpy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import Field, ValidationError, model_validator

from ptcc_core.loading import KnowledgeError, Problem, StrictModel

MODEL_FILE = "answerability.json"
# The match signals, in model order; one flag per kind of ask (language.toml) follows them.
SIGNALS = (
    "combined",
    "lexical",
    "semantic",
    "margin",
    "semantic_margin",
    "best_semantic_anywhere",
    "agree",
    "known_share",
    "coverage",
    "uncovered",
    "anchor",
    "unanswerable_semantic",
    "unanswerable_lexical",
    "unanswerable_lead",
    "phrasing_overlap",
    "unanswerable_overlap_lead",
    "terms",
    "topic_probability",
    "topic_unanswerable",
    "topic_best",
    "topic_agrees",
    "figure_asked_and_given",
    "figure_asked_not_given",
)
# Kinds of ask that want a figure (a fee, a duration, a count).
FIGURE_ASKS = frozenset({"cost_fee", "duration", "count"})


@dataclass(frozen=True)
class Signals:
    """What the matcher measured for one question, before deciding."""

    combined: float
    lexical: float
    semantic: float
    margin: float
    semantic_margin: float
    best_semantic_anywhere: float
    agree: bool
    known_share: float
    coverage: float
    uncovered: float
    anchor: float
    unanswerable_semantic: float
    unanswerable_lexical: float
    phrasing_overlap: float
    terms: int
    topic_probability: float
    topic_unanswerable: float
    topic_best: float
    topic_agrees: bool
    ask_kinds: frozenset[str]
    entry_gives_figures: bool

    def vector(self, kinds: tuple[str, ...]) -> list[float]:
        asks_figure = bool(self.ask_kinds & FIGURE_ASKS)
        base = [
            self.combined / 100,
            self.lexical / 100,
            self.semantic,
            self.margin / 100,
            self.semantic_margin,
            self.best_semantic_anywhere,
            float(self.agree),
            self.known_share,
            self.coverage,
            self.uncovered,
            self.anchor,
            self.unanswerable_semantic,
            self.unanswerable_lexical,
            self.unanswerable_semantic - self.semantic,
            self.phrasing_overlap,
            self.unanswerable_lexical - self.phrasing_overlap,
            math.log1p(self.terms),
            self.topic_probability,
            self.topic_unanswerable,
            self.topic_best,
            float(self.topic_agrees),
            float(asks_figure and self.entry_gives_figures),
            float(asks_figure and not self.entry_gives_figures),
        ]
        return base + [float(kind in self.ask_kinds) for kind in kinds]


def feature_names(kinds: tuple[str, ...]) -> tuple[str, ...]:
    return SIGNALS + tuple(f"ask:{kind}" for kind in kinds)


class AnswerabilityModel(StrictModel):
    """Standardised logistic regression, plus the ranking weights it was fitted with."""

    features: tuple[str, ...] = Field(min_length=1)
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    semantic_weight: float = Field(ge=0, le=1)
    topic_weight: float = Field(ge=0, le=1)
    answer_at: float = Field(gt=0, lt=1)
    suggest_at: float = Field(gt=0, lt=1)
    trained_on: Mapping[str, int] = {}

    @model_validator(mode="after")
    def _same_lengths(self) -> AnswerabilityModel:
        n = len(self.features)
        if not len(self.mean) == len(self.scale) == len(self.coef) == n:
            raise ValueError("features, mean, scale and coef must have the same length")
        if any(s <= 0 for s in self.scale):
            raise ValueError("scale values must be positive")
        if self.suggest_at > self.answer_at:
            raise ValueError("suggest_at must not exceed answer_at")
        return self

    def probability(self, signals: Signals, kinds: tuple[str, ...]) -> float:
        """How likely the best entry answers the question (0-1)."""
        x = (np.array(signals.vector(kinds)) - np.array(self.mean)) / np.array(self.scale)
        z = float(x @ np.array(self.coef)) + self.intercept
        return 1 / (1 + math.exp(-max(min(z, 30.0), -30.0)))


def load_model(root: Path, kinds: tuple[str, ...]) -> AnswerabilityModel:
    """The fitted model in a knowledge directory, checked against the features the code makes."""
    path = root / MODEL_FILE
    retrain = "run `ptcc knowledge train` to fit it again"
    try:
        model = AnswerabilityModel.model_validate_json(path.read_bytes())
    except OSError:
        raise KnowledgeError([Problem(MODEL_FILE, None, None, f"is missing: {retrain}")]) from None
    except ValidationError as exc:
        problem = Problem(
            MODEL_FILE, None, None, f"is not a valid model ({exc.error_count()} errors): {retrain}"
        )
        raise KnowledgeError([problem]) from None
    if model.features != feature_names(kinds):
        problem = Problem(MODEL_FILE, None, "features", f"do not match the code's: {retrain}")
        raise KnowledgeError([problem])
    return model
