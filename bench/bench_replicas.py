"""Replicas: real `ptcc-bot` processes in webhook mode behind a round-robin proxy, driven the
way Telegram drives a webhook, checked reply by reply.

    .venv/bin/python bench/bench_replicas.py [--users 1000]
    .venv/bin/python bench/bench_replicas.py --kills 5

Prints throughput and p50/p95 time from an update's first POST to its first reply, for 1, 2
and 3 replicas on PostgreSQL and 1 on SQLite, with the CPU time each part used. With
--kills, runs 100 users on 3 replicas N times, killing one replica (kill -9) at a different
point each time, and prints what was lost (always 0, or the run fails) and repeated. The
same harness backs tests/test_replicas.py.

"Telegram" here posts each user's updates in update_id order, each one until it gets a 200
(a 502 from the proxy, a refused connection or a dropped one means: post it again). Some
users send bursts without waiting for replies, so consecutive updates land on different
replicas; others wait for each answer, as people do. Optionally some updates are also posted
straight to two replicas at once, and one replica can be killed (SIGKILL) mid-load.

Every user's expected replies come from running their conversation through the advisor in
this process; the check is that every chat received exactly those, in order: with a kill,
replies that arrive twice are counted instead.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_load import QUESTIONS  # noqa: E402
from bot.render import message_text  # noqa: E402
from ptcc_core.advisor import Advisor  # noqa: E402
from ptcc_core.conversation import Event, Session  # noqa: E402
from ptcc_core.store import open_store  # noqa: E402
from tests.fake_bot_api import TOKEN, FakeBotAPI  # noqa: E402
from tests.ports import free_port  # noqa: E402
from tests.postgres_server import PostgresServer, start_server  # noqa: E402

SECRET = "replica-bench-secret-0123456789abcdefghijklmnop"
CHART_CAPTION = "Your estimate against the article's pay ranges"
CITIES = ["Boston", "NYC", "San Francisco", "Denver", "rural Ohio"]


@dataclass
class Step:
    """One update a user sends, and the replies it must get."""

    kind: str  # text, command or choice
    value: str
    replies: list[str] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)  # the buttons its last question showed
    update_id: int = 0


@dataclass
class User:
    user_id: int
    steps: list[Step]
    burst: bool  # sends everything without waiting for answers

    @property
    def expected(self) -> list[str]:
        return [reply for step in self.steps for reply in step.replies]


def _texts(advisor: Advisor, session: Session, step: Step) -> Session:
    event = Event(kind=step.kind, value=step.value, at=datetime.now(UTC))  # type: ignore[arg-type]
    outcome = advisor.handle(session, event)
    for reply in outcome.replies:
        step.replies.append(message_text(reply))
        if reply.estimate is not None:
            step.replies.append(CHART_CAPTION)
        if reply.choices:
            step.choices = [choice.value for choice in reply.choices]
    return outcome.session


def conversation(advisor: Advisor, user_id: int) -> User:
    """A user's conversation, with its expected replies: questions for some (sent as a burst),
    the questionnaire by buttons and typing for others (waiting for each answer)."""
    session = Session()
    n = user_id
    if n % 3 == 0:
        steps = [Step("text", QUESTIONS[(n + k) % len(QUESTIONS)][0]) for k in range(6)]
        for step in steps:
            session = _texts(advisor, session, step)
        return User(user_id, steps, burst=True)
    steps = [Step("command", "estimate")]
    if n % 3 == 1:
        steps = [Step("command", "start"), Step("text", QUESTIONS[n % len(QUESTIONS)][0]), *steps]
    for step in steps:
        session = _texts(advisor, session, step)
    ticked: set[str] = set()
    while session.step is not None and len(steps) < 14:
        picks = [c for c in steps[-1].choices if c.startswith("ans:")]
        if session.step == "location":
            step = Step("text", CITIES[n % len(CITIES)])
        elif session.step in ticked:  # a multiple choice, one ticked already
            step = Step("choice", "nav:done")
        else:
            if session.step in ("certifications", "skills"):
                ticked.add(session.step)
            step = Step("choice", picks[n % len(picks)])
        session = _texts(advisor, session, step)
        steps.append(step)
    return User(user_id, steps, burst=False)


class RoundRobin:
    """A tiny reverse proxy: each POST goes to the next replica; a dead one gives 502."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self._next = itertools.cycle(range(len(backends)))
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.url = ""

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        app = web.Application()
        app.router.add_post("/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/telegram"

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        backend = self.backends[next(self._next)]
        body = await request.read()
        try:
            async with self._session.post(
                backend, data=body, headers=dict(request.headers)
            ) as answer:
                return web.Response(status=answer.status)
        except (aiohttp.ClientError, TimeoutError):
            return web.Response(status=502)

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()


class Replicas:
    """N ptcc-bot processes in webhook mode on one database."""

    def __init__(self, count: int, db: str, api: FakeBotAPI, lease: float) -> None:
        self.ports = [free_port() for _ in range(count)]
        self.processes: list[subprocess.Popen[bytes]] = []
        self.db, self.api, self.lease = db, api, lease
        self.logs: list[Path] = []

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}/telegram" for port in self.ports]

    async def start(self, log_dir: Path) -> None:
        for index, port in enumerate(self.ports):
            env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "PTCC_BOT_API_URL": self.api.base_url,
                   "PTCC_DB": self.db, "PTCC_RATE_LIMIT": "0",
                   "PTCC_WEBHOOK_URL": "https://bot.invalid/telegram",
                   "PTCC_WEBHOOK_SECRET": SECRET, "PTCC_WEBHOOK_LISTEN": "127.0.0.1",
                   "PTCC_WEBHOOK_PORT": str(port), "PTCC_INBOX_LEASE": str(self.lease)}  # fmt: skip
            log = log_dir / f"replica{index}.log"
            self.logs.append(log)
            with log.open("wb") as out:
                self.processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "bot.main"],
                        env=env,
                        cwd=ROOT,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                    )
                )
        async with aiohttp.ClientSession() as session:
            for port, process in zip(self.ports, self.processes, strict=True):
                await _until_healthy(session, port, process)

    def kill(self, index: int) -> None:
        self.processes[index].send_signal(signal.SIGKILL)
        self.processes[index].wait(10)

    def stop(self) -> str:
        """Stop every replica (SIGTERM, then SIGKILL); their logs, joined."""
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        return "\n".join(log.read_text(errors="replace") for log in self.logs)


