"""The estimate chart: a readable PNG, from the command line too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ptcc_core.advisor import Advisor
from ptcc_core.chart import estimate_chart
from ptcc_core.profile import Profile


def test_the_chart_is_a_phone_sized_png(advisor: Advisor) -> None:
    estimate = advisor.estimator.estimate(Profile(years=3, location="rural Ohio"))
    png = estimate_chart(estimate, advisor.knowledge.factors)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    assert (width, height) == (840, 504)


def chart_command(target: Path) -> subprocess.CompletedProcess[str]:
    estimate = ["estimate", "--years", "4", "--education", "bachelor", "--chart", str(target)]
    return subprocess.run(
        [sys.executable, "-m", "ptcc_core.cli", *estimate], capture_output=True, text=True
    )


def test_estimate_chart_option_writes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "mine.png"
    assert chart_command(target).returncode == 0
    assert target.read_bytes().startswith(b"\x89PNG")


def test_an_unwritable_chart_path_is_a_clear_error(tmp_path: Path) -> None:
    result = chart_command(tmp_path / "no" / "x.png")
    assert result.returncode == 1 and "cannot write the chart" in result.stderr
    assert "Traceback" not in result.stderr
