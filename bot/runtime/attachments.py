"""What a person attached to a message: a photo or a document, as download URLs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Document:
    title: str
    ext: str
    size: int
    url: str


def _attachments(message: Any) -> list[Any]:
    return list(getattr(message, "attachments", None) or [])


def _type(attachment: Any) -> str:
    kind = getattr(attachment, "type", "")
    return str(getattr(kind, "value", kind))


def photo_url(message: Any) -> str | None:
    """The largest size of the first photo attached, if any."""
    for attachment in _attachments(message):
        photo = getattr(attachment, "photo", None)
        if _type(attachment) == "photo" and photo is not None and photo.sizes:
            best = max(photo.sizes, key=lambda s: (s.width or 0) * (s.height or 0))
            return str(best.url)
    return None


def document(message: Any) -> Document | None:
    for attachment in _attachments(message):
        doc = getattr(attachment, "doc", None)
        if _type(attachment) == "doc" and doc is not None and doc.url:
            title = doc.title or "файл"
            ext = (doc.ext or title.rsplit(".", 1)[-1]).lower()
            return Document(title=title, ext=ext, size=int(doc.size or 0), url=str(doc.url))
    return None


@dataclass(frozen=True)
class FileRef:
    kind: str  # "photo" | "doc"
    url: str
    name: str


def first_file(message: Any) -> FileRef | None:
    """The photo attached to the message, else its document, as something to download."""
    url = photo_url(message)
    if url is not None:
        return FileRef("photo", url, "photo.jpg")
    doc = document(message)
    return None if doc is None else FileRef("doc", doc.url, doc.title)
