"""ptcc-bot's settings, its start without a token, and webhook mode over real HTTP."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from bot.app import build_application, serve_webhook
from bot.settings import Settings, SettingsError, load_settings
from ptcc_core.advisor import Advisor
from tests.fake_bot_api import TOKEN, WEBHOOK_SECRET, FakeBotAPI
from tests.ports import free_port, taken_port


def run_bot(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PTCC_", "TELEGRAM_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot.main"],
        env={**clean, "HOME": str(tmp_path), **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


def test_without_a_token_it_explains_botfather_and_the_terminal_chat(tmp_path: Path) -> None:
    result = run_bot({}, tmp_path)
    # Nobody at the keyboard (a service): EX_CONFIG, so it is not restarted forever.
    assert result.returncode == os.EX_CONFIG
    assert "@BotFather" in result.stdout and "/newbot" in result.stdout
    assert "chat" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PTCC_WEBHOOK_PORT", "not-a-port"),
        ("PTCC_WEBHOOK_PORT", "70000"),
        ("PTCC_ADMIN_IDS", "12,abc"),
    ],
)
def test_a_bad_setting_stops_start_up_naming_it(tmp_path: Path, name: str, value: str) -> None:
    result = run_bot({"TELEGRAM_BOT_TOKEN": TOKEN, name: value}, tmp_path)
    assert result.returncode == os.EX_CONFIG
    assert name in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unusable_database_stops_start_up_with_what_to_fix(tmp_path: Path) -> None:
    (tmp_path / "garbage.db").write_text("not a database")
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "PTCC_DB": str(tmp_path / "garbage.db")}
    result = run_bot(env, tmp_path)
    assert result.returncode == 1
    assert "PTCC_DB" in result.stderr and "Traceback" not in result.stderr
    assert TOKEN not in result.stderr


async def test_a_webhook_port_in_use_stops_start_up_with_what_to_fix(
    tmp_path: Path, api: FakeBotAPI
) -> None:
    with taken_port() as port:
        env = {"TELEGRAM_BOT_TOKEN": TOKEN, "PTCC_BOT_API_URL": api.base_url,
               "PTCC_DB": str(tmp_path / "hook.db"), "PTCC_WEBHOOK_URL": "https://x.invalid/hook",
               "PTCC_WEBHOOK_LISTEN": "127.0.0.1", "PTCC_WEBHOOK_PORT": str(port),
               "PTCC_WEBHOOK_SECRET": WEBHOOK_SECRET}  # fmt: skip
        result = await asyncio.to_thread(run_bot, env, tmp_path)
    assert result.returncode == 1
    assert f"127.0.0.1:{port}" in result.stderr and "PTCC_WEBHOOK_PORT" in result.stderr
    assert "Traceback" not in result.stderr


def test_settings_read_env_and_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nPTCC_ADMIN_IDS=1, 2\n")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    settings = load_settings()
    assert settings.telegram_bot_token is not None
    assert settings.telegram_bot_token.get_secret_value() == TOKEN
    assert settings.ptcc_admin_ids == (1, 2)
    assert TOKEN not in repr(settings)
    monkeypatch.setenv("PTCC_WEBHOOK_PORT", "0")
    with pytest.raises(SettingsError, match="PTCC_WEBHOOK_PORT"):
        load_settings()


async def until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.05)


async def test_webhook_mode_serves_the_url_path_and_checks_the_secret(
    tmp_path: Path, advisor: Advisor
) -> None:
    api = FakeBotAPI()
    await api.start()
    port = free_port()
    settings = Settings(
        TELEGRAM_BOT_TOKEN=TOKEN,
        PTCC_BOT_API_URL=api.base_url,
        PTCC_DB=str(tmp_path / "hook.db"),
        PTCC_WEBHOOK_URL="https://bot.example.org/telegram/ptcc",
        PTCC_WEBHOOK_SECRET=WEBHOOK_SECRET,
        PTCC_WEBHOOK_LISTEN="127.0.0.1",
        PTCC_WEBHOOK_PORT=port,
    )
    app = build_application(settings, advisor)
    stop = asyncio.Event()
    served = asyncio.create_task(serve_webhook(settings, app, stop))
    try:
        # The bot registers the webhook once its server listens.
        await asyncio.wait_for(until(lambda: api.webhook is not None), 30)
        assert api.webhook == {
            "url": "https://bot.example.org/telegram/ptcc",
            "secret_token": WEBHOOK_SECRET,
        }
        update = {"update_id": 1, "message": api.message(77, "/start")}
        url = f"http://127.0.0.1:{port}/telegram/ptcc"
        async with httpx.AsyncClient() as client:
            refused = await client.post(url, json=update)
            assert refused.status_code == 403
            accepted = await client.post(
                url,
                content=json.dumps(update),
                headers={
                    "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET,
                    "Content-Type": "application/json",
                },
            )
            assert accepted.status_code == 200
            assert (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
        sent = await api.wait_for(77, 1)
        assert "PTCC Advisor" in sent[0].text
    finally:
        stop.set()
        await served
        await api.stop()


def test_the_token_is_redacted_from_every_log_record(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from bot.logs import RedactSecrets

    handler = logging.StreamHandler()
    handler.addFilter(RedactSecrets({"token": TOKEN}))
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "POST %s/getMe", (f"https://x/bot{TOKEN}",), None
    )
    handler.filter(record)
    assert TOKEN not in record.getMessage() and "<token>" in record.getMessage()


def test_a_malformed_token_is_named_before_any_request(tmp_path: Path) -> None:
    result = run_bot({"TELEGRAM_BOT_TOKEN": "hello"}, tmp_path)
    assert result.returncode == os.EX_CONFIG
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "@BotFather" in result.stderr
    assert "hello" not in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


async def test_a_rejected_token_or_no_network_stops_start_up_in_one_sentence(
    tmp_path: Path,
) -> None:
    api = FakeBotAPI()
    await api.start()
    wrong = "123456789:AAHwrongTokenWrongTokenWrongToken01"
    try:
        for url, says in (
            (api.base_url, "rejected TELEGRAM_BOT_TOKEN"),
            (f"http://127.0.0.1:{free_port()}/bot", "could not reach Telegram at 127.0.0.1"),
        ):
            env = {"TELEGRAM_BOT_TOKEN": wrong, "PTCC_BOT_API_URL": url,
                   "PTCC_DB": str(tmp_path / "t.db")}  # fmt: skip
            result = await asyncio.to_thread(run_bot, env, tmp_path)
            assert result.returncode == 1
            assert says in result.stderr
            assert len(result.stderr.strip().splitlines()) == 1, result.stderr
            assert wrong not in result.stderr + result.stdout
            assert wrong.split(":")[1] not in result.stderr
    finally:
        await api.stop()


def test_the_token_is_redacted_from_exception_text_too() -> None:
    import logging

    from bot.logs import RedactSecrets

    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError:
        record = logging.LogRecord(
            "telegram", logging.ERROR, __file__, 1, "failed", None, sys.exc_info()
        )
    RedactSecrets({"token": TOKEN}).filter(record)
    shown = logging.Formatter().format(record)
    assert TOKEN not in shown and "<token>" in shown


def test_an_unexpected_error_while_running_is_logged_redacted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import bot.app

    async def reachable(settings: Settings) -> None:
        return None

    async def broken(*args: object) -> None:
        raise RuntimeError(f"something used {TOKEN} and failed")

    monkeypatch.setattr(bot.app, "check_telegram", reachable)
    monkeypatch.setattr(bot.app, "serve_polling", broken)
    settings = Settings(TELEGRAM_BOT_TOKEN=TOKEN, PTCC_DB=str(tmp_path / "s.db"))
    assert bot.app.run(settings) == 1
    shown = caplog.text  # as the log's handlers, redaction and all, write it
    assert "stopped by an unexpected error" in shown and "RuntimeError" in shown
    assert TOKEN not in shown and TOKEN.split(":")[1] not in shown


@pytest.mark.parametrize("secret", [None, "", "short", "has spaces in it and is long enough ok"])
def test_webhook_mode_refuses_to_start_without_a_long_random_secret(
    tmp_path: Path, secret: str | None
) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "PTCC_WEBHOOK_URL": "https://bot.example.org/hook",
           "PTCC_DB": str(tmp_path / "s.db")}  # fmt: skip
    if secret is not None:
        env["PTCC_WEBHOOK_SECRET"] = secret
    result = run_bot(env, tmp_path)
    assert result.returncode == os.EX_CONFIG
    assert "PTCC_WEBHOOK_SECRET" in result.stderr and "token_urlsafe" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


async def test_debug_logs_show_neither_secrets_nor_what_users_wrote(tmp_path: Path) -> None:
    api = FakeBotAPI()
    await api.start()
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PTCC_", "TELEGRAM_"))}
    env = {**clean, "HOME": str(tmp_path), "TELEGRAM_BOT_TOKEN": TOKEN,
           "PTCC_BOT_API_URL": api.base_url, "PTCC_DB": str(tmp_path / "debug.db"),
           "PTCC_WEBHOOK_URL": "https://bot.example.org/hook",
           "PTCC_WEBHOOK_SECRET": WEBHOOK_SECRET, "PTCC_WEBHOOK_LISTEN": "127.0.0.1",
           "PTCC_WEBHOOK_PORT": str(port), "PTCC_LOG_LEVEL": "DEBUG"}  # fmt: skip
    log_file = (tmp_path / "bot.log").open("w")
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot.main"], env=env, cwd=tmp_path, stdin=subprocess.DEVNULL,
        stdout=log_file, stderr=subprocess.STDOUT,
    )  # fmt: skip
    private = "my email is zebra.kestrel@example.org, what is a CMAA"
    try:
        await asyncio.wait_for(until(lambda: api.webhook is not None), 60)
        update = {"update_id": 5, "message": api.message(55, private)}
        async with httpx.AsyncClient() as client:
            posted = await client.post(
                f"http://127.0.0.1:{port}/hook",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
            )
        assert posted.status_code == 200
        await api.wait_for(55, 1)
    finally:
        bot.terminate()
        await asyncio.to_thread(bot.wait, 30)
        log_file.close()
        await api.stop()
    written = (tmp_path / "bot.log").read_text()
    assert "DEBUG ptcc.inbox: handling update 5" in written
    for secret in (TOKEN, TOKEN.split(":")[1], WEBHOOK_SECRET, "zebra", "kestrel"):
        assert secret not in written


def test_polling_loads_no_http_server() -> None:
    """The webhook's aiohttp server is imported in webhook mode only: 8 MB a process."""
    check = "import sys, bot.main, bot.app; print('aiohttp' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
