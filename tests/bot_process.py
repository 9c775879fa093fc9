"""`ptcc-bot` as a real process against the fake Bot API, for the kill -9 tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.fake_bot_api import TOKEN, FakeBotAPI


def bot_env(api: FakeBotAPI, db: Path | str) -> dict[str, str]:
    """The environment of a bot on the fake server with its own database, no rate limit."""
    return {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "PTCC_BOT_API_URL": api.base_url,
            "PTCC_DB": str(db), "PTCC_RATE_LIMIT": "0"}  # fmt: skip


def launch_bot(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.main"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
