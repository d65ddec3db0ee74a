"""Links a person can open: the community's deep link and chat invite links."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from ..config import SandboxConfig

VK_HOSTS = {"vk.me", "vk.com", "www.vk.com", "m.vk.com"}


@dataclass(frozen=True)
class DeepLink:
    """`https://vk.me/<screen_name>?ref=<ref>` or `vk.com/write-<group_id>?ref=<ref>`."""

    ref: str | None
    ref_source: str | None


@dataclass(frozen=True)
class InviteLink:
    """`https://vk.me/join/<token>`."""

    token: str


def parse_link(url: str, config: SandboxConfig) -> DeepLink | InviteLink | None:
    """What the link opens, or None if it is not a link to this community or a chat."""
    url = url.strip()
    parts = urlsplit(url if re.match(r"^[a-z]+://", url) else f"https://{url}")
    if parts.hostname not in VK_HOSTS:
        return None
    path = parts.path.strip("/")
    if parts.hostname == "vk.me" and path.startswith("join/"):
        token = path.removeprefix("join/")
        return InviteLink(token) if token else None
    community_paths = {f"write-{config.group_id}"} if parts.hostname != "vk.me" else {
        config.screen_name, f"club{config.group_id}", f"public{config.group_id}",
    }
    if path not in community_paths:
        return None
    query = parse_qs(parts.query)
    return DeepLink(
        ref=query.get("ref", [None])[0],
        ref_source=query.get("ref_source", [None])[0],
    )
