"""State before permission: a dialog is entered only by those its roles allow, and a state the
person's roles no longer allow is dropped — one guard (bot.states.DIALOGS) for every dialog."""

from __future__ import annotations

import inspect

from vkbottle import BaseStateGroup

from bot import states
from storage.models import DialogState
from tests.harness import Person, Stack


async def test_a_resident_typing_chats_gets_no_staff_state_and_can_still_check_a_poster(
    stack: Stack,
) -> None:
    vera = await stack.person("Вера Иванова", "+79000000003")
    await vera.say("Начать")
    (refused,) = await vera.say("чаты")
    assert "сотрудник" in refused.text and "муниципалитет" in refused.text  # refused, no list
    assert await vera.keyboard() == ["Проверить объявление", "Помощь"]  # no staff keyboard
    assert not await DialogState.exists(vk_id=vera.id)
    (verdict,) = await vera.say("7KQM-4WXP")  # a poster code, not a «search» in a staff list
    assert "Такого кода нет" in verdict.text


async def test_a_dialog_whose_role_was_taken_away_is_left_at_the_next_message(
    stack: Stack, admin: Person, staff: Person
) -> None:
    await staff.press("Создать чат")
    assert await DialogState.exists(vk_id=staff.id)
    await admin.press("Сотрудники")
    await admin.press("1")
    await admin.press("Удалить")
    (reply,) = await staff.say("Ленина 9")  # the chat title the dialog asked for
    assert "Новый домовой чат" not in reply.text and "Тип" not in reply.text
    assert not await DialogState.exists(vk_id=staff.id)


def test_every_dialog_says_who_may_be_in_it() -> None:
    groups = {
        obj for _, obj in inspect.getmembers(states, inspect.isclass)
        if issubclass(obj, BaseStateGroup) and obj is not BaseStateGroup
    }
    assert groups == set(states.DIALOGS)
