"""«Список чатов»: pages, search by address, the card of a chat and its actions, the export."""

from __future__ import annotations

import re

from vkbottle import GroupEventType
from vkbottle.bot import BotLabeler, Message
from vkbottle.dispatch.rules.base import StateRule

from bot.handlers.inputs import phone_or_ask_again
from bot.handlers.start import show_menu
from bot.keyboards.chat_list import chat_card_keyboard, list_mode_keyboard, no_chats_keyboard
from bot.keyboards.common import cancel_keyboard
from bot.keyboards.lists import paged_list
from bot.runtime.context import CallbackTurn, Turn
from bot.runtime.payload import int_arg
from bot.runtime.rules import CallbackCommand, Command
from bot.services.chats.exports import chats_xlsx
from bot.services.chats.model import (
    KIND_TITLES,
    REPRESENTATIVE_TITLES,
    STATUS_TITLES,
    ChatCard,
    Holder,
    Release,
)
from bot.services.chats.onboarding import step_label
from bot.services.chats.posters import show_code
from bot.services.core import texts
from bot.services.core.access import working_municipality
from bot.services.core.paging import Page
from bot.services.core.phones import format_phone
from bot.services.staff.invitations import PERSON_STATUS_TITLES, Delivery
from bot.services.stats.uptake import uptake_of
from bot.states.chat_list import ChangeAdmin, ChatList
from storage.models import ChatStatus, OnboardingStep

labeler = BotLabeler()

PAGE_SIZE = 5
MAX_SEARCH = 40  # keeps the search inside a button payload
MAX_TYPED_ADDRESS = 100  # a chat title is at most this long
MAX_ADDRESS_WORDS = 6
# Words of a conversation, never of an address: typed text with one of them is not a search.
CONVERSATION_WORDS = frozenset(
    "как что где когда почему зачем кто какой какая какие можно нельзя нужно надо хочу "  # noqa: SIM905
    "привет здравствуйте здравствуй добрый доброе день вечер утро спасибо пожалуйста помогите "
    "помощь подскажите скажите объясните удалить удалите изменить создать сделать "
    "не я вы мы мне вам нам это".split()
)
NO_CHATS_YET = (
    "Чатов пока нет. Создайте первый: «Создать чат» — по одному, «Чаты из файла» — "
    "сразу списком из таблицы."
)
LIST_HELP = (
    "Это не похоже на адрес, а здесь я ищу чаты по адресу: напишите, например, «садовая 12» "
    "или «плесецкая». Если это название чата, нажмите «Найти чат» и пришлите его. "
    "Ответы на вопросы о боте — «Помощь», остальные действия — «Меню»."
)


def _holder(holder: Holder) -> str:
    who = format_phone(holder.person.phone or "") or holder.person.name or "—"
    return f"{who} ({PERSON_STATUS_TITLES[holder.status]})"


def list_text(municipality: str, page: Page[ChatCard], search: str) -> str:
    if search:
        head = f"Чаты «{municipality}» по запросу «{search}»: найдено {page.total}"
    else:
        head = f"Домовые чаты — {municipality}\nИтого: {texts.chats(page.total)}"
    if not page.total:
        hint = "Ничего не нашлось: попробуйте часть названия улицы или номер дома." if search else (
            "Чатов больше нет — создать их можно из «Меню»."
        )
        return f"{head}\n\n{hint}"
    lines = [head, f"Страница {page.number} из {page.pages}", ""]
    for index, card in enumerate(page.items, start=page.first_index):
        admins = ", ".join(_holder(h) for h in card.admins) or "нет администратора"
        lines.append(f"{index}. {card.chat.title} — {STATUS_TITLES[card.chat.status]} · {admins}")
    lines.append("\nНажмите номер, чтобы открыть карточку чата. Чтобы найти чат, напишите его адрес.")
    return "\n".join(lines)


def looks_like_address(text: str) -> bool:
    """Typed text that may be (part of) an address; a question or a chat with the bot is not.

    «Плесецкая», «садовая 12», «ул. Садовая, д. 12, корп. 2» are; «привет, как удалить чат?»
    is not (a question mark, words of a conversation, or too many words)."""
    if not text or "?" in text or "!" in text or len(text) > MAX_TYPED_ADDRESS:
        return False
    words = re.findall(r"[^\W\d_]+", text.casefold().replace("ё", "е"))
    return len(words) <= MAX_ADDRESS_WORDS and not any(w in CONVERSATION_WORDS for w in words)


