"""Small aiohttp helpers shared by the VK endpoints and the people API."""

from __future__ import annotations

import ipaddress
import json
from functools import partial

from aiohttp import web

json_response = partial(web.json_response, dumps=partial(json.dumps, ensure_ascii=False))


async def request_params(request: web.Request) -> dict[str, str]:
    """Query string and form body merged, as VK reads parameters (the body wins)."""
    params = dict(request.query)
    if request.method == "POST":
        form = await request.post()
        params.update({key: value for key, value in form.items() if isinstance(value, str)})
    return params


def is_loopback(host: str) -> bool:
    """`localhost` or a loopback address (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
