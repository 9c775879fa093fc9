"""Sentence vectors: read from the installed wordllama files, unit length, and closer for
questions that mean the same than for questions that do not."""

from __future__ import annotations

import numpy as np

from ptcc_core.semantic import SentenceEncoder


def test_vectors_are_unit_length_and_empty_text_is_zero() -> None:
    vectors = SentenceEncoder().encode(["how much do coordinators earn", ""])
    assert vectors.shape == (2, 256)
    assert abs(float(np.linalg.norm(vectors[0])) - 1) < 1e-5
    assert not vectors[1].any()


def test_paraphrases_are_closer_than_other_topics() -> None:
    encoder = SentenceEncoder().weighted_for(
        ["what do coordinators do", "how much do coordinators earn"]
    )
    pay, wage, duties = encoder.encode(
        ["how much does this job pay", "what wage can i expect", "who books the appointments"]
    )
    assert float(pay @ wage) > float(pay @ duties)
