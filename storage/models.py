"""The domain, as tortoise-orm models (SQLite by default, PostgreSQL in production).

Tenancy: a Municipality is the tenant. Every chat belongs to one municipality; role grants are
scoped to a region, a municipality or a chat. Services, not handlers, enforce that nobody reaches
another tenant's rows.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from storage import addresses


class Role(StrEnum):
    REGION_ADMIN = "region_admin"
    MUNICIPALITY_ADMIN = "municipality_admin"
    STAFF = "staff"
    CHAT_ADMIN = "chat_admin"
    REPRESENTATIVE = "representative"


class RepresentativeKind(StrEnum):
    UK = "uk"  # managing company
    ADMINISTRATION = "administration"
    RSO = "rso"  # resource (utility) organisation


class ChatKind(StrEnum):
    HOUSE = "house"
    ENTRANCE = "entrance"
    COORDINATION = "coordination"
    TEMPORARY = "temporary"


HOUSE_KINDS = (ChatKind.HOUSE, ChatKind.ENTRANCE)  # residents' chats (not coordination, not meetings)


class ChatStatus(StrEnum):
    PENDING = "pending"  # stored, not yet created in VK
    ACTIVE = "active"
    FAILED = "failed"  # VK refused to create it
    BOT_REMOVED = "bot_removed"  # the community lost the chat (kicked / rights taken)
    DISABLED = "disabled"  # deleted or disabled in VK
    CLOSED = "closed"  # a temporary chat after its meeting


class Region(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "region"


class Municipality(Model):
    id = fields.IntField(primary_key=True)
    region: fields.ForeignKeyRelation[Region] = fields.ForeignKeyField(
        "models.Region", related_name="municipalities", on_delete=fields.RESTRICT
    )
    region_id: int
    name = fields.CharField(max_length=200)
    timezone = fields.CharField(max_length=64, null=True)  # None: the bot's default
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "municipality"
        unique_together = (("region", "name"),)


class Person(Model):
    """A human: known by phone (E.164) before they ever talk to the bot, by VK id after binding."""

    id = fields.IntField(primary_key=True)
    vk_id = fields.BigIntField(null=True, unique=True)
    phone = fields.CharField(max_length=20, null=True, unique=True)
    name = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    bound_at = fields.DatetimeField(null=True)
    # For people who manage several municipalities: the one their menus work in.
    current_municipality: fields.ForeignKeyNullableRelation[Municipality] = fields.ForeignKeyField(
        "models.Municipality", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    current_municipality_id: int | None

    class Meta:
        table = "person"


class Chat(Model):
    id = fields.IntField(primary_key=True)
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "models.Municipality", related_name="chats", on_delete=fields.RESTRICT
    )
    municipality_id: int
    title = fields.CharField(max_length=200)
    title_key = fields.CharField(max_length=200, default="")  # normalised: duplicates
    search_key = fields.CharField(max_length=410, default="", db_default="")  # addresses.search_key(title)
    sort_key = fields.BinaryField(null=True)  # addresses.sort_key(title): natural order
    kind = fields.CharEnumField(ChatKind, max_length=20)
    description = fields.TextField(null=True)
    flats = fields.IntField(null=True)
    vk_chat_id = fields.BigIntField(null=True)  # the community's own chat id
    # Set before the messenger is asked to create the chat: the highest chat id known then.
    # A chat whose answer was lost is found by its title among those numbered above it.
    create_after = fields.BigIntField(null=True)
    peer_id = fields.BigIntField(null=True, unique=True)  # 2000000000 + vk_chat_id
    invite_link = fields.CharField(max_length=255, null=True)
    status = fields.CharEnumField(ChatStatus, max_length=20, default=ChatStatus.PENDING)
    status_reason = fields.TextField(null=True)  # why it failed / was lost, for staff
    members_count = fields.IntField(default=0)  # residents in the chat (the community not counted)
    uptake_reported_on = fields.DateField(null=True)  # the admin's daily summary, first week
    photo = fields.BinaryField(null=True)  # set at creation until the VK chat has it
    import_batch: fields.ForeignKeyNullableRelation[ImportBatch] = fields.ForeignKeyField(
        "models.ImportBatch", related_name="chats", null=True, on_delete=fields.SET_NULL
    )
    import_batch_id: int | None
    created_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "chat"
        indexes = (
            ("municipality_id", "title_key"),
            ("municipality_id", "status"),
            ("municipality_id", "sort_key"),
        )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._derive_keys()  # bulk_create builds rows this way too

    async def save(self, *args: Any, **kwargs: Any) -> None:
        self._derive_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "title" in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_key", "sort_key"]
        await super().save(*args, **kwargs)

    def _derive_keys(self) -> None:
        """The search and sort keys always follow the title (when it is loaded)."""
        title = self.__dict__.get("title")
        if isinstance(title, str):
            self.search_key = addresses.search_key(title)
            self.sort_key = addresses.sort_key(title)


CHAT_ORDER = ("sort_key", "id")  # natural order of titles: «Строителей 2» before «Строителей 10»


class ImportStatus(StrEnum):
    PREVIEWED = "previewed"
    RUNNING = "running"
    INTERRUPTED = "interrupted"  # stopped by a messenger outage or a restart: finished later
    DONE = "done"
    CANCELLED = "cancelled"


class ImportBatch(Model):
    """A spreadsheet of chats sent by staff: kept from the preview until the chats exist."""

    id = fields.IntField(primary_key=True)
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "models.Municipality", related_name=False, on_delete=fields.CASCADE
    )
    municipality_id: int
    created_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    filename = fields.CharField(max_length=255)
    content = fields.BinaryField()
    status = fields.CharEnumField(ImportStatus, max_length=20, default=ImportStatus.PREVIEWED)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "import_batch"


class RoleGrant(Model):
    """One role of one person in one scope.

    Scope by role: region admin -> region; municipality admin and staff -> municipality;
    chat admin and representative -> chat (and its municipality, denormalised for tenant checks).
    A grant is effective once the person is bound to a VK id and has `accepted` it: an invitation
    is an offer (the person accepts; for staff roles the inviter also confirms the VK account).
    """

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="grants", on_delete=fields.CASCADE
    )
    person_id: int
    role = fields.CharEnumField(Role, max_length=32)
    region: fields.ForeignKeyNullableRelation[Region] = fields.ForeignKeyField(
        "models.Region", related_name=False, null=True, on_delete=fields.CASCADE
    )
    region_id: int | None
    municipality: fields.ForeignKeyNullableRelation[Municipality] = fields.ForeignKeyField(
        "models.Municipality", related_name=False, null=True, on_delete=fields.CASCADE
    )
    municipality_id: int | None
    chat: fields.ForeignKeyNullableRelation[Chat] = fields.ForeignKeyField(
        "models.Chat", related_name="grants", null=True, on_delete=fields.CASCADE
    )
    chat_id: int | None
    kind = fields.CharEnumField(RepresentativeKind, max_length=20, null=True)
    organisation = fields.CharField(max_length=300, null=True)
    granted_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    granted_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    notified_at = fields.DatetimeField(null=True)  # the person was told (VK message or SMS)
    # False while the invitation is an offer; grants made directly (the demo) are accepted.
    accepted = fields.BooleanField(default=True)

    class Meta:
        table = "role_grant"
        indexes = (("role", "municipality_id"), ("role", "chat_id"))


class Invitation(Model):
    """A single-use, expiring offer of a role: a deep-link token sent by SMS (or a message with
    «Принять» to a person already using the bot). The link is a bearer token, so it binds a VK
    account only once that account is confirmed: by the inviter for staff roles (or, without
    an inviter in VK, by a code texted to the phone), by the person seeing whose invitation it is
    for chat roles."""

    id = fields.IntField(primary_key=True)
    token = fields.CharField(max_length=64, unique=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="invitations", on_delete=fields.CASCADE
    )
    person_id: int
    grant: fields.ForeignKeyNullableRelation[RoleGrant] = fields.ForeignKeyField(
        "models.RoleGrant", related_name=False, null=True, on_delete=fields.CASCADE
    )
    grant_id: int | None
    created_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    used_by_vk_id = fields.BigIntField(null=True)
    # The VK account that opened the link (or accepted the offer), awaiting confirmation.
    opened_by_vk_id = fields.BigIntField(null=True)
    opened_by_name = fields.CharField(max_length=200, default="")
    opened_at = fields.DatetimeField(null=True)
    declined_at = fields.DatetimeField(null=True)  # refused by the person or by the inviter
    code = fields.CharField(max_length=8, null=True)  # texted to the phone (no inviter in VK)
    code_attempts = fields.IntField(default=0)

    class Meta:
        table = "invitation"


class OnboardingStep(IntEnum):
    JOIN = 1  # join the new chat by its link
    ANNOUNCE = 2  # post the link and the announcement in the residents' existing chats
    POSTER = 3  # print the poster with the QR code
    REPRESENTATIVES = 4  # how to invite a representative to a question
    DONE = 5


class Onboarding(Model):
    """A chat admin's progress through the instructions for one chat."""

    id = fields.IntField(primary_key=True)
    chat: fields.ForeignKeyRelation[Chat] = fields.ForeignKeyField(
        "models.Chat", related_name="onboardings", on_delete=fields.CASCADE
    )
    chat_id: int
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="onboardings", on_delete=fields.CASCADE
    )
    person_id: int
    step = fields.IntEnumField(OnboardingStep, default=OnboardingStep.JOIN)
    step_since = fields.DatetimeField()
    reminded_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "onboarding"
        unique_together = (("chat", "person"),)


