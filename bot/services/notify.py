"""Telling people about their new roles: a VK message when the community may write to them,
otherwise an SMS with a deep link to the community (opening it binds the account)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import StrEnum

from bot.services.invitations import InvitationService, SmsNotSent
from bot.services.ports import Messenger, RecipientUnreachable
from storage.models import Person, RoleGrant

log = logging.getLogger(__name__)


class Delivery(StrEnum):
    VK = "vk"
    SMS = "sms"
    NONE = "none"  # no way to reach them (no VK dialog and the SMS failed)


class Notifier:
    def __init__(self, messenger: Messenger, invitations: InvitationService) -> None:
        self._messenger = messenger
        self._invitations = invitations

    async def tell(
        self,
        person: Person,
        grant: RoleGrant,
        *,
        vk_text: str,
        sms_text: Callable[[str], str],
        sent_by: Person | None = None,
    ) -> Delivery:
        """Send `vk_text` in VK, or `sms_text(deep_link)` by SMS when VK refuses."""
        if person.vk_id is not None:
            try:
                await self._messenger.send(person.vk_id, vk_text)
                return Delivery.VK
            except RecipientUnreachable:
                log.info("person %s cannot be written to in VK; texting them", person.id)
        if not person.phone:
            return Delivery.NONE
        grant.person = person
        _, link = await self._invitations.issue(grant, sent_by)
        try:
            await self._invitations.text(person.phone, sms_text(link))
        except SmsNotSent:
            return Delivery.NONE
        return Delivery.SMS
