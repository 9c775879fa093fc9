"""Benchmark the Telegram bot against a bare echo bot, both on the fake Bot API server.

    .venv/bin/python bench/bench_bot.py [--users 200] [--messages 5] [--against DIR]

With --against, the bot from another checkout (DIR, e.g. a `git worktree` of an older
commit) runs too, in the same alternating rounds, so a change's cost is read side by side.

Each simulated user sends --messages questions one after another, waiting for each reply,
all users at once. The bot runs as its own process (`python -m bot.main`) with a fresh SQLite
database, long-polling the fake server on 127.0.0.1 (tests/fake_bot_api.py); the echo bot
(bench/echo_bot.py) runs the same way. Prints updates per second and the p50/p95 time from
a user's message reaching the server to the bot's reply reaching it. The fake server has no
flood limits, so the bot's Telegram rate limiter is off (PTCC_RATE_LIMIT=0), as the echo bot
has none.
"""

from __future__ import annotations

import argparse
import asyncio
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

QUESTIONS = [
    "what does a care coordinator do?",
    "boston premium?",
    "does a CMAA pay for itself",
    "how big are bonuses",
    "what's the salary.com median",
    "is the job outlook good",
]
EDUCATION = ["high school diploma", "associate degree", "bachelor's"]
CITIES = ["Boston", "rural Ohio", "San Francisco", "Chicago", "New York"]


def message(user_id: int, n: int) -> str:
    """The user's n-th message: one in four asks for an estimate (with its chart), for a
    profile that differs from user to user, so charts are drawn as well as reused."""
    if (user_id + n) % 4 == 0:
        years, education = user_id % 16, EDUCATION[user_id % 3]
        return f"I have {years} years and a {education}, what would I make in {CITIES[n % 5]}?"
    return QUESTIONS[(user_id + n) % len(QUESTIONS)]


async def drive(
    command: list[str], users: int, messages: int, checkout: Path = ROOT
) -> tuple[float, list[float]]:
    api = FakeBotAPI()
    await api.start()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "PTCC_BOT_API_URL": api.base_url,
               "PTCC_DB": str(Path(tmp) / "bench.db"), "PTCC_RATE_LIMIT": "0",
               "PYTHONPATH": str(checkout)}  # fmt: skip
        process = subprocess.Popen(command, env=env, cwd=checkout, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)  # fmt: skip
        try:
            await api.send_text(1, "warm up")
            await api.wait_for(1, 1, timeout=60)
            latencies: list[float] = []

            async def user(user_id: int) -> None:
                for n in range(messages):
                    answered = texts(api, user_id)
                    started = time.monotonic()
                    await api.send_text(user_id, message(user_id, n))
                    # The reply is the next text message; a chart still on its way from the
                    # last estimate is not it.
                    while texts(api, user_id) == answered:
                        await api.wait_for(user_id, len(api.to(user_id)) + 1, timeout=120)
                    reply = [s for s in api.to(user_id) if s.method == "sendMessage"][answered]
                    latencies.append(reply.at - started)

            began = time.monotonic()
            await asyncio.gather(*(user(1000 + u) for u in range(users)))
            elapsed = time.monotonic() - began
        finally:
            process.kill()
            process.wait()
            await api.stop()
    return users * messages / elapsed, latencies


def texts(api: FakeBotAPI, user_id: int) -> int:
    return sum(s.method == "sendMessage" for s in api.to(user_id))


def report(name: str, rate: float, latencies: list[float]) -> None:
    cuts = statistics.quantiles(latencies, n=100)
    print(f"{name:<12} {rate:8.1f} updates/s (median)   p50 {cuts[49] * 1000:7.1f} ms   "
          f"p95 {cuts[94] * 1000:7.1f} ms   ({len(latencies)} replies)")  # fmt: skip


async def main() -> None:
    # Each bot is killed at the end of its run; its dropped connections are expected.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs; medians shown")
    parser.add_argument("--against", type=Path, help="another checkout's bot, run alongside")
    args = parser.parse_args()
    print(
        f"{args.users} users x {args.messages} messages, {args.rounds} rounds, "
        "fake Bot API on 127.0.0.1"
    )
    bots = {
        "PTCC bot": ([sys.executable, "-m", "bot.main"], ROOT),
        "echo bot": ([sys.executable, str(ROOT / "bench" / "echo_bot.py")], ROOT),
    }
    if args.against:
        bots["against"] = ([sys.executable, "-m", "bot.main"], args.against.resolve())
    rates: dict[str, list[float]] = {name: [] for name in bots}
    latencies: dict[str, list[float]] = {name: [] for name in bots}
    for _ in range(args.rounds):
        for name, (command, checkout) in bots.items():
            rate, latency = await drive(command, args.users, args.messages, checkout)
            rates[name].append(rate)
            latencies[name] += latency
    for name in bots:
        report(name, statistics.median(rates[name]), latencies[name])
    if args.against:
        change = statistics.median(rates["PTCC bot"]) / statistics.median(rates["against"])
        print(f"this checkout's throughput is {change:.2f}x {args.against}'s (medians)")
    ratio = statistics.median(rates["PTCC bot"]) / statistics.median(rates["echo bot"])
    print(f"PTCC bot throughput is {ratio:.0%} of the echo bot's (medians; target >= 100%)")


if __name__ == "__main__":
    asyncio.run(main())
