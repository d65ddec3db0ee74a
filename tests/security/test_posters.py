"""A misused poster: after «Сменить ссылку» its code says the poster is outdated and whom to
ask — it must not hand the new link to whoever holds the old poster."""

from __future__ import annotations

from tests.e2e.steps import create_chat, sandbox_chat
from tests.harness import Person, Stack


async def test_an_outdated_poster_code_never_reveals_the_current_link(
    stack: Stack, staff: Person
) -> None:
    await create_chat(staff, "Ленина 9", kind="Дом")
    await staff.press("Список чатов")
    await staff.press("1")
    await staff.press("Плакат")
    code = (await staff.last()).text.split("код проверки ")[1].rstrip(".")
    await staff.press("Сменить ссылку")  # the posters were being misused
    new_link = (await sandbox_chat(stack, "Ленина 9"))["invite_link"]

    stranger = await stack.person("Захар Иванов", "+79000000066")
    (answer,) = await stranger.say(code)
    assert "устарело" in answer.text and "администратора домового чата" in answer.text
    assert new_link not in answer.text and "vk.me/join" not in answer.text
    await stranger.press("Проверить объявление")
    (typed,) = await stranger.say(code)
    assert new_link not in typed.text and "устарело" in typed.text
