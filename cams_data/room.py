"""The Overview as a room reads it: each objective's card, and presentation mode.

A card gives the objective's status as a large coloured block with its word and an icon, why it
has it (`ShownObjective.reason`), its headline indicators each with its own status in words and
colour, and under it what each `<5` or `[c]` on it means. Presentation mode (`presentation`)
shows the cards, then each objective, one screen at a time. Colours are `status_style`'s.
"""

from __future__ import annotations

import dataclasses
import html

import streamlit as st

from cams_data import cache, dashboard, presentation, status_style, ui
from cams_data.dashboard import Shown, ShownObjective
from cams_data.disclosure import Audience
from cams_data.formatting import NO_DATA, markdown_literal

TITLE = "Progress against the four objectives"


def presenting() -> bool:
    return presentation.is_on(st.query_params)


def styles() -> None:
    """The cards' styles, and presentation mode's while it is on: one <style> block a run."""
    css = status_style.CSS + (presentation.CSS if presenting() else "")
    st.html(f"<style>{css}</style>")


def card(objective: ShownObjective, link: bool = True, compact: bool = False) -> None:
    """One objective's card (in a bordered container the caller opens). `compact`: the headline
    indicators as a table, one row each, so that four cards fit one screen."""
    title = f"{objective.objective.number}. {objective.objective.title}"
    status = status_style.block(objective.status, "Status") + status_style.reason(objective.reason)
    notes = status_style.notes(objective.notes)
    if compact:  # one element: no gaps between its parts
        st.html(
            f'<div class="cams-card-head"><h2 class="cams-card-title">{html.escape(title)}</h2>'
            f"{status_style.block(objective.status, 'Status')}</div>"
            + status_style.reason(objective.reason)
            + indicators_table(objective.headline)
            + notes
        )
        return
    number = objective.objective.number
    st.header(f"{number}. {markdown_literal(objective.objective.title)}", anchor=False)
    st.html(status)
    metrics(objective)
    if notes:
        st.html(notes)
    if link:
        st.page_link(
            "pages/objectives.py",
            label=f"All evidence for objective {objective.objective.number}",
            icon=":material/arrow_forward:",
            query_params={"objective": str(objective.objective.number)},
        )


def metrics(objective: ShownObjective) -> None:
    """Each headline indicator as a metric, its own status as a coloured label under it."""
    with st.container(horizontal=True, gap="medium"):
        for shown in objective.headline:
            with st.container(width=230):
                st.metric(
                    markdown_literal(shown.label),
                    shown.value,
                    shown.change,
                    delta_color=shown.change_colour,
                    delta_description=f"since {shown.previous_period}",
                    delta_arrow="off" if shown.change == "no change" else "auto",
                )
                st.html(status_style.indicator_line(shown.status, shown.target, shown.note))


def indicators_table(rows: list[Shown], notes: bool = False) -> str:
    """Indicators as one HTML table: indicator, value, status (its word in its colours),
    target and change; with `notes`, each one's note under its name. The period a change is
    from is said once under the table, or in each cell when they differ."""
    since = {s.previous_period for s in rows if s.change}
    one_since = len(since) <= 1

    def change(s: Shown) -> str:
        return (s.change or "") + (
            "" if one_since or not s.change else f" since {s.previous_period}"
        )

    def label(s: Shown) -> str:
        note = (
            f'<br><span class="cams-note">{html.escape(s.note)}</span>' if notes and s.note else ""
        )
        return html.escape(s.label) + note

    body = "".join(
        "<tr>"
        f'<th scope="row">{label(s)}</th>'
        f'<td class="{"cams-value" if s.value != NO_DATA else ""}">{html.escape(s.value)}</td>'
        f"<td>{status_style.label(s.status)}</td>"
        f"<td>{html.escape(s.target.removeprefix('Target '))}</td>"
        f"<td>{html.escape(change(s))}</td>"
        "</tr>"
        for s in rows
    )
    widths = (38, 14, 17, 19, 12)
    columns = ["Indicator", "Now", "Status", "Target", "Change"]
    caption = (
        f"<caption>Change: since {html.escape(since.pop())}.</caption>"
        if since and one_since
        else ""
    )
    return (
        f'<table class="cams-headlines">{caption}<colgroup>'
        + "".join(f'<col style="width:{w}%">' for w in widths)
        + "</colgroup><thead><tr>"
        + "".join(f'<th scope="col">{c}</th>' for c in columns)
        + f"</tr></thead><tbody>{body}</tbody></table>"
    )


