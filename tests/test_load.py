"""Load in CI, scaled down: users sending bursts at once all get every reply, once and in
order, with no database errors (the full 1,000 x 10 run is bench/bench_load.py)."""

from __future__ import annotations

from pathlib import Path

from bench.bench_load import run_load


async def test_bursts_from_many_users_lose_nothing_and_keep_order(tmp_path: Path) -> None:
    result = await run_load(users=60, messages=10, db=tmp_path / "load.db")
    assert result["replies"] == 600
