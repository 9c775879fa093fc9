"""What the bot is doing, for Prometheus (prometheus_client), on a port of its own.

Off unless PTCC_METRICS_PORT is set; then `GET /metrics` on PTCC_METRICS_HOST (127.0.0.1 by
default: metrics name no user, but they are for the operator's scraper, not the internet).
The inbox's depth and age are read from the database every few seconds, so every replica
reports the same backlog; the rest count what this process did. The README's "Metrics" section lists
them with example alerts, and deploy/grafana-dashboard.json charts them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from ptcc_core.conversation import Outcome

log = logging.getLogger("ptcc.metrics")

REGISTRY = CollectorRegistry()

WEBHOOK_DROPPED = Counter(
    "ptcc_webhook_connections_dropped",
    "Webhook connections closed by the server: too_many (over the cap) or too_slow (no whole "
    "request within the read timeout).",
    ["reason"],
    registry=REGISTRY,
)
UPDATES = Counter("ptcc_updates", "Updates handled, by kind.", ["kind"], registry=REGISTRY)
REPLIES = Counter("ptcc_replies", "Messages and photos sent to users.", registry=REGISTRY)
ANSWERS = Counter(
    "ptcc_answers",
    "Questions typed by users, by outcome: answered, suggested (did you mean) or declined.",
    ["outcome"],
    registry=REGISTRY,
)
DECLINES = Counter(
    "ptcc_declines",
    "Questions declined, by reason: another job or country, medical, software, licensing, a "
    "known unanswerable question, or no entry close enough.",
    ["reason"],
    registry=REGISTRY,
)
HANDLING = Histogram(
    "ptcc_handling_seconds",
    "Time from taking an update from the inbox to its last reply and save.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
INBOX_DEPTH = Gauge(
    "ptcc_inbox_depth", "Updates stored and not yet handled, all replicas.", registry=REGISTRY
)
INBOX_AGE = Gauge(
    "ptcc_inbox_oldest_seconds",
    "How long the oldest update not yet handled has waited (0 when none waits).",
    registry=REGISTRY,
)
TAKE_OVERS = Counter(
    "ptcc_inbox_taken_over",
    "Updates taken over from a replica that stopped before finishing them.",
    registry=REGISTRY,
)
GIVE_UPS = Counter(
    "ptcc_inbox_given_up",
    "Updates given up because processes kept dying while handling them alone.",
    registry=REGISTRY,
)
DATABASE_ERRORS = Counter(
    "ptcc_database_errors",
    "Database operations that failed, by operation.",
    ["operation"],
    registry=REGISTRY,
)

for _kind in ("text", "choice", "command", "inline", "other"):
    UPDATES.labels(_kind)
for _outcome in ("answered", "suggested", "declined"):
    ANSWERS.labels(_outcome)


def count_outcome(outcome: Outcome, typed: bool) -> None:
    """Count a conversation turn's replies and, for a typed question, how it was met."""
    REPLIES.inc(len(outcome.replies) + sum(r.estimate is not None for r in outcome.replies))
    answered = outcome.answered if typed else None
    if answered is True:
        ANSWERS.labels("answered").inc()
    elif answered is False:
        first = outcome.replies[0]
        if first.kind == "unsure":
            ANSWERS.labels("suggested").inc()
        else:
            ANSWERS.labels("declined").inc()
            DECLINES.labels(first.declined or "no_match").inc()


class Backlog:
    """Keeps the inbox gauges fresh: the depth and age are read from the database every few
    seconds by a task on the bot's event loop (the scrape runs in another thread)."""

    def __init__(self, read: Callable[[], Awaitable[tuple[int, float | None]]]) -> None:
        self._read = read

    async def run(self, every: float = 5.0) -> None:
        while True:
            try:
                depth, oldest = await self._read()
            except Exception:
                DATABASE_ERRORS.labels("backlog").inc()
                log.warning("could not read the inbox backlog", exc_info=True)
            else:
                INBOX_DEPTH.set(depth)
                INBOX_AGE.set(max(time.time() - oldest, 0.0) if oldest is not None else 0.0)
            await asyncio.sleep(every)


def serve(host: str, port: int) -> None:
    """Serve /metrics in a background thread (prometheus_client's own server)."""
    start_http_server(port, addr=host, registry=REGISTRY)
