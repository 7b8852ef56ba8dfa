"""Streamlit pieces every page shares: the sidebar filters, the demo banner and a chart with its
text alternative and data table. Figures come from `cache`; nothing here queries the database.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd
import streamlit as st

from cams_data import cache, dashboard, periods
from cams_data.periods import ReportingPeriod

ALL_ORGANISATIONS = "All organisations"
HELPLINE = (
    "If you think someone is a victim of modern slavery: **Modern Slavery & Exploitation "
    "Helpline 08000 121 700**. In an emergency call **999**."
)


@dataclass(frozen=True)
class Selection:
    period: ReportingPeriod
    organisation: str | None  # None: every organisation

    @property
    def organisation_label(self) -> str:
        return self.organisation or ALL_ORGANISATIONS


def sidebar() -> Selection:
    """Period and organisation, kept in the URL (`?period=2025/26-Q2&organisation=...`) so a link
    opens the same view for everyone; and how fresh each kind of data is."""
    with st.sidebar:
        figures = cache.get(dashboard.sidebar)
        choices, default = figures.period_choices, figures.default_period
        if default not in choices:
            choices = [default, *choices]
        period = st.selectbox(
            "Period",
            choices,
            index=choices.index(default),
            key="period",
            bind="query-params",
            help="A financial year (April to March) or one of its quarters: Q1 is April-June.",
        )
        organisations = [ALL_ORGANISATIONS, *figures.organisations]
        organisation = st.selectbox(
            "Organisation",
            organisations,
            key="organisation",
            bind="query-params",
            help="Filters training, staff numbers and partnership measures.",
        )
        with st.expander("Data last updated", icon=":material/update:"):
            st.markdown(figures.freshness)
        st.caption(HELPLINE)
    chosen = periods.parse(period or default)
    return Selection(chosen, None if organisation in (None, ALL_ORGANISATIONS) else organisation)


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
    )


def page_header(title: str, selection: Selection, caption: str = "") -> None:
    st.title(title)
    st.caption(
        f"{selection.period.label} ({selection.period.description}) · "
        f"{selection.organisation_label}" + (f" · {caption}" if caption else "")
    )
    if cache.get(dashboard.sidebar).has_demo_data:
        st.warning(
            "**Demo data is loaded: these figures are made up.** Remove it with "
            "`python -m cams_data demo --remove` once real files are uploaded.",
            icon=":material/science:",
        )


def chart(figure: alt.Chart, table: pd.DataFrame, description: str, key: str) -> None:
    """A chart, a one-sentence text alternative under it, and its data one click away."""
    st.altair_chart(figure, theme=None, width="stretch", alt=description, key=f"chart-{key}")
    st.caption(description)
    with st.expander("Data table", icon=":material/table:"):
        st.dataframe(table, hide_index=True, key=f"table-{key}")


def no_data(message: str) -> None:
    st.info(message, icon=":material/hourglass_empty:")
