"""Adding questions to the knowledge files in place, keeping their layout and comments.

`ptcc review` and the import of user-worded alternates write through here. TOML libraries
that write files (tomli-w, tomlkit) either drop the comments and the hand-made layout or add
a dependency for one small job; the files are regular (each `[[entry]]` or `[[unanswerable]]`
table has `id = "..."` and then a `questions = [` array, one string a line), so a new string
is inserted as one more line before the array's closing bracket, and the file is parsed again
to prove it still loads.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path


class EditError(Exception):
    """The item to add to was not found, or the edit would break the file."""


def add_questions(file: Path, item_id: str, questions: list[str]) -> int:
    """Append questions to the `questions` array of the table with this id; returns how many
    were new (a question already there, in any case, is skipped)."""
    text = file.read_text(encoding="utf-8")
    found = re.search(rf'^id = "{re.escape(item_id)}"\s*$', text, re.MULTILINE)
    if found is None:
        raise EditError(f"{file.name} has no item with id {item_id!r}")
    opening = re.compile(r"^questions = \[\s*$", re.MULTILINE).search(text, found.end())
    closing = re.compile(r"^\]\s*$", re.MULTILINE).search(text, opening.end()) if opening else None
    next_table = text.find("\n[[", found.end())
    if opening is None or closing is None or (0 <= next_table < opening.start()):
        raise EditError(f"{file.name}: item {item_id!r} has no questions array")
    existing = _questions_of(text, item_id)
    seen = {q.strip().lower() for q in existing}
    new = []
    for question in (q.strip() for q in questions):
        if question and question.lower() not in seen:
            seen.add(question.lower())
            new.append(question)
    if not new:
        return 0
    lines = "".join(f"  {json.dumps(q, ensure_ascii=False)},\n" for q in new)
    edited = text[: closing.start()] + lines + text[closing.start() :]
    if len(_questions_of(edited, item_id)) != len(existing) + len(new):
        raise EditError(f"{file.name}: adding to {item_id!r} would not parse as expected")
    file.write_text(edited, encoding="utf-8")
    return len(new)


def _questions_of(text: str, item_id: str) -> list[str]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise EditError(f"not valid TOML: {exc}") from None
    for tables in data.values():
        if isinstance(tables, list):
            for table in tables:
                if isinstance(table, dict) and table.get("id") == item_id:
                    return list(table.get("questions", []))
    raise EditError(f"no item with id {item_id!r}")