def cards(progress: list[ShownObjective], link: bool = True, compact: bool = False) -> None:
    """The four cards, two by two (one under another on a narrow screen, where two side by
    side would break their words)."""
    with st.container(key="cams-cards"):  # its columns wrap on a narrow screen (status_style)
        for row_start in range(0, len(progress), 2):
            row = progress[row_start : row_start + 2]
            for column, objective in zip(st.columns(2), row, strict=False):
                with column.container(border=True):
                    card(objective, link, compact)


# --- presentation mode -----------------------------------------------------------------------


def _go(view: int) -> None:
    st.query_params.update(presentation.address(view))


def _exit() -> None:
    for name in (presentation.PRESENT, presentation.VIEW):
        st.query_params.pop(name, None)


def present(selection: ui.Selection) -> None:
    """Presentation mode: the controls, then the view the address names. It is for a shared
    screen, so it shows what a meeting may see even to an officer who switched the meeting view
    off (whose warning the hidden sidebar would hide)."""
    selection = dataclasses.replace(selection, audience=Audience.MEETING)
    progress = cache.get(
        dashboard.shown_progress,
        selection.period.label,
        selection.organisation,
        selection.audience,
    )
    titles = [f"{o.objective.number}. {o.objective.title}" for o in progress]
    views = presentation.views(titles)
    view = presentation.view_of(st.query_params, len(views))
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        st.button(
            "Previous",
            icon=":material/arrow_back:",
            on_click=_go,
            args=(presentation.step(view, len(views), -1),),
            shortcut=presentation.PREVIOUS_KEY,
            key="present-previous",
            help=f"Previous view: {views[presentation.step(view, len(views), -1)]}",
        )
        st.markdown(
            f"**{presentation.position(view, len(views))}** · {markdown_literal(views[view])}",
            width="content",
        )
        st.button(
            "Next",
            icon=":material/arrow_forward:",
            icon_position="right",
            on_click=_go,
            args=(presentation.step(view, len(views), 1),),
            shortcut=presentation.NEXT_KEY,
            key="present-next",
            type="primary",
            help=f"Next view: {views[presentation.step(view, len(views), 1)]}",
        )
        st.button(
            "Exit presentation",
            icon=":material/close:",
            on_click=_exit,
            shortcut=presentation.EXIT_KEY,
            key="present-exit",
        )
    if view == 0:
        ui.page_header(TITLE, selection)
        cards(progress, link=False, compact=True)
    else:
        objective_view(progress[view - 1], selection)


def objective_view(objective: ShownObjective, selection: ui.Selection) -> None:
    """One objective on one screen: status and why, every indicator, and its trends as the
    Objectives page draws them."""
    ui.page_header(
        f"{objective.objective.number}. {objective.objective.title}",
        selection,
    )
    with st.container(key="cams-objective"):  # one under another on a narrow screen
        left, right = st.columns([4, 7], gap="medium")
        with left:
            st.html(
                status_style.block(objective.status, "Status")
                + status_style.reason(objective.reason)
                + indicators_table(objective.indicators, notes=True)
            )
        marks = []
        with right:
            for number, indicator in enumerate(objective.objective.indicators):
                if number % 2 == 0:  # two to a row, so that on a narrow screen they keep order
                    columns = st.columns(2)
                table = cache.get(
                    dashboard.trend_table,
                    indicator.id,
                    selection.period.label,
                    selection.organisation,
                    selection.audience,
                )
                marks.extend(table["Shown"])
                chart = dashboard.trend_chart(table, indicator, selection.period.label)
                with columns[number % 2]:
                    st.altair_chart(
                        chart,
                        theme=None,
                        width="stretch",
                        height=250,
                        alt=dashboard.trend_description(table, indicator.label),
                        key=f"present-chart-{indicator.id}",
                    )
        notes = dict.fromkeys(
            [*objective.notes, *dashboard.marks_explained(marks, selection.audience)]
        )
        if notes:
            with left:
                st.html(status_style.notes(list(notes)))
