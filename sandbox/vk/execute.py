"""`execute`: a VKScript program making up to 25 API calls in one request, counted once against
the rate limit, as VK does (the language: `vkscript`).

As in VK, a call that fails gives `false` in its place in the script and an entry in
`execute_errors` beside the response; code that does not compile is error 12, a failure while
running (more than 25 calls among them) error 13. Each call runs in its own savepoint of one
transaction for the whole request: a failed call leaves nothing behind, the others are committed
together.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from ..faults import active as active_faults
from ..world import World
from . import vkscript
from .errors import VKError
from .params import Params, method_params

Method = Callable[[World, Params], Any]
NOT_ARGS = {"code", "v", "func_v", "lang", "test_mode"}  # execute's own, not the script's Args


class ExecuteResult(NamedTuple):
    response: Any
    errors: list[dict[str, Any]]


def as_param(value: Any) -> str:
    """A script value as a request parameter: arrays comma-separated, objects as JSON."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return ",".join(as_param(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return vkscript.text_of(value)


def make_execute(methods: Mapping[str, Method]) -> Method:
    def execute(world: World, params: Params) -> ExecuteResult:
        try:
            program = vkscript.compile_script(params.required_text("code"))
        except vkscript.ScriptError as error:
            raise VKError(error.code, error.detail) from None
        version = params.text("v") or ""
        errors: list[dict[str, Any]] = []

        def call(name: str, args: dict[str, Any]) -> Any:
            inner = {key: as_param(value) for key, value in args.items() if value is not None}
            inner.setdefault("v", version)
            try:
                method = methods.get(name)
                if method is None:
                    raise VKError(3)
                faults = active_faults.get()
                injected = None if faults is None else faults.inner_error(name)
                if injected is not None:
                    raise VKError(injected)
                with world.transaction():
                    return method(world, method_params(name, inner))
            except VKError as error:
                errors.append({"method": name, "error_code": error.code,
                               "error_msg": error.message})
                return False

        script_args = {key: value for key, value in params.items() if key not in NOT_ARGS}
        failure = None
        with world.transaction():  # what ran before a runtime error stays done, as in VK
            try:
                response = vkscript.run(program, call, script_args)
            except vkscript.ScriptError as error:
                failure = error
        if failure is not None:
            raise VKError(failure.code, failure.detail)
        return ExecuteResult(response, errors)

    return execute
