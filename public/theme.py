"""The organisation's colour as CSS custom properties, made safe for WCAG AA contrast.

The record holds one brand colour. The header puts text on it, and links use it as text
on white: so the theme also gives the text colour that reads on the brand (white or near
black, whichever contrasts more) and a link colour darkened until it reaches 4.5:1.
"""

from __future__ import annotations

TEXT_DARK = "#1b1b1b"
WHITE = "#ffffff"
AA_TEXT = 4.5


def _channels(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def luminance(colour: str) -> float:
    """Relative luminance as WCAG 2.1 defines it."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in _channels(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def darkened_for_text(colour: str, background: str = WHITE) -> str:
    """The colour itself if it reads as text on `background`, else darker steps of it."""
    red, green, blue = _channels(colour)
    for step in range(0, 101, 5):
        factor = 1 - step / 100
        candidate = (
            f"#{round(red * factor):02x}{round(green * factor):02x}{round(blue * factor):02x}"
        )
        if contrast(candidate, background) >= AA_TEXT:
            return candidate
    return TEXT_DARK


def theme_css(colour: str) -> str:
    on_brand = WHITE if contrast(WHITE, colour) >= contrast(TEXT_DARK, colour) else TEXT_DARK
    return (
        ":root {\n"
        f"  --brand: {colour};\n"
        f"  --on-brand: {on_brand};\n"
        f"  --brand-text: {darkened_for_text(colour)};\n"
        "}\n"
    )
