"""The onboarding steps' buttons."""

from __future__ import annotations

from bot.keyboards.common import POSITIVE, PRIMARY, build, callback_button
from bot.runtime.buttons import OnboardingNext, OnboardingStepButton
from storage.models import Onboarding


def step_keyboard(
    onboarding: Onboarding, *captions: tuple[str, type[OnboardingStepButton]]
) -> str:
    """Buttons of the current step; the step number in the payload makes old ones harmless."""
    row = []
    for caption, button in captions:
        color = POSITIVE if button is OnboardingNext else PRIMARY
        pressed = button(o=onboarding.id, s=int(onboarding.step))
        row.append((callback_button(caption, pressed), color))
    return build([row], inline=True)
