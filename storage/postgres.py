"""tortoise-orm's asyncpg engine, with transactions that survive a lost connection.

tortoise 1.1's pooled transaction context (`TransactionContextPooled`) leaves two things behind
when the connection dies under it (the server restarting, failing over, `pg_terminate_backend`):
if `BEGIN` fails, the connection it took from the pool is never given back (after a few such
failures the pool is empty and every query waits for ever); if giving the connection back
fails, the task's current connection is never reset, so every later query of that task runs on
the dead one ("connection has been released back to the pool"). This engine's transactions
always reset the task's connection first and always give the pooled connection back (asyncpg
replaces a broken one). `storage/db.py` configures PostgreSQL with it.
"""

from __future__ import annotations

import logging
from typing import Any

from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.base.client import TransactionContext, TransactionContextPooled
from tortoise.connection import get_connections
from tortoise.exceptions import TransactionManagementError

log = logging.getLogger(__name__)


class _Transaction(TransactionContextPooled):
    async def __aenter__(self) -> TransactionWrapper:
        await self.ensure_connection()
        pool = self.client._parent._pool
        self.client._connection = await pool.acquire()
        self.token = get_connections().set(self.connection_name, self.client)
        try:
            await self.client.begin()
        except BaseException:
            get_connections().reset(self.token)
            await self._give_back()
            raise
        return self.client  # type: ignore[return-value]

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        try:
            if not self.client._finalized:
                if exc_type is None:
                    await self.client.commit()
                elif exc_type is not TransactionManagementError:  # that one cannot roll back
                    await self.client.rollback()
        finally:
            get_connections().reset(self.token)
            await self._give_back()

    async def _give_back(self) -> None:
        pool = self.client._parent._pool
        if pool is None:
            return
        try:
            await pool.release(self.client._connection)
        except Exception as exc:  # noqa: BLE001  # asyncpg has terminated it; the pool opens a new one
            log.info("a broken database connection was dropped: %s", exc)


class ResilientAsyncpgClient(AsyncpgDBClient):
    def _in_transaction(self) -> TransactionContext:
        return _Transaction(TransactionWrapper(self), self._pool_init_lock)


client_class = ResilientAsyncpgClient
