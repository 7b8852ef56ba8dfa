"""Status colours meet WCAG 2.2 AA, and a status is never told by colour alone."""

from __future__ import annotations

import pytest
from wcag import contrast_ratio

from cams_data import indicators, status_style
from cams_data.status_style import STATUS_STYLE


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


def test_the_apps_own_ratio_agrees_with_the_standards():
    """`charts.contrast_ratio` picks a value label's colour on a bar: it must agree."""
    from cams_data import charts

    for a, b in [("#000000", "#FFFFFF"), ("#12436D", "#FFFFFF"), ("#28A197", "#0B0C0C")]:
        assert charts.contrast_ratio(a, b) == pytest.approx(contrast_ratio(a, b))
