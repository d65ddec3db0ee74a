"""VK objects as the community sees them (shapes of the 5.199 schema)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..config import SandboxConfig
from ..world.records import Media, Message, Person

# what VK shows for a community or a user without a photo
COMMUNITY_PHOTO = "https://vk.com/images/community_{size}.png"
USER_PHOTO = "https://vk.com/images/camera_{size}.png"
MESSAGES_ALBUM_ID = -64  # the album VK puts photos sent in messages into
COMMUNITY_PHOTO_AUTHOR = 100  # VK's user_id for photos a community uploads

# docs_doc.type: 1 text, 2 archive, 3 gif, 4 image, 5 audio, 6 video, 7 e-book, 8 other
_DOC_TYPES = {
    **dict.fromkeys(("txt", "doc", "docx", "pdf", "odt", "rtf", "csv", "xls", "xlsx"), 1),
    **dict.fromkeys(("zip", "rar", "7z", "gz", "tar"), 2),
    "gif": 3,
    **dict.fromkeys(("jpg", "jpeg", "png", "bmp", "webp", "tif", "tiff"), 4),
    **dict.fromkeys(("mp3", "ogg", "wav", "m4a"), 5),
    **dict.fromkeys(("mp4", "avi", "mkv", "mov", "webm"), 6),
    **dict.fromkeys(("epub", "fb2", "djvu", "mobi"), 7),
}
# photos_photo_sizes: the type letter and the longest side VK scales to
_PHOTO_SIZES = (("s", 75), ("m", 130), ("x", 604), ("y", 807), ("z", 1080), ("w", 2560))

CLIENT_INFO = {
    "button_actions": [
        "text", "vkpay", "open_app", "location", "open_link", "callback",
        "intent_subscribe", "intent_unsubscribe",
    ],
    "keyboard": True,
    "inline_keyboard": True,
    "carousel": True,
    "lang_id": 0,
}


def file_url(base_url: str, token: str, filename: str) -> str:
    return f"{base_url}/files/{token}/{quote(filename)}"


def group_object(config: SandboxConfig) -> dict[str, Any]:
    return {
        "id": config.group_id,
        "name": config.community_name,
        "screen_name": config.screen_name,
        "is_closed": 0,
        "type": "group",
        **{f"photo_{size}": COMMUNITY_PHOTO.format(size=size) for size in (50, 100, 200)},
    }


def user_object(person: Person, fields: set[str]) -> dict[str, Any]:
    user: dict[str, Any] = {
        "id": person.id,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "can_access_closed": True,
        "is_closed": False,
    }
    if "can_write_private_message" in fields:
        user["can_write_private_message"] = int(person.allows_messages)
    if fields & {"screen_name", "domain"}:
        user.update(screen_name=f"id{person.id}", domain=f"id{person.id}")
    for size in (50, 100, 200):
        if f"photo_{size}" in fields:
            user[f"photo_{size}"] = USER_PHOTO.format(size=size)
    return user


def deleted_user_object(user_id: int) -> dict[str, Any]:
    """What VK answers for an id nobody has."""
    return {"id": user_id, "first_name": "DELETED", "last_name": "", "deactivated": "deleted"}


def doc_object(media: Media, base_url: str) -> dict[str, Any]:
    return {
        "id": media.id,
        "owner_id": media.owner_id,
        "title": media.title,
        "size": media.size,
        "ext": media.ext,
        "url": file_url(base_url, media.token, media.filename),
        "date": media.date,
        "type": _DOC_TYPES.get(media.ext, 8),
        "access_key": media.access_key,
    }


def photo_sizes(url: str, width: int, height: int) -> list[dict[str, Any]]:
    """VK's size variants; all point at the original here, with the scaled dimensions."""
    longest = max(width, height, 1)
    sizes = []
    for letter, bound in _PHOTO_SIZES:
        scale = min(1.0, bound / longest)
        sizes.append(
            {"type": letter, "url": url, "width": round(width * scale),
             "height": round(height * scale)}
        )
        if bound >= longest:
            break
    return sizes


def photo_object(media: Media, base_url: str) -> dict[str, Any]:
    url = file_url(base_url, media.token, media.filename)
    photo = {
        "id": media.id,
        "album_id": MESSAGES_ALBUM_ID,
        "owner_id": media.owner_id,
        "date": media.date,
        "sizes": photo_sizes(url, media.width, media.height),
        "text": "",
        "has_tags": False,
        "access_key": media.access_key,
        "width": media.width,
        "height": media.height,
    }
    if media.owner_id < 0:
        photo["user_id"] = COMMUNITY_PHOTO_AUTHOR
    return photo


def attachment_object(media: Media, base_url: str) -> dict[str, Any]:
    if media.kind == "doc":
        return {"type": "doc", "doc": doc_object(media, base_url)}
    return {"type": "photo", "photo": photo_object(media, base_url)}


def message_object(
    message: Message,
    *,
    peer_id: int,
    group_id: int,
    media: dict[int, Media],
    base_url: str,
) -> dict[str, Any]:
    """`messages_message` as the community sees it; in chats its `id` is 0, as VK gives bots."""
    in_chat = peer_id > 2_000_000_000
    obj: dict[str, Any] = {
        "date": message.date,
        "from_id": message.from_id,
        "id": 0 if in_chat else message.id,
        "version": message.version,
        "out": int(message.from_id == -group_id),
        "attachments": [
            attachment_object(media[ref["id"]], base_url)
            for ref in message.attachment_refs
            if ref["id"] in media
        ],
        "conversation_message_id": message.cmid,
        "fwd_messages": [],
        "important": False,
        "is_hidden": False,
        "peer_id": peer_id,
        "random_id": message.random_id,
        "text": message.text,
    }
    optional = {
        "payload": message.payload,
        "ref": message.ref,
        "ref_source": message.ref_source,
        "action": message.action_data,
        "update_time": message.update_time,
    }
    obj.update({key: value for key, value in optional.items() if value is not None})
    return obj
