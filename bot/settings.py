"""The bot's settings, from the environment or a .env file (pydantic-settings).

A bad value stops start-up with a message that names the setting.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.logs import LogFormat, LogLevel
from ptcc_core.privacy import Retention

TOKEN_SHAPE = re.compile(r"\d{5,15}:[A-Za-z0-9_-]{30,60}")
# Telegram allows 1-256 of these characters; anything shorter than 32 can be guessed.
SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,256}")
MAKE_SECRET = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


class SettingsError(Exception):
    """A setting has a bad value; the message names it and says what to fix."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    telegram_bot_token: SecretStr | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    ptcc_db: str | None = Field(default=None, alias="PTCC_DB")
    ptcc_bot_api_url: str = Field(default="https://api.telegram.org/bot", alias="PTCC_BOT_API_URL")
    ptcc_webhook_url: str | None = Field(default=None, alias="PTCC_WEBHOOK_URL")
    ptcc_webhook_secret: SecretStr | None = Field(default=None, alias="PTCC_WEBHOOK_SECRET")
    ptcc_webhook_listen: str = Field(default="0.0.0.0", alias="PTCC_WEBHOOK_LISTEN")
    ptcc_webhook_port: int = Field(default=8443, ge=1, le=65535, alias="PTCC_WEBHOOK_PORT")
    # Connections the webhook server keeps open at once (Telegram opens up to 100), and the
    # seconds a connection may take to send a request, or sit idle, before it is closed.
    ptcc_webhook_max_connections: int = Field(
        default=256, ge=1, le=100_000, alias="PTCC_WEBHOOK_MAX_CONNECTIONS"
    )
    ptcc_webhook_read_timeout: float = Field(
        default=10, gt=0, le=300, alias="PTCC_WEBHOOK_READ_TIMEOUT"
    )
    # Telegram allows a bot about 30 messages a second in all; 0 turns the limiter off (for a
    # self-hosted Bot API server or the benchmarks' fake one).
    ptcc_rate_limit: float = Field(default=30, ge=0, le=1000, alias="PTCC_RATE_LIMIT")
    # Webhook mode: updates one process handles at once, and how long an update stays with a
    # process before another may take it over (it renews the lease while it works).
    ptcc_workers: int = Field(default=16, ge=1, le=1000, alias="PTCC_WORKERS")
    ptcc_inbox_lease: float = Field(default=30, ge=1, le=3600, alias="PTCC_INBOX_LEASE")
    # How long unanswered questions (scrubbed) and unused sessions are kept, in days.
    ptcc_question_retention_days: int = Field(
        default=90, ge=1, le=3650, alias="PTCC_QUESTION_RETENTION_DAYS"
    )
    ptcc_session_retention_days: int = Field(
        default=365, ge=1, le=3650, alias="PTCC_SESSION_RETENTION_DAYS"
    )
    ptcc_admin_ids: Annotated[tuple[int, ...], NoDecode] = Field(default=(), alias="PTCC_ADMIN_IDS")
    # Prometheus metrics (bot/metrics.py): off unless a port is given.
    ptcc_metrics_port: int | None = Field(default=None, ge=1, le=65535, alias="PTCC_METRICS_PORT")
    ptcc_metrics_host: str = Field(default="127.0.0.1", alias="PTCC_METRICS_HOST")
    ptcc_log_format: LogFormat = Field(default="text", alias="PTCC_LOG_FORMAT")
    ptcc_log_level: LogLevel = Field(default="INFO", alias="PTCC_LOG_LEVEL")

    @field_validator("ptcc_admin_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(int(part) for part in value.replace(" ", "").split(",") if part)
        return value

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_bot_token")
    @classmethod
    def _shaped_like_a_token(cls, value: SecretStr | None) -> SecretStr | None:
        # Checked here, before any request: a typo is named without asking Telegram, and
        # the message never repeats the value.
        if value is not None and not TOKEN_SHAPE.fullmatch(value.get_secret_value().strip()):
            raise ValueError(
                "this is not a bot token (a token is the bot's number, a colon and about 35 "
                "letters, digits, - or _); copy it again from @BotFather (/mybots, API Token)"
            )
        return SecretStr(value.get_secret_value().strip()) if value is not None else None

    @model_validator(mode="after")
    def _webhook_needs_a_secret(self) -> Settings:
        # Without it anyone who finds the URL can post updates as any user.
        if self.ptcc_webhook_url:
            secret = self.ptcc_webhook_secret
            if secret is None or not SECRET_SHAPE.fullmatch(secret.get_secret_value()):
                raise ValueError(
                    "webhook mode needs PTCC_WEBHOOK_SECRET: 32 to 256 random letters, digits, "
                    f"_ or -, for example from: {MAKE_SECRET}"
                )
        return self

    def secrets(self) -> dict[str, str]:
        """What the logs must never show, by name."""
        return {
            name: secret.get_secret_value()
            for name, secret in (
                ("token", self.telegram_bot_token),
                ("webhook secret", self.ptcc_webhook_secret),
            )
            if secret is not None
        }

    def retention(self) -> Retention:
        return Retention(
            question_days=self.ptcc_question_retention_days,
            session_days=self.ptcc_session_retention_days,
        )


def load_settings() -> Settings:
    """Settings from the environment; raise SettingsError naming any bad setting."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            message = str(err["msg"]).removeprefix("Value error, ")
            # A check across settings names the setting in its own message.
            problems.append(f"{str(err['loc'][0]).upper()}: {message}" if err["loc"] else message)
        raise SettingsError("bad setting: " + "; ".join(problems)) from None
