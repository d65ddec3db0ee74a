"""Throwaway PostgreSQL databases for tests and benchmarks: made on a server, dropped after."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit, urlunsplit

import asyncpg


async def _admin(server_url: str) -> asyncpg.Connection:
    return await asyncpg.connect(server_url.replace("postgres://", "postgresql://", 1))


async def create_database(server_url: str, prefix: str) -> str:
    """A new empty database on the server of `server_url`; its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:16]}"
    admin = await _admin(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


async def drop_database(server_url: str, url: str) -> None:
    """Drop the database at `url` (connections to it are closed first)."""
    name = urlsplit(url).path.lstrip("/")
    admin = await _admin(server_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
