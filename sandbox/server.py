"""The sandbox server: VK API, Bots Long Poll, uploads and files, the people API and the web page."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from aiohttp import web

from .config import SandboxConfig
from .faults import Faults
from .longpoll import LongPoll
from .people.control import ControlRoutes
from .people.http import people_errors
from .people.routes import PeopleRoutes
from .stats import Stats
from .vk.api import VkApi
from .vk.uploads import MAX_UPLOAD_BYTES, UploadRoutes
from .world import World

SHUTDOWN_TIMEOUT = 2.0
WEB_ROOT = (Path(__file__).parent / "web").resolve()
NO_CACHE = {"Cache-Control": "no-cache"}  # a changed page is picked up on reload
# The page runs only its own scripts and styles and talks only to its own origin; uploaded files
# (same origin) are shown in <img> and the PDF preview's <iframe> only.
PAGE_POLICY = "; ".join((
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
))
PAGE_HEADERS = {
    **NO_CACHE,
    "Content-Security-Policy": PAGE_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class Sandbox:
    """A local VK-compatible server. The world opens at once; `start()` binds the port."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        if not _is_loopback(self.config.host):
            raise ValueError(f"the sandbox listens on loopback only, not {self.config.host!r}")
        self.faults = Faults(self.config)
        self.stats = Stats()
        self._world = World(self.config)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self.app = self._build_app()

    def _build_app(self) -> web.Application:
        app = web.Application(middlewares=[people_errors], client_max_size=MAX_UPLOAD_BYTES)
        vk_api = VkApi(self._world, self.faults, self.stats)
        app.router.add_route("*", "/method/{name}", vk_api.handle)
        app.router.add_route("*", "/longpoll/{group_id}", LongPoll(self._world, self.faults).handle)
        UploadRoutes(self._world).register(app.router)
        PeopleRoutes(self._world).register(app.router)
        ControlRoutes(self._world, self.faults, self.stats).register(app.router)
        app.router.add_get("/", _web_page)
        app.router.add_get("/web/{name:.+}", _web_file)
        return app

    @property
    def world(self) -> World:
        return self._world

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("the sandbox is not started")
        return f"http://{self.config.host}:{self._port}"

    @property
    def api_url(self) -> str:
        return self.base_url + "/method/"

    async def start(self) -> None:
        runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
        await runner.setup()
        site = web.TCPSite(runner, self.config.host, self.config.port)
        await site.start()
        self._runner = runner
        self._port = runner.addresses[0][1]
        self._world.base_url = self.base_url

    async def stop(self) -> None:
        """Answer the waiting long polls, stop serving and close the world's database."""
        self._world.signal.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._world.close()

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()


async def _web_page(request: web.Request) -> web.FileResponse:
    """`GET /`: the messenger page (sandbox/web/), which acts only through the people API."""
    return web.FileResponse(WEB_ROOT / "index.html", headers=PAGE_HEADERS)


async def _web_file(request: web.Request) -> web.FileResponse:
    """`GET /web/<name>`: the page's scripts and styles, nothing outside sandbox/web/."""
    path = (WEB_ROOT / request.match_info["name"]).resolve()
    if not path.is_relative_to(WEB_ROOT) or not path.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={**NO_CACHE, "X-Content-Type-Options": "nosniff"})


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
