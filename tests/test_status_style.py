"""Status colours meet WCAG 2.2 AA, and a status is never told by colour alone."""

from __future__ import annotations

import pytest

from cams_data import indicators, status_style
from cams_data.status_style import STATUS_STYLE


def relative_luminance(colour: str) -> float:
    """WCAG 2.2's relative luminance of an sRGB colour written #RRGGBB."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    red, green, blue = linear
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(a: str, b: str) -> float:
    lighter, darker = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_formula_gives_wcags_known_ratios():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


def test_every_status_has_a_style():
    statuses = {
        indicators.RED,
        indicators.AMBER,
        indicators.GREEN,
        indicators.NO_DATA,
        indicators.NOT_RATED,
    }
    assert set(STATUS_STYLE) == statuses


@pytest.mark.parametrize("status", list(STATUS_STYLE))
def test_each_status_text_has_a_contrast_of_at_least_4_5(status):
    style = STATUS_STYLE[status]
    assert contrast_ratio(style.text, style.background) >= 4.5


def test_the_notes_text_on_white_has_a_contrast_of_at_least_4_5():
    assert contrast_ratio(status_style.NOTE_TEXT, "#FFFFFF") >= 4.5


@pytest.mark.parametrize("status", list(STATUS_STYLE))
def test_a_status_says_its_word_beside_its_colour_and_icon(status):
    block, label = status_style.block(status, "Status"), status_style.label(status)
    for html in (block, label):
        assert f"{status}</" in html
        assert STATUS_STYLE[status].background in html
        assert f'aria-hidden="true">{STATUS_STYLE[status].icon}<' in html


def test_text_is_escaped():
    assert status_style.reason("Red: <b>x</b> & y") == (
        '<p class="cams-reason" style="color:#0B0C0C">Red: &lt;b&gt;x&lt;/b&gt; &amp; y</p>'
    )
    assert "&lt;5: a count" in status_style.notes(["<5: a count"])
    assert status_style.notes([]) == ""
