"""Estimate charts on Telegram: drawn in a worker process, each one uploaded once.

matplotlib is CPU-bound and large, so charts are drawn in one worker process
(`ptcc_core.chart`, imported only there: the bot process never loads matplotlib). A chart
shows only the estimate's three figures against the article's fixed ranges, so identical
figures make an identical picture: Telegram keeps every photo it is sent, and the photo's
`file_id` sends it again with no drawing and no upload. The ids are kept per figures, the
least recently used forgotten first.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import signal
import sys
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from telegram import Chat
from telegram.error import BadRequest

from ptcc_core.estimator import Estimate
from ptcc_core.factors import SalaryFactors

if TYPE_CHECKING:
    from ptcc_core.chart import ChartPainter

log = logging.getLogger("ptcc.bot")

CAPTION = "Your estimate against the article's pay ranges"
MAX_KEPT_PHOTOS = 4096
_PR_SET_PDEATHSIG = 1

Figures = tuple[int, int, int]

# The worker process's painter, made once by its initializer.
_painter: ChartPainter | None = None


def _start_worker(factors: SalaryFactors) -> None:
    """Runs in the worker: end it when the bot process ends, even by kill -9, and load
    matplotlib and the chart background there, once."""
    global _painter
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    from ptcc_core.chart import ChartPainter

    _painter = ChartPainter(factors)


def _paint(figures: Figures) -> bytes:
    assert _painter is not None, "the worker's initializer makes the painter"
    return _painter.png(*figures)


class Charts:
    """Sends an estimate's chart, reusing Telegram's copy when the figures were drawn before."""

    def __init__(self, factors: SalaryFactors) -> None:
        self._worker = ProcessPoolExecutor(
            max_workers=1, initializer=_start_worker, initargs=(factors,)
        )
        self._sent: OrderedDict[Figures, str] = OrderedDict()

    async def send(self, chat: Chat, estimate: Estimate) -> None:
        figures = (estimate.low, estimate.mid, estimate.high)
        file_id = self._sent.get(figures)
        if file_id is not None:
            self._sent.move_to_end(figures)
            try:
                await chat.send_photo(file_id, caption=CAPTION)
                return
            except BadRequest as exc:  # Telegram no longer has it: draw it again
                log.info("a kept chart could not be sent again (%s); drawing it anew", exc)
                del self._sent[figures]
        loop = asyncio.get_running_loop()
        png = await loop.run_in_executor(self._worker, _paint, figures)
        sent = await chat.send_photo(png, caption=CAPTION)
        if sent.photo:
            self._sent[figures] = sent.photo[-1].file_id
            while len(self._sent) > MAX_KEPT_PHOTOS:
                self._sent.popitem(last=False)

    def close(self) -> None:
        self._worker.shutdown(cancel_futures=True)
