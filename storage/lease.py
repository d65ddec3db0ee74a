"""A named lease in the database: one process at a time holds it (the scheduler's leader).

Works the same on SQLite and PostgreSQL: taking the lease is one conditional UPDATE (or the
INSERT of a missing row), so two processes can never both succeed.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from storage.models import Lease


class DatabaseLease:
    def __init__(self, name: str, ttl: timedelta, holder: str | None = None) -> None:
        self.name = name
        self.ttl = ttl
        self.holder = holder or uuid.uuid4().hex

    async def hold(self, now: datetime) -> bool:
        """Take or renew the lease; False while another holder's lease is alive."""
        expires = now + self.ttl
        free_or_mine = Q(holder=self.holder) | Q(expires_at__lte=now)
        taken = await Lease.filter(free_or_mine, name=self.name).update(
            holder=self.holder, expires_at=expires
        )
        if taken:
            return True
        try:
            await Lease.create(name=self.name, holder=self.holder, expires_at=expires)
        except IntegrityError:
            return False  # it exists and someone else holds it
        return True

    async def release(self) -> None:
        await Lease.filter(name=self.name, holder=self.holder).delete()
