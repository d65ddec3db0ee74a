"""Who may be in a dialog: the one guard on dialog states.

`Turn.set_state` stores no state of a dialog for a person whose roles do not allow it (before
anything is sent), and a stored state the person's roles no longer allow (a role was taken
away mid-dialog) is dropped when their next update arrives. Each flow's state module declares
its dialogs in a `DIALOGS` dict next to its state groups; `bot/states/__init__.py` joins them.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.models import Role

MANAGERS = frozenset({Role.REGION_ADMIN, Role.MUNICIPALITY_ADMIN})
STAFF = MANAGERS | {Role.STAFF}


@dataclass(frozen=True)
class Dialog:
    roles: frozenset[Role] | None  # None: anyone
    refusal: str = "У вас нет прав на это действие."


STAFF_ONLY = Dialog(STAFF, "Это могут сотрудники муниципалитета.")
