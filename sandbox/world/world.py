"""The world: everything the sandbox remembers, and how a new message reaches everyone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from ..config import SandboxConfig
from ..vk.shapes import CLIENT_INFO, message_object
from .callback_servers import CallbackServers
from .callbacks import Callbacks
from .chats import Chats
from .conversations import Conversations, NewMessage
from .events import EventLog
from .media import MediaStore
from .outbox import SmsOutbox
from .people import People
from .records import CHAT_PEER_OFFSET, Conversation, Message
from .signal import ChangeSignal
from .store import Database


class World:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.signal = ChangeSignal()
        self.db = Database(config.db_path, on_commit=self.signal.fire)
        self.people = People(self.db)
        self.chats = Chats(self.db)
        self.conversations = Conversations(self.db)
        self.events = EventLog(
            self.db, config.group_id, config.event_history, config.callback.backlog
        )
        self.media = MediaStore(self.db)
        self.sms = SmsOutbox(self.db)
        self.callbacks = Callbacks(self.db)
        self.callback_servers = CallbackServers(self.db)
        self.base_url = f"http://{config.host}:{config.port}"  # set by the server once bound

    @property
    def community_id(self) -> int:
        """The community as a member / author: -group_id."""
        return -self.config.group_id

    def now(self) -> int:
        return self.config.now()

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.db.transaction():
            yield

    # -- addressing -------------------------------------------------------------------------

    def community_peer_id(self, conversation: Conversation) -> int:
        if conversation.is_chat:
            return CHAT_PEER_OFFSET + conversation.target_id
        return conversation.target_id

    def viewers(self, conversation: Conversation) -> list[int]:
        """The people who currently see this conversation."""
        if not conversation.is_chat:
            return [conversation.target_id]
        return [
            member.member_id
            for member in self.chats.members(conversation.target_id)
            if member.member_id > 0
        ]

    def community_message(self, conversation: Conversation, message: Message) -> dict[str, Any]:
        """`messages_message` as the community sees it."""
        media_ids = [ref["id"] for ref in message.attachment_refs]
        return message_object(
            message,
            peer_id=self.community_peer_id(conversation),
            group_id=self.config.group_id,
            media=self.media.many(media_ids),
            base_url=self.base_url,
        )

    # -- messages ---------------------------------------------------------------------------

    def post(self, conversation: Conversation, new: NewMessage) -> Message:
        """Add a message; everyone who sees the conversation sees it, the community is told."""
        keyboard = new.keyboard
        regular = keyboard is not None and not keyboard.get("inline")
        with self.transaction():
            message = self.conversations.add(
                conversation.id, replace(new, keyboard=None) if regular else new, self.now()
            )
            if regular:
                self._set_regular_keyboard(conversation, keyboard, message.cmid)
            self.people.touch(self.viewers(conversation))
            self._tell_community(conversation, message)
        return message

    def edit(
        self,
        conversation: Conversation,
        message: Message,
        text: str | None,
        attachments: list[dict[str, Any]] | None,
        keyboard: dict[str, Any] | None,
    ) -> Message:
        regular = keyboard is not None and not keyboard.get("inline")
        with self.transaction():
            edited = self.conversations.edit(
                message.id, self.now(), text, attachments, None if regular else keyboard
            )
            if regular:
                self._set_regular_keyboard(conversation, keyboard, message.cmid)
            self.people.touch(self.viewers(conversation))
            if not conversation.is_chat and message.from_id == self.community_id:
                self.events.emit("message_edit", self.community_message(conversation, edited))
        return edited

    def delete(self, conversation: Conversation, message: Message) -> None:
        with self.transaction():
            self.conversations.delete(message.id)
            if conversation.pinned_cmid == message.cmid:
                self.conversations.set_pinned(conversation.id, None)
            self.people.touch(self.viewers(conversation))

    def hide_keyboard(self, conversation: Conversation) -> None:
        with self.transaction():
            self.conversations.set_keyboard(conversation.id, None, None)
            self.people.touch(self.viewers(conversation))

    def _set_regular_keyboard(
        self, conversation: Conversation, keyboard: dict[str, Any] | None, cmid: int
    ) -> None:
        shown = keyboard if keyboard and keyboard.get("buttons") else None  # {"buttons": []} hides
        self.conversations.set_keyboard(conversation.id, shown, cmid if shown else None)

    def _tell_community(self, conversation: Conversation, message: Message) -> None:
        if message.from_id == self.community_id:
            if not conversation.is_chat:
                self.events.emit("message_reply", self.community_message(conversation, message))
            return
        if conversation.is_chat and not self._community_hears(conversation.target_id, message):
            return
        self.events.emit(
            "message_new",
            {"message": self.community_message(conversation, message), "client_info": CLIENT_INFO},
        )

    def _community_hears(self, chat_id: int, message: Message) -> bool:
        """In a chat the community gets everything as admin, else only what is meant for it."""
        membership = self.chats.member(chat_id, self.community_id)
        if membership is None:
            return False
        if membership.is_admin or message.action is not None or message.payload is not None:
            return True
        group_id = self.config.group_id
        return message.text.startswith("/") or any(
            mention in message.text for mention in (f"[club{group_id}|", f"[public{group_id}|")
        )
