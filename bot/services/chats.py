"""House chats: creating them (in the database, then in the messenger), lists, cards,
chat admins and representatives. Every method checks the actor's access to the municipality."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from tortoise.expressions import F, Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from bot.clock import Clock
from bot.services.access import Actor, municipality_staff, require_municipality
from bot.services.chat_import import RepresentativeSpec, normalise_title
from bot.services.chat_provisioning import ChatProvisioner, Progress
from bot.services.errors import DomainError, NotFound
from bot.services.invitations import (
    Delivery,
    InvitationService,
    PersonStatus,
    Scope,
    offer_text,
    person_statuses,
)
from bot.services.paging import Page, paginate
from bot.services.ports import (
    ChatUnavailable,
    Messenger,
    MessengerError,
    MessengerUnavailable,
    NotAMember,
)
from storage.addresses import search_pattern
from storage.lease import DatabaseLease
from storage.models import (
    CHAT_ORDER,
    HOUSE_KINDS,
    Chat,
    ChatKind,
    ChatMember,
    ChatStatus,
    ImportBatch,
    ImportStatus,
    Municipality,
    Person,
    RepresentativeKind,
    Role,
    RoleGrant,
)

log = logging.getLogger(__name__)
PROVISION_LEASE = timedelta(minutes=5)  # a process that died while creating a chat: retried after

# Who belongs in a municipality's coordination chat (region admins may join as well).
COORDINATION_ROLES = (Role.MUNICIPALITY_ADMIN, Role.STAFF, Role.CHAT_ADMIN)
KIND_TITLES = {ChatKind.HOUSE: "Дом", ChatKind.ENTRANCE: "Подъезд"}
REPRESENTATIVE_TITLES = {
    RepresentativeKind.UK: "УК",
    RepresentativeKind.ADMINISTRATION: "Администрация",
    RepresentativeKind.RSO: "РСО",
}
STATUS_TITLES = {
    ChatStatus.PENDING: "создаётся",
    ChatStatus.ACTIVE: "создан",
    ChatStatus.FAILED: "не создан",
    ChatStatus.BOT_REMOVED: "бот удалён из чата",
    ChatStatus.DISABLED: "отключён ВКонтакте",
    ChatStatus.CLOSED: "закрыт",
}


@dataclass(frozen=True)
class NewChat:
    title: str
    kind: ChatKind
    admin_phone: str
    description: str | None = None
    flats: int | None = None
    photo: bytes | None = None
    representatives: tuple[RepresentativeSpec, ...] = ()


@dataclass(frozen=True)
class Holder:
    """A person holding a chat-level role, as staff see them in a card."""

    grant: RoleGrant
    person: Person
    status: PersonStatus


@dataclass(frozen=True)
class ChatCard:
    chat: Chat
    admins: list[Holder]
    representatives: list[Holder]


class Release(StrEnum):
    """What taking a role away did to the person's place in the coordination chat."""

    REMOVED = "removed"
    NOT_MEMBER = "not_member"  # not in it, or another role keeps them there
    FAILED = "failed"  # the community could not remove them (rights taken): staff must


@dataclass(frozen=True)
class Admission:
    """An outsider joined the coordination chat and was removed (and the link reset)."""

    removed: bool  # False: the community could not remove them
    link: str | None  # the new link (None if VK did not give one)
    not_joined: list[Person]  # who belongs there and has not joined: the new link is for them


@dataclass
class CreationReport:
    created: list[Chat] = field(default_factory=list)
    failed: list[Chat] = field(default_factory=list)
    told: dict[int, Delivery] = field(default_factory=dict)  # person id → how they were told

    def count(self, delivery: Delivery) -> int:
        return sum(1 for how in self.told.values() if how is delivery)


