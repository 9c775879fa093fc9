"""Fitting the answerability model (`ptcc train`, and `ptcc review` after it edits).

Training data, all in the repository:
- the question sets in tests/data (in-scope questions are positive when the best-ranked entry
  says what they ask for, negative when it does not; out-of-scope ones are negative);
- the knowledge's own questions: each entry's alternate questions (positive when their entry
  ranks first) and the known unanswerable ones in knowledge/unanswerable.toml (negative), in
  three folds, each asked of an index built without it, as a new question would be.

It first picks the blend of lexical and semantic scores that ranks the right entry first most
often, then fits a standardised logistic regression on the matcher's signals, and picks the
answer threshold from probabilities held out one question set at a time (not the fitted ones),
where users fare best over every question they wrote, counted as the evaluation counts them
(a question declined by a rule before the model is still declined). scikit-learn
does the fitting; it is a development tool (`pip install -e '.[train]'`), imported only here,
so the bot itself needs only numpy to score.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np

from ptcc_core.answerability import MODEL_FILE, AnswerabilityModel, feature_names, load_model
from ptcc_core.knowledge import Knowledge, load_knowledge
from ptcc_core.loading import KnowledgeError, Problem
from ptcc_core.matcher import Analysis, Matcher
from ptcc_core.question_sets import Question, answer_passes, load_questions
from ptcc_core.semantic import SentenceEncoder
from ptcc_core.topics import UNANSWERABLE, TopicClassifier, load_topics

WEIGHT_GRID = tuple(
    (semantic / 10, topic / 10) for semantic in range(0, 7) for topic in range(0, 5)
)
# How loosely the topic classifier fits the knowledge's phrasings (logistic regression's C).
TOPIC_C = 16.0
FOLDS = 3
# A wrong answer costs more than an honest "the article doesn't say" with suggestions.
DECLINE_WEIGHT = 1.3
# Choosing the answer cut: a wrong answer to an unanswerable question misleads, while an
# answerable one missed still gets "did you mean" with its entry, mostly first.
WRONG_ANSWER_COST = 3.0
# Questions users wrote count for more than the knowledge's own phrasings.
USER_WEIGHT = 3.0
SUGGEST_SHARE = 0.5


def _sets(sets: list[Path]) -> tuple[list[tuple[str, Question]], list[tuple[str, Question]]]:
    """The sets' answerable and unanswerable questions, each with the name of its set."""
    items = [(path.stem, q) for path in sets for q in load_questions(path)]
    answerable = [(name, q) for name, q in items if q.kind == "in_scope"]
    return answerable, [(name, q) for name, q in items if q.kind == "out_of_scope"]


def _fold(knowledge: Knowledge, fold: int) -> tuple[Knowledge, list[tuple[str, str]], list[str]]:
    """The knowledge with every FOLDS-th question of each entry and unanswerable group left
    out (from `fold`), and the questions left out: (entry id, text) and unanswerable texts."""
    entries, held_entries = {}, []
    for entry in knowledge.entries.values():
        keep, held = _split(entry.questions, fold)
        held_entries += [(entry.id, q) for q in held]
        entries[entry.id] = entry.model_copy(update={"questions": keep})
    groups, held_refusals = [], list[str]()
    for group in knowledge.unanswerable:
        keep, held = _split(group.questions, fold)
        held_refusals += held
        groups.append(group.model_copy(update={"questions": keep}))
    smaller = dataclasses.replace(knowledge, entries=entries, unanswerable=tuple(groups))
    return smaller, held_entries, held_refusals


