"""Many posters at once: one multi-page PDF per batch, split into documents under VK's size
limit, rendered on every core without blocking the event loop.

A region's 15,000 posters as separate files would be ~850 MB (each embeds its fonts); as pages
of one document they are ~1.5 KB each. The work runs in a process pool (CPU-bound Python gains
nothing from threads) in two stages: the QR codes of all pages, chunked over the workers; then
the documents, each assembled by one worker from its pages. How many pages a document takes is
planned from a probe (the first pages rendered as a document of their own) and checked after
rendering: a document over the limit is rendered again as two halves.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import math
import multiprocessing
import os
from collections.abc import Sequence
from dataclasses import dataclass

from bot.services.chats.poster_pdf import PosterContent, QrModules, qr_modules, render_posters

PROBE_PAGES = 20
PLAN_MARGIN = 0.9  # plan documents at 90% of the limit: pages differ a little in size
QR_CHUNK = 250  # links a worker turns into QR codes at a time


class PosterTooLarge(Exception):
    """A single poster is over the document limit (a setting far too small)."""


@dataclass(frozen=True)
class PosterDocument:
    first: int  # 1-based number of its first poster in the batch
    last: int
    content: bytes


def _qr_chunk(links: Sequence[str]) -> list[QrModules]:
    return [qr_modules(link) for link in links]


def _render(pages: Sequence[tuple[PosterContent, QrModules]], title: str) -> bytes:
    return render_posters(pages, title)


def _render_within(
    pages: Sequence[tuple[PosterContent, QrModules]], title: str, max_bytes: int
) -> list[tuple[int, bytes]]:
    """`pages` as one document, or as several in order if one would be over `max_bytes`:
    (pages, content) of each."""
    content = render_posters(pages, title)
    if len(content) <= max_bytes:
        return [(len(pages), content)]
    if len(pages) == 1:
        raise PosterTooLarge(f"one poster is {len(content)} bytes, over {max_bytes}")
    half = len(pages) // 2
    return _render_within(pages[:half], title, max_bytes) + _render_within(
        pages[half:], title, max_bytes
    )


class PosterPrinter:
    """Renders batches of posters in a pool of `workers` processes (0: one per core), each
    document at most `max_bytes`. The pool starts with the first batch; `close()` ends it."""

    def __init__(self, *, max_bytes: int, workers: int = 0) -> None:
        self.max_bytes = max_bytes
        self.workers = workers or os.cpu_count() or 1
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None

    def _executor(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            # spawn: forking a process that runs an event loop and threads is unsafe
            self._pool = concurrent.futures.ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn")
            )
        return self._pool

    async def _run(self, function, *args):
        return await asyncio.get_running_loop().run_in_executor(self._executor(), function, *args)

    async def documents(self, contents: Sequence[PosterContent], title: str) -> list[PosterDocument]:
        """The posters of `contents`, a page each in that order, in as few documents as fit."""
        if not contents:
            return []
        chunk = max(1, min(QR_CHUNK, math.ceil(len(contents) / self.workers)))
        qr_parts = await asyncio.gather(
            *(
                self._run(_qr_chunk, [c.invite_link for c in contents[start : start + chunk]])
                for start in range(0, len(contents), chunk)
            )
        )
        pages = list(zip(contents, [qr for part in qr_parts for qr in part], strict=True))

        probe = pages[:PROBE_PAGES]
        probe_size = len(await self._run(_render, probe, title))
        per_page = probe_size / len(probe)  # the fonts counted in: an overestimate
        per_document = max(1, int(self.max_bytes * PLAN_MARGIN / per_page))
        count = math.ceil(len(pages) / per_document)
        size = math.ceil(len(pages) / count)  # even parts
        rendered = await asyncio.gather(
            *(
                self._run(_render_within, pages[start : start + size], title, self.max_bytes)
                for start in range(0, len(pages), size)
            )
        )
        documents: list[PosterDocument] = []
        first = 1
        for parts in rendered:
            for pages_in, content in parts:
                documents.append(PosterDocument(first, first + pages_in - 1, content))
                first += pages_in
        return documents

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
