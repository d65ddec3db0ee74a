"""What a person sees when a handler fails: a clear Russian message, never a traceback."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from vkbottle import ErrorHandler

from bot.runtime.buttons import StalePress
from bot.runtime.context import CallbackTurn, Turn
from bot.runtime.payload import StaleButton
from bot.services.core import texts
from bot.services.core.errors import DomainError
from bot.vk.errors import VkError, VkUnavailable
from storage.db import database_unavailable

log = logging.getLogger(__name__)

SNACKBAR_LIMIT = 90


async def report_failure(error: Exception, *_event: Any, turn: Turn | None = None) -> None:
    """vkbottle's error handler: `turn` is the failed update's context, when there was one.

    The database being away is not the person's problem: that failure goes on up to the update
    dispatcher, which handles the update again once the database answers."""
    if isinstance(error, DomainError):
        text = str(error)
    elif isinstance(error, VkUnavailable):
        log.warning("VK unavailable while handling an update: %s", error)
        text = texts.VK_BUSY
    elif database_unavailable(error):
        raise error
    else:
        log.error("handler failed", exc_info=error)
        text = texts.FAILURE
    if turn is None:
        return
    try:
        if isinstance(turn, CallbackTurn) and not turn.answered:
            if len(text) <= SNACKBAR_LIMIT:
                await turn.snackbar(text)
                return
            await turn.snackbar(None)
        await turn.answer(text)
    except VkError as exc:
        log.warning("could not tell the person about a failure: %s", exc)


def guarded(handler: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """A handler whose failure is answered right here and ends the update's handling.

    vkbottle would pass a failed handler's update on to the next matching handler (the
    fallback), so the person would get a second, confusing answer.
    """

    @functools.wraps(handler)  # vkbottle reads the wrapped signature to pick arguments
    async def run(event: Any, **kwargs: Any) -> Any:
        try:
            if isinstance(kwargs.get("button"), StalePress):
                raise StaleButton()  # a known command with arguments no button carries
            return await handler(event, **kwargs)
        except Exception as exc:  # noqa: BLE001  # any failure: answered and logged here
            await report_failure(exc, event, turn=kwargs.get("turn"))
            return None

    return run


def build_error_handler() -> ErrorHandler:
    handler = ErrorHandler(redirect_arguments=True)
    handler.register_undefined_error_handler(report_failure)
    return handler
