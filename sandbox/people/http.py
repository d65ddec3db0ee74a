"""JSON in and out for the people API; errors are `{"error": "<Russian text>"}` with a 4xx."""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

from ..ints import is_int64, parse_int64
from ..webutil import json_response

log = logging.getLogger(__name__)


class PeopleError(Exception):
    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


def not_found(message: str, **extra: Any) -> PeopleError:
    return PeopleError(404, message, **extra)


def bad_request(message: str) -> PeopleError:
    return PeopleError(400, message)


def forbidden(message: str) -> PeopleError:
    return PeopleError(403, message)


def conflict(message: str, **extra: Any) -> PeopleError:
    return PeopleError(409, message, **extra)


@web.middleware
async def people_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """Under /sandbox/ every answer is JSON, failures included — never a traceback."""
    if not request.path.startswith("/sandbox/"):
        return await handler(request)
    try:
        return await handler(request)
    except PeopleError as error:
        return json_response({"error": error.message, **error.extra}, status=error.status)
    except web.HTTPNotFound:
        return json_response({"error": "Нет такого адреса в API песочницы"}, status=404)
    except web.HTTPMethodNotAllowed:
        return json_response({"error": "Этот адрес не принимает такой запрос"}, status=405)
    except Exception:
        log.exception("people API %s %s failed", request.method, request.path)
        return json_response({"error": "Внутренняя ошибка песочницы"}, status=500)


class Body:
    """The JSON object of a request, read field by field."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    @classmethod
    async def read(cls, request: web.Request) -> Body:
        raw = await request.text()
        try:
            data = json.loads(raw) if raw.strip() else {}
        except ValueError:
            raise bad_request("Тело запроса — не JSON") from None
        if not isinstance(data, dict):
            raise bad_request("Тело запроса должно быть JSON-объектом")
        return cls(data)

    @property
    def data(self) -> dict[str, Any]:
        return self._data

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self._data.get(name, default)
        if value is not None and not isinstance(value, str):
            raise bad_request(f"Поле «{name}» должно быть строкой")
        return value

    def required_text(self, name: str) -> str:
        value = self.text(name)
        if not value:
            raise bad_request(f"Поле «{name}» обязательно")
        return value

    def integer(self, name: str) -> int | None:
        value = self._data.get(name)
        if value is None:
            return None
        if not is_int64(value):
            raise bad_request(f"Поле «{name}» должно быть целым числом")
        return value

    def required_integer(self, name: str) -> int:
        value = self.integer(name)
        if value is None:
            raise bad_request(f"Поле «{name}» обязательно")
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self._data.get(name, default)
        if not isinstance(value, bool):
            raise bad_request(f"Поле «{name}» должно быть true или false")
        return value


def query_int(request: web.Request, name: str, default: int | None = None) -> int | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    value = parse_int64(raw)
    if value is None:
        raise bad_request(f"Параметр «{name}» должен быть целым числом")
    return value
