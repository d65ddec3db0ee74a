"""Meeting times as people type them, and working-day deadlines."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.services.core.calendar import BadMeetingTime, add_working_days, parse_meeting_time, show_moment

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=timezone.utc)  # Sunday, 12:00 in Moscow


@pytest.mark.parametrize(
    ("typed", "expected_local"),
    [
        ("10.02 12:00", "10.02.27 в 12:00"),  # February has passed this year: the next one
        ("10.02.2027 12:00", "10.02.27 в 12:00"),
        ("10.02.27 12:00", "10.02.27 в 12:00"),
        ("25.11 9:30", "25.11.26 в 09:30"),
        ("завтра 12:00", "23.11.26 в 12:00"),
        ("Завтра в 8.15", "23.11.26 в 08:15"),
        ("сегодня 13:00", "22.11.26 в 13:00"),
    ],
)
def test_accepted_forms(typed: str, expected_local: str) -> None:
    assert show_moment(parse_meeting_time(typed, NOW, MSK), MSK) == expected_local


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("31.02 12:00", "Даты 31.02 не бывает"),
        ("10.02", "Укажите и время"),
        ("25:00 завтра", "Не понял"),
        ("завтра 25:00", "Времени 25:00 не бывает"),
        ("в понедельник", "Не понял"),
        ("20.11 12:00", "уже прошло"),  # two days ago: a mistake, not next year
        ("22.11.2026 11:00", "уже прошло"),
        ("сегодня 12:20", "не раньше чем через 35 минут"),
    ],
)
def test_refused_with_reason_and_format(typed: str, reason: str) -> None:
    with pytest.raises(BadMeetingTime) as caught:
        parse_meeting_time(typed, NOW, MSK)
    assert reason in str(caught.value)
    assert "10.02 12:00" in str(caught.value)  # the expected format is always shown


def test_working_days_skip_weekends() -> None:
    friday = datetime(2026, 11, 20, 15, 0, tzinfo=timezone.utc)
    assert add_working_days(friday, 1, MSK).astimezone(MSK).date().isoformat() == "2026-11-23"
    assert add_working_days(friday, 3, MSK).astimezone(MSK).date().isoformat() == "2026-11-25"
    assert add_working_days(friday, 3, MSK).astimezone(MSK).hour == 23


def test_working_days_skip_public_holidays_and_count_working_saturdays() -> None:
    before_new_year = datetime(2026, 12, 30, 10, 0, tzinfo=MSK)  # Wednesday
    # 31.12.2026 is a day off by decree, 1–8 January are holidays, then a weekend
    assert add_working_days(before_new_year, 1, MSK).astimezone(MSK).date().isoformat() == "2027-01-11"
    before_defenders_day = datetime(2027, 2, 19, 10, 0, tzinfo=MSK)  # Friday
    # Saturday 20.02.2027 is a working day (moved to Monday 22.02), 23.02 is a holiday
    assert add_working_days(before_defenders_day, 1, MSK).astimezone(MSK).date().isoformat() == "2027-02-20"
    assert add_working_days(before_defenders_day, 2, MSK).astimezone(MSK).date().isoformat() == "2027-02-24"
