"""What `PRAGMA synchronous = FULL` costs the SQLite store against NORMAL: the time of one
conversation turn's save (one transaction: the session row and a question row), measured in
alternating rounds on fresh files in the same folder, medians and their ratio.

    python -m bench.bench_sqlite_sync [--rounds 9] [--saves 300] [--dir /var/lib/ptcc]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from ptcc_core.sqlite_store import SQLiteStore
from tests.sample_sessions import full_session


async def one_round(folder: Path, mode: str, saves: int, index: int) -> float:
    """Milliseconds per save with the given synchronous mode."""
    store = await SQLiteStore.open(folder / f"{mode}-{index}.db")
    try:
        await store.rows(f"PRAGMA synchronous = {mode}")
        session = full_session()
        started = time.perf_counter()
        for n in range(saves):
            await store.save(f"tg:{n % 50}", session, (n % 3 == 0, "what is the pay in boston"))
        return (time.perf_counter() - started) * 1000 / saves
    finally:
        await store.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--dir", type=Path, help="where the files go (default: a temp folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        times: dict[str, list[float]] = {"NORMAL": [], "FULL": []}
        for index in range(args.rounds):
            for mode in ("NORMAL", "FULL") if index % 2 == 0 else ("FULL", "NORMAL"):
                times[mode].append(await one_round(Path(folder), mode, args.saves, index))
    normal, full = (statistics.median(times[m]) for m in ("NORMAL", "FULL"))
    print(f"save, synchronous=NORMAL: median {normal:.3f} ms ({1000 / normal:.0f}/s)")
    print(f"save, synchronous=FULL:   median {full:.3f} ms ({1000 / full:.0f}/s)")
    print(f"FULL / NORMAL: {full / normal:.2f}x over {args.rounds} alternating rounds")


if __name__ == "__main__":
    asyncio.run(main())