def _split(questions: tuple[str, ...], fold: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(kept, left out): every FOLDS-th question, from `fold`, is left out."""
    kept = tuple(q for i, q in enumerate(questions) if i % FOLDS != fold)
    return kept, tuple(q for i, q in enumerate(questions) if i % FOLDS == fold)


def best_weights(
    matcher: Matcher, knowledge: Knowledge, answerable: list[Question]
) -> tuple[float, float]:
    """The (semantic, topic) ranking weights around which the right entry is put first
    most often."""
    hits = {}
    for weights in WEIGHT_GRID:
        matcher.semantic_weight, matcher.topic_weight = weights
        hits[weights] = 0
        for question in answerable:
            found = matcher.analyse(question.q)
            if found.ranked and not found.scope_problem:
                best = knowledge.entries[found.ranked[0].entry_id]
                hits[weights] += answer_passes(question, best.answer)

    # The grid is flat near its top (a few questions in thousands): a single best point
    # moves with any small edit of the data, so take the middle of the best neighbourhood,
    # each blend scored with its neighbours one step away. Ties go to the blend nearest an
    # even mix: it has the least reason to be a fluke.
    def neighbourhood(w: tuple[float, float]) -> float:
        near = [hits[n] for n in WEIGHT_GRID if abs(n[0] - w[0]) < 0.15 and abs(n[1] - w[1]) < 0.15]
        return sum(near) / len(near)

    return max(WEIGHT_GRID, key=lambda w: (neighbourhood(w), -abs(w[0] - 0.3) - abs(w[1] - 0.2)))


def fit_topics(matcher: Matcher, knowledge: Knowledge) -> TopicClassifier:
    """The topic classifier for this knowledge, over this matcher's sentence vectors."""
    texts, labels = [], []
    for entry in knowledge.entries.values():
        for text in (entry.title, *entry.questions):
            texts.append(text)
            labels.append(entry.id)
    for group in knowledge.unanswerable:
        texts += group.questions
        labels += [UNANSWERABLE] * len(group.questions)
    classes = (*knowledge.entries, UNANSWERABLE)
    y = np.array([classes.index(label) for label in labels])
    regression = _sklearn()["LogisticRegression"](C=TOPIC_C, max_iter=5000)
    regression.fit(matcher.encode(texts), y)
    return TopicClassifier(
        classes, regression.coef_.astype(np.float32), regression.intercept_.astype(np.float32)
    )


class _Rows:
    """Signal vectors with their labels and sample weights."""

    def __init__(self, kinds: tuple[str, ...]) -> None:
        self.kinds = kinds
        self.x: list[list[float]] = []
        self.y: list[int] = []
        self.weight: list[float] = []
        # The question set each row comes from; "" for the knowledge's own questions.
        self.group: list[str] = []
        # Whether it is a question users asked that the article does not answer.
        self.unanswerable: list[bool] = []
        # Users' questions that the matcher decided before the model could (a place outside
        # the US, too few words to rank by): (answerable ones, unanswerable ones).
        self.decided_early = [0, 0]

    def add(
        self, found: Analysis, label: bool, weight: float, group: str, unanswerable: bool = False
    ) -> None:
        if found.signals is None or found.scope_problem:
            if group:
                self.decided_early[unanswerable] += 1
            return
        self.x.append(found.signals.vector(self.kinds))
        self.y.append(int(label))
        self.weight.append(weight)
        self.group.append(group)
        self.unanswerable.append(unanswerable)


def collect(
    knowledge: Knowledge, sets: list[Path]
) -> tuple[_Rows, tuple[float, float], TopicClassifier]:
    """The training rows, the ranking weights they were ranked with, and the topic
    classifier fitted on the whole knowledge."""
    encoder = SentenceEncoder()
    matcher = Matcher(knowledge, encoder)
    topics = matcher.topics = fit_topics(matcher, knowledge)
    answerable, declined = _sets(sets)
    weights = best_weights(matcher, knowledge, [q for _, q in answerable])
    matcher.semantic_weight, matcher.topic_weight = weights
    kinds = tuple(knowledge.language.ask_kinds)
    rows = _Rows(kinds)
    for name, question in answerable:
        found = matcher.analyse(question.q)
        right = bool(found.ranked) and answer_passes(
            question, knowledge.entries[found.ranked[0].entry_id].answer
        )
        rows.add(found, right, USER_WEIGHT, name)
    for name, question in declined:
        found = matcher.analyse(question.q)
        rows.add(found, False, USER_WEIGHT * DECLINE_WEIGHT, name, unanswerable=True)
    # The knowledge's own questions, each asked of an index that does not hold it.
    for fold in range(FOLDS):
        smaller, held_entries, held_refusals = _fold(knowledge, fold)
        fold_matcher = Matcher(smaller, encoder)
        fold_matcher.topics = fit_topics(fold_matcher, smaller)
        fold_matcher.semantic_weight, fold_matcher.topic_weight = weights
        for entry_id, text in held_entries:
            found = fold_matcher.analyse(text)
            # Ranked below a sibling that may answer it as well: no clear label either way.
            if found.ranked and found.ranked[0].entry_id == entry_id:
                rows.add(found, True, 1.0, "")
        for text in held_refusals:
            rows.add(fold_matcher.analyse(text), False, DECLINE_WEIGHT, "")
    return rows, weights, topics


def fit(knowledge: Knowledge, sets: list[Path]) -> tuple[AnswerabilityModel, TopicClassifier, str]:
    """The fitted models, and a line that says how well they did under cross-validation."""
    sklearn = _sklearn()
    rows, (weight, topic_weight), topics = collect(knowledge, sets)
    kinds = rows.kinds
    x, y, sample_weight = np.array(rows.x), np.array(rows.y), np.array(rows.weight)
    # Both outcomes weigh the same in all, whatever their counts.
    for label in (0, 1):
        sample_weight[y == label] *= len(y) / (2 * sample_weight[y == label].sum())
    scaler = sklearn["StandardScaler"]().fit(x)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    z = (x - scaler.mean_) / scale
    regression = sklearn["LogisticRegression"](C=0.5, max_iter=5000)
    # Each question set is held out whole, as a new set by a new writer is: questions from
    # one set share a style, and a random split would let the model see it.
    groups = [group or f"knowledge {i % FOLDS}" for i, group in enumerate(rows.group)]
    held_out = sklearn["cross_val_predict"](
        regression,
        z,
        y,
        cv=sklearn["GroupKFold"](n_splits=5),
        groups=groups,
        method="predict_proba",
        params={"sample_weight": sample_weight},
    )[:, 1]
    outcomes = _Outcomes(rows, held_out)
    answer_at = outcomes.best_cut()
    regression.fit(z, y, sample_weight=sample_weight)
    answered, declined = outcomes.rates(answer_at)
    summary = (
        f"{len(y)} questions ({int(y.sum())} answerable), semantic weight {weight}, "
        f"topic weight {topic_weight}: held out by question set, at {answer_at:.2f} "
        f"{answered:.1%} of users' answerable questions are answered right and {declined:.1%} "
        "of their unanswerable ones declined"
    )
    model = AnswerabilityModel(
        features=feature_names(kinds),
        mean=tuple(round(float(v), 6) for v in scaler.mean_),
        scale=tuple(round(float(v), 6) for v in scale),
        coef=tuple(round(float(v), 6) for v in regression.coef_[0]),
        intercept=round(float(regression.intercept_[0]), 6),
        semantic_weight=weight,
        topic_weight=topic_weight,
        answer_at=answer_at,
        suggest_at=round(answer_at * SUGGEST_SHARE, 3),
        trained_on={"answerable": int(y.sum()), "unanswerable": int(len(y) - y.sum())},
    )
    return model, topics, summary


def _sklearn() -> dict[str, Any]:
    try:
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import GroupKFold, cross_val_predict
        from sklearn.preprocessing import StandardScaler
    except ImportError:
        problem = "fitting needs scikit-learn: pip install -e '.[train]'"
        raise KnowledgeError([Problem(MODEL_FILE, None, None, problem)]) from None
    return {
        "LogisticRegression": LogisticRegression,
        "GroupKFold": GroupKFold,
        "cross_val_predict": cross_val_predict,
        "StandardScaler": StandardScaler,
    }


class _Outcomes:
    """What users would see at each answer cut, over all the questions they wrote, as the
    evaluation counts it: an answerable question passes only if answered from the right
    entry; an unanswerable one passes if declined, by the model or before it."""

    def __init__(self, rows: _Rows, held_out: np.ndarray) -> None:
        users = np.array(rows.group) != ""
        unanswerable = np.array(rows.unanswerable)
        labels = np.array(rows.y)
        self.right = held_out[users & ~unanswerable & (labels == 1)]
        self.unanswerable = held_out[unanswerable]
        early_answerable, early_unanswerable = rows.decided_early
        self.answerable_count = int((users & ~unanswerable).sum()) + early_answerable
        self.declined_early = early_unanswerable
        self.unanswerable_count = len(self.unanswerable) + early_unanswerable

    def counts(self, cut: float) -> tuple[int, int]:
        """(answerable questions answered right, unanswerable ones declined) at `cut`."""
        answered = int((self.right >= cut).sum())
        return answered, self.declined_early + int((self.unanswerable < cut).sum())

    def rates(self, cut: float) -> tuple[float, float]:
        """The same as shares of the answerable and the unanswerable questions."""
        answered, declined = self.counts(cut)
        return answered / self.answerable_count, declined / self.unanswerable_count

    def best_cut(self) -> float:
        """The cut where users fare best, a wrong answer counting WRONG_ANSWER_COST times an
        answer missed (ties go to the cut nearest 0.5)."""
        cuts = np.round(np.arange(0.1, 0.81, 0.01), 2)

        def worth(cut: float) -> float:
            answered, declined = self.counts(cut)
            return answered + WRONG_ANSWER_COST * declined

        return float(max(cuts, key=lambda c: (worth(c), -abs(c - 0.5))))


def _same(a: AnswerabilityModel, b: AnswerabilityModel) -> bool:
    """Equal up to the rounding a different machine's floating point may cause."""
    close = np.allclose(a.coef, b.coef, atol=0.05) and np.allclose(a.mean, b.mean, atol=0.01)
    return (
        bool(close)
        and a.semantic_weight == b.semantic_weight
        and a.topic_weight == b.topic_weight
        and abs(a.answer_at - b.answer_at) <= 0.02
        and a.trained_on == b.trained_on
    )


def question_sets(root: Path) -> list[Path]:
    """The question sets beside a knowledge directory in a checkout (tests/data)."""
    return sorted((root.parent / "tests" / "data").glob("*.jsonl"))


def retrain(root: Path) -> str:
    """Fit the model for the knowledge in root and write it there; returns the summary."""
    model, topics, summary = fit(load_knowledge(root, with_model=False), question_sets(root))
    text = json.dumps(model.model_dump(mode="json"), indent=1) + "\n"
    (root / MODEL_FILE).write_text(text, encoding="utf-8")
    topics.save(root)
    return summary


def is_current(root: Path) -> bool:
    """Would fitting again give the stored model (up to floating-point rounding)?"""
    knowledge = load_knowledge(root, with_model=False)
    model, topics, _ = fit(knowledge, question_sets(root))
    stored = load_model(root, tuple(knowledge.language.ask_kinds))
    return _same(stored, model) and load_topics(root, list(knowledge.entries)).same_as(topics)
