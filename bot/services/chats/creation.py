"""Creating house chats: stored first, then created in the messenger (each step repeatable
after a crash), then their admins and representatives are told."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from bot.services.chats.base import ChatBase
from bot.services.chats.model import REPRESENTATIVE_TITLES, CreationReport, NewChat
from bot.services.chats.provisioning import Progress
from bot.services.core.access import Actor, require_municipality
from bot.services.core.errors import DomainError
from bot.services.core.ports import MessengerError, MessengerUnavailable
from bot.services.importing import RepresentativeSpec, normalise_title
from bot.services.staff.invitations import Delivery, Scope, offer_text
from storage.lease import DatabaseLease
from storage.models import (
    HOUSE_KINDS,
    Chat,
    ChatStatus,
    ImportBatch,
    ImportStatus,
    Municipality,
    Person,
    Role,
    RoleGrant,
)

log = logging.getLogger(__name__)
PROVISION_LEASE = timedelta(minutes=5)  # a process that died while creating a chat: retried after


class ChatCreation(ChatBase):
    """Creating chats: stored, provisioned in the messenger, their people told."""

    async def create(
        self, actor: Actor, municipality_id: int, spec: NewChat
    ) -> tuple[Chat, Delivery]:
        """Create one chat (the dialog): store it, create it in the messenger, tell its admin.

        Returns the chat and how its admin was told."""
        municipality = await require_municipality(actor, municipality_id)
        key = normalise_title(spec.title)
        if await Chat.filter(municipality=municipality, title_key=key).exists():
            raise DomainError(f"Чат «{spec.title}» уже есть в списке чатов. Укажите другое название.")
        async with in_transaction():
            chat = await self.store(municipality, spec, actor.person)
            # Held before the chat can be seen: the job resuming pending chats (in another
            # process, or in this one) leaves this chat to this call.
            await self._provision_lease(chat.id).hold(self._clock.now())
        self._provisioning.add(chat.id)
        report = CreationReport()
        await self.provision_many([chat], report, claimed=True)
        if chat.status is not ChatStatus.ACTIVE:
            return chat, Delivery.NONE
        await self.announce([chat], report, sent_by=actor.person)
        admin = await RoleGrant.get(chat=chat, role=Role.CHAT_ADMIN)
        return chat, report.told.get(admin.person_id, Delivery.NONE)

    async def store(
        self,
        municipality: Municipality,
        spec: NewChat,
        created_by: Person | None,
        batch: ImportBatch | None = None,
    ) -> Chat:
        """The chat and its people in the database, waiting to be created in the messenger."""
        async with in_transaction():
            chat = await Chat.create(
                municipality=municipality,
                title=spec.title.strip(),
                title_key=normalise_title(spec.title),
                kind=spec.kind,
                description=spec.description,
                flats=spec.flats,
                photo=spec.photo,
                created_by=created_by,
                import_batch=batch,
            )
            scope = Scope(municipality=municipality, chat=chat)
            await self._invitations.grant(
                phone=spec.admin_phone, role=Role.CHAT_ADMIN, scope=scope, invited_by=created_by
            )
            for rep in spec.representatives:
                await self._grant_representative(municipality, chat, rep, created_by)
        return chat

    async def _grant_representative(
        self, municipality: Municipality, chat: Chat, rep: RepresentativeSpec, by: Person | None
    ) -> None:
        scope = Scope(municipality=municipality, chat=chat, kind=rep.kind, organisation=rep.organisation)
        await self._invitations.grant(phone=rep.phone, role=Role.REPRESENTATIVE, scope=scope, invited_by=by)

    async def provision(self, chat: Chat, report: CreationReport) -> None:
        """Create the stored chat in the messenger (`provision_many`)."""
        await self.provision_many([chat], report)

    async def provision_many(
        self,
        chats: Sequence[Chat],
        report: CreationReport,
        progress: Progress | None = None,
        *,
        claimed: bool = False,
    ) -> None:
        """Create stored chats in the messenger, many to a request; each step is skipped once
        done, so this can be repeated after a crash (`ChatProvisioner`: never a chat twice).
        A refusal marks the chat failed with the reason; a messenger outage leaves the rest
        pending and raises. `claimed`: the caller has marked them as being provisioned."""
        # Another task of this process (`_provisioning`), or another process (a handler here,
        # `resume_pending` of the scheduler's leader there) may be on some of them: VK does not
        # de-duplicate createChat, so each chat is created by one holder of its lease at a
        # time. The lease is this process's: after a failure here (the database away while it
        # was given back) this process takes it again at once.
        leases: list[DatabaseLease] = []
        mine: list[Chat] = []
        for chat in chats:
            if chat.id in self._provisioning and not claimed:
                continue
            lease = self._provision_lease(chat.id)
            if await lease.hold(self._clock.now()):
                leases.append(lease)
                mine.append(chat)
        self._provisioning.update(c.id for c in mine)
        if claimed:  # those whose lease is not ours any more are not ours to finish
            self._provisioning.difference_update(c.id for c in chats if c not in mine)
        try:
            await self._refresh_progress(mine)
            done, unavailable = await self._provisioner.create(mine, progress)
            for chat, error in done:
                await self._finish(chat, error, report)
            if unavailable is not None:
                raise unavailable
        finally:
            self._provisioning.difference_update(c.id for c in mine)
            for lease in leases:
                await lease.release()

    @staticmethod
    async def _refresh_progress(chats: Sequence[Chat]) -> None:
        """What another holder may have done before this one took the lease, in one query."""
        fresh = {
            row.id: row
            for row in await Chat.filter(id__in=[c.id for c in chats]).only(
                "id", "vk_chat_id", "peer_id", "invite_link", "create_after"
            )
        }
        for chat in chats:
            if (row := fresh.get(chat.id)) is not None:
                chat.vk_chat_id, chat.peer_id = row.vk_chat_id, row.peer_id
                chat.invite_link, chat.create_after = row.invite_link, row.create_after

    async def _finish(self, chat: Chat, error: MessengerError | None, report: CreationReport) -> None:
        if error is None and chat.photo:
            await self._set_photo(chat)
        if error is not None:
            log.warning("the messenger refused chat %s: %s", chat.id, error)
            chat.status = ChatStatus.FAILED
            chat.status_reason = f"ВКонтакте отказал: {error}"
            await chat.save(update_fields=["status", "status_reason"])
            report.failed.append(chat)
            return
        chat.status = ChatStatus.ACTIVE
        chat.status_reason = None  # type: ignore[assignment]  # tortoise types null=True fields as non-null
        await chat.save(update_fields=["invite_link", "status", "status_reason"])
        report.created.append(chat)

    def _provision_lease(self, chat_id: int) -> DatabaseLease:
        return DatabaseLease(f"chat-provision:{chat_id}", PROVISION_LEASE, holder=self._holder)

    async def _set_photo(self, chat: Chat) -> None:
        assert chat.vk_chat_id is not None and chat.photo is not None
        try:
            await self._messenger.set_chat_photo(chat.vk_chat_id, "photo.jpg", bytes(chat.photo))
        except MessengerUnavailable:
            raise
        except MessengerError as exc:  # a chat without its photo is still a chat
            log.warning("photo of chat %s refused: %s", chat.id, exc)
        chat.photo = None
        await chat.save(update_fields=["photo"])

    async def announce(
        self, chats: Sequence[Chat], report: CreationReport, sent_by: Person | None
    ) -> None:
        """Tell each chat admin and representative not yet told, one message per person."""
        pending = await RoleGrant.filter(
            chat_id__in=[c.id for c in chats],
            role__in=(Role.CHAT_ADMIN, Role.REPRESENTATIVE),
            notified_at=None,
        ).prefetch_related("person", "chat", "municipality", "granted_by")
        by_person: dict[int, list[RoleGrant]] = defaultdict(list)
        for grant in pending:
            by_person[grant.person_id].append(grant)
        for grants in by_person.values():
            delivery = await self._tell(grants, sent_by)
            report.told[grants[0].person_id] = delivery
            if delivery is not Delivery.NONE:
                await RoleGrant.filter(id__in=[g.id for g in grants]).update(
                    notified_at=self._clock.now()
                )
            if self.on_told is not None:
                await self.on_told(grants[0].person, grants, delivery)

    async def _tell(self, grants: Sequence[RoleGrant], sent_by: Person | None) -> Delivery:
        """One person's chat roles: an offer to accept, or (accepted already) a reminder."""
        offered = not all(g.accepted for g in grants)
        inviter = sent_by or grants[0].granted_by
        return await self._invitations.tell(
            grants[0].person,
            grants,
            vk_text=offer_text(grants, inviter) if offered else assignment_text(grants),
            sms_text=lambda link: assignment_sms(grants, link),
            sent_by=sent_by,
        )

    async def resume_pending(self) -> CreationReport:
        """Create what was stored but not created, and tell whom not told yet — except chats of
        an import that is running right now (it does that itself)."""
        report = CreationReport()
        running = await ImportBatch.filter(status=ImportStatus.RUNNING).values_list("id", flat=True)
        idle = Chat.filter(Q(import_batch_id=None) | Q(import_batch_id__not_in=list(running)))
        pending = await idle.filter(status=ChatStatus.PENDING, kind__in=HOUSE_KINDS).order_by("id")
        await self.provision_many(pending, report)
        untold = await idle.filter(
            status=ChatStatus.ACTIVE,
            grants__role__in=(Role.CHAT_ADMIN, Role.REPRESENTATIVE),
            grants__notified_at=None,
        ).distinct()
        if untold:
            await self.announce(untold, report, sent_by=None)
        return report


