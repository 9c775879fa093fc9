"""A database on a read-only filesystem stops start-up with a clear message; SQL takes
parameters, never formatted text.

Permissions cannot make a file read-only for root, so the test mounts the folder read-only
(a bind mount); where mounting is not allowed it is skipped with the reason."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_bot_api import TOKEN


@pytest.fixture
def read_only_copy(tmp_path: Path) -> Iterator[Path]:
    source, view = tmp_path / "rw", tmp_path / "ro"
    source.mkdir()
    view.mkdir()
    env = {**os.environ, "PTCC_DB": str(source / "ptcc.db")}
    subprocess.run(
        [sys.executable, "-m", "ptcc_core.cli", "health"], env=env, check=True, capture_output=True
    )
    bind = subprocess.run(["mount", "--bind", str(source), str(view)], capture_output=True)
    if bind.returncode != 0:
        pytest.skip(f"cannot bind-mount here (needs root in a mount namespace): {bind.stderr!r}")
    try:
        subprocess.run(
            ["mount", "-o", "remount,bind,ro", str(view)], check=True, capture_output=True
        )
        yield view / "ptcc.db"
    finally:
        subprocess.run(["umount", str(view)], capture_output=True)


def test_read_only_database_is_a_clear_start_up_error(read_only_copy: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PTCC_DB": str(read_only_copy), "HOME": str(tmp_path),
           "TELEGRAM_BOT_TOKEN": TOKEN}  # fmt: skip
    for command in (["-m", "ptcc_core.cli", "health"], ["-m", "bot.main"]):
        result = subprocess.run(
            [sys.executable, *command], env=env, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 1
        assert "cannot be used" in result.stderr and "PTCC_DB" in result.stderr
        assert "Traceback" not in result.stderr


def test_queries_are_parametrised() -> None:
    """No user text is ever formatted into SQL: queries are constant strings, and the only
    pieces formatted in are the back-end's own SQL snippets (self.estimates_sql, ...) and
    fixed names."""
    import ast

    import ptcc_core.postgres_store
    import ptcc_core.sqlite_store
    import ptcc_core.store

    allowed_names = {"target"}
    for module in (ptcc_core.store, ptcc_core.sqlite_store, ptcc_core.postgres_store):
        tree = ast.parse(Path(str(module.__file__)).read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            text = "".join(p.value for p in node.values if isinstance(p, ast.Constant))
            if not any(
                word in text
                for word in ("SELECT", "INSERT", "UPDATE", "DELETE", "NOTIFY", "PRAGMA")
            ):
                continue
            for part in node.values:
                if isinstance(part, ast.FormattedValue):
                    value = part.value
                    from_self = isinstance(value, ast.Attribute) and ast.unparse(value).startswith(
                        "self."
                    )
                    fixed = isinstance(value, ast.Name) and value.id in allowed_names
                    called = isinstance(value, ast.Call) and ast.unparse(value).startswith(
                        "migration("
                    )
                    assert from_self or fixed or called, ast.unparse(node)
