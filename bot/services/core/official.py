"""The one header of every official message in house chats: who speaks, and on what."""

from __future__ import annotations

from storage.models import RepresentativeKind

OFFICIAL_MARK = "📢"

KIND_SOURCES = {
    RepresentativeKind.UK: "Управляющая компания",
    RepresentativeKind.ADMINISTRATION: "Администрация",
    RepresentativeKind.RSO: "Ресурсная организация",
}


def representative_source(kind: RepresentativeKind, organisation: str | None) -> str:
    source = KIND_SOURCES[kind]
    return f"{source} «{organisation}»" if organisation else source


def official_header(source: str, ticket_id: int | None = None) -> str:
    """«📢 Официально · Управляющая компания «Комфорт» · обращение №12»."""
    parts = [f"{OFFICIAL_MARK} Официально", source]
    if ticket_id is not None:
        parts.append(f"обращение №{ticket_id}")
    return " · ".join(parts)


def official_message(source: str, body: str, ticket_id: int | None = None) -> str:
    return f"{official_header(source, ticket_id)}\n\n{body}"
