"""Sentence vectors: read from the installed wordllama files, unit length, and closer for
questions that mean the same than for questions that do not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ptcc_core.loading import KnowledgeError
from ptcc_core.semantic import SentenceEncoder, _mapped_table


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


def test_a_damaged_token_table_stops_start_up_saying_what_to_reinstall(tmp_path: Path) -> None:
    damaged = tmp_path / "table.safetensors"
    damaged.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json")
    with pytest.raises(KnowledgeError, match="reinstall wordllama"):
        _mapped_table(damaged)


def test_the_encoder_does_not_import_wordllama_itself() -> None:
    """Importing the package loads requests, Pillow and more; only its files are needed."""
    check = "import sys; from ptcc_core.semantic import SentenceEncoder as E; E(); print('wordllama' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
