"""Chat services without VK: the fake messenger (tests/fakes.py) refuses, fails and recovers on
command."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from bot.clock import SystemClock
from bot.services.core.access import load_actor
from bot.services.chats.model import CreationReport, NewChat
from bot.services.chats.service import ChatService
from bot.services.core.errors import DomainError
from bot.services.importing.runs import ImportService, problems_report
from bot.services.staff.invitations import InvitationService
from bot.services.core.ports import MessengerUnavailable
from bot.services.core.tenants import find_or_create_municipality
from storage.models import Chat, ChatKind, ChatStatus, ImportBatch, ImportStatus, Person, Role, RoleGrant
from tests.fakes import FakeMessenger, RecordingSms
from tests.test_chat_import import HEADER, xlsx_bytes


@pytest.fixture
async def world(db: str):  # type: ignore[no-untyped-def]
    messenger, sms = FakeMessenger(), RecordingSms()

    async def deep_link(ref: str) -> str:
        return f"https://vk.me/domovye_chaty?ref={ref}"

    clock = SystemClock()
    invitations = InvitationService(
        sms=sms, clock=clock, deep_link=deep_link, ttl=timedelta(hours=1), messenger=messenger
    )
    chats = ChatService(messenger=messenger, invitations=invitations, clock=clock)
    municipality = await find_or_create_municipality("Демо-город", "Демо-регион")
    staff = await Person.create(vk_id=1000002, phone="+79000000002")
    await RoleGrant.create(person=staff, role=Role.STAFF, municipality=municipality)
    return messenger, sms, chats, ImportService(chats), municipality, await load_actor(1000002)


ROWS = [
    ["Плесецкая 16", "+79000000005", "Дом", "", "", "", ""],
    ["Невский 124", "+79000000006", "Дом", "", "", "", ""],
    ["Садовая 1", "+79000000005", "Дом", "", "", "", ""],
]


async def test_a_refused_chat_does_not_stop_the_file_and_lands_in_the_report(world) -> None:  # type: ignore[no-untyped-def]
    messenger, sms, chats, imports, municipality, actor = world
    messenger.refuse.add("Невский 124")
    preview = await imports.preview(actor, municipality.id, "чаты.xlsx", xlsx_bytes([HEADER, *ROWS]))
    started = await imports.start(actor, preview.batch_id)
    seen: list[tuple[int, int]] = []

    async def progress(done: int, total: int) -> None:
        seen.append((done, total))

    report = await imports.run(started, progress)
    assert messenger.created == ["Плесецкая 16", "Садовая 1"]
    assert [c.title for c in report.failed] == ["Невский 124"]
    assert seen[-1] == (3, 3)
    failed = await Chat.get(title="Невский 124")
    assert failed.status is ChatStatus.FAILED and "Access denied" in (failed.status_reason or "")
    assert len(sms.sent) == 1  # one SMS for both chats of +79000000005, none for the refused one
    report_xlsx = problems_report(started.plan, report.failed)
    assert report_xlsx is not None
    with pytest.raises(DomainError, match="уже создаются или созданы"):
        await imports.start(actor, preview.batch_id)  # pressing «Создать» twice does nothing
    assert await Chat.filter(title="Плесецкая 16").count() == 1


async def test_an_outage_interrupts_and_resume_finishes_without_duplicates(world) -> None:  # type: ignore[no-untyped-def]
    messenger, sms, chats, imports, municipality, actor = world
    messenger.down_after = 1
    preview = await imports.preview(actor, municipality.id, "чаты.xlsx", xlsx_bytes([HEADER, *ROWS]))
    started = await imports.start(actor, preview.batch_id)

    async def progress(done: int, total: int) -> None:
        pass

    with pytest.raises(MessengerUnavailable):
        await imports.run(started, progress)
    assert (await ImportBatch.get(id=preview.batch_id)).status is ImportStatus.INTERRUPTED
    assert await Chat.filter(status=ChatStatus.PENDING).count() == 2

    messenger.down_after = None
    report = await chats.resume_pending()
    assert sorted(messenger.created) == ["Невский 124", "Плесецкая 16", "Садовая 1"]
    assert len(report.created) == 2
    assert {phone for phone, _ in sms.sent} == {"+79000000005", "+79000000006"}
    again = await chats.resume_pending()
    assert again.created == [] and again.told == {}
    assert len(messenger.created) == 3


async def test_a_stored_chat_is_created_after_a_crash(world) -> None:  # type: ignore[no-untyped-def]
    messenger, sms, chats, imports, municipality, actor = world
    await chats.store(municipality, NewChat("Лиговский 10", ChatKind.HOUSE, "+79000000007"), None)
    report = await chats.resume_pending()
    assert messenger.created == ["Лиговский 10"]
    chat = await Chat.get(title="Лиговский 10")
    assert chat.status is ChatStatus.ACTIVE and chat.invite_link
    assert report.told and sms.sent[0][0] == "+79000000007"
    assert isinstance(report, CreationReport)


async def test_chats_sort_as_text_natural_order_holds_over_3000_chats_and_every_page(world) -> None:  # type: ignore[no-untyped-def]
    """The order is the database's (a key column), so page 17 of thousands is right too."""
    *_, chats, _, municipality, actor = world
    numbers = list(range(1, 3001))
    random.Random(5).shuffle(numbers)
    await Chat.bulk_create(
        [Chat(municipality=municipality, title=f"ул. Строителей, {n}", kind=ChatKind.HOUSE)
         for n in numbers]
        + [Chat(municipality=municipality, title=t, kind=ChatKind.HOUSE) for t in ("Садовая 2", "Садовая 10")],
        batch_size=500,
    )
    seen: list[str] = []
    number, pages = 1, 1
    while number <= pages:
        page = await chats.page(actor, municipality.id, number=number, size=100)
        seen += [card.chat.title for card in page.items]
        number, pages = number + 1, page.pages
    assert len(seen) == 3002
    assert seen == ["Садовая 2", "Садовая 10", *[f"ул. Строителей, {n}" for n in range(1, 3001)]]
    found = await chats.page(actor, municipality.id, number=1, size=5, search="строителей 1000")
    assert [card.chat.title for card in found.items] == ["ул. Строителей, 1000"]
