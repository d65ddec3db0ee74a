"""`/sandbox/people/...`: create people and act as any of them."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from aiohttp import web

from ..ints import parse_int64
from ..webutil import json_response
from ..world import Person, World
from ..world.people import PhoneTaken
from . import actions
from .http import Body, bad_request, conflict, not_found, query_int
from .phones import normalize_phone
from .views import conversations_view, messages_view

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
MAX_WAIT_SECONDS = 60
DEFAULT_WAIT_SECONDS = 25


class PeopleRoutes:
    def __init__(self, world: World) -> None:
        self.world = world

    def register(self, router: web.UrlDispatcher) -> None:
        base = "/sandbox/people"
        router.add_post(base, self.create)
        router.add_get(base, self.list_people)
        router.add_get(base + "/{id}", self.get)
        router.add_patch(base + "/{id}", self.patch)
        router.add_post(base + "/{id}/send", self.send)
        router.add_post(base + "/{id}/press", self.press)
        router.add_post(base + "/{id}/callback", self.callback)
        router.add_post(base + "/{id}/upload", self.upload)
        router.add_post(base + "/{id}/open", self.open)
        router.add_post(base + "/{id}/leave", self.leave)
        router.add_post(base + "/{id}/kick", self.kick)
        router.add_post(base + "/{id}/invite", self.invite)
        router.add_post(base + "/{id}/rename", self.rename)
        router.add_post(base + "/{id}/chat_photo", self.chat_photo)
        router.add_post(base + "/{id}/allow", self.allow)
        router.add_post(base + "/{id}/block", self.block)
        router.add_post(base + "/{id}/read", self.read)
        router.add_get(base + "/{id}/messages", self.messages)
        router.add_get(base + "/{id}/conversations", self.conversations)
        router.add_get(base + "/{id}/wait", self.wait)

    # -- people -----------------------------------------------------------------------------

    async def create(self, request: web.Request) -> web.Response:
        body = await Body.read(request)
        name = body.required_text("name").strip()
        phone = normalize_phone(body.required_text("phone"))
        if phone is None:
            raise bad_request("Не похоже на номер телефона: нужно 10–15 цифр, как +79121234567")
        try:
            person = self.world.people.create(
                name, phone, body.flag("vk", True), body.text("note", "") or "", self.world.now()
            )
        except PhoneTaken:
            raise conflict(f"Номер {phone} уже есть у другого человека") from None
        return json_response({"id": person.id}, status=201)

    async def list_people(self, request: web.Request) -> web.Response:
        return json_response([_person(p) for p in self.world.people.all()])

    async def get(self, request: web.Request) -> web.Response:
        return json_response(_person(self._person(request)))

    async def patch(self, request: web.Request) -> web.Response:
        person = self._person(request)
        note = (await Body.read(request)).text("note")
        if note is None:
            raise bad_request("Можно изменить только поле «note»")
        self.world.people.set_note(person.id, note)
        return json_response(_person(self.world.people.require(person.id)))

    # -- acting as a person -----------------------------------------------------------------

    async def send(self, request: web.Request) -> web.Response:
        person = self._person(request)
        body = await Body.read(request)
        message = actions.send(
            self.world, person, body.required_integer("peer_id"), body.required_text("text"),
            payload=_payload(body),
        )
        return json_response({"conversation_message_id": message.cmid, "message_id": message.id})

    async def press(self, request: web.Request) -> web.Response:
        person = self._person(request)
        body = await Body.read(request)
        result = actions.press(
            self.world, person, body.required_integer("peer_id"), body.required_text("label"),
            body.integer("conversation_message_id"),
        )
        return json_response(result)

    async def callback(self, request: web.Request) -> web.Response:
        person = self._person(request)
        body = await Body.read(request)
        payload = _payload(body)
        if payload is None:
            raise bad_request("Нужен payload")
        event_id = actions.forge_callback(
            self.world, person, body.required_integer("peer_id"), payload,
            body.integer("conversation_message_id"),
        )
        return json_response({"event_id": event_id})

    async def upload(self, request: web.Request) -> web.Response:
        person = self._person(request)
        body = await Body.read(request)
        kind = body.text("kind", "doc")
        if kind not in ("doc", "photo"):
            raise bad_request("Поле «kind» — doc или photo")
        message = actions.upload(
            self.world, person, body.required_integer("peer_id"),
            body.required_text("filename"), _content(body), body.text("text", "") or "", kind,
        )
        return json_response({"conversation_message_id": message.cmid, "message_id": message.id})

    async def open(self, request: web.Request) -> web.Response:
        person = self._person(request)
        url = (await Body.read(request)).required_text("url")
        return json_response(actions.open_link(self.world, person, url))

    async def leave(self, request: web.Request) -> web.Response:
        person = self._person(request)
        actions.leave(self.world, person, (await Body.read(request)).required_integer("peer_id"))
        return json_response({"ok": True})

    async def kick(self, request: web.Request) -> web.Response:
        person = self._person(request)
        body = await Body.read(request)
        actions.kick(
            self.world, person, body.required_integer("peer_id"),
            body.required_integer("member_id"),
        )
        return json_response({"ok": True})

    async def invite(self, request: web.Request) -> web.Response:
        person = self._person(request)
        body = await Body.read(request)
        actions.invite(
            self.world, person, body.required_integer("peer_id"),
            body.required_integer("member_id"),
        )
        return json_response({"ok": True})

    async def rename(self, request: web.Request) -> web.Response:
        person = self._person(request)
        body = await Body.read(request)
        actions.rename_chat(
            self.world, person, body.required_integer("peer_id"), body.required_text("title")
        )
        return json_response({"ok": True})

    async def chat_photo(self, request: web.Request) -> web.Response:
        person = self._person(request)
        body = await Body.read(request)
        actions.set_chat_photo(
            self.world, person, body.required_integer("peer_id"),
            body.required_text("filename"), _content(body),
        )
        return json_response({"ok": True})

    async def allow(self, request: web.Request) -> web.Response:
        person = self._person(request)
        key = (await Body.read(request)).text("key", "") or ""
        actions.set_community_messages(self.world, person, True, key)
        return json_response({"allows_messages": True})

    async def block(self, request: web.Request) -> web.Response:
        actions.set_community_messages(self.world, self._person(request), False)
        return json_response({"allows_messages": False})

    async def read(self, request: web.Request) -> web.Response:
        person = self._person(request)
        peer_id = (await Body.read(request)).required_integer("peer_id")
        actions.mark_read(self.world, person, peer_id)
        return json_response({"ok": True})

    # -- what a person sees -----------------------------------------------------------------

    async def messages(self, request: web.Request) -> web.Response:
        person = self._person(request)
        peer_id = query_int(request, "peer_id")
        if peer_id is None:
            raise bad_request("Нужен параметр peer_id")
        limit = min(max(query_int(request, "limit", DEFAULT_LIMIT) or 1, 1), MAX_LIMIT)
        return json_response(messages_view(self.world, person, peer_id, limit))

    async def conversations(self, request: web.Request) -> web.Response:
        return json_response(conversations_view(self.world, self._person(request)))

    async def wait(self, request: web.Request) -> web.Response:
        """Answers as soon as anything the person sees differs from `version`."""
        person = self._person(request)
        version = query_int(request, "version", person.view_version)
        timeout = min(query_int(request, "timeout", DEFAULT_WAIT_SECONDS) or 0, MAX_WAIT_SECONDS)
        people = self.world.people
        await self.world.signal.wait_for(
            lambda: people.view_version(person.id) != version, max(timeout, 0)
        )
        return json_response({"version": people.view_version(person.id)})

    def _person(self, request: web.Request) -> Person:
        raw = request.match_info["id"]
        person_id = parse_int64(raw)
        person = None if person_id is None else self.world.people.get(person_id)
        if person is None:
            raise not_found(f"Нет человека с id {raw}")
        return person


def _person(person: Person) -> dict[str, Any]:
    return {
        "id": person.id,
        "name": person.name,
        "phone": person.phone,
        "vk": person.has_vk,
        "note": person.note,
        "allows_messages": person.allows_messages,
    }


def _content(body: Body) -> bytes:
    try:
        return base64.b64decode(body.required_text("content_base64"), validate=True)
    except binascii.Error:
        raise bad_request("Поле «content_base64» — не base64") from None


def _payload(body: Body) -> str | None:
    """A button-like payload: a JSON string as is, an object serialised."""
    payload: Any = body.data.get("payload")
    if payload is None or isinstance(payload, str):
        return payload
    return json.dumps(payload, ensure_ascii=False)
