"""Settings of one sandbox instance: the community it plays and the faults it injects."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal


@dataclass
class CallbackSettings:
    """How the sandbox delivers Callback API events (docs/sandbox.md, «Callback API»)."""

    timeout: float = 5.0  # seconds to wait for a server's answer; slower is a failed attempt
    retry_delay: float = 1.0  # before the first retry of an event; doubled for each next one
    max_attempts: int = 5  # failed attempts at one event (or a confirmation) before giving up
    pause_after: int = 10  # consecutive failed attempts that pause a server
    pause_seconds: float = 60.0  # how long a paused server gets nothing
    concurrency: int = 8  # events in flight to one server at once (1: one by one, in order)
    backlog: int = 100_000  # events kept for servers that lag behind, at most


@dataclass
class SandboxConfig:
    db_path: str | Path = ":memory:"
    host: str = "127.0.0.1"
    port: int = 8080  # 0 = pick a free port
    group_id: int = 229000001
    screen_name: str = "domovye_chaty"
    community_name: str = "Домовые чаты"
    token: str = "sandbox-token"  # the only access token accepted
    rate_limit: int = 20  # method calls per rolling second per token
    # "int" = a bare chat_id as real VK answers; "object" = {chat_id, peer_ids} as the schema says
    create_chat_response: Literal["int", "object"] = "int"
    error_rate: float = 0.0  # share of method calls failed before they run
    error_codes: tuple[int, ...] = (6, 10)
    delay_ms: int = 0  # added to every method call
    event_history: int = 10_000  # long-poll events kept; older ts values get {"failed": 1}
    callback: CallbackSettings = field(default_factory=CallbackSettings)
    clock: Callable[[], float] = field(default=time.time)

    def now(self) -> int:
        """Unix time as VK dates are given: whole seconds."""
        return int(self.clock())
