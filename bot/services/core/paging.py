"""Pages of a list: what list screens show and what their ‹ 1 2 … › buttons need."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from tortoise.queryset import QuerySet

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int  # 1-based
    pages: int
    total: int
    size: int

    @property
    def first_index(self) -> int:
        """The 1-based position of the first item in the whole list."""
        return (self.number - 1) * self.size + 1


async def paginate(query: QuerySet[Any], number: int, size: int) -> Page[Any]:
    total = await query.count()
    pages = max(1, -(-total // size))
    number = min(max(1, number), pages)
    items = await query.offset((number - 1) * size).limit(size)
    return Page(list(items), number, pages, total, size)

