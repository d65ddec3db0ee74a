"""«Создать чат»: name → type → description → photo → admin's phone → summary → create."""

from __future__ import annotations

from vkbottle.bot import BotLabeler, Message
from vkbottle.dispatch.rules.base import StateRule

from bot.handlers.inputs import phone_or_ask_again
from bot.handlers.start import show_menu
from bot.keyboards.chat_creation import chat_kind_keyboard, edit_fields_keyboard, summary_keyboard
from bot.keyboards.common import cancel_keyboard, skip_keyboard
from bot.runtime.attachments import photo_url
from bot.runtime.context import Turn
from bot.runtime.rules import Command
from bot.services.chats.model import KIND_TITLES, NewChat
from bot.services.core.access import working_municipality
from bot.services.core.phones import format_phone
from bot.services.importing.model import MAX_TITLE
from bot.services.staff.invitations import Delivery
from bot.states.chat_creation import ChatCreate
from storage.models import ChatKind

labeler = BotLabeler()

MAX_DESCRIPTION = 500
MAX_PHOTO_BYTES = 10_000_000
TOLD = {  # VK or SMS alike: whether a phone already uses the bot is nobody's business
    Delivery.VK: "— приглашение отправлено",
    Delivery.SMS: "— приглашение отправлено",
    Delivery.NONE: "пока не получил приглашение — отправьте повторно из карточки чата",
}
KIND_BY_LABEL = {"дом": ChatKind.HOUSE, "подъезд": ChatKind.ENTRANCE}

ASK = {
    ChatCreate.TITLE: "Как назвать чат? Обычно это адрес: «Плесецкая 16, 7 подъезд».",
    ChatCreate.KIND: "Это чат всего дома или одного подъезда?",
    ChatCreate.DESCRIPTION: "Добавьте описание чата (его увидят жители) или нажмите «Пропустить».",
    ChatCreate.PHOTO: "Пришлите фотографию для чата (например, дома) или нажмите «Пропустить».",
    ChatCreate.ADMIN_PHONE: (
        "Номер телефона администратора чата. Ему придёт сообщение ВКонтакте или SMS "
        "с инструкцией."
    ),
}


def _keyboard(step: ChatCreate) -> str:
    if step is ChatCreate.KIND:
        return chat_kind_keyboard()
    if step in (ChatCreate.DESCRIPTION, ChatCreate.PHOTO):
        return skip_keyboard()
    return cancel_keyboard()


async def _ask(turn: Turn, step: ChatCreate, data: dict, prefix: str = "") -> None:
    await turn.set_state(step, **data)
    lead = f"{prefix}\n\n" if prefix else ""
    await turn.answer(lead + ASK[step], keyboard=_keyboard(step))


async def _next(turn: Turn, data: dict, step: ChatCreate) -> None:
    """Go to `step`, or back to the summary when the person was editing one field."""
    if data.get("editing"):
        data.pop("editing")
        await _summary(turn, data)
    else:
        await _ask(turn, step, data)


async def _summary(turn: Turn, data: dict) -> None:
    await turn.set_state(ChatCreate.CONFIRM, **data)
    lines = [
        "Проверьте, всё ли верно:",
        f"Название: {data['title']}",
        f"Тип: {KIND_TITLES[ChatKind(data['kind'])]}",
        f"Описание: {data.get('description') or '—'}",
        f"Фото: {'есть' if data.get('photo_url') else 'нет'}",
        f"Администратор: {format_phone(data['admin_phone'])}",
    ]
    await turn.answer("\n".join(lines), keyboard=summary_keyboard())


@labeler.private_message(Command("chat.create", texts=("создать чат",)))
async def begin(message: Message, turn: Turn) -> None:
    municipality = await working_municipality(turn.actor)
    await _ask(turn, ChatCreate.TITLE, {"municipality_id": municipality.id},
               prefix=f"Новый домовой чат — {municipality.name}.")


@labeler.private_message(StateRule(ChatCreate.TITLE))
async def title(message: Message, turn: Turn) -> None:
    text = " ".join((message.text or "").split())
    if not text:
        await turn.answer("Напишите название чата текстом, например «Невский проспект 124».")
        return
    if len(text) > MAX_TITLE:
        await turn.answer(
            f"Название длиннее {MAX_TITLE} символов ({len(text)}). Сократите его, пожалуйста."
        )
        return
    await _next(turn, {**turn.data, "title": text}, ChatCreate.KIND)


@labeler.private_message(StateRule(ChatCreate.KIND), Command("chat.kind", texts=tuple(KIND_BY_LABEL)))
async def kind(message: Message, turn: Turn) -> None:
    chosen = KIND_BY_LABEL.get((message.text or "").strip().lower())
    if chosen is None:  # a «chat.kind» payload on some other text
        await kind_expected(message, turn)
        return
    await _next(turn, {**turn.data, "kind": chosen.value}, ChatCreate.DESCRIPTION)