async def _until_healthy(
    session: aiohttp.ClientSession, port: int, process: subprocess.Popen[bytes]
) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"replica on port {port} exited with {process.returncode}")
        try:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as answer:
                if answer.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"replica on port {port} never became healthy")


@dataclass
class Result:
    replicas: int
    users: int
    updates: int
    replies: int
    rate: float
    p50: float
    p95: float
    duplicates_after_kill: int = 0
    repeats_counted: int = 0  # updates the store counted as possibly answered twice
    taken_over: int = 0
    posts_refused: int = 0
    # CPU seconds used during the run: the bot processes, PostgreSQL's, this harness's.
    cpu_bots: float = 0
    cpu_db: float = 0
    cpu_harness: float = 0


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process and its live children (the chart painter) have
    used so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(int(child)) for child in children)


def postgres_cpu_seconds() -> float:
    """CPU time of every running PostgreSQL process on this machine."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if stat.read_text().split(" ", 2)[1] == "(postgres)":
                total += cpu_seconds(int(stat.parent.name))
        except OSError:
            continue
    return total


class Telegram:
    """Posts updates as Telegram does: in order per user, each until it gets a 200."""

    def __init__(self, api: FakeBotAPI, proxy: str, connections: int = 100) -> None:
        self.api, self.proxy = api, proxy
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        self._slots = asyncio.Semaphore(connections)
        self.first_post: dict[int, float] = {}
        self.refused = 0

    def update(self, user: User, step: Step) -> dict[str, Any]:
        if step.kind == "choice":
            sent = self.api.to(user.user_id)
            source = sent[-1].message_id if sent else 1
            return {"update_id": step.update_id,
                    "callback_query": self.api.callback_query(user.user_id, step.value, source)}  # fmt: skip
        text = step.value if step.kind == "text" else f"/{step.value}"
        return {"update_id": step.update_id, "message": self.api.message(user.user_id, text)}

    async def post(self, update: dict[str, Any], url: str | None = None) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        self.first_post.setdefault(update["update_id"], time.monotonic())
        while True:
            async with self._slots:
                try:
                    async with self.session.post(
                        url or self.proxy, json=update, headers=headers
                    ) as answer:
                        if answer.status == 200:
                            return
                except (aiohttp.ClientError, TimeoutError):
                    pass
            self.refused += 1
            await asyncio.sleep(0.2)

    async def close(self) -> None:
        await self.session.close()


async def run_replicas(
    db: str,
    replicas: int,
    users: int,
    *,
    advisor: Advisor,
    twice_every: int = 0,
    kill_at: float | None = None,
    lease: float = 30,
    log_dir: Path | None = None,
) -> Result:
    """Drive `users` conversations through `replicas` bot processes; raise AssertionError on
    any lost, doubled (without a crash) or out-of-order reply. `twice_every`: every n-th
    update is also posted straight to two replicas at once. `kill_at`: once that share of
    the expected replies has arrived, kill -9 replica 0."""
    people = [conversation(advisor, 50_000 + n) for n in range(users)]
    # As on Telegram, update_ids rise in the order updates happen.
    ids = itertools.count(1)
    expected_total = sum(len(p.expected) for p in people)

    api = FakeBotAPI()
    await api.start()
    bots = Replicas(replicas, db, api, lease)
    proxy = RoundRobin(bots.urls)
    await proxy.start()
    telegram = Telegram(api, proxy.url)
    killed = False
    with tempfile.TemporaryDirectory() as scratch:
        try:
            await bots.start(log_dir or Path(scratch))
            began = time.monotonic()
            cpu_before = (postgres_cpu_seconds(), time.process_time())

            async def talk(person: User) -> None:
                for step in person.steps:
                    before = len(api.to(person.user_id))
                    step.update_id = next(ids)
                    update = telegram.update(person, step)
                    if twice_every and step.update_id % twice_every == 0 and replicas > 1:
                        first, second = bots.urls[0], bots.urls[1]
                        if kill_at is not None:  # the one to die must not hold the only copy
                            first, second = bots.urls[1], bots.urls[-1]
                        await asyncio.gather(telegram.post(update, first),
                                             telegram.post(update, second))  # fmt: skip
                    else:
                        await telegram.post(update)
                    if not person.burst:
                        await api.wait_for(person.user_id, before + len(step.replies), 300)

            async def killer() -> None:
                nonlocal killed
                assert kill_at is not None
                await api.wait_for_total(int(kill_at * expected_total))
                bots.kill(0)
                killed = True

            tasks = [asyncio.create_task(talk(p)) for p in people]
            if kill_at is not None:
                tasks.append(asyncio.create_task(killer()))
            await asyncio.gather(*tasks)
            for person in people:
                await api.wait_for(person.user_id, len(person.expected), 300)
            await asyncio.sleep(0.5)  # anything sent twice shows up now
            elapsed = max(s.at for s in api.sent) - began
            cpu = (
                sum(cpu_seconds(p.pid) for p in bots.processes),
                postgres_cpu_seconds() - cpu_before[0],
                time.process_time() - cpu_before[1],
            )
        finally:
            await telegram.close()
            logs = bots.stop()
            await proxy.stop()
            await api.stop()
    assert "Traceback" not in logs, logs[-3000:]
    result = _check(people, api, telegram, replicas, elapsed, killed, await _counts(db))
    result.cpu_bots, result.cpu_db, result.cpu_harness = cpu
    return result


async def _counts(db: str) -> tuple[int, int, int]:
    store = await open_store(db)
    try:
        stats = await store.stats()
        [(unfinished,)] = await store.rows("SELECT count(*) FROM inbox WHERE done_at IS NULL")
    finally:
        await store.close()
    assert unfinished == 0, f"{unfinished} updates never finished"
    return stats.updates, stats.repeated, stats.taken_over


def _check(
    people: list[User],
    api: FakeBotAPI,
    telegram: Telegram,
    replicas: int,
    elapsed: float,
    killed: bool,
    counts: tuple[int, int, int],
) -> Result:
    latencies: list[float] = []
    extra = 0
    for person in people:
        got = api.to(person.user_id)
        texts = [s.text for s in got]
        expected = person.expected
        if texts != expected:
            assert killed, f"user {person.user_id}: got {texts[:8]}, wanted {expected[:8]}"
            # After a kill, replies may repeat, but none may be missing or out of order.
            assert _is_subsequence(expected, texts), f"user {person.user_id}: lost or reordered"
            assert not Counter(texts) - Counter(expected * 2), f"user {person.user_id}: strange"
            extra += len(texts) - len(expected)
            continue
        position = 0
        for step in person.steps:
            if step.replies:
                latencies.append(got[position].at - telegram.first_post[step.update_id])
            position += len(step.replies)
    updates, repeated, taken_over = counts
    assert updates == sum(len(p.steps) for p in people), (updates, "updates stored")
    # The store counts updates whose replies may have gone out twice; each has at most a few.
    most = max(len(step.replies) for person in people for step in person.steps)
    assert extra <= repeated * most and (repeated > 0 or extra == 0), (extra, repeated)
    cuts = statistics.quantiles(latencies, n=100)
    return Result(
        replicas=replicas,
        users=len(people),
        updates=updates,
        replies=len(api.sent),
        rate=len(api.sent) / elapsed,
        p50=cuts[49],
        p95=cuts[94],
        duplicates_after_kill=extra if killed else 0,
        repeats_counted=repeated,
        taken_over=taken_over,
        posts_refused=telegram.refused,
    )


def _is_subsequence(needle: list[str], haystack: list[str]) -> bool:
    rest = iter(haystack)
    return all(any(item == seen for seen in rest) for item in needle)


async def main() -> None:
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument(
        "--kills", type=int, default=0,
        help="instead: this many runs of 100 users on 3 replicas, one killed (kill -9) in each",
    )  # fmt: skip
    args = parser.parse_args()
    advisor = Advisor.load()
    server = start_server(durable=True)
    try:
        if args.kills:
            await _kills(server, args.kills, advisor)
        else:
            await _throughput(server, args.users, advisor)
    finally:
        server.stop()


async def _throughput(server: PostgresServer, users: int, advisor: Advisor) -> None:
    rows = []
    for count in (1, 2, 3):
        url = await server.new_database(f"bench_{count}")
        rows.append(("PostgreSQL", await run_replicas(url, count, users, advisor=advisor)))
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        rows.append(("SQLite", await run_replicas(url, 1, users, advisor=advisor)))
    print(f"{users} users, {rows[0][1].updates} updates each run; every reply arrived once "
          "and in order\n")  # fmt: skip
    print("| database | replicas | replies/s | p50 | p95 | CPU s: bots / database / harness |")
    print("|---|---:|---:|---:|---:|---|")
    for name, r in rows:
        print(f"| {name} | {r.replicas} | {r.rate:.0f} | {r.p50:.1f} s | {r.p95:.1f} s | "
              f"{r.cpu_bots:.0f} / {r.cpu_db:.0f} / {r.cpu_harness:.0f} |")  # fmt: skip


async def _kills(server: PostgresServer, runs: int, advisor: Advisor) -> None:
    print(
        "| run | killed after | updates | lost | replies sent twice | updates counted as maybe repeated | taken over | posts again |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for run in range(runs):
        share = 0.2 + 0.6 * run / max(1, runs - 1)
        url = await server.new_database(f"kill_{run}")
        r = await run_replicas(url, 3, 100, advisor=advisor, twice_every=11, kill_at=share, lease=5)
        # run_replicas raises if any reply is missing or out of order: lost is 0 when it returns.
        print(f"| {run + 1} | {share:.0%} of replies | {r.updates} | 0 | {r.duplicates_after_kill} "
              f"| {r.repeats_counted} | {r.taken_over} | {r.posts_refused} |")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
