"""The deploy check's driver (run by deploy/check/run, which readies the engine and images).

It runs the README's deploy commands, in the order an operator would, against the project's
fake Telegram Bot API (tests/fake_bot_api.py) instead of Telegram, and checks what each
should do:

1. Without a token, `docker compose` refuses to start, naming the setting.
2. The single bot (`up -d --build`): talk to it (an estimate, saved), `restart` it, and find
   the estimate kept on the volume (`/profile`); back the database up with
   `ptcc db migrate-to sqlite:////data/backup.db` and `cp` it out.
3. Moving to PostgreSQL as the README says: `stop bot`, `up -d db`, then
   `run --rm bot ptcc db migrate-to postgresql://...`.
4. The scale profile (`--profile scale up -d --build`): PostgreSQL, two webhook replicas and
   Caddy in front (TLS for "localhost" from Caddy's own CA). Updates are posted to the proxy
   as Telegram posts them, each until it gets a 200, while users wait for each reply; one
   replica is killed mid-load. Every update must get its reply: nothing lost. The user moved
   from SQLite still has their profile, and the proxy does not serve the replicas' /healthz.
5. `--scale bot-scale=3`, `ps`, `logs`, `exec bot-scale ptcc stats`, and the PostgreSQL backup
   and restore (`pg_dump`, `stop bot-scale`, `pg_restore`, `start bot-scale`), after which
   the profile is still there.

Every command runs under the check's own compose project and volumes (`ptcc-check`, with
deploy/check/compose.check.yaml on top), all removed at the end. Prints each stage's time.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.fake_bot_api import TOKEN, WEBHOOK_SECRET, FakeBotAPI  # noqa: E402
from tests.ports import free_port  # noqa: E402

PROJECT = "ptcc-check"
FILES = ["-f", "deploy/compose.yaml", "-f", "deploy/check/compose.check.yaml"]
SCALE = ["--profile", "scale"]
USER = 9001
USERS = 12
MESSAGES = 6
QUESTIONS = [
    "what does a care coordinator do?",
    "boston premium?",
    "does a CMAA pay for itself",
    "how big are bonuses",
    "is the job outlook good",
    "what title could I hold later on",
]


def compose(
    env: dict[str, str], *args: str, check: bool = True, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    command = ["docker", "compose", "-p", PROJECT, *FILES, *args]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, input=stdin)
    if check and done.returncode != 0:
        error = done.stderr.decode(errors="replace")[-3000:]
        raise SystemExit(f"deploy check: `{' '.join(command[5:])}` failed:\n{error}")
    return done


@contextmanager
def stage(name: str) -> Iterator[None]:
    began = time.monotonic()
    print(f"deploy check: {name} ...", flush=True)
    yield
    print(f"deploy check: {name}: ok ({time.monotonic() - began:.0f} s)", flush=True)


def refuses_without_a_token(env: dict[str, str]) -> None:
    bare = {k: v for k, v in env.items() if k != "TELEGRAM_BOT_TOKEN"}
    done = compose(bare, "config", "-q", check=False)
    assert done.returncode != 0 and b"TELEGRAM_BOT_TOKEN" in done.stderr, done.stderr


async def single_bot(api: FakeBotAPI, env: dict[str, str], scratch: Path) -> str:
    """Returns the saved estimate's most likely figure, which must survive what follows."""
    compose(env, "up", "-d", "--build")
    await api.send_text(USER, "/start")
    await api.wait_for(USER, 1, timeout=180)  # the first start loads the knowledge
    await api.send_text(USER, "I have 5 years and a bachelor's, what would I make in Boston?")
    sent = await api.wait_for(USER, 3, timeout=60)  # the estimate, then its chart
    assert any(s.method == "sendPhoto" for s in sent), [s.method for s in sent]
    estimate = next(s for s in sent if "most likely" in s.text)
    most_likely = estimate.text.split("most likely about ", 1)[1].split()[0].rstrip(".,")
    save = next(value for _, value in estimate.buttons if value.startswith("save:"))
    await api.press(USER, save, estimate.message_id)
    await api.wait_for(USER, 4, timeout=60)
    compose(env, "restart", "bot")
    assert most_likely in await ask(api, USER, "/profile"), "the profile was lost in a restart"
    compose(env, "exec", "bot", "ptcc", "db", "migrate-to", "sqlite:////data/backup.db")
    compose(env, "cp", "bot:/data/backup.db", str(scratch / "backup.db"))
    assert (scratch / "backup.db").read_bytes().startswith(b"SQLite format 3")
    return most_likely


async def ask(api: FakeBotAPI, user_id: int, text: str) -> str:
    before = len(api.to(user_id))
    await api.send_text(user_id, text)
    return (await api.wait_for(user_id, before + 1, timeout=180))[before].text


def move_to_postgres(env: dict[str, str]) -> None:
    compose(env, "stop", "bot")
    compose(env, *SCALE, "up", "-d", "db")
    url = f"postgresql://ptcc:{env['POSTGRES_PASSWORD']}@db:5432/ptcc"
    deadline = time.monotonic() + 120
    while True:  # the first start of the database takes a few seconds
        done = compose(env, "run", "--rm", "bot", "ptcc", "db", "migrate-to", url, check=False)
        if done.returncode == 0:
            return
        assert time.monotonic() < deadline, done.stderr.decode(errors="replace")
        time.sleep(2)


