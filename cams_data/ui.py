"""Streamlit pieces every page shares: the sidebar filters, the demo banner and a chart with its
text alternative and data table. Figures come from `cache`; nothing here queries the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import altair as alt
import pandas as pd
import streamlit as st

from cams_data import cache, dashboard, export, periods, roles, settings, store
from cams_data.disclosure import Audience
from cams_data.formatting import markdown_literal
from cams_data.kinds import KINDS
from cams_data.periods import ReportingPeriod

if TYPE_CHECKING:  # hints only: the other pages need not import the upload path
    from cams_data.ingest import UploadRequest
    from cams_data.upload_flow import Checked

ALL_ORGANISATIONS = "All organisations"
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
        st.selectbox(
            "Period",
            choices,
            index=choices.index(default),
            key="period",
            bind="query-params",
            help="A financial year (April to March) or one of its quarters: Q1 is April-June.",
        )
        organisations = [ALL_ORGANISATIONS, *figures.organisations]
        st.selectbox(
            "Organisation",
            organisations,
            key="organisation",
            bind="query-params",
            help="Filters training, staff numbers and partnership measures.",
        )
        with st.expander("Data last updated", icon=":material/update:"):
            st.markdown(figures.freshness)
        if person is not None and person.may(roles.OFFICER):
            st.toggle(
                "Meeting view: small numbers hidden",
                value=True,
                key="meeting_view",
                help="On, the screen shows what a viewer sees: counts about victims from 1 to 4 "
                "as <5. Switch it off only on your own screen, never on a shared one.",
            )
        if audience() is Audience.OFFICER:
            st.warning(
                "True figures are showing: not for a shared screen.", icon=":material/visibility:"
            )
        if person is not None:
            st.caption(person.how)
            if person.who and person.who != roles.LOCAL_USER:
                st.button("Sign out", on_click=st.logout)
        st.caption(HELPLINE)


def ensure_router() -> None:
    """Run the page through `app.py`, even when a shared link is the server's first request.

    With a `pages/` folder, Streamlit runs a page straight from its URL (its older multipage
    mode, without our sidebar or filters) until the router has run once in the process.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def audience() -> Audience:
    """Who this screen is for: an officer who switched the meeting view off sees true figures;
    everyone else, always, the meeting view."""
    if st.session_state.get("meeting_view", True) is False and person().may(roles.OFFICER):
        return Audience.OFFICER
    return Audience.MEETING


def selection() -> Selection:
    """The filters the sidebar set on this run."""
    ensure_router()
    period = st.session_state.get("period") or cache.get(dashboard.sidebar).default_period
    organisation = st.session_state.get("organisation")
    return Selection(
        periods.parse(period),
        None if organisation in (None, ALL_ORGANISATIONS) else organisation,
        audience(),
    )


def page_header(title: str, selection: Selection, caption: str = "") -> None:
    st.title(title)
    st.caption(  # an organisation's name comes from a file
        markdown_literal(
            f"{selection.period.label} ({selection.period.description}) · "
            f"{selection.organisation_label}" + (f" · {caption}" if caption else "")
        )
    )
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
    st.altair_chart(figure, theme=None, width="stretch", alt=description, key=f"chart-{key}")
    st.caption(markdown_literal(description))  # it names courses, questions and measures
    with st.expander("Data table", icon=":material/table:"):
        st.dataframe(table, hide_index=True, key=f"table-{key}")
    downloads(figure, key, published or (lambda: (figure, table)))


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

    who = person().who or "viewer"
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


def briefing_download(selection: Selection, since: date) -> None:
    """The Overview's button for the quarter's briefing (.docx, as published): the document is
    made only when pressed, for the period and organisation chosen and changes since `since`,
    and the audit log records who made it."""
    from cams_data import briefing

    who, db = person().who or "viewer", settings.db_path()
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


def no_data(message: str) -> None:
    st.info(message, icon=":material/hourglass_empty:")


_PERSON = "_cams_person"


