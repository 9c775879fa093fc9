"""Knowledge files load, cover the article, and every mistake in them is reported precisely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ptcc_core.knowledge import Knowledge, default_dir, load_knowledge
from ptcc_core.loading import KnowledgeError, Problem


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(default_dir(), target)
    return target


def problems_in(directory: Path) -> list[Problem]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory)
    return caught.value.problems


def test_every_article_section_has_entries(knowledge: Knowledge) -> None:
    empty = [s.id for s in knowledge.sections if not knowledge.entries_in(s.id)]
    assert empty == []


def test_entries_are_complete(knowledge: Knowledge) -> None:
    assert len(knowledge.entries) >= 90
    for entry in knowledge.entries.values():
        assert len(entry.questions) >= 4, entry.id
        assert entry.related, entry.id
        assert 20 <= len(entry.answer) <= 1000, entry.id


@pytest.mark.parametrize(
    "fact",
    [
        "$45,160",
        "$38,000",
        "$56,000",
        "$45,958",
        "$43,890",
        "$52,143",
        "$39,740",
        "8%",
        "WebPT",
        "ICD-10",
        "CMAA",
        "CEHRS",
        "CPCT",
        "Office Manager",
        "Practice Administrator",
        "403(b)",
        "50%",
    ],
)
def test_the_articles_key_facts_are_in_some_answer(knowledge: Knowledge, fact: str) -> None:
    assert any(fact in e.answer for e in knowledge.entries.values()), fact


def test_a_missing_field_is_named_with_file_and_entry(copy: Path) -> None:
    path = copy / "entries" / "role.toml"
    text = path.read_text()
    first_answer = text.index("answer = ")
    end = text.index('"""', text.index('"""', first_answer) + 3) + 3
    path.write_text(text[:first_answer] + text[end:])
    found = problems_in(copy)
    assert any(p.file == "entries/role.toml" and p.field == "answer" and p.entry for p in found)


def test_every_problem_is_reported_at_once(copy: Path) -> None:
    entries = copy / "entries" / "salary.toml"
    entries.write_text(
        entries.read_text().replace("related = [", 'related = ["no_such_entry", ', 1)
    )
    experience = copy / "factors" / "experience.toml"
    experience.write_text(experience.read_text().replace("low = 35000", "low = 99000", 1))
    (copy / "entries" / "broken.toml").write_text("[[entry]\nid = ")
    found = problems_in(copy)
    assert any(p.field == "related" and "no_such_entry" in p.message for p in found)
    assert any(p.file == "factors/experience.toml" for p in found)
    assert any(p.file == "entries/broken.toml" and "TOML" in p.message for p in found)
    assert "entries/broken.toml" in str(KnowledgeError(found))


def test_duplicate_ids_and_unknown_sections_are_caught(copy: Path) -> None:
    source = (copy / "entries" / "role.toml").read_text()
    (copy / "entries" / "zz_copy.toml").write_text(source.replace('section = "', 'section = "x', 1))
    found = problems_in(copy)
    assert any(p.file == "entries/zz_copy.toml" and "already defined" in p.message for p in found)


def test_a_typo_in_a_field_name_is_reported(copy: Path) -> None:
    path = copy / "entries" / "role.toml"
    path.write_text(path.read_text().replace("keywords = [", "keywrods = [", 1))
    found = problems_in(copy)
    assert any(p.field == "keywrods" for p in found)


def test_factor_tables_that_would_contradict_the_article_are_refused(copy: Path) -> None:
    education = copy / "factors" / "education.toml"
    education.write_text(education.read_text().replace("low = 42000", "low = 30000"))
    found = problems_in(copy)
    assert any(p.file == "factors/education.toml" and "starts below" in p.message for p in found)
