"""Uploads: documents, message photos, chat photos; files served back at their urls."""

from __future__ import annotations

from typing import Any

import aiohttp

from sandbox.images import image_size

from .helpers import SandboxClient, b64, png

CHAT = 2_000_000_000


async def upload(client: SandboxClient, url: str, field: str, name: str, content: bytes) -> Any:
    form = aiohttp.FormData()
    form.add_field(field, content, filename=name)
    async with client.session.post(url, data=form) as response:
        return await response.json()


async def download(client: SandboxClient, url: str) -> bytes:
    async with client.session.get(url) as response:
        assert response.status == 200
        return await response.read()


async def test_document_upload_and_send(client: SandboxClient) -> None:
    person = await client.writer()
    server = await client.call("docs.getMessagesUploadServer", type="doc", peer_id=person)
    uploaded = await upload(client, server["upload_url"], "file", "отчёт.csv", b"a;b\n1;2\n")
    saved = await client.call("docs.save", file=uploaded["file"], title="Отчёт")
    doc = saved["doc"]
    assert saved["type"] == "doc"
    assert doc["owner_id"] == -client.group_id and doc["title"] == "Отчёт"
    assert (doc["size"], doc["ext"], doc["type"]) == (8, "csv", 1)
    assert await download(client, doc["url"]) == b"a;b\n1;2\n"
    await client.call("messages.send", peer_id=person, random_id=0,
                      attachment=f"doc{doc['owner_id']}_{doc['id']}")
    (attachment,) = (await client.seen(person, -client.group_id))["items"][-1]["attachments"]
    assert attachment["type"] == "doc" and attachment["title"] == "Отчёт"
    assert await download(client, attachment["url"]) == b"a;b\n1;2\n"
    assert await client.error("docs.save", file="forged") == 105


async def test_upload_server_checks_the_peer(client: SandboxClient) -> None:
    silent = await client.person()
    assert await client.error("docs.getMessagesUploadServer", type="doc", peer_id=silent) == 901
    assert await client.error("docs.getMessagesUploadServer", type="doc") == 100


async def test_photo_upload_and_send(client: SandboxClient) -> None:
    person = await client.writer()
    server = await client.call("photos.getMessagesUploadServer", peer_id=person)
    assert server["group_id"] == client.group_id and "album_id" in server
    uploaded = await upload(client, server["upload_url"], "photo", "plan.png", png(700, 100))
    assert uploaded["server"] and uploaded["hash"]
    (photo,) = await client.call("photos.saveMessagesPhoto", **uploaded)
    assert photo["owner_id"] == -client.group_id
    sizes = {s["type"]: (s["width"], s["height"]) for s in photo["sizes"]}
    assert sizes["s"] == (75, 11) and sizes["y"] == (700, 100)
    assert await download(client, photo["sizes"][0]["url"]) == png(700, 100)
    await client.call("messages.send", peer_id=person, random_id=0,
                      attachment=f"photo{photo['owner_id']}_{photo['id']}")
    (shown,) = (await client.seen(person, -client.group_id))["items"][-1]["attachments"]
    assert (shown["type"], shown["width"], shown["height"]) == ("photo", 700, 100)
    forged = {**uploaded, "hash": "0" * 32}
    assert await client.error("photos.saveMessagesPhoto", **forged) == 121


