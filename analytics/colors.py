"""Colour arithmetic for readable charts: WCAG contrast, and a colour lightened or
darkened (same hue) until it reads on a background — the meeting-room screen's dark one
or the pages' white."""

from __future__ import annotations

#: The meeting-room screen's background (ui/battle.SCREEN_CSS): text drawn on it must
#: reach WCAG's 4.5:1 contrast.
DARK_BACKGROUND = "#0b1320"
LIGHT_BACKGROUND = "#ffffff"


def _rgb(color: str) -> tuple[int, int, int]:
    color = color.strip()
    if color.startswith("#"):
        return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))
    r, g, b = [float(v) for v in color[color.index("(") + 1:color.index(")")].split(",")[:3]]
    return round(r), round(g), round(b)


def _luminance(color: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = _rgb(color)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(color: str, background: str) -> float:
    """WCAG contrast ratio of ``color`` on ``background`` (1 to 21)."""
    high, low = sorted((_luminance(color), _luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable_on(color: str, background: str = DARK_BACKGROUND, ratio: float = 4.5) -> str:
    """``color``, lightened towards white on a dark ``background`` (darkened towards black
    on a light one), same hue, until it reads with at least ``ratio`` contrast: a dark
    target line's label on the dark screen; unchanged when it already reads."""
    r, g, b = _rgb(color)
    end = 0 if _luminance(background) > 0.5 else 255
    for step in range(0, 21):
        mix = step / 20
        out = f"rgb({round(r + (end - r) * mix)},{round(g + (end - g) * mix)},{round(b + (end - b) * mix)})"
        if contrast(out, background) >= ratio:
            return out if step else color
    return f"rgb({end},{end},{end})"
