"""Invitations, told on the bot's own initiative: the welcome with the roles (and the tickets
waiting), the inviter's «это ваш сотрудник?», and what the invited person did."""

from __future__ import annotations

from bot.keyboards.invitations import confirm_opener_keyboard
from bot.keyboards.start import menu_for
from bot.notices.base import Notice
from bot.services.core import texts
from bot.services.core.access import describe_grant, load_actor
from bot.services.staff.invitations import Binding, Opened, offered_roles, opener_text
from storage.models import Role, Ticket

SHOWN_WAITING = 5  # ticket notices shown on binding; the rest are in «Обращения»


class InvitationNotices(Notice):
    async def welcome(self, vk_id: int, binding: Binding) -> None:
        """The roles now in force, the chats to join, the menu; a chat admin's first step."""
        actor = await load_actor(vk_id)
        roles = "\n".join(f"• {describe_grant(g)}" for g in binding.grants)
        intro = "Вы уже подключены." if binding.already_bound else "Готово, бот вас узнал!"
        parts = [f"{intro} Ваши роли:\n{roles}"]
        chats = [g.chat for g in binding.grants if g.chat is not None and g.chat.invite_link]
        if chats:
            links = "\n".join(f"• «{c.title}»: {c.invite_link}" for c in chats)
            parts.append(f"Ваши домовые чаты — вступите по ссылке:\n{links}")
        coordination = await self.services.chats.coordination_links(binding.person)
        if coordination:
            links = "\n".join(f"• {name}: {link}" for name, link in coordination)
            parts.append(f"Чат сотрудников и администраторов чатов:\n{links}")
        waiting = await self.services.tickets.waiting_for(actor)
        if waiting:
            parts.append(f"Ждут вашего ответа: {texts.tickets(len(waiting))} — сообщения ниже.")
        parts.append(texts.MENU_HINT)
        await self.message(vk_id, "\n\n".join(parts), keyboard=await menu_for(actor))
        if actor.has(Role.CHAT_ADMIN):
            await self.services.notices.onboarding.push_current(binding.person, "Начнём подключение вашего чата.")
        await self.show_waiting(vk_id, waiting)

    async def show_waiting(self, vk_id: int, waiting: list[Ticket]) -> None:
        """The notices of the tickets the person is to answer, with their buttons (the oldest
        few, nearest their deadlines; the rest are under «Обращения»)."""
        for ticket in waiting[:SHOWN_WAITING]:
            await self.services.notices.tickets.send_notice(ticket, vk_id)
        if len(waiting) > SHOWN_WAITING:
            await self.message(
                vk_id,
                f"Ещё {texts.tickets(len(waiting) - SHOWN_WAITING)} ждут ответа — они в «Обращениях».",
            )

    async def tell_inviter(self, opened: Opened, what: str) -> None:
        """The inviter hears what the invited person did (unless they opened their own link)."""
        inviter = opened.inviter
        if inviter is None or inviter.vk_id is None or inviter.vk_id == opened.invitation.opened_by_vk_id:
            return
        await self.message(
            inviter.vk_id,
            f"{opener_text(opened.invitation)} {what}:\n{offered_roles(opened.grants)}",
        )

    async def ask_inviter(self, opened: Opened) -> bool:
        """«это ваш сотрудник?» to the inviter of a staff role; False if VK would not deliver it."""
        assert opened.inviter is not None and opened.inviter.vk_id is not None
        invitation = opened.invitation
        accepted_offer = invitation.person.vk_id == invitation.opened_by_vk_id
        lead = "Приглашение принял" if accepted_offer else "Ссылку открыл"
        return await self.message(
            opened.inviter.vk_id,
            f"{lead} {opener_text(invitation)} — это ваш сотрудник?\n"
            f"{offered_roles(opened.grants)}\n\nЕсли вы не знаете этого человека, нажмите «Нет»: "
            "приглашение перестанет действовать.",
            keyboard=confirm_opener_keyboard(invitation.id, invitation.opened_by_vk_id or 0),
        )

    async def rejected(self, vk_id: int) -> None:
        """The person who opened a link hears that the inviter did not confirm them."""
        await self.message(
            vk_id,
            "Пригласивший не подтвердил, что ссылку открыли вы, — приглашение отменено. "
            "Если это ошибка, попросите прислать новое.",
        )