async def test_each_upload_server_takes_the_field_vk_takes(client: SandboxClient) -> None:
    """VK's upload docs: documents and chat photos go in `file`, message photos in `photo`;
    SDKs send message photos as `file0`, `file1`… and VK takes them too."""
    person = await client.writer()
    photo_url = (await client.call("photos.getMessagesUploadServer", peer_id=person))["upload_url"]
    for field in ("photo", "file0", "file1"):
        uploaded = await upload(client, photo_url, field, "plan.png", png(8, 4))
        (photo,) = await client.call("photos.saveMessagesPhoto", **uploaded)
        assert (photo["width"], photo["height"]) == (8, 4), field
    form = aiohttp.FormData()  # several numbered files: the first one is the photo
    form.add_field("file1", png(5, 5), filename="second.png")
    form.add_field("file0", png(6, 6), filename="first.png")
    async with client.session.post(photo_url, data=form) as response:
        (photo,) = await client.call("photos.saveMessagesPhoto", **(await response.json()))
    assert photo["width"] == 6

    for field in ("file", "document", "files"):  # not a message photo's field
        uploaded = await upload(client, photo_url, field, "plan.png", png())
        assert uploaded["photo"] == "[]", field  # VK's answer without a photo ...
        assert await client.error("photos.saveMessagesPhoto", **uploaded) == 100  # ... refused
    async with client.session.post(photo_url, data=aiohttp.FormData({"photo": "text"})) as r:
        assert (await r.json())["photo"] == "[]"  # a form field that is not a file

    doc_url = (await client.call("docs.getMessagesUploadServer", peer_id=person))["upload_url"]
    assert "file" in await upload(client, doc_url, "file", "a.txt", b"a")
    for field in ("photo", "file0", "doc"):
        assert "error" in await upload(client, doc_url, field, "a.txt", b"a"), field

    chat_id, _ = await client.chat_with_member(person)
    chat_url = (await client.call("photos.getChatUploadServer", chat_id=chat_id))["upload_url"]
    assert "response" in await upload(client, chat_url, "file", "logo.png", png())
    for field in ("photo", "file0"):
        assert "error" in await upload(client, chat_url, field, "logo.png", png()), field


async def test_uploads_are_served_so_that_none_runs_on_the_pages_origin(
    client: SandboxClient,
) -> None:
    """Anybody's upload is served on the sandbox's own origin: only PDFs and raster images are
    shown by the browser; HTML, SVG and the rest are inert downloads."""
    person = await client.writer()
    doc_url = (await client.call("docs.getMessagesUploadServer", peer_id=person))["upload_url"]
    cases = {
        "page.html": (b"<script>alert(1)</script>", "application/octet-stream", "attachment"),
        "logo.svg": (b"<svg onload='alert(1)'/>", "application/octet-stream", "attachment"),
        "чаты.xlsx": (b"PK\x03\x04", "application/octet-stream", "attachment"),
        "notes": (b"<html>", "application/octet-stream", "attachment"),
        "протокол.pdf": (b"%PDF-1.4", "application/pdf", "inline"),
        "двор.png": (png(), "image/png", "inline"),
    }
    for name, (content, content_type, disposition) in cases.items():
        uploaded = await upload(client, doc_url, "file", name, content)
        doc = (await client.call("docs.save", file=uploaded["file"]))["doc"]
        async with client.session.get(doc["url"]) as response:
            assert await response.read() == content
            headers = response.headers
        assert headers["Content-Type"] == content_type, name
        assert headers["Content-Disposition"].startswith(disposition + ";"), name
        assert headers["X-Content-Type-Options"] == "nosniff"
        if content_type != "application/pdf":
            assert headers["Content-Security-Policy"] == "sandbox", name
    await client.request("POST", f"/sandbox/people/{person}/upload", {
        "peer_id": -client.group_id, "filename": "двор.png", "content_base64": b64(png()),
    })
    (event,) = [e for e in await client.events() if e["type"] == "message_new"][-1:]
    url = event["object"]["message"]["attachments"][0]["doc"]["url"]
    async with client.session.get(url) as response:  # a name in Russian, as RFC 6266 says
        assert response.headers["Content-Disposition"] == (
            "inline; filename=\"____.png\"; filename*=UTF-8''%D0%B4%D0%B2%D0%BE%D1%80.png"
        )


async def test_not_an_image_is_refused_at_save(client: SandboxClient) -> None:
    server = await client.call("photos.getMessagesUploadServer")
    uploaded = await upload(client, server["upload_url"], "photo", "x.png", b"not an image")
    assert uploaded["photo"] == "[]"
    assert await client.error("photos.saveMessagesPhoto", **uploaded) == 100


