"""Dates and times people type, and deadlines counted in working days."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from bot.services.core.errors import DomainError

MIN_LEAD = timedelta(minutes=35)  # the link is posted 30 minutes before; leave a little room
RECENT_PAST = timedelta(days=31)  # «10.02» in the past: a typo if this recent, else next year
FORMAT_HINT = "Напишите дату и время, например «10.02 12:00», «10.02.2027 12:00» или «завтра 12:00»."

_DATE_TIME = re.compile(
    r"^\s*(?:(?P<word>сегодня|завтра|послезавтра)|(?P<day>\d{1,2})[./](?P<month>\d{1,2})"
    r"(?:[./](?P<year>\d{2}|\d{4}))?)(?:\s*(?:в|,)?\s*(?P<hour>\d{1,2})[:.](?P<minute>\d{2}))?\s*$",
    re.IGNORECASE,
)
_WORDS = {"сегодня": 0, "завтра": 1, "послезавтра": 2}


class BadMeetingTime(DomainError):
    def __init__(self, reason: str) -> None:
        super().__init__(f"{reason} {FORMAT_HINT}")


def parse_meeting_time(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """A meeting start typed by a person, in the municipality's time zone (returned in UTC).

    Refuses malformed input, impossible dates, a missing time, the past, and anything less than
    35 minutes ahead — each with the reason and the expected format.
    """
    match = _DATE_TIME.match(text.lower().replace("ё", "е"))
    if match is None:
        raise BadMeetingTime("Не понял дату и время.")
    if match["hour"] is None:
        raise BadMeetingTime("Укажите и время встречи.")
    local_now = now.astimezone(zone)
    try:
        clock = time(int(match["hour"]), int(match["minute"]))
    except ValueError:
        raise BadMeetingTime(f"Времени {match['hour']}:{match['minute']} не бывает.") from None
    if match["word"]:
        day = local_now.date() + timedelta(days=_WORDS[match["word"]])
        start = datetime.combine(day, clock, zone)
    else:
        start = _dated(match, clock, local_now, zone)
    if start <= local_now:
        raise BadMeetingTime("Это время уже прошло.")
    if start - local_now < MIN_LEAD:
        raise BadMeetingTime(
            "Встречу можно назначить не раньше чем через 35 минут: ссылку на чат мы присылаем "
            "за 30 минут до начала."
        )
    return start.astimezone(ZoneInfo("UTC"))


def _dated(match: re.Match[str], clock: time, local_now: datetime, zone: ZoneInfo) -> datetime:
    day, month = int(match["day"]), int(match["month"])
    year_text = match["year"]
    year = local_now.year if year_text is None else int(year_text) + (2000 if len(year_text) == 2 else 0)
    try:
        start = datetime.combine(date(year, month, day), clock, zone)
    except ValueError:
        raise BadMeetingTime(f"Даты {day:02d}.{month:02d} не бывает.") from None
    if year_text is None and start <= local_now and local_now - start > RECENT_PAST:
        try:
            start = start.replace(year=year + 1)  # «10.02» in November means next February
        except ValueError:  # 29.02 of a leap year: the next year has none
            raise BadMeetingTime(f"Даты {day:02d}.{month:02d} в следующем году не будет.") from None
    return start


def show_moment(moment: datetime, zone: ZoneInfo) -> str:
    """«10.02.27 в 12:00» in the municipality's time zone."""
    local = moment.astimezone(zone)
    return f"{local:%d.%m.%y} в {local:%H:%M}"


@cache
def _russian_calendar() -> holidays.HolidayBase:
    """Russia's production calendar: public holidays, days off moved by decree, working Saturdays."""
    return holidays.country_holidays("RU")


def add_working_days(start: datetime, days: int, zone: ZoneInfo) -> datetime:
    """The end (23:59 local) of the `days`-th working day after `start` by Russia's production
    calendar (weekends and public holidays skipped, working Saturdays counted)."""
    day = _russian_calendar().get_nth_working_day(start.astimezone(zone).date(), days)
    return datetime.combine(day, time(23, 59), zone).astimezone(ZoneInfo("UTC"))
