"""Official broadcasts to many chats.

Who may reach which chats is decided here, from the actor's roles — never from a button's
payload: a region admin reaches the region, municipality admins and staff their municipality,
a representative only the chats they represent in.

Delivery: `messages.send` with up to 100 `peer_ids` per call and one `random_id` for the whole
broadcast, so VK drops a repeat to a chat that already has it whatever batch it lands in.
Progress is stored per chat; a broadcast interrupted by a crash is simply run again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from tortoise.expressions import Q

from bot.clock import Clock
from bot.services.chats.model import found_by_address
from bot.services.core.access import STAFF_ROLES, Actor, working_municipality
from bot.services.core.errors import AccessDenied, DomainError, NotFound
from bot.services.core.official import official_message, representative_source
from bot.services.core.ports import Delivered, Messenger, MessengerError
from bot.services.tickets.service import Attachment
from storage.models import (
    CHAT_ORDER,
    HOUSE_KINDS,
    Blob,
    Broadcast,
    BroadcastDelivery,
    BroadcastKind,
    BroadcastStatus,
    Chat,
    ChatStatus,
    DeliveryStatus,
    Municipality,
    Region,
    Role,
)

log = logging.getLogger(__name__)

MAX_TEXT = 3500  # with the header, well inside one VK message
BATCH = 100  # VK's limit of peer_ids per messages.send
PARALLEL_BATCHES = 10  # keeps the shared limiter busy; «Остановить» lets ≤ 10 batches finish
QUIET_START, QUIET_END = time(22), time(8)
ACTIVE = (BroadcastStatus.WAITING, BroadcastStatus.SENDING, BroadcastStatus.STOPPING)

REASONS = {
    917: ("бот удалён из чата или лишён доступа", ChatStatus.BOT_REMOVED),
    925: ("у бота нет прав администратора в чате", ChatStatus.BOT_REMOVED),
    927: ("чат не найден ВКонтакте", ChatStatus.DISABLED),
    945: ("чат отключён ВКонтакте", ChatStatus.DISABLED),
    946: ("чат не поддерживается ВКонтакте", ChatStatus.DISABLED),
}


def reason(code: int | None) -> str:
    if code in REASONS:
        return REASONS[code][0]
    return f"ошибка ВКонтакте (код {code})" if code else "ВКонтакте не ответил"


@dataclass(frozen=True)
class Audience:
    """The chats an actor may broadcast to, and how to name that to them."""

    query: Q
    name: str  # «все чаты «Демо-город»»
    source: str  # who speaks, for the official header


class Pending(NamedTuple):
    id: int
    peer_id: int
    chat_id: int


class Pin(NamedTuple):
    delivery_id: int
    peer_id: int
    cmid: int


@dataclass(frozen=True)
class Report:
    broadcast: Broadcast
    sent: int
    failed: list[tuple[str, str]]  # (chat title, reason)
    skipped: int


Progress = Callable[[Broadcast, int], Awaitable[None]]


async def _chats_of(audience: Audience, search: str, chat_id: int | None) -> list[Chat]:
    query = Chat.filter(audience.query, kind__in=HOUSE_KINDS, status=ChatStatus.ACTIVE)
    query = query.filter(id=chat_id) if chat_id is not None else found_by_address(query, search)
    return await query.order_by(*CHAT_ORDER)


class BroadcastService:
    def __init__(self, messenger: Messenger, clock: Clock, default_timezone: str) -> None:
        self._messenger = messenger
        self._clock = clock
        self._timezone = default_timezone
        self._running: set[int] = set()

    # -- who reaches what ------------------------------------------------------------------------

    async def audience(self, actor: Actor) -> Audience:
        if actor.has(Role.REGION_ADMIN):
            region_ids = [g.region_id for g in actor.grants_of(Role.REGION_ADMIN)]
            region = await Region.get(id=region_ids[0])
            return Audience(Q(municipality__region_id__in=region_ids), f"все чаты региона «{region.name}»",
                            f"Регион «{region.name}»")
        if actor.has(*STAFF_ROLES):
            municipality = await working_municipality(actor)
            return Audience(Q(municipality_id=municipality.id), f"все чаты «{municipality.name}»",
                            f"Муниципалитет «{municipality.name}»")
        grants = actor.grants_of(Role.REPRESENTATIVE)
        if not grants:
            raise AccessDenied("Рассылки отправляют сотрудники муниципалитета и официальные представители.")
        first = grants[0]
        assert first.kind is not None
        return Audience(Q(id__in=[g.chat_id for g in grants]), "все ваши чаты",
                        representative_source(first.kind, first.organisation))

    async def chats(self, actor: Actor, *, search: str = "", chat_id: int | None = None) -> list[Chat]:
        """Active house chats the actor may reach: all, those found by address, or one."""
        return await _chats_of(await self.audience(actor), search, chat_id)

    # -- drafting and confirming -------------------------------------------------------------------

    async def draft(
        self,
        actor: Actor,
        *,
        author_peer: int,
        kind: BroadcastKind,
        text: str,
        file: Attachment | None,
        search: str = "",
        chat_id: int | None = None,
    ) -> tuple[Broadcast, list[Chat]]:
        assert actor.person is not None
        text = text.strip()
        if not text:
            raise DomainError("Сообщение пустое. Напишите текст рассылки (к нему можно приложить фото или документ).")
        if len(text) > MAX_TEXT:
            raise DomainError(
                f"Сообщение длиннее {MAX_TEXT} символов ({len(text)}). Сократите его или разделите на "
                "две рассылки."
            )
        audience = await self.audience(actor)
        chats = await _chats_of(audience, search, chat_id)
        if not chats:
            raise DomainError("В выбранных чатах некому отправлять: ни одного действующего чата.")
        scope = "один чат" if chat_id is not None else (f"чаты по запросу «{search}»" if search else audience.name)
        blob = None
        if file is not None:
            blob = await Blob.create(kind=file.kind, filename=file.filename, content=file.content)
        broadcast = await Broadcast.create(
            author=actor.person, author_peer=author_peer, source=audience.source, kind=kind,
            text=text, file=blob, scope=scope[:300], total=len(chats), created_at=self._clock.now(),
        )
        return broadcast, chats

    def header_text(self, broadcast: Broadcast) -> str:
        return official_message(broadcast.source, broadcast.text)

    async def mine(self, actor: Actor, broadcast_id: int) -> Broadcast:
        broadcast = await Broadcast.get_or_none(id=broadcast_id)
        if broadcast is None or actor.person is None or broadcast.author_id != actor.person.id:
            raise NotFound("Такой рассылки нет.")
        return broadcast

    async def confirm(self, actor: Actor, broadcast_id: int, chat_search: str, chat_id: int | None) -> Broadcast:
        """Fix the recipients and start (or schedule after quiet hours); a second press does nothing."""
        broadcast = await self.mine(actor, broadcast_id)
        if await Broadcast.filter(author_id=broadcast.author_id, status__in=ACTIVE).exists():
            raise DomainError("У вас уже идёт рассылка — дождитесь её окончания или остановите её.")
        chats = await self.chats(actor, search=chat_search, chat_id=chat_id)
        if not chats:
            raise DomainError("В выбранных чатах некому отправлять: ни одного действующего чата.")
        not_before = None
        if broadcast.kind is BroadcastKind.INFO:
            municipality = await Municipality.get(id=chats[0].municipality_id)
            not_before = self._after_quiet_hours(ZoneInfo(municipality.timezone or self._timezone))
        status = BroadcastStatus.WAITING if not_before else BroadcastStatus.SENDING
        claimed = await Broadcast.filter(id=broadcast.id, status=BroadcastStatus.DRAFT).update(
            status=status, not_before=not_before, total=len(chats),
            started_at=None if not_before else self._clock.now(),
        )
        if not claimed:
            raise DomainError("Эта рассылка уже отправлена или отправляется.")
        await BroadcastDelivery.bulk_create(
            [BroadcastDelivery(broadcast_id=broadcast.id, chat_id=c.id, peer_id=c.peer_id or 0) for c in chats],
            batch_size=500,
        )
        await broadcast.refresh_from_db()
        return broadcast

    async def zone(self, broadcast: Broadcast) -> ZoneInfo:
        """The time zone its quiet hours were counted in (its first chat's municipality)."""
        delivery = await BroadcastDelivery.filter(broadcast_id=broadcast.id).order_by("id").first()
        municipality = None
        if delivery is not None:
            chat = await Chat.get(id=delivery.chat_id)
            municipality = await Municipality.get(id=chat.municipality_id)
        return ZoneInfo(municipality.timezone if municipality and municipality.timezone else self._timezone)

    def _after_quiet_hours(self, zone: ZoneInfo) -> datetime | None:
        """When quiet hours (22:00–08:00 local) end, if they are on now; else None."""
        local = self._clock.now().astimezone(zone)
        if QUIET_END <= local.time() < QUIET_START:
            return None
        day = local.date() + timedelta(days=1) if local.time() >= QUIET_START else local.date()
        return datetime.combine(day, QUIET_END, zone).astimezone(ZoneInfo("UTC"))

    async def remember_progress(self, broadcast: Broadcast, cmid: int | None) -> None:
        broadcast.progress_cmid = cmid
        await broadcast.save(update_fields=["progress_cmid"])

    async def stop(self, actor: Actor, broadcast_id: int) -> Broadcast:
        broadcast = await self.mine(actor, broadcast_id)
        stopped = await Broadcast.filter(
            id=broadcast.id, status__in=(BroadcastStatus.WAITING, BroadcastStatus.SENDING)
        ).update(status=BroadcastStatus.STOPPING)
        if not stopped:
            raise DomainError("Эта рассылка уже закончилась.")
        if broadcast.id not in self._running:  # nobody is sending it: finish the stop now
            await self._finish(broadcast.id, stopped=True)
        await broadcast.refresh_from_db()
        return broadcast

    # -- sending -----------------------------------------------------------------------------------

    async def due(self) -> list[int]:
        """Broadcasts to send now: waited out quiet hours, or left unfinished by a crash."""
        now = self._clock.now()
        ids: list[int] = await Broadcast.filter(  # type: ignore[assignment]  # tortoise types flat values_list as tuples
            Q(status=BroadcastStatus.SENDING)
            | Q(status=BroadcastStatus.STOPPING)
            | (Q(status=BroadcastStatus.WAITING) & Q(not_before__lte=now))
        ).values_list("id", flat=True)
        return [i for i in ids if i not in self._running]

    async def run(self, broadcast_id: int, progress: Progress) -> Report | None:
        """Send what is not sent yet; None if this process already runs it."""
        if broadcast_id in self._running:
            return None
        self._running.add(broadcast_id)
        try:
            await Broadcast.filter(id=broadcast_id, status=BroadcastStatus.WAITING).update(
                status=BroadcastStatus.SENDING, started_at=self._clock.now()
            )
            broadcast = await Broadcast.get(id=broadcast_id)
            if broadcast.status is BroadcastStatus.SENDING:
                await self._send_all(broadcast, progress)
            return await self._finish(broadcast_id, stopped=False)
        finally:
            self._running.discard(broadcast_id)

    async def _send_all(self, broadcast: Broadcast, progress: Progress) -> None:
        emergency = broadcast.kind is BroadcastKind.EMERGENCY
        if emergency:
            await self._pin_all(broadcast)  # sent by a process that stopped before pinning
        pending = [
            Pending(*row)
            for row in await BroadcastDelivery.filter(
                broadcast_id=broadcast.id, status=DeliveryStatus.PENDING
            ).order_by("id").values_list("id", "peer_id", "chat_id")
        ]
        attachments = await self._attachments(broadcast)
        text = self.header_text(broadcast)
        key = f"broadcast:{broadcast.id}"
        done = broadcast.total - len(pending)
        gate = asyncio.Semaphore(PARALLEL_BATCHES)

        async def send(batch: list[Pending]) -> None:
            nonlocal done
            async with gate:
                if await self._stopping(broadcast.id):
                    return
                results = await self._messenger.send_many(
                    [d.peer_id for d in batch], text, attachments=attachments, dedup_key=key
                )
                sent = await self._record(batch, results, keep_cmids=emergency)
                done += len(batch)
                await progress(broadcast, done)
                if emergency and sent:
                    await self._pin(broadcast.id, sent)

        size = self._messenger.recipients_per_call
        batches = [pending[i : i + size] for i in range(0, len(pending), size)]
        await asyncio.gather(*(send(batch) for batch in batches))

    async def _attachments(self, broadcast: Broadcast) -> list[str]:
        if broadcast.file_id is None:
            return []
        blob = await Blob.get(id=broadcast.file_id)
        return [await self._messenger.upload(broadcast.author_peer, blob.kind, blob.filename, bytes(blob.content))]

    async def _stopping(self, broadcast_id: int) -> bool:
        return await Broadcast.filter(id=broadcast_id, status=BroadcastStatus.STOPPING).exists()

    async def _record(
        self, batch: list[Pending], results: Sequence[Delivered], *, keep_cmids: bool
    ) -> list[Pin]:
        """Each chat's result, in a few statements per batch (cmids only where pins need them);
        returns what can be pinned."""
        by_peer = {r.peer_id: r for r in results}
        sent: list[tuple[int, int | None]] = []  # (delivery id, cmid)
        peers = {p.id: p.peer_id for p in batch}
        failed: dict[int | None, list[Pending]] = {}  # error code → deliveries
        for pending in batch:
            result = by_peer.get(pending.peer_id)
            if result is not None and result.error is None:
                sent.append((pending.id, result.cmid))
            else:
                code = getattr(result.error, "code", None) if result is not None else None
                failed.setdefault(code, []).append(pending)
        if keep_cmids and sent:
            await BroadcastDelivery.bulk_update(
                [BroadcastDelivery(id=i, cmid=cmid, status=DeliveryStatus.SENT) for i, cmid in sent],
                fields=["status", "cmid"],
            )
        elif sent:
            await BroadcastDelivery.filter(id__in=[i for i, _ in sent]).update(status=DeliveryStatus.SENT)
        for code, lost in failed.items():
            await BroadcastDelivery.filter(id__in=[p.id for p in lost]).update(
                status=DeliveryStatus.FAILED, error_code=code
            )
            if code in REASONS:  # flagged in the chat list
                await Chat.filter(id__in=[p.chat_id for p in lost], status=ChatStatus.ACTIVE).update(
                    status=REASONS[code][1], status_reason=f"рассылка не дошла: {reason(code)}"
                )
        return [Pin(i, peers[i], cmid) for i, cmid in sent if cmid is not None] if keep_cmids else []

    async def _pin_all(self, broadcast: Broadcast) -> None:
        """Pin where the message was sent and not yet pinned, a batch at a time in parallel."""
        unpinned = [
            Pin(*row)
            for row in await BroadcastDelivery.filter(
                broadcast_id=broadcast.id, status=DeliveryStatus.SENT, pinned=False,
                cmid__not_isnull=True,
            ).order_by("id").values_list("id", "peer_id", "cmid")
        ]
        gate = asyncio.Semaphore(PARALLEL_BATCHES)

        async def pin(batch: list[Pin]) -> None:
            async with gate:
                await self._pin(broadcast.id, batch)

        await asyncio.gather(*(pin(unpinned[i : i + BATCH]) for i in range(0, len(unpinned), BATCH)))

    async def _pin(self, broadcast_id: int, batch: list[Pin]) -> None:
        """Pin a batch (25 to a messenger request) and record the successes in one statement;
        a pin that fails leaves the message sent."""
        try:
            outcomes = await self._messenger.pin_many([(p.peer_id, p.cmid) for p in batch])
        except MessengerError as exc:
            log.info("pins in broadcast %s failed: %s", broadcast_id, exc)
            return
        for pin, error in zip(batch, outcomes, strict=True):
            if error is not None:
                log.info("pin in %s failed: %s", pin.peer_id, error)
        done = [pin.delivery_id for pin, error in zip(batch, outcomes, strict=True) if error is None]
        if done:
            await BroadcastDelivery.filter(id__in=done).update(pinned=True)

    async def _finish(self, broadcast_id: int, *, stopped: bool) -> Report:
        if stopped or await self._stopping(broadcast_id):
            await BroadcastDelivery.filter(
                broadcast_id=broadcast_id, status=DeliveryStatus.PENDING
            ).update(status=DeliveryStatus.SKIPPED)
            final = BroadcastStatus.STOPPED
        else:
            final = BroadcastStatus.DONE
        await Broadcast.filter(id=broadcast_id, status__in=ACTIVE).update(
            status=final, finished_at=self._clock.now()
        )
        return await self.report(broadcast_id)

    async def report(self, broadcast_id: int) -> Report:
        broadcast = await Broadcast.get(id=broadcast_id)
        of_this = BroadcastDelivery.filter(broadcast_id=broadcast_id)
        failed = await of_this.filter(status=DeliveryStatus.FAILED).order_by("id").prefetch_related("chat")
        return Report(
            broadcast,
            sent=await of_this.filter(status=DeliveryStatus.SENT).count(),
            failed=[(d.chat.title, reason(d.error_code)) for d in failed],
            skipped=await of_this.filter(status=DeliveryStatus.SKIPPED).count(),
        )
