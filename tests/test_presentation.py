"""Presentation mode: the Overview for a room, one view per screen, stepped with Next and
Previous (or the arrow keys), its view in the address."""

from __future__ import annotations

import html

import duckdb
import pytest
from conftest import open_page

from cams_data import dashboard, indicators, presentation
from cams_data.disclosure import SCREEN_NOTE, SECONDARY_NOTE, Audience
from cams_data.formatting import as_read

Q2 = "2025/26-Q2"
OVERVIEW = "Progress against the four objectives"
TITLES = [
    "1. Survivor Support and Care",
    "2. Funding and Sustainability",
    "3. Multi-agency approach to intelligence and disruption",
    "4. Partnership profile/awareness",
]


def position(app) -> str:
    """The view indicator: '**2 of 5** · 1. Survivor Support and Care'."""
    return as_read(next(m.value for m in app.main.markdown if " of 5**" in m.value))


def styles(app) -> str:
    return "".join(e.proto.body for e in app.get("html") if e.proto.body.startswith("<style>"))


# --- the logic ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "on"),
    [({"present": "1"}, True), ({"present": "true"}, True), ({"present": "0"}, False), ({}, False)],
)
def test_the_address_switches_it_on(params, on):
    assert presentation.is_on(params) is on


def test_views_steps_and_position():
    views = presentation.views(TITLES)
    assert views == ["Overview: the four objectives", *TITLES]
    assert [presentation.step(v, 5, 1) for v in range(5)] == [1, 2, 3, 4, 0]  # wraps round
    assert [presentation.step(v, 5, -1) for v in range(5)] == [4, 0, 1, 2, 3]
    assert presentation.position(1, 5) == "2 of 5"
    assert presentation.view_of({"view": "3"}, 5) == 3
    assert [presentation.view_of({"view": v}, 5) for v in ("9", "-1", "x", "")] == [0, 0, 0, 0]
    assert presentation.address(2) == {"present": "1", "view": "2"}


# --- the page ----------------------------------------------------------------------------------


def test_present_hides_the_sidebar_and_shows_the_four_cards_alone(year_copy):
    app = open_page(period=Q2, present="1")
    assert 'section[data-testid="stSidebar"]' in styles(app)
    assert "display: none !important" in styles(app)
    assert "html { font-size: 18px; }" in styles(app)  # larger type
    assert app.sidebar.toggle(key="present-toggle").value is True
    assert [t.value for t in app.title] == [OVERVIEW]
    assert position(app) == "**1 of 5** · Overview: the four objectives"
    cards = [
        e.proto.body
        for e in app.get("html")
        if e.proto.body.startswith('<div class="cams-card-head')
    ]
    assert [c.split('"cams-card-title">', 1)[1].split("</h2>")[0] for c in cards] == TITLES
    assert ["<strong>Red</strong>" in c for c in cards] == [True, False, True, True]
    assert "<strong>Green</strong>" in cards[1]
    assert html.escape(SCREEN_NOTE) in cards[0] and html.escape(SECONDARY_NOTE) in cards[0]
    # nothing below the cards: no tables, no date to choose, no download
    assert not app.table and not app.dataframe and not app.date_input
    assert [b.label for b in app.main.button] == ["Previous", "Next", "Exit presentation"]


def test_next_steps_through_the_five_views_in_order_and_wraps_round(year_copy):
    app = open_page(period=Q2, present="1")
    seen = [app.title[0].value]
    for _ in range(5):
        app.button(key="present-next").click().run()
        assert not app.exception, app.exception
        seen.append(app.title[0].value)
    assert seen == [OVERVIEW, *TITLES, OVERVIEW]
    app.button(key="present-previous").click().run()
    assert app.title[0].value == TITLES[-1]
    assert app.query_params["view"] == "4" and app.query_params["present"] == "1"
    assert position(app) == "**5 of 5** · 4. Partnership profile/awareness"


def test_the_buttons_have_keyboard_shortcuts(year_copy):
    app = open_page(period=Q2, present="1")
    shortcuts = {b.key: b.proto.shortcut for b in app.main.button}
    assert shortcuts == {
        "present-previous": "left",
        "present-next": "right",
        "present-exit": "escape",
    }


def test_a_link_to_view_3_opens_objective_3_with_every_indicator_and_its_trends(year_copy):
    app = open_page(period=Q2, present="1", view="3")
    assert app.title[0].value == TITLES[2]
    assert position(app) == f"**4 of 5** · {TITLES[2]}"
    objective = indicators.objectives()[2]
    with duckdb.connect(str(year_copy), read_only=True) as con:
        shown = dashboard.shown_progress(con, Q2, None, Audience.MEETING)[2]
    body = next(e.proto.body for e in app.get("html") if e.proto.body.startswith("<div class"))
    assert "<strong>Red</strong>" in body
    assert html.escape(shown.reason) in body
    for row in shown.indicators:  # every indicator: its value, target, status and change
        assert f'<th scope="row">{html.escape(row.label)}' in body
        target = html.escape(row.target.removeprefix("Target "))
        assert f"{html.escape(row.value)}</td><td>" in body and f"<td>{target}</td>" in body
    assert 'Intelligence submissions</th><td class="cams-value">30</td>' in body
    assert len(app.get("vega_lite_chart")) == len(objective.indicators)


def test_exit_returns_to_the_overview(year_copy):
    app = open_page(period=Q2, present="1", view="2")
    app.button(key="present-exit").click().run()
    assert not app.exception, app.exception
    assert "present" not in app.query_params and "view" not in app.query_params
    assert app.query_params["period"] == Q2
    assert app.title[0].value == OVERVIEW
    assert 'section[data-testid="stSidebar"]' not in styles(app)
    assert app.sidebar.toggle(key="present-toggle").value is False
    assert len(app.table) == 3  # the normal Overview, with its tables
    assert not [b for b in app.main.button if b.key == "present-next"]


def test_the_sidebar_switch_starts_and_ends_presentation_mode(year_copy):
    app = open_page(period=Q2)
    app.sidebar.toggle(key="present-toggle").set_value(True).run()
    assert app.query_params["present"] == "1" and app.query_params["view"] == "0"
    assert position(app) == "**1 of 5** · Overview: the four objectives"
    app.sidebar.toggle(key="present-toggle").set_value(False).run()
    assert "present" not in app.query_params
    assert len(app.table) == 3


def test_switched_on_from_another_page_it_opens_the_overview(year_copy):
    app = open_page("pages/training.py", period=Q2)
    app.sidebar.toggle(key="present-toggle").set_value(True).run()
    assert not app.exception, app.exception
    assert app.title[0].value == OVERVIEW
    assert position(app) == "**1 of 5** · Overview: the four objectives"


def test_it_shows_a_meetings_figures_even_when_an_officer_switched_the_meeting_view_off(
    year_copy, local_admin
):
    app = open_page(period=Q2)
    app.sidebar.toggle(key="meeting_view").set_value(False).run()
    assert {m.label: m.value for m in app.metric}["Duty to Notify notifications made"] == "1"
    app.sidebar.toggle(key="present-toggle").set_value(True).run()
    card = next(e.proto.body for e in app.get("html") if "cams-card-head" in e.proto.body[:40])
    assert 'Duty to Notify notifications made</th><td class="cams-value">&lt;5</td>' in card
    app.button(key="present-next").click().run()
    body = next(e.proto.body for e in app.get("html") if e.proto.body.startswith("<div class"))
    assert "Duty to Notify notifications made" in body
    assert "&lt;5</td>" in body and ">1</td>" not in body
