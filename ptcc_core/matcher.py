"""Free text -> the knowledge entry that answers it, with a confidence and alternatives.

Every entry is indexed once, at start-up, from its title, alternate questions, keywords and
(with less weight) its answer. A question is normalised the same way, its misspelt words
are corrected against the knowledge's own vocabulary with rapidfuzz, and each entry is scored
on words and on meaning:

- coverage: how much of the question's meaning (words weighted by how rare they are in the
  knowledge) the entry speaks about; a word no entry knows counts against every entry, which
  is what keeps "good exercises for knee rehab" from matching anything;
- phrasing: how close the question is to the entry's nearest alternate question (rapidfuzz);
- meaning: the cosine between sentence vectors (`ptcc_core.semantic`) of the question and the
  entry's nearest title or alternate question, which finds paraphrases that share no word;
- topic: the probability the topic classifier (`ptcc_core.topics`) gives the entry, having
  learnt from all of an entry's phrasings at once what tells it from its siblings.

The entries are ranked by a fitted blend of these, and the answerability model
(`ptcc_core.answerability`) decides whether the best one answers, from these scores and from
how close the question comes to the knowledge's known unanswerable questions
(knowledge/unanswerable.toml), whose reason is then the one the advisor gives. Questions about
another occupation or another country are out of scope before scoring: the article speaks
about one US job.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
import numpy.typing as npt
import snowballstemmer
from pydantic import BaseModel, ConfigDict
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from ptcc_core.answerability import AnswerabilityModel, Signals
from ptcc_core.knowledge import Entry, Knowledge, Language, Unanswerable
from ptcc_core.places import PlaceResolver
from ptcc_core.semantic import SentenceEncoder, Vectors
from ptcc_core.text import asking_part, find_phrases, normalize, phrase_table, replace_phrases
from ptcc_core.topics import UNANSWERABLE, TopicClassifier

_PAY_QUESTION = re.compile(
    r"\b(salary|salaries|pay|paid|earn|earns|earning|make|makes|making|wage|wages|income|"
    r"how much)\b"
)

SUGGEST_THRESHOLD = 30.0
MAX_ALTERNATIVES = 3
_REASON_AT_SEMANTIC = 0.6
_REASON_AT_OVERLAP = 0.4
# Used only before a model is fitted (by `ptcc knowledge train`, which sets its own).
DEFAULT_SEMANTIC_WEIGHT = 0.4
_COVERAGE_WEIGHT = 0.5
_OVERLAP_WEIGHT = 0.35
_WORDING_WEIGHT = 0.15
_ANSWER_WORD_WEIGHT = 0.5
_ANSWER_WORD_DF = 0.5
_TYPO_MIN_LENGTH = 6
_NEARBY_PHRASINGS = 80
# A word no entry knows weighs like the rarest known word: it is likely the point of the question.
_UNKNOWN_WORD_RARITY = 1.0
_TWO_EDITS_FROM = 9


ScopeProblem = Literal[
    "role",
    "country",
    "clinical",
    "software",
    "not_covered",
    "period",
    "price",
    "example_pay",
    "place",
]
# Stems kept for reuse: the knowledge's few thousand words, then users' up to the bound.
_KEPT_STEMS = 20_000
_AFTER_YEAR = re.compile(r"\b(after|beyond|past|post)\s+20\d\d\b")
# A year named in a question ("the 2025 median", "growth to 2034"); not an amount ("a 2000
# dollar bonus").
_YEAR = re.compile(r"\b(20[0-4]\d)\b(?!\s*(?:dollars?|usd|bucks|k\b|a year|a month|per\b))")


Floats = npt.NDArray[np.float64]


class Candidate(BaseModel):
    """An entry and how well it fits the question (0-100)."""

    model_config = ConfigDict(frozen=True)

    entry_id: str
    title: str
    score: float


class MatchResult(BaseModel):
    """The matcher's verdict: the entry that answers (if confident), and the runners-up."""

    model_config = ConfigDict(frozen=True)

    entry_id: str | None
    score: float
    alternatives: tuple[Candidate, ...]
    out_of_scope: bool = False
    scope_problem: ScopeProblem | None = None
    confidence: float = 0.0
    reason: str | None = None
    ask_kinds: frozenset[str] = frozenset()
    # For a year the best entry's figures are not for: the years they are for.
    years_given: tuple[str, ...] = ()

    @property
    def matched(self) -> bool:
        return self.entry_id is not None