def _grant_line(grant: RoleGrant) -> str:
    chat = grant.chat
    line = f"«{chat.title}»" if chat is not None else "чат"
    if grant.role is Role.REPRESENTATIVE and grant.kind is not None:
        org = f", {grant.organisation}" if grant.organisation else ""
        line += f" — представитель {REPRESENTATIVE_TITLES[grant.kind]}{org}"
    if chat is not None and chat.invite_link:
        line += f"\n  вступить: {chat.invite_link}"
    return line


def assignment_text(grants: Sequence[RoleGrant]) -> str:
    admin = [g for g in grants if g.role is Role.CHAT_ADMIN]
    reps = [g for g in grants if g.role is Role.REPRESENTATIVE]
    parts = []
    if admin:
        lines = "\n".join(f"• {_grant_line(g)}" for g in admin)
        parts.append(f"Вас назначили администратором официального домового чата:\n{lines}")
    if reps:
        lines = "\n".join(f"• {_grant_line(g)}" for g in reps)
        parts.append(f"Вас назначили официальным представителем в домовых чатах:\n{lines}")
    parts.append("Напишите «Меню», чтобы увидеть, что можно сделать.")
    return "\n\n".join(parts)


def assignment_sms(grants: Sequence[RoleGrant], link: str) -> str:
    role = "администратор" if any(g.role is Role.CHAT_ADMIN for g in grants) else "представитель"
    first = grants[0].chat.title if grants[0].chat is not None else ""
    more = f" и ещё {len(grants) - 1}" if len(grants) > 1 else ""
    return (
        f"Домовые чаты: вы {role} чата «{first}»{more}. "
        f"Откройте ссылку и напишите боту: {link}"
    )