def person() -> roles.Access:
    """This run's `access()`: app.py works it out first in every run, and keeps it for the
    page (the downloads under each chart ask too, and reading the request's headers is not free)."""
    return st.session_state.get(_PERSON) or access()


def access() -> roles.Access:
    """This person's role: from sign-in when `[auth]` is configured, else local mode or viewer.
    Worked out afresh, and kept for the rest of the run (`person`)."""
    try:
        auth_configured = "auth" in st.secrets
    except Exception:  # no secrets file at all
        auth_configured = False
    logged_in = bool(auth_configured and st.user.is_logged_in)
    config = settings.config()
    st.session_state[_PERSON] = roles.resolve(
        auth_configured=auth_configured,
        logged_in=logged_in,
        email=st.user.get("email") if logged_in else None,
        server_address=st.get_option("server.address"),
        headers=dict(st.context.headers or {}),
        lists=roles.RoleLists(config.admins, config.officers, config.viewers),
    )
    return st.session_state[_PERSON]


def require(role: str) -> roles.Access:
    """Stop the page, saying why, unless this person has at least `role`."""
    ensure_router()
    person = access()
    if not person.may(role):
        st.title("Not available to you")
        st.warning(
            f"This page is for {role}s. {person.how}",
            icon=":material/lock:",
        )
        if person.role == roles.VIEWER and not person.who:
            st.info(roles.HOW_TO_SIGN_IN)
        st.stop()
    return person


def checked(request: UploadRequest) -> Checked:
    """A file's check, kept for this session until the file, a choice or the database changes."""
    from cams_data import upload_flow

    given = tuple(sorted(request.options.given().items()))
    chosen = tuple(sorted((request.mapping or {}).items()))
    key = (
        request.file_name,
        hash(request.data),
        request.kind,
        request.sheet,
        given,
        request.skip_invalid,
        chosen,
        cache.version(request.db),
    )
    done = st.session_state.setdefault("_checked", {})
    if key not in done:
        with st.spinner(f"Checking {request.file_name}"):
            if len(done) > 20:
                done.clear()
            for (name, *_), earlier in done.items():
                if name == request.file_name and earlier.upload is not None:
                    earlier.upload.pending = None  # only the latest check keeps its rows
            done[key] = upload_flow.check(request)
    return done[key]


def mapping_form(number: int, data: bytes, file_name: str, kind: str, sheet, checked) -> None:
    """Pick the field for each column of the file; the choice is used for the next check."""
    from cams_data import upload_flow

    headers = upload_flow.file_headers(data, file_name, sheet)
    if not headers:
        st.info("No header row was found in this file to choose columns from.")
        return
    current = st.session_state.get(f"mapping-{number}") or upload_flow.detected_mapping(checked)
    fields = upload_flow.field_choices(kind)
    with st.form(f"mapping-form-{number}"):
        st.caption(
            f"For each column, the field it holds ({KINDS[kind].in_a_sentence}), or 'not "
            "stored'. Saving the file remembers these choices for files with the same headers."
        )
        chosen = {}
        for index, header in enumerate(headers):
            now = current.get(header, "")
            chosen[header] = st.selectbox(
                f"Column '{markdown_literal(header)}'",  # a label is Markdown
                fields,
                index=fields.index(now) if now in fields else 0,
                format_func=lambda f: "not stored" if f == "" else f.replace("_", " "),
                key=f"map-{number}-{index}",
            )
        if st.form_submit_button("Check again with these columns"):
            st.session_state[f"mapping-{number}"] = chosen
            st.rerun()


