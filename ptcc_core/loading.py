"""Shared plumbing for loading knowledge files: located problems, TOML reading, error listing."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

ID_PATTERN = r"^[a-z][a-z0-9_]*$"


class StrictModel(BaseModel):
    """A frozen model that rejects unknown fields, so a typo in a knowledge file is reported."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a knowledge file, located as precisely as we can."""

    file: str
    entry: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.entry:
            where += f": entry {self.entry!r}"
        if self.field:
            where += f", field {self.field!r}"
        return f"{where}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge directory has problems; `problems` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the knowledge files:\n{lines}")


def read_toml(path: Path, root: Path, problems: list[Problem]) -> dict[str, Any] | None:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(str(path.relative_to(root)), None, None, f"not valid TOML: {exc}"))
    except OSError as exc:
        problems.append(Problem(str(path.relative_to(root)), None, None, f"cannot read: {exc}"))
    return None


def validation_problems(
    exc: ValidationError, file: str, entry: str | None, prefix: str = ""
) -> list[Problem]:
    found = []
    for err in exc.errors():
        field = ".".join(str(part) for part in err["loc"]) or None
        if prefix:
            field = f"{prefix}.{field}" if field else prefix
        found.append(Problem(file, entry, field, err["msg"]))
    return found
