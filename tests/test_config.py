"""Settings: defaults, sandbox mode, and one clear line for a wrong setting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("VK_TOKEN", "VK_GROUP_ID", "DATABASE_URL", "DEFAULT_TIMEZONE", "VK_RATE_LIMIT",
                 "DATA_DIR", "JOB_INTERVALS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_are_the_embedded_sandbox() -> None:
    settings = load_settings()
    assert settings.sandbox_mode
    assert settings.database_url.startswith("sqlite://data/")
    assert settings.default_timezone == "Europe/Moscow"
    assert settings.vk_rate_limit == 20


def test_token_means_vk_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VK_TOKEN", "secret")
    monkeypatch.setenv("VK_GROUP_ID", "42")
    settings = load_settings()
    assert not settings.sandbox_mode
    assert settings.vk_group_id == 42


def test_dotenv_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DEFAULT_TIMEZONE=Asia/Yekaterinburg\n", encoding="utf-8")
    assert load_settings().default_timezone == "Asia/Yekaterinburg"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DEFAULT_TIMEZONE": "Mars/Olympus"}, "DEFAULT_TIMEZONE: неизвестный часовой пояс «Mars/Olympus»"),
        ({"VK_RATE_LIMIT": "много"}, "VK_RATE_LIMIT"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL: ожидается sqlite://… или postgres://…"),
        ({"VK_TOKEN": "t"}, "нужно указать и VK_GROUP_ID"),
    ],
)
def test_wrong_setting_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message


def test_main_stops_with_one_line_not_a_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py")],
        cwd=tmp_path,
        env={"DEFAULT_TIMEZONE": "Nowhere/Town", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Ошибка настройки — DEFAULT_TIMEZONE: неизвестный часовой пояс «Nowhere/Town»"
    )
    assert "Traceback" not in result.stderr + result.stdout


def test_regression_tortoise_timezone_variable_does_not_leak_into_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """tortoise-orm sets os.environ["TIMEZONE"] = "UTC" when it starts; a bot started after it
    in the same process once took every municipality for UTC (daily summaries at 13:00)."""
    monkeypatch.setenv("TIMEZONE", "UTC")
    assert load_settings().default_timezone == "Europe/Moscow"


def test_the_default_database_lives_in_the_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATA_DIR", "/srv/домовые")
    settings = load_settings()
    assert settings.database_url == "sqlite:///srv/домовые/bot.sqlite3"
    monkeypatch.setenv("DATABASE_URL", "postgres://bot@db/domovye")
    assert load_settings().database_url == "postgres://bot@db/domovye"


def test_job_intervals_come_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOB_INTERVALS", '{"meetings_due": 15}')
    intervals = load_settings().job_intervals
    assert intervals.meetings_due == 15 and intervals.broadcasts_due == 60
    monkeypatch.setenv("JOB_INTERVALS", '{"meeting_due": 15}')
    with pytest.raises(SettingsError, match="JOB_INTERVALS.MEETING_DUE"):
        load_settings()


@pytest.mark.parametrize("secret", [None, "", "with space", "пароль", "a" * 51, "semi;colon"])
def test_callback_mode_needs_a_secret_vk_accepts(secret: str | None) -> None:
    settings = {"vk_token": "t", "vk_group_id": 1, "vk_transport": "callback"}
    if secret is not None:
        settings["callback_secret"] = secret
    with pytest.raises(SettingsError, match="CALLBACK_SECRET"):
        load_settings(_env_file=None, **settings)
    assert load_settings(_env_file=None, **{**settings, "callback_secret": "Abc123" * 8})


def test_the_shared_rate_limit_follows_the_database() -> None:
    from bot.app import build_limiter
    from bot.vk.rate_limit import RateLimiter
    from bot.vk.shared_rate_limit import SharedRateLimiter

    sqlite = load_settings(_env_file=None, database_url="sqlite:///tmp/x.sqlite3")
    postgres = load_settings(_env_file=None, database_url="postgres://u@h:5432/d")
    assert isinstance(build_limiter(sqlite), RateLimiter)
    assert isinstance(build_limiter(postgres), SharedRateLimiter)
    off = postgres.model_copy(update={"vk_rate_limit_shared": False})
    assert isinstance(build_limiter(off), RateLimiter)
    with pytest.raises(SettingsError, match="VK_RATE_LIMIT_SHARED"):
        load_settings(_env_file=None, database_url="sqlite:///tmp/x.sqlite3",
                      vk_rate_limit_shared=True)
