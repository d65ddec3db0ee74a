"""How tickets and meetings look and who hears of them: the representative's notice with its
buttons, official answers in the house chat, and every announcement of a meeting."""

from __future__ import annotations

import logging


from bot.keyboards.tickets import meeting_controls, notice_keyboard, open_link_keyboard
from bot.runtime.context import Services
from bot.services.core.access import municipality_staff
from bot.services.core.official import official_message, representative_source
from bot.services.core.ports import RecipientUnreachable
from bot.services.core.calendar import show_moment
from storage.models import Meeting, Person, Ticket

log = logging.getLogger(__name__)


def notice_text(ticket: Ticket, services: Services) -> str:
    deadline = show_moment(ticket.deadline_at, services.tickets.zone(ticket.municipality))
    return (
        f"Поступило обращение от УД по адресу «{ticket.chat.title}» №{ticket.id} "
        f"«{ticket.question}»\nОтветить нужно до {deadline}."
    )


async def tell_author(services: Services, ticket: Ticket, text: str) -> None:
    """A message to the chat admin who raised the ticket, if they use VK."""
    if ticket.author is not None and ticket.author.vk_id is not None:
        await services.message(ticket.author.vk_id, text)


async def notify_representative(services: Services, ticket: Ticket) -> bool:
    """The notice with [Ответить] [Назначить онлайн-встречу]; False if VK could not deliver it
    (then an SMS link goes out and staff are warned)."""
    rep: Person | None = ticket.representative
    if rep is not None and rep.vk_id is not None:
        try:
            await send_notice(services, ticket, rep.vk_id, dedup_key=f"ticket:{ticket.id}:notice:{rep.id}")
            return True
        except RecipientUnreachable:
            log.info("representative %s does not accept messages", rep.id)
    await services.tickets.text_representative(ticket)
    await _warn_staff(services, ticket)
    return False


async def send_notice(
    services: Services, ticket: Ticket, peer_id: int, *, dedup_key: str | None = None
) -> None:
    """The ticket's notice (with its photo) and buttons; remembered, so a choice edits it."""
    attachments = []
    photo = await services.tickets.blob(ticket.question_photo_id)
    if photo is not None:
        attachments.append(
            await services.gateway.upload_photo(peer_id, photo.filename, bytes(photo.content))
        )
    sent = await services.gateway.send(
        peer_id, notice_text(ticket, services), keyboard=notice_keyboard(ticket),
        attachments=attachments, dedup_key=dedup_key,
    )
    await services.tickets.remember_notice(ticket, sent.cmid)


async def _warn_staff(services: Services, ticket: Ticket) -> None:
    text = (
        f"Представитель по обращению №{ticket.id} («{ticket.chat.title}») не получает сообщения "
        "бота во ВКонтакте — ему отправлено SMS. Если ответа не будет, передайте обращение "
        "другому представителю."
    )
    for person in await municipality_staff(ticket.municipality_id):
        if person.vk_id is not None:
            await services.message(person.vk_id, text)
    await tell_author(
        services,
        ticket,
        f"Представитель по обращению №{ticket.id} пока не получает сообщения бота. "
        "Мы отправили ему SMS и предупредили муниципалитет.",
    )


async def source_of(services: Services, ticket: Ticket) -> str:
    return representative_source(ticket.kind, await services.tickets.organisation(ticket))


async def publish_answer(services: Services, ticket: Ticket) -> None:
    """The answer as an official message in the house chat; the chat admin is told."""
    text = official_message(await source_of(services, ticket), ticket.answer or "", ticket.id)
    peer = ticket.chat.peer_id or 0
    attachments = []
    file = await services.tickets.blob(ticket.answer_file_id)
    if file is not None:
        attachments.append(
            await services.gateway.upload(peer, file.kind, file.filename, bytes(file.content))
        )
    await services.gateway.send(peer, text, attachments=attachments, dedup_key=f"ticket:{ticket.id}:answer")
    await tell_author(
        services,
        ticket,
        f"Представитель ответил на обращение №{ticket.id} — ответ опубликован в чате "
        f"«{ticket.chat.title}».",
    )