def card_text(card: ChatCard, onboarding: OnboardingStep | None) -> str:
    chat = card.chat
    lines = [f"«{chat.title}» — {KIND_TITLES.get(chat.kind, chat.kind)}"]
    status = STATUS_TITLES[chat.status]
    if chat.status_reason and chat.status is not ChatStatus.ACTIVE:
        status += f" ({chat.status_reason})"
    lines.append(f"Статус: {status}")
    uptake = uptake_of(chat)
    share = f" — {uptake.percent}% квартир" if uptake.percent is not None else ""
    flats = f" · квартир: {chat.flats}{share}" if chat.flats else ""
    lines.append(f"Участников: {chat.members_count}{flats}")
    lines.append(f"Подключение администратора: {step_label(onboarding)}")
    if chat.description:
        lines.append(f"Описание: {chat.description}")
    lines.append(f"Ссылка для вступления: {chat.invite_link or '—'}")
    admins = "\n".join(f"• {_holder(h)}" for h in card.admins) or "• не назначен"
    lines.append(f"Администратор чата:\n{admins}")
    if card.representatives:
        reps = []
        for holder in card.representatives:
            kind = REPRESENTATIVE_TITLES[holder.grant.kind] if holder.grant.kind else "Представитель"
            org = f" «{holder.grant.organisation}»" if holder.grant.organisation else ""
            reps.append(f"• {kind}{org}: {_holder(holder)}")
        lines.append("Представители:\n" + "\n".join(reps))
    else:
        lines.append("Представители: не назначены")
    return "\n".join(lines)


async def _list_message(turn: Turn, number: int, search: str) -> tuple[str, str | None]:
    """The list screen of the person's working municipality."""
    municipality = await working_municipality(turn.actor)
    page = await turn.services.chats.page(
        turn.actor, municipality.id, number=number, size=PAGE_SIZE, search=search
    )
    keyboard = paged_list(
        "chats.card",
        [card.chat.id for card in page.items],
        page,
        "chats.page",
        **({"q": search} if search else {}),
    )
    return list_text(municipality.name, page, search), keyboard


@labeler.private_message(Command("chats.list", texts=("список чатов", "чаты")))
async def open_list(message: Message, turn: Turn) -> None:
    municipality = await working_municipality(turn.actor)
    if not await turn.services.chats.count(turn.actor, municipality.id):
        await turn.clear_state()
        await turn.answer(
            f"Домовые чаты — {municipality.name}\n\n{NO_CHATS_YET}", keyboard=no_chats_keyboard()
        )
        return
    await turn.set_state(ChatList.BROWSE, search="")
    await turn.answer("Список чатов. Напишите адрес, чтобы найти чат.", keyboard=list_mode_keyboard())
    text, keyboard = await _list_message(turn, 1, "")
    await turn.answer(text, keyboard=keyboard)


@labeler.private_message(StateRule(ChatList.BROWSE), Command("chats.export"))
async def export(message: Message, turn: Turn) -> None:
    municipality = await working_municipality(turn.actor)
    cards = await turn.services.chats.all_chats(turn.actor, municipality.id)
    doc = await turn.upload("doc", "Домовые чаты.xlsx", chats_xlsx(cards))
    await turn.answer(f"Выгрузка: {texts.chats(len(cards))}.", attachments=[doc])


@labeler.private_message(StateRule(ChatList.BROWSE), Command("chats.posters"))
async def all_posters(message: Message, turn: Turn) -> None:
    municipality = await working_municipality(turn.actor)
    await turn.answer("Готовлю объявления для всех чатов — пришлю файлы PDF, когда будут готовы.")
    turn.services.tasks.spawn(
        turn.services.notices.chat_list.posters_documents(turn.actor, turn.peer_id, municipality.id),
        name=f"posters-{municipality.id}",
    )


@labeler.private_message(StateRule(ChatList.BROWSE), Command("chats.search", texts=("найти чат", "поиск")))
async def ask_search(message: Message, turn: Turn) -> None:
    await turn.set_state(ChatList.BROWSE, **turn.data, search_next=True)
    await turn.answer("Пришлите адрес или название чата — можно часть, например «плесецкая».")


