"""groups.getById, groups.getLongPollServer, users.get."""

from __future__ import annotations

from typing import Any

from ..world import World
from .errors import VKError, invalid_param
from .params import Params
from .shapes import deleted_user_object, group_object, user_object

MAX_USER_IDS = 1000


def get_group_by_id(world: World, params: Params) -> dict[str, Any]:
    """Only the sandbox's own community exists: by id, `club<id>` or screen name."""
    config = world.config
    own_names = {str(config.group_id), f"club{config.group_id}", config.screen_name}
    asked = params.texts("group_ids") or params.texts("group_id")
    if any(name not in own_names for name in asked):
        raise invalid_param("group_ids is invalid")
    return {"groups": [group_object(config)], "profiles": []}


def get_long_poll_server(world: World, params: Params) -> dict[str, str]:
    group_id = params.required_integer("group_id")
    params.check_group(world.config.group_id)
    key, ts = world.events.server_key_and_ts(world.now())
    return {"key": key, "server": f"{world.base_url}/longpoll/{group_id}", "ts": str(ts)}


def get_users(world: World, params: Params) -> list[dict[str, Any]]:
    """People with VK accounts; an unknown numeric id is a deleted profile, as in VK."""
    asked = params.user_ids("user_ids")
    if len(asked) > MAX_USER_IDS:
        raise invalid_param(f"user_ids should contain at most {MAX_USER_IDS} items")
    fields = set(params.texts("fields"))
    users = []
    for user_id in asked:
        if user_id is None:
            continue
        person = world.people.vk_user(user_id)
        users.append(user_object(person, fields) if person else deleted_user_object(user_id))
    if asked and not users:
        raise VKError(113)
    return users


METHODS = {
    "groups.getById": get_group_by_id,
    "groups.getLongPollServer": get_long_poll_server,
    "users.get": get_users,
}
