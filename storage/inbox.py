"""The Callback API inbox: events stored before VK is answered, handled by whichever process
claims them, each exactly once and one person's in arrival order.

* `store` adds an event once (a repeated `event_id` is recognised and not added again).
* `claim` gives a process up to `limit` undone events it may handle now, marking them with its
  name and a lease. An event is taken only when no other process holds a live claim on an event
  of the same person (`ordering_key`), so one person's events are handled by one process at a
  time, in order; the process chains them (`UpdateDispatcher`). A dead process's claims run out
  after their lease and are taken over. Claims are serialised (on PostgreSQL by an advisory
  transaction lock; SQLite has one writer anyway), so two processes never split a person.
* `renew` keeps a process's claims alive while it works; `done` marks one handled;
  `release` hands the unfinished ones back on a clean stop.

Times come from the processes (UTC); their clocks are expected to agree to well within a lease.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from storage.models import InboxEvent

CLAIM_LOCK = 0x1B0C5  # the advisory lock id serialising claims on PostgreSQL


@dataclass(frozen=True)
class Claimed:
    id: int
    event_id: str
    body: dict[str, Any]


def _now() -> datetime:
    return datetime.now(UTC)


async def store(event_id: str, ordering_key: str, body: dict[str, Any]) -> bool:
    """Add the event unless it is there already; True if it was new."""
    try:
        await InboxEvent.create(event_id=event_id, ordering_key=ordering_key[:64], body=body)
    except IntegrityError:
        return False
    return True


_CLAIM = """
UPDATE inbox_event SET claimed_by = {me}, lease_until = {until}
WHERE id IN (
    SELECT c.id FROM inbox_event AS c
    WHERE c.done_at IS NULL
      AND (c.claimed_by IS NULL OR (c.claimed_by <> {me} AND c.lease_until < {now}))
      AND NOT EXISTS (
          SELECT 1 FROM inbox_event AS o
          WHERE o.ordering_key = c.ordering_key AND o.done_at IS NULL
            AND o.claimed_by <> {me} AND o.lease_until >= {now})
    ORDER BY c.id LIMIT {limit})
RETURNING id, event_id, body
"""


async def claim(holder: str, lease: timedelta, limit: int = 100) -> list[Claimed]:
    """Events this process may handle now (oldest first), claimed for `lease`."""
    now = _now()
    async with in_transaction() as connection:
        postgres = connection.capabilities.dialect == "postgres"
        if postgres:
            await connection.execute_query(f"SELECT pg_advisory_xact_lock({CLAIM_LOCK})")
            sql = _CLAIM.format(me="$1", until="$2", now="$3", limit="$4")
            params: list[Any] = [holder, now + lease, now, limit]
        else:  # tortoise keeps SQLite datetimes as text in this form
            sql = _CLAIM.format(me="?1", until="?2", now="?3", limit="?4")
            params = [holder, str(now + lease), str(now), limit]
        rows = await connection.execute_query_dict(sql, params)
    claimed = [
        Claimed(int(row["id"]), str(row["event_id"]), _json(row["body"])) for row in rows
    ]
    return sorted(claimed, key=lambda event: event.id)


def _json(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, (str, bytes)) else dict(value)


async def renew(holder: str, lease: timedelta) -> int:
    return await InboxEvent.filter(claimed_by=holder, done_at__isnull=True).update(
        lease_until=_now() + lease
    )


async def done(event: int) -> None:
    await InboxEvent.filter(id=event).update(done_at=_now())


async def release(holder: str) -> int:
    """Hand this process's unfinished events back: another process takes them at once."""
    return await InboxEvent.filter(claimed_by=holder, done_at__isnull=True).update(
        claimed_by=None, lease_until=None
    )


async def backlog() -> int:
    """Events stored and not yet handled, by every process together."""
    return await InboxEvent.filter(done_at__isnull=True).count()


async def forget_done_before(moment: datetime) -> int:
    """Handled events older than `moment` (kept until then so that a redelivery is recognised)."""
    return await InboxEvent.filter(done_at__lt=moment).delete()
