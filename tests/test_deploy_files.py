"""The deploy kit's files say what the README says of them. (Starting the kit for real is
deploy/check/run, which .ci/run calls where a Docker engine can run.)"""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_the_unit_is_hardened_as_the_readme_says() -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (Debian's systemd package)")
    done = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", str(DEPLOY / "ptcc-bot.service")],
        capture_output=True,
        text=True,
    )
    score = re.search(r"Overall exposure level for ptcc-bot\.service: ([\d.]+)", done.stdout)
    assert score is not None, done.stdout + done.stderr
    assert float(score.group(1)) <= 2.0


def test_every_runtime_dependency_is_bounded_and_locked_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lock = (ROOT / "requirements.lock").read_text()
    pinned = {
        m.group(1).lower(): m.group(2) for m in re.finditer(r"^([\w.-]+)==(\S+) \\$", lock, re.M)
    }
    for requirement in project["dependencies"]:
        name = _name(requirement)
        assert "<" in requirement or "==" in requirement, f"{requirement} has no upper bound"
        assert name in pinned, f"{name} is not in requirements.lock"
    lines = lock.splitlines()
    for n, line in enumerate(lines):
        if re.match(r"[\w.-]+==", line):
            assert "--hash=sha256:" in lines[n + 1], f"{line} has no hash"
    assert "setuptools" in pinned  # the image builds the package without fetching anything
    assert "--index-url" not in lock and "--find-links" not in lock  # nothing of this machine


def test_the_build_context_leaves_out_the_venv_git_and_secrets() -> None:
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    rules = [line for line in ignored if line and not line.startswith("#")]
    assert rules[0] == "*"  # everything is left out but what is named
    allowed = {rule.lstrip("!").rstrip("/") for rule in rules if rule.startswith("!")}
    assert allowed == {"requirements.lock", "pyproject.toml", "README.md", "ptcc_core", "bot",
                       "knowledge"}  # fmt: skip
    copied = re.findall(r"^COPY (\S+)", (DEPLOY / "Dockerfile").read_text(), re.M)
    assert set(copied) <= allowed


def test_the_image_takes_its_base_as_a_build_argument() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "ARG BASE=python:3.11-slim" in dockerfile and "FROM ${BASE}" in dockerfile
    # The dependency layer comes before the code, so a code change reuses it.
    assert dockerfile.index("requirements.lock") < dockerfile.index("COPY ptcc_core")
