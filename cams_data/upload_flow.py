"""The upload page's work: check a file without saving, show what was understood, then save.

Everything goes through `ingest`, the same path as `python -m cams_data ingest`: a check is an
ingest with `save=False` (the whole file is read, validated and written in a transaction that is
then rolled back, so the figures shown, rows replaced included, are exactly what saving gives),
and Save writes the rows that check validated (`ingest.save_checked`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from cams_data import dashboard, export, formatting, indicators, periods, settings, store
from cams_data.disclosure import Audience
from cams_data.ingest import Upload, UploadRequest, ingest, save_checked
from cams_data.kinds import KINDS
from cams_data.problems import MissingColumn, Problem, Refused
from cams_data.store import DatabaseBusy


@dataclass
class Checked:
    """One file, checked: what was understood (`upload`), and why it cannot be saved as is."""

    file_name: str
    upload: Upload | None
    refusal: str | None
    problems: list[Problem]
    missing: MissingColumn | None = None  # the file lacks a column: choose one, then check again

    @property
    def can_save(self) -> bool:
        return self.upload is not None and self.refusal is None

    @property
    def counted(self) -> bool:
        """Its rows were counted: it is not refused as a whole (a column missing, say)."""
        return self.upload is not None and (self.refusal is None or bool(self.problems))

    @property
    def can_skip_invalid(self) -> bool:
        return (
            self.upload is not None
            and bool(self.problems)
            and KINDS[self.upload.kind].allows_partial
        )


def _checked(file_name: str, run: Callable[[], Upload]) -> Checked:
    """What `run` (an ingest, or a save of a checked upload) understood, or why it refused."""
    try:
        upload = run()
    except Refused as refusal:
        return Checked(
            file_name, refusal.upload, refusal.message, refusal.problems, refusal.missing
        )
    except DatabaseBusy as busy:
        return Checked(file_name, None, str(busy), [])
    return Checked(file_name, upload, None, upload.problems)


def check(request: UploadRequest) -> Checked:
    """Read, validate and count a file as saving would, and save nothing."""
    only_checking = dataclasses.replace(request, save=False)
    return _checked(request.file_name, lambda: ingest(only_checking))


def save(request: UploadRequest, checked: Checked | None = None) -> Checked:
    """Save a file in one transaction; a refusal leaves the database exactly as it was.

    Given the file's `checked` result, what the check showed is what is saved: its validated
    rows are written as they are, without reading the file again (a large export saves in a
    fraction of the time). Otherwise, or when the check no longer holds its rows, the file is
    read again with the request's choices, as `check` was.
    Column choices made in the mapping form are remembered for this header row, so the next file
    with the same headers loads without asking."""
    if checked is not None and checked.can_save and checked.upload.pending is not None:
        upload = checked.upload
        return _checked(
            request.file_name,
            lambda: save_checked(
                upload, db=request.db, uploaded_by=request.uploaded_by, progress=request.progress
            ),
        )
    return _checked(request.file_name, lambda: ingest(request))


def file_headers(data: bytes, file_name: str, sheet: str | None = None) -> list[str]:
    """The header row of the file's data sheet, for the mapping form."""
    from cams_data.ingest import _choose_sheet
    from cams_data.read import read_file
    from cams_data.shape import header_texts

    try:
        workbook = read_file(data, file_name, settings.config())
        return header_texts(_choose_sheet(workbook.sheets, sheet, None, file_name))
    except Refused:
        return []


def field_choices(kind: str) -> list[str]:
    """The fields a column of this kind can fill ('' for 'not stored')."""
    the_kind = KINDS[kind]
    return ["", *(f.name for f in (*the_kind.fields, *the_kind.identifiers))]


def detected_mapping(checked: Checked) -> dict[str, str]:
    """What each column was understood as: header -> field ('' when not stored), with the column
    that looks like a missing field chosen for it."""
    if checked.upload is None:
        return {}
    mapping = {c.header: (c.field if c.field else "") for c in checked.upload.columns}
    if checked.missing and checked.missing.suggested_header:
        mapping[checked.missing.suggested_header] = checked.missing.field
    return mapping


def figures(upload: Upload) -> dict[str, str]:
    """The counts an officer checks before saving, as labelled text."""
    per = " (one per answer)" if KINDS[upload.kind].wide_questions else ""
    cells = upload.invisible_cells
    removed = (
        {"Control characters removed": f"{cells:,} cell{'' if cells == 1 else 's'}"}
        if cells
        else {}
    )
    added = upload.breakdown_cells_added
    breakdowns = (
        {"Breakdown cells added up": f"{added:,} into {_count(upload.breakdown_sums, 'figure')}"}
        if added
        else {}
    )
    hidden = len(upload.suppressed_cells)
    suppressed = {"Suppressed cells left out": f"{hidden:,}"} if hidden else {}
    return {
        "Rows read": f"{upload.rows_read:,}",
        f"Rows to load{per}": f"{upload.rows_loaded:,}",
        (
            "Rows with the same labels added up"
            if KINDS[upload.kind].sum_duplicates
            else "Exact duplicates folded"
        ): f"{upload.duplicates_folded:,}",
        **breakdowns,
        "Rows already loaded it replaces": f"{upload.rows_superseded:,}",
        "Rows with problems": f"{upload.rows_skipped:,}",
        "Total and note rows not counted": f"{upload.subtotal_rows + upload.note_rows:,}",
        **suppressed,
        **removed,
    }


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def understood(upload: Upload) -> str:
    """One sentence: the kind, sheet, header row and the period the file covers."""
    how = " (detected from the headers)" if upload.kind_detected else ""
    if upload.covers_from:
        covers = f"covering {formatting.day(upload.covers_from)} to "
        covers += formatting.day(upload.covers_to)
    elif wave := upload.options.get("wave") or upload.wave_from_dates:
        covers = f"survey wave {wave}"
    else:
        covers = "with no dates"
    hidden = " (hidden in the workbook: no visible sheet holds a table)"
    return (
        f"Understood as **{KINDS[upload.kind].title}**{how}, sheet "
        f"**{formatting.markdown_literal(upload.sheet)}**"
        f"{hidden if upload.hidden_sheet else ''}, header on row {upload.header_row}, {covers}."
    )


