"""The main menu: what each role can do, and only what is built."""

from __future__ import annotations

from bot.keyboards.common import PRIMARY, SECONDARY, build, text_button
from bot.runtime.buttons import (
    ChatImportStart,
    MunicipalityChoose,
    OnboardingMenu,
    PosterCheckStart,
    StaffInviteStart,
    StaffList,
    Stats,
)
from bot.services.core import access
from bot.services.core.access import Actor, municipalities_of
from storage.models import Role

STAFF_ROLES = frozenset(access.STAFF_ROLES)
MANAGER_ROLES = frozenset(access.MANAGERS)


def main_menu(roles: frozenset[Role], *, several_municipalities: bool = False) -> str:
    rows = []
    if roles & STAFF_ROLES:
        rows.append(
            [
                (text_button("Создать чат", "chat.create"), PRIMARY),
                (text_button("Чаты из файла", ChatImportStart()), PRIMARY),
            ]
        )
        rows.append(
            [
                (text_button("Список чатов", "chats.list"), PRIMARY),
                (text_button("Статистика", Stats()), SECONDARY),
            ]
        )
    if roles & MANAGER_ROLES:
        rows.append(
            [
                (text_button("Сотрудники", StaffList()), SECONDARY),
                (text_button("Пригласить сотрудников", StaffInviteStart()), SECONDARY),
            ]
        )
    if Role.CHAT_ADMIN in roles:
        rows.append(
            [
                (text_button("Пригласить представителя", "ticket.new"), PRIMARY),
                (text_button("Инструкция", OnboardingMenu()), SECONDARY),
            ]
        )
    row = []
    if roles & (STAFF_ROLES | {Role.REPRESENTATIVE}):
        row.append((text_button("Рассылка", "broadcast.new"), PRIMARY))
    if roles & (STAFF_ROLES | {Role.CHAT_ADMIN, Role.REPRESENTATIVE}):
        row.append((text_button("Обращения", "tickets.list"), SECONDARY))
    if row:
        rows.append(row)
    if several_municipalities:
        rows.append([(text_button("Сменить муниципалитет", MunicipalityChoose()), SECONDARY)])
    rows.append(
        [
            (text_button("Мои роли", "roles"), SECONDARY),
            (text_button("Помощь", "help"), SECONDARY),
        ]
    )
    return build(rows)


def guest_menu() -> str:
    return build(
        [
            [(text_button("Проверить объявление", PosterCheckStart()), PRIMARY)],
            [(text_button("Помощь", "help"), SECONDARY)],
        ]
    )


async def menu_for(actor: Actor) -> str:
    """The menu for this person (the one keyboard that looks something up: whether they work
    in several municipalities)."""
    if not actor.grants:
        return guest_menu()
    several = len(await municipalities_of(actor)) > 1
    return main_menu(actor.roles, several_municipalities=several)
