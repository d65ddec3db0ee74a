"""`/method/{name}`: VK API calls with VK's checks, limits, injected faults and error format."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiohttp import web

from ..faults import Faults
from ..faults import active as active_faults
from ..webutil import json_response, request_params
from ..ratelimit import RateLimiter
from ..stats import Stats
from ..world import World
from . import callback_api, chats, community, messages, uploads
from .errors import VKError
from .execute import ExecuteResult, Method, make_execute
from .params import method_params, parse_version

log = logging.getLogger(__name__)

MIN_VERSION = (5, 81)
DEPRECATED_VERSION = (
    "versions below 5.81 are deprecated. Version param should be passed as \"v\". "
    "\"version\" param is invalid and not supported. "
    "For more information go to https://dev.vk.com/ru/reference/versioning"
)

METHODS: dict[str, Method] = {
    **community.METHODS,
    **messages.METHODS,
    **chats.METHODS,
    **uploads.METHODS,
    **callback_api.METHODS,
}
METHODS["execute"] = make_execute(dict(METHODS))  # inside execute, `execute` is unknown (3)


LOST_ANSWER = "<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>"


class VkApi:
    def __init__(self, world: World, faults: Faults, stats: Stats) -> None:
        self.world = world
        self.faults = faults
        self.stats = stats
        self.limiter = RateLimiter(world.config.rate_limit)

    async def handle(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        started = time.perf_counter()
        try:
            return await self._answer(name, await request_params(request))
        finally:  # reading, running and answering: the sandbox's own time
            self.stats.busy[name] += time.perf_counter() - started

    async def _answer(self, name: str, params: dict[str, str]) -> web.Response:
        self.stats.calls[name] += 1
        token = active_faults.set(self.faults)
        try:
            result = await self._call(name, params)
        except VKError as error:
            self.stats.errors[error.code] += 1
            return json_response({"error": _error_body(error, name, params)})
        finally:
            active_faults.reset(token)
        if self.faults.answer_lost(name):  # it ran; the answer never reaches the caller
            return web.Response(status=502, text=LOST_ANSWER, content_type="text/html")
        if isinstance(result, ExecuteResult):
            body = {"response": result.response}
            if result.errors:
                body["execute_errors"] = result.errors
            return json_response(body)
        return json_response({"response": result})

    async def _call(self, name: str, params: dict[str, str]) -> Any:
        method = METHODS.get(name)
        if method is None:
            raise VKError(3)
        token = params.pop("access_token", "")
        if token != self.world.config.token:
            raise VKError(5, "invalid access_token (4)." if token else "no access_token passed.")
        check_version(params.get("v", ""))
        if not self.limiter.allow(token):
            raise VKError(6)
        injected = self.faults.method_error(name)
        if injected is not None:
            raise VKError(injected)
        if self.faults.delay_ms:
            await asyncio.sleep(self.faults.delay_ms / 1000)
        try:
            return method(self.world, method_params(name, params))
        except VKError:
            raise
        except Exception:
            log.exception("method %s failed", name)
            raise VKError(10) from None


def check_version(text: str) -> None:
    """VK refuses a missing, malformed or pre-5.81 `v` with error 8. Every accepted version is
    answered in the 5.199 shapes (the sandbox keeps no older ones)."""
    version = parse_version(text)
    if version is None or version < MIN_VERSION:
        raise VKError(8, DEPRECATED_VERSION)


def _error_body(error: VKError, name: str, params: dict[str, str]) -> dict[str, Any]:
    request_params = [{"key": "method", "value": name}, {"key": "oauth", "value": "1"}]
    request_params += [
        {"key": key, "value": value} for key, value in params.items() if key != "access_token"
    ]
    return {"error_code": error.code, "error_msg": error.message, "request_params": request_params}
