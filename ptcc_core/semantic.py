"""Sentence vectors from static word embeddings, for ranking questions by meaning.

The weights are WordLlama's 256-dimension token table ("l2_supercat", MIT licence) and its
tokenizer, both shipped inside the `wordllama` wheel. They are read here straight from the
installed package with `tokenizers` and `safetensors`: WordLlama's own `load()` looks for a
model hub, and the advisor must never reach the network. A sentence is the weighted mean of
its token vectors, with tokens that every knowledge phrasing shares ("what", "the",
"coordinator") weighted down the way smooth inverse frequency (Arora et al., 2017) does,
so the words that carry the question decide where it lands.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from ptcc_core.loading import KnowledgeError, Problem

Vectors = npt.NDArray[np.float32]

_PACKAGE = "wordllama"
_TOKENIZER_FILE = "tokenizers/l2_supercat_tokenizer_config.json"
_WEIGHTS_FILE = "weights/l2_supercat_256.safetensors"
_WEIGHTS_KEY = "embedding.weight"
# Smooth inverse frequency: weight = a / (a + p(token)); a small `a` weights common tokens down.
_SIF_A = 0.001


def _package_file(name: str) -> Path:
    """A file of the installed wordllama package; a broken install stops start-up like broken
    knowledge does, with what to fix."""
    try:
        path = Path(str(resources.files(_PACKAGE).joinpath(name)))
    except ModuleNotFoundError:
        problem = Problem(_PACKAGE, None, None, "is not installed: reinstall PTCC Advisor")
        raise KnowledgeError([problem]) from None
    if not path.is_file():
        problem = Problem(_PACKAGE, None, None, f"{name} is missing: reinstall wordllama")
        raise KnowledgeError([problem])
    return path


class SentenceEncoder:
    """Turns texts into unit vectors whose dot product says how alike their meanings are."""

    def __init__(self) -> None:
        self._tokenizer = Tokenizer.from_file(str(_package_file(_TOKENIZER_FILE)))
        table = load_file(str(_package_file(_WEIGHTS_FILE)))[_WEIGHTS_KEY]
        # Kept in the file's float16 (16 MB, not 32): only a message's few rows are widened.
        self._table: npt.NDArray[np.float16] = table
        self._skip = {self._tokenizer.token_to_id(t) for t in ("<s>", "</s>", "<unk>", "▁")} - {
            None
        }
        self._token_weight: npt.NDArray[np.float32] = np.ones(len(self._table), np.float32)

    def weighted_for(self, corpus: Iterable[str]) -> SentenceEncoder:
        """An encoder sharing this one's table that weights tokens by how rare they are in
        corpus (the knowledge's own phrasings)."""
        counts: Counter[int] = Counter()
        for ids in self._ids(list(corpus)):
            counts.update(ids)
        total = sum(counts.values()) or 1
        weight = np.ones(len(self._table), np.float32)
        for token, count in counts.items():
            weight[token] = _SIF_A / (_SIF_A + count / total)
        weighted = copy.copy(self)
        weighted._token_weight = weight
        return weighted

    def _ids(self, texts: Sequence[str]) -> list[list[int]]:
        encoded = self._tokenizer.encode_batch(list(texts), add_special_tokens=False)
        return [[i for i in e.ids if i not in self._skip] for e in encoded]

    def encode(self, texts: Sequence[str]) -> Vectors:
        """One unit row per text (a zero row for a text with no tokens)."""
        rows = np.zeros((len(texts), self._table.shape[1]), np.float32)
        for row, ids in enumerate(self._ids(texts)):
            if not ids:
                continue
            weights = self._token_weight[ids]
            vector = weights @ self._table[ids].astype(np.float32)
            norm = float(np.linalg.norm(vector))
            if norm > 0:
                rows[row] = vector / norm
        return rows
