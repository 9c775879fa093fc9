"""The estimate chart: a readable PNG, from the command line too."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zlib
from pathlib import Path

from PIL import Image

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


def test_the_pngs_pieces_check_out(advisor: Advisor) -> None:
    """The PNG is joined from kept compressed rows and new ones: every chunk's CRC, the pixel
    stream's checksum and its length must hold, and it has at most 64 colours."""
    png = ChartPainter(advisor.knowledge.factors).png(60_000, 95_000, 130_000)
    position, kinds, pixels = 8, [], b""
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind, body = png[position + 4 : position + 8], png[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", png[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        kinds.append(kind)
        pixels += body if kind == b"IDAT" else b""
        position += 12 + length
    assert kinds == [b"IHDR", b"PLTE", b"IDAT", b"IEND"]
    rows = zlib.decompress(pixels)  # checks the Adler-32 of every row
    assert len(rows) == 504 * (1 + 840)
    image = Image.open(io.BytesIO(png))
    assert image.mode == "P" and len(image.getpalette() or []) <= 3 * 64
    assert image.tobytes() == b"".join(rows[r * 841 + 1 : (r + 1) * 841] for r in range(504))


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


def test_the_bot_draws_charts_without_matplotlib() -> None:
    """Charts are drawn with Pillow in the bot process: matplotlib would add 40 MB to it."""
    check = (
        "import sys, bot.main, bot.app, bot.charts\n"
        "from ptcc_core.advisor import Advisor\n"
        "from ptcc_core.chart import ChartPainter\n"
        "png = ChartPainter(Advisor.load().knowledge.factors).png(46_500, 49_800, 56_000)\n"
        "print(png[:4] == b'\\x89PNG', 'matplotlib' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["True", "False"]


def test_the_band_and_the_article_bars_are_drawn(advisor: Advisor) -> None:
    """Read the picture back: the band is green at the most likely figure, the article's rows
    are grey bars, and the most likely figure has its dark diamond. A blank chart fails."""
    painter = ChartPainter(advisor.knowledge.factors)
    image = Image.open(io.BytesIO(painter.png(46_500, 49_800, 56_000))).convert("RGB")
    green, grey, dark = (0x1F, 0x7A, 0x5C), (0xC9, 0xD3, 0xDD), (0x0B, 0x3D, 0x2E)
    # The axis runs from 30k at x=168 to 90k at x=815 on this chart; the band's row is lowest.
    layout = next(iter(painter._backgrounds.values())).layout
    assert (layout.lo, layout.hi) == (30, 90)
    band_y = round(layout.y(0))
    at = layout.x  # thousands to x
    assert image.getpixel((round(at(49.8)), band_y)) == dark  # the diamond, on the band
    for thousands in (47, 52, 55.5):  # the band, either side of the diamond
        assert image.getpixel((round(at(thousands)), band_y)) == green
    assert image.getpixel((round(at(44)), band_y)) == (255, 255, 255)  # left of the band
    assert image.getpixel((round(at(58)), band_y + 15)) == (255, 255, 255)  # below its label
    # The article's rows: entry-level $35k-$42k is the top row, national typical $38k-$56k
    # the one just above the band.
    rows = len(advisor.knowledge.factors.experience.tier) + 1
    assert image.getpixel((round(at(38.5)), round(layout.y(rows)))) == grey
    assert image.getpixel((round(at(47)), round(layout.y(1)))) == grey
    counts = {colour: count for count, colour in image.getcolors(1 << 16) or []}
    assert counts[grey] > 4 * 40 * 60  # four bars, each over 40 px high and 60 px long