async def test_chat_photo(client: SandboxClient) -> None:
    person = await client.person()
    chat_id, person_peer = await client.chat_with_member(person)
    server = await client.call("photos.getChatUploadServer", chat_id=chat_id)
    uploaded = await upload(client, server["upload_url"], "file", "logo.png", png(200, 200))
    answer = await client.call("messages.setChatPhoto", file=uploaded["response"])
    assert answer["chat"]["id"] == chat_id and answer["chat"]["members_count"] == 2
    assert await download(client, answer["chat"]["photo_200"]) == png(200, 200)
    assert (await client.seen(person, person_peer))["items"][-1]["action"]["type"] == (
        "chat_photo_update"
    )
    (chat,) = await client.request("GET", "/sandbox/chats")
    assert chat["photo"] == answer["chat"]["photo_200"]
    too_far = server["upload_url"].replace(f"chat_id={chat_id}", "chat_id=99999999999999999999")
    assert "error" in await upload(client, too_far, "file", "logo.png", png())
    await client.request("POST", f"/sandbox/chats/{chat_id}/community", {"is_admin": False})
    again = await upload(client, server["upload_url"], "file", "logo.png", png())
    assert await client.error("messages.setChatPhoto", file=again["response"]) == 925


async def test_a_persons_document_reaches_the_community(client: SandboxClient) -> None:
    person = await client.writer()
    await client.request("POST", f"/sandbox/people/{person}/upload", {
        "peer_id": -client.group_id, "filename": "чаты.csv", "text": "Файл",
        "content_base64": b64(b"title\n"),
    })
    message = [e for e in await client.events() if e["type"] == "message_new"][-1]["object"]
    (attachment,) = message["message"]["attachments"]
    doc = attachment["doc"]
    assert attachment["type"] == "doc" and doc["owner_id"] == person and doc["access_key"]
    assert (doc["title"], doc["ext"], doc["size"]) == ("чаты.csv", "csv", 6)
    assert await download(client, doc["url"]) == b"title\n"
    # forwarding someone else's document needs its access key, as in VK
    plain = f"doc{person}_{doc['id']}"
    assert await client.error("messages.send", peer_id=person, attachment=plain,
                              random_id=0) == 100
    assert await client.call("messages.send", peer_id=person, random_id=0,
                             attachment=f"{plain}_{doc['access_key']}")


async def test_a_persons_photo(client: SandboxClient) -> None:
    person = await client.writer()
    await client.request("POST", f"/sandbox/people/{person}/upload", {
        "peer_id": -client.group_id, "filename": "фото.png", "kind": "photo",
        "content_base64": b64(png(40, 30)),
    })
    message = [e for e in await client.events() if e["type"] == "message_new"][-1]["object"]
    photo = message["message"]["attachments"][0]["photo"]
    assert photo["owner_id"] == person and photo["sizes"][-1]["width"] == 40
    bad = await client.request("POST", f"/sandbox/people/{person}/upload", {
        "peer_id": -client.group_id, "filename": "x.png", "kind": "photo",
        "content_base64": b64(b"text"),
    }, status=400)
    assert bad["error"]


def test_image_size_reader() -> None:
    assert image_size(png(123, 45)) == (123, 45)
    gif = b"GIF89a" + (10).to_bytes(2, "little") + (20).to_bytes(2, "little") + b"\x00" * 10
    assert image_size(gif) == (10, 20)
    jpeg = (b"\xff\xd8\xff\xe0\x00\x04ab\xff\xc0\x00\x11\x08"
            + (480).to_bytes(2, "big") + (640).to_bytes(2, "big") + b"\x03" + b"\x00" * 9)
    assert image_size(jpeg) == (640, 480)
    assert image_size(b"plain text") is None
