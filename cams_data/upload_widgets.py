"""The upload page's widgets: a file's check kept for the session, the form choosing how its
columns are read, and undo and erase under the upload history, each after a confirmation. Their
session state goes through `upload_state.UploadState`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cams_data import cache, roles, settings, upload_flow
from cams_data.demo_load import remove_demo
from cams_data.formatting import markdown_literal
from cams_data.ingest import UploadRequest, erase, rollback
from cams_data.kinds import KINDS
from cams_data.upload_flow import Checked
from cams_data.upload_state import UploadState


def checked(request: UploadRequest) -> Checked:
    """A file's check, kept for this session until the file, a choice or the database changes."""
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
    done = UploadState.checks()
    if key not in done:
        with st.spinner(f"Checking {request.file_name}"):
            if len(done) > 20:
                done.clear()
            for (name, *_), earlier in done.items():
                if name == request.file_name and earlier.upload is not None:
                    earlier.upload.pending = None  # only the latest check keeps its rows
            done[key] = upload_flow.check(request)
    return done[key]


def mapping_form(
    state: UploadState, data: bytes, file_name: str, kind: str, sheet: str | None, checked: Checked
) -> None:
    """Pick the field for each column of the file; the choice is used for the next check."""
    headers = upload_flow.file_headers(data, file_name, sheet)
    if not headers:
        st.info("No header row was found in this file to choose columns from.")
        return
    current = state.mapping or upload_flow.detected_mapping(checked)
    fields = upload_flow.field_choices(kind)
    with st.form(state.mapping_form_key):
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
                key=state.map_key(index),
            )
        if st.form_submit_button("Check again with these columns"):
            state.choose_mapping(chosen)
            st.rerun()


def rollback_controls(history: pd.DataFrame, person: roles.Access) -> None:
    """Undo one upload (after a confirmation), or remove every demo upload in one step."""
    undo = UploadState.UNDO
    if message := undo.take_message():
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
    if undo.chosen not in labels:  # undone, or not this person's to undo
        undo.forget_choice()
    chosen = st.selectbox("Undo an upload", list(labels), format_func=labels.get, key=undo.key)

    @st.dialog("Undo this upload?", on_dismiss=undo.dismiss)
    def confirm(upload_id: int) -> None:
        st.write(
            f"Upload {markdown_literal(labels[upload_id])} will leave the figures, and the rows "
            "it replaced come back. The upload stays in the history as rolled back."
        )
        yes, no = st.columns(2)
        if yes.button("Undo it", type="primary", key=undo.confirm_key):
            result = rollback(settings.db_path(), upload_id, person.who)
            undo.done(
                f"Upload {upload_id} rolled back: {result['removed']:,} rows left the figures, "
                f"{result['restored']:,} rows it had replaced are back."
            )
            st.rerun()
        if no.button("Keep it", key=undo.cancel_key):
            undo.dismiss()
            st.rerun()

    if st.button("Undo…", key=undo.open_key, icon=":material/undo:"):
        undo.ask(chosen)
    if undo.pending in labels:
        confirm(undo.pending)
    if person.may(roles.ADMIN):
        erase_controls(history, person)
    demo = bool((history["Demo"] & (history["Status"] == "active")).any())
    if (
        demo
        and person.may(roles.ADMIN)
        and st.button("Remove the demo data", key=UploadState.REMOVE_DEMO, icon=":material/delete:")
    ):
        removed = remove_demo(settings.db_path(), person.who)
        st.success(f"Removed {len(removed)} demo uploads.")


def erase_controls(history: pd.DataFrame, person: roles.Access) -> None:
    """An admin deletes an upload's rows for good, after typing its number to confirm."""
    erasing = UploadState.ERASE
    if message := erasing.take_message():
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
        key=erasing.key,
        help="Deletes the upload's rows from the database, not only their effect; the upload "
        "stays in the history as erased, and the log records who erased it.",
    )

    @st.dialog("Erase this upload for good?", on_dismiss=erasing.dismiss)
    def confirm(upload_id: int) -> None:
        st.write(
            f"The rows of upload {markdown_literal(labels[upload_id])} will be deleted and "
            "cannot be brought back. Type the upload number to confirm."
        )
        typed = st.text_input("Upload number", key=erasing.typed_key)
        if st.button(
            "Erase it",
            type="primary",
            key=erasing.confirm_key,
            disabled=typed != str(upload_id),
        ):
            deleted = erase(settings.db_path(), upload_id, person.who)
            erasing.done(f"Upload {upload_id} erased: {deleted:,} rows deleted.")
            st.rerun()

    if st.button("Erase…", key=erasing.open_key, icon=":material/delete_forever:"):
        erasing.ask(chosen)
    if erasing.pending in labels:
        confirm(erasing.pending)
