"""The world survives a restart on the same file; a fresh file is an empty world."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from sandbox import Sandbox

from .conftest import make_config
from .helpers import SandboxClient, b64

CHAT = 2_000_000_000


async def snapshot(client: SandboxClient, person: int) -> dict:
    return {
        "people": await client.request("GET", "/sandbox/people"),
        "chats": await client.request("GET", "/sandbox/chats"),
        "conversations": await client.request("GET", f"/sandbox/people/{person}/conversations"),
        "dialog": await client.seen(person, -client.group_id),
        "sms": await client.request("GET", "/sandbox/sms"),
    }


def without_urls(value: object) -> object:
    """The port may change between runs, and with it every url."""
    if isinstance(value, dict):
        return {k: without_urls(v) for k, v in value.items() if k not in ("url", "photo")}
    if isinstance(value, list):
        return [without_urls(v) for v in value]
    return value


async def test_restart_on_the_same_file_keeps_the_world(
    tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    async with Sandbox(make_config(tmp_path)) as first:
        client = SandboxClient(first, session)
        person = await client.writer("Анна Иванова")
        chat_id, person_peer = await client.chat_with_member(person)
        await client.say(person, person_peer, "Привет, соседи")
        await client.call("messages.send", peer_id=person, message="Ответ", random_id=9,
                          keyboard='{"buttons": [[{"action": {"type": "text", "label": "Да"}}]]}')
        await client.request("POST", f"/sandbox/people/{person}/upload", {
            "peer_id": -client.group_id, "filename": "a.txt", "content_base64": b64(b"abc"),
        })
        await client.request("POST", "/sandbox/sms", {"phone": "+79990000000", "text": "Код"})
        await client.request("POST", f"/sandbox/people/{person}/open",
                             {"url": "https://vk.me/domovye_chaty?ref=later"})
        before = await snapshot(client, person)
        link = before["chats"][0]["invite_link"]

    async with Sandbox(make_config(tmp_path)) as second:
        client = SandboxClient(second, session)
        after = await snapshot(client, person)
        assert without_urls(after) == without_urls(before)
        attachment = after["dialog"]["items"][-1]["attachments"][0]
        async with session.get(attachment["url"]) as response:
            assert await response.read() == b"abc"
        again = await client.call("messages.send", peer_id=person, message="Ответ", random_id=9)
        answer = next(i for i in before["dialog"]["items"] if i["text"] == "Ответ")
        assert again == answer["message_id"]  # the random_id log is kept too
        newcomer = await client.person("Новый Сосед")
        joined = await client.request("POST", f"/sandbox/people/{newcomer}/open", {"url": link})
        assert joined["title"] == "Дом 1"
        await client.say(person, -client.group_id, "С ref")
        last = (await client.events())[-1]["object"]["message"]
        assert last["ref"] == "later"
        next_chat = await client.call("messages.createChat", title="Дом 2")
        assert next_chat == chat_id + 1


async def test_a_fresh_file_is_an_empty_world(
    tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    async with Sandbox(make_config(tmp_path, db_path=tmp_path / "new.sqlite3")) as sandbox:
        client = SandboxClient(sandbox, session)
        assert await client.request("GET", "/sandbox/people") == []
        assert await client.request("GET", "/sandbox/chats") == []
        server = await client.call("groups.getLongPollServer", group_id=client.group_id)
        assert server["ts"] == "0"


async def test_in_memory_world(tmp_path: Path, session: aiohttp.ClientSession) -> None:
    async with Sandbox(make_config(tmp_path, db_path=":memory:")) as sandbox:
        client = SandboxClient(sandbox, session)
        assert await client.person() == 1000001
