"""Sentence vectors from static word embeddings, for ranking questions by meaning.

The weights are WordLlama's 256-dimension token table ("l2_supercat", MIT licence) and its
tokenizer, both shipped inside the `wordllama` wheel. They are read here straight from the
installed package's files, which are found without importing it (importing wordllama loads
requests, Pillow and more: half a second and 28 MB): WordLlama's own `load()` looks for a model
hub, and the advisor must never reach the network. The table is memory-mapped read-only rather
than loaded whole with `safetensors.numpy`: only the rows of tokens that normalised text can
contain are copied out of it (8.8 MB of its 16). A sentence is the weighted mean of its token
vectors, with tokens that every knowledge phrasing shares ("what", "the", "coordinator")
weighted down the way smooth inverse frequency (Arora et al., 2017) does, so the words that
carry the question decide where it lands.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import struct
from collections import ChainMap, Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from tokenizers import Tokenizer

from ptcc_core.loading import KnowledgeError, Problem
from ptcc_core.text import WORD_CHARACTERS

Vectors = npt.NDArray[np.float32]

_PACKAGE = "wordllama"
_TOKENIZER_FILE = "tokenizers/l2_supercat_tokenizer_config.json"
_WEIGHTS_FILE = "weights/l2_supercat_256.safetensors"
_WEIGHTS_KEY = "embedding.weight"
# Smooth inverse frequency: weight = a / (a + p(token)); a small `a` weights common tokens down.
_SIF_A = 0.001
# Words whose table rows are kept after their first tokenisation: the knowledge's few
# thousand, then users' new words until the bound (a few MB at most).
_KEPT_WORDS = 20_000
_SPELLABLE = re.compile(rf"▁?[{WORD_CHARACTERS}]+|▁")


def _broken_install(what: str) -> KnowledgeError:
    return KnowledgeError([Problem(_PACKAGE, None, None, what)])


def _package_file(name: str) -> Path:
    """A file of the installed wordllama package; a broken install stops start-up like broken
    knowledge does, with what to fix."""
    spec = importlib.util.find_spec(_PACKAGE)  # finds the package without running it
    if spec is None or not spec.submodule_search_locations:
        raise _broken_install("is not installed: reinstall PTCC Advisor")
    path = Path(spec.submodule_search_locations[0], name)
    if not path.is_file():
        raise _broken_install(f"{name} is missing: reinstall wordllama")
    return path


def _mapped_table(path: Path) -> npt.NDArray[np.float16]:
    """The float16 token table of a safetensors file, mapped read-only. The format is an
    8-byte little-endian header length, a JSON header, then the raw tensors."""
    try:
        with path.open("rb") as file:
            (length,) = struct.unpack("<Q", file.read(8))
            entry = json.loads(file.read(length))[_WEIGHTS_KEY]
        start, end = entry["data_offsets"]
        rows, columns = entry["shape"]
        if entry["dtype"] != "F16" or end - start != rows * columns * 2:
            raise ValueError(entry)
    except (OSError, ValueError, KeyError, TypeError, struct.error):
        raise _broken_install(f"{path.name} cannot be read: reinstall wordllama") from None
    return np.memmap(path, np.float16, "r", offset=8 + length + start, shape=(rows, columns))


class SentenceEncoder:
    """Turns texts into unit vectors whose dot product says how alike their meanings are."""

    def __init__(self) -> None:
        self._tokenizer = Tokenizer.from_file(str(_package_file(_TOKENIZER_FILE)))
        skip = {self._tokenizer.token_to_id(t) for t in ("<s>", "</s>", "<unk>", "▁")}
        # Normalised text holds only WORD_CHARACTERS and spaces, so only the tokens spelt
        # with those can ever occur: about half the table. Those rows are copied out of the
        # mapped file (in its float16: only a message's few rows are widened).
        reachable = sorted(
            i
            for token, i in self._tokenizer.get_vocab().items()
            if _SPELLABLE.fullmatch(token) and i not in skip
        )
        table = _mapped_table(_package_file(_WEIGHTS_FILE))
        self._table: npt.NDArray[np.float16] = np.array(table[reachable])
        self._row = np.full(len(table), -1, np.intp)
        self._row[reachable] = np.arange(len(reachable))
        self._token_weight: npt.NDArray[np.float32] = np.ones(len(self._table), np.float32)
        self._rows_of: dict[str, tuple[int, ...]] = {}

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
        """Each text's tokens, as rows of the table. The texts are normalised (words one space
        apart) and the tokenizer's pieces never span a space, so a text's tokens are its
        words' tokens: each distinct word is tokenised once and its rows kept, up to
        _KEPT_WORDS words (the knowledge's own words come first, at start-up). Tokenised
        whole, the knowledge's sentences would stay in the tokenizer's cache, about 24 MB."""
        kept = self._rows_of
        words = dict.fromkeys(w for text in texts for w in text.split())
        new = [w for w in words if w not in kept]
        rows_of: Mapping[str, tuple[int, ...]] = kept
        if new:
            encoded = self._tokenizer.encode_batch(new, add_special_tokens=False)
            found = {
                w: tuple(int(r) for r in self._row[e.ids] if r >= 0)
                for w, e in zip(new, encoded, strict=True)
            }
            if len(kept) < _KEPT_WORDS:
                kept.update(found)
            else:
                rows_of = ChainMap(found, kept)
        return [[i for w in text.split() for i in rows_of[w]] for text in texts]

    def encode(self, texts: Sequence[str]) -> Vectors:
        """One unit row per normalised text (a zero row for a text with no tokens)."""
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
