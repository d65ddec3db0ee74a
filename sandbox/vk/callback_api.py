"""The Callback API methods: the community's servers, their settings and the confirmation code.

Shapes, limits and errors as VK's schema (groups.*CallbackServer*, groups.*CallbackSettings,
groups.getCallbackConfirmationCode); how events reach the servers is `sandbox.callback_delivery`.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlsplit

from ..webutil import is_loopback
from ..world import World
from ..world.callback_servers import FAILED, CallbackServer, confirmation_code
from .errors import VKError, invalid_param
from .params import Params, parse_version

MAX_SERVERS = 10  # VK: «up to 10 servers»
MAX_TITLE = 14
SECRET_KEY = re.compile(r"[A-Za-z0-9]{0,50}")  # VK: latin letters and digits, at most 50
DEFAULT_API_VERSION = "5.199"
MIN_API_VERSION = (5, 81)

# The event types groups.setCallbackSettings takes (the schema's parameters), in its order;
# groups.getCallbackSettings answers each as 0 or 1. The sandbox emits the message_* ones.
EVENT_TYPES = (
    "message_new", "message_reply", "message_allow", "message_edit", "message_deny",
    "message_typing_state", "message_read", "photo_new", "audio_new", "video_new",
    "wall_reply_new", "wall_reply_edit", "wall_reply_delete", "wall_reply_restore",
    "wall_post_new", "wall_repost", "wall_schedule_post_new", "wall_schedule_post_delete",
    "board_post_new", "board_post_edit", "board_post_restore", "board_post_delete",
    "photo_comment_new", "photo_comment_edit", "photo_comment_delete", "photo_comment_restore",
    "video_comment_new", "video_comment_edit", "video_comment_delete", "video_comment_restore",
    "market_comment_new", "market_comment_edit", "market_comment_delete",
    "market_comment_restore", "market_order_new", "market_order_edit", "poll_vote_new",
    "group_join", "group_leave", "group_change_settings", "group_change_photo",
    "group_officers_edit", "user_block", "user_unblock", "lead_forms_new", "like_add",
    "like_remove", "message_event", "message_reaction_event", "donut_subscription_create",
    "donut_subscription_prolonged", "donut_subscription_cancelled",
    "donut_subscription_price_changed", "donut_subscription_expired", "donut_money_withdraw",
    "donut_money_withdraw_error",
)


def add_server(world: World, params: Params) -> dict[str, int]:
    _check_group(world, params)
    url, title, secret_key = _address(params)
    if world.callback_servers.count() >= MAX_SERVERS:
        raise VKError(2000)
    server_id = world.callback_servers.add(url, title, secret_key, DEFAULT_API_VERSION, world.now())
    return {"server_id": server_id}


def edit_server(world: World, params: Params) -> int:
    _check_group(world, params)
    server = _server(world, params.required_integer("server_id"))
    url, title, secret_key = _address(params, keep_secret=server.secret_key)
    world.callback_servers.edit(server.id, url, title, secret_key)
    return 1


def delete_server(world: World, params: Params) -> int:
    _check_group(world, params)
    server = _server(world, params.required_integer("server_id"))
    world.callback_servers.delete(server.id)
    return 1


def get_servers(world: World, params: Params) -> dict[str, Any]:
    _check_group(world, params)
    asked = set(params.integers("server_ids"))
    items = [
        _server_object(server)
        for server in world.callback_servers.all()
        if not asked or server.id in asked
    ]
    return {"count": len(items), "items": items}


def get_confirmation_code(world: World, params: Params) -> dict[str, str]:
    _check_group(world, params)
    return {"code": confirmation_code(world.config)}


def set_settings(world: World, params: Params) -> int:
    _check_group(world, params)
    server = _settings_server(world, params)
    api_version = params.text("api_version")
    if api_version is not None:
        version = parse_version(api_version)
        if version is None or version < MIN_API_VERSION:
            raise invalid_param("api_version is invalid")
    enable = {name: params.flag(name) for name in EVENT_TYPES if name in params}
    world.callback_servers.set_settings(server.id, api_version, enable, world.events.last_ts)
    return 1


def get_settings(world: World, params: Params) -> dict[str, Any]:
    _check_group(world, params)
    server = _settings_server(world, params)
    return {
        "api_version": server.api_version,
        "events": {name: int(name in server.events) for name in EVENT_TYPES},
    }


def _check_group(world: World, params: Params) -> None:
    params.required_integer("group_id")
    params.check_group(world.config.group_id)


def _address(params: Params, keep_secret: str = "") -> tuple[str, str, str]:
    url = params.required_text("url").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid_param("url should be an http or https address")
    if not is_loopback(parts.hostname):
        raise invalid_param("url: the sandbox delivers to loopback addresses only")
    title = params.required_text("title")
    if len(title) > MAX_TITLE:
        raise invalid_param(f"title should be at most {MAX_TITLE} characters")
    secret_key = params.text("secret_key", keep_secret) or ""
    if not SECRET_KEY.fullmatch(secret_key):
        raise invalid_param("secret_key should be up to 50 latin letters and digits")
    return url, title, secret_key


def _server(world: World, server_id: int) -> CallbackServer:
    server = world.callback_servers.get(server_id)
    if server is None:
        raise VKError(104, "server_id is not found")
    return server


def _settings_server(world: World, params: Params) -> CallbackServer:
    """`server_id`, or without it the community's first server (VK's one-server past)."""
    server_id = params.integer("server_id")
    if server_id is not None:
        return _server(world, server_id)
    servers = world.callback_servers.all()
    if not servers:
        raise VKError(104, "the community has no Callback API server")
    return servers[0]


def _server_object(server: CallbackServer) -> dict[str, Any]:
    """`groups_callback_server`; a paused server shows as failed until its pause ends."""
    paused = server.paused_until is not None and server.paused_until > time.time()
    return {
        "id": server.id,
        "title": server.title,
        "creator_id": 0,  # a community token has no user to name
        "url": server.url,
        "secret_key": server.secret_key,
        "status": FAILED if paused else server.status,
    }


METHODS = {
    "groups.addCallbackServer": add_server,
    "groups.deleteCallbackServer": delete_server,
    "groups.editCallbackServer": edit_server,
    "groups.getCallbackConfirmationCode": get_confirmation_code,
    "groups.getCallbackServers": get_servers,
    "groups.getCallbackSettings": get_settings,
    "groups.setCallbackSettings": set_settings,
}
