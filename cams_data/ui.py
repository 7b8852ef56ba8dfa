"""Streamlit pieces every page shares: the sidebar filters, the page header, the demo banner and
a chart with its text alternative, data table and downloads (`chart_downloads`). Figures come
from `cache`; nothing here queries the database. Who is looking is `signed_in`'s; the upload
page's own widgets are `upload_widgets`', which this module does not import (nor, so, does any
other page: the upload path is heavy).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import altair as alt
import pandas as pd
import streamlit as st

from cams_data import (
    cache,
    chart_downloads,
    charts,
    dashboard,
    periods,
    presentation,
    roles,
    signed_in,
)
from cams_data.disclosure import Audience
from cams_data.formatting import markdown_literal
from cams_data.periods import ReportingPeriod

ALL_ORGANISATIONS = "All organisations"
_LINK_FALLBACKS = "_link_fallbacks"  # what a link asked for that does not exist, until a choice
PRESENT_TOGGLE = "present-toggle"  # the sidebar's switch, following the address's `present`
HELPLINE = (
    "If you think someone is a victim of modern slavery: **Modern Slavery & Exploitation "
    "Helpline 08000 121 700**. In an emergency call **999**."
)


@dataclass(frozen=True)
class Selection:
    period: ReportingPeriod
    organisation: str | None  # None: every organisation
    audience: Audience = Audience.MEETING  # an officer who switched the meeting view off: OFFICER

    @property
    def organisation_label(self) -> str:
        return self.organisation or ALL_ORGANISATIONS


def sidebar(person: roles.Access | None = None) -> None:
    """Period and organisation, kept in the URL (`?period=2025/26-Q2&organisation=...`) so a link
    opens the same view for everyone (pages read them with `selection`); how fresh each kind of
    data is; the meeting view for officers; the helpline."""
    with st.sidebar:
        figures = cache.get(dashboard.sidebar)
        choices, default = figures.period_choices, figures.default_period
        if default not in choices:
            choices = [default, *choices]
        asked = [st.query_params.get(name) for name in ("period", "organisation")]
        if notes := dashboard.link_fallbacks(figures, *asked, ALL_ORGANISATIONS):
            st.session_state[_LINK_FALLBACKS] = notes

        def chosen() -> None:
            st.session_state.pop(_LINK_FALLBACKS, None)

        st.selectbox(
            "Period",
            choices,
            index=choices.index(default),
            format_func=figures.period_shown,
            key="period",
            bind="query-params",
            on_change=chosen,
            help="A financial year (April to March) or one of its quarters: Q1 is April-June. "
            "A period not over yet shows its figures to date, against its targets pro rata.",
        )
        organisations = [ALL_ORGANISATIONS, *figures.organisations]
        st.selectbox(
            "Organisation",
            organisations,
            key="organisation",
            bind="query-params",
            on_change=chosen,
            help="Filters training, staff numbers and partnership measures.",
        )
        presentation_toggle()
        st.markdown("**How far the figures run**")
        st.markdown(figures.freshness)
        if person is not None and person.may(roles.OFFICER):
            st.toggle(
                "Meeting view: small numbers hidden",
                value=True,
                key=signed_in.MEETING_VIEW,
                help="On, the screen shows what a viewer sees: counts about victims from 1 to 4 "
                "as <5. Switch it off only on your own screen, never on a shared one.",
            )
        if signed_in.audience() is Audience.OFFICER:
            st.warning(
                "True figures are showing: not for a shared screen.", icon=":material/visibility:"
            )
        if person is not None:
            st.caption(person.how)
            if person.who and person.who != roles.LOCAL_USER:
                st.button("Sign out", on_click=st.logout)
        st.caption(HELPLINE)


def presentation_toggle() -> None:
    """ "Presentation mode", kept in the address as `present=1` (a link opens it): switched on,
    it opens the Overview's first view; `room` draws it and hides this sidebar."""
    st.session_state[PRESENT_TOGGLE] = presentation.is_on(st.query_params)

    def switched() -> None:
        if st.session_state[PRESENT_TOGGLE]:
            st.query_params.update(presentation.address(0))
        else:
            for name in (presentation.PRESENT, presentation.VIEW):
                st.query_params.pop(name, None)

    st.toggle("Presentation mode", key=PRESENT_TOGGLE, on_change=switched, help=presentation.HELP)


def ensure_router() -> None:
    """Run the page through `app.py`, even when a shared link is the server's first request.

    With a `pages/` folder, Streamlit runs a page straight from its URL (its older multipage
    mode, without our sidebar or filters) until the router has run once in the process.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def selection() -> Selection:
    """The filters the sidebar set on this run."""
    ensure_router()
    period = st.session_state.get("period") or cache.get(dashboard.sidebar).default_period
    organisation = st.session_state.get("organisation")
    return Selection(
        periods.parse(period),
        None if organisation in (None, ALL_ORGANISATIONS) else organisation,
        signed_in.audience(),
    )


def page_header(title: str, selection: Selection, caption: str = "") -> None:
    st.title(title)
    figures = cache.get(dashboard.sidebar)
    to_date = ", to date" if selection.period.label in figures.running else ""
    st.caption(  # an organisation's name comes from a file
        markdown_literal(
            f"{selection.period.label} ({selection.period.description}{to_date}) · "
            f"{selection.organisation_label}" + (f" · {caption}" if caption else "")
        )
    )
    for note in st.session_state.get(_LINK_FALLBACKS, ()):
        st.warning(markdown_literal(note), icon=":material/link_off:")  # a link's text
    demo_banner()


def demo_banner() -> None:
    if cache.get(dashboard.sidebar).has_demo_data:
        st.warning(
            "**Demo data is loaded: these figures are made up.** Remove it with "
            "`python -m cams_data demo --remove` once real files are uploaded.",
            icon=":material/science:",
        )


def chart(
    figure: alt.Chart,
    table: pd.DataFrame,
    description: str,
    key: str,
    published: Callable[[], tuple[alt.Chart, pd.DataFrame]] | None = None,
) -> None:
    """A chart, a one-sentence text alternative under it, and its data one click away.

    `published` draws the chart and its table for `Audience.PUBLICATION`: what every download
    holds, whoever is looking, since files leave the app. Without it, the chart shown is
    downloaded with every `<5` written `[c]` (the chart holds no figures about victims, or the
    page only ever shows it to a meeting).
    """
    st.altair_chart(
        charts.for_screen(figure),
        theme=None,
        width="stretch",
        alt=description,
        key=f"chart-{key}",
    )
    st.caption(markdown_literal(description))  # it names courses, questions and measures
    with st.expander("Data table", icon=":material/table:"):
        st.dataframe(table, hide_index=True, key=f"table-{key}")
    chart_downloads.downloads(figure, key, published or (lambda: (figure, table)))


def literal(frame: pd.DataFrame) -> pd.DataFrame:
    """A table's text cells and headers as `st.table` must get them: it reads Markdown in every
    cell, and a file name or a label comes from a file."""
    return frame.map(lambda v: markdown_literal(v) if isinstance(v, str) else v).rename(
        columns=markdown_literal
    )


def table(frame: pd.DataFrame) -> None:
    """A table shown whole: every row, text wrapping, no scroll box."""
    st.table(literal(frame), hide_index=True)


def no_data(message: str) -> None:
    st.info(message, icon=":material/hourglass_empty:")
