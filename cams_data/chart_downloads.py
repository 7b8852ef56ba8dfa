"""The downloads under each chart (PNG, SVG, XLSX and CSV) and the quarter's briefing, each made
when its button is pressed and logged as an export under the name of whoever pressed it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

import altair as alt
import pandas as pd
import streamlit as st

from cams_data import export, settings, signed_in, store

if TYPE_CHECKING:
    from cams_data import ui


def downloads(
    figure: alt.Chart, key: str, draw: Callable[[], tuple[alt.Chart, pd.DataFrame]]
) -> None:
    """The chart as PNG (200 ppi, A4 width) and SVG, its data as XLSX and CSV (hidden cells
    written `[c]`, with the note saying why); each file is made only when its button is
    pressed, from the chart `draw` gives for publication. A chart the renderer cannot draw
    downloads as a picture of the sentence saying why."""

    def xlsx() -> bytes:
        title, table, notes = export.chart_data(*draw())
        return export.xlsx({title: (table, notes)})

    who = signed_in.person().who or "viewer"
    db = settings.db_path()

    def logged(make: Callable[[], bytes | str], what: str) -> Callable[[], bytes | str]:
        def made() -> bytes | str:
            data = make()
            store.log_event(db, who, "export", what)
            return data

        return made

    stem = export.file_stem(figure, key)
    files = [
        ("PNG", "png", "image/png", lambda: export.png_or_notice(export.published(draw()[0]))),
        (
            "SVG",
            "svg",
            "image/svg+xml",
            lambda: export.svg_or_notice(export.published(draw()[0])),
        ),
        (
            "Data (XLSX)",
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            xlsx,
        ),
        ("Data (CSV)", "csv", "text/csv", lambda: export.csv(export.chart_data(*draw())[1])),
    ]
    row = st.container(horizontal=True)
    for label, suffix, mime, make in files:
        row.download_button(
            label,
            logged(make, f"{suffix.upper()} of '{stem}'"),
            file_name=f"{stem}.{suffix}",
            mime=mime,
            key=f"download-{suffix}-{key}",
            icon=":material/download:",
            on_click="ignore",
        )


def briefing(selection: ui.Selection, since: date) -> None:
    """The Overview's button for the quarter's briefing (.docx, as published): the document is
    made only when pressed, for the period and organisation chosen and changes since `since`,
    and the audit log records who made it."""
    from cams_data import briefing

    who, db = signed_in.person().who or "viewer", settings.db_path()
    period, organisation = selection.period.label, selection.organisation
    st.download_button(
        "Download the quarter's briefing (.docx)",
        lambda: briefing.build_from(db, period, organisation, since, who),
        file_name=briefing.file_name(period),
        mime=briefing.MIME,
        key="download-briefing",
        icon=":material/download:",
        on_click="ignore",
        help="For the partnership meeting: each objective's status and why, every indicator, "
        "what changed since the date below, actions overdue and due next quarter, refresher "
        "training due and the key charts. Small counts are shown [c], as for publication.",
    )