class Poster(Model):
    """A printed poster: its verification code and the invite link printed on it."""

    id = fields.IntField(primary_key=True)
    chat: fields.ForeignKeyRelation[Chat] = fields.ForeignKeyField(
        "models.Chat", related_name="posters", on_delete=fields.CASCADE
    )
    chat_id: int
    code = fields.CharField(max_length=16, unique=True)
    invite_link = fields.CharField(max_length=255)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "poster"


class ChatMember(Model):
    """A person in a house chat, as the community saw them join and leave."""

    id = fields.IntField(primary_key=True)
    chat: fields.ForeignKeyRelation[Chat] = fields.ForeignKeyField(
        "models.Chat", related_name="members", on_delete=fields.CASCADE
    )
    chat_id: int
    vk_id = fields.BigIntField()
    joined_at = fields.DatetimeField()
    left_at = fields.DatetimeField(null=True)

    class Meta:
        table = "chat_member"
        unique_together = (("chat", "vk_id"),)
        indexes = (("chat_id", "left_at"),)


class Blob(Model):
    """A file a person sent (a photo or a document), kept to pass it on later."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=10)  # "photo" | "doc"
    filename = fields.CharField(max_length=255)
    content = fields.BinaryField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "blob"


class TicketStatus(StrEnum):
    OPEN = "open"  # waiting for the representative
    MEETING = "meeting"  # an online meeting is scheduled or running
    ANSWERED = "answered"  # closed with an official answer
    MET = "met"  # closed after the meeting
    CANCELLED = "cancelled"


class Ticket(Model):
    """A question a chat admin passed to a representative (№ = id)."""

    id = fields.IntField(primary_key=True)
    chat: fields.ForeignKeyRelation[Chat] = fields.ForeignKeyField(
        "models.Chat", related_name="tickets", on_delete=fields.CASCADE
    )
    chat_id: int
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "models.Municipality", related_name=False, on_delete=fields.CASCADE
    )
    municipality_id: int
    author: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    author_id: int | None
    kind = fields.CharEnumField(RepresentativeKind, max_length=20)
    representative: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    representative_id: int | None
    question = fields.TextField()
    question_photo: fields.ForeignKeyNullableRelation[Blob] = fields.ForeignKeyField(
        "models.Blob", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    question_photo_id: int | None
    status = fields.CharEnumField(TicketStatus, max_length=20, default=TicketStatus.OPEN)
    created_at = fields.DatetimeField()
    deadline_at = fields.DatetimeField()
    reminded_at = fields.DatetimeField(null=True)  # the representative, before the deadline
    overdue_reported_at = fields.DatetimeField(null=True)  # staff, after it
    answered_at = fields.DatetimeField(null=True)
    answer = fields.TextField(null=True)
    answer_file: fields.ForeignKeyNullableRelation[Blob] = fields.ForeignKeyField(
        "models.Blob", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    answer_file_id: int | None
    # The representative's notification, edited once they choose what to do.
    notice_cmid = fields.BigIntField(null=True)

    class Meta:
        table = "ticket"
        indexes = (("municipality_id", "status"), ("representative_id", "status"))


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    OPENING = "opening"  # a process claimed the opening (creating the chat, posting the link)
    LIVE = "live"  # the temporary chat exists and its link was posted
    CLOSING = "closing"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    MISSED = "missed"  # the bot was down for the whole meeting: no chat was made


class Meeting(Model):
    """An online meeting on a ticket, held in a temporary chat."""

    id = fields.IntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="meetings", on_delete=fields.CASCADE
    )
    ticket_id: int
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    status = fields.CharEnumField(MeetingStatus, max_length=20, default=MeetingStatus.SCHEDULED)
    lease_until = fields.DatetimeField(null=True)  # a claim on OPENING/CLOSING by one process
    vk_chat_id = fields.BigIntField(null=True)
    peer_id = fields.BigIntField(null=True)
    invite_link = fields.CharField(max_length=255, null=True)
    failures = fields.IntField(default=0)  # failed attempts to open the chat
    opened_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "meeting"
        indexes = (("status", "starts_at"),)


class ChatDayStat(Model):
    """One chat's activity on one day — counts only: no texts, no record of who wrote.

    Distinct authors are counted through `authors_sketch`, a bitmap of hashed ids (linear
    counting): which bits are set says how many wrote, not who.
    """

    id = fields.IntField(primary_key=True)
    chat: fields.ForeignKeyRelation[Chat] = fields.ForeignKeyField(
        "models.Chat", related_name="day_stats", on_delete=fields.CASCADE
    )
    chat_id: int
    day = fields.DateField()
    messages = fields.IntField(default=0)
    authors = fields.IntField(default=0)
    authors_sketch = fields.BinaryField(null=True)
    joins = fields.IntField(default=0)
    leaves = fields.IntField(default=0)

    class Meta:
        table = "chat_day_stat"
        unique_together = (("chat", "day"),)


class BroadcastKind(StrEnum):
    EMERGENCY = "emergency"  # at once, pinned
    INFO = "info"  # waits for the end of quiet hours (22:00–08:00 local)


class BroadcastStatus(StrEnum):
    DRAFT = "draft"  # previewed, not confirmed
    WAITING = "waiting"  # confirmed, waiting for quiet hours to end
    SENDING = "sending"
    STOPPING = "stopping"  # «Остановить» pressed: the rest is skipped
    STOPPED = "stopped"
    DONE = "done"


class Broadcast(Model):
    """An official message to many chats (its progress is kept per chat in BroadcastDelivery)."""

    id = fields.IntField(primary_key=True)
    author: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name=False, on_delete=fields.CASCADE
    )
    author_id: int
    author_peer = fields.BigIntField()  # where the author sees progress and the report
    source = fields.CharField(max_length=300)  # who speaks, for the official header
    kind = fields.CharEnumField(BroadcastKind, max_length=20)
    text = fields.TextField()
    file: fields.ForeignKeyNullableRelation[Blob] = fields.ForeignKeyField(
        "models.Blob", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    file_id: int | None
    scope = fields.CharField(max_length=300)  # how the chats were chosen, for people to read
    status = fields.CharEnumField(BroadcastStatus, max_length=20, default=BroadcastStatus.DRAFT)
    total = fields.IntField(default=0)
    created_at = fields.DatetimeField()
    not_before = fields.DatetimeField(null=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    progress_cmid = fields.BigIntField(null=True)

    class Meta:
        table = "broadcast"
        indexes = (("status", "not_before"), ("author_id", "status"))


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # the broadcast was stopped before this chat


class BroadcastDelivery(Model):
    id = fields.IntField(primary_key=True)
    broadcast: fields.ForeignKeyRelation[Broadcast] = fields.ForeignKeyField(
        "models.Broadcast", related_name="deliveries", on_delete=fields.CASCADE
    )
    broadcast_id: int
    chat: fields.ForeignKeyRelation[Chat] = fields.ForeignKeyField(
        "models.Chat", related_name=False, on_delete=fields.CASCADE
    )
    chat_id: int
    peer_id = fields.BigIntField()
    status = fields.CharEnumField(DeliveryStatus, max_length=20, default=DeliveryStatus.PENDING)
    cmid = fields.BigIntField(null=True)
    pinned = fields.BooleanField(default=False)
    error_code = fields.IntField(null=True)

    class Meta:
        table = "broadcast_delivery"
        unique_together = (("broadcast", "chat"),)
        indexes = (("broadcast_id", "status"),)


class Lease(Model):
    """A named lease held by one process at a time (the scheduler's leadership)."""

    name = fields.CharField(max_length=64, primary_key=True)
    holder = fields.CharField(max_length=64)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "lease"


class DialogState(Model):
    """The persistent conversation state of one person (keyed by VK user id, not by chat)."""

    vk_id = fields.BigIntField(primary_key=True)
    state = fields.CharField(max_length=128)
    payload: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "dialog_state"


class ProcessedEvent(Model):
    """Incoming VK event ids already handled: a redelivered event is dropped."""

    event_id = fields.CharField(max_length=64, primary_key=True)
    received_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "processed_event"


class KeyValue(Model):
    """Small bits of runtime state (the long-poll position, the community's screen name)."""

    key = fields.CharField(max_length=64, primary_key=True)
    value = fields.TextField()

    class Meta:
        table = "key_value"


class InboxEvent(Model):
    """A Callback API event, stored (de-duplicated by `event_id`) before VK is answered `ok`,
    handled from here by whichever process claims it (`storage/inbox.py`)."""

    id = fields.BigIntField(primary_key=True)  # arrival order: one person's events in this order
    event_id = fields.CharField(max_length=64, unique=True)
    ordering_key = fields.CharField(max_length=64)  # whose event (the dispatcher's ordering key)
    body: fields.JSONField[dict[str, Any]] = fields.JSONField()
    received_at = fields.DatetimeField(auto_now_add=True)
    claimed_by = fields.CharField(max_length=32, null=True)  # the process handling it
    lease_until = fields.DatetimeField(null=True)  # after this another process may take it over
    done_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        table = "inbox_event"
        indexes = (("ordering_key", "done_at"),)


class RateSlot(Model):
    """One of the token's N requests a second, shared by every process (`bot/vk/shared_rate_limit.py`),
    free once `free_at` has passed."""

    slot = fields.IntField(primary_key=True, generated=False)
    free_at = fields.DatetimeField()

    class Meta:
        table = "vk_rate_slot"
