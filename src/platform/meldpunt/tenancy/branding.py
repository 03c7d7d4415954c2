"""How a tenant's reporting point looks (its branding), with the colour contrast it must keep (WCAG 2.1 AA)."""

from __future__ import annotations

from typing import Annotated

import msgspec

COLOUR_PATTERN = r"^#[0-9a-fA-F]{6}$"
Colour = Annotated[str, msgspec.Meta(pattern=COLOUR_PATTERN, description="a colour like #1d4e89")]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
# WCAG 2.1 AA (1.4.3): normal text needs 4.5:1; the primary colour is used for text on white.
MINIMUM_CONTRAST = 4.5


class Branding(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """How the reporting point looks in this organisation's name."""

    primary_color: Colour = "#1d4e89"
    accent_color: Colour = "#f2a900"
    logo_text: Text | None = None
    welcome: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a colour like ``#1d4e89``."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[start : start + 2], 16) for start in (1, 3, 5))
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast_with_white(colour: str) -> float:
    """The WCAG 2.1 contrast ratio of ``colour`` against white (1 to 21)."""
    return 1.05 / (relative_luminance(colour) + 0.05)
