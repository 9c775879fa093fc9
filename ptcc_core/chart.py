"""An estimate drawn against the article's experience tiers and the national typical range.

matplotlib's object API with the Agg canvas: no display, no global pyplot state. Sized and
lettered to be read on a phone. Imported only where a chart is drawn (the bot's chart worker,
`ptcc estimate --chart`): matplotlib takes half a second and about 40 MB to load.

Everything but the user's band is the same on every chart, so it is drawn once per axis range
and kept as pixels (`ChartPainter`); a chart restores those pixels and draws only the band, its
label and the most likely figure (matplotlib's blitting), then encodes the PNG with Pillow.
That is about a tenth of the cost of building and drawing the whole figure again.
"""

from __future__ import annotations

import io
import math
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from ptcc_core.factors import SalaryFactors

_GREY = "#c9d3dd"
_YOU = "#1f7a5c"
_MID = "#0b3d2e"
_TITLE = "Your estimate against the article's pay ranges"
# Axis ranges are rounded out to this many thousands, so most estimates share a background.
_RANGE_STEP = 10
_MAX_BACKGROUNDS = 8
_COLOURS = 64


def _money(thousands: float) -> str:
    # "\$" keeps matplotlib from reading a pair of dollar signs as maths.
    return f"\\${thousands:.0f}k"


class _Background:
    """One axis range's figure with the article's rows drawn, and its pixels saved."""

    def __init__(self, rows: list[tuple[str, float, float]], xlim: tuple[float, float]) -> None:
        self.figure = Figure(figsize=(7, 4.2), dpi=120)
        self.canvas = FigureCanvasAgg(self.figure)
        ax = self.axes = self.figure.subplots()
        labels = ["Your estimate"]
        for index, (label, low, high) in enumerate(rows, start=1):
            ax.barh(index, high - low, left=low, color=_GREY, height=0.6)
            ax.text(high + 0.8, index, f"{_money(low)}-{_money(high)}", va="center", fontsize=10)
            labels.append(label)
        ax.set_yticks(range(len(labels)), labels, fontsize=10)
        ax.set_ylim(-0.6, len(labels) - 0.4)
        ax.set_xlabel("Annual pay, thousands of US dollars", fontsize=10)
        ax.set_xlim(*xlim)
        ax.set_title(_TITLE, fontsize=12, loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="x", alpha=0.3)
        # Fixed margins: tight_layout would measure every label on every chart.
        self.figure.subplots_adjust(left=0.2, right=0.97, top=0.9, bottom=0.13)
        self.canvas.draw()
        self.pixels = self.canvas.copy_from_bbox(self.figure.bbox)

    def png(self, low: float, mid: float, high: float) -> bytes:
        ax = self.axes
        self.canvas.restore_region(self.pixels)
        band = ax.barh(0, high - low, left=low, color=_YOU, height=0.6)
        added: list[Any] = [
            *band.patches,
            ax.text(high + 0.8, 0, f"{_money(low)}-{_money(high)}", va="center", fontsize=10),
            *ax.plot(mid, 0, marker="D", color=_MID, markersize=10),
            ax.annotate(
                f"most likely \\${mid:.1f}k",
                (mid, 0),
                xytext=(0, 16),
                textcoords="offset points",
                ha="center",
                fontsize=10,
                fontweight="bold",
                color=_MID,
            ),
        ]
        for artist in added:
            ax.draw_artist(artist)
        width, height = self.canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw")
        for artist in added:
            artist.remove()
        buffer = io.BytesIO()
        # 64 colours look the same here (flat bars, antialiased text) at under half the
        # bytes of full colour: less to upload for every new chart.
        palette = image.convert("RGB").quantize(_COLOURS, method=Image.Quantize.FASTOCTREE)
        palette.save(buffer, format="PNG", compress_level=1)
        return buffer.getvalue()


class ChartPainter:
    """Draws estimate charts for one set of salary factors, reusing their backgrounds."""

    def __init__(self, factors: SalaryFactors) -> None:
        self._rows = [
            (f"{t.label}\n{t.article_years}", t.low / 1000, t.high / 1000)
            for t in factors.experience.tier
        ]
        national = factors.national
        self._rows.append(
            ("National typical", national.typical_low / 1000, national.typical_high / 1000)
        )
        self._rows.reverse()
        self._backgrounds: dict[tuple[float, float], _Background] = {}

    def png(self, low: int, mid: int, high: int) -> bytes:
        """A PNG of a band (annual USD) and its most likely figure among the article's ranges."""
        lows = [r[1] for r in self._rows] + [low / 1000]
        highs = [r[2] for r in self._rows] + [high / 1000]
        # Room on the left for the bars, on the right for the "$Xk-$Yk" labels.
        left = math.floor((min(lows) - 4) / _RANGE_STEP) * _RANGE_STEP
        right = math.ceil((max(highs) + 14) / _RANGE_STEP) * _RANGE_STEP
        key = (float(left), float(right))
        background = self._backgrounds.get(key)
        if background is None:
            if len(self._backgrounds) >= _MAX_BACKGROUNDS:
                self._backgrounds.pop(next(iter(self._backgrounds)))
            background = self._backgrounds[key] = _Background(self._rows, key)
        return background.png(low / 1000, mid / 1000, high / 1000)