class ChatService:
    def __init__(
        self,
        *,
        messenger: Messenger,
        invitations: InvitationService,
        clock: Clock,
        community_id: int = 0,
    ) -> None:
        self._messenger = messenger
        self._community_member = -community_id
        self._invitations = invitations
        self._clock = clock
        self._coordination_locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._provisioning: set[int] = set()
        self._provisioner = ChatProvisioner(messenger)
        # Called after a person was told of new roles (the composition root starts onboarding).
        self.on_told: Callable[[Person, list[RoleGrant], Delivery], Awaitable[None]] | None = None

    # -- creating ------------------------------------------------------------------------------

    async def create(
        self, actor: Actor, municipality_id: int, spec: NewChat
    ) -> tuple[Chat, Delivery]:
        """Create one chat (the dialog): store it, create it in the messenger, tell its admin.

        Returns the chat and how its admin was told."""
        municipality = await require_municipality(actor, municipality_id)
        key = normalise_title(spec.title)
        if await Chat.filter(municipality=municipality, title_key=key).exists():
            raise DomainError(f"Чат «{spec.title}» уже есть в списке чатов. Укажите другое название.")
        chat = await self.store(municipality, spec, actor.person)
        report = CreationReport()
        await self.provision(chat, report)
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
        self, chats: Sequence[Chat], report: CreationReport, progress: Progress | None = None
    ) -> None:
        """Create stored chats in the messenger, many to a request; each step is skipped once
        done, so this can be repeated after a crash (`ChatProvisioner`: never a chat twice).
        A refusal marks the chat failed with the reason; a messenger outage leaves the rest
        pending and raises."""
        # Another task of this process, or another process (a handler here, `resume_pending` of
        # the scheduler's leader there), may be on some of them: VK does not de-duplicate
        # createChat, so each chat is created by one holder of its lease at a time.
        leases: list[DatabaseLease] = []
        mine: list[Chat] = []
        for chat in chats:
            if chat.id in self._provisioning:
                continue
            lease = DatabaseLease(f"chat-provision:{chat.id}", PROVISION_LEASE)
            if await lease.hold(self._clock.now()):
                leases.append(lease)
                mine.append(chat)
        self._provisioning.update(c.id for c in mine)
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

    # -- the coordination chat ------------------------------------------------------------------

    async def coordination_chat(self, municipality: Municipality) -> Chat | None:
        """The municipality's chat of staff and chat admins, created on first need.

        None while the messenger is unavailable (it is created on a later call)."""
        async with self._coordination_locks[municipality.id]:
            chat = await Chat.get_or_none(municipality=municipality, kind=ChatKind.COORDINATION)
            if chat is None:
                title = f"Координация: {municipality.name}"
                chat = await Chat.create(
                    municipality=municipality,
                    title=title,
                    title_key=normalise_title(title),
                    kind=ChatKind.COORDINATION,
                )
            if chat.status is ChatStatus.PENDING:
                try:
                    await self.provision(chat, CreationReport())
                except MessengerUnavailable:
                    return None
            return chat if chat.status is ChatStatus.ACTIVE else None

    async def coordinates(self, municipality_id: int, vk_id: int) -> bool:
        """Whether the VK user holds (accepted) a role that belongs in the municipality's
        coordination chat: its admin, staff or a chat admin there, or its region's admin."""
        person = await Person.get_or_none(vk_id=vk_id) if vk_id > 0 else None
        if person is None:
            return False
        municipality = await Municipality.get(id=municipality_id)
        return await RoleGrant.filter(
            Q(role__in=COORDINATION_ROLES, municipality_id=municipality_id)
            | Q(role=Role.REGION_ADMIN, region_id=municipality.region_id),
            person=person,
            accepted=True,
        ).exists()

    async def admit(self, chat: Chat, vk_id: int) -> Admission | None:
        """Someone joined the coordination chat. An outsider (no staff or chat-admin role in
        its municipality — a forwarded link, say) is removed, and the link they used is
        reset; None for whoever belongs there."""
        if chat.kind is not ChatKind.COORDINATION or chat.vk_chat_id is None:
            return None
        if vk_id == self._community_member or await self.coordinates(chat.municipality_id, vk_id):
            return None
        if await self._remove(chat, vk_id) is Release.FAILED:
            return Admission(removed=False, link=None, not_joined=[])
        link = None
        try:
            link = chat.invite_link = await self._messenger.invite_link(chat.peer_id or 0, reset=True)
            await chat.save(update_fields=["invite_link"])
        except ChatUnavailable as exc:
            log.warning("cannot reset the link of coordination chat %s: %s", chat.id, exc)
        return Admission(removed=True, link=link, not_joined=await self._not_joined(chat))

    async def _not_joined(self, chat: Chat) -> list[Person]:
        """Who belongs in the coordination chat but is not in it (the new link is for them)."""
        members = set(
            await ChatMember.filter(chat=chat, left_at=None).values_list("vk_id", flat=True)
        )
        grants = await RoleGrant.filter(
            municipality_id=chat.municipality_id, role__in=COORDINATION_ROLES, accepted=True,
            person__vk_id__not_isnull=True,
        ).prefetch_related("person")
        people = {g.person.id: g.person for g in grants if g.person.vk_id not in members}
        return list(people.values())

    async def release(self, person: Person, municipality_id: int) -> Release:
        """A role in the municipality was taken away: out of its coordination chat too, unless
        another role keeps the person there."""
        if person.vk_id is None or await self.coordinates(municipality_id, person.vk_id):
            return Release.NOT_MEMBER
        chat = await Chat.get_or_none(
            municipality_id=municipality_id, kind=ChatKind.COORDINATION, status=ChatStatus.ACTIVE
        )
        if chat is None:
            return Release.NOT_MEMBER
        return await self._remove(chat, person.vk_id)

    async def _remove(self, chat: Chat, vk_id: int) -> Release:
        """Remove a member (VK sends no event for the community's own removals: noted here)."""
        assert chat.vk_chat_id is not None
        try:
            await self._messenger.remove_chat_user(chat.vk_chat_id, vk_id)
        except NotAMember:
            return Release.NOT_MEMBER
        except MessengerError as exc:
            log.warning("cannot remove %s from chat %s: %s", vk_id, chat.id, exc)
            return Release.FAILED
        left = await ChatMember.filter(chat=chat, vk_id=vk_id, left_at=None).update(
            left_at=self._clock.now()
        )
        if left:
            await Chat.filter(id=chat.id, members_count__gt=0).update(
                members_count=F("members_count") - 1
            )
        return Release.REMOVED

    async def coordination_links(self, person: Person) -> list[tuple[str, str]]:
        """(municipality name, invite link) of every coordination chat the person belongs to."""
        ids = await RoleGrant.filter(
            person=person, role__in=COORDINATION_ROLES, accepted=True
        ).values_list("municipality_id", flat=True)
        links = []
        for municipality in await Municipality.filter(id__in=set(ids)).order_by("name"):
            chat = await self.coordination_chat(municipality)
            if chat is not None and chat.invite_link:
                links.append((municipality.name, chat.invite_link))
        return links

    # -- reading -------------------------------------------------------------------------------

    async def page(
        self, actor: Actor, municipality_id: int, *, number: int, size: int, search: str = ""
    ) -> Page[ChatCard]:
        municipality = await require_municipality(actor, municipality_id)
        page = await paginate(_house_chats(municipality, search), number, size)
        return Page(await self._cards(page.items), page.number, page.pages, page.total, page.size)

    async def count(self, actor: Actor, municipality_id: int) -> int:
        municipality = await require_municipality(actor, municipality_id)
        return await _house_chats(municipality).count()

    async def chat_for(self, actor: Actor, chat_id: int) -> Chat:
        """The chat, if the actor works in its municipality."""
        chat = await _existing(chat_id)
        await require_municipality(actor, chat.municipality_id)
        return chat

    async def chat_managed_by(self, actor: Actor, chat_id: int) -> Chat:
        """The chat, if the actor is its admin or works in its municipality."""
        chat = await _existing(chat_id)
        if any(g.role is Role.CHAT_ADMIN and g.chat_id == chat.id for g in actor.grants):
            return chat
        await require_municipality(actor, chat.municipality_id)
        return chat

    async def reset_link(self, actor: Actor, chat_id: int) -> Chat:
        """A new invite link; VK revokes the old one, so old posters verify as outdated."""
        chat = await self.chat_managed_by(actor, chat_id)
        if chat.status is not ChatStatus.ACTIVE or chat.peer_id is None:
            raise DomainError("У этого чата сейчас нет действующей ссылки.")
        try:
            chat.invite_link = await self._messenger.invite_link(chat.peer_id, reset=True)
        except ChatUnavailable as exc:
            await self.mark_lost(chat, str(exc))
            raise DomainError(
                "ВКонтакте не дал сменить ссылку: сообщество больше не управляет этим чатом."
            ) from None
        await chat.save(update_fields=["invite_link"])
        return chat

    async def mark_lost(self, chat: Chat, reason: str) -> list[Person]:
        """The community lost the chat. Returns the staff to tell — only the first time."""
        updated = await Chat.filter(id=chat.id, status=ChatStatus.ACTIVE).update(
            status=ChatStatus.BOT_REMOVED,
            status_reason=f"сообщество потеряло доступ к чату ({reason})",
        )
        await chat.refresh_from_db(fields=["status", "status_reason"])
        if not updated:
            return []
        return await municipality_staff(chat.municipality_id)

    async def card(self, actor: Actor, chat_id: int) -> ChatCard:
        chat = await self.chat_for(actor, chat_id)
        await self.refresh_members(chat)
        (card,) = await self._cards([chat])
        return card

    async def _cards(self, chats: Sequence[Chat]) -> list[ChatCard]:
        """Chats with their admins and representatives (one query for all of them)."""
        grants = await RoleGrant.filter(
            chat_id__in=[c.id for c in chats], role__in=(Role.CHAT_ADMIN, Role.REPRESENTATIVE)
        ).prefetch_related("person").order_by("kind", "id")
        statuses = await person_statuses(grants, self._clock.now())
        by_chat: dict[int | None, list[Holder]] = defaultdict(list)
        for grant in grants:
            by_chat[grant.chat_id].append(Holder(grant, grant.person, statuses[grant.id]))
        return [
            ChatCard(
                chat,
                admins=[h for h in by_chat[chat.id] if h.grant.role is Role.CHAT_ADMIN],
                representatives=[h for h in by_chat[chat.id] if h.grant.role is Role.REPRESENTATIVE],
            )
            for chat in chats
        ]

    async def refresh_members(self, chat: Chat) -> None:
        """Ask the messenger how many are in the chat; note if the community lost it."""
        if chat.status is not ChatStatus.ACTIVE or chat.peer_id is None:
            return
        try:
            count = await self._messenger.members_count(chat.peer_id)
        except ChatUnavailable as exc:
            await self.mark_lost(chat, str(exc))
            return
        except MessengerUnavailable:
            return  # show what we knew
        if count is not None and count != chat.members_count:
            chat.members_count = count
            await chat.save(update_fields=["members_count"])

    async def all_chats(self, actor: Actor, municipality_id: int) -> list[ChatCard]:
        """Every house chat of the municipality with its people, for the export."""
        municipality = await require_municipality(actor, municipality_id)
        return await self._cards(await _house_chats(municipality))

    # -- people of a chat ------------------------------------------------------------------------

    async def resend_to_admins(self, actor: Actor, chat_id: int) -> list[Delivery]:
        """Tell the chat's admins again (a new link by SMS if VK still cannot reach them)."""
        chat = await self.chat_for(actor, chat_id)
        if chat.status is not ChatStatus.ACTIVE:
            raise DomainError("Чат ещё не создан во ВКонтакте — отправлять пока нечего.")
        grants = await RoleGrant.filter(chat=chat, role=Role.CHAT_ADMIN).prefetch_related(
            "person", "chat", "municipality", "granted_by"
        )
        deliveries = []
        for grant in grants:
            delivery = await self._tell([grant], actor.person)
            deliveries.append(delivery)
            if delivery is not Delivery.NONE:
                grant.notified_at = self._clock.now()
                await grant.save(update_fields=["notified_at"])
        return deliveries

    async def change_admin(
        self, actor: Actor, chat_id: int, phone: str
    ) -> tuple[Delivery, Release]:
        """Replace the chat's admin(s) by the owner of `phone` and tell them; the former ones
        leave the coordination chat unless another role keeps them there."""
        chat = await self.chat_for(actor, chat_id)
        municipality = await Municipality.get(id=chat.municipality_id)
        async with in_transaction():
            grant = await self._invitations.grant(
                phone=phone,
                role=Role.CHAT_ADMIN,
                scope=Scope(municipality=municipality, chat=chat),
                invited_by=actor.person,
            )
            former = RoleGrant.filter(chat=chat, role=Role.CHAT_ADMIN).exclude(id=grant.id)
            people = [g.person for g in await former.prefetch_related("person")]
            await former.delete()
        releases = {await self.release(person, municipality.id) for person in people}
        release = next(
            (r for r in (Release.FAILED, Release.REMOVED) if r in releases), Release.NOT_MEMBER
        )
        if chat.status is not ChatStatus.ACTIVE:
            return Delivery.NONE, release
        grant.notified_at = None
        await grant.save(update_fields=["notified_at"])
        report = CreationReport()
        await self.announce([chat], report, sent_by=actor.person)
        return report.told.get(grant.person_id, Delivery.NONE), release

    async def assign_representative(
        self,
        actor: Actor,
        chat_ids: Iterable[int],
        rep: RepresentativeSpec,
    ) -> CreationReport:
        """Make the owner of `rep.phone` a representative in each chat, and tell them once."""
        chats: list[Chat] = []
        municipalities: dict[int, Municipality] = {}  # checked once each
        for chat_id in chat_ids:
            chat = await _existing(chat_id)
            if chat.municipality_id not in municipalities:
                municipalities[chat.municipality_id] = await require_municipality(
                    actor, chat.municipality_id
                )
            chats.append(chat)
        if not chats:
            raise DomainError("Не выбрано ни одного чата.")
        for chat in chats:
            await self._grant_representative(
                municipalities[chat.municipality_id], chat, rep, actor.person
            )
        report = CreationReport()
        await self.announce(
            [c for c in chats if c.status is ChatStatus.ACTIVE], report, sent_by=actor.person
        )
        return report

    async def search_ids(self, actor: Actor, municipality_id: int, search: str) -> list[int]:
        municipality = await require_municipality(actor, municipality_id)
        ids = await _house_chats(municipality, search).values_list("id", flat=True)
        return list(ids)  # type: ignore[arg-type]  # tortoise types flat values_list as tuples


async def _existing(chat_id: int) -> Chat:
    chat = await Chat.get_or_none(id=chat_id)
    if chat is None:
        raise NotFound("Такого чата нет — возможно, его удалили.")
    return chat


def _house_chats(municipality: Municipality, search: str = "") -> QuerySet[Chat]:
    query = Chat.filter(municipality=municipality, kind__in=HOUSE_KINDS)
    return found_by_address(query, search).order_by(*CHAT_ORDER)


def found_by_address(query: QuerySet[Chat], search: str) -> QuerySet[Chat]:
    """The chats whose address the search names («садовая 12» finds «ул. Садовая, 12»); a
    search of abbreviations alone («ул.») is looked for in the titles as typed."""
    if not search.strip():
        return query
    pattern = search_pattern(search)
    if pattern is None:
        return query.filter(title_key__contains=normalise_title(search))
    return query.filter(search_key__contains=pattern)


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

