"""The real python-telegram-bot Application, started in this process against the fake Bot
API server, for the end-to-end tests (the `bot` fixture in conftest.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.app import AnyApplication, build_application, serve_polling
from bot.settings import Settings
from ptcc_core.advisor import Advisor
from tests.fake_bot_api import TOKEN, FakeBotAPI


class Bot:
    """Starts and stops the real Application against the fake server, in polling mode as
    `ptcc-bot` runs it: getUpdates into the inbox, handled from there."""

    def __init__(self, api: FakeBotAPI, db: Path, advisor: Advisor) -> None:
        self.settings = Settings(
            TELEGRAM_BOT_TOKEN=TOKEN, PTCC_BOT_API_URL=api.base_url, PTCC_DB=str(db)
        )
        self.advisor = advisor
        self.app: AnyApplication | None = None
        self._stop = asyncio.Event()
        self._served: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.app = build_application(self.settings, self.advisor)
        self._stop = asyncio.Event()
        # A short long-poll, so the fake server's shutdown never waits on one.
        serving = serve_polling(self.settings, self.app, self._stop, poll_timeout=1)
        self._served = asyncio.create_task(serving)
        while not self.app.running:  # started once the inbox is ready
            assert not self._served.done(), self._served.exception()
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        assert self._served is not None
        self._stop.set()
        await self._served
        self.app = None
