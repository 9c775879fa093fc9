"""Estimate charts on Telegram: drawn in a worker thread, each one uploaded once.

The chart is hand-drawn with Pillow (`ptcc_core.chart`), not matplotlib: matplotlib took
about 40 MB and half a second to import and about 11 ms a chart, so it had a worker process
of its own. Pillow adds about 6 MB to the bot process, and a chart on a kept background takes
under 2 ms (a new axis range about 25 ms), so charts are drawn here, in one worker thread: the
event loop keeps answering meanwhile (zlib compresses, and Pillow converts the colours,
without holding the GIL), and only that thread touches the painter, which keeps its
backgrounds between charts.

A chart shows only the estimate's three figures against the article's fixed ranges, so
identical figures make an identical picture: Telegram keeps every photo it is sent, and the
photo's `file_id` sends it again with no drawing and no upload. The ids are kept per figures,
the least recently used forgotten first.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

from telegram import Chat
from telegram.error import BadRequest

from ptcc_core.chart import ChartPainter
from ptcc_core.estimator import Estimate
from ptcc_core.factors import SalaryFactors

log = logging.getLogger("ptcc.bot")

CAPTION = "Your estimate against the article's pay ranges"
MAX_KEPT_PHOTOS = 4096

Figures = tuple[int, int, int]


class Charts:
    """Sends an estimate's chart, reusing Telegram's copy when the figures were drawn before."""

    def __init__(self, factors: SalaryFactors) -> None:
        # One thread: the painter keeps state (its backgrounds) and is not thread-safe.
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ptcc-chart")
        self._painter = ChartPainter(factors)
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
        png = await loop.run_in_executor(self._worker, self._painter.png, *figures)
        sent = await chat.send_photo(png, caption=CAPTION)
        if sent.photo:
            self._sent[figures] = sent.photo[-1].file_id
            while len(self._sent) > MAX_KEPT_PHOTOS:
                self._sent.popitem(last=False)

    def close(self) -> None:
        self._worker.shutdown(cancel_futures=True)