def columns_table(upload: Upload) -> pd.DataFrame:
    """How each column of the file was understood: the field it fills, or 'not stored'."""
    return pd.DataFrame(
        {
            "Column in the file": [c.header for c in upload.columns],
            "Stored as": [c.field if c.stored else "not stored" for c in upload.columns],
            "Note": [c.note for c in upload.columns],
        }
    )


def problems_table(problems: list[Problem]) -> pd.DataFrame:
    """Problems by row and column, in the spreadsheet's own row numbers, each with its type
    (a key of `problems.SENTENCES`) to filter the list by."""
    return pd.DataFrame(
        {
            "Sheet": [p.sheet or "" for p in problems],
            "Row": pd.array([p.row for p in problems], dtype="Int64"),
            "Column": [p.column or "" for p in problems],
            "Type": [p.code or "" for p in problems],
            "Problem": [p.message for p in problems],
        }
    )


def problems_csv(problems: list[Problem]) -> bytes:
    """The problem list as a CSV to download and work through; cells are text, never formulas."""
    return export.csv(problems_table(problems))


def headline_changes(
    before: list[dashboard.ShownObjective], after: list[dashboard.ShownObjective]
) -> pd.DataFrame:
    """The headline indicators an upload moved, before and after, as the Overview shows them
    (an upload that made the database moved them from 'no data yet')."""
    was = {(o.objective.number, s.id): s.value for o in before for s in o.headline}
    rows = [
        {
            "Objective": objective.objective.number,
            "Indicator": shown.label,
            "Before": was.get((objective.objective.number, shown.id), formatting.NO_DATA),
            "Now": shown.value,
        }
        for objective in after
        for shown in objective.headline
        if was.get((objective.objective.number, shown.id), formatting.NO_DATA) != shown.value
    ]
    return pd.DataFrame(rows, columns=["Objective", "Indicator", "Before", "Now"])


def headline_period(db: Path, upload: Upload | None) -> str | None:
    """Where an upload's changes show: the quarter its latest date falls in, else (a survey
    wave has no dates of its own) the period the Overview opens on before the upload, which
    the upload may move on; None while there is no database."""
    if upload is not None and upload.covers_to is not None:
        return periods.quarter_of(upload.covers_to).label
    if not db.exists():
        return None
    with store.connect(db, read_only=True) as con:
        return dashboard.default_period(con)


def headline(db: Path, period: str | None = None) -> list[dashboard.ShownObjective]:
    """Every objective's figures for `period` (else the period the Overview opens on) as the
    meeting view shows them."""
    if not db.exists():
        return []
    with store.connect(db, read_only=True) as con:
        chosen = period or dashboard.default_period(con)
        return dashboard.shown_progress(con, chosen, None, Audience.MEETING)


def history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every upload, newest first: kind, file, who, when, rows, status, what it replaced."""
    table = store.uploads(con).sort_values("upload_id", ascending=False)
    return pd.DataFrame(
        {
            "Upload": table["upload_id"],
            "What": [KINDS[k].title for k in table["kind"]],
            "File": table["file_name"],
            "By": table["uploaded_by"],
            "When": table["uploaded_at"],
            "Rows stored": table["rows_loaded"],
            "Rows replaced": table["rows_superseded"],
            "Replaced uploads": [
                ", ".join(map(str, u)) if u is not None and len(u) else ""
                for u in table["superseded_uploads"]
            ],
            "Status": [formatting.upload_status(u) for u in table.to_dict("records")],
            "Demo": table["is_demo"],
        }
    )


def audit_log(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Who uploaded, rolled back and erased what, and when; newest first."""
    return con.execute(
        """SELECT logged_at AS "When", who AS "Who", action AS "What", upload_id AS "Upload",
                  detail AS "Detail"
           FROM audit_log ORDER BY logged_at DESC"""
    ).df()


def settings_table() -> pd.DataFrame:
    """The configuration in force (`cams.toml`, or the file CAMS_CONFIG names), as text."""
    config = settings.config()
    rows = {
        "Configuration file": str(settings.config_path()),
        "Database": str(settings.db_path()),
        "Objectives file": str(indicators.objectives_path()),
        "Local area (referrals)": config.default_geography,
        "Default organisation": config.default_organisation,
        "Largest upload (MB)": f"{config.max_upload_mb:g}",
        "Free-text survey answers stored": "yes" if config.store_free_text else "no",
        "Admins": ", ".join(config.admins) or "none listed",
        "Officers": ", ".join(config.officers) or "none listed",
        "Viewers": ", ".join(config.viewers) or "none listed",
    }
    return pd.DataFrame({"Setting": list(rows), "Value": list(rows.values())})
