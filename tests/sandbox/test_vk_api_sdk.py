"""A small community bot written with another public VK SDK (vk_api from PyPI, unmodified)
runs against the sandbox: Bots Long Poll, keyboards, photo upload (its `file0` field), and its
request pools, which batch calls into `execute` with VKScript loops.

vk_api calls `https://api.vk.ru/method/…` (not configurable) and API 5.92 by default: its HTTP
session sends that address to the sandbox instead, nothing else is changed.
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import requests
import vk_api
from vk_api.bot_longpoll import VkBotEventType, VkBotLongPoll
from vk_api.keyboard import VkKeyboard, VkKeyboardColor
from vk_api.requests_pool import VkRequestsPool, vk_request_one_param_pool
from vk_api.upload import VkUpload
from vk_api.utils import get_random_id

from sandbox import Sandbox

from .helpers import SandboxClient, png

VK_API = "https://api.vk.ru/method/"


class ToSandbox(requests.Session):
    """A requests session that sends VK API calls to the sandbox."""

    def __init__(self, api_url: str) -> None:
        super().__init__()
        self.api_url = api_url

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        if isinstance(url, str) and url.startswith(VK_API):
            url = self.api_url + url.removeprefix(VK_API)
        return super().request(method, url, *args, **kwargs)


class EchoBot:
    """What a community bot built with vk_api typically does, one long-poll check at a time."""

    def __init__(self, sandbox: Sandbox, config_dir: Path) -> None:
        self.session = vk_api.VkApiGroup(
            token=sandbox.config.token,
            session=ToSandbox(sandbox.api_url),
            config_filename=str(config_dir / "vk_config.json"),
        )
        self.vk = self.session.get_api()
        self.longpoll = VkBotLongPoll(self.session, sandbox.config.group_id, wait=5)

    def answer_new_messages(self) -> int:
        answered = 0
        for event in self.longpoll.check():
            if event.type != VkBotEventType.MESSAGE_NEW:
                continue
            message = event.obj.message
            keyboard = VkKeyboard(one_time=False)
            keyboard.add_button("Расписание", color=VkKeyboardColor.PRIMARY)
            keyboard.add_line()
            keyboard.add_button("Контакты УК", color=VkKeyboardColor.SECONDARY)
            photo = io.BytesIO(png(12, 8))
            photo.name = "plan.png"
            (uploaded,) = VkUpload(self.session).photo_messages(photo, peer_id=message["from_id"])
            self.vk.messages.send(
                peer_id=message["from_id"],
                message=f"Вы написали: {message['text']}",
                random_id=get_random_id(),
                keyboard=keyboard.get_keyboard(),
                attachment=f"photo{uploaded['owner_id']}_{uploaded['id']}",
            )
            answered += 1
        return answered

    def announce(self, user_ids: list[int], text: str) -> list[Any]:
        """One `execute` for everyone (vk_api's pool of one method: a VKScript loop)."""
        with VkRequestsPool(self.session) as pool:
            results = [
                pool.method("messages.send",
                            {"peer_id": user_id, "message": text, "random_id": get_random_id()})
                for user_id in user_ids
            ]
        return results

    def names(self, user_ids: list[int]) -> dict[int, str]:
        found, _errors = vk_request_one_param_pool(
            self.session, "users.get", key="user_ids", values=user_ids
        )
        return {user_id: users[0]["first_name"] for user_id, users in found.items()}


async def test_a_vk_api_bot_works_against_the_sandbox(
    client: SandboxClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    bot = await asyncio.to_thread(EchoBot, sandbox, tmp_path)
    person = await client.person("Анна Иванова")
    await client.say(person, -client.group_id, "Когда отключат воду?")
    assert await asyncio.to_thread(bot.answer_new_messages) == 1

    view = await client.seen(person, -client.group_id)
    reply = view["items"][-1]
    assert reply["text"] == "Вы написали: Когда отключат воду?"
    assert [(a["type"], a["width"], a["height"]) for a in reply["attachments"]] == [
        ("photo", 12, 8)
    ]
    assert [[b["action"]["label"] for b in row] for row in view["keyboard"]["buttons"]] == [
        ["Расписание"], ["Контакты УК"],
    ]

    neighbours = [await client.writer(f"Сосед {n}") for n in range(3)]
    silent = await client.person("Молчун")
    await client.request("POST", "/sandbox/stats/reset")
    results = await asyncio.to_thread(bot.announce, [*neighbours, silent], "Собрание в 19:00")
    assert [r.ok for r in results] == [True, True, True, False]
    assert results[3].error["error_code"] == 901
    for neighbour in neighbours:
        assert (await client.seen(neighbour, -client.group_id))["items"][-1]["text"] == (
            "Собрание в 19:00"
        )
    assert (await client.request("GET", "/sandbox/stats"))["calls"] == {"execute": 1}

    names = await asyncio.to_thread(bot.names, [person, *neighbours])
    assert names == {person: "Анна", **{n: "Сосед" for n in neighbours}}
