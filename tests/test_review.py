"""`ptcc review`: logged unanswered questions, grouped by nearest entry, filed into the
knowledge files in a keystroke, the knowledge still valid, and the model fitted again."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from ptcc_core.advisor import Advisor
from ptcc_core.conversation import Session
from ptcc_core.knowledge import default_dir, load_knowledge
from ptcc_core.review import pending, run_review
from ptcc_core.store import open_store


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "knowledge"
    shutil.copytree(default_dir(), copy)
    return copy


def scripted(*answers: str):  # type: ignore[no-untyped-def]
    queue = list(answers)

    def read(prompt: str) -> str:
        if not queue:
            raise EOFError
        return queue.pop(0)

    return read


def test_questions_are_filed_as_alternates_or_unanswerable(
    advisor: Advisor, knowledge_copy: Path
) -> None:
    asked = [("is rent crazy in boston", 3), ("salry in boston??", 2), ("sooo what's up", 1)]
    shown: list[str] = []
    refitted: list[Path] = []

    def retrain(root: Path) -> str:
        refitted.append(root)
        return "fitted"

    order = [p.text for p in pending(advisor, asked)]
    commands = {"is rent crazy in boston": "g cost_of_living", "salry in boston??": "e loc_boston"}
    filed = run_review(
        advisor,
        knowledge_copy,
        asked,
        scripted(*(commands.get(text, "s") for text in order)),
        shown.append,
        retrain,
    )
    assert filed == 2 and refitted == [knowledge_copy] and "fitted" in shown
    assert any("nearest entry" in line for line in shown)
    knowledge = load_knowledge(knowledge_copy, with_model=False)
    assert "salry in boston??" in knowledge.entries["loc_boston"].questions
    groups = {g.id: g for g in knowledge.unanswerable}
    assert "is rent crazy in boston" in groups["cost_of_living"].questions


def test_an_unknown_id_is_reported_and_nothing_is_written(
    advisor: Advisor, knowledge_copy: Path
) -> None:
    before = (knowledge_copy / "unanswerable.toml").read_text()
    shown: list[str] = []
    filed = run_review(
        advisor, knowledge_copy, [("x y z", 1)], scripted("g no_such_group"), shown.append, str
    )
    assert filed == 0 and any("not filed" in line for line in shown)
    assert (knowledge_copy / "unanswerable.toml").read_text() == before


def test_ptcc_review_reads_the_store_and_stops_at_the_end_of_input(
    tmp_path: Path, knowledge_copy: Path
) -> None:
    db = tmp_path / "ptcc.db"

    async def log() -> None:
        store = await open_store(str(db))
        try:
            await store.save("u1", Session(), (False, "what shoes should i wear to work"))
        finally:
            await store.close()

    asyncio.run(log())
    env = {**os.environ, "PTCC_DB": str(db)}
    done = subprocess.run(
        [sys.executable, "-m", "ptcc_core.cli", "review", "--knowledge", str(knowledge_copy)],
        input="s\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "what shoes should i wear to work" in done.stdout
    data = tomllib.loads((knowledge_copy / "unanswerable.toml").read_text())
    assert all("wear to work" not in q for g in data["unanswerable"] for q in g["questions"])
