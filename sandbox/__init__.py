"""A local VK-compatible server for development, demos and tests of the bot."""

from .config import SandboxConfig
from .server import Sandbox

__all__ = ["Sandbox", "SandboxConfig"]
