"""The estimate chart: a readable PNG, from the command line too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ptcc_core.advisor import Advisor
from ptcc_core.chart import ChartPainter
from ptcc_core.profile import Profile


def test_the_chart_is_a_phone_sized_png(advisor: Advisor) -> None:
    estimate = advisor.estimator.estimate(Profile(years=3, location="rural Ohio"))
    png = ChartPainter(advisor.knowledge.factors).png(estimate.low, estimate.mid, estimate.high)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    assert (width, height) == (840, 504)


def test_a_chart_drawn_on_a_kept_background_is_the_chart_drawn_afresh(
    advisor: Advisor,
) -> None:
    """Only the band is drawn on the kept pixels: nothing of the last chart may show."""
    factors = advisor.knowledge.factors
    painter = ChartPainter(factors)
    first = advisor.estimator.estimate(Profile(years=12, location="San Francisco, CA"))
    second = advisor.estimator.estimate(Profile(years=1, location="rural Ohio"))
    figures = (second.low, second.mid, second.high)
    painter.png(first.low, first.mid, first.high)
    assert painter.png(*figures) == ChartPainter(factors).png(*figures)


def test_a_band_beyond_the_article_ranges_widens_the_axis(advisor: Advisor) -> None:
    painter = ChartPainter(advisor.knowledge.factors)
    usual = painter.png(40_000, 45_000, 50_000)
    wide = painter.png(60_000, 95_000, 130_000)
    assert usual != wide and wide.startswith(b"\x89PNG")
    assert len(painter._backgrounds) == 2


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


def test_the_bot_process_does_not_load_matplotlib() -> None:
    """Only the chart worker draws: matplotlib would add 40 MB to every bot process."""
    check = "import sys, bot.main, bot.app, bot.charts; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
