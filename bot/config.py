"""Settings from the environment and `.env` (pydantic-settings).

No VK token means sandbox mode: `main.py` starts the local VK-compatible server and points the
bot at it. Nothing else in `bot/` looks at which mode it is in: only `vk_api_url` differs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

VK_API_URL = "https://api.vk.ru/method/"
DATABASE_FILE = "bot.sqlite3"  # the embedded default's database, inside DATA_DIR


class JobIntervals(BaseModel):
    """Seconds between two runs of each scheduled job (`bot/jobs.py`); every job also runs once
    at start-up. Tests shorten them (`JobIntervals.every(0.1)`); `JOB_INTERVALS` takes JSON."""

    model_config = {"extra": "forbid"}

    meetings_due: float = Field(default=30, gt=0)  # links at T-30, closing at the end
    broadcasts_due: float = Field(default=60, gt=0)  # quiet hours over, crashed ones resumed
    ticket_deadlines: float = Field(default=600, gt=0)
    resume_pending_chats: float = Field(default=600, gt=0)
    remind_stalled: float = Field(default=1800, gt=0)
    uptake_summaries: float = Field(default=1800, gt=0)
    weekly_summaries: float = Field(default=3600, gt=0)
    forget_old_events: float = Field(default=6 * 3600, gt=0)

    @classmethod
    def every(cls, seconds: float) -> JobIntervals:
        return cls(**{name: seconds for name in cls.model_fields})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    vk_token: SecretStr | None = Field(default=None, description="community access token")
    vk_group_id: int | None = Field(default=None, gt=0)
    vk_api_url: str = VK_API_URL
    # Empty: the embedded default, DATA_DIR/bot.sqlite3 (filled in by `_database_in_data_dir`).
    database_url: str = ""
    # SQLite: how long a write waits for another process's lock before it fails (and is retried).
    sqlite_busy_timeout_seconds: float = Field(default=5.0, ge=0, le=600)
    # Not TIMEZONE: tortoise-orm writes that variable into os.environ when it starts.
    default_timezone: str = "Europe/Moscow"
    vk_rate_limit: float = Field(default=20.0, gt=0, le=1000)
    # One limit for the token across every process on the database (`bot/vk/shared_rate_limit.py`);
    # unset: on with PostgreSQL, off with SQLite (one process).
    vk_rate_limit_shared: bool | None = None
    # How events arrive: Bots Long Poll (one process) or the Callback API (`bot/runtime/callback.py`,
    # any number of processes behind a load balancer; see docs/deploy.md).
    vk_transport: Literal["longpoll", "callback"] = "longpoll"
    callback_host: str = "127.0.0.1"
    callback_port: int = Field(default=8081, ge=0, le=65535)
    callback_path: str = Field(default="/vk/callback", pattern=r"^/[A-Za-z0-9/_.-]*$")
    # The same for every process and the registered server: Latin letters and digits, ≤ 50.
    callback_secret: SecretStr | None = None
    # Overloaded: more requests storing at once, or more events waiting in the inbox, than these;
    # VK is then told to come back after callback_retry_after_seconds (429 / 503 + Retry-After).
    callback_max_in_flight: int = Field(default=200, ge=1, le=100_000)
    callback_max_backlog: int = Field(default=20_000, ge=1, le=10_000_000)
    callback_retry_after_seconds: int = Field(default=5, ge=1, le=3600)
    # A process's claim on inbox events lasts this long (renewed while it works): a killed
    # process's events are taken over after it. Idle processes look at the inbox this often.
    inbox_lease_seconds: float = Field(default=30.0, ge=1, le=3600)
    inbox_poll_seconds: float = Field(default=0.2, gt=0, le=60)
    inbox_batch: int = Field(default=100, ge=1, le=10_000)
    vk_max_attempts: int = Field(default=6, ge=1, le=20)
    # Bulk work through `execute`: broadcasts 2,500 chats a request, chat creation 12 chats
    # with their links a request (off: one messages.send of 100 peers, one chat, a request).
    vk_execute: bool = True
    invitation_ttl_hours: int = Field(default=72, ge=1)
    onboarding_reminder_hours: int = Field(default=48, ge=1)
    deadline_days_uk: int = Field(default=3, ge=1, le=60)  # working days to answer a ticket
    deadline_days_administration: int = Field(default=5, ge=1, le=60)
    deadline_days_rso: int = Field(default=2, ge=1, le=60)
    meeting_minutes: int = Field(default=60, ge=10, le=600)
    meeting_link_lead_minutes: int = Field(default=30, ge=5, le=120)
    # With several processes one runs the scheduled jobs; if it dies another takes over after this.
    scheduler_lease_seconds: int = Field(default=40, ge=3, le=600)
    job_intervals: JobIntervals = JobIntervals()
    # A failed iteration of a long-running loop (polling, a job, a flush) or a failed update is
    # retried after retry_first_seconds, doubling up to retry_max_seconds. A loop that fails
    # task_max_failures times in a row gives up: the process exits non-zero for its supervisor.
    retry_first_seconds: float = Field(default=0.5, gt=0, le=60)
    retry_max_seconds: float = Field(default=30.0, gt=0, le=3600)
    task_max_failures: int = Field(default=10, ge=1, le=1000)
    # On stop: how long updates in progress may take before they are cancelled.
    stop_timeout_seconds: float = Field(default=10.0, ge=0, le=600)
    # Posters of many chats go as PDF documents of at most this many bytes (VK takes documents
    # up to 200 MB), rendered by this many processes (0: one per core).
    poster_document_max_bytes: int = Field(default=190_000_000, ge=20_000, le=200_000_000)
    poster_workers: int = Field(default=0, ge=0, le=64)
    sms_provider: Literal["sandbox", "smsru"] = "sandbox"
    sms_api_key: SecretStr | None = None
    sms_sender: str | None = None  # with SMS.ru: only a sender name approved in the account
    sms_outbox_url: str = "http://127.0.0.1:8080/sandbox/sms"
    sandbox_host: str = "127.0.0.1"
    sandbox_port: int = Field(default=8080, ge=0, le=65535)
    data_dir: Path = Path("data")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"  # the bot's own lines
    library_log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"неизвестный часовой пояс «{value}»") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        schemes = ("sqlite://", "postgres://", "postgresql://", "psycopg://")
        if value and not value.startswith(schemes):
            raise ValueError("ожидается sqlite://… или postgres://…")
        return value

    @model_validator(mode="after")
    def _database_in_data_dir(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite://{self.default_database_path}"
        return self

    @model_validator(mode="after")
    def _token_needs_group(self) -> Settings:
        if self.vk_token is not None and self.vk_group_id is None:
            raise ValueError("с VK_TOKEN нужно указать и VK_GROUP_ID (id сообщества)")
        if self.vk_rate_limit_shared and not self.postgres:
            raise ValueError("VK_RATE_LIMIT_SHARED=true работает только с PostgreSQL (DATABASE_URL)")
        if self.vk_transport == "callback":
            secret = self.callback_secret.get_secret_value() if self.callback_secret else ""
            if not (secret.isascii() and secret.isalnum() and len(secret) <= 50):
                raise ValueError(
                    "для VK_TRANSPORT=callback нужен CALLBACK_SECRET: до 50 латинских букв и цифр"
                )
        if self.sms_provider == "smsru" and self.sms_api_key is None:
            raise ValueError("для SMS_PROVIDER=smsru нужен SMS_API_KEY (api_id из кабинета SMS.ru)")
        return self

    @property
    def sandbox_mode(self) -> bool:
        return self.vk_token is None

    @property
    def postgres(self) -> bool:
        return not self.database_url.startswith("sqlite://")

    @property
    def default_database_path(self) -> Path:
        """Where the embedded default keeps the bot's database (DATABASE_URL unset)."""
        return self.data_dir / DATABASE_FILE


class SettingsError(Exception):
    """A setting is wrong; `str()` is one line for the operator (Russian)."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(describe_validation_error(exc)) from None


def describe_validation_error(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error["loc"]).upper()
        message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{field}: {message}" if field else message)
    return "Ошибка настройки — " + "; ".join(parts)