@labeler.private_message(StateRule(ChatCreate.KIND))
async def kind_expected(message: Message, turn: Turn) -> None:
    await turn.answer("Выберите «Дом» или «Подъезд» кнопкой ниже.", keyboard=chat_kind_keyboard())


@labeler.private_message(StateRule(ChatCreate.DESCRIPTION), Command("skip"))
async def skip_description(message: Message, turn: Turn) -> None:
    await _next(turn, {**turn.data, "description": None}, ChatCreate.PHOTO)


@labeler.private_message(StateRule(ChatCreate.DESCRIPTION))
async def description(message: Message, turn: Turn) -> None:
    text = (message.text or "").strip()
    if not text:
        await turn.answer("Напишите описание текстом или нажмите «Пропустить».", keyboard=skip_keyboard())
        return
    if len(text) > MAX_DESCRIPTION:
        await turn.answer(f"Описание длиннее {MAX_DESCRIPTION} символов ({len(text)}). Сократите его.")
        return
    await _next(turn, {**turn.data, "description": text}, ChatCreate.PHOTO)


@labeler.private_message(StateRule(ChatCreate.PHOTO), Command("skip"))
async def skip_photo(message: Message, turn: Turn) -> None:
    await _next(turn, {**turn.data, "photo_url": None}, ChatCreate.ADMIN_PHONE)


@labeler.private_message(StateRule(ChatCreate.PHOTO))
async def photo(message: Message, turn: Turn) -> None:
    url = photo_url(message)
    if url is None:
        await turn.answer(
            "Это не фотография. Пришлите картинку (не файлом) или нажмите «Пропустить».",
            keyboard=skip_keyboard(),
        )
        return
    await _next(turn, {**turn.data, "photo_url": url}, ChatCreate.ADMIN_PHONE)


@labeler.private_message(StateRule(ChatCreate.ADMIN_PHONE))
async def admin_phone(message: Message, turn: Turn) -> None:
    phone = await phone_or_ask_again(turn, message.text, keyboard=cancel_keyboard())
    if phone is None:
        return
    await _summary(turn, {**turn.data, "admin_phone": phone, "editing": False})


@labeler.private_message(StateRule(ChatCreate.CONFIRM), Command("chat.create.edit"))
async def edit(message: Message, turn: Turn) -> None:
    await turn.set_state(ChatCreate.EDIT, **turn.data)
    await turn.answer("Что изменить?", keyboard=edit_fields_keyboard())


@labeler.private_message(StateRule(ChatCreate.EDIT), Command("chat.create.field"))
async def edit_field(message: Message, turn: Turn, payload: dict) -> None:
    try:
        step = ChatCreate(payload.get("field"))
    except ValueError:
        step = None
    if step not in ASK:
        await turn.answer("Выберите, что изменить, кнопкой ниже.", keyboard=edit_fields_keyboard())
        return
    await _ask(turn, step, {**turn.data, "editing": True})


@labeler.private_message(StateRule(ChatCreate.EDIT))
async def edit_expected(message: Message, turn: Turn) -> None:
    await turn.answer("Выберите, что изменить, кнопкой ниже.", keyboard=edit_fields_keyboard())


@labeler.private_message(StateRule(ChatCreate.CONFIRM), Command("chat.create.confirm"))
async def confirm(message: Message, turn: Turn) -> None:
    data = turn.data
    photo_bytes = None
    if data.get("photo_url"):
        photo_bytes = await turn.download(
            data["photo_url"], max_bytes=MAX_PHOTO_BYTES,
            too_big="Фотография больше 10 МБ. Нажмите «Изменить» и пришлите другую.",
        )
    spec = NewChat(
        title=data["title"],
        kind=ChatKind(data["kind"]),
        admin_phone=data["admin_phone"],
        description=data.get("description"),
        photo=photo_bytes,
    )
    await turn.answer("Создаю чат…")
    chat, delivery = await turn.services.chats.create(
        turn.actor, int(data["municipality_id"]), spec
    )
    await turn.clear_state()
    if chat.invite_link is None:
        await show_menu(
            turn,
            f"Не удалось создать чат «{chat.title}» во ВКонтакте: {chat.status_reason}. "
            "Он сохранён в списке чатов со статусом «не создан».",
        )
        return
    await show_menu(
        turn,
        f"Чат «{chat.title}» создан.\nСсылка для вступления: {chat.invite_link}\n"
        f"Администратор {format_phone(data['admin_phone'])} {TOLD[delivery]}.",
    )


@labeler.private_message(StateRule(ChatCreate.CONFIRM))
async def confirm_expected(message: Message, turn: Turn) -> None:
    await turn.answer("Нажмите «Создать», «Изменить» или «Отмена».", keyboard=summary_keyboard())
