"""Event ids claimed in one statement per batch; a redelivery is recognised across batches."""

from __future__ import annotations

from storage.runtime_state import claim_events, forget_events_before
from storage.models import ProcessedEvent
from datetime import datetime, timedelta, timezone


async def test_claims_new_ids_once(db: str) -> None:
    assert await claim_events(["a", "b", "a"]) == {"a", "b"}
    assert await claim_events(["b", "c"]) == {"c"}
    assert await claim_events([]) == set()
    assert await ProcessedEvent.all().count() == 3


async def test_old_ids_are_forgotten(db: str) -> None:
    await claim_events(["old"])
    assert await forget_events_before(datetime.now(timezone.utc) + timedelta(seconds=1)) == 1
    assert await claim_events(["old"]) == {"old"}
