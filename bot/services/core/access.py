"""Who is acting and what they may do: loaded fresh for every update, checked in services."""

from __future__ import annotations

from dataclasses import dataclass, field

from tortoise.expressions import Q

from bot.services.core.errors import AccessDenied
from storage.models import Municipality, Person, Role, RoleGrant

ROLE_TITLES: dict[Role, str] = {
    Role.REGION_ADMIN: "администратор региона",
    Role.MUNICIPALITY_ADMIN: "администратор муниципалитета",
    Role.STAFF: "сотрудник муниципалитета",
    Role.CHAT_ADMIN: "администратор чата",
    Role.REPRESENTATIVE: "официальный представитель",
}


@dataclass(frozen=True)
class Actor:
    """A VK user and, if bound, their person record and role grants."""

    vk_id: int
    person: Person | None = None
    grants: tuple[RoleGrant, ...] = field(default=())

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(grant.role for grant in self.grants)

    def has(self, *roles: Role) -> bool:
        return any(grant.role in roles for grant in self.grants)

    def grants_of(self, *roles: Role) -> list[RoleGrant]:
        return [grant for grant in self.grants if grant.role in roles]

    def require(self, *roles: Role) -> None:
        if not self.has(*roles):
            raise AccessDenied()


MANAGERS = (Role.REGION_ADMIN, Role.MUNICIPALITY_ADMIN)
STAFF_ROLES = (Role.REGION_ADMIN, Role.MUNICIPALITY_ADMIN, Role.STAFF)


async def municipality_staff(municipality_id: int) -> list[Person]:
    """The municipality's admins and staff who use VK (each once): whom to tell of trouble."""
    grants = await RoleGrant.filter(
        municipality_id=municipality_id,
        role__in=(Role.MUNICIPALITY_ADMIN, Role.STAFF),
        accepted=True,
        person__vk_id__not_isnull=True,
    ).prefetch_related("person")
    return list({g.person.id: g.person for g in grants}.values())


async def municipalities_of(actor: Actor, roles: tuple[Role, ...] = STAFF_ROLES) -> list[Municipality]:
    """Municipalities the actor works in through `roles` (a region admin: all of the region's)."""
    ids = {g.municipality_id for g in actor.grants_of(*roles) if g.role is not Role.REGION_ADMIN}
    region_ids = {g.region_id for g in actor.grants_of(*roles) if g.role is Role.REGION_ADMIN}
    if not ids and not region_ids:
        return []
    return await Municipality.filter(Q(id__in=ids) | Q(region_id__in=region_ids)).order_by("name")


async def require_municipality(
    actor: Actor, municipality_id: int | None, roles: tuple[Role, ...] = STAFF_ROLES
) -> Municipality:
    """The municipality, if the actor works in it through `roles`; AccessDenied otherwise."""
    for municipality in await municipalities_of(actor, roles):
        if municipality.id == municipality_id:
            return municipality
    raise AccessDenied("Этот муниципалитет вам недоступен.")


async def working_municipality(actor: Actor) -> Municipality:
    """The municipality the actor's staff menus work in (their choice, else the first)."""
    available = await municipalities_of(actor)
    if not available:
        raise AccessDenied("Это могут сотрудники муниципалитета.")
    chosen = actor.person.current_municipality_id if actor.person else None
    return next((m for m in available if m.id == chosen), available[0])


async def choose_municipality(actor: Actor, municipality_id: int) -> Municipality:
    municipality = await require_municipality(actor, municipality_id)
    assert actor.person is not None
    actor.person.current_municipality_id = municipality.id
    await actor.person.save(update_fields=["current_municipality_id"])
    return municipality


async def load_actor(vk_id: int) -> Actor:
    person = await Person.get_or_none(vk_id=vk_id)
    if person is None:
        return Actor(vk_id=vk_id)
    grants = await RoleGrant.filter(person=person, accepted=True).prefetch_related(
        "region", "municipality", "municipality__region", "chat"
    )  # an offered role works once accepted
    return Actor(vk_id=vk_id, person=person, grants=tuple(grants))


def describe_grant(grant: RoleGrant) -> str:
    """«сотрудник муниципалитета — Демо-город» for lists of a person's roles."""
    title = ROLE_TITLES[grant.role]
    if grant.role is Role.REGION_ADMIN and grant.region is not None:
        return f"{title} — {grant.region.name}"
    if grant.role in (Role.MUNICIPALITY_ADMIN, Role.STAFF) and grant.municipality is not None:
        return f"{title} — {grant.municipality.name}"
    if grant.chat is not None:
        return f"{title} — чат «{grant.chat.title}»"
    return title
