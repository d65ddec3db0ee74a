"""`execute`: up to 25 API calls in one request, counted once against the rate limit, as VK does.

The sandbox understands the part of VKScript a bot uses for batching: `return API.method({…});`
or `return [API.method({…}), API.method({…}), …];` with JSON objects as arguments. Anything else
is VK's error 12 (Unable to compile code). As on VK, a call that fails inside gives `false` in
its place and an entry in `execute_errors`; more than 25 calls is error 13.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from ..world import World
from .errors import VKError
from .params import Params

MAX_CALLS = 25
_CALL = re.compile(r"API\.([A-Za-z]+\.[A-Za-z]+)\s*\(")
_RETURN = re.compile(r"\s*return\s+")
_DECODER = json.JSONDecoder()

Method = Callable[[World, Params], Any]


class ExecuteResult(NamedTuple):
    response: Any
    errors: list[dict[str, Any]]


class _Call(NamedTuple):
    method: str
    args: dict[str, Any]


def _compile_error(detail: str) -> VKError:
    return VKError(12, detail)


def _skip_spaces(code: str, pos: int) -> int:
    while pos < len(code) and code[pos].isspace():
        pos += 1
    return pos


def _expect(code: str, pos: int, char: str) -> int:
    pos = _skip_spaces(code, pos)
    if not code.startswith(char, pos):
        raise _compile_error(f"expected '{char}' at position {pos}")
    return pos + 1


def _call(code: str, pos: int) -> tuple[_Call, int]:
    match = _CALL.match(code, _skip_spaces(code, pos))
    if match is None:
        raise _compile_error(f"expected API.<section>.<method>( at position {pos}")
    pos = _skip_spaces(code, match.end())
    args: Any = {}
    if not code.startswith(")", pos):
        try:
            args, pos = _DECODER.raw_decode(code, pos)
        except json.JSONDecodeError as exc:
            raise _compile_error(f"arguments of {match[1]}: {exc.msg}") from None
        if not isinstance(args, dict):
            raise _compile_error(f"arguments of {match[1]} must be an object")
    return _Call(match[1], args), _expect(code, pos, ")")


def parse(code: str) -> tuple[list[_Call], bool]:
    """The calls in `code` and whether it returns a list of them (not a single call)."""
    start = _RETURN.match(code)
    if start is None:
        raise _compile_error("the code must return API calls")
    pos = _skip_spaces(code, start.end())
    calls: list[_Call] = []
    as_list = code.startswith("[", pos)
    if as_list:
        pos += 1
        while True:
            call, pos = _call(code, pos)
            calls.append(call)
            pos = _skip_spaces(code, pos)
            if code.startswith(",", pos):
                pos += 1
                continue
            pos = _expect(code, pos, "]")
            break
    else:
        call, pos = _call(code, pos)
        calls.append(call)
    pos = _skip_spaces(code, pos)
    if code.startswith(";", pos):
        pos = _skip_spaces(code, pos + 1)
    if pos != len(code):
        raise _compile_error(f"unexpected text at position {pos}")
    return calls, as_list


def _as_param(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return ",".join(_as_param(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def make_execute(methods: Mapping[str, Method]) -> Method:
    def execute(world: World, params: Params) -> ExecuteResult:
        calls, as_list = parse(params.required_text("code"))
        if len(calls) > MAX_CALLS:
            raise VKError(13, "Too many API calls")
        results: list[Any] = []
        errors: list[dict[str, Any]] = []
        for call in calls:
            method = methods.get(call.method)
            try:
                if method is None:
                    raise VKError(3)
                inner = {key: _as_param(value) for key, value in call.args.items()}
                inner.setdefault("v", params.text("v") or "")
                results.append(method(world, Params(inner)))
            except VKError as error:
                results.append(False)
                errors.append(
                    {"method": call.method, "error_code": error.code, "error_msg": error.message}
                )
        return ExecuteResult(results if as_list else results[0], errors)

    return execute