class ChatAnnouncer:
    """Tells the house chat, the representative and the chat admin about a meeting."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def _when(self, meeting: Meeting, ticket: Ticket) -> str:
        return show_moment(meeting.starts_at, self.services.tickets.zone(ticket.municipality))

    async def _people(self, ticket: Ticket, text: str, key: str, keyboard: str | None = None) -> None:
        for person in (ticket.representative, ticket.author):
            if person is not None and person.vk_id is not None:
                try:
                    await self.services.gateway.send(
                        person.vk_id, text, keyboard=keyboard, dedup_key=f"{key}:{person.id}"
                    )
                except RecipientUnreachable:
                    log.info("person %s cannot be told about meeting", person.id)

    async def _house(self, ticket: Ticket, text: str, key: str) -> None:
        body = official_message(await source_of(self.services, ticket), text, ticket.id)
        await self.services.gateway.send(ticket.chat.peer_id or 0, body, dedup_key=key)

    async def scheduled(self, meeting: Meeting, ticket: Ticket, *, before: object | None) -> None:
        when = self._when(meeting, ticket)
        moved = "перенесена: теперь" if before is not None else "назначена на"
        lead = self.services.meetings.link_lead_minutes
        key = f"meeting:{meeting.id}:scheduled:{meeting.starts_at.isoformat()}"
        await self._house(
            ticket,
            f"Онлайн-встреча по вопросу «{ticket.question[:200]}» {moved} {when}. "
            f"Ссылку на чат обсуждения опубликуем здесь за {lead} минут до начала — "
            "присоединяйтесь, если вопрос вас касается.",
            f"{key}:house",
        )
        await tell_author(self.services, ticket, f"Встреча по обращению №{ticket.id} {moved} {when}.")

    async def cancelled(self, meeting: Meeting, ticket: Ticket) -> None:
        await self._house(
            ticket, f"Онлайн-встреча по вопросу «{ticket.question[:200]}» отменена.",
            f"meeting:{meeting.id}:cancelled:house",
        )
        await tell_author(self.services, ticket, f"Встреча по обращению №{ticket.id} отменена.")

    async def opened(self, meeting: Meeting, ticket: Ticket) -> None:
        link = meeting.invite_link or ""
        await self._house(
            ticket,
            f"Через {self.services.meetings.link_lead_minutes} минут начинается "
            f"онлайн-встреча по вопросу «{ticket.question[:200]}». Чат обсуждения: {link}",
            f"meeting:{meeting.id}:opened:house",
        )
        text = f"Приглашение в чат встречи по обращению №{ticket.id} ({self._when(meeting, ticket)}): {link}"
        await self._people(ticket, text, f"meeting:{meeting.id}:opened", open_link_keyboard(link))
        if ticket.representative is not None and ticket.representative.vk_id is not None:
            await self.services.gateway.send(
                ticket.representative.vk_id,
                "Когда обсуждение закончится, нажмите «Завершить встречу» — чат закроется. "
                "Нужно больше времени — «Продлить на 30 минут».",
                keyboard=meeting_controls(meeting, live=True),
                dedup_key=f"meeting:{meeting.id}:controls",
            )

    async def open_failed(self, meeting: Meeting, ticket: Ticket) -> None:
        await self._people(
            ticket,
            f"ВКонтакте пока не даёт создать чат встречи по обращению №{ticket.id}. Встреча остаётся "
            "назначенной, мы продолжаем пытаться и пришлём ссылку, как только получится.",
            f"meeting:{meeting.id}:failed",
        )

    async def closed(self, meeting: Meeting, ticket: Ticket) -> None:
        await self._house(
            ticket, f"Онлайн-встреча по вопросу «{ticket.question[:200]}» завершена. Спасибо всем, кто пришёл!",
            f"meeting:{meeting.id}:closed:house",
        )
        await self._people(
            ticket, f"Встреча по обращению №{ticket.id} завершена, чат обсуждения закрыт.",
            f"meeting:{meeting.id}:closed",
        )

    async def missed(self, meeting: Meeting, ticket: Ticket) -> None:
        await self._people(
            ticket,
            f"Встреча по обращению №{ticket.id} ({self._when(meeting, ticket)}) не состоялась: "
            "бот был недоступен. Обращение снова открыто — назначьте новую встречу или ответьте.",
            f"meeting:{meeting.id}:missed",
        )
