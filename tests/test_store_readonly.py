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
           "TELEGRAM_BOT_TOKEN": "123:abc"}  # fmt: skip
    for command in (["-m", "ptcc_core.cli", "health"], ["-m", "bot.main"]):
        result = subprocess.run(
            [sys.executable, *command], env=env, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 1
        assert "cannot be used" in result.stderr and "PTCC_DB" in result.stderr
        assert "Traceback" not in result.stderr


def test_queries_are_parametrised() -> None:
    """No user text is ever formatted into SQL: every execute() takes a constant string."""
    import ast

    import ptcc_core.store as store

    tree = ast.parse(Path(store.__file__).read_text())
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "execute":
            query = call.args[0]
            assert isinstance(query, ast.Constant), ast.unparse(query)