def rollback_controls(history: pd.DataFrame, person: roles.Access) -> None:
    """Undo one upload (after a confirmation), or remove every demo upload in one step."""
    from cams_data.demo_load import remove_demo
    from cams_data.ingest import rollback

    if message := st.session_state.pop("undone", None):
        st.success(message, icon=":material/undo:")
    active = history[history["Status"] == "active"]
    if not person.may(roles.ADMIN):
        active = active[active["By"] == person.who]  # officers undo their own uploads
    if active.empty:
        if person.may(roles.ADMIN):
            erase_controls(history, person)
        return
    labels = {
        int(row["Upload"]): f"{row['Upload']}: {row['File']} ({row['What']}, "
        f"{row['Rows stored']:,} rows)"
        for row in active.to_dict("records")
    }
    if st.session_state.get("undo") not in labels:  # undone, or not this person's to undo
        st.session_state.pop("undo", None)
    chosen = st.selectbox("Undo an upload", list(labels), format_func=labels.get, key="undo")

    @st.dialog("Undo this upload?", on_dismiss=lambda: st.session_state.pop("undo-pending", None))
    def confirm(upload_id: int) -> None:
        st.write(
            f"Upload {markdown_literal(labels[upload_id])} will leave the figures, and the rows "
            "it replaced come back. The upload stays in the history as rolled back."
        )
        undo, cancel = st.columns(2)
        if undo.button("Undo it", type="primary", key="undo-confirm"):
            result = rollback(settings.db_path(), upload_id, person.who)
            st.session_state["undone"] = (
                f"Upload {upload_id} rolled back: {result['removed']:,} rows left the figures, "
                f"{result['restored']:,} rows it had replaced are back."
            )
            st.session_state.pop("undo-pending", None)
            st.rerun()
        if cancel.button("Keep it", key="undo-cancel"):
            st.session_state.pop("undo-pending", None)
            st.rerun()

    if st.button("Undo…", key="undo-open", icon=":material/undo:"):
        st.session_state["undo-pending"] = chosen
    if st.session_state.get("undo-pending") in labels:
        confirm(st.session_state["undo-pending"])
    if person.may(roles.ADMIN):
        erase_controls(history, person)
    demo = bool((history["Demo"] & (history["Status"] == "active")).any())
    if (
        demo
        and person.may(roles.ADMIN)
        and st.button("Remove the demo data", key="remove-demo", icon=":material/delete:")
    ):
        removed = remove_demo(settings.db_path(), person.who)
        st.success(f"Removed {len(removed)} demo uploads.")


def erase_controls(history: pd.DataFrame, person: roles.Access) -> None:
    """An admin deletes an upload's rows for good, after typing its number to confirm."""
    from cams_data.ingest import erase

    if message := st.session_state.pop("erased", None):
        st.success(message, icon=":material/delete_forever:")
    kept = history[~history["Status"].str.startswith("erased")]
    if kept.empty:
        return
    labels = {
        int(row["Upload"]): f"{row['Upload']}: {row['File']} ({row['Status']})"
        for row in kept.to_dict("records")
    }
    chosen = st.selectbox(
        "Erase an upload for good (admins)",
        list(labels),
        format_func=labels.get,
        key="erase",
        help="Deletes the upload's rows from the database, not only their effect; the upload "
        "stays in the history as erased, and the log records who erased it.",
    )

    @st.dialog(
        "Erase this upload for good?",
        on_dismiss=lambda: st.session_state.pop("erase-pending", None),
    )
    def confirm(upload_id: int) -> None:
        st.write(
            f"The rows of upload {markdown_literal(labels[upload_id])} will be deleted and "
            "cannot be brought back. Type the upload number to confirm."
        )
        typed = st.text_input("Upload number", key="erase-typed")
        if st.button(
            "Erase it", type="primary", key="erase-confirm", disabled=typed != str(upload_id)
        ):
            deleted = erase(settings.db_path(), upload_id, person.who)
            st.session_state["erased"] = f"Upload {upload_id} erased: {deleted:,} rows deleted."
            st.session_state.pop("erase-pending", None)
            st.rerun()

    if st.button("Erase…", key="erase-open", icon=":material/delete_forever:"):
        st.session_state["erase-pending"] = chosen
    if st.session_state.get("erase-pending") in labels:
        confirm(st.session_state["erase-pending"])
