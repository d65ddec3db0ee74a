"""Runtime bookkeeping in the database: handled event ids and small key/value items."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from storage import inbox
from storage.models import KeyValue, ProcessedEvent


def claim_moment() -> datetime:
    """The mark of one claim: now, with random microseconds, so no other claim shares it."""
    return datetime.now(UTC).replace(microsecond=secrets.randbelow(1_000_000))


async def claim_events(event_ids: Sequence[str], moment: datetime | None = None) -> set[str]:
    """The ids seen for the first time (a redelivered one is left out) — one statement for a
    whole long-poll batch, on SQLite and PostgreSQL.

    Each row is marked with the claim's `moment` (`claim_moment()`). Repeating a claim with the
    same moment returns the ids it took the first time as well: a claim that was committed
    but whose answer was lost with the connection is not mistaken for someone else's."""
    unique = list(dict.fromkeys(event_ids))
    if not unique:
        return set()
    moment = moment or claim_moment()
    connection = ProcessedEvent._meta.db
    postgres = connection.capabilities.dialect == "postgres"
    params: list[object] = []
    rows = []
    for index, event_id in enumerate(unique):
        params += [event_id, moment if postgres else str(moment)]  # as tortoise stores it in SQLite
        rows.append(f"(${2 * index + 1}, ${2 * index + 2})" if postgres else "(?, ?)")
    sql = (
        f"INSERT INTO processed_event (event_id, received_at) VALUES {', '.join(rows)} "
        "ON CONFLICT (event_id) DO UPDATE SET received_at = excluded.received_at "
        "WHERE processed_event.received_at = excluded.received_at RETURNING event_id"
    )
    return {row["event_id"] for row in await connection.execute_query_dict(sql, params)}


async def forget_events_before(moment: datetime) -> int:
    return await ProcessedEvent.filter(received_at__lt=moment).delete()


async def forget_old_events(days: int = 2) -> int:
    """Handled event ids (long poll) and handled inbox events (Callback API) older than `days`."""
    moment = datetime.now(UTC) - timedelta(days=days)
    return await forget_events_before(moment) + await inbox.forget_done_before(moment)


async def get_value(key: str) -> str | None:
    row = await KeyValue.get_or_none(key=key)
    return None if row is None else row.value


async def set_value(key: str, value: str) -> None:
    await KeyValue.update_or_create(defaults={"value": value}, key=key)
