"""Russian noun forms for counts in lists and buttons."""

import pytest

from bot.services.core.texts import chats, of_chats


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "0 чатов"), (1, "1 чат"), (2, "2 чата"), (4, "4 чата"), (5, "5 чатов"), (11, "11 чатов"),
     (12, "12 чатов"), (21, "21 чат"), (22, "22 чата"), (111, "111 чатов"), (1001, "1001 чат")],
)
def test_plural_forms(count: int, text: str) -> None:
    assert chats(count) == text


@pytest.mark.parametrize(("count", "text"), [(1, "1 чата"), (2, "2 чатов"), (11, "11 чатов"), (21, "21 чата")])
def test_genitive_after_iz(count: int, text: str) -> None:
    assert of_chats(count) == text
