"""Operators' view of a running bot: Prometheus metrics on their own port, JSON logs.

The bot runs as a real process against the fake Bot API; /metrics is read over HTTP and
parsed with prometheus_client's own parser."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from tests.bot_process import bot_env, launch_bot
from tests.fake_bot_api import TOKEN, FakeBotAPI
from tests.ports import free_port, taken_port

USER = 4242


async def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample on /metrics: (name, labels) -> value."""
    url = f"http://127.0.0.1:{port}/metrics"
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200
        text = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def until_scraped(
    port: int, timeout: float = 30
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await scrape(port)
        except aiohttp.ClientError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def test_metrics_count_updates_outcomes_and_handling(api: FakeBotAPI, tmp_path: Path) -> None:
    port = free_port()
    env = {**bot_env(api, tmp_path / "bot.db"), "PTCC_METRICS_PORT": str(port)}
    bot = launch_bot(env)
    try:
        await until_scraped(port)
        questions = [
            "what does a care coordinator do?",
            "how much does the CMAA exam cost?",
            "what do dentists earn?",
            "I have 5 years and a bachelor's, what would I make in Boston?",
        ]
        for n, question in enumerate(questions):
            await api.send_text(USER, question)
            await api.wait_for(USER, n + 1 + (n == 3), timeout=30)
        sent = await api.wait_for(USER, len(questions) + 1, timeout=30)  # and the chart
        # A button whose reply is an answer (the ways to earn more) is no typed question.
        estimate = next(s for s in sent if "most likely" in s.text)
        levers = next(value for _, value in estimate.buttons if value.startswith("levers"))
        await api.press(USER, levers, estimate.message_id)
        await api.wait_for(USER, len(questions) + 2, timeout=30)
        deadline = time.monotonic() + 20
        while True:
            samples = await scrape(port)
            if samples[("ptcc_handling_seconds_count", ())] >= len(questions) + 1:
                break
            assert time.monotonic() < deadline, samples
            await asyncio.sleep(0.2)
    finally:
        bot.kill()
        bot.wait(10)
    assert samples[("ptcc_updates_total", (("kind", "text"),))] == 4
    assert samples[("ptcc_updates_total", (("kind", "choice"),))] == 1
    assert samples[("ptcc_answers_total", (("outcome", "answered"),))] == 2
    assert samples[("ptcc_answers_total", (("outcome", "declined"),))] == 2
    assert samples[("ptcc_declines_total", (("reason", "price"),))] == 1  # the exam fee
    assert samples[("ptcc_declines_total", (("reason", "role"),))] == 1
    assert samples[("ptcc_replies_total", ())] == 6  # four answers, a chart, the levers
    assert ("ptcc_inbox_depth", ()) in samples and ("ptcc_inbox_oldest_seconds", ()) in samples
    assert samples[("ptcc_inbox_given_up_total", ())] == 0


async def test_a_busy_metrics_port_stops_start_up_with_one_json_line(
    api: FakeBotAPI, tmp_path: Path
) -> None:
    with taken_port() as port:
        env = {
            **bot_env(api, tmp_path / "bot.db"),
            "PTCC_METRICS_PORT": str(port),
            "PTCC_LOG_FORMAT": "json",
        }
        result = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "bot.main"],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    errors = [line for line in lines if line["level"] == "ERROR"]
    assert len(errors) == 1 and "PTCC_METRICS_PORT" in errors[0]["message"]
    assert {"time", "level", "logger", "message"} <= set(errors[0])
    assert TOKEN not in result.stderr


def test_the_dashboard_and_the_alerts_name_only_metrics_the_bot_exports() -> None:
    """deploy/grafana-dashboard.json and deploy/alerts.yml chart what exists, spelt right."""
    from bot.metrics import REGISTRY

    suffixes = ("", "_total", "_bucket", "_count", "_sum")
    exported = {family.name + end for family in REGISTRY.collect() for end in suffixes}
    deploy = Path(__file__).resolve().parent.parent / "deploy"
    dashboard = json.loads((deploy / "grafana-dashboard.json").read_text())
    expressions = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    expressions += re.findall(r"expr: >?\s*\n?\s*(.+)", (deploy / "alerts.yml").read_text())
    named = {m for e in expressions for m in re.findall(r"\bptcc_[a-z_]+", e)}
    assert named and named <= exported, named - exported
