"""A small client for the sandbox's VK API and people API, used by the sandbox tests."""

from __future__ import annotations

import base64
import itertools
import json
import struct
import zlib
from typing import Any

import aiohttp

from sandbox import Sandbox

_phones = itertools.count(9_000_000_001)


class SandboxClient:
    def __init__(self, sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
        self.sandbox = sandbox
        self.session = session

    @property
    def group_id(self) -> int:
        return self.sandbox.config.group_id

    # -- VK API -----------------------------------------------------------------------------

    async def vk(self, method: str, **params: Any) -> dict[str, Any]:
        """The raw VK answer: {"response": …} or {"error": …}."""
        query = {"access_token": self.sandbox.config.token, "v": "5.199"}
        form = {key: _vk_value(value) for key, value in params.items() if value is not None}
        async with self.session.post(
            self.sandbox.api_url + method, params=query, data=form
        ) as response:
            assert response.status == 200
            return await response.json()

    async def call(self, method: str, **params: Any) -> Any:
        answer = await self.vk(method, **params)
        assert "error" not in answer, answer
        return answer["response"]

    async def error(self, method: str, **params: Any) -> int:
        """The VK error code the call fails with."""
        answer = await self.vk(method, **params)
        assert "error" in answer, answer
        return answer["error"]["error_code"]

    # -- people API -------------------------------------------------------------------------

    async def request(
        self, method: str, path: str, json: Any = None, status: int | None = None, **query: Any
    ) -> Any:
        async with self.session.request(
            method, self.sandbox.base_url + path, json=json, params=query or None
        ) as response:
            body = await response.json()
            if status is not None:
                assert response.status == status, (response.status, body)
            else:
                assert response.status < 400, (response.status, body)
            return body

    async def person(self, name: str = "Анна Иванова", vk: bool = True, **extra: Any) -> int:
        phone = extra.pop("phone", f"+7{next(_phones)}")
        body = {"name": name, "phone": phone, "vk": vk, **extra}
        return (await self.request("POST", "/sandbox/people", body))["id"]

    async def say(self, person_id: int, peer_id: int, text: str, **extra: Any) -> dict[str, Any]:
        body = {"peer_id": peer_id, "text": text, **extra}
        return await self.request("POST", f"/sandbox/people/{person_id}/send", body)

    async def writer(self, name: str = "Анна Иванова") -> int:
        """A person who wrote to the community, so it may answer them."""
        person_id = await self.person(name)
        await self.say(person_id, -self.group_id, "Здравствуйте")
        return person_id

    async def seen(self, person_id: int, peer_id: int, **query: Any) -> dict[str, Any]:
        return await self.request(
            "GET", f"/sandbox/people/{person_id}/messages", peer_id=peer_id, **query
        )

    async def chat_with_member(self, person_id: int, title: str = "Дом 1") -> tuple[int, int]:
        """A new community chat the person joined by link: (community chat_id, person's peer)."""
        chat_id = await self.call("messages.createChat", title=title, group_id=self.group_id)
        link = await self.call("messages.getInviteLink", peer_id=2_000_000_000 + chat_id)
        joined = await self.request(
            "POST", f"/sandbox/people/{person_id}/open", {"url": link["link"]}
        )
        return chat_id, joined["peer_id"]

    async def faults(self, **settings: Any) -> dict[str, Any]:
        return await self.request("POST", "/sandbox/faults", settings)

    # -- long poll --------------------------------------------------------------------------

    async def poll(self, server: dict[str, Any], ts: str | int, wait: int = 0) -> dict[str, Any]:
        query = {"act": "a_check", "key": server["key"], "ts": str(ts), "wait": str(wait)}
        async with self.session.get(server["server"], params=query) as response:
            return await response.json()

    async def events(self, since: int = 0) -> list[dict[str, Any]]:
        """Every long-poll update after `since`, without waiting."""
        server = await self.call("groups.getLongPollServer", group_id=self.group_id)
        return (await self.poll(server, since))["updates"]


def _vk_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (list, tuple)):
        return ",".join(str(item) for item in value)
    return str(value)


def png(width: int = 3, height: int = 2) -> bytes:
    """A valid PNG of the given size."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def keyboard(*labels: str, inline: bool = False, one_time: bool = False,
             kind: str = "text", payload: str | None = None) -> str:
    """A keyboard JSON with one button per label, one row."""
    buttons = []
    for label in labels:
        action: dict[str, Any] = {"type": kind, "label": label}
        if payload is not None:
            action["payload"] = payload
        if kind == "open_link":
            action["link"] = "https://example.org"
        buttons.append({"action": action, "color": "primary"} if kind in ("text", "callback")
                       else {"action": action})
    return json.dumps({"one_time": one_time, "inline": inline, "buttons": [buttons]})
