"""What people do in many end-to-end tests, written once: create a chat by dialog, answer an SMS
invitation, find a chat in the sandbox."""

from __future__ import annotations

from tests.harness import Person, Stack


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


async def bind_by_sms(person: Person, greeting: str = "Здравствуйте") -> None:
    """The person opens the link from their latest SMS and writes to the bot."""
    await person.open_sms_link()
    await person.say(greeting)


async def sandbox_chat(stack: Stack, title: str) -> dict:
    return next(c for c in await stack.api("GET", "/sandbox/chats") if c["title"] == title)
