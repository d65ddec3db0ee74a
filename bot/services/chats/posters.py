"""Posters with QR codes, and checking a poster's verification code.

A poster's code stays the same while the chat's invite link does; after «Сменить ссылку» the
next poster gets a new code, and old posters verify as outdated.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from bot.services.chats.poster_book import PosterDocument, PosterPrinter
from bot.services.chats.poster_pdf import PosterContent, printable, render_poster
from bot.services.core.access import Actor, require_municipality
from storage.models import CHAT_ORDER, HOUSE_KINDS, Chat, ChatStatus, Municipality, Poster

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: nothing to mistake
CODE_LENGTH = 8
PAGE_OF_CHATS = 1000  # chats read at a time for a batch of posters
# Letters people type by mistake on a Russian keyboard, and the Latin letters they look like.
_LOOKALIKES = str.maketrans("АВЕКМНОРСТУХЗ", "ABEKMHOPCTYX3")
_CODE_LIKE = re.compile(r"^[\s\-–—]*(?:[A-ZА-Я0-9][\s\-–—]*){8}$", re.IGNORECASE)


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def show_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def normalise_code(text: str) -> str | None:
    """The code typed by a person (any case, spaces, dashes, Cyrillic look-alikes), or None."""
    cleaned = "".join(ch for ch in text.upper().translate(_LOOKALIKES) if ch.isalnum())
    return cleaned if len(cleaned) == CODE_LENGTH else None


def looks_like_code(text: str) -> bool:
    return bool(_CODE_LIKE.match(text.strip()))


class Verdict(StrEnum):
    GENUINE = "genuine"
    OUTDATED = "outdated"  # the chat's link was changed after this poster was printed
    CLOSED = "closed"  # the chat is no longer served


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    chat: Chat
    municipality: Municipality
    current_link: str | None  # only for a genuine poster: an outdated one was misused, maybe


class PosterService:
    def __init__(self, community_name: str, printer: PosterPrinter) -> None:
        self._community = community_name
        self._printer = printer

    async def current(self, chat: Chat) -> Poster:
        """The poster for the chat's current link (made if there is none yet)."""
        if not chat.invite_link:
            raise ValueError("a chat without an invite link has no poster")
        poster = await Poster.filter(chat=chat, invite_link=chat.invite_link).first()
        if poster is None:
            poster = await Poster.create(chat=chat, code=new_code(), invite_link=chat.invite_link)
        return poster

    async def pdf(self, chat: Chat) -> tuple[Poster, bytes]:
        municipality = await Municipality.get(id=chat.municipality_id)
        return await self._pdf(chat, municipality.name)

    async def _pdf(self, chat: Chat, municipality_name: str) -> tuple[Poster, bytes]:
        poster = await self.current(chat)
        # Rendering takes ~10 ms of CPU: off the event loop.
        return poster, await asyncio.to_thread(
            render_poster, self._content(chat, poster, municipality_name)
        )

    def _content(self, chat: Chat, poster: Poster, municipality_name: str) -> PosterContent:
        return PosterContent(
            title=chat.title,
            municipality=municipality_name,
            community=self._community,
            invite_link=poster.invite_link,
            code=show_code(poster.code),
        )

    async def verify(self, text: str) -> Verification | None:
        code = normalise_code(text)
        poster = None if code is None else await Poster.get_or_none(code=code).prefetch_related("chat")
        if poster is None:
            return None
        chat: Chat = poster.chat
        municipality = await Municipality.get(id=chat.municipality_id)
        if chat.status is not ChatStatus.ACTIVE or not chat.invite_link:
            return Verification(Verdict.CLOSED, chat, municipality, None)
        if poster.invite_link != chat.invite_link:
            # The link was changed, often because posters were misused: the old code must not
            # lead to the new link.
            return Verification(Verdict.OUTDATED, chat, municipality, None)
        return Verification(Verdict.GENUINE, chat, municipality, chat.invite_link)

    async def documents(self, actor: Actor, municipality_id: int) -> list[PosterDocument]:
        """The poster of every active house chat of the municipality, a page each in the chat
        list's order, in as few PDF documents under the size limit as they fit."""
        municipality = await require_municipality(actor, municipality_id)
        query = Chat.filter(
            municipality=municipality,
            kind__in=HOUSE_KINDS,
            status=ChatStatus.ACTIVE,
            invite_link__not_isnull=True,
        ).order_by(*CHAT_ORDER)
        contents: list[PosterContent] = []
        while chats := await query.offset(len(contents)).limit(PAGE_OF_CHATS):
            # A page at a time: a region's 15,000 rows at once would hold the event loop.
            known: dict[tuple[int, str], Poster] = {}
            for poster in await Poster.filter(chat_id__in=[c.id for c in chats]).order_by("id"):
                known.setdefault((poster.chat_id, poster.invite_link), poster)
            missing = [
                Poster(chat=chat, code=new_code(), invite_link=chat.invite_link)
                for chat in chats
                if (chat.id, chat.invite_link) not in known
            ]
            await Poster.bulk_create(missing)
            known.update({(p.chat.id, p.invite_link): p for p in missing})
            contents += [
                self._content(chat, known[(chat.id, chat.invite_link or "")], municipality.name)
                for chat in chats
            ]
        title = printable(f"Объявления домовых чатов — {municipality.name}")
        return await self._printer.documents(contents, title)

    async def close(self) -> None:
        await self._printer.close()
