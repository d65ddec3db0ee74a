"""Uploads: upload servers, the upload endpoints themselves, docs.save and photos.save*."""

from __future__ import annotations

import hashlib
import mimetypes
import re
from typing import Any
from urllib.parse import quote

from aiohttp import web
from multidict import MultiDictProxy

from ..images import image_size
from ..ints import parse_int64
from ..webutil import json_response
from ..world import World
from .access import community_membership, open_chat, writable_conversation
from .errors import VKError, invalid_param
from .params import Params
from .shapes import MESSAGES_ALBUM_ID, doc_object, photo_object

UPLOAD_SERVER_ID = 1
DOC_TYPES = {"doc", "audio_message", "graffiti"}
# The multipart field that carries the file, per upload kind, as VK's upload servers take it:
# documents and chat photos `file`; message photos `photo` or, as widely used SDKs send them,
# the numbered `file0`, `file1`… (the messages album takes one photo: the first one given).
UPLOAD_FIELDS = {"doc": ("file",), "photo": ("photo",), "chat_photo": ("file",)}
NUMBERED_FIELD = re.compile(r"file[0-9]+")
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# what VK's photo upload server answers without an image: an empty list, which
# photos.saveMessagesPhoto then refuses (error 100 "photos_list is invalid")
NO_PHOTO = {"server": UPLOAD_SERVER_ID, "photo": "[]", "hash": ""}
# the types of uploads a browser may show on the sandbox's origin (nothing that runs scripts)
INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"}


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


def _uploaded_file(kind: str, form: MultiDictProxy[Any]) -> web.FileField | None:
    """The file under the first field VK takes for this kind of upload, if any."""
    numbered = [name for name in form if kind == "photo" and NUMBERED_FIELD.fullmatch(name)]
    for name in [*UPLOAD_FIELDS[kind], *sorted(numbered, key=lambda name: (len(name), name))]:
        value = form.get(name)
        if isinstance(value, web.FileField):
            return value
    return None


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
        field = _uploaded_file(kind, await request.post())
        if kind == "photo" and field is None:
            return json_response(NO_PHOTO)
        if field is None:
            return json_response({"error": "no_file", "error_descr": "no file uploaded"})
        content = field.file.read()
        filename = field.filename or "file"
        if kind == "doc":
            stored = world.media.store_file("doc", filename, content, world.now())
            return json_response({"file": stored.token})
        size = image_size(content)
        if kind == "photo":
            if size is None:
                return json_response(NO_PHOTO)
            token = world.media.store_file("photo", filename, content, world.now(), size).token
            return json_response(
                {"server": UPLOAD_SERVER_ID, "photo": token, "hash": upload_hash(token)}
            )
        chat_id = parse_int64(request.query.get("chat_id", ""))
        if size is None or chat_id is None:
            return json_response({"error": "bad_image", "error_descr": "not an image"})
        stored = world.media.store_file("chat_photo", filename, content, world.now(), size, chat_id)
        return json_response({"response": stored.token})

    async def serve_file(self, request: web.Request) -> web.Response:
        """GET {base_url}/files/<token>/<name>: what `url` fields point at."""
        token = request.match_info["token"]
        stored, content = self.world.media.file(token), self.world.media.content(token)
        if stored is None or content is None:
            raise web.HTTPNotFound()
        return web.Response(body=content, headers=file_headers(stored.filename))


def file_headers(filename: str) -> dict[str, str]:
    """Uploads are anybody's content on the page's own origin: only PDFs and raster images are
    shown in the browser; anything else (an .html, an .svg) is a download of inert bytes."""
    content_type = mimetypes.guess_type(filename)[0]
    headers = {"X-Content-Type-Options": "nosniff"}
    if content_type in INLINE_TYPES:
        disposition = "inline"
        if content_type != "application/pdf":  # a sandboxed PDF would not open in the viewer
            headers["Content-Security-Policy"] = "sandbox"
    else:
        content_type, disposition = "application/octet-stream", "attachment"
        headers["Content-Security-Policy"] = "sandbox"
    ascii_name = re.sub(r'[^A-Za-z0-9._ -]', "_", filename) or "file"
    headers["Content-Type"] = content_type
    headers["Content-Disposition"] = (
        f'{disposition}; filename="{ascii_name}"; filename*=UTF-8\'\'{quote(filename, safe="")}'
    )
    return headers


METHODS = {
    "docs.getMessagesUploadServer": docs_get_messages_upload_server,
    "docs.save": docs_save,
    "photos.getMessagesUploadServer": photos_get_messages_upload_server,
    "photos.saveMessagesPhoto": photos_save_messages_photo,
    "photos.getChatUploadServer": photos_get_chat_upload_server,
}
