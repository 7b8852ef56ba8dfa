"""Upload: check each spreadsheet before anything is saved, then save it; undo an upload."""

import dataclasses
from pathlib import Path

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from cams_data import cache, roles, settings, signed_in, templates, ui, upload_flow, upload_widgets
from cams_data.formatting import markdown_literal
from cams_data.ingest import UploadRequest
from cams_data.kinds import KINDS
from cams_data.upload_state import UploadState
from cams_data.validate import Options

ui.ensure_router()
person = signed_in.require(roles.OFFICER)
db = settings.db_path()
st.title("Upload spreadsheets")
st.caption(
    "Each file is read and checked in full before anything is saved: you see what was "
    "understood, what is wrong, and how many rows would be loaded or replaced. Nothing is "
    f"saved until you press Save. Uploads are recorded as {person.who}."
)

with st.expander("What each kind of file should contain, and templates", icon=":material/help:"):
    for name, kind in KINDS.items():
        st.markdown(f"**{kind.title}**: {kind.help}")
        st.download_button(
            f"Template for {kind.title.lower()} (.xlsx)",
            templates.template_bytes(name),
            file_name=f"cams_template_{name}.xlsx",
            key=UploadState.template_key(name),
            icon=":material/download:",
        )

files = st.file_uploader(
    "Spreadsheets (.xlsx, .xls, .ods or .csv)",
    type=["xlsx", "xls", "ods", "csv"],
    accept_multiple_files=True,
    key=UploadState.FILES,
)


