"""Benchmark the estimate chart: drawn afresh against drawn on a kept background.

    .venv/bin/python -m bench.bench_chart [--rounds 9] [--charts 20]

"afresh" draws and compresses the whole picture for every chart (a new ChartPainter each
time: fonts, palette, the article's rows, axes and labels); "kept" copies the painter's kept
strip, draws the user's band on it and compresses only the strip's rows. Both draw the same
estimates (figures that differ from chart to chart), in alternating rounds; prints the median
time per chart, the ratio and the PNG sizes.
"""

from __future__ import annotations

import argparse
import statistics
import time

from ptcc_core.advisor import Advisor
from ptcc_core.chart import ChartPainter
from ptcc_core.profile import Profile

CITIES = ["Boston", "rural Ohio", "San Francisco", "Chicago", "New York"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--charts", type=int, default=20, help="charts per round and way")
    args = parser.parse_args()
    advisor = Advisor.load()
    factors = advisor.knowledge.factors
    figures = [
        (e.low, e.mid, e.high)
        for e in (
            advisor.estimator.estimate(Profile(years=n % 16, location=CITIES[n % len(CITIES)]))
            for n in range(args.charts)
        )
    ]
    kept = ChartPainter(factors)
    kept.png(*figures[0])  # the background, drawn once
    times: dict[str, list[float]] = {"afresh": [], "kept": []}
    sizes: dict[str, int] = {}
    for _ in range(args.rounds):
        for way in times:
            began = time.perf_counter()
            for low, mid, high in figures:
                painter = ChartPainter(factors) if way == "afresh" else kept
                sizes[way] = len(painter.png(low, mid, high))
            times[way].append((time.perf_counter() - began) / len(figures))
    for way, values in times.items():
        print(f"{way:<7} {statistics.median(values) * 1000:7.1f} ms a chart (median of "
              f"{args.rounds} rounds)   PNG {sizes[way] / 1000:.1f} KB")  # fmt: skip
    ratio = statistics.median(times["afresh"]) / statistics.median(times["kept"])
    print(f"a kept background makes a chart {ratio:.1f}x faster")


if __name__ == "__main__":
    main()
