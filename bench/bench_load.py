"""Load: many users each sending a burst of messages at once, through the fake Bot API.

    .venv/bin/python bench/bench_load.py [--users 1000] [--messages 10]

Every user sends --messages questions without waiting, all users at the same time. The
script checks that every user gets every reply, once and in the order asked (each question
has an answer that names something only it mentions; one is an estimate, whose chart follows
its text), and prints the throughput, p50/p95/p99 time from a message to its reply, and the
peak memory of the bot's processes: the sum of their peak resident sets (VmHWM, which counts
the pages they share once per process), and the peak of their proportional set sizes
(PSS, sampled every quarter second, which counts shared pages once in all).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fake_bot_api import TOKEN, FakeBotAPI  # noqa: E402

# (question, a phrase only its answer contains)
QUESTIONS = [
    ("boston premium?", "15% to 25%"),
    ("what is a CMAA?", "Medical Administrative Assistant"),
    ("D.C. pay premium?", "15% to 20%"),
    ("what's ICD-10 used for", "ICD-10"),
    ("new york premium?", "20% to 30%"),
    ("salary.com median?", "45,958"),
    ("payscale figures?", "43,890"),
    ("glassdoor total pay?", "52,143"),
    ("projected job growth?", "8%"),
    ("san francisco premium?", "25% to 35%"),
    ("I have 5 years and a bachelor's, what would I make in Boston?", "most likely"),
]


def _tree(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [pid, *(int(p) for p in children.read_text().split())] if children.exists() else [pid]


def _field_kib(path: str, name: str) -> int:
    for line in Path(path).read_text().splitlines():
        if line.startswith(name):
            return int(line.split()[1])
    return 0


def peak_memory_kib(pid: int) -> int:
    """Peak resident memory (VmHWM) of a process and its children, in KiB."""
    return sum(_field_kib(f"/proc/{each}/status", "VmHWM:") for each in _tree(pid))


def pss_kib(pid: int) -> int:
    """Proportional set size of a process and its children now, in KiB."""
    return sum(_field_kib(f"/proc/{each}/smaps_rollup", "Pss:") for each in _tree(pid))


async def peak_pss(pid: int, peak: list[int]) -> None:
    while True:
        # A process may end between listing and reading.
        with contextlib.suppress(OSError):
            peak[0] = max(peak[0], pss_kib(pid))
        await asyncio.sleep(0.25)


async def run_load(users: int, messages: int, db: Path) -> dict[str, float]:
    """Drive the load against a fresh bot process; raise AssertionError on any lost, doubled
    or out-of-order reply."""
    api = FakeBotAPI()
    await api.start()
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "PTCC_BOT_API_URL": api.base_url,
           "PTCC_DB": str(db), "PTCC_RATE_LIMIT": "0"}  # fmt: skip
    process = subprocess.Popen([sys.executable, "-m", "bot.main"], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL)  # fmt: skip
    try:
        await api.send_text(1, "warm up")
        await api.wait_for(1, 1, timeout=60)
        pss = [0]
        sampler = asyncio.create_task(peak_pss(process.pid, pss))
        sent_at: dict[tuple[int, int], float] = {}
        began = time.monotonic()
        for n in range(messages):
            for user in range(users):
                sent_at[(user, n)] = time.monotonic()
                await api.send_text(10_000 + user, QUESTIONS[n % len(QUESTIONS)][0])
        latencies = []
        charts = sum(QUESTIONS[n % len(QUESTIONS)][1] == "most likely" for n in range(messages))
        for user in range(users):
            sent = await api.wait_for(10_000 + user, messages + charts, timeout=600)
            replies = [s for s in sent if s.method == "sendMessage"]
            assert len(replies) == messages, f"user {user}: {len(replies)} replies"
            for n, reply in enumerate(replies):
                marker = QUESTIONS[n % len(QUESTIONS)][1]
                assert marker in reply.text, (
                    f"user {user}, reply {n} out of order: {reply.text[:60]}"
                )
                latencies.append(reply.at - sent_at[(user, n)])
        elapsed = max(r.at for r in api.sent) - began
        memory = peak_memory_kib(process.pid)
        sampler.cancel()
    finally:
        process.kill()
        errors = process.communicate(timeout=30)[1].decode()
        await api.stop()
    assert "Traceback" not in errors and "database is locked" not in errors, errors[-2000:]
    assert api.rejected == [], api.rejected[:5]
    cuts = statistics.quantiles(latencies, n=100)
    return {"replies": len(latencies), "rate": len(latencies) / elapsed, "p50": cuts[49],
            "p95": cuts[94], "p99": cuts[98], "memory_mib": memory / 1024,
            "pss_mib": pss[0] / 1024}  # fmt: skip


async def main() -> None:
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = await run_load(args.users, args.messages, Path(tmp) / "load.db")
    print(f"{args.users} users x {args.messages} messages: all {result['replies']:.0f} replies "
          f"arrived once and in order; {result['rate']:.1f} replies/s; p50 "
          f"{result['p50'] * 1000:.0f} ms, p95 {result['p95'] * 1000:.0f} ms, p99 "
          f"{result['p99'] * 1000:.0f} ms; peak memory of the bot's processes: "
          f"{result['memory_mib']:.0f} MiB resident (shared pages counted in each), "
          f"{result['pss_mib']:.0f} MiB PSS (shared pages counted once)")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
