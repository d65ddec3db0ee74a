"""The coordination chat is for staff and chat admins: whoever joins it with a forwarded link
is removed (and the link reset); whoever loses the role that gave it leaves it."""

from __future__ import annotations

from tests.e2e.conftest import bind_staff
from tests.e2e.steps import create_chat, sandbox_chat
from tests.harness import Person, Stack

COORDINATION = "Координация: Демо-город"


async def members(stack: Stack) -> set[int]:
    return {m["id"] for m in (await sandbox_chat(stack, COORDINATION))["members"]}


async def test_an_outsider_with_the_link_is_removed_told_why_and_the_link_reset(
    stack: Stack, admin: Person, staff: Person
) -> None:
    old_link = (await sandbox_chat(stack, COORDINATION))["invite_link"]
    await staff.open(old_link)  # staff belong there: they stay
    zahar = await stack.person("Захар Иванов", "+79000000066")
    await zahar.say("Начать")  # he wrote to the community once: it may write to him
    await zahar.open(old_link)  # a chat admin forwarded the link
    assert zahar.id not in await members(stack)
    assert staff.id in await members(stack)
    why = await zahar.last()
    assert COORDINATION in why.text and "удалил" in why.text
    new_link = (await sandbox_chat(stack, COORDINATION))["invite_link"]
    assert new_link != old_link
    assert new_link in (await admin.last()).text  # the admin had not joined: the new link
    assert new_link not in (await staff.last()).text  # staff already in need nothing
    refused = await stack.http.post(
        f"/sandbox/people/{zahar.id}/open", json={"url": old_link}
    )
    assert refused.status == 404  # the link he had is dead


async def test_a_removed_staff_member_leaves_the_coordination_chat(
    stack: Stack, admin: Person, staff: Person
) -> None:
    link = (await sandbox_chat(stack, COORDINATION))["invite_link"]
    await staff.open(link)
    await admin.open(link)
    assert staff.id in await members(stack)
    await admin.press("Сотрудники")
    await admin.press("1")
    await admin.press("Удалить")
    assert staff.id not in await members(stack)
    assert admin.id in await members(stack)
    assert "Из чата координации он тоже удалён" in (await admin.last()).text


async def test_staff_removed_in_one_municipality_stay_if_another_role_keeps_them(
    stack: Stack, admin: Person
) -> None:
    boris = await stack.person("Борис Петров", "+79000000002")
    await bind_staff(stack, admin, boris)
    link = (await sandbox_chat(stack, COORDINATION))["invite_link"]
    await boris.open(link)
    # Boris is also a chat admin in Демо-город: removing his staff role keeps him there.
    await create_chat(boris, "Садовая 1", boris.phone, kind="Дом")
    await boris.press("Принять")
    await admin.press("Сотрудники")
    await admin.press("1")
    await admin.press("Удалить")
    assert boris.id in await members(stack)
    assert "Из чата координации" not in (await admin.last()).text
