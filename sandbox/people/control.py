"""`/sandbox/...` beyond people: the community, chats, the SMS outbox, statistics, faults."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..faults import Faults, FaultSettingsError
from ..ints import parse_int64
from ..stats import Stats
from ..vk.shapes import file_url
from ..webutil import json_response
from ..world import Chat, World
from .http import Body, bad_request, conflict, not_found
from .phones import normalize_phone

DEFAULT_SMS_SENDER = "sandbox"


class ControlRoutes:
    def __init__(self, world: World, faults: Faults, stats: Stats) -> None:
        self.world = world
        self.faults = faults
        self.stats = stats

    def register(self, router: web.UrlDispatcher) -> None:
        router.add_get("/sandbox/community", self.community)
        router.add_get("/sandbox/chats", self.chats)
        router.add_post("/sandbox/chats/{id}/community", self.community_rights)
        router.add_patch("/sandbox/chats/{id}/members/{member_id}", self.member_rights)
        router.add_delete("/sandbox/chats/{id}", self.delete_chat)
        router.add_get("/sandbox/sms", self.sms_list)
        router.add_post("/sandbox/sms", self.sms_send)
        router.add_get("/sandbox/stats", self.stats_get)
        router.add_post("/sandbox/stats/reset", self.stats_reset)
        router.add_get("/sandbox/faults", self.faults_get)
        router.add_post("/sandbox/faults", self.faults_set)

    async def community(self, request: web.Request) -> web.Response:
        config = self.world.config
        return json_response(
            {"id": config.group_id, "screen_name": config.screen_name,
             "name": config.community_name}
        )

    # -- chats ------------------------------------------------------------------------------

    async def chats(self, request: web.Request) -> web.Response:
        return json_response([self._chat(chat) for chat in self.world.chats.all()])

    async def community_rights(self, request: web.Request) -> web.Response:
        """A chat admin gives the community admin rights or takes them away."""
        chat = self._live_chat(request)
        is_admin = (await Body.read(request)).flag("is_admin", False)
        if self.world.chats.member(chat.id, self.world.community_id) is None:
            raise conflict("Сообщества нет в этой беседе")
        self.world.chats.set_admin(chat.id, self.world.community_id, is_admin)
        return json_response(self._chat(self.world.chats.require(chat.id)))

    async def member_rights(self, request: web.Request) -> web.Response:
        """The chat's owner makes a person an admin of the chat, or no longer one."""
        chat = self._live_chat(request)
        member_id = parse_int64(request.match_info["member_id"])
        is_admin = (await Body.read(request)).flag("is_admin", True)
        if member_id is None or self.world.chats.member(chat.id, member_id) is None:
            raise not_found("Такого участника в беседе нет")
        self.world.chats.set_admin(chat.id, member_id, is_admin)
        return json_response(self._chat(self.world.chats.require(chat.id)))

    async def delete_chat(self, request: web.Request) -> web.Response:
        """VK deleted or disabled the chat: afterwards calls about it get VK's errors."""
        chat = self._live_chat(request)
        with self.world.transaction():
            self.world.chats.update(chat.id, deleted=1)
            self.world.people.touch(self.world.viewers(self.world.conversations.chat(chat.id)))
        return json_response({"ok": True})

    def _live_chat(self, request: web.Request) -> Chat:
        chat_id = parse_int64(request.match_info["id"])
        chat = None if chat_id is None else self.world.chats.get(chat_id)
        if chat is None or chat.deleted:
            raise not_found(f"Нет беседы {request.match_info['id']}")
        return chat

    def _chat(self, chat: Chat) -> dict[str, Any]:
        world = self.world
        members = world.chats.members(chat.id)
        names = world.people.names([m.member_id for m in members if m.member_id > 0])
        community = next((m for m in members if m.member_id == world.community_id), None)
        photo = world.media.file_by_id(chat.photo_file_id) if chat.photo_file_id else None
        return {
            "id": chat.id,
            "title": chat.title,
            "community_chat_id": chat.id,
            "community_peer_id": chat.community_peer_id,
            "invite_link": f"https://vk.me/join/{chat.invite_token}" if chat.invite_token else None,
            "community_state": chat.community_state,
            "community_is_admin": community is not None and community.is_admin,
            "deleted": chat.deleted,
            "members": [
                {"id": m.member_id, "name": names.get(m.member_id, ""), "is_admin": m.is_admin,
                 "join_date": m.join_date}
                for m in members
                if m.member_id > 0
            ],
            "photo": file_url(world.base_url, photo.token, photo.filename) if photo else None,
        }

    # -- SMS --------------------------------------------------------------------------------

    async def sms_list(self, request: web.Request) -> web.Response:
        raw = request.query.get("phone")
        phone = None if raw is None else _phone(raw)
        return json_response(self.world.sms.all(phone))

    async def sms_send(self, request: web.Request) -> web.Response:
        body = await Body.read(request)
        phone = _phone(body.required_text("phone"))
        text = body.required_text("text")
        sender = body.text("sender") or DEFAULT_SMS_SENDER
        with self.world.transaction():
            sms_id = self.world.sms.add(phone, text, sender, self.world.now())
            person = self.world.people.by_phone(phone)
            if person is not None:
                self.world.people.touch([person.id])
        return json_response({"id": sms_id}, status=201)

    # -- statistics and faults --------------------------------------------------------------

    async def stats_get(self, request: web.Request) -> web.Response:
        return json_response(self.stats.as_dict())

    async def stats_reset(self, request: web.Request) -> web.Response:
        self.stats.reset()
        return json_response(self.stats.as_dict())

    async def faults_get(self, request: web.Request) -> web.Response:
        return json_response(self.faults.as_dict())

    async def faults_set(self, request: web.Request) -> web.Response:
        body = await Body.read(request)
        try:
            self.faults.update(body.data)
        except FaultSettingsError as error:
            raise bad_request(str(error)) from None
        return json_response(self.faults.as_dict())


def _phone(raw: str) -> str:
    phone = normalize_phone(raw)
    if phone is None:
        raise bad_request(f"Не похоже на номер телефона: «{raw}»")
    return phone