@labeler.private_message(StateRule(ChatList.BROWSE))
async def search(message: Message, turn: Turn) -> None:
    """Typed text while the list is open: an address (or anything after «Найти чат») searches,
    other text gets help instead of «найдено 0»."""
    query = " ".join((message.text or "").split())
    if not query:
        await turn.answer("Напишите часть адреса текстом, например «плесецкая».")
        return
    if not turn.data.get("search_next") and not looks_like_address(query):
        await turn.answer(LIST_HELP, keyboard=list_mode_keyboard())
        return
    query = query[:MAX_SEARCH]
    await turn.set_state(ChatList.BROWSE, search=query)
    text, keyboard = await _list_message(turn, 1, query)
    await turn.answer(text, keyboard=keyboard)


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("chats.page"))
async def turn_page(event: dict, turn: CallbackTurn) -> None:
    search = str(turn.payload.get("q", ""))[:MAX_SEARCH]
    text, keyboard = await _list_message(turn, int_arg(turn.payload, "p", 1), search)
    await turn.snackbar()
    await turn.edit(text, keyboard)


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("chats.card"))
async def open_card(event: dict, turn: CallbackTurn) -> None:
    card = await turn.services.chats.card(turn.actor, int_arg(turn.payload, "id"))
    step = await turn.services.onboarding.step_of_chat(card.chat)
    await turn.snackbar()
    await turn.answer(
        card_text(card, step),
        keyboard=chat_card_keyboard(card.chat.id, active=card.chat.status is ChatStatus.ACTIVE),
    )


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("chat.link"))
async def reset_link(event: dict, turn: CallbackTurn) -> None:
    chat = await turn.services.chats.reset_link(turn.actor, int_arg(turn.payload, "id"))
    await turn.snackbar("Ссылка изменена")
    await turn.answer(
        f"Новая ссылка на чат «{chat.title}»: {chat.invite_link}\nСтарая больше не работает, "
        "а старые объявления при проверке кода покажут, что ссылка устарела."
    )


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("chat.poster"))
async def poster(event: dict, turn: CallbackTurn) -> None:
    chat = await turn.services.chats.chat_for(turn.actor, int_arg(turn.payload, "id"))
    if chat.status is not ChatStatus.ACTIVE:
        await turn.snackbar("Чат не действует — объявление не нужно.")
        return
    poster_, pdf = await turn.services.posters.pdf(chat)
    await turn.snackbar()
    await turn.answer_document(f"Объявление для чата «{chat.title}», код проверки {show_code(poster_.code)}.",
        f"Объявление — {chat.title}.pdf",
        pdf,
    )


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("chat.resend"))
async def resend(event: dict, turn: CallbackTurn) -> None:
    deliveries = await turn.services.chats.resend_to_admins(turn.actor, int_arg(turn.payload, "id"))
    if not deliveries:
        await turn.snackbar("У чата нет администратора — назначьте его.")
    elif all(d is Delivery.NONE for d in deliveries):
        await turn.snackbar("Не удалось отправить: ни ВКонтакте, ни SMS не дошли.")
    else:
        await turn.snackbar("Приглашение отправлено")


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict, CallbackCommand("chat.admin"))
async def ask_new_admin(event: dict, turn: CallbackTurn) -> None:
    chat = await turn.services.chats.chat_for(turn.actor, int_arg(turn.payload, "id"))
    await turn.snackbar()
    await turn.set_state(ChangeAdmin.PHONE, chat_id=chat.id)
    await turn.answer(
        f"Новый администратор чата «{chat.title}»: пришлите его номер телефона.",
        keyboard=cancel_keyboard(),
    )


@labeler.private_message(StateRule(ChangeAdmin.PHONE))
async def change_admin(message: Message, turn: Turn) -> None:
    phone = await phone_or_ask_again(turn, message.text, keyboard=cancel_keyboard())
    if phone is None:
        return
    delivery, release = await turn.services.chats.change_admin(
        turn.actor, int(turn.data["chat_id"]), phone
    )
    await turn.clear_state()
    told = {
        Delivery.VK: "Ему отправлено приглашение.",
        Delivery.SMS: "Ему отправлено приглашение.",
        Delivery.NONE: "Сообщить ему пока не удалось — отправьте повторно из карточки чата.",
    }
    released = {
        Release.REMOVED: " Прежний администратор удалён из чата координации.",
        Release.NOT_MEMBER: "",
        Release.FAILED: " Удалить прежнего администратора из чата координации не удалось — "
        "удалите его там вручную.",
    }
    await show_menu(
        turn, f"Администратор чата — {format_phone(phone)}. {told[delivery]}{released[release]}"
    )
