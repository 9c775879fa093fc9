"""The answerability model: stored as data beside the knowledge, checked against the code's
features, and current with the knowledge and question sets it was fitted on."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ptcc_core.answerability import MODEL_FILE
from ptcc_core.knowledge import default_dir, load_knowledge
from ptcc_core.loading import KnowledgeError


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "knowledge"
    shutil.copytree(default_dir(), copy)
    return copy


def test_the_stored_model_is_current_with_knowledge_and_question_sets() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ptcc_core.cli", "knowledge", "train", "--check"],
        capture_output=True,
        text=True,
        # About three minutes alone; far more when the machine is busy with something else.
        timeout=1200,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_missing_model_stops_loading_with_what_to_do(knowledge_copy: Path) -> None:
    (knowledge_copy / MODEL_FILE).unlink()
    with pytest.raises(KnowledgeError, match="ptcc knowledge train"):
        load_knowledge(knowledge_copy)
    assert load_knowledge(knowledge_copy, with_model=False).answerability is None


def test_a_model_for_other_features_is_refused(knowledge_copy: Path) -> None:
    language = knowledge_copy / "language.toml"
    text = language.read_text().replace("[ask_kinds]\n", '[ask_kinds]\nweather_now = ["weather"]\n')
    language.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError, match="do not match"):
        load_knowledge(knowledge_copy)


def test_an_unanswerable_group_needs_a_reason_that_names_the_article(
    knowledge_copy: Path,
) -> None:
    path = knowledge_copy / "unanswerable.toml"
    path.write_text(
        path.read_text().replace(
            'reason = "The article gives no figure for certification exam fees."',
            'reason = "No idea."',
        ),
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match="exam_fees"):
        load_knowledge(knowledge_copy)


def test_every_entry_and_group_is_known_to_the_matcher(knowledge_copy: Path) -> None:
    knowledge = load_knowledge(knowledge_copy)
    assert knowledge.unanswerable and knowledge.answerability is not None
    assert knowledge.answerability.trained_on["unanswerable"] > 0


def test_a_topic_classifier_for_other_entries_is_refused(knowledge_copy: Path) -> None:
    # An entry renamed everywhere: valid knowledge, but not what the classifier was fitted on.
    for path in (knowledge_copy / "entries").glob("*.toml"):
        path.write_text(path.read_text().replace('"role_overview"', '"role_summary"'))
    with pytest.raises(KnowledgeError, match=r"topics\.npz"):
        load_knowledge(knowledge_copy)
