"""Benchmark of posters: `python -m bench.posters [--chats N] [--samples N]`.

1. One poster (target: under 300 ms), against the baseline of an A4 page with one line of
   text in a built-in font, measured in the same run.
2. The ZIP of posters for a whole municipality («Скачать плакаты»; target: 1,000 under 2 min),
   through the real service on a temporary SQLite database.

Prints a table, then one JSON object with the figures as the last line.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import tempfile
import time

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from bench.common import bench_staff, report
from bot.services.core.access import load_actor
from bot.services.chats.poster_pdf import PosterContent, render_poster
from bot.services.chats.posters import PosterService
from storage.db import close_database, init_database
from storage.models import Chat, ChatKind, ChatStatus


def baseline_page() -> bytes:
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=A4)
    pdf.setFont("Helvetica", 14)
    pdf.drawString(72, 720, "Official house chat")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def median_ms(samples: int, work) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def one_poster(samples: int) -> dict[str, float]:
    def poster(index: list[int] = [0]) -> None:  # noqa: B006 — a counter: a new link each time
        index[0] += 1
        render_poster(
            PosterContent(
                title=f"Плесецкая {index[0]}, 7 подъезд — ЖК «Чистое небо»",
                municipality="Демо-город",
                community="Домовые чаты",
                invite_link=f"https://vk.me/join/AbCdEfGhIjKlMnOpQr{index[0]}",
                code="7KQM-4WXP",
            )
        )

    first = median_ms(1, poster)  # fonts load once per process
    base = median_ms(samples, baseline_page)
    each = median_ms(samples, poster)
    return {
        "first_poster_ms": round(first, 1),
        "baseline_page_ms": round(base, 2),
        "poster_ms": round(each, 1),
        "ratio_to_baseline": round(each / base, 1),
    }


async def archive(chats: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        await init_database(f"sqlite://{tmp}/bot.sqlite3")
        try:
            municipality, staff = await bench_staff()
            await Chat.bulk_create(
                [
                    Chat(
                        municipality=municipality,
                        title=f"Улица Строителей {i // 8 + 1}, подъезд {i % 8 + 1}",
                        title_key=f"улица строителей {i // 8 + 1}, подъезд {i % 8 + 1}",
                        kind=ChatKind.ENTRANCE,
                        status=ChatStatus.ACTIVE,
                        vk_chat_id=i + 1,
                        peer_id=2_000_000_001 + i,
                        invite_link=f"https://vk.me/join/bench{i:06d}",
                    )
                    for i in range(chats)
                ]
            )
            service = PosterService("Домовые чаты")
            actor = await load_actor(999)
            started = time.perf_counter()
            count, content = await service.archive(actor, municipality.id)
            elapsed = time.perf_counter() - started
        finally:
            await close_database()
    return {
        "chats": count,
        "archive_s": round(elapsed, 2),
        "archive_mb": round(len(content) / 1_000_000, 1),
        "per_poster_ms": round(elapsed / max(count, 1) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=1_000)
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()
    single = one_poster(args.samples)
    whole = asyncio.run(archive(args.chats))
    rows = [
        ("first poster of the process, ms", single["first_poster_ms"]),
        ("baseline: one-line A4 page, ms", single["baseline_page_ms"]),
        ("one poster, ms (target < 300)", single["poster_ms"]),
        ("poster / baseline page", single["ratio_to_baseline"]),
        ("posters in the archive", whole["chats"]),
        ("archive, s (target < 120 for 1,000)", whole["archive_s"]),
        ("archive size, MB", whole["archive_mb"]),
    ]
    report(rows, {"poster": single, "archive": whole})

if __name__ == "__main__":
    main()