def check_and_save(number: int, file: UploadedFile, db: Path, who: str) -> None:
    """One uploaded file: the choices about it, what was understood, its problems, the column
    mapping and Save. Its widgets' keys end in `number`, its place among the files."""
    state = UploadState(number)
    data = file.getvalue()
    with st.container(border=True):
        st.subheader(markdown_literal(file.name))
        kind = st.selectbox(
            "Kind of data",
            [None, *KINDS],
            format_func=lambda k: "Detect from the headers" if k is None else KINDS[k].title,
            key=state.kind_key,
        )
        sheet = state.sheet  # chosen below, once the sheets are known
        given = {}
        # the detected kind's fields show once the first check has detected it
        shown_kind = kind or state.detected
        for option in KINDS[shown_kind].upload_options if shown_kind else ():
            key = state.option_key(option.name)
            if option.choices:
                given[option.name] = st.selectbox(option.label, [None, *option.choices], key=key)
            else:
                given[option.name] = st.text_input(option.label, key=key)
        skip = state.skip_invalid
        options = Options(**{k: v or None for k, v in given.items()})
        request = UploadRequest(
            data,
            file.name,
            db=db,
            kind=kind,
            sheet=sheet,
            options=options,
            skip_invalid=skip,
            mapping=state.mapping,
            uploaded_by=who,
        )
        checked = upload_widgets.checked(request)
        upload = checked.upload
        if upload is not None and upload.kind != shown_kind and kind is None:
            state.detect(upload.kind)
            st.rerun()

        if upload is not None:
            st.markdown(upload_flow.understood(upload))
            if upload.date_order:
                st.caption(markdown_literal(upload.date_order))
            for warning in upload.warnings:
                st.warning(markdown_literal(warning), icon=":material/warning:")
            for note in upload.named_in_file_notes():
                st.info(markdown_literal(note), icon=":material/description:")
            if defaults := upload.defaults_note():
                st.warning(markdown_literal(defaults), icon=":material/warning:")
            if suppressed := upload.suppressed_note():
                st.warning(markdown_literal(suppressed), icon=":material/warning:")
            if len(upload.sheets) > 1:
                st.selectbox(
                    "Sheet",
                    [None, *upload.sheets],
                    format_func=lambda name: (
                        "The sheet that holds the data" if name is None else name
                    ),
                    key=state.sheet_key,
                )
            if upload.mapping_remembered:
                st.info(
                    "Columns read as chosen for a file with the same headers before.",
                    icon=":material/history:",
                )
            if upload.status == "unchanged":
                st.info(
                    f"This file is already loaded (upload {upload.upload_id}): saving it again "
                    "would change nothing.",
                    icon=":material/check_circle:",
                )
            shown = list(upload_flow.figures(upload).items()) if checked.counted else []
            for start in range(0, len(shown), 3):
                for column, (label, value) in zip(
                    st.columns(3), shown[start : start + 3], strict=False
                ):
                    column.metric(label, value, border=True)
            with st.expander("How each column was understood", icon=":material/view_column:"):
                st.dataframe(
                    upload_flow.columns_table(upload), hide_index=True, key=state.columns_key
                )
            if checked.counted:
                with st.expander("The first rows, as they will be stored", icon=":material/table:"):
                    st.dataframe(upload.preview, hide_index=True, key=state.preview_key)

        if checked.problems:
            st.error(
                markdown_literal(checked.refusal or "Some rows have problems."),
                icon=":material/error:",
            )
            st.dataframe(
                upload_flow.problems_table(checked.problems[:200]),
                hide_index=True,
                key=state.problems_key,
            )
            st.download_button(
                f"Download the list of {len(checked.problems)} "
                f"problem{'' if len(checked.problems) == 1 else 's'} (.csv)",
                upload_flow.problems_csv(checked.problems),
                file_name=f"problems_{file.name}.csv",
                key=state.problems_csv_key,
                icon=":material/download:",
            )
        elif checked.refusal:
            st.error(markdown_literal(checked.refusal), icon=":material/error:")
        unreadable = checked.refusal is not None and upload is None and kind is not None
        form_kind = upload.kind if upload is not None else kind  # chosen, or detected
        if (
            unreadable
            or checked.missing
            or st.toggle("Choose how the columns are read", key=state.map_open_key)
        ):
            if form_kind is None:
                st.info("Choose the kind of data above first.")
            else:
                upload_widgets.mapping_form(state, data, file.name, form_kind, sheet, checked)
        if checked.can_skip_invalid or skip:
            st.checkbox(
                "Load only the valid rows (the skipped rows are recorded with the upload)",
                key=state.skip_key,
            )

        ready = checked.can_save and upload.status != "unchanged"
        if st.button(f"Save {file.name}", key=state.save_key, type="primary", disabled=not ready):
            bar = st.progress(0.0, text="Starting")
            quarter = upload_flow.headline_period(db, upload)
            before = upload_flow.headline(db, quarter)
            showing_progress = dataclasses.replace(
                request, progress=lambda fraction, what: bar.progress(fraction, text=what)
            )
            saved = upload_flow.save(showing_progress, checked)
            if saved.can_save:
                done = saved.upload
                UploadState.UNDO.choose(done.upload_id)  # the undo list below offers it
                st.success(
                    f"Saved as upload {done.upload_id}: {done.rows_loaded:,} rows loaded, "
                    f"{done.rows_superseded:,} rows it replaces.",
                    icon=":material/check_circle:",
                )
                after = upload_flow.headline(db, quarter)
                changes = upload_flow.headline_changes(before, after)
                when = quarter or "the Overview's period"
                if changes.empty:
                    st.caption(f"No headline figure for {when} changed.")
                else:
                    st.markdown(f"**Headline figures it changed for {when}**")
                    st.dataframe(changes, hide_index=True, key=state.changes_key)
            else:
                st.error(markdown_literal(f"Not saved: {saved.refusal}"), icon=":material/error:")


for number, file in enumerate(files or []):
    check_and_save(number, file, db, person.who)

st.header("Upload history")
history = cache.get(upload_flow.history)
if history.empty:
    st.info("Nothing has been uploaded yet.")
else:
    st.dataframe(
        history,
        hide_index=True,
        key=UploadState.HISTORY,
        column_config={
            "When": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH:mm"),
            "Demo": st.column_config.CheckboxColumn(),
        },
    )
    upload_widgets.rollback_controls(history, person)
