"""WCAG 2.2's contrast ratio, written out from the standard for the tests to check colours by
(independent of `charts.contrast_ratio`, which the app uses to pick a label's colour)."""

from __future__ import annotations


def relative_luminance(colour: str) -> float:
    """The relative luminance of an sRGB colour written #RRGGBB."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    red, green, blue = linear
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(a: str, b: str) -> float:
    lighter, darker = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
