"""What people do in many end-to-end tests, written once: create a chat by dialog, answer an SMS
invitation, find a chat in the sandbox."""

from __future__ import annotations

import re

from tests.harness import Message, Person, Stack


async def create_chat(
    staff: Person, title: str, admin_phone: str = "+79000000005", *, kind: str = "Подъезд"
) -> None:
    """A house chat created by dialog: name, type, no description, no photo, the admin's phone."""
    await staff.press("Создать чат")
    await staff.say(title)
    await staff.press(kind)
    await staff.press("Пропустить")
    await staff.press("Пропустить")
    await staff.say(admin_phone)
    await staff.press("Создать")


async def bind_by_sms(person: Person, greeting: str = "Здравствуйте") -> list[Message]:
    """The person opens the link from their latest SMS, writes to the bot and takes the next
    step it asks for: «Принять» on an invitation to a chat role, or the code texted to the
    phone (an admin invited from the command line). A staff invitation then waits for the
    inviter's «Да» (`tests.e2e.conftest.bind_staff`). What the bot answered last."""
    await person.open_sms_link()
    replies = await person.say(greeting)
    if replies and "Принять" in replies[-1].buttons:
        return await person.press("Принять")
    if replies and "пришлите код из SMS" in replies[-1].text:
        return await person.say(texted_code((await person.sms())[-1]["text"]))
    return replies


def texted_code(sms: str) -> str:
    """The confirmation code in an SMS the bot sent."""
    return re.search(r"код подтверждения (\d+)", sms).group(1)  # type: ignore[union-attr]


async def sandbox_chat(stack: Stack, title: str) -> dict:
    return next(c for c in await stack.api("GET", "/sandbox/chats") if c["title"] == title)
