"""The messenger page as a person sees it: what they click, type and read (Playwright locators).

Every wait is on something appearing in the page (Playwright's `expect`), never a sleep.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Locator, Page, expect


def _named(text: str) -> re.Pattern[str]:
    return re.compile(re.escape(text))


class Screen:
    def __init__(self, page: Page) -> None:
        self.page = page

    # -- regions ----------------------------------------------------------------------------

    @property
    def people(self) -> Locator:
        return self.page.get_by_role("list", name="Люди песочницы")

    @property
    def conversations(self) -> Locator:
        return self.page.get_by_role("list", name="Диалоги")

    @property
    def title(self) -> Locator:
        return self.page.locator("#thread-title")

    @property
    def thread(self) -> Locator:
        return self.page.get_by_role("log", name="Сообщения")

    @property
    def keyboard(self) -> Locator:
        """The bot's regular keyboard under the composer."""
        return self.page.get_by_role("group", name="Клавиатура бота")

    @property
    def composer(self) -> Locator:
        return self.page.get_by_role("textbox", name="Сообщение")

    @property
    def toasts(self) -> Locator:
        return self.page.locator("#toasts")

    # -- reading ----------------------------------------------------------------------------

    def bot_message(self, text: str) -> Locator:
        """The newest message of the community containing `text`."""
        return self.thread.locator(".msg.community").filter(has_text=text).last

    def my_message(self, text: str) -> Locator:
        return self.thread.locator(".msg.out").filter(has_text=text).last

    def conversation(self, title: str) -> Locator:
        """An entry of the conversation list, by its title (the start of its accessible name)."""
        return self.conversations.get_by_role("button", name=re.compile("^" + re.escape(title)))

    async def expect_reply(self, text: str) -> Locator:
        message = self.bot_message(text)
        await expect(message).to_be_visible()
        return message

    # -- doing ------------------------------------------------------------------------------

    async def choose(self, name: str) -> None:
        """Pick who you are from the list of people."""
        await self.people.get_by_role("button", name=_named(name)).click()
        await expect(self.page.locator("#me-card")).to_contain_text(name)

    async def open(self, title: str) -> None:
        await self.conversation(title).click()
        await expect(self.title).to_have_text(title)

    async def write(self, text: str) -> None:
        await self.composer.fill(text)
        await self.composer.press("Enter")
        await expect(self.my_message(text)).to_be_visible()

    async def press(self, label: str) -> None:
        """A button of the regular keyboard."""
        await self.keyboard.get_by_role("button", name=label, exact=True).click()

    async def press_inline(self, message: Locator, label: str) -> None:
        """A button of the inline keyboard under `message`."""
        await message.get_by_role("button", name=label, exact=True).click()

    async def attach(self, path: Path) -> None:
        await self.page.get_by_label("Прикрепить файл").set_input_files(path)
