"""Attachment strings `doc<owner>_<id>[_<access_key>]`, `photo<owner>_<id>[_<access_key>]`."""

from __future__ import annotations

import re
from typing import Any

from ..ints import parse_int64
from ..world import World
from .errors import invalid_param

MAX_ATTACHMENTS = 10
_ATTACHMENT = re.compile(r"^(doc|photo)(-?[0-9]+)_([0-9]+)(?:_([0-9A-Za-z]+))?$")


def resolve_attachments(world: World, raw: str) -> list[dict[str, Any]]:
    """References to existing media; another owner's media needs its access key, as in VK."""
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if len(parts) > MAX_ATTACHMENTS:
        raise invalid_param(f"at most {MAX_ATTACHMENTS} attachments are allowed")
    refs = []
    for part in parts:
        match = _ATTACHMENT.match(part)
        if match is None:
            raise invalid_param(f"attachment {part!r} is invalid")
        kind, owner_text, media_text, access_key = match.groups()
        owner_id, media_id = parse_int64(owner_text), parse_int64(media_text)
        media = None if owner_id is None or media_id is None else world.media.get(media_id)
        if (
            media is None
            or media.kind != kind
            or media.owner_id != owner_id
            or (media.owner_id != world.community_id and access_key != media.access_key)
        ):
            raise invalid_param(f"attachment {part!r} is not found")
        refs.append({"type": kind, "id": media.id})
    return refs
