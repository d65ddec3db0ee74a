"""Service tests: services called directly, with tests/fakes.py doubles and a real database
(`db` runs each test on SQLite and on PostgreSQL), the clock standing still at NOON."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import MovableClock
from bot.services.staff.invitations import InvitationService
from tests.fakes import FakeMessenger, RecordingSms
from tests.services.world import NOON


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(NOON)


@pytest.fixture
def messenger() -> FakeMessenger:
    return FakeMessenger()


@pytest.fixture
def sms() -> RecordingSms:
    return RecordingSms()


@pytest.fixture
def invitations(
    clock: MovableClock, sms: RecordingSms, messenger: FakeMessenger
) -> InvitationService:
    async def deep_link(ref: str) -> str:
        return f"https://vk.me/domovye_chaty?ref={ref}"

    return InvitationService(
        sms=sms, clock=clock, deep_link=deep_link, ttl=timedelta(hours=72), messenger=messenger,
        offer_keyboard=lambda invitation_id: f"keyboard:{invitation_id}",
    )
