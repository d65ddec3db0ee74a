"""A chat's activity chart: messages per day (bars) and members (a line), as a PNG.

Pure rendering, CPU-bound: callers run it off the event loop (`asyncio.to_thread`). It draws
with the Agg canvas directly (no pyplot, no display) and the vendored DejaVu Sans (Cyrillic).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, DateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.services.stats.activity import DayPoint

FONT = Path(__file__).resolve().parents[3] / "assets" / "fonts" / "DejaVuSans.ttf"
WIDTH, HEIGHT, DPI = 1200, 600, 100
BARS = "#5181B8"
LINE = "#E07A1F"

font_manager.fontManager.addfont(str(FONT))
FONT_FAMILY = font_manager.FontProperties(fname=FONT).get_name()
_rendering = threading.Lock()  # rc settings are process-wide: one chart at a time


def render_chart(title: str, series: Sequence[DayPoint]) -> bytes:
    with _rendering, matplotlib.rc_context({"font.family": FONT_FAMILY, "font.size": 12}):
        figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, layout="constrained")
        canvas = FigureCanvasAgg(figure)
        _draw(figure, title, series)
        buffer = io.BytesIO()
        canvas.print_png(buffer)
    return buffer.getvalue()


def _draw(figure: Figure, title: str, series: Sequence[DayPoint]) -> None:
    days = [point.day for point in series]
    messages = figure.add_subplot()
    messages.bar(
        days,  # type: ignore[arg-type]  # matplotlib plots dates; its stubs take numbers only
        [p.messages for p in series], width=0.8, color=BARS, label="Сообщений за день",
    )
    members = messages.twinx()
    members.plot(days, [p.members for p in series], color=LINE, marker="o", markersize=4,  # type: ignore[arg-type]
                 linewidth=2, label="Участников")
    messages.set_ylabel("Сообщений за день")
    members.set_ylabel("Участников")
    for axis in (messages, members):
        axis.set_ylim(bottom=0)
        axis.yaxis.set_major_locator(MaxNLocator(integer=True))
    locator = AutoDateLocator(minticks=5, maxticks=12)
    messages.xaxis.set_major_locator(locator)
    messages.xaxis.set_major_formatter(DateFormatter("%d.%m"))
    messages.grid(axis="y", alpha=0.3)
    handles = [*messages.get_legend_handles_labels()[0], *members.get_legend_handles_labels()[0]]
    messages.legend(handles=handles, loc="upper left")
    messages.set_title(title)
