"""Errors services raise for people: `str(error)` is a Russian message that says what to do."""

from __future__ import annotations


class DomainError(Exception):
    """Something the person can fix or should know; shown to them as is."""


class AccessDenied(DomainError):
    def __init__(self, message: str = "У вас нет прав на это действие.") -> None:
        super().__init__(message)


class NotFound(DomainError):
    pass
