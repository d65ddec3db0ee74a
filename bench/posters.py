"""Benchmark of posters: `python -m bench.posters [--chats N] [--samples N] [--baseline N]`.

1. One poster (target: under 300 ms), against an A4 page with one line of text in a built-in
   font, measured in the same run.
2. «Скачать плакаты» for a whole region (target: 15,000 posters in ≤ 60 s, every document
   ≤ 200 MB), through the real service and its process pool on a temporary SQLite database,
   with the event loop's longest stall meanwhile (it must stay free for replies).
3. The baseline, in the same run: the former way, a PDF file per poster in a ZIP, measured on
   `--baseline` posters and scaled to N.

Prints a table, then one JSON object with the figures as the last line.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import tempfile
import time
import zipfile

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from bench.common import bench_staff, report
from bot.services.chats.poster_book import PosterPrinter
from bot.services.core.access import load_actor
from bot.services.chats.poster_pdf import PosterContent, render_poster
from bot.services.chats.posters import PosterService
from storage.db import close_database, init_database
from storage.models import Chat, ChatKind, ChatStatus

VK_DOCUMENT_MB = 200
TARGET_SECONDS = 60


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


def content(index: int) -> PosterContent:
    return PosterContent(
        title=f"Улица Строителей {index // 8 + 1}, подъезд {index % 8 + 1}",
        municipality="Бенч-город",
        community="Домовые чаты",
        invite_link=f"https://vk.me/join/bench{index:06d}",
        code="7KQM-4WXP",
    )


def one_poster(samples: int) -> dict[str, float]:
    counter = iter(range(10**9))

    def poster() -> None:
        render_poster(content(next(counter)))  # a new link each time

    first = median_ms(1, poster)  # fonts load once per process
    base = median_ms(samples, baseline_page)
    each = median_ms(samples, poster)
    return {
        "first_poster_ms": round(first, 1),
        "baseline_page_ms": round(base, 2),
        "poster_ms": round(each, 1),
        "ratio_to_baseline": round(each / base, 1),
    }


def zip_of_files(sample: int, chats: int) -> dict[str, float]:
    """The former way: a PDF per poster, all in a ZIP; measured on `sample`, scaled."""
    started = time.perf_counter()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for index in range(sample):
            archive.writestr(f"{index}.pdf", render_poster(content(index)))
    elapsed = time.perf_counter() - started
    scale = chats / sample
    return {
        "sample": sample,
        "projected_s": round(elapsed * scale, 1),
        "projected_mb": round(len(buffer.getvalue()) * scale / 1_000_000, 1),
    }


async def loop_stall(stop: asyncio.Event, every: float = 0.01) -> float:
    """The longest the event loop was kept from running a 10 ms timer, in ms."""
    loop = asyncio.get_running_loop()
    worst = 0.0
    while not stop.is_set():
        before = loop.time()
        await asyncio.sleep(every)
        worst = max(worst, loop.time() - before - every)
    return worst * 1000


async def batch(chats: int, workers: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        await init_database(f"sqlite://{tmp}/bot.sqlite3")
        try:
            municipality, _ = await bench_staff()
            await Chat.bulk_create(
                [
                    Chat(
                        municipality=municipality,
                        title=content(i).title,
                        title_key=content(i).title.lower(),
                        kind=ChatKind.ENTRANCE,
                        status=ChatStatus.ACTIVE,
                        vk_chat_id=i + 1,
                        peer_id=2_000_000_001 + i,
                        invite_link=content(i).invite_link,
                    )
                    for i in range(chats)
                ],
                batch_size=1000,
            )
            printer = PosterPrinter(max_bytes=190_000_000, workers=workers)
            service = PosterService("Домовые чаты", printer)
            actor = await load_actor(999)
            stop = asyncio.Event()
            stall = asyncio.create_task(loop_stall(stop))
            started = time.perf_counter()
            documents = await service.documents(actor, municipality.id)
            elapsed = time.perf_counter() - started
            stop.set()
            worst_stall = await stall
            await service.close()
        finally:
            await close_database()
    sizes = [len(d.content) for d in documents]
    return {
        "posters": documents[-1].last if documents else 0,
        "workers": printer.workers,
        "seconds": round(elapsed, 2),
        "documents": len(documents),
        "largest_document_mb": round(max(sizes, default=0) / 1_000_000, 1),
        "total_mb": round(sum(sizes) / 1_000_000, 1),
        "per_poster_kb": round(sum(sizes) / max(chats, 1) / 1000, 2),
        "event_loop_stall_ms": round(worst_stall, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=15_000)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--baseline", type=int, default=300, help="posters the baseline renders")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    single = one_poster(args.samples)
    former = zip_of_files(min(args.baseline, args.chats), args.chats)
    whole = asyncio.run(batch(args.chats, args.workers))
    ok = (
        whole["posters"] == args.chats
        and whole["seconds"] <= TARGET_SECONDS
        and whole["largest_document_mb"] <= VK_DOCUMENT_MB
    )
    rows = [
        ("one poster, ms (target < 300)", single["poster_ms"]),
        ("baseline: one-line A4 page, ms", single["baseline_page_ms"]),
        (f"baseline: ZIP of {args.chats} PDF files, s (projected)", former["projected_s"]),
        (f"baseline: ZIP of {args.chats} PDF files, MB (projected)", former["projected_mb"]),
        ("posters in the documents", whole["posters"]),
        ("worker processes", whole["workers"]),
        (f"documents, s (target ≤ {TARGET_SECONDS})", whole["seconds"]),
        ("documents", whole["documents"]),
        (f"largest document, MB (limit {VK_DOCUMENT_MB})", whole["largest_document_mb"]),
        ("all documents, MB", whole["total_mb"]),
        ("longest event-loop stall meanwhile, ms", whole["event_loop_stall_ms"]),
    ]
    report(rows, {"poster": single, "baseline_zip": former, "documents": whole, "ok": ok})


if __name__ == "__main__":
    main()
