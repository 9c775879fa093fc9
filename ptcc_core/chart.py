"""An estimate drawn against the article's experience tiers and the national typical range.

matplotlib's object API with the Agg canvas: no display, no global pyplot state, so charts
can be drawn in worker threads. Sized and lettered to be read on a phone. Imported only when a
chart is asked for: matplotlib takes a while to load.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ptcc_core.estimator import Estimate
from ptcc_core.factors import SalaryFactors

_GREY = "#c9d3dd"
_YOU = "#1f7a5c"
_MID = "#0b3d2e"


def estimate_chart(estimate: Estimate, factors: SalaryFactors) -> bytes:
    """A PNG of the estimate's band and most likely figure among the article's ranges."""
    rows: list[tuple[str, float, float, str]] = [
        (f"{t.label}\n{t.article_years}", t.low, t.high, _GREY) for t in factors.experience.tier
    ]
    national = factors.national
    rows.append(("National typical", national.typical_low, national.typical_high, _GREY))
    rows.append(("Your estimate", estimate.low, estimate.high, _YOU))
    rows.reverse()

    fig = Figure(figsize=(7, 4.2), dpi=120)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    for index, (_, low, high, colour) in enumerate(rows):
        ax.barh(index, (high - low) / 1000, left=low / 1000, color=colour, height=0.6)
        # "\$" keeps matplotlib from reading a pair of dollar signs as maths.
        label = f"\\${low / 1000:.0f}k-\\${high / 1000:.0f}k"
        ax.text(high / 1000 + 0.8, index, label, va="center", fontsize=10)
    ax.plot(estimate.mid / 1000, 0, marker="D", color=_MID, markersize=10)
    ax.annotate(
        f"most likely \\${estimate.mid / 1000:.1f}k",
        (estimate.mid / 1000, 0),
        xytext=(0, 16),
        textcoords="offset points",
        ha="center",
        fontsize=10,
        fontweight="bold",
        color=_MID,
    )
    ax.set_yticks(range(len(rows)), [r[0] for r in rows], fontsize=10)
    ax.set_xlabel("Annual pay, thousands of US dollars", fontsize=10)
    right = max(r[2] for r in rows) / 1000
    ax.set_xlim(min(r[1] for r in rows) / 1000 - 4, right + 14)
    ax.set_title("Your estimate against the article's pay ranges", fontsize=12, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", alpha=0.3)
    # Fixed margins: tight_layout would measure every label on every chart.
    fig.subplots_adjust(left=0.2, right=0.97, top=0.9, bottom=0.13)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
    return buffer.getvalue()
