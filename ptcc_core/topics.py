"""Which entry a question is about, learned from the ways people ask: a linear classifier
over sentence vectors, with one more class for the known unanswerable questions.

The matcher's scores compare a question with each phrasing on its own; this model has seen
all of an entry's phrasings at once and learnt which directions of the vector space tell one
entry from its siblings, and which mark the asks the article does not answer (the way intent
classifiers with an out-of-scope class are built, as in CLINC150). Its probabilities are more
signals for the ranking and for the answerability model. It is fitted with the answerability
model (`ptcc knowledge train`) and stored as `knowledge/topics.npz`: a weight matrix, a bias
and the class ids, scored at run time with one matrix product in numpy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from ptcc_core.loading import KnowledgeError, Problem

TOPICS_FILE = "topics.npz"
UNANSWERABLE = "_unanswerable"

Matrix = npt.NDArray[np.float32]


class TopicClassifier:
    """Softmax over the knowledge's entries and `UNANSWERABLE`, from a sentence vector."""

    def __init__(self, classes: tuple[str, ...], weights: Matrix, bias: Matrix) -> None:
        if weights.shape[0] != len(classes) or bias.shape != (len(classes),):
            raise ValueError("weights and bias must have one row per class")
        self.classes = classes
        self._weights = np.ascontiguousarray(weights, dtype=np.float32)
        self._bias = np.ascontiguousarray(bias, dtype=np.float32)
        self.index = {c: i for i, c in enumerate(classes)}

    def probabilities(self, vector: Matrix) -> Matrix:
        logits = self._weights @ vector + self._bias
        logits -= logits.max()
        exp = np.exp(logits)
        result: Matrix = exp / exp.sum()
        return result

    def save(self, root: Path) -> None:
        # np.savez appends ".npz" to a name without it; a file object keeps the name exact.
        with (root / TOPICS_FILE).open("wb") as out:
            np.savez(out, classes=np.array(self.classes), weights=self._weights, bias=self._bias)

    def same_as(self, other: TopicClassifier, tolerance: float = 0.05) -> bool:
        return (
            self.classes == other.classes
            and bool(np.allclose(self._weights, other._weights, atol=tolerance))
            and bool(np.allclose(self._bias, other._bias, atol=tolerance))
        )


def load_topics(root: Path, entry_ids: list[str]) -> TopicClassifier:
    """The stored classifier, checked against the entries it must know."""
    retrain = "run `ptcc knowledge train` to fit it again"
    path = root / TOPICS_FILE
    try:
        with np.load(path, allow_pickle=False) as data:
            classes = tuple(str(c) for c in data["classes"])
            classifier = TopicClassifier(classes, data["weights"], data["bias"])
    except OSError:
        raise KnowledgeError([Problem(TOPICS_FILE, None, None, f"is missing: {retrain}")]) from None
    except (KeyError, ValueError) as exc:
        problem = Problem(TOPICS_FILE, None, None, f"is not a valid model ({exc}): {retrain}")
        raise KnowledgeError([problem]) from None
    if set(classes) != {*entry_ids, UNANSWERABLE}:
        problem = Problem(TOPICS_FILE, None, "classes", f"do not match the entries: {retrain}")
        raise KnowledgeError([problem])
    return classifier
