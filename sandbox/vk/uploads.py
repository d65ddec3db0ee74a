"""Uploads: upload servers, the upload endpoints themselves, docs.save and photos.save*."""

from __future__ import annotations

import hashlib
import mimetypes
from typing import Any

from aiohttp import web

from ..images import image_size
from ..webutil import json_response
from ..world import World
from .access import community_membership, open_chat, writable_conversation
from .errors import VKError, invalid_param
from .params import Params
from .shapes import MESSAGES_ALBUM_ID, doc_object, photo_object

UPLOAD_SERVER_ID = 1
DOC_TYPES = {"doc", "audio_message", "graffiti"}
# which multipart field carries the file, per upload kind (chat photos: VK says `file`,
# vkbottle sends `photo`, both are taken)
UPLOAD_FIELDS = {"doc": ("file",), "photo": ("photo",), "chat_photo": ("file", "photo")}
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def docs_get_messages_upload_server(world: World, params: Params) -> dict[str, str]:
    if params.text("type", "doc") not in DOC_TYPES:
        raise invalid_param("type should be doc, audio_message or graffiti")
    writable_conversation(world, params.required_integer("peer_id"))
    return {"upload_url": f"{world.base_url}/upload/doc"}


def docs_save(world: World, params: Params) -> dict[str, Any]:
    stored = world.media.file(params.required_text("file"))
    if stored is None or stored.purpose != "doc":
        raise VKError(105, "file is invalid")
    title = params.text("title") or stored.filename
    doc = world.media.save("doc", world.community_id, stored, title, world.now())
    return {"type": "doc", "doc": doc_object(doc, world.base_url)}


def photos_get_messages_upload_server(world: World, params: Params) -> dict[str, Any]:
    peer_id = params.integer("peer_id")
    if peer_id is not None:
        writable_conversation(world, peer_id)
    return {
        "upload_url": f"{world.base_url}/upload/photo",
        "album_id": MESSAGES_ALBUM_ID,
        "user_id": 0,
        "group_id": world.config.group_id,
    }


def photos_save_messages_photo(world: World, params: Params) -> list[dict[str, Any]]:
    token = params.required_text("photo")
    stored = world.media.file(token)
    if stored is None or stored.purpose != "photo":
        raise invalid_param("photos_list is invalid")
    if params.text("hash") != upload_hash(token):
        raise VKError(121)
    photo = world.media.save("photo", world.community_id, stored, stored.filename, world.now())
    return [photo_object(photo, world.base_url)]


def photos_get_chat_upload_server(world: World, params: Params) -> dict[str, str]:
    chat = open_chat(world, params.required_integer("chat_id"), gone=945)
    community_membership(world, chat)
    return {"upload_url": f"{world.base_url}/upload/chat_photo?chat_id={chat.id}"}


def upload_hash(token: str) -> str:
    return hashlib.sha256(f"sandbox-upload:{token}".encode()).hexdigest()[:32]


class UploadRoutes:
    """The upload servers' endpoints and the files behind every `url` field."""

    def __init__(self, world: World) -> None:
        self.world = world

    def register(self, router: web.UrlDispatcher) -> None:
        router.add_post("/upload/{kind:doc|photo|chat_photo}", self.upload)
        router.add_get("/files/{token}/{name}", self.serve_file)

    async def upload(self, request: web.Request) -> web.Response:
        """POST multipart to an upload_url; answers like VK's upload servers do."""
        world = self.world
        kind = request.match_info["kind"]
        form = await request.post()
        field = next((form[name] for name in UPLOAD_FIELDS[kind] if name in form), None)
        if not isinstance(field, web.FileField):
            return json_response({"error": "no_file", "error_descr": "no file uploaded"})
        content = field.file.read()
        filename = field.filename or "file"
        if kind == "doc":
            stored = world.media.store_file("doc", filename, content, world.now())
            return json_response({"file": stored.token})
        size = image_size(content)
        if kind == "photo":
            if size is None:  # VK answers an empty list; photos.saveMessagesPhoto then refuses it
                return json_response({"server": UPLOAD_SERVER_ID, "photo": "[]", "hash": ""})
            token = world.media.store_file("photo", filename, content, world.now(), size).token
            return json_response(
                {"server": UPLOAD_SERVER_ID, "photo": token, "hash": upload_hash(token)}
            )
        chat_id = request.query.get("chat_id", "")
        if size is None or not chat_id.isdigit():
            return json_response({"error": "bad_image", "error_descr": "not an image"})
        stored = world.media.store_file(
            "chat_photo", filename, content, world.now(), size, int(chat_id)
        )
        return json_response({"response": stored.token})

    async def serve_file(self, request: web.Request) -> web.Response:
        """GET {base_url}/files/<token>/<name>: what `url` fields point at."""
        token = request.match_info["token"]
        stored, content = self.world.media.file(token), self.world.media.content(token)
        if stored is None or content is None:
            raise web.HTTPNotFound()
        content_type = mimetypes.guess_type(stored.filename)[0] or "application/octet-stream"
        return web.Response(body=content, content_type=content_type)


METHODS = {
    "docs.getMessagesUploadServer": docs_get_messages_upload_server,
    "docs.save": docs_save,
    "photos.getMessagesUploadServer": photos_get_messages_upload_server,
    "photos.saveMessagesPhoto": photos_save_messages_photo,
    "photos.getChatUploadServer": photos_get_chat_upload_server,
}
