"""`ptcc-bot`: run PTCC Advisor on Telegram.

Without TELEGRAM_BOT_TOKEN it explains how to get one from @BotFather, offers the terminal
chat instead (when a person is at the keyboard), and exits. A setting that is missing or wrong
exits with 78 (EX_CONFIG) when nobody is at the keyboard, so that a service manager marks the
bot failed instead of restarting it forever (deploy/ptcc-bot.service, deploy/compose.yaml).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from bot.settings import SettingsError, load_settings

NO_TOKEN = """\
PTCC Advisor needs a Telegram bot token to run on Telegram.

  1. In Telegram, open a chat with @BotFather and send /newbot.
  2. Choose a name and a username; BotFather replies with a token like 123456789:AAH...
  3. Run the bot with it:  TELEGRAM_BOT_TOKEN=123456789:AAH... {bot}
     (or put TELEGRAM_BOT_TOKEN=... in a .env file in this directory).

Meanwhile you can talk to the advisor in the terminal:  {ptcc} chat
"""


def _command(name: str) -> str:
    """How to type one of our commands here: bare if on PATH, else its path from here."""
    installed = Path(sys.executable).parent / name
    if shutil.which(name) == str(installed) or not installed.exists():
        return name
    try:
        return os.path.relpath(installed)
    except ValueError:
        return str(installed)


def _offer_chat() -> int:
    if not sys.stdin.isatty():
        return os.EX_CONFIG
    try:
        answer = input("Start the terminal chat now? [Y/n] ").strip().lower()
    except (EOFError, KeyboardInterrupt):
        return 0
    if answer not in ("", "y", "yes"):
        return 0
    from ptcc_core.cli import main as ptcc

    return ptcc(["chat"])


def main() -> int:
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"ptcc-bot: {exc}", file=sys.stderr)
        return os.EX_CONFIG
    if settings.telegram_bot_token is None:
        print(NO_TOKEN.format(bot=_command("ptcc-bot"), ptcc=_command("ptcc")))
        return _offer_chat()
    from bot.app import run

    return run(settings)


if __name__ == "__main__":
    sys.exit(main())
