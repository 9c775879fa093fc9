"""Adding questions to knowledge files in place: comments and layout kept, repeats skipped,
the file still loads."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from ptcc_core.knowledge_edit import EditError, add_questions

FILE = """# a comment that stays
[[entry]]
id = "first"
questions = [
  "one",
]
answer = "x"

[[entry]]
id = "second"
questions = [
  "two",
]
"""


def test_a_question_is_added_to_its_own_item_only(tmp_path: Path) -> None:
    path = tmp_path / "entries.toml"
    path.write_text(FILE, encoding="utf-8")
    assert add_questions(path, "second", ['say "hi"', "TWO", "three"]) == 2
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["entry"][0]["questions"] == ["one"]
    assert data["entry"][1]["questions"] == ["two", 'say "hi"', "three"]
    assert path.read_text(encoding="utf-8").startswith("# a comment that stays")


def test_an_unknown_id_is_an_error_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "entries.toml"
    path.write_text(FILE, encoding="utf-8")
    with pytest.raises(EditError, match="third"):
        add_questions(path, "third", ["x"])
    assert path.read_text(encoding="utf-8") == FILE
