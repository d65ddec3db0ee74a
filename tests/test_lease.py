"""The scheduler lease: one holder at a time, taken over when the holder stops renewing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from storage.lease import DatabaseLease

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)


async def test_one_holder_at_a_time_and_takeover_after_expiry(db: str) -> None:
    first = DatabaseLease("scheduler", timedelta(seconds=90), holder="first")
    second = DatabaseLease("scheduler", timedelta(seconds=90), holder="second")
    assert await first.hold(T0)
    assert not await second.hold(T0 + timedelta(seconds=1))
    assert await first.hold(T0 + timedelta(seconds=60))  # renewed
    assert not await second.hold(T0 + timedelta(seconds=120))
    assert await second.hold(T0 + timedelta(seconds=151))  # the first stopped renewing
    assert not await first.hold(T0 + timedelta(seconds=152))
    await second.release()
    assert await first.hold(T0 + timedelta(seconds=153))
