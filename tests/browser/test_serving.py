"""The sandbox serves its messenger page (no browser needed for these)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from yarl import URL

from sandbox import Sandbox, SandboxConfig
from sandbox.server import WEB_ROOT

WEB_FILES = sorted(p for p in WEB_ROOT.iterdir() if p.is_file())


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    async with Sandbox(SandboxConfig(db_path=tmp_path / "world.sqlite3", port=0)) as running:
        yield running


async def test_the_page_is_at_the_root_and_its_files_under_web(sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(sandbox.base_url + "/") as response:
            assert response.status == 200
            assert response.content_type == "text/html"
            page = await response.text()
        assert '<html lang="ru">' in page
        assert '<script type="module" src="/web/app.js">' in page
        for path in WEB_FILES:
            async with http.get(f"{sandbox.base_url}/web/{path.name}") as response:
                assert response.status == 200, path.name
                assert response.headers["Cache-Control"] == "no-cache"
                if path.suffix == ".js":  # modules need a JavaScript type
                    assert "javascript" in response.content_type
        async with http.get(sandbox.base_url + "/sandbox/community") as response:
            assert (await response.json())["name"] == "Домовые чаты"  # the API is untouched


@pytest.mark.parametrize(
    "path", ["/web/%2e%2e/server.py", "/web/..%2fserver.py", "/web/nothing.js", "/web/"]
)
async def test_nothing_outside_the_page_folder_is_served(sandbox: Sandbox, path: str) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(URL(sandbox.base_url + path, encoded=True)) as response:
            assert response.status == 404
            assert "Sandbox" not in await response.text()


def test_the_page_loads_nothing_from_the_internet() -> None:
    remote = re.compile(r"""(src|href)\s*=\s*["']?(https?:)?//|@import|url\(\s*["']?(https?:)?//|from\s+["']https?:""")
    for path in WEB_FILES:
        assert not remote.search(path.read_text()), f"{path.name} loads something from outside"


def test_no_text_is_inserted_as_markup() -> None:
    """People's and the bot's texts go into the page as text nodes only."""
    markup = re.compile(r"\.(innerHTML|outerHTML)\s*[+]?=|insertAdjacentHTML\(|document\.write|createContextualFragment")
    for path in WEB_FILES:
        if path.suffix == ".js":
            assert not markup.search(path.read_text()), f"{path.name} inserts markup"


async def test_the_page_runs_only_its_own_scripts(sandbox: Sandbox) -> None:
    """A Content-Security-Policy: the page's own scripts, styles and API only, so an upload on
    the same origin (or anything injected) cannot run as the page."""
    async with aiohttp.ClientSession() as http:
        async with http.get(sandbox.base_url + "/") as response:
            policy = response.headers["Content-Security-Policy"]
            assert response.headers["X-Content-Type-Options"] == "nosniff"
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["connect-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


def test_the_page_sets_no_inline_styles_or_handlers() -> None:
    """The policy allows no inline styles or handlers: the page uses none."""
    inline = re.compile(r"""\sstyle=|\son[a-z]+=|setAttribute\(\s*["'](style|on[a-z]+)["']""")
    for path in WEB_FILES:
        if path.suffix in (".js", ".html"):
            assert not inline.search(path.read_text()), f"{path.name} uses inline styles"
