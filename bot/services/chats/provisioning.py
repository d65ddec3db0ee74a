"""Creating stored chats in the messenger, many to a request, never one twice.

The messenger does not de-duplicate chat creation, so each chat records, before it is asked
for, the highest chat id known at that moment (`Chat.create_after`). When an answer is lost (a
crash, a cut connection, an ambiguous error) the chat stays pending with that mark; the next
attempt first looks for it among the chats the messenger made after the mark, by title, and
only creates what is not there — so a retry never leaves an orphan chat.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, cast

from bot.services.core.ports import MadeChat, MessengerError, MessengerUnavailable, chat_peer
from storage.models import Chat

log = logging.getLogger(__name__)

Progress = Callable[[int, int], Awaitable[None]]
PARALLEL_REQUESTS = 4  # creation requests in flight at once (latency, not the rate limit)


class ChatMaker(Protocol):
    chats_per_call: int

    async def create_chats(self, titles: Sequence[str]) -> Sequence[MadeChat]: ...

    async def chats_created_after(self, chat_id: int) -> list[tuple[int, str]]: ...

    async def invite_link(self, peer_id: int, *, reset: bool = False) -> str: ...


async def _highest_chat_id() -> int:
    row = await Chat.filter(vk_chat_id__not_isnull=True).order_by("-vk_chat_id").first()
    return int(row.vk_chat_id or 0) if row is not None else 0


class ChatProvisioner:
    def __init__(self, messenger: ChatMaker) -> None:
        self._messenger = messenger

    async def create(
        self, chats: Sequence[Chat], progress: Progress | None = None
    ) -> tuple[list[tuple[Chat, MessengerError | None]], MessengerUnavailable | None]:
        """Give each pending chat its messenger chat and invite link (saved on the row): each
        chat done with the refusal that failed it or None, and — when the messenger went away
        or an answer was lost — that error (the chats not done stay pending, to be reconciled
        by the next call)."""
        await self._reconcile([c for c in chats if c.vk_chat_id is None and c.create_after is not None])
        outcome: dict[int, MessengerError | None] = {}
        unavailable: list[MessengerUnavailable] = []
        todo = [c for c in chats if c.vk_chat_id is None]
        step = max(1, getattr(self._messenger, "chats_per_call", 1))
        done = len(chats) - len(todo)
        gate = asyncio.Semaphore(PARALLEL_REQUESTS)

        async def make(group: list[Chat]) -> None:
            nonlocal done
            async with gate:
                if unavailable:
                    return
                mark = await _highest_chat_id()  # recorded before the request is sent
                await Chat.filter(id__in=[c.id for c in group]).update(create_after=mark)
                for chat in group:
                    chat.create_after = mark
                made = await self._messenger.create_chats([c.title for c in group])
                for chat, result in zip(group, made, strict=True):
                    if result.chat_id is not None:
                        chat.vk_chat_id, chat.peer_id = result.chat_id, chat_peer(result.chat_id)
                        chat.invite_link = result.link
                        await chat.save(update_fields=["vk_chat_id", "peer_id", "invite_link"])
                    if isinstance(result.error, MessengerUnavailable):
                        unavailable.append(result.error)
                    elif result.error is not None and result.chat_id is None:
                        outcome[chat.id] = result.error
                done += len(group)
                if progress is not None and not unavailable:
                    await progress(done, len(chats))

        await asyncio.gather(*(make(todo[i : i + step]) for i in range(0, len(todo), step)))
        if unavailable:
            finished = [c for c in chats if c.invite_link or c.id in outcome]
            return [(c, outcome.get(c.id)) for c in finished], unavailable[0]
        for chat in chats:  # made earlier (or just found) but without a link yet
            if chat.id not in outcome and chat.vk_chat_id is not None and not chat.invite_link:
                try:
                    chat.invite_link = await self._messenger.invite_link(chat.peer_id or 0)
                    await chat.save(update_fields=["invite_link"])
                except MessengerUnavailable as exc:
                    finished = [c for c in chats if c.invite_link or c.id in outcome]
                    return [(c, outcome.get(c.id)) for c in finished], exc
                except MessengerError as exc:
                    outcome[chat.id] = exc
        return [(chat, outcome.get(chat.id)) for chat in chats], None

    async def _reconcile(self, uncertain: list[Chat]) -> None:
        """Chats whose creation was asked for but whose answer never arrived: the ones the
        messenger made are found by title among its chats numbered above the mark."""
        if not uncertain:
            return
        found = await self._messenger.chats_created_after(min(c.create_after or 0 for c in uncertain))
        rows = await Chat.filter(vk_chat_id__in=[chat_id for chat_id, _ in found]).values_list(
            "vk_chat_id", flat=True
        )
        known = set(cast("list[int]", rows))  # flat=True: the values themselves
        free = [(chat_id, title) for chat_id, title in found if chat_id not in known]
        for chat in sorted(uncertain, key=lambda c: c.id):
            match = next(
                (f for f in free if f[1] == chat.title and f[0] > (chat.create_after or 0)), None
            )
            if match is None:
                continue  # never made: created as usual
            free.remove(match)
            log.info("chat %s was made in the messenger (%s) before its answer was lost", chat.id, match[0])
            chat.vk_chat_id, chat.peer_id = match[0], chat_peer(match[0])
            await chat.save(update_fields=["vk_chat_id", "peer_id"])

