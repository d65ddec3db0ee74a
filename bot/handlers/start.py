"""Start, the main menu, binding by an invitation link, roles and help."""

from __future__ import annotations

from vkbottle.bot import BotLabeler, Message

from bot import texts
from bot.handlers.onboarding import push_current
from bot.handlers.ticket_views import send_notice
from bot.keyboards.menu import guest_menu, main_menu
from bot.runtime.context import Turn
from bot.runtime.rules import Command, HasRef
from bot.services.access import describe_grant, load_actor, municipalities_of
from storage.models import Role, Ticket

labeler = BotLabeler()

SHOWN_WAITING = 5  # ticket notices shown on binding; the rest are in «Обращения»


@labeler.private_message(HasRef())
async def bind_by_invitation(message: Message, turn: Turn, ref: str) -> None:
    names = await turn.services.gateway.user_names([turn.actor.vk_id])
    binding = await turn.services.invitations.accept(
        vk_id=turn.actor.vk_id, token=ref, name=names.get(turn.actor.vk_id, "")
    )
    turn.actor = await load_actor(turn.actor.vk_id)
    await turn.clear_state()
    roles = "\n".join(f"• {describe_grant(g)}" for g in binding.grants)
    intro = "Вы уже подключены." if binding.already_bound else "Готово, бот вас узнал!"
    parts = [f"{intro} Ваши роли:\n{roles}"]
    chats = [g.chat for g in binding.grants if g.chat is not None and g.chat.invite_link]
    if chats:
        links = "\n".join(f"• «{c.title}»: {c.invite_link}" for c in chats)
        parts.append(f"Ваши домовые чаты — вступите по ссылке:\n{links}")
    coordination = await turn.services.chats.coordination_links(binding.person)
    if coordination:
        links = "\n".join(f"• {name}: {link}" for name, link in coordination)
        parts.append(f"Чат сотрудников и администраторов чатов:\n{links}")
    waiting = await turn.services.tickets.waiting_for(turn.actor)
    if waiting:
        parts.append(f"Ждут вашего ответа: {texts.tickets(len(waiting))} — сообщения ниже.")
    parts.append(texts.MENU_HINT)
    await turn.answer("\n\n".join(parts), keyboard=await menu_keyboard(turn))
    if turn.actor.has(Role.CHAT_ADMIN):
        await push_current(turn.services, binding.person, "Начнём подключение вашего чата.")
    await show_waiting(turn, waiting)


async def show_waiting(turn: Turn, waiting: list[Ticket]) -> None:
    """The notices of the tickets the person is to answer, with their buttons (the oldest
    few, nearest their deadlines; the rest are under «Обращения»)."""
    for ticket in waiting[:SHOWN_WAITING]:
        await send_notice(turn.services, ticket, turn.peer_id)
    if len(waiting) > SHOWN_WAITING:
        await turn.answer(
            f"Ещё {texts.tickets(len(waiting) - SHOWN_WAITING)} ждут ответа — они в «Обращениях»."
        )


@labeler.private_message(Command("start", "menu", texts=("начать", "start", "меню")))
async def start(message: Message, turn: Turn) -> None:
    await turn.clear_state()
    await show_menu(turn)


@labeler.private_message(Command("cancel", texts=("отмена", "отменить")))
async def cancel(message: Message, turn: Turn) -> None:
    await turn.clear_state()
    await show_menu(turn, texts.CANCELLED)


@labeler.private_message(Command("roles", texts=("мои роли",)))
async def roles(message: Message, turn: Turn) -> None:
    if not turn.actor.grants:
        await turn.answer(texts.GREETING, keyboard=guest_menu())
        return
    lines = "\n".join(f"• {describe_grant(g)}" for g in turn.actor.grants)
    await turn.answer(f"Ваши роли:\n{lines}", keyboard=await menu_keyboard(turn))


@labeler.private_message(Command("help", texts=("помощь", "справка")))
async def help_(message: Message, turn: Turn) -> None:
    await turn.answer(texts.HELP, keyboard=await menu_keyboard(turn))


async def menu_keyboard(turn: Turn) -> str:
    if not turn.actor.grants:
        return guest_menu()
    several = len(await municipalities_of(turn.actor)) > 1
    return main_menu(turn.actor.roles, several_municipalities=several)


async def show_menu(turn: Turn, prefix: str = "") -> None:
    lead = f"{prefix}\n\n" if prefix else ""
    text = texts.MENU_HINT if turn.actor.grants else texts.GREETING
    await turn.answer(lead + text, keyboard=await menu_keyboard(turn))
