"""Knowledge entries and article sections: their models, and loading them from knowledge/.

Entries are TOML files under `entries/`, sections live in `sections.toml`, and the salary
factor tables under `factors/` are loaded by `ptcc_core.factors`. Every problem found while
loading is collected with its file, entry and field, so `ptcc knowledge check` can report
them all at once and start-up can stop with a message that says what to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pydantic import Field, ValidationError, field_validator

from ptcc_core.answerability import AnswerabilityModel, load_model
from ptcc_core.factors import SalaryFactors, load_factors
from ptcc_core.loading import (
    ID_PATTERN,
    KnowledgeError,
    Problem,
    StrictModel,
    read_toml,
    validation_problems,
)
from ptcc_core.topics import TopicClassifier, load_topics

MAX_ANSWER_CHARS = 1000
MIN_QUESTIONS = 4
UNANSWERABLE_FILE = "unanswerable.toml"


def _no_blank_or_repeated(values: tuple[str, ...]) -> tuple[str, ...]:
    cleaned = [v.strip() for v in values]
    if any(not v for v in cleaned):
        raise ValueError("contains an empty string")
    lowered = [v.lower() for v in cleaned]
    if len(set(lowered)) != len(lowered):
        raise ValueError("contains the same text twice")
    return tuple(cleaned)


class Section(StrictModel):
    """One section of the source article."""

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=3)
    # The topics menu's button it sits under (sections.toml's [menus]).
    menu: str = Field(pattern=ID_PATTERN)


class Entry(StrictModel):
    """One answer the advisor can give, with the ways users ask for it."""

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=3, max_length=80)
    questions: tuple[str, ...] = Field(min_length=MIN_QUESTIONS)
    keywords: tuple[str, ...] = ()
    answer: str = Field(min_length=20, max_length=MAX_ANSWER_CHARS)
    section: str = Field(pattern=ID_PATTERN)
    related: tuple[str, ...] = ()

    @field_validator("questions", "keywords")
    @classmethod
    def _no_blank_or_repeated(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return _no_blank_or_repeated(values)


class SmallTalk(StrictModel):
    greeting: tuple[str, ...]
    thanks: tuple[str, ...]
    help: tuple[str, ...]
    bye: tuple[str, ...]
    nerves: tuple[str, ...]
    good_news: tuple[str, ...]
    spanish: frozenset[str]


class Scope(StrictModel):
    our_role: tuple[str, ...]
    other_roles: tuple[str, ...]
    other_countries: tuple[str, ...]
    clinical_advice: tuple[str, ...]
    software: tuple[str, ...]
    how_to: tuple[str, ...]
    not_covered: tuple[str, ...]
    prices: tuple[str, ...]
    not_prices: tuple[str, ...]
    example_people: tuple[str, ...]


class Language(StrictModel):
    """How users talk: stopwords, synonym groups, small talk, out-of-scope signs, and the
    kinds of ask (a fee, a duration, a named company...) the answerability model weighs."""

    stopwords: frozenset[str]
    synonyms: tuple[tuple[str, ...], ...]
    small_talk: SmallTalk
    scope: Scope
    ask_kinds: dict[str, tuple[str, ...]]

    @field_validator("synonyms")
    @classmethod
    def _groups(cls, groups: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
        seen: dict[str, int] = {}
        for index, group in enumerate(groups):
            if len(group) < 2:
                raise ValueError(f"group {index} needs at least two words")
            for word in group:
                if word in seen:
                    raise ValueError(f"{word!r} is in groups {seen[word]} and {index}")
                seen[word] = index
        return groups


class Unanswerable(StrictModel):
    """Near-topic questions the article does not answer, and the reason the advisor gives."""

    id: str = Field(pattern=ID_PATTERN)
    topic: str = Field(pattern=ID_PATTERN)
    reason: str = Field(pattern=r"^The article .{10,200}\.$")
    questions: tuple[str, ...] = Field(min_length=3)

    @field_validator("questions")
    @classmethod
    def _no_blank_questions(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return _no_blank_or_repeated(values)


@dataclass(frozen=True)
class Knowledge:
    """Everything the advisor knows: sections, entries by id, and the salary factors."""

    sections: tuple[Section, ...]
    # The topics menu's buttons, in order: id -> title.
    menus: dict[str, str]
    entries: dict[str, Entry]
    factors: SalaryFactors
    language: Language
    unanswerable: tuple[Unanswerable, ...]
    answerability: AnswerabilityModel | None = None
    topics: TopicClassifier | None = None

    def section_titles(self) -> dict[str, str]:
        return {s.id: s.title for s in self.sections}

    def entries_in(self, section_id: str) -> list[Entry]:
        return [e for e in self.entries.values() if e.section == section_id]


def default_dir() -> Path:
    """The knowledge directory installed with the package."""
    return Path(str(resources.files("knowledge")))


def _load_sections(
    root: Path, problems: list[Problem]
) -> tuple[tuple[Section, ...], dict[str, str]]:
    path = root / "sections.toml"
    if not path.is_file():
        problems.append(Problem("sections.toml", None, None, "file is missing"))
        return (), {}
    data = read_toml(path, root, problems)
    if data is None:
        return (), {}
    menus = data.get("menus", {})
    if not isinstance(menus, dict) or not all(isinstance(t, str) for t in menus.values()):
        problems.append(Problem("sections.toml", None, "menus", "must map ids to titles"))
        menus = {}
    sections = []
    for index, raw in enumerate(data.get("section", [])):
        try:
            sections.append(Section.model_validate(raw))
        except ValidationError as exc:
            label = raw.get("id") if isinstance(raw, dict) else None
            problems += validation_problems(exc, "sections.toml", label, f"section[{index}]")
    for section in sections:
        if section.menu not in menus:
            problems.append(
                Problem("sections.toml", section.id, "menu", f"no menu {section.menu!r} in [menus]")
            )
    return tuple(sections), menus


def _load_entries(
    root: Path, problems: list[Problem], invalid_ids: set[str]
) -> dict[str, tuple[str, Entry]]:
    """Valid entries by id; ids of entries that failed validation go to invalid_ids, so
    references to them are not reported a second time."""
    entries: dict[str, tuple[str, Entry]] = {}
    files = sorted((root / "entries").glob("*.toml"))
    if not files:
        problems.append(Problem("entries/", None, None, "no entry files (*.toml) found"))
    for path in files:
        file = str(path.relative_to(root))
        data = read_toml(path, root, problems)
        if data is None:
            continue
        unknown = set(data) - {"entry"}
        if unknown:
            problems.append(Problem(file, None, None, f"unknown top-level keys {sorted(unknown)}"))
        for index, raw in enumerate(data.get("entry", [])):
            label = raw.get("id") if isinstance(raw, dict) else None
            try:
                entry = Entry.model_validate(raw)
            except ValidationError as exc:
                problems += validation_problems(exc, file, label or f"#{index + 1}")
                if isinstance(label, str):
                    invalid_ids.add(label)
                continue
            if entry.id in entries:
                first = entries[entry.id][0]
                problems.append(Problem(file, entry.id, "id", f"already defined in {first}"))
                continue
            entries[entry.id] = (file, entry)
    return entries


def _check_references(
    sections: tuple[Section, ...],
    entries: dict[str, tuple[str, Entry]],
    invalid_ids: set[str],
    problems: list[Problem],
) -> None:
    section_ids = {s.id for s in sections}
    for entry_id, (file, entry) in entries.items():
        if section_ids and entry.section not in section_ids:
            problems.append(
                Problem(file, entry_id, "section", f"unknown section {entry.section!r}")
            )
        for other in entry.related:
            if other not in entries and other not in invalid_ids:
                problems.append(Problem(file, entry_id, "related", f"unknown entry {other!r}"))
            elif other == entry_id:
                problems.append(
                    Problem(file, entry_id, "related", "an entry cannot relate to itself")
                )


def load_knowledge(directory: Path | None = None, with_model: bool = True) -> Knowledge:
    """Load and validate a knowledge directory; raise KnowledgeError listing every problem.

    `with_model=False` leaves out the fitted models (answerability and topics), for the code
    that fits them.
    """
    root = directory or default_dir()
    problems: list[Problem] = []
    if not root.is_dir():
        raise KnowledgeError([Problem(str(root), None, None, "is not a directory")])
    sections, menus = _load_sections(root, problems)
    invalid_ids: set[str] = set()
    entries = _load_entries(root, problems, invalid_ids)
    _check_references(sections, entries, invalid_ids, problems)
    factors = load_factors(root, {s.id for s in sections}, problems)
    language = _load_language(root, problems)
    unanswerable = _load_unanswerable(root, problems)
    model, topics = None, None
    # The models are checked against valid knowledge only: a broken entry is the problem.
    if with_model and language is not None and not problems:
        try:
            model = load_model(root, tuple(language.ask_kinds))
            topics = load_topics(root, list(entries))
        except KnowledgeError as exc:
            problems += exc.problems
    if problems or factors is None or language is None:
        raise KnowledgeError(problems)
    entry_by_id = {k: v for k, (_, v) in entries.items()}
    return Knowledge(sections, menus, entry_by_id, factors, language, unanswerable, model, topics)


def _load_unanswerable(root: Path, problems: list[Problem]) -> tuple[Unanswerable, ...]:
    file = UNANSWERABLE_FILE
    path = root / file
    if not path.is_file():
        problems.append(Problem(file, None, None, "file is missing"))
        return ()
    data = read_toml(path, root, problems)
    if data is None:
        return ()
    groups: dict[str, Unanswerable] = {}
    for index, raw in enumerate(data.get("unanswerable", [])):
        label = raw.get("id") if isinstance(raw, dict) else None
        try:
            group = Unanswerable.model_validate(raw)
        except ValidationError as exc:
            problems += validation_problems(exc, file, label or f"#{index + 1}")
            continue
        if group.id in groups:
            problems.append(Problem(file, group.id, "id", "already defined"))
        groups[group.id] = group
    return tuple(groups.values())


def _load_language(root: Path, problems: list[Problem]) -> Language | None:
    path = root / "language.toml"
    if not path.is_file():
        problems.append(Problem("language.toml", None, None, "file is missing"))
        return None
    data = read_toml(path, root, problems)
    if data is None:
        return None
    try:
        return Language.model_validate(data)
    except ValidationError as exc:
        problems += validation_problems(exc, "language.toml", None)
        return None