def _inverted(term_sets: list[frozenset[str]]) -> dict[str, npt.NDArray[np.intp]]:
    """term -> the indices of the term sets that hold it, as an array for numpy indexing."""
    found: dict[str, list[int]] = defaultdict(list)
    for index, terms in enumerate(term_sets):
        for term in terms:
            found[term].append(index)
    return {term: np.array(indices, dtype=np.intp) for term, indices in found.items()}


class Analyzer:
    """Turns normalised text into content terms: synonyms merged, stopwords dropped, stemmed."""

    def __init__(self, language: Language) -> None:
        pairs = [
            (word, "_".join(group[0].split())) for group in language.synonyms for word in group
        ]
        self._synonyms = phrase_table(pairs)
        self.stopwords = frozenset(normalize(w) for w in language.stopwords)
        self._stemmer = snowballstemmer.stemmer("english")
        self._stems: dict[str, str] = {}

    def terms(self, normalized: str) -> list[str]:
        # Phrases first, so a phrase made of stopwords ("what do they do") still counts.
        words = replace_phrases(normalized.split(), self._synonyms)
        return [self._stem(w) for w in words if w not in self.stopwords]

    def _stem(self, word: str) -> str:
        stem = self._stems.get(word)
        if stem is None:
            keep = "_" in word or word.isdigit()
            stem = word if keep else str(self._stemmer.stemWord(word))
            # Users' words are unbounded; the knowledge's, stemmed first, are kept.
            if len(self._stems) < _KEPT_STEMS:
                self._stems[word] = stem
        return stem


@dataclass(frozen=True)
class Analysis:
    """Everything the matcher measured in one question, before it decides."""

    normalized: str
    scope_problem: ScopeProblem | None
    ranked: tuple[Candidate, ...]
    signals: Signals | None
    nearest_unanswerable: Unanswerable | None


