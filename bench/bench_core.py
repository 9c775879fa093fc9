"""Benchmark the core: start-up time to the first answer, and time per question.

    .venv/bin/python bench/bench_core.py [--runs 5] [--questions 1000]

Start-up: wall time of `ptcc ask "..."` in a fresh process (median of --runs).
Per question: `ptcc ask --jsonl` over N questions minus the same command over one question,
divided by N - 1, so start-up is excluded (median of --runs). The questions are the
project's question sets, cycled with small variations (case, punctuation, typos) to N.
"""

from __future__ import annotations

import argparse
import json
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


def timed(args: list[str], stdin: str | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(args, input=stdin, capture_output=True, text=True, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--questions", type=int, default=1000)
    args = parser.parse_args()

    startup = [timed([*COMMAND, "what does a PT care coordinator do?"]) for _ in range(args.runs)]
    batch = "\n".join(questions(args.questions)) + "\n"
    one = "what does a PT care coordinator do?\n"
    per_question = []
    for _ in range(args.runs):
        many = timed([*COMMAND, "--jsonl"], batch)
        single = timed([*COMMAND, "--jsonl"], one)
        per_question.append((many - single) / (args.questions - 1))

    print(
        f"start-up to first answer: median {statistics.median(startup):.3f} s "
        f"(min {min(startup):.3f}, max {max(startup):.3f}, {args.runs} runs; target <= 1.5 s)"
    )
    print(
        f"ptcc ask --jsonl, {args.questions} questions: median "
        f"{statistics.median(per_question) * 1000:.3f} ms per question, start-up excluded "
        f"(min {min(per_question) * 1000:.3f}, max {max(per_question) * 1000:.3f}; target <= 2 ms)"
    )


if __name__ == "__main__":
    main()