class Webhook:
    """Posts updates to the proxy as Telegram does: each until it gets a 200."""

    def __init__(self, api: FakeBotAPI, url: str) -> None:
        self.api, self.url = api, url
        tls = ssl.create_default_context()
        tls.check_hostname, tls.verify_mode = False, ssl.CERT_NONE  # Caddy's CA, localhost
        self.http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(ssl=tls), timeout=aiohttp.ClientTimeout(total=20)
        )
        self.ids = iter(range(1, 1_000_000))
        self.posted = 0

    async def post(self, user_id: int, text: str) -> None:
        update: dict[str, Any] = {
            "update_id": next(self.ids),
            "message": self.api.message(user_id, text),
        }
        headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        deadline = time.monotonic() + 240
        while True:
            try:
                async with self.http.post(self.url, json=update, headers=headers) as answer:
                    if answer.status == 200:
                        self.posted += 1
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            assert time.monotonic() < deadline, f"the proxy never took update {update}"
            await asyncio.sleep(0.5)

    async def ask(self, user_id: int, text: str) -> str:
        before = len(self.api.to(user_id))
        await self.post(user_id, text)
        return (await self.api.wait_for(user_id, before + 1, timeout=240))[before].text


async def scale_profile(webhook: Webhook, env: dict[str, str], most_likely: str) -> None:
    compose(env, *SCALE, "up", "-d", "--build")
    # Up once the replicas serve, the webhook is set and Caddy has its certificate.
    assert most_likely in await webhook.ask(USER, "/profile"), "the move to PostgreSQL lost it"
    health = webhook.url.replace("/telegram", "/healthz")
    async with webhook.http.get(health) as answer:
        assert answer.status == 404, f"the proxy serves {health}: {answer.status}"
    api, killed = webhook.api, asyncio.Event()

    async def user(user_id: int) -> None:
        for n in range(MESSAGES):
            await webhook.ask(user_id, QUESTIONS[(user_id + n) % len(QUESTIONS)])
            if user_id == 100 and n == 1:
                killed.set()

    async def killer() -> None:
        await killed.wait()
        subprocess.run(["docker", "kill", f"{PROJECT}-bot-scale-1"], check=True,
                       capture_output=True)  # fmt: skip

    await asyncio.gather(killer(), *(user(100 + u) for u in range(USERS)))
    for user_id in range(100, 100 + USERS):
        texts = [s.text for s in api.to(user_id) if s.method == "sendMessage"]
        assert len(texts) >= MESSAGES, f"user {user_id} got {len(texts)} of {MESSAGES} replies"
    print(f"deploy check: {webhook.posted} updates through the proxy, one replica killed "
          "mid-load, every one answered", flush=True)  # fmt: skip


async def operate(webhook: Webhook, env: dict[str, str], scratch: Path, most_likely: str) -> None:
    compose(env, *SCALE, "up", "-d", "--scale", "bot-scale=3")
    running = compose(env, *SCALE, "ps", "--status", "running", "-q", "bot-scale").stdout
    assert len(running.split()) == 3, running
    compose(env, *SCALE, "logs", "--tail", "5", "bot-scale")
    stats = compose(env, *SCALE, "exec", "bot-scale", "ptcc", "stats").stdout.decode()
    assert "users" in stats.lower(), stats
    dump = compose(env, *SCALE, "exec", "-T", "db", "pg_dump", "-U", "ptcc", "-Fc", "ptcc").stdout
    (scratch / "ptcc.dump").write_bytes(dump)
    compose(env, *SCALE, "stop", "bot-scale")
    restore = [
        "exec",
        "-T",
        "db",
        "pg_restore",
        "-U",
        "ptcc",
        "-d",
        "ptcc",
        "--clean",
        "--if-exists",
    ]
    compose(env, *SCALE, *restore, stdin=dump)
    compose(env, *SCALE, "start", "bot-scale")
    assert most_likely in await webhook.ask(USER, "/profile"), "lost in backup and restore"


async def main() -> None:
    api = FakeBotAPI()
    await api.start(host="0.0.0.0")  # the containers reach it through the host gateway
    https_port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        env_file = scratch / "check.env"
        # As the README has operators fill in deploy/.env.
        env_file.write_text(
            f"PTCC_BOT_API_URL=http://fake-telegram:{api.port}/bot\nPTCC_RATE_LIMIT=0\n"
            f"PTCC_WEBHOOK_SECRET={WEBHOOK_SECRET}\n",
            encoding="utf-8",
        )
        env = {
            **os.environ,
            "PTCC_ENV_FILE": str(env_file),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "PTCC_CHECK_HTTPS_PORT": str(https_port),
            "POSTGRES_PASSWORD": secrets.token_hex(16),
            "PTCC_DOMAIN": "localhost",
            "PTCC_REPLICAS": "2",
        }
        scale = {**env, "PTCC_SINGLE_BOT": "0"}
        webhook = Webhook(api, f"https://localhost:{https_port}/telegram")
        try:
            with stage("compose refuses to start without a token"):
                refuses_without_a_token(env)
            with stage("single bot: build, talk, restart, state kept, backup"):
                most_likely = await single_bot(api, env, scratch)
            with stage("move from SQLite to PostgreSQL"):
                move_to_postgres(env)
            with stage("scale profile: PostgreSQL, 2 replicas, Caddy, a replica killed"):
                await scale_profile(webhook, scale, most_likely)
            with stage("scale to 3, ps, logs, stats, PostgreSQL backup and restore"):
                await operate(webhook, scale, scratch, most_likely)
        except BaseException:
            for service in ("bot", "bot-scale", "db", "proxy"):
                logs = compose(env, *SCALE, "logs", "--tail", "30", service, check=False)
                print(f"--- {service}\n{logs.stdout.decode()[-3000:]}", file=sys.stderr)
            raise
        finally:
            await webhook.http.close()
            compose(env, *SCALE, "down", "-v", "--remove-orphans", check=False)
            await api.stop()


if __name__ == "__main__":
    asyncio.run(main())