class Matcher:
    """Scores questions against every knowledge entry, and decides whether one answers."""

    def __init__(self, knowledge: Knowledge, encoder: SentenceEncoder | None = None) -> None:
        self._entries = knowledge.entries
        self.model: AnswerabilityModel | None = knowledge.answerability
        self.semantic_weight = self.model.semantic_weight if self.model else DEFAULT_SEMANTIC_WEIGHT
        self.topic_weight = self.model.topic_weight if self.model else 0.0
        self._kinds = tuple(knowledge.language.ask_kinds)
        self._ask_kinds = phrase_table(
            (phrase, kind)
            for kind, phrases in knowledge.language.ask_kinds.items()
            for phrase in phrases
        )
        self._analyzer = Analyzer(knowledge.language)
        self._scope = knowledge.language.scope
        self._our_role = phrase_table((p, "ours") for p in self._scope.our_role)
        self._other = phrase_table(
            [(p, f"role:{normalize(p)}") for p in self._scope.other_roles]
            + [(p, "country:") for p in self._scope.other_countries]
            + [(p, "clinical:") for p in self._scope.clinical_advice]
            + [(p, "software:") for p in self._scope.software]
            + [(p, "how_to:") for p in self._scope.how_to]
            + [(p, "not_covered:") for p in self._scope.not_covered]
            + [(p, "price:") for p in self._scope.prices]
            # Longer phrases win: "tuition reimbursement" is a benefit, not a price.
            + [(p, "not_price:") for p in self._scope.not_prices]
            + [(p, "example:") for p in self._scope.example_people]
        )
        self._places = PlaceResolver(knowledge.factors.locations)
        self._weights: dict[str, dict[str, float]] = {}
        self._phrasings: list[str] = []
        self._phrasing_terms: list[frozenset[str]] = []
        self._phrasing_entry: list[str] = []
        vocabulary: set[str] = set(self._analyzer.stopwords)
        for entry in self._entries.values():
            self._index(entry, vocabulary)
        # Rarity counts only the words an entry is about (its title, questions and keywords):
        # a word that many answers merely mention is still telling when a question asks it.
        df: dict[str, float] = defaultdict(float)
        for weights in self._weights.values():
            for term, weight in weights.items():
                df[term] += 1.0 if weight == 1.0 else _ANSWER_WORD_DF
        n = len(self._entries)
        self._idf = {term: math.log(1 + n / count) for term, count in df.items()}
        self._unknown_idf = _UNKNOWN_WORD_RARITY * math.log(1 + n)
        self._vocabulary = sorted(vocabulary)
        self._known_words = frozenset(vocabulary)
        self._phrasing_mass = np.array(
            [sum(self._idf[t] for t in terms) for terms in self._phrasing_terms]
        )
        self._entry_ids = list(self._entries)
        self._entry_index = {entry_id: i for i, entry_id in enumerate(self._entry_ids)}
        self.topics = knowledge.topics
        with_term: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for entry_id, weights in self._weights.items():
            for term, weight in weights.items():
                with_term[term].append((self._entry_index[entry_id], weight))
        # term -> (the entries that hold it, their weight for it), for numpy indexing.
        self._entries_with = {
            term: (np.array([i for i, _ in found], np.intp), np.array([w for _, w in found]))
            for term, found in with_term.items()
        }
        self._phrasings_with = _inverted(self._phrasing_terms)
        # The years each entry dates its figures with, and all the years the knowledge has
        # figures for: a question about another year's has none.
        self._years_of = {e.id: frozenset(_YEAR.findall(e.answer)) for e in self._entries.values()}
        self._years = frozenset().union(*self._years_of.values())
        self._with_figures = frozenset(
            e.id for e in self._entries.values() if re.search(r"\d", e.answer)
        )
        self._unanswerable = knowledge.unanswerable
        refusal_texts = [normalize(q) for known in knowledge.unanswerable for q in known.questions]
        # A question worded as the knowledge words one of its entry's questions is that
        # entry's, whatever the model makes of it: an operator's alternate (`ptcc review`)
        # always takes effect. Wordings two entries or a known unanswerable share are not.
        owners: dict[str, set[str]] = defaultdict(set)
        for text, entry_id in zip(self._phrasings, self._phrasing_entry, strict=True):
            owners[text].add(entry_id)
        for text in refusal_texts:
            owners[text].add("")
        self._worded_as: dict[str, str] = {
            text: next(iter(ids)) for text, ids in owners.items() if len(ids) == 1 and "" not in ids
        }
        refusal_terms = [frozenset(self._analyzer.terms(text)) for text in refusal_texts]
        self._refusals_with = _inverted(refusal_terms)
        self._refusal_mass = np.array(
            [sum(self._idf.get(t, self._unknown_idf) for t in terms) for terms in refusal_terms]
        )
        self._encoder = (encoder or SentenceEncoder()).weighted_for(self._phrasings)
        self._entry_of_phrasing = np.array(
            [self._entry_index[e] for e in self._phrasing_entry], dtype=np.intp
        )
        self._phrasing_vectors: Vectors = self._encoder.encode(self._phrasings)
        self._refusal_vectors: Vectors = self._encoder.encode(refusal_texts)
        self._refusal_group = np.array(
            [g for g, known in enumerate(knowledge.unanswerable) for _ in known.questions],
            dtype=np.intp,
        )

    @property
    def topics(self) -> TopicClassifier | None:
        """The topic classifier (training fits and sets a new one)."""
        return self._topics

    @topics.setter
    def topics(self, topics: TopicClassifier | None) -> None:
        self._topics = topics
        # Each entry's class, in the knowledge's order.
        self._topic_of = np.array([topics.index[e] for e in self._entry_ids] if topics else [])

    def encode(self, texts: list[str]) -> Vectors:
        """Sentence vectors of texts as this matcher sees them (normalised, its weights)."""
        return self._encoder.encode([normalize(t) for t in texts])

    def _index(self, entry: Entry, vocabulary: set[str]) -> None:
        weights: dict[str, float] = {}
        normalized_answer = normalize(entry.answer)
        vocabulary.update(normalized_answer.split())
        for term in self._analyzer.terms(normalized_answer):
            weights[term] = _ANSWER_WORD_WEIGHT
        phrasings = (entry.title, *entry.questions)
        # A keyword may also be one of the questions ("benefits package"): as a question it
        # is a phrasing all the same.
        for number, text in enumerate((*phrasings, *entry.keywords)):
            normalized = normalize(text)
            vocabulary.update(normalized.split())
            terms = self._analyzer.terms(normalized)
            weights.update(dict.fromkeys(terms, 1.0))
            if number < len(phrasings):
                self._phrasings.append(normalized)
                self._phrasing_terms.append(frozenset(terms))
                self._phrasing_entry.append(entry.id)
        self._weights[entry.id] = weights

    def _corrected(self, normalized: str) -> str:
        return " ".join(self._correct(w) for w in normalized.split())

    @lru_cache(maxsize=4096)  # noqa: B019 - one matcher lives as long as the process
    def _correct(self, word: str) -> str:
        """A misspelt word as the knowledge spells it: one edit away from a word of six
        letters or more, two from one of nine or more ("carrer", "schedualing")."""
        if word in self._known_words or len(word) < _TYPO_MIN_LENGTH or not word.isalpha():
            return word
        edits = 1 if len(word) < _TWO_EDITS_FROM else 2
        best = process.extractOne(
            word, self._vocabulary, scorer=Levenshtein.distance, score_cutoff=edits
        )
        return best[0] if best else word

    def ask_kinds(self, normalized: str) -> frozenset[str]:
        """The kinds of ask (language.toml) the text makes: a fee, a duration, a how-to..."""
        return frozenset(kind for _, kind in find_phrases(normalized, self._ask_kinds))

    def scope_problem(self, normalized: str) -> ScopeProblem | None:
        """Why the question is outside the article, if it is: another country; a year it has
        no figures for; a price (it gives none); the pay of the people in its stories, or in a
        place it never names; how to run a piece of software; medical advice or another job
        (when it names no word for ours).

        Another job counts when the question names no word for ours and asks about its pay (the
        article gives no other job's pay) or about being one."""
        found = [value.partition(":") for _, value in find_phrases(normalized, self._other)]
        kinds = {kind for kind, _, _ in found}
        if "country" in kinds:
            return "country"
        if "not_covered" in kinds:
            return "not_covered"
        years = _YEAR.findall(normalized)
        # "After 2032" is past the article's last year, whichever year is named.
        if any(y not in self._years for y in years) or _AFTER_YEAR.search(normalized):
            return "period"
        if "price" in kinds:
            return "price"
        if "example" in kinds and _PAY_QUESTION.search(normalized):
            return "example_pay"
        # The pay in a US place the article names nowhere ("pay in Denver"); with a place it
        # does name beside it ("Denver or Boston?") there is something to answer.
        place = (
            self._places.find_normalized(normalized) if _PAY_QUESTION.search(normalized) else None
        )
        if place is not None and place.kind == "unnamed":
            return "place"
        if {"software", "how_to"} <= kinds:
            return "software"
        if find_phrases(normalized, self._our_role):
            return None
        if "clinical" in kinds:
            return "clinical"
        roles = [phrase for kind, _, phrase in found if kind == "role"]
        if not roles:
            return None
        if _PAY_QUESTION.search(normalized):
            return "role"
        # Otherwise only when the question is about being one ("work as a medical assistant",
        # "what does a nurse do"), not about working with them ("support for the therapists").
        being = (
            re.search(rf"\b(a|an|as|become|becoming)\s+{re.escape(r)}\b", normalized)
            or re.search(rf"\b(what|how)\s+(does|do)\s+(the|a|an)\s+{re.escape(r)}\b", normalized)
            for r in roles
        )
        return "role" if any(being) else None

    def match(self, text: str, normalized: str | None = None) -> MatchResult:
        """The entry that answers text, if the model is confident; else suggestions or none
        (`normalized`: the text already normalised, when the caller has it)."""
        if self.model is None:
            raise RuntimeError("no answerability model: load the knowledge with its model")
        found = self.analyse(text, normalized=normalized)
        owner = self._worded_as.get(found.normalized)
        if found.scope_problem:
            return MatchResult(
                entry_id=None,
                score=0.0,
                alternatives=(),
                out_of_scope=True,
                scope_problem=found.scope_problem,
                ask_kinds=self.ask_kinds(found.normalized),
            )
        signals = found.signals
        if signals is None or not found.ranked:
            # Too few words to rank by ("is this for me"), yet the knowledge's own wording.
            return MatchResult(entry_id=owner, score=100.0 if owner else 0.0, alternatives=())
        confidence = self.model.probability(signals, self._kinds)
        ranked = found.ranked
        worded_as = [c for c in ranked if c.entry_id == owner]
        if worded_as:
            ranked = (*worded_as, *(c for c in ranked if c.entry_id != owner))
        best, *others = ranked
        kinds = signals.ask_kinds
        answers = confidence >= self.model.answer_at or bool(worded_as)
        # "The BLS median for 2024": the entry that would answer, or be offered first, dates
        # its figure (May 2022), and not for that year.
        asked_years = frozenset(_YEAR.findall(found.normalized))
        given_years = self._years_of[best.entry_id]
        offered = confidence >= self.model.suggest_at and not worded_as
        if offered and given_years and not asked_years <= given_years:
            return MatchResult(
                entry_id=None,
                score=best.score,
                alternatives=(),
                out_of_scope=True,
                scope_problem="period",
                confidence=confidence,
                ask_kinds=kinds,
                years_given=tuple(sorted(given_years)),
            )
        if answers:
            return MatchResult(
                entry_id=best.entry_id,
                score=best.score,
                alternatives=tuple(others[:MAX_ALTERNATIVES]),
                confidence=confidence,
                ask_kinds=kinds,
            )
        # Closer to a known unanswerable question than to any entry: decline, saying why.
        refused = (
            signals.unanswerable_semantic >= signals.semantic
            or signals.unanswerable_lexical >= signals.phrasing_overlap
        ) and (signals.unanswerable_lexical > 0 or signals.unanswerable_semantic >= 0.5)
        # Its reason is given only when the likeness is plain, or the reason may not fit.
        plain = (
            signals.unanswerable_semantic >= _REASON_AT_SEMANTIC
            or signals.unanswerable_lexical >= _REASON_AT_OVERLAP
        )
        suggestions = tuple(c for c in found.ranked if c.score >= SUGGEST_THRESHOLD)
        unsure = confidence >= self.model.suggest_at and suggestions and not refused
        return MatchResult(
            entry_id=None,
            score=best.score,
            alternatives=suggestions[:MAX_ALTERNATIVES] if unsure else (),
            out_of_scope=not unsure,
            confidence=confidence,
            reason=found.nearest_unanswerable.reason
            if refused and plain and found.nearest_unanswerable
            else None,
            ask_kinds=kinds,
        )

    def analyse(
        self,
        text: str,
        among: tuple[str, ...] | None = None,
        normalized: str | None = None,
    ) -> Analysis:
        """The scores of every entry for text, best first, and the signals the model weighs.

        `among` ranks only these entries (a follow-up stays among the last answer's related
        entries)."""
        normalized = self._corrected(normalize(text) if normalized is None else normalized)
        problem = None if normalized in self._worded_as else self.scope_problem(normalized)
        if problem:
            return Analysis(normalized, problem, (), None, None)
        whole = self._ranked(normalized, among)
        # Context can bury the ask ("I worked a hotel desk for years. What skills carry
        # over?") or carry its topic ("Moving to SF. How much more is it there?"): the
        # asking sentences are ranked alone too, and the reading that fits better is kept.
        ask = asking_part(text)
        if ask is None or whole.signals is None:
            return whole
        alone = self._ranked(self._corrected(normalize(ask)), among)
        fits_better = alone.signals is not None and alone.signals.combined > whole.signals.combined
        return alone if fits_better else whole

    def _ranked(self, normalized: str, among: tuple[str, ...] | None) -> Analysis:
        terms = self._analyzer.terms(normalized)
        if not terms:
            return Analysis(normalized, None, (), None, None)
        idf = [self._idf.get(t, self._unknown_idf) for t in terms]
        total = sum(idf)
        known_share = sum(w for t, w in zip(terms, idf, strict=True) if t in self._idf) / total
        lexical, scored, coverage, overlap = self._scores(normalized, terms, idf, total)
        if self.topics is None:
            raise RuntimeError("no topic classifier: load the knowledge with its models")
        query = self._encoder.encode([normalized])[0]
        semantic = np.full(len(self._entry_ids), -1.0, dtype=np.float32)
        np.maximum.at(semantic, self._entry_of_phrasing, self._phrasing_vectors @ query)
        topic = self.topics.probabilities(query)
        topic_of = self._topic_of
        weight, topic_weight = self.semantic_weight, self.topic_weight
        blended = (
            (1 - weight - topic_weight) * lexical
            + weight * 100 * np.maximum(semantic.astype(np.float64), 0.0)
            + topic_weight * 100 * topic[topic_of].astype(np.float64)
        )
        candidates = np.arange(len(self._entry_ids))
        if among is not None:
            candidates = np.array([self._entry_index[e] for e in among if e in self._entry_index])
            candidates.sort()
        if len(candidates) < 2:
            return Analysis(normalized, None, (), None, None)
        # Best first; ties in the knowledge's order, so they fall the same way in every process.
        order = candidates[np.argsort(-blended[candidates], kind="stable")]
        ranked = tuple(
            Candidate(
                entry_id=self._entry_ids[i],
                title=self._entries[self._entry_ids[i]].title,
                score=round(float(blended[i]), 1),
            )
            for i in order[: MAX_ALTERNATIVES + 2]
        )
        best_index, second_index = int(order[0]), int(order[1])
        best = self._entry_ids[best_index]
        lexical_best = (
            self._entry_ids[int(np.flatnonzero(scored)[np.argmax(lexical[scored])])]
            if scored.any()
            else None
        )
        group, refusal_semantic, refusal_lexical = self._nearest_refusal(query, terms, idf)
        signals = Signals(
            combined=float(blended[best_index]),
            lexical=float(lexical[best_index]),
            semantic=float(semantic[best_index]),
            margin=float(blended[best_index] - blended[second_index]),
            semantic_margin=float(semantic[best_index] - semantic[second_index]),
            best_semantic_anywhere=float(semantic.max()),
            agree=best == lexical_best,
            known_share=known_share,
            coverage=float(coverage[best_index]),
            # The rarest question word the best entry never mentions: often the real ask.
            uncovered=max(
                (w for t, w in zip(terms, idf, strict=True) if t not in self._weights[best]),
                default=0.0,
            )
            / self._unknown_idf,
            # The rarest question word the best entry is about (its title, questions, keywords).
            anchor=max(
                (w for t, w in zip(terms, idf, strict=True) if self._weights[best].get(t) == 1.0),
                default=0.0,
            )
            / self._unknown_idf,
            unanswerable_semantic=refusal_semantic,
            unanswerable_lexical=refusal_lexical,
            phrasing_overlap=float(overlap[best_index]),
            terms=len(terms),
            topic_probability=float(topic[topic_of[best_index]]),
            topic_unanswerable=float(topic[self.topics.index[UNANSWERABLE]]),
            topic_best=float(topic[topic_of].max()),
            topic_agrees=best_index == int(np.argmax(topic[topic_of])),
            ask_kinds=self.ask_kinds(normalized),
            entry_gives_figures=best in self._with_figures,
        )
        nearest = self._unanswerable[group] if group is not None else None
        return Analysis(normalized, None, ranked, signals, nearest)

    def _nearest_refusal(
        self, query: Vectors, terms: list[str], idf: list[float]
    ) -> tuple[int | None, float, float]:
        """The known unanswerable question nearest by the same blend that ranks entries: its
        group, its semantic similarity, and its weighted word overlap (Dice)."""
        if not len(self._refusal_group):
            return None, 0.0, 0.0
        similarity = self._refusal_vectors @ query
        weight = dict(zip(terms, idf, strict=True))
        shared = np.zeros(len(self._refusal_group))
        for term, term_weight in weight.items():
            if term in self._refusals_with:
                shared[self._refusals_with[term]] += term_weight
        overlap = 2 * shared / (sum(weight.values()) + self._refusal_mass)
        blended = (1 - self.semantic_weight) * overlap + self.semantic_weight * similarity
        nearest = int(blended.argmax())
        return (
            int(self._refusal_group[nearest]),
            float(similarity[nearest]),
            float(overlap[nearest]),
        )

    def _scores(
        self, normalized: str, terms: list[str], idf: list[float], total: float
    ) -> tuple[Floats, npt.NDArray[np.bool_], Floats, Floats]:
        """Per entry, in the knowledge's order: its lexical score (0-100), whether it has one
        (it shares a word or a wording with the question), the share of the question it
        covers, and its weighted word overlap (Dice) with its closest alternate question."""
        coverage = np.zeros(len(self._entry_ids))
        shared = np.zeros(len(self._phrasings))
        for term, weight in dict(zip(terms, idf, strict=True)).items():
            if term in self._entries_with:
                entries, entry_weights = self._entries_with[term]
                coverage[entries] += weight * entry_weights
            if term in self._phrasings_with:
                shared[self._phrasings_with[term]] += weight
        # Phrasing: the weighted overlap (Dice) with the entry's closest alternate question...
        overlap = np.zeros(len(self._entry_ids))
        np.maximum.at(overlap, self._entry_of_phrasing, 2 * shared / (total + self._phrasing_mass))
        # ...and how close its wording is (rapidfuzz), among the phrasings sharing a term.
        wording = np.zeros(len(self._entry_ids))
        worded = np.zeros(len(self._entry_ids), np.bool_)
        sharing = np.flatnonzero(shared)
        closest = sharing[np.argsort(-shared[sharing], kind="stable")[:_NEARBY_PHRASINGS]]
        nearby = {int(index): self._phrasings[index] for index in closest}
        for _, similarity, index in process.extract(
            normalized, nearby, scorer=fuzz.token_set_ratio, limit=40
        ):
            entry = self._entry_of_phrasing[index]
            wording[entry] = max(wording[entry], similarity / 100)
            worded[entry] = True
        scored = (coverage > 0) | worded
        share = coverage / total
        lexical = 100 * (
            _COVERAGE_WEIGHT * share + _OVERLAP_WEIGHT * overlap + _WORDING_WEIGHT * wording
        )
        return np.where(scored, lexical, 0.0), scored, share, overlap
