"""Regions and municipalities (the tenants), as the command line sets them up."""

from __future__ import annotations

from bot.services.core.errors import DomainError
from storage.models import Municipality, Region


async def ensure_region(name: str) -> Region:
    region, _ = await Region.get_or_create(name=name.strip())
    return region


async def find_or_create_municipality(name: str, region_name: str | None) -> Municipality:
    """The municipality called `name`; created in `region_name` when it does not exist yet."""
    name = name.strip()
    if region_name:
        region = await ensure_region(region_name)
        municipality, _ = await Municipality.get_or_create(region=region, name=name)
        return municipality
    found = await Municipality.filter(name=name).prefetch_related("region")
    if len(found) == 1:
        return found[0]
    if not found:
        raise DomainError(f"Муниципалитет «{name}» не найден: укажите --region, чтобы создать его.")
    regions = ", ".join(sorted(m.region.name for m in found))
    raise DomainError(f"Муниципалитетов «{name}» несколько ({regions}): укажите --region.")
