"""vkbottle, unchanged but for API_URL, runs a bot against the sandbox."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from vkbottle import API, BotPolling, Callback, GroupEventType, Keyboard, Text
from vkbottle.bot import Bot, Message, MessageEvent
from vkbottle_types.events import bot_events

from .helpers import SandboxClient, b64, png

CHAT = 2_000_000_000
EVENT_MODELS = {
    "message_new": bot_events.MessageNew,
    "message_reply": bot_events.MessageReply,
    "message_edit": bot_events.MessageEdit,
    "message_event": bot_events.MessageEvent,
    "message_allow": bot_events.MessageAllow,
    "message_deny": bot_events.MessageDeny,
}


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "the bot did not answer in time"
        await asyncio.sleep(0.05)


async def test_a_vkbottle_bot_talks_to_people(
    api: API, client: SandboxClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # BotPolling saves its ts under ./.vkbottle
    bot = Bot(api=api, polling=BotPolling(api, group_id=client.group_id, wait=1))
    refs: list[str | None] = []

    @bot.on.message(text="Меню")
    async def menu(message: Message) -> None:
        keyboard = Keyboard(inline=True).add(Callback("Отметиться", {"cmd": "here"}))
        await message.answer("Выберите", keyboard=keyboard.get_json())

    @bot.on.message()
    async def echo(message: Message) -> None:
        refs.append(message.ref)
        keyboard = Keyboard(one_time=True).add(Text("Меню", {"cmd": "menu"}))
        await message.answer(f"Эхо: {message.text}", keyboard=keyboard.get_json())

    @bot.on.raw_event(GroupEventType.MESSAGE_EVENT, dataclass=MessageEvent)
    async def callback(event: MessageEvent) -> None:
        await event.show_snackbar(f"Принято: {event.payload['cmd']}")

    running = asyncio.create_task(bot.run_polling())
    try:
        person = await client.person()
        await client.request("POST", f"/sandbox/people/{person}/open",
                             {"url": "https://vk.me/domovye_chaty?ref=invite-7"})
        await client.say(person, -client.group_id, "Привет")

        async def echoed() -> bool:
            items = (await client.seen(person, -client.group_id))["items"]
            return items[-1]["text"] == "Эхо: Привет"

        await eventually(echoed)
        assert refs == ["invite-7"]
        await client.request("POST", f"/sandbox/people/{person}/press",
                             {"peer_id": -client.group_id, "label": "Меню"})

        async def menu_shown() -> bool:
            return (await client.seen(person, -client.group_id))["items"][-1]["text"] == "Выберите"

        await eventually(menu_shown)
        await client.request("POST", f"/sandbox/people/{person}/press",
                             {"peer_id": -client.group_id, "label": "Отметиться"})

        async def snackbar() -> bool:
            return bool((await client.seen(person, -client.group_id))["snackbars"])

        await eventually(snackbar)
        seen = await client.seen(person, -client.group_id)
        assert seen["snackbars"][0]["text"] == "Принято: here"
    finally:
        running.cancel()


async def test_every_event_parses_as_vkbottle_models(client: SandboxClient) -> None:
    person = await client.writer()
    chat_id, peer = await client.chat_with_member(person)
    await client.say(person, peer, "в беседе")
    await client.request("POST", f"/sandbox/people/{person}/rename",
                         {"peer_id": peer, "title": "Т"})
    await client.request("POST", f"/sandbox/people/{person}/chat_photo", {
        "peer_id": peer, "filename": "a.png", "content_base64": b64(png()),
    })
    await client.request("POST", f"/sandbox/people/{person}/upload", {
        "peer_id": -client.group_id, "filename": "a.png", "kind": "photo",
        "content_base64": b64(png()),
    })
    await client.request("POST", f"/sandbox/people/{person}/upload", {
        "peer_id": -client.group_id, "filename": "a.txt", "content_base64": b64(b"x"),
    })
    inline = Keyboard(inline=True).add(Callback("Да", {"vote": 1})).get_json()
    message_id = await client.call("messages.send", peer_id=person, message="Ответ", random_id=0,
                                   keyboard=inline)
    await client.call("messages.edit", peer_id=person, message_id=message_id, message="Ответ!")
    await client.request("POST", f"/sandbox/people/{person}/press",
                         {"peer_id": -client.group_id, "label": "Да"})
    await client.request("POST", f"/sandbox/people/{person}/block")
    await client.request("POST", f"/sandbox/people/{person}/allow")
    updates = await client.events()
    assert {u["type"] for u in updates} == set(EVENT_MODELS)
    for update in updates:
        EVENT_MODELS[update["type"]](**update)
    actions = [u["object"]["message"]["action"]["type"] for u in updates
               if u["type"] == "message_new" and "action" in u["object"]["message"]]
    assert actions == ["chat_invite_user_by_link", "chat_title_update", "chat_photo_update"]
    chat_message = bot_events.MessageNew(**updates[2]).object.message
    assert chat_message.peer_id == CHAT + chat_id and chat_message.id == 0
