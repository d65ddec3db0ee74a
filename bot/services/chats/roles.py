"""Roles in chats: the coordination chat (who belongs, removing outsiders), a chat's admins
and representatives."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from bot.services.chats.creation import ChatCreation
from bot.services.chats.directory import ChatDirectory
from bot.services.chats.model import (
    COORDINATION_ROLES,
    Admission,
    CreationReport,
    Release,
    existing_chat,
)
from bot.services.core.access import Actor, require_municipality
from bot.services.core.errors import DomainError
from bot.services.core.ports import (
    ChatUnavailable,
    MessengerError,
    MessengerUnavailable,
    NotAMember,
)
from bot.services.importing import RepresentativeSpec, normalise_title
from bot.services.staff.invitations import Delivery, Scope
from storage.models import (
    Chat,
    ChatKind,
    ChatMember,
    ChatStatus,
    Municipality,
    Person,
    Role,
    RoleGrant,
)

log = logging.getLogger(__name__)


class ChatRoles(ChatCreation, ChatDirectory):
    """The coordination chat's members, a chat's admins and representatives."""


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
            chat = await existing_chat(chat_id)
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
