"""Sentence vectors: read from the installed wordllama files, unit length, and closer for
questions that mean the same than for questions that do not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ptcc_core.loading import KnowledgeError
from ptcc_core.semantic import _WEIGHTS_FILE, SentenceEncoder, _mapped_table, _package_file


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


def test_the_kept_rows_give_the_vectors_the_whole_table_gives() -> None:
    """Only rows of tokens that normalised text can hold are kept; a sentence's vector is the
    same as from the whole table, tokenised whole."""
    encoder = SentenceEncoder()
    whole = _mapped_table(_package_file(_WEIGHTS_FILE))
    assert len(encoder._table) < 0.6 * len(whole)
    sentence = "whats the 401k match for a coordinator in washington dc"
    encoded = encoder._tokenizer.encode(sentence, add_special_tokens=False)
    ids = [i for i, token in zip(encoded.ids, encoded.tokens, strict=True) if token != "▁"]
    expected = whole[ids].astype(np.float32).sum(axis=0)
    assert np.allclose(encoder.encode([sentence])[0], expected / np.linalg.norm(expected))


@pytest.mark.parametrize("kept_words", [20_000, 0])
def test_a_word_tokenised_again_gives_the_same_rows_as_the_first_time(
    monkeypatch: pytest.MonkeyPatch, kept_words: int
) -> None:
    """Words' rows are kept after their first tokenisation; a text encoded alone, or among
    others not seen before, gets the same vector, also once no more words are kept."""
    monkeypatch.setattr("ptcc_core.semantic._KEPT_WORDS", kept_words)
    encoder = SentenceEncoder()
    first = encoder.encode(["front desk pay in zanzibar", "flibbertigibbet schedules"])
    again = encoder.encode(["flibbertigibbet schedules", "front desk pay in zanzibar"])
    assert np.array_equal(first[0], again[1]) and np.array_equal(first[1], again[0])
