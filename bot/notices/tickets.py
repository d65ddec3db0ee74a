"""How tickets and meetings look and who hears of them: the representative's notice with its
buttons, official answers in the house chat, and every announcement of a meeting."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.keyboards.tickets import meeting_controls, notice_keyboard, open_link_keyboard
from bot.notices.base import Notice
from bot.services.core.access import municipality_staff
from bot.services.core.calendar import show_moment
from bot.services.core.official import official_message, representative_source
from bot.services.core.ports import RecipientUnreachable
from bot.services.tickets.service import Deadline
from storage.models import Meeting, Person, Ticket

if TYPE_CHECKING:
    from bot.runtime.context import Services

log = logging.getLogger(__name__)


def notice_text(ticket: Ticket, services: Services) -> str:
    deadline = show_moment(ticket.deadline_at, services.tickets.zone(ticket.municipality))
    return (
        f"Поступило обращение от УД по адресу «{ticket.chat.title}» №{ticket.id} "
        f"«{ticket.question}»\nОтветить нужно до {deadline}."
    )


class TicketNotices(Notice):
    """The representative's notice, official answers, meetings and deadlines: who hears what.
    The meeting service announces through it (`MeetingService.announcer`)."""

    async def tell_author(self, ticket: Ticket, text: str) -> None:
        """A message to the chat admin who raised the ticket, if they use VK."""
        if ticket.author is not None and ticket.author.vk_id is not None:
            await self.message(ticket.author.vk_id, text)

    async def notify_representative(self, ticket: Ticket) -> bool:
        """The notice with [Ответить] [Назначить онлайн-встречу]; False if VK could not deliver it
        (then an SMS link goes out and staff are warned)."""
        rep: Person | None = ticket.representative
        if rep is not None and rep.vk_id is not None:
            try:
                await self.send_notice(ticket, rep.vk_id, dedup_key=f"ticket:{ticket.id}:notice:{rep.id}")
                return True
            except RecipientUnreachable:
                log.info("representative %s does not accept messages", rep.id)
        await self.services.tickets.text_representative(ticket)
        await self._warn_staff(ticket)
        return False

    async def send_notice(
        self, ticket: Ticket, peer_id: int, *, dedup_key: str | None = None
    ) -> None:
        """The ticket's notice (with its photo) and buttons; remembered, so a choice edits it."""
        attachments = []
        photo = await self.services.tickets.blob(ticket.question_photo_id)
        if photo is not None:
            attachments.append(
                await self._messenger.upload(peer_id, "photo", photo.filename, bytes(photo.content))
            )
        sent = await self._messenger.send(
            peer_id, notice_text(ticket, self.services), keyboard=notice_keyboard(ticket),
            attachments=attachments, dedup_key=dedup_key,
        )
        await self.services.tickets.remember_notice(ticket, sent.cmid)

    async def _warn_staff(self, ticket: Ticket) -> None:
        text = (
            f"Представитель по обращению №{ticket.id} («{ticket.chat.title}») не получает сообщения "
            "бота во ВКонтакте — ему отправлено SMS. Если ответа не будет, передайте обращение "
            "другому представителю."
        )
        for person in await municipality_staff(ticket.municipality_id):
            if person.vk_id is not None:
                await self.message(person.vk_id, text)
        await self.tell_author(
            ticket,
            f"Представитель по обращению №{ticket.id} пока не получает сообщения бота. "
            "Мы отправили ему SMS и предупредили муниципалитет.",
        )

    async def passed(self, ticket: Ticket, deadline: str) -> None:
        """The house chat hears that its question went to the representative."""
        await self._messenger.send(
            ticket.chat.peer_id or 0,
            f"📨 Вопрос передан представителю (обращение №{ticket.id}): «{ticket.question[:200]}». "
            f"Срок ответа — до {deadline}.",
            dedup_key=f"ticket:{ticket.id}:passed",
        )

    async def source_of(self, ticket: Ticket) -> str:
        return representative_source(ticket.kind, await self.services.tickets.organisation(ticket))

    async def publish_answer(self, ticket: Ticket) -> None:
        """The answer as an official message in the house chat; the chat admin is told."""
        text = official_message(await self.source_of(ticket), ticket.answer or "", ticket.id)
        peer = ticket.chat.peer_id or 0
        attachments = []
        file = await self.services.tickets.blob(ticket.answer_file_id)
        if file is not None:
            attachments.append(
                await self._messenger.upload(peer, file.kind, file.filename, bytes(file.content))
            )
        await self._messenger.send(peer, text, attachments=attachments, dedup_key=f"ticket:{ticket.id}:answer")
        await self.tell_author(
            ticket,
            f"Представитель ответил на обращение №{ticket.id} — ответ опубликован в чате "
            f"«{ticket.chat.title}».",
        )

    # -- meetings (the meeting service's announcer) -------------------------------------------

    def _when(self, meeting: Meeting, ticket: Ticket) -> str:
        return show_moment(meeting.starts_at, self.services.tickets.zone(ticket.municipality))

    async def _people(self, ticket: Ticket, text: str, key: str, keyboard: str | None = None) -> None:
        for person in (ticket.representative, ticket.author):
            if person is not None and person.vk_id is not None:
                try:
                    await self._messenger.send(
                        person.vk_id, text, keyboard=keyboard, dedup_key=f"{key}:{person.id}"
                    )
                except RecipientUnreachable:
                    log.info("person %s cannot be told about meeting", person.id)

    async def _house(self, ticket: Ticket, text: str, key: str) -> None:
        body = official_message(await self.source_of(ticket), text, ticket.id)
        await self._messenger.send(ticket.chat.peer_id or 0, body, dedup_key=key)

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
        await self.tell_author(ticket, f"Встреча по обращению №{ticket.id} {moved} {when}.")

    async def cancelled(self, meeting: Meeting, ticket: Ticket) -> None:
        await self._house(
            ticket, f"Онлайн-встреча по вопросу «{ticket.question[:200]}» отменена.",
            f"meeting:{meeting.id}:cancelled:house",
        )
        await self.tell_author(ticket, f"Встреча по обращению №{ticket.id} отменена.")

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
            await self._messenger.send(
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

    # -- deadlines (the ticket_deadlines job) ----------------------------------------------------

    async def deadline_near(self, due: Deadline) -> None:
        """A reminder to the representative a day before the deadline."""
        if due.person is None or due.person.vk_id is None:
            return
        zone = self.services.tickets.zone(await due.ticket.municipality)
        await self.message(
            due.person.vk_id,
            f"Напоминаю: ответить на обращение №{due.ticket.id} («{due.chat.title}») нужно "
            f"до {show_moment(due.ticket.deadline_at, zone)}. Откройте «Обращения» в меню.",
        )

    async def overdue(self, ticket: Ticket, staff: list[Person]) -> None:
        """Staff hear that a representative did not answer in time."""
        for person in staff:
            assert person.vk_id is not None
            await self.message(
                person.vk_id,
                f"Обращение №{ticket.id} («{ticket.chat.title}») просрочено: представитель не "
                "ответил вовремя. Его можно передать другому представителю в «Обращения» → "
                "«Просроченные».",
            )
