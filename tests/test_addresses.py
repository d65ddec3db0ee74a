"""Chat titles as addresses: the search key, natural order, and the migration that fills both."""

from __future__ import annotations

import pytest
from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate

from storage.addresses import search_key, search_pattern, sort_key
from storage.db import tortoise_config
from storage.models import Chat


def finds(query: str, title: str) -> bool:
    pattern = search_pattern(query)
    return pattern is not None and pattern in search_key(title)


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("садовая 12", "ул. Садовая, 12"),
        ("Садовая, д. 12", "Садовая 12"),
        ("САДОВАЯ 12", "ул. Садовая, д. 12, корп. 2"),
        ("садовая 12 2", "Садовая 12к2"),
        ("плесец", "Плесецкая 16, 7 подъезд"),
        ("елочная", "ул. Ёлочная, 3"),
        ("комендантский 64 к1", "Комендантский проспект 64к1"),
        ("победы 3", "б-р Победы, д. 3, стр. 1"),
        ("ленина 5", "просп. Ленина, 5"),
        ("набережная 5", "ул. Набережная, 5"),
        ("12б", "Садовая 12Б"),
    ],
)
def test_search_ignores_case_punctuation_and_abbreviations(query: str, title: str) -> None:
    assert finds(query, title)


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("садовая 1", "ул. Садовая, 12"),  # a number is whole
        ("садовая 12", "Садовая 1, корп. 12"),  # the words in their order, side by side
        ("садовая 12", "Садовая 3, подъезд 12"),
        ("адовая", "Садовая 12"),  # a word starts where it starts
    ],
)
def test_search_does_not_find_other_houses(query: str, title: str) -> None:
    assert not finds(query, title)


def test_a_query_of_abbreviations_only_has_no_pattern() -> None:
    assert search_pattern("ул., д.") is None
    assert search_pattern("  ") is None


def test_chats_sort_in_natural_order() -> None:
    titles = [
        "Строителей, 11", "Строителей 2", "ул. Строителей, 1", "Строителей, 10", "Строителей",
        "Садовая 5", "Строителей 10 к1", "строителей 3",
    ]
    assert sorted(titles, key=sort_key) == [
        "Садовая 5", "Строителей", "ул. Строителей, 1", "Строителей 2", "строителей 3",
        "Строителей, 10", "Строителей 10 к1", "Строителей, 11",
    ]


def test_sort_keys_compare_as_bytes_the_same_way() -> None:
    """The database compares the keys byte by byte; Python's bytes order is that order."""
    numbers = [sort_key(f"Дом {n}") for n in (1, 2, 9, 10, 99, 100, 101, 1000)]
    assert numbers == sorted(numbers)


async def test_the_migration_fills_keys_of_existing_chats(database_url: str) -> None:
    config = tortoise_config(database_url)
    await migrate(config=config, target="models.0005_broadcasts_and_stats")
    await Tortoise.init(config=config)
    try:
        connection = connections.get(database_url.split("://", 1)[0])
        await connection.execute_script(
            "INSERT INTO region (name, created_at) VALUES ('Р', CURRENT_TIMESTAMP);"
            "INSERT INTO municipality (name, region_id, created_at) VALUES ('М', 1, CURRENT_TIMESTAMP);"
            "INSERT INTO chat (municipality_id, title, title_key, kind, status, members_count, created_at)"
            " VALUES (1, 'ул. Садовая, 12', 'ул. садовая, 12', 'house', 'active', 0, CURRENT_TIMESTAMP),"
            " (1, 'Садовая 2', 'садовая 2', 'house', 'active', 0, CURRENT_TIMESTAMP);"
        )
    finally:
        await Tortoise.close_connections()
    await migrate(config=config)
    await Tortoise.init(config=config)
    try:
        chats = await Chat.all().order_by("sort_key")
        assert [c.title for c in chats] == ["Садовая 2", "ул. Садовая, 12"]
        assert chats[1].search_key == " садовая 12 "
        found = await Chat.filter(search_key__contains=search_pattern("садовая 12"))
        assert [c.title for c in found] == ["ул. Садовая, 12"]
    finally:
        await Tortoise.close_connections()
