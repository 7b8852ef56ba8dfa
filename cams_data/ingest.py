"""One upload, start to finish: read, understand, validate, then save in one transaction.

The CLI, the demo loader and the app's upload page all come through `ingest`. Nothing is written
until the whole file has been read and validated; a refusal leaves the database as it was.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import getpass
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from cams_data import settings, store
from cams_data.kinds import KINDS, UPLOAD_OPTIONS, Kind
from cams_data.periods import add_months
from cams_data.problems import Problem, Refused
from cams_data.publisher_totals import TotalsCheck
from cams_data.read import Reading
from cams_data.shape import ColumnUse, find_table, header_texts, shape
from cams_data.validate import NamedInFile, Options, Validated, validate

PREVIEW_ROWS = 20


@dataclass(frozen=True)
class UploadRequest:
    """One file to upload and everything said about it: what `ingest` reads, checks and saves.

    The file: `data`, its bytes, and `file_name`, whose extension says how to read them; `db`,
    the database to save into (the first save creates it).
    What the officer chose, each found from the file when None: `kind` (a name in KINDS, else
    detected from the headers), `sheet` (else the one holding a kind's table), `options` (values
    for the whole file it lacks: organisation, period, wave...) and `mapping` (header -> field,
    from the mapping form, else as remembered for the same headers); and `skip_invalid`, to load
    only the valid rows of a file with row problems.
    Who: `uploaded_by` is recorded with the upload (the system's user when None); `is_demo`
    marks demo data, which `remove_demo` takes away in one step.
    `save` False only checks: the rows are written in a transaction that is rolled back, so what
    is shown is exactly what saving gives. `today` is the date the file's dates are reckoned
    against (defaults, plausible dates); the real date when None. `progress(fraction, what)` is
    told as each step starts, for a progress bar. `reading` is the file's `Reading` when the
    caller has already started one (the CLI, to import meanwhile).
    """

    data: bytes
    file_name: str
    _: KW_ONLY
    db: Path
    kind: str | None = None
    sheet: str | None = None
    options: Options | None = None
    mapping: dict[str, str] | None = None
    skip_invalid: bool = False
    uploaded_by: str | None = None
    is_demo: bool = False
    save: bool = True
    today: date | None = None
    progress: Callable[[float, str], None] | None = None
    reading: Reading | None = None


@dataclass
class Pending:
    """What saving a checked upload writes: its rows as validated, and how it is known again."""

    kind: Kind
    rows: pd.DataFrame
    sha256: str
    identity: str


@dataclass
class Upload:
    """What an upload understood, found wrong and changed: shown before and after saving."""

    file_name: str
    kind: str
    kind_detected: bool
    sheet: str
    sheets: list[str]
    header_row: int
    columns: list[ColumnUse]
    rows_read: int
    rows_loaded: int
    duplicates_folded: int  # the same row twice
    subtotal_rows: int
    note_rows: int
    rows_skipped: int
    problems: list[Problem]
    identifiers: dict[str, int]
    options: dict[str, str]
    covers_from: date | None
    covers_to: date | None
    preview: pd.DataFrame
    status: str = "preview"  # preview, loaded or unchanged
    upload_id: int | None = None
    rows_superseded: int = 0
    superseded_uploads: list[int] = field(default_factory=list)
    free_text_questions: list[str] = field(default_factory=list)
    wave_from_dates: str | None = None
    date_order: str | None = None  # how a survey's response dates were read, and why
    warnings: list[str] = field(default_factory=list)  # to weigh before saving
    mapping: dict[str, str] = field(default_factory=dict)  # the officer's column choices
    mapping_remembered: bool = False  # ...recalled from an earlier upload of these headers
    invisible_cells: int = 0  # cells of the sheet that lost control or invisible characters
    hidden_sheet: bool = False  # the table was read from a sheet hidden in the workbook
    header_key: str = ""
    breakdown_cells_added: int = 0  # rows differing only in breakdowns not kept, added up...
    breakdown_sums: int = 0  # ... into this many figures
    breakdowns: list[str] = field(default_factory=list)  # the headers of those breakdowns
    # Values for the whole file that neither its columns nor the upload gave (field -> ...):
    named_in_file: dict[str, NamedInFile] = field(default_factory=dict)  # its own text
    names_several: dict[str, list[str]] = field(default_factory=dict)  # so none was taken
    defaults_used: dict[str, str] = field(default_factory=dict)
    # Suppressed cells of a published table left out, read as unknown: (row, column, mark).
    suppressed_cells: list[tuple[int, str, str]] = field(default_factory=list)
    publisher_totals: TotalsCheck = field(default_factory=TotalsCheck)
    pending: Pending | None = field(default=None, repr=False, compare=False)

    def summary(self) -> str:
        kind = KINDS[self.kind]
        how = "detected from the headers" if self.kind_detected else "as asked"
        lines = {
            "loaded": f"Loaded {self.file_name} as upload {self.upload_id}.",
            "unchanged": f"{self.file_name} is already loaded (upload {self.upload_id}), "
            "so nothing changed.",
            "preview": f"{self.file_name} is ready to load (nothing saved yet).",
        }[self.status]
        out = [
            lines,
            f"Kind: {self.kind} ({kind.title}), {how}.",
            f"Sheet: '{self.sheet}', header on row {self.header_row}.",
        ]
        if self.hidden_sheet:
            out.append(
                f"Read from the hidden sheet '{self.sheet}': no visible sheet holds a table."
            )
        if self.options:
            out.append("Given at upload: " + ", ".join(f"{k} {v}" for k, v in self.options.items()))
        if self.wave_from_dates:
            out.append(f"Survey wave {self.wave_from_dates}, taken from the response dates.")
        if self.date_order:
            out.append(self.date_order)
        out += [f"Warning: {warning}" for warning in self.warnings]
        if self.warnings and self.status == "loaded":
            out.append(f"If it is wrong, undo it: python -m cams_data rollback {self.upload_id}")
        out += self.named_in_file_notes()
        if defaults := self.defaults_note(options_as="cli"):
            out.append(defaults)
        folded = (
            "rows with the same labels added up"
            if kind.sum_duplicates
            else "duplicates folded (the same row twice)"
        )
        added = (
            f"breakdown cells added up ({', '.join(self.breakdowns)}): "
            f"{self.breakdown_cells_added} into {self.breakdown_sums}; "
            if self.breakdowns
            else ""
        )
        out.append(
            f"Rows read: {self.rows_read}; rows to store: {self.rows_loaded}; "
            f"{folded}: {self.duplicates_folded}; {added}"
            f"rows with problems skipped: {self.rows_skipped}; total rows not counted: "
            f"{self.subtotal_rows}; notes and blank rows: {self.note_rows}."
        )
        if suppressed := self.suppressed_note():
            out.append(suppressed)
        if totals := self.publisher_totals.note():
            out.append(totals)
        if self.invisible_cells:
            out.append(f"Control characters removed: {_count(self.invisible_cells, 'cell')}.")
        out.append(
            f"Rows already stored that this upload replaces: {self.rows_superseded}"
            + (
                f" (from uploads {', '.join(map(str, self.superseded_uploads))})"
                if self.superseded_uploads
                else ""
            )
            + "."
        )
        if self.covers_from:
            out.append(f"Covers {self.covers_from:%d/%m/%Y} to {self.covers_to:%d/%m/%Y}.")
        if self.identifiers:
            out.append(
                "People told apart by: "
                + ", ".join(f"{label} ({n} rows)" for label, n in self.identifiers.items())
                + "."
            )
        out.append("Columns:")
        for column in self.columns:
            target = f" -> {column.field}" if column.stored else ""
            out.append(f"  '{column.header}'{target}: {column.note}")
        if self.problems:
            out.append(f"Problems ({len(self.problems)}), rows skipped:")
            out += [f"  - {p}" for p in self.problems[:20]]
        return "\n".join(out)

    def named_in_file_notes(self) -> list[str]:
        """Values for the whole file that its own text names, and where."""
        out = [
            f"{_label(name)} {named.value}: named in the file ({named.where}: '{named.text}')."
            for name, named in self.named_in_file.items()
        ]
        for name, values in self.names_several.items():
            names = " and ".join(f"'{v}'" for v in values)
            out.append(f"The file names more than one {_label(name).lower()} ({names}).")
        return out

    def suppressed_note(self) -> str | None:
        """The suppressed cells left out: the figures stored over them add up to less than
        the publisher's totals, which count the hidden figures."""
        if not self.suppressed_cells:
            return None
        shown = [
            f"row {row}, column '{column}': '{mark}'"
            for row, column, mark in self.suppressed_cells[:SUPPRESSED_LISTED]
        ]
        if more := len(self.suppressed_cells) - len(shown):
            shown.append(f"and {more} more")
        return (
            f"Suppressed cells left out, read as unknown (not as zero): "
            f"{_count(len(self.suppressed_cells), 'cell')} ({'; '.join(shown)}). Totals over "
            "them will be less than the publisher's, which count the hidden figures."
        )

    def defaults_note(self, options_as: str = "fields") -> str | None:
        """The defaults used for what neither the file nor the upload gave: they can put a
        force's or the nation's figures into local counts. `options_as` 'cli' names the
        command line's options."""
        if not self.defaults_used:
            return None
        used = ", ".join(f"{_label(k).lower()} {v}" for k, v in self.defaults_used.items())
        where = (
            " (" + ", ".join(_flag(self.kind, k) for k in self.defaults_used) + ")"
            if options_as == "cli"
            else ""
        )
        return (
            f"Defaults used, as neither the file nor the upload gives them: {used}. If the "
            f"figures are for another area or of another kind, give them at upload{where}."
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "status": self.status,
            "upload_id": self.upload_id,
            "file_name": self.file_name,
            "kind": self.kind,
            "kind_detected": self.kind_detected,
            "sheet": self.sheet,
            "hidden_sheet": self.hidden_sheet,
            "header_row": self.header_row,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "duplicates_folded": self.duplicates_folded,
            "breakdown_cells_added": self.breakdown_cells_added,
            "breakdown_sums": self.breakdown_sums,
            "breakdowns_added_up": self.breakdowns,
            "named_in_file": {
                name: {"value": named.value, "where": named.where, "text": named.text}
                for name, named in self.named_in_file.items()
            },
            "names_several": self.names_several,
            "defaults_used": self.defaults_used,
            "suppressed_cells": [
                {"row": row, "column": column, "mark": mark}
                for row, column, mark in self.suppressed_cells
            ],
            "publisher_totals": self.publisher_totals.as_dict(),
            "subtotal_rows": self.subtotal_rows,
            "note_rows": self.note_rows,
            "rows_skipped": self.rows_skipped,
            "control_characters_removed": self.invisible_cells,
            "rows_superseded": self.rows_superseded,
            "superseded_uploads": self.superseded_uploads,
            "options": self.options,
            "wave_from_dates": self.wave_from_dates,
            "date_order": self.date_order,
            "warnings": self.warnings,
            "identifiers": self.identifiers,
            "covers_from": self.covers_from.isoformat() if self.covers_from else None,
            "covers_to": self.covers_to.isoformat() if self.covers_to else None,
            "columns": [
                {"header": c.header, "field": c.field if c.stored else None, "note": c.note}
                for c in self.columns
            ],
            "problems": [p.as_dict() for p in self.problems],
        }


def ingest(request: UploadRequest) -> Upload:
    """Read and validate a file in full, then (unless only checking) store it in one transaction.

    A refusal over row problems or a missing column carries what was understood of the file as
    `refusal.upload`, and one over a missing column says which (`refusal.missing`).
    """
    file_name, db, kind, mapping = request.file_name, request.db, request.kind, request.mapping
    step = request.progress or (lambda fraction, what: None)
    options = request.options or Options()
    today = request.today or date.today()
    config = settings.config()
    if kind and kind not in KINDS:
        raise Refused(
            file_name,
            f"'{kind}' is not a kind of spreadsheet the dashboard knows "
            f"(expected one of: {', '.join(KINDS)}).",
            code="unknown-kind",
        )
    step(0.05, "Reading the file")
    workbook = (request.reading or Reading(request.data, file_name, config)).workbook()
    chosen = _choose_sheet(workbook.sheets, request.sheet, kind, file_name, mapping)
    header_key = store.header_key(header_texts(chosen))
    remembered = False
    if mapping is None and Path(db).exists():  # a refused file never creates the database
        with store.connect(Path(db), read_only=True) as con:
            found = store.remembered_mapping(con, header_key)
        if found and kind in (None, found[0]):
            kind, mapping, remembered = found[0], found[1], True
    step(0.3, "Finding the table and its columns")
    shaped = shape(chosen, file_name, kind, config.store_free_text, mapping)
    key = settings.pseudonym_key(Path(db))
    step(0.45, "Checking every row")

    def understood(validated: Validated) -> Upload:
        rows = validated.rows
        covers_from, covers_to = _coverage(shaped.kind, rows) if not rows.empty else (None, None)
        return Upload(
            file_name=file_name,
            kind=shaped.kind.name,
            kind_detected=shaped.detected,
            sheet=shaped.sheet,
            sheets=[s.name for s in workbook.sheets],
            hidden_sheet=chosen.hidden,
            header_row=shaped.header_row,
            columns=shaped.columns,
            rows_read=validated.rows_read,
            rows_loaded=len(rows),
            duplicates_folded=validated.duplicates_folded,
            subtotal_rows=shaped.subtotal_rows,
            note_rows=shaped.note_rows,
            rows_skipped=validated.rows_skipped,
            problems=validated.problems,
            identifiers=validated.identifiers,
            options=options.given(),
            covers_from=covers_from,
            covers_to=covers_to,
            preview=rows.head(PREVIEW_ROWS).drop(columns="row_no", errors="ignore"),
            free_text_questions=shaped.free_text_questions,
            wave_from_dates=validated.wave_from,
            date_order=validated.date_order,
            warnings=[*validated.warnings, *shaped.totals.warnings()],
            publisher_totals=shaped.totals,
            breakdown_cells_added=validated.breakdown_cells_added,
            breakdown_sums=validated.breakdown_sums,
            breakdowns=validated.breakdowns,
            named_in_file=validated.named_in_file,
            names_several=validated.names_several,
            defaults_used=validated.defaults_used,
            suppressed_cells=shaped.suppressed,
            mapping=dict(mapping or {}),
            mapping_remembered=remembered,
            header_key=header_key,
            invisible_cells=chosen.invisible_cells,
        )

    try:
        validated = validate(shaped, file_name, options, config, key, today)
    except Refused as refusal:  # a column missing: say what was understood of the file
        nothing = pd.DataFrame(columns=["row_no", *shaped.kind.view_columns])
        read = int(shaped.records["_row"].nunique())
        refusal.upload = understood(Validated(nothing, [], rows_read=read))
        raise
    the_kind = shaped.kind
    rows = validated.rows
    given = options.given()
    upload = understood(validated)
    identity = json.dumps({"sheet": shaped.sheet, **given}, sort_keys=True)
    upload.pending = Pending(the_kind, rows, hashlib.sha256(request.data).hexdigest(), identity)
    if validated.problems and not (request.skip_invalid and the_kind.allows_partial):
        them = "it" if len(validated.problems) == 1 else "them"
        advice = (
            f" Correct {them} and upload again, or load only the valid rows."
            if the_kind.allows_partial
            else f" Correct {them} and upload again: {the_kind.in_a_sentence} must load whole, "
            "or totals would be wrong."
        )
        refusal = Refused(
            file_name,
            f"{_count(len(validated.problems), 'problem')} found; nothing was saved." + advice,
            validated.problems,
            code="invalid-rows",
        )
        _count_what_valid_rows_replace(upload, db)
        refusal.upload = upload
        raise refusal
    if rows.empty:
        raise Refused(
            file_name,
            f"No rows of {the_kind.in_a_sentence} were found under the "
            f"header on row {shaped.header_row} of sheet '{shaped.sheet}'.",
            code="no-rows",
        )
    return _store(
        upload,
        db,
        save=request.save,
        is_demo=request.is_demo,
        who=request.uploaded_by or getpass.getuser(),
        step=step,
    )


def save_checked(
    checked: Upload,
    *,
    db: Path,
    uploaded_by: str | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Upload:
    """Save an upload checked with `save=False` exactly as it was shown, without reading and
    validating the file again: only the write, in one transaction, as `ingest` would do it."""
    if checked.pending is None:
        raise ValueError("This upload was not kept from its check; ingest the file again.")
    upload = dataclasses.replace(
        checked, status="preview", upload_id=None, rows_superseded=0, superseded_uploads=[]
    )
    step = progress or (lambda fraction, what: None)
    return _store(
        upload, db, save=True, is_demo=False, who=uploaded_by or getpass.getuser(), step=step
    )


def _count_what_valid_rows_replace(upload: Upload, db: Path) -> None:
    """The rows already stored that loading only the valid rows would replace, worked out as a
    check does (written, then rolled back): the same figure before the officer chooses to skip
    the invalid rows as after."""
    if upload.pending.rows.empty or not Path(db).exists():  # nothing stored: nothing replaced
        return
    counted = dataclasses.replace(upload)
    with contextlib.suppress(Refused, store.DatabaseBusy):  # the row problems are the news
        _store(counted, db, save=False, is_demo=False, who=getpass.getuser(), step=lambda *_: None)
        if counted.status == "preview":
            upload.rows_superseded = counted.rows_superseded
            upload.superseded_uploads = counted.superseded_uploads


def _store(upload: Upload, db: Path, *, save: bool, is_demo: bool, who: str, step) -> Upload:
    """Write a validated upload in one transaction (rolled back unless `save`)."""
    pending = upload.pending
    step(0.6, "Saving" if save else "Working out what would change")
    try:
        with store.connect(Path(db)) as con:
            if existing := store.active_upload_with_hash(
                con, pending.sha256, pending.kind.name, pending.identity
            ):
                upload.status, upload.upload_id, upload.rows_loaded = "unchanged", existing, 0
                return upload
            _write(con, upload, pending, is_demo, who, save)
    except (duckdb.Error, OSError) as error:
        if (refusal := _cannot_write(error, Path(db), upload.file_name)) is None:
            raise
        raise refusal from error
    if save:
        upload.pending = None  # saved: the rows are the database's now
    step(1.0, "Saved" if save else "Checked")
    return upload


DISK_FULL = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
READ_ONLY = (errno.EACCES, errno.EPERM, errno.EROFS)


def _cannot_write(error: Exception, db: Path, file_name: str) -> Refused | None:
    """The refusal to give an officer when the disk refused the database's writes, else None.

    DuckDB reports the system's error in its message only (its exceptions carry no errno).
    """
    code = getattr(error, "errno", None)
    text = str(error)
    if code in DISK_FULL or any(os_says in text for os_says in map(os.strerror, DISK_FULL)):
        return Refused(
            file_name,
            "The database could not be written: the disk is full or the database file is too "
            "large, so nothing was saved. Ask IT to free some space, then upload the file again.",
            code="disk-full",
        )
    if code in READ_ONLY or any(os_says in text for os_says in map(os.strerror, READ_ONLY)):
        return Refused(
            file_name,
            f"The database is read-only ({db} may not be changed by the dashboard's account), so "
            "nothing was saved. Ask IT to let the dashboard write to the database file and its "
            "folder, then upload the file again.",
            code="database-read-only",
        )
    return None


def _label(field_name: str) -> str:
    """'referral_type' -> 'Referral type'."""
    return field_name.replace("_", " ").capitalize()


def _flag(kind: str, field_name: str) -> str:
    """The command line's option for a field: '--referral-type'."""
    return UPLOAD_OPTIONS[KINDS[kind].field(field_name).option].flag


SUPPRESSED_LISTED = 5  # the suppressed cells the summary names, the rest counted


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _choose_sheet(sheets, sheet: str | None, kind: str | None, file_name: str, mapping=None):
    if sheet is not None:
        for candidate in sheets:
            if candidate.name == sheet:
                return candidate
        names = ", ".join(f"'{s.name}'" for s in sheets)
        raise Refused(
            file_name,
            f"There is no sheet '{sheet}' (the sheets are {names}).",
            code="no-such-sheet",
        )
    kinds = [KINDS[kind]] if kind else list(KINDS.values())
    scored = [(find_table(s, kinds, mapping), i, s) for i, s in enumerate(sheets)]
    # a visible sheet wins over a hidden one, which often holds old data kept aside
    found = [(not s.hidden, c.score, -i, s) for c, i, s in scored if c is not None]
    if not found:
        filled = [s for s in sheets if not s.cells.dropna(how="all").empty] or sheets
        return next((s for s in filled if not s.hidden), filled[0])
    return max(found, key=lambda item: item[:3])[3]


def _coverage(kind: Kind, rows: pd.DataFrame) -> tuple[date | None, date | None]:
    if "period_start" in rows:
        ends = [
            _month_end(s, m)
            for s, m in zip(rows["period_start"], rows["period_months"], strict=True)
        ]
        return min(rows["period_start"]), max(ends)
    dated = kind.dated_by and kind.field(kind.dated_by).type == "date"  # not a survey's wave
    dates = rows[kind.dated_by].dropna() if dated else pd.Series(dtype="object")
    if dates.empty:
        return None, None
    return min(dates), max(dates)


def _month_end(start: date, months: int) -> date:
    return add_months(start, int(months)) - timedelta(days=1)


def _write(con, upload: Upload, pending: Pending, is_demo: bool, who: str, save: bool) -> None:
    kind, rows, file_name = pending.kind, pending.rows, upload.file_name
    columns = ["row_no", *kind.view_columns]
    new_rows = rows[columns].copy()
    date_columns = [f.name for f in kind.fields if f.type == "date"]
    for name in (*date_columns, *(["period_start"] if "period_start" in columns else [])):
        new_rows[name] = pd.to_datetime(new_rows[name])
    con.execute("BEGIN TRANSACTION")
    try:
        # not a sequence: a check that is rolled back must not use up a number
        upload_id = con.execute("SELECT coalesce(max(upload_id), 0) + 1 FROM uploads").fetchone()[0]
        con.execute(
            f"CREATE TEMP TABLE current_before AS SELECT upload_id, row_no FROM {kind.name}_current"
        )
        con.execute(
            "INSERT INTO uploads (upload_id, kind, file_name, sha256, uploaded_at, uploaded_by, "
            "rows_read, rows_loaded, duplicates_folded, rows_superseded, rows_skipped, status, "
            "is_demo, sheet, options, identifiers, covers_from, covers_to) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 'active', ?, ?, ?, ?, ?, ?)",
            [
                upload_id,
                kind.name,
                file_name,
                pending.sha256,
                datetime.now(),
                who,
                upload.rows_read,
                upload.rows_loaded,
                upload.duplicates_folded,
                upload.rows_skipped,
                is_demo,
                upload.sheet,
                pending.identity,
                json.dumps(upload.identifiers),
                upload.covers_from,
                upload.covers_to,
            ],
        )
        con.register("new_rows", new_rows)
        names = ", ".join(columns)
        con.execute(
            f"INSERT INTO {kind.name}_rows (upload_id, {names}) "
            f"SELECT {upload_id}, {names} FROM new_rows"
        )
        con.unregister("new_rows")
        if kind.one_period_length_per:
            _refuse_overlapping_periods(con, kind, upload_id, file_name)
        store.refresh_current(con, kind)
        superseded = con.execute(f"""
            SELECT upload_id, count(*) FROM (
                SELECT upload_id, row_no FROM current_before
                EXCEPT ALL SELECT upload_id, row_no FROM {kind.name}_current)
            GROUP BY upload_id ORDER BY upload_id""").fetchall()
        upload.superseded_uploads = [u for u, _ in superseded]
        upload.rows_superseded = sum(n for _, n in superseded)
        con.execute(
            "UPDATE uploads SET rows_superseded = ?, superseded_uploads = ? WHERE upload_id = ?",
            [upload.rows_superseded, upload.superseded_uploads, upload_id],
        )
        if upload.problems:
            con.executemany(
                "INSERT INTO upload_problems "
                "(upload_id, sheet, row_no, column_name, message, code) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    [upload_id, p.sheet, p.row, p.column, p.recorded, p.code]
                    for p in upload.problems
                ],
            )
        if upload.mapping and not upload.mapping_remembered:
            store.remember_mapping(con, upload.header_key, kind.name, upload.mapping, who)
        store.log(con, who, "upload", upload_id, f"{kind.name}: {file_name}")
        con.execute("DROP TABLE current_before")
        if save:
            con.execute("COMMIT")
            upload.status, upload.upload_id = "loaded", upload_id
        else:
            con.execute("ROLLBACK")
    except BaseException:
        _roll_back(con)
        raise


def _roll_back(con) -> None:
    """Undo the open transaction, if any: DuckDB has undone one whose COMMIT failed (a full
    disk), and may refuse any statement after a failed write. Closing the connection, which
    follows, discards whatever is left uncommitted; the error that stopped the upload is the one
    raised."""
    with contextlib.suppress(duckdb.Error):
        con.execute("ROLLBACK")


def _refuse_overlapping_periods(con, kind: Kind, upload_id: int, file_name: str) -> None:
    """Monthly and quarterly rows may not cover the same month for the same series."""
    series = ", ".join(kind.one_period_length_per)
    clash = con.execute(
        f"""
        WITH months AS (
            SELECT {series}, period_months, upload_id, period_start,
                   unnest(generate_series(period_start,
                          period_start + to_months(period_months - 1), INTERVAL 1 MONTH)) AS month
            FROM ({store.view_select(kind)}))
        SELECT a.period_start, a.period_months, b.period_start, b.period_months, b.upload_id,
               u.file_name, {", ".join("a." + c for c in kind.one_period_length_per)}
        FROM months a JOIN months b USING ({series}, month) JOIN uploads u
             ON u.upload_id = b.upload_id
        WHERE a.upload_id = ? AND a.period_months <> b.period_months
        ORDER BY b.upload_id DESC, a.period_start LIMIT 1""",
        [upload_id],
    ).fetchone()
    if clash:
        start, months, other_start, other_months, other_id, other_file, *where = clash
        lengths = {1: "month", 3: "quarter", 12: "year"}
        source = "this same file" if other_id == upload_id else f"upload {other_id} ({other_file})"
        raise Refused(
            file_name,
            (
                f"This file has figures for the {lengths.get(months, f'{months} months')} starting "
                f"{start:%d/%m/%Y}, but {source} already has figures for the "
                f"{lengths.get(other_months, f'{other_months} months')} starting "
                f"{other_start:%d/%m/%Y} for {' / '.join(map(str, where))}. A month is counted "
                "either monthly or in a quarter, never both: roll back one of them, or give the "
                "figures at the same period length."
            ),
            code="overlapping-periods",
        )


def rollback(db: Path, upload_id: int, who: str | None = None) -> dict[str, int]:
    """Undo an upload: its rows leave the views and what it superseded comes back."""
    who = who or getpass.getuser()
    with store.connect(Path(db)) as con:
        row = con.execute(
            "SELECT kind, status FROM uploads WHERE upload_id = ?", [upload_id]
        ).fetchone()
        if row is None:
            raise LookupError(f"There is no upload {upload_id}.")
        kind, status = row
        if status != "active":
            raise LookupError(f"Upload {upload_id} is already {status.replace('_', ' ')}.")
        con.execute("BEGIN TRANSACTION")
        before = con.execute(f"SELECT count(*) FROM {kind}").fetchone()[0]
        removed = con.execute(
            f"SELECT count(*) FROM {kind} WHERE upload_id = ?", [upload_id]
        ).fetchone()[0]
        con.execute(
            "UPDATE uploads SET status = 'rolled_back', rolled_back_at = ?, "
            "rolled_back_by = ? WHERE upload_id = ?",
            [datetime.now(), who, upload_id],
        )
        store.refresh_current(con, KINDS[kind])
        after = con.execute(f"SELECT count(*) FROM {kind}").fetchone()[0]
        store.log(con, who, "rollback", upload_id, kind)
        con.execute("COMMIT")
    return {"removed": removed, "restored": after - (before - removed)}


def erase(db: Path, upload_id: int, who: str | None = None) -> int:
    """Delete an upload's rows for good (an admin's act, logged); returns the rows deleted.

    The upload stays in the history, marked erased. If it was active, the rows it had replaced
    come back, as after a rollback.
    """
    who = who or getpass.getuser()
    with store.connect(Path(db)) as con:
        row = con.execute(
            "SELECT kind, status FROM uploads WHERE upload_id = ?", [upload_id]
        ).fetchone()
        if row is None:
            raise LookupError(f"There is no upload {upload_id}.")
        kind, status = row
        if status == "erased":
            raise LookupError(f"Upload {upload_id} is already erased.")
        con.execute("BEGIN TRANSACTION")
        deleted = store.erase_rows(con, upload_id, kind, who)
        store.refresh_current(con, KINDS[kind])
        store.log(con, who, "erase", upload_id, f"{kind}: {deleted} rows deleted")
        con.execute("COMMIT")
    return deleted
