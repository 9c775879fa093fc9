"""The bot's logs: the token and the webhook secret redacted from every record, as text
lines or JSON lines, at PTCC_LOG_LEVEL for the bot's own loggers.

`PTCC_LOG_FORMAT=json` writes one JSON object a line (time, level, logger, message, and the
traceback when there is one) for log collectors. The formatter is a dozen lines written here
rather than a dependency: the standard library's `logging` does the rest.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Literal

LogFormat = Literal["text", "json"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class RedactSecrets(logging.Filter):
    """Replaces secrets (the bot token, the webhook secret) in every log record, wherever a
    library puts them, by their names in angle brackets."""

    def __init__(self, secrets: Mapping[str, str]) -> None:
        super().__init__()
        self._secrets = {name: value for name, value in secrets.items() if value}

    def _redacted(self, text: str) -> str:
        for name, value in self._secrets.items():
            text = text.replace(value, f"<{name}>")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self._redacted(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        if record.exc_info:
            # Exception text too: python-telegram-bot puts the token in InvalidToken's.
            record.exc_text = self._redacted(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class JsonLines(logging.Formatter):
    """One JSON object a line."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["traceback"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


def configure_logging(
    secrets: Mapping[str, str], log_format: LogFormat = "text", level: LogLevel = "INFO"
) -> None:
    # Only the bot's own loggers ("ptcc.*") go below INFO: at DEBUG libraries log users'
    # messages (python-telegram-bot each update, aiosqlite each statement's values).
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(max(logging.INFO, logging.getLevelNamesMapping()[level]))
    logging.getLogger("ptcc").setLevel(level)
    # httpx logs every request URL, token included, at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    redact = RedactSecrets(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
        if log_format == "json":
            handler.setFormatter(JsonLines())
