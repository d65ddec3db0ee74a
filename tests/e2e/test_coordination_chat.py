"""The coordination chat: one per municipality, its link given to staff and chat admins."""

from __future__ import annotations

from tests.e2e.steps import bind_by_sms, create_chat
from tests.harness import Person, Stack


async def test_staff_and_chat_admins_get_the_one_coordination_chat(stack: Stack, staff: Person) -> None:
    boris = staff
    welcome = await boris.last()
    assert "Чат сотрудников и администраторов чатов" in welcome.text
    (coordination,) = [c for c in await stack.api("GET", "/sandbox/chats") if c["title"] == "Координация: Демо-город"]
    assert coordination["invite_link"] in welcome.text

    await create_chat(boris, "Садовая 1", "+79000000005", kind="Дом")
    gleb = await stack.person("Глеб Орлов", "+79000000005")
    gleb_welcome, _first_step = await bind_by_sms(gleb)
    assert coordination["invite_link"] in gleb_welcome.text
    titles = [c["title"] for c in await stack.api("GET", "/sandbox/chats")]
    assert titles.count("Координация: Демо-город") == 1
    joined = await gleb.open(coordination["invite_link"])
    assert joined["title"] == "Координация: Демо-город"
