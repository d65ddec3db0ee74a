"""«Начать» for strangers and for people with roles; binding by an SMS invitation link."""

from __future__ import annotations

from tests.e2e.conftest import bind_admin, main_py
from tests.e2e.steps import bind_by_sms
from tests.harness import Stack


async def test_stranger_gets_a_greeting_that_explains_access(stack: Stack) -> None:
    vera = await stack.person("Вера Иванова", "+79000000003")
    (reply,) = await vera.say("Начать")
    assert "Домовые чаты" in reply.text
    assert "SMS" in reply.text  # how to get access
    assert await vera.keyboard() == ["Проверить объявление", "Помощь"]


async def test_first_admin_binds_by_the_sms_link_and_sees_the_menu(stack: Stack) -> None:
    anna = await stack.person("Анна Смирнова", "+79000000001")
    await bind_admin(stack, anna)
    sms, code = await anna.sms()
    assert f"vk.me/{stack.sandbox.config.screen_name}?ref=" in sms["text"]
    assert "код подтверждения" in code["text"]  # sent once the link was opened
    greeting = (await anna.messages())[-1]
    assert "бот вас узнал" in greeting.text
    assert "администратор муниципалитета — Демо-город" in greeting.text
    assert "Пригласить сотрудников" in await anna.keyboard()


async def test_admin_add_on_the_command_line_invites_by_sms(stack: Stack) -> None:
    """Regression: `python main.py admin add` crashed (TypeError) before sending anything."""
    anna = await stack.person("Анна Смирнова", "+79000000001")
    command = await main_py(
        stack, "admin", "add", "--phone", "8 900 000-00-01", "--municipality", "Демо-город",
        "--region", "Демо-регион",
        capture=True,
    )
    printed, _ = await command.communicate()
    assert command.returncode == 0, printed.decode()
    assert "Приглашение отправлено на +7 900 000-00-01" in printed.decode()
    (greeting,) = await bind_by_sms(anna, "Начать")
    assert "администратор муниципалитета — Демо-город" in greeting.text


async def test_person_with_roles_gets_the_menu_on_start(stack: Stack, admin) -> None:  # type: ignore[no-untyped-def]
    (reply,) = await admin.say("Начать")
    assert "Выберите действие" in reply.text
    assert await admin.keyboard() == [
        "Создать чат", "Чаты из файла", "Список чатов", "Статистика",
        "Сотрудники", "Пригласить сотрудников", "Рассылка", "Обращения", "Мои роли", "Помощь",
    ]
    (roles,) = await admin.press("Мои роли")
    assert "администратор муниципалитета — Демо-город" in roles.text


async def test_reused_link_is_refused_for_another_account(stack: Stack) -> None:
    anna = await stack.person("Анна Смирнова", "+79000000001")
    await bind_admin(stack, anna)
    link = (await anna.sms())[0]["text"].rsplit(" ", 1)[-1]
    boris = await stack.person("Борис Петров", "+79000000002")
    await boris.open(link)
    (reply,) = await boris.say("Здравствуйте")
    assert "уже использовано" in reply.text
    (reply,) = await boris.say("Начать")
    assert "Домовые чаты" in reply.text  # still a stranger


async def test_unknown_link_is_explained(stack: Stack) -> None:
    boris = await stack.person("Борис Петров", "+79000000002")
    await boris.open(f"https://vk.me/{stack.sandbox.config.screen_name}?ref=forged-token")
    (reply,) = await boris.say("Привет")
    assert "Приглашение не найдено" in reply.text
