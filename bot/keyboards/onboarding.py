"""The onboarding steps' buttons."""

from __future__ import annotations

from bot.keyboards.common import POSITIVE, PRIMARY, build, callback_button
from storage.models import Onboarding


def step_keyboard(onboarding: Onboarding, *captions: tuple[str, str]) -> str:
    """Buttons of the current step; the step number in the payload makes old ones harmless."""
    row = []
    for caption, cmd in captions:
        color = POSITIVE if cmd == "onb.next" else PRIMARY
        row.append((callback_button(caption, cmd, o=onboarding.id, s=int(onboarding.step)), color))
    return build([row], inline=True)
