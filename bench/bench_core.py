"""Benchmark the core: start-up time to the first answer, and time per question.

    .venv/bin/python bench/bench_core.py [--runs 5] [--questions 1000]

    .venv/bin/python bench/bench_core.py --against ../other-checkout

Start-up: wall time of `ptcc ask "..."` in a fresh process (median of --runs).
Per question: `ptcc ask --jsonl` over N questions minus the same command over one question,
divided by N - 1, so start-up is excluded (median of --runs). The questions are the
project's question sets, cycled with small variations (case, punctuation, typos) to N.
With --against, another checkout (e.g. `git worktree add ../base HEAD~3`) runs in the same
rounds, alternating with this one, through the same Python, and the ratios are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
COMMAND = [sys.executable, "-m", "ptcc_core.cli", "ask"]


def questions(count: int) -> list[str]:
    base = [
        json.loads(line)["q"]
        for path in sorted(DATA.glob("*.jsonl"))
        for line in path.read_text().splitlines()
        if line.strip()
    ]
    variants = [str, str.upper, lambda q: q.rstrip("?!.") + "??", lambda q: q.replace("a", "e", 1)]
    out: list[str] = []
    while len(out) < count:
        for q in base:
            out.append(variants[(len(out) // len(base)) % len(variants)](q))
    return out[:count]


def timed(args: list[str], stdin: str | None = None, code: Path | None = None) -> float:
    env = {**os.environ, "PYTHONPATH": str(code)} if code else None
    start = time.perf_counter()
    subprocess.run(args, input=stdin, capture_output=True, text=True, check=True, env=env)
    return time.perf_counter() - start


def measure(code: Path | None, batch: str, count: int) -> tuple[float, float]:
    """(start-up to the first answer, seconds per question) for one round."""
    startup = timed([*COMMAND, "what does a PT care coordinator do?"], code=code)
    many = timed([*COMMAND, "--jsonl"], batch, code)
    single = timed([*COMMAND, "--jsonl"], "what does a PT care coordinator do?\n", code)
    return startup, (many - single) / (count - 1)


def report(name: str, rounds: list[tuple[float, float]], count: int) -> tuple[float, float]:
    startup = statistics.median(r[0] for r in rounds)
    per_question = statistics.median(r[1] for r in rounds)
    print(
        f"{name}: start-up to first answer median {startup:.3f} s (target <= 1.5 s); "
        f"ptcc ask --jsonl over {count} questions median {per_question * 1000:.3f} ms per "
        f"question, start-up excluded (target <= 2 ms); {len(rounds)} rounds"
    )
    return startup, per_question


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--against", type=Path, help="another checkout to compare with")
    args = parser.parse_args()
    batch = "\n".join(questions(args.questions)) + "\n"
    ours: list[tuple[float, float]] = []
    theirs: list[tuple[float, float]] = []
    for _ in range(args.runs):
        ours.append(measure(None, batch, args.questions))
        if args.against:
            theirs.append(measure(args.against.resolve(), batch, args.questions))
    this = report("this checkout", ours, args.questions)
    if args.against:
        other = report(str(args.against), theirs, args.questions)
        print(
            f"ratios (this / other): start-up {this[0] / other[0]:.2f}x, "
            f"per question {this[1] / other[1]:.2f}x"
        )


if __name__ == "__main__":
    main()
