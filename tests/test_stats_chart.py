"""The activity chart: a PNG of a fixed size, with or without data."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image

from bot.services.stats.activity import DayPoint
from bot.services.stats.chart import render_chart

MONTH = [DayPoint(date(2025, 5, 1) + timedelta(days=n), (n * 7) % 23, 10 + n) for n in range(30)]


@pytest.mark.parametrize("series", [MONTH, MONTH[-1:], []], ids=["month", "one day", "empty"])
def test_the_chart_is_a_1200_by_600_png(series: list[DayPoint]) -> None:
    png = render_chart("«Плесецкая 16, 7 подъезд»: сообщения и участники", series)
    image = Image.open(io.BytesIO(png))
    image.load()
    assert (image.format, image.size) == ("PNG", (1200, 600))
