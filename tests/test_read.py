"""The reader and the whole ingest path, on every format and every bad file.

Good files load with the same figures whatever their format; bad files are refused with a
message an officer understands and leave the database exactly as it was.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import builders as b
import duckdb
import pytest
from conftest import ROOT, query, snapshot
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from cams_data import read
from cams_data.ingest import Upload, UploadRequest, ingest
from cams_data.problems import Refused
from cams_data.settings import Config
from cams_data.validate import Options

# --- helpers ---------------------------------------------------------------------------------


def load(path: Path, db: Path, name: str | None = None, **kwargs) -> Upload:
    return ingest(UploadRequest(Path(path).read_bytes(), name or Path(path).name, db=db, **kwargs))


def refusal(data: bytes, name: str, db: Path, **kwargs) -> Refused:
    with pytest.raises(Refused) as refused:
        ingest(UploadRequest(data, name, db=db, **kwargs))
    assert refused.value.file_name == name
    assert str(refused.value).startswith(f"{name}: ")  # the message says which file
    return refused.value


def recode_csv(data: bytes, *, delimiter: str, encoding: str) -> bytes:
    """A UTF-8 CSV saved again with another separator and encoding, as Excel would."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    if encoding == "utf-16":  # Excel's "Unicode text": UTF-16 LE with a BOM
        return b"\xff\xfe" + out.getvalue().encode("utf-16-le")
    return out.getvalue().encode(encoding)


def completions_by_course(db: Path) -> dict[str, int]:
    """Completions per course in the training view, the course keyed case-insensitively."""
    rows = query(
        db,
        "SELECT lower(course), count(*) FROM training WHERE status = 'Completed' "
        "GROUP BY 1 ORDER BY 1",
    )
    return dict(rows)


def lower_keys(counts: dict[str, int]) -> dict[str, int]:
    return {k.lower(): v for k, v in counts.items()}


def view_rows(db: Path, kind: str) -> list[tuple]:
    """A view's rows without upload_id, and its course spelling folded, sorted."""
    columns = [
        r[0]
        for r in query(
            db,
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "AND column_name <> 'upload_id' ORDER BY ordinal_position",
            [kind],
        )
    ]
    select = ", ".join("lower(course)" if c == "course" else c for c in columns)
    return sorted(query(db, f"SELECT {select} FROM {kind}"), key=repr)


def cell_row(path: Path, value: object) -> int:
    """The row number Excel shows for the first cell holding `value` (read back independently)."""
    if path.suffix == ".csv":
        text = path.read_bytes().decode("utf-8-sig")
        for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if str(value) in row:
                return number
    else:
        for row in load_workbook(path).active.iter_rows():
            for cell in row:
                if cell.value == value:
                    return cell.row
    raise AssertionError(f"{value!r} is not in {path}")


# --- the same messy export in every format ---------------------------------------------------

FORMATS = {
    "xlsx": ("xlsx", {}),
    "csv-utf8-bom": ("csv", {"encoding": "utf-8", "bom": True}),
    "csv-cp1252": ("csv", {"encoding": "cp1252", "bom": False}),
    "csv-utf16-tab": ("csv", {"recode": ("\t", "utf-16")}),
    "csv-semicolon": ("csv", {"recode": (";", "utf-8")}),
    "xls": ("xls", {}),
    "ods": ("ods", {}),
}


def messy_export(tmp_path: Path, variant: str, **kwargs) -> tuple[bytes, str, dict]:
    fmt, options = FORMATS[variant]
    options = dict(options)
    recode = options.pop("recode", None)
    tmp_path.mkdir(parents=True, exist_ok=True)
    if recode:
        options = {"encoding": "utf-8", "bom": False}
    path, expected = b.messy_training_export(
        tmp_path / f"learning_pool.{fmt}", fmt=fmt, **options, **kwargs
    )
    data = path.read_bytes()
    if recode:
        delimiter, encoding = recode
        data = recode_csv(data, delimiter=delimiter, encoding=encoding)
    return data, path.name, expected


@pytest.mark.parametrize("variant", list(FORMATS))
def test_messy_training_export_loads_the_same_in_every_format(tmp_path, db, variant):
    data, name, expected = messy_export(tmp_path, variant)
    upload = ingest(UploadRequest(data, name, db=db))

    assert upload.status == "loaded"
    assert upload.kind == "training" and upload.kind_detected
    assert upload.header_row == expected["header_row"] + 1  # the row number the sheet shows
    assert upload.rows_read == expected["rows_in_file"]
    assert upload.rows_skipped == 0 and not upload.problems
    assert upload.duplicates_folded == expected["rows_in_file"] - expected["rows_after_folding"]
    assert upload.duplicates_folded >= expected["exact_duplicates"]
    assert upload.rows_loaded == expected["rows_after_folding"]
    assert upload.identifiers == {"e-mail": expected["rows_in_file"]}

    assert completions_by_course(db) == lower_keys(expected["completions_by_course"])
    assert query(db, "SELECT count(*) FROM training WHERE status = 'Completed'") == [
        (expected["completions"],)
    ]
    assert query(db, "SELECT count(*) FROM training WHERE status <> 'Completed'") == [
        (expected["open"],)
    ]
    assert query(db, "SELECT count(DISTINCT person_key) FROM training") == [(expected["people"],)]
    assert query(db, "SELECT count(DISTINCT course) FROM training") == [(expected["courses"],)]


def test_every_format_gives_exactly_the_same_rows(tmp_path, db):
    """Loaded one after another into one database, each format replaces the last row for row:
    same people (same keys), courses, statuses and dates; nothing added, nothing lost."""
    first = None
    for variant in FORMATS:
        data, name, expected = messy_export(tmp_path / variant, variant)
        upload = ingest(UploadRequest(data, f"{variant}-{name}", db=db))
        rows = view_rows(db, "training")
        if first is None:
            first = rows
            assert len(rows) == expected["completions"] + expected["open"]
        else:
            assert rows == first, variant
            assert upload.rows_superseded == len(first), variant  # every current row, once


@pytest.fixture
def tmp_dir(tmp_path) -> Path:
    path = tmp_path / "files"
    path.mkdir()
    return path


def test_format_is_told_from_the_bytes_not_the_name(tmp_dir, tmp_path):
    csv_path, expected = b.messy_training_export(tmp_dir / "export.csv", fmt="csv")
    xlsx_path, _ = b.messy_training_export(tmp_dir / "export.xlsx", fmt="xlsx")
    csv_as_xlsx = b.renamed(csv_path, tmp_dir / "saved_as.xlsx")
    xlsx_as_csv = b.renamed(xlsx_path, tmp_dir / "saved_as.csv")
    no_extension = b.renamed(xlsx_path, tmp_dir / "report")
    for path in (csv_as_xlsx, xlsx_as_csv, no_extension):
        db = tmp_path / f"{path.name}.duckdb"
        upload = load(path, db)
        assert upload.status == "loaded", path.name
        assert upload.rows_read == expected["rows_in_file"], path.name
        assert completions_by_course(db) == lower_keys(expected["completions_by_course"])


def test_legacy_xls_named_xlsx_loads(tmp_dir, db):
    path, expected = b.messy_training_export(tmp_dir / "export.xls", fmt="xls")
    upload = load(b.renamed(path, tmp_dir / "export.xlsx"), db)
    assert upload.rows_read == expected["rows_in_file"]
    assert completions_by_course(db) == lower_keys(expected["completions_by_course"])


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8", "utf-16"])
def test_csv_encodings_keep_their_characters(tmp_dir, db, encoding):
    """A cp1252 CSV holds "Barnardo’s" as byte 0x92: it must come out as the same name."""
    path, expected = b.referral_tidy(tmp_dir / "referrals.csv", encoding=encoding)
    upload = load(path, db, kind="referrals")
    assert upload.rows_read == expected["rows_in_file"]
    assert upload.rows_loaded == expected["rows_after_folding"]
    assert query(db, "SELECT sum(referrals) FROM referrals") == [(expected["total"],)]
    agencies = {r[0] for r in query(db, "SELECT DISTINCT referring_agency FROM referrals")}
    assert "Barnardo's" in agencies  # the typographic apostrophe made plain, not mojibake
    assert not any("\u00e2" in a or "\ufffd" in a for a in agencies)


# --- formulas --------------------------------------------------------------------------------


def test_formula_cells_give_the_value_excel_cached(tmp_dir, db):
    rows = [
        ["Month", "Referral type", "Type of exploitation", "Number of referrals"],
        ["Apr-25", "NRM", "Labour", None],
        ["May-25", "NRM", "Sexual", None],
        ["Jun-25", "Duty to Notify (MS1)", "Criminal", 4],
    ]
    path = b.xlsx_with_cached_formulas(
        tmp_dir / "formulas.xlsx", rows, {"D2": ("2+3", 5), "D3": ("D2*2", 10)}
    )
    upload = load(path, db)
    assert upload.kind == "referrals"
    stored = query(
        db,
        "SELECT period_start, exploitation_type, referrals FROM referrals ORDER BY period_start",
    )
    assert [(str(d), t, n) for d, t, n in stored] == [
        ("2025-04-01", "Labour", 5),
        ("2025-05-01", "Sexual", 10),
        ("2025-06-01", "Criminal", 4),
    ]


def test_crosstab_with_sum_formulas_counts_cells_not_totals(tmp_dir, db):
    path, expected = b.referral_crosstab(tmp_dir / "crosstab.xlsx", formulas=True)
    upload = load(path, db)
    assert upload.kind == "referrals"
    assert query(db, "SELECT sum(referrals) FROM referrals") == [(expected["total"],)]
    by_month = query(
        db,
        "SELECT strftime(period_start, '%Y-%m'), sum(referrals) FROM referrals GROUP BY 1 "
        "ORDER BY 1",
    )
    assert dict(by_month) == expected["by_month"]
    by_type = query(db, "SELECT exploitation_type, sum(referrals) FROM referrals GROUP BY 1")
    assert dict(by_type) == expected["by_type"]


# --- bad files: refused, clearly, with nothing written ---------------------------------------


def _lying_zip_bomb(path: Path) -> Path:
    """A zip bomb whose directory claims the big part unpacks to 1,000 bytes."""
    data = bytearray(b.zip_bomb_xlsx(path, uncompressed_mb=200).read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    headers = ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46))  # local, central
    for magic, size_at, name_len_at, name_at in headers:
        at = data.find(magic)
        while at != -1:
            length = struct.unpack_from("<H", data, at + name_len_at)[0]
            if data[at + name_at : at + name_at + length] == name:
                struct.pack_into("<I", data, at + size_at, 1000)
            at = data.find(magic, at + 4)
    path.write_bytes(bytes(data))
    return path


def _zip_from_the_future(path: Path) -> Path:
    """A real workbook whose directory says it needs zip version 15.2 to open."""
    data = bytearray(b.messy_training_export(path, people=6, seed=11)[0].read_bytes())
    struct.pack_into("<H", data, data.find(b"PK\x01\x02") + 6, 152)
    path.write_bytes(bytes(data))
    return path


def _xls_with_broken_directory(path: Path) -> Path:
    """A real .xls with 28 bytes of 0xFF pushed into it (found by fuzzing): its compound-file
    directory no longer holds a Workbook stream, and the workbook reader once tried to
    allocate gigabytes for it."""
    data = b.messy_training_export(path, people=6, seed=11, fmt="xls")[0].read_bytes()
    path.write_bytes(data[:3838] + b"\xff" * 28 + data[3838:])
    return path


def _training_rows(extra: list | None = None) -> list[list]:
    return [
        ["Learner name", "Email address", "Course title", "Completion status", "Date completed"],
        [
            "Alex Example",
            "alex.example@colchester.gov.uk",
            "Mandatory Safeguarding",
            "Completed",
            "14/05/2024",
        ],
        *(extra or []),
    ]


def _referral_rows(bad: object) -> list[list]:
    return [
        ["Month", "Referral type", "Type of exploitation", "Number of referrals"],
        ["Apr-25", "NRM", "Labour", 3],
        ["May-25", "NRM", "Sexual", bad],
        ["Jun-25", "Duty to Notify (MS1)", "Criminal", 2],
    ]


# name -> (builder(tmp_dir) -> path, words the message must hold (case-insensitive))
BAD_FILES = {
    "pdf": (lambda d: b.not_a_spreadsheet(d / "report.xlsx", "pdf"), ["pdf", "not a spreadsheet"]),
    "png": (lambda d: b.not_a_spreadsheet(d / "chart.xlsx", "png"), ["image", "not a spreadsheet"]),
    "prose": (
        lambda d: b.not_a_spreadsheet(d / "email.csv", "text"),
        ["do not match any kind", "hi sam"],
    ),
    "html-named-xls": (
        lambda d: b.not_a_spreadsheet(d / "export.xls", "html"),
        ["web page", "not a spreadsheet", "save as"],
    ),
    "zip-not-workbook": (
        lambda d: b.not_a_spreadsheet(d / "archive.xlsx", "zip"),
        ["zip archive", "not a spreadsheet"],
    ),
    "encrypted-xlsx": (
        lambda d: b.encrypted_xlsx(d / "protected.xlsx"),
        ["password", "remove the password", "upload it again"],
    ),
    "corrupt-xls": (lambda d: b.corrupt_xls(d / "old.xls"), [".xls", "damaged"]),
    "truncated-xlsx": (
        lambda d: b.truncated_copy(b.messy_training_export(d / "full.xlsx")[0], d / "cut.xlsx"),
        ["damaged or incomplete", "download or export it again"],
    ),
    "truncated-xlsx-90pc": (
        lambda d: b.truncated_copy(
            b.messy_training_export(d / "full.xlsx")[0], d / "cut.xlsx", keep=0.9
        ),
        ["damaged or incomplete"],
    ),
    "truncated-xls": (
        lambda d: b.truncated_copy(
            b.messy_training_export(d / "full.xls", fmt="xls")[0], d / "cut.xls"
        ),
        ["damaged"],
    ),
    "truncated-ods": (
        lambda d: b.truncated_copy(
            b.messy_training_export(d / "full.ods", fmt="ods")[0], d / "cut.ods"
        ),
        ["damaged or incomplete"],
    ),
    "empty-workbook": (lambda d: b.empty_xlsx(d / "blank.xlsx"), ["empty"]),
    "empty-file": (lambda d: _write(d / "nothing.csv", b""), ["empty"]),
    "blank-csv": (lambda d: _write(d / "commas.csv", b",,,\r\n,,,\r\n  \r\n"), ["no data"]),
    "columns-match-no-kind": (
        lambda d: b.write_xlsx(
            d / "colours.xlsx",
            [["Colour", "Flavour", "Size"], ["red", "mint", "big"]],
            title_rows=["Stock list", "Generated on 01/01/2025"],
        ),
        ["do not match any kind", "'colour', 'flavour', 'size'", "row 4"],
    ),
    "zip-bomb": (
        lambda d: b.zip_bomb_xlsx(d / "bomb.xlsx", uncompressed_mb=200),
        ["zip bomb", "compressed", "to 1"],
    ),
    "zip-bomb-under-size-limit": (
        lambda d: b.zip_bomb_xlsx(d / "bomb.xlsx", uncompressed_mb=50),
        ["zip bomb", "compressed"],
    ),
    "zip-bomb-of-spaces": (
        lambda d: b.zip_bomb_xlsx(d / "bomb.xlsx", uncompressed_mb=50, filler="spaces"),
        ["zip bomb"],
    ),
    "zip-bomb-lying-about-size": (lambda d: _lying_zip_bomb(d / "bomb.xlsx"), ["damaged"]),
    "zip-bomb-declaring-a-modest-size": (
        lambda d: b.zip_bomb_declaring_a_modest_size(d / "bomb.xlsx"),
        ["zip bomb", "more than the archive declares", "not opened"],
    ),
    "zip-version-from-the-future": (
        lambda d: _zip_from_the_future(d / "future.xlsx"),
        ["damaged or incomplete"],
    ),
    "truncated-xls-99pc": (
        lambda d: b.truncated_copy(
            b.messy_training_export(d / "full.xls", fmt="xls")[0], d / "cut.xls", keep=0.99
        ),
        [".xls", "damaged"],
    ),
    "xls-with-broken-directory": (
        lambda d: _xls_with_broken_directory(d / "broken.xls"),
        [".xls", "damaged"],
    ),
    "billion-laughs": (
        lambda d: b.billion_laughs_xlsx(d / "lol.xlsx"),
        ["entities", "not opened"],
    ),
    "billion-laughs-in-sheet": (
        lambda d: b.billion_laughs_xlsx(d / "lol.xlsx", where="sheet"),
        ["entities", "not opened"],
    ),
    "external-entity": (
        lambda d: b.external_entity_xlsx(d / "xxe.xlsx"),
        ["entities", "not opened"],
    ),
}

# Each bad file's refusal code (`problems.REFUSALS`), the same whatever the wording.
BAD_FILE_CODES = {
    "pdf": "not-a-spreadsheet",
    "png": "not-a-spreadsheet",
    "prose": "no-table",
    "html-named-xls": "web-page",
    "zip-not-workbook": "zip-archive",
    "encrypted-xlsx": "password-protected",
    "corrupt-xls": "damaged",
    "truncated-xlsx": "damaged",
    "truncated-xlsx-90pc": "damaged",
    "truncated-xls": "damaged",
    "truncated-ods": "damaged",
    "empty-workbook": "empty-file",
    "empty-file": "empty-file",
    "blank-csv": "empty-file",
    "columns-match-no-kind": "no-table",
    "zip-bomb": "zip-bomb",
    "zip-bomb-under-size-limit": "zip-bomb",
    "zip-bomb-of-spaces": "zip-bomb",
    "zip-bomb-lying-about-size": "damaged",
    "zip-bomb-declaring-a-modest-size": "zip-bomb",
    "zip-version-from-the-future": "damaged",
    "truncated-xls-99pc": "damaged",
    "xls-with-broken-directory": "damaged",
    "billion-laughs": "xml-entities",
    "billion-laughs-in-sheet": "xml-entities",
    "external-entity": "xml-entities",
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@functools.cache
def bad_file(case: str) -> tuple[str, bytes]:
    """A bad file's name and bytes, built once per run (the zip bombs take a moment)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = BAD_FILES[case][0](Path(tmp))
        return path.name, path.read_bytes()


@pytest.fixture(scope="module")
def good_db_template(tmp_path_factory) -> Path:
    """A database holding one good upload, and its key beside it, made once per module."""
    folder = tmp_path_factory.mktemp("template")
    path, _ = b.messy_training_export(folder / "good.xlsx", people=10, seed=7)
    db = folder / "cams.duckdb"
    assert load(path, db).status == "loaded"
    return db


@pytest.fixture
def loaded_db(db, good_db_template) -> Path:
    """This test's database, already holding one good upload (a copy of the template)."""
    shutil.copyfile(good_db_template, db)
    shutil.copyfile(good_db_template.with_name("pseudonym.key"), db.with_name("pseudonym.key"))
    assert query(db, "SELECT count(*) FROM uploads") == [(1,)]
    return db


# Refused in-process here; the broken .xls only in a memory-capped subprocess (the CLI tests
# below), because if its check ever went, the reader would try to allocate gigabytes.
IN_PROCESS = [case for case in BAD_FILES if case != "xls-with-broken-directory"]


def _assert_no_traceback_words(message: str) -> None:
    for word in ("Traceback", "Error:", "Exception", 'File "/'):
        assert word not in message


@pytest.mark.parametrize("case", IN_PROCESS)
def test_bad_file_is_refused_and_the_database_is_unchanged(loaded_db, case):
    name, data = bad_file(case)
    words = BAD_FILES[case][1]
    before = snapshot(loaded_db)
    refused = refusal(data, name, loaded_db)
    message = str(refused).lower()
    for word in words:
        assert word in message, (case, message)
    assert refused.code == BAD_FILE_CODES[case]
    _assert_no_traceback_words(str(refused))
    assert snapshot(loaded_db) == before


@pytest.mark.parametrize("case", IN_PROCESS)
def test_bad_file_on_a_new_database_creates_nothing(db, case):
    name, data = bad_file(case)
    refusal(data, name, db)
    assert not db.exists() or query(db, "SELECT count(*) FROM uploads") == [(0,)]


@pytest.mark.parametrize(
    "case",
    ["zip-bomb", "zip-bomb-under-size-limit", "zip-bomb-declaring-a-modest-size", "billion-laughs"],
)
def test_hostile_archives_are_refused_before_any_parse(db, case):
    """Well under a second: the archive's directory is checked before anything is unpacked
    (a bound on 'before any parse', not a benchmark: unpacking 200 MB takes far longer)."""
    name, data = bad_file(case)
    started = time.perf_counter()
    with pytest.raises(Refused):
        ingest(UploadRequest(data, name, db=db))
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    "part", ["xl/worksheets/sheet1.XML", "xl/worksheets/sheet1.Xml", "xl/worksheets/sheet1"]
)
def test_a_zip_bomb_is_refused_whatever_its_part_is_called(tmp_path, loaded_db, part):
    bomb = b.zip_bomb_declaring_a_modest_size(tmp_path / "bomb.xlsx", part)
    before = snapshot(loaded_db)
    started = time.perf_counter()
    refused = refusal(bomb.read_bytes(), bomb.name, loaded_db)
    assert time.perf_counter() - started < 1.0
    assert str(refused) == (
        f"bomb.xlsx: Part '{part}' of the workbook unpacks to more than the archive declares: "
        "this is how a 'zip bomb' hides, so the file was not opened."
    )
    assert snapshot(loaded_db) == before


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.XML", "xl/worksheets/sheet1"])
def test_a_zip_bomb_declaring_its_size_is_refused_whatever_its_part_is_called(
    tmp_path, loaded_db, part
):
    bomb = b.zip_bomb_xlsx(tmp_path / "bomb.xlsx", uncompressed_mb=200, part=part)
    with zipfile.ZipFile(bomb) as archive:
        info = archive.getinfo(part)
    before = snapshot(loaded_db)
    refused = refusal(bomb.read_bytes(), bomb.name, loaded_db)
    assert str(refused) == (
        f"bomb.xlsx: Part '{part}' of the workbook is compressed "
        f"{info.file_size / info.compress_size:.0f} to 1 (the limit is 100 to 1): this is how a "
        "'zip bomb' is built, so the file was not opened."
    )
    assert snapshot(loaded_db) == before


def _far_cell_message(file_name: str, sheet: str, ref: str, rows: str, columns: str) -> str:
    return (
        f"{file_name}: Sheet '{sheet}' has a cell at {ref} ({rows} rows by {columns} columns "
        "from A1): a spreadsheet this dashboard reads has at most 500 columns and 10,000,000 "
        "cells from A1 to its last cell. Delete the far cells (Ctrl+End shows them) and save "
        "again."
    )


@pytest.mark.parametrize(
    "ref, rows, columns",
    [("XFD1048576", "1,048,576", "16,384"), ("XFD5", "5", "16,384"), ("AA400000", "400,000", "27")],
)
def test_a_cell_far_from_a1_is_refused_before_the_reader_sees_it(
    tmp_path, loaded_db, ref, rows, columns
):
    workbook = b.one_cell_xlsx(tmp_path / "far.xlsx", ref)
    before = snapshot(loaded_db)
    started = time.perf_counter()
    refused = refusal(workbook.read_bytes(), workbook.name, loaded_db)
    assert time.perf_counter() - started < 1.0
    assert str(refused) == _far_cell_message("far.xlsx", "Data", ref, rows, columns)
    assert snapshot(loaded_db) == before


def test_a_far_cell_is_refused_when_the_dimension_says_the_sheet_is_small(tmp_path, loaded_db):
    export, _ = b.messy_training_export(tmp_path / "export.xlsx", people=6, seed=11)
    with zipfile.ZipFile(export) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
        sheet_name = load_workbook(export).sheetnames[0]
    assert re.search(rb'<dimension ref="A1:[A-Z]\d+"/>', sheet)  # small, as openpyxl wrote it
    stray = b'<row r="2000"><c r="SG2000" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    b._rewrite_zip(export, {"xl/worksheets/sheet1.xml": sheet.replace(b"</sheetData>", stray)})
    before = snapshot(loaded_db)
    refused = refusal(export.read_bytes(), export.name, loaded_db)
    assert str(refused) == _far_cell_message("export.xlsx", sheet_name, "SG2000", "2,000", "501")
    assert snapshot(loaded_db) == before


def test_a_dimension_claiming_the_whole_grid_is_refused_though_the_cells_are_near(
    tmp_path, loaded_db
):
    export, _ = b.messy_training_export(tmp_path / "export.xlsx", people=6, seed=11)
    with zipfile.ZipFile(export) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
        sheet_name = load_workbook(export).sheetnames[0]
    whole = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', sheet)
    b._rewrite_zip(export, {"xl/worksheets/sheet1.xml": whole})
    before = snapshot(loaded_db)
    refused = refusal(export.read_bytes(), export.name, loaded_db)
    assert str(refused) == _far_cell_message(
        "export.xlsx", sheet_name, "XFD1048576", "1,048,576", "16,384"
    )
    assert snapshot(loaded_db) == before


def test_a_cell_in_column_500_is_read(tmp_path, db):
    workbook = b.one_cell_xlsx(tmp_path / "wide.xlsx", "SF2")
    reading = read.read_file(workbook.read_bytes(), workbook.name, Config())
    assert reading.sheets[0].cells.loc[2].dropna().tolist() == ["1"]


# An .ods places a far cell by counting repeated rows and cells, and an .xlsb by numbers in its
# records: both are checked before the reader sees them, as an .xlsx is.

ODS_TEXT = '<table:table-cell office:value-type="string"><text:p>far</text:p></table:table-cell>'


def _far_ods_sheet(ref: str) -> str:
    """Sheet 'Data' holding A1 and a cell at `ref`, placed there by empty rows and cells
    repeated, as LibreOffice writes the gap."""
    row, column = b._parse_ref(ref)
    return (
        f'<table:table table:name="Data"><table:table-row>{ODS_TEXT}</table:table-row>'
        f'<table:table-row table:number-rows-repeated="{row - 2}"><table:table-cell/>'
        "</table:table-row><table:table-row><table:table-cell "
        f'table:number-columns-repeated="{column - 1}"/>{ODS_TEXT}</table:table-row></table:table>'
    )


@pytest.mark.parametrize(
    "ref, rows, columns",
    [("XFD1048576", "1,048,576", "16,384"), ("XFD5", "5", "16,384"), ("AA400000", "400,000", "27")],
)
def test_an_ods_cell_far_from_a1_is_refused_before_the_reader_sees_it(
    tmp_path, loaded_db, ref, rows, columns
):
    workbook = b.ods_with_tables(tmp_path / "far.ods", _far_ods_sheet(ref))
    before = snapshot(loaded_db)
    started = time.perf_counter()
    refused = refusal(workbook.read_bytes(), workbook.name, loaded_db)
    assert time.perf_counter() - started < 1.0
    assert str(refused) == _far_cell_message("far.ods", "Data", ref, rows, columns)
    assert snapshot(loaded_db) == before


@pytest.mark.parametrize(
    "row, ref, rows, columns",
    [
        (  # one row holding values, repeated
            '<table:table-row table:number-rows-repeated="400000"><table:table-cell '
            'table:number-columns-repeated="27" office:value-type="float" office:value="1"/>'
            "</table:table-row>",
            "AA400000",
            "400,000",
            "27",
        ),
        (  # one cell holding a value, repeated
            '<table:table-row><table:table-cell table:number-columns-repeated="600" '
            'office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>',
            "WB1",
            "1",
            "600",
        ),
    ],
)
def test_an_ods_value_repeated_far_from_a1_is_refused(tmp_path, loaded_db, row, ref, rows, columns):
    workbook = b.ods_with_tables(
        tmp_path / "far.ods", f'<table:table table:name="Data">{row}</table:table>'
    )
    before = snapshot(loaded_db)
    refused = refusal(workbook.read_bytes(), workbook.name, loaded_db)
    assert str(refused) == _far_cell_message("far.ods", "Data", ref, rows, columns)
    assert snapshot(loaded_db) == before


def test_an_ods_saved_by_libreoffice_loads_though_its_empty_cells_reach_the_edge(tmp_path, db):
    """LibreOffice repeats empty rows and cells to the edge of the grid (1,048,576 rows by 1,024
    columns): they hold no value, so they are not a far cell."""
    path, expected = b.messy_training_export(tmp_path / "export.ods", fmt="ods", people=6, seed=11)
    b.as_libreoffice_saves(path)
    with zipfile.ZipFile(path) as archive:
        content = archive.read("content.xml")
    assert b'table:number-rows-repeated="1048576"' in content  # the empty second sheet
    assert re.search(rb'number-columns-repeated="10\d\d"/></table:table-row>', content)
    upload = load(path, db)
    assert upload.status == "loaded"
    assert upload.rows_loaded == expected["rows_after_folding"]


@pytest.mark.parametrize(
    "far_cells, dimension, ref, rows, columns",
    [
        ({"XFD1048576": "far"}, None, "XFD1048576", "1,048,576", "16,384"),
        ({"XFD5": 1}, None, "XFD5", "5", "16,384"),
        ({}, "A1:XFD1048576", "XFD1048576", "1,048,576", "16,384"),  # BrtWsDim claims the grid
        ({"SG2000": "x"}, "A1:B2", "SG2000", "2,000", "501"),  # BrtWsDim says the sheet is small
    ],
)
def test_an_xlsb_cell_far_from_a1_is_refused_before_the_reader_sees_it(
    tmp_path, loaded_db, far_cells, dimension, ref, rows, columns
):
    table = [["Name", "Count"], ["a", 3]]
    path = tmp_path / "far.xlsb"
    workbook = b.write_xlsb(path, table, sheet="Data", far_cells=far_cells, dimension=dimension)
    before = snapshot(loaded_db)
    started = time.perf_counter()
    refused = refusal(workbook.read_bytes(), workbook.name, loaded_db)
    assert time.perf_counter() - started < 1.0
    assert str(refused) == _far_cell_message("far.xlsb", "Data", ref, rows, columns)
    assert snapshot(loaded_db) == before


def test_an_xlsb_is_read(tmp_path):
    workbook = b.write_xlsb(tmp_path / "staff.xlsb", [["Name", "Count"], ["a", 3]], sheet="Data")
    reading = read.read_file(workbook.read_bytes(), workbook.name, Config())
    assert reading.sheets[0].name == "Data"
    assert reading.sheets[0].cells.values.tolist() == [["Name", "Count"], ["a", "3"]]


def test_a_sheet_the_reader_makes_too_large_is_refused_before_pandas_sees_it():
    """Should a file place its cells in a way the checks before the parse do not see, what the
    reader made is measured before it becomes a table here (16,384 columns took 25 s)."""
    import pyarrow as pa

    wide = pa.table({f"c{n}": ["x"] for n in range(501)})
    with pytest.raises(Refused) as refused:
        read._sheets([("Data", wide, False)], "odd.ods")
    assert str(refused.value) == (
        "odd.ods: Sheet 'Data' reads as 1 rows by 501 columns: a spreadsheet this dashboard "
        "reads has at most 500 columns and 10,000,000 cells from A1 to its last cell. Delete the "
        "far cells (Ctrl+End shows them) and save again."
    )


def test_unknown_kind_is_refused(tmp_dir, db):
    path, _ = b.messy_training_export(tmp_dir / "export.xlsx", people=5)
    refused = refusal(path.read_bytes(), path.name, db, kind="banana")
    assert refused.code == "unknown-kind"
    assert "'banana' is not a kind" in str(refused)
    assert "training" in str(refused)
    assert not db.exists()


def test_wrong_kind_asked_for_names_the_columns(tmp_dir, db):
    path, expected = b.messy_training_export(tmp_dir / "export.xlsx", people=5)
    refused = refusal(path.read_bytes(), path.name, db, kind="referrals")
    message = str(refused)
    assert "No header row for referral counts" in message
    assert expected["header"][0] in message  # what was found


# --- bad values: row, column, value ----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "xls", "ods"])
@pytest.mark.parametrize(
    ("bad", "words", "code"),
    [
        (-2, "'-2' is negative", "negative-count"),
        ("three", "'three' is not a number", "bad-number"),
        ("2.5", "'2.5' is not a whole number", "not-whole-count"),
        ("[c]", "'[c]' is a suppressed figure", "suppressed-figure"),
    ],
)
def test_bad_counts_are_refused_with_row_column_and_value(
    tmp_dir, loaded_db, fmt, bad, words, code
):
    titles = ["Modern slavery referrals", "Colchester"]
    path = b._write_format(
        tmp_dir / f"referrals.{fmt}", fmt, _referral_rows(bad), title_rows=titles
    )
    expected_row = len(titles) + 1 + 1 + 2  # titles, a blank row, the header, the second row
    if fmt in ("xlsx", "csv"):
        assert cell_row(path, bad) == expected_row  # the builder's layout, read back
    before = snapshot(loaded_db)
    refused = refusal(path.read_bytes(), path.name, loaded_db, options=Options())
    assert len(refused.problems) == 1
    problem = refused.problems[0]
    assert (problem.row, problem.column, problem.code) == (
        expected_row,
        "Number of referrals",
        code,
    )
    assert words in problem.message
    message = str(refused)
    assert f"row {expected_row}, column 'Number of referrals': {words}" in message
    assert "nothing was saved" in message
    assert snapshot(loaded_db) == before


def test_every_bad_count_is_listed(tmp_dir, db):
    rows = _referral_rows(-1) + [["Jul-25", "NRM", "Labour", "lots"]]
    path = b.write_xlsx(tmp_dir / "referrals.xlsx", rows)
    refused = refusal(path.read_bytes(), path.name, db, kind="referrals")
    assert [(p.row, p.column, p.code) for p in refused.problems] == [
        (3, "Number of referrals", "negative-count"),
        (5, "Number of referrals", "bad-number"),
    ]
    assert "2 problems found" in str(refused)
    assert not db.exists()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_unreadable_date_names_the_row_the_spreadsheet_shows(tmp_dir, loaded_db, fmt):
    rows = _training_rows(
        [
            [
                "Sam Sample",
                "sam.sample@colchester.gov.uk",
                "Mandatory Safeguarding",
                "Completed",
                "31/02/2025",
            ],
            [
                "Jo Example",
                "jo.example@colchester.gov.uk",
                "Mandatory Safeguarding",
                "Completed",
                "01/03/2025",
            ],
        ]
    )
    path = b._write_format(
        tmp_dir / f"training.{fmt}", fmt, rows, title_rows=list(b.TRAINING_TITLE)
    )
    shown = cell_row(path, "31/02/2025")
    assert shown == len(b.TRAINING_TITLE) + 1 + 1 + 2  # titles, blank, header, second row
    before = snapshot(loaded_db)
    refused = refusal(path.read_bytes(), path.name, loaded_db)
    assert f"row {shown}, column 'Date completed': '31/02/2025' is not a date" in str(refused)
    # One problem, reported once: the cell is not "empty", it could not be read.
    assert [(p.row, p.column, p.code) for p in refused.problems] == [
        (shown, "Date completed", "bad-date")
    ]
    assert snapshot(loaded_db) == before


def test_month_first_dates_are_refused_not_guessed(tmp_dir, db):
    rows = _training_rows(
        [
            [
                "Sam Sample",
                "sam.sample@colchester.gov.uk",
                "Mandatory Safeguarding",
                "Completed",
                "05/14/2024",
            ]
        ]
    )
    path = b.write_csv(tmp_dir / "us.csv", rows)
    refused = refusal(path.read_bytes(), path.name, db)
    assert "row 3, column 'Date completed': '05/14/2024' is not a date" in str(refused)


def test_skip_invalid_loads_only_the_valid_training_rows(tmp_dir, db):
    rows = _training_rows(
        [
            [
                "Sam Sample",
                "sam.sample@colchester.gov.uk",
                "Mandatory Safeguarding",
                "Completed",
                "31/02/2025",
            ]
        ]
    )
    path = b.write_xlsx(tmp_dir / "training.xlsx", rows)
    upload = load(path, db, skip_invalid=True)
    assert (upload.rows_read, upload.rows_loaded, upload.rows_skipped) == (2, 1, 1)
    assert query(db, "SELECT count(*) FROM training") == [(1,)]
    assert query(db, "SELECT row_no, column_name FROM upload_problems") == [(3, "Date completed")]


def test_referrals_never_load_partially(tmp_dir, db):
    path = b.write_xlsx(tmp_dir / "referrals.xlsx", _referral_rows(-4))
    refused = refusal(path.read_bytes(), path.name, db, skip_invalid=True)
    assert "must load whole" in str(refused)
    assert not db.exists()


# --- the size limit --------------------------------------------------------------------------


def test_file_over_the_size_limit_is_refused_and_says_the_limit(tmp_path, tmp_dir, db, monkeypatch):
    good, _ = b.messy_training_export(tmp_dir / "export.xlsx")
    assert load(good, db).status == "loaded"
    config = tmp_path / "cams.toml"
    config.write_text("[limits]\nmax_upload_mb = 0.01\n", encoding="utf-8")
    monkeypatch.setenv("CAMS_CONFIG", str(config))
    big, _ = b.messy_training_export(tmp_dir / "bigger.xlsx", people=60, seed=3)
    assert big.stat().st_size > 0.01 * 1024 * 1024
    before = snapshot(db)
    refused = refusal(big.read_bytes(), big.name, db)
    assert refused.code == "file-too-large"
    assert "the upload limit is 0.01 MB" in str(refused)
    assert snapshot(db) == before
    monkeypatch.delenv("CAMS_CONFIG")
    assert load(big, db).status == "loaded"  # the default limit takes it


# --- the command line ------------------------------------------------------------------------


def _cap_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3))


@pytest.mark.parametrize(
    ("case", "words", "code"),
    [
        ("pdf", "PDF", "not-a-spreadsheet"),
        ("encrypted-xlsx", "password", "password-protected"),
        ("bad-count", "'-2' is negative", "invalid-rows"),
        ("zip-bomb", "zip bomb", "zip-bomb"),
        ("truncated-xls-99pc", "damaged", "damaged"),
        ("xls-with-broken-directory", "damaged", "damaged"),
    ],
)
def test_cli_refuses_with_a_message_and_no_traceback(tmp_dir, tmp_path, case, words, code):
    """Exit non-zero, the message on stderr and the refusal's code in the JSON, no traceback, no
    database; and all of it within 1 GB of address space (a stricter bound than 1 GB of peak
    memory)."""
    if case == "bad-count":
        path = b.write_xlsx(tmp_dir / "referrals.xlsx", _referral_rows(-2))
    else:
        name, data = bad_file(case)
        path = _write(tmp_dir / name, data)
    target = tmp_path / "cli.duckdb"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMS_")}
    env["CAMS_KEY_FILE"] = str(tmp_path / "cli.key")
    result = subprocess.run(
        [sys.executable, "-m", "cams_data", "ingest", str(path), "--json", "--db", str(target)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_cap_memory,
    )
    assert result.returncode == 2, result.stderr
    assert words in result.stderr
    assert path.name in result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert json.loads(result.stdout)["code"] == code
    assert not target.exists()


# --- personal data never enters the database -------------------------------------------------


def test_no_name_email_or_employee_number_is_stored(tmp_dir, db):
    path, expected = b.messy_training_export(tmp_dir / "export.xlsx")
    assert load(path, db).rows_loaded == expected["rows_after_folding"]
    sheet = load_workbook(path).active
    data = [
        row
        for row in sheet.iter_rows(min_row=expected["header_row"] + 2, values_only=True)
        if row[1]
    ]
    names = {row[0] for row in data}
    emails = {row[1] for row in data} | {row[1].lower() for row in data}
    numbers = {row[2] for row in data}
    assert len(names) == expected["people"] and all("@" in e for e in emails)
    secrets = {s.lower() for s in names | emails | numbers}
    local_parts = {e.split("@")[0].lower() for e in emails}

    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR' AND table_schema = 'main'"
        ).fetchall()
        assert ("training_rows", "person_key") in columns
        found = []
        for table, column in columns:
            for (value,) in con.execute(f'SELECT DISTINCT "{column}" FROM "{table}"').fetchall():
                text = str(value).lower()
                if value is not None and (
                    text in secrets
                    or any(s in text for s in secrets)
                    or any(part in text for part in local_parts)
                ):
                    found.append((table, column, value))
        assert found == []
    finally:
        con.close()

    raw = db.read_bytes().lower()
    wal = db.with_name(db.name + ".wal")
    if wal.exists():
        raw += wal.read_bytes().lower()
    for email in sorted(emails)[:5]:
        assert email.lower().encode() not in raw
    for name in sorted(names)[:5]:
        assert name.lower().encode() not in raw


# --- any bytes at all: an upload or a refusal, never a crash ---------------------------------


@functools.cache
def fuzz_sources() -> dict[str, bytes]:
    """Small real files to mutate (a plain function, not a fixture: hypothesis prints its
    arguments when a case fails, and these are kilobytes of bytes)."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for fmt in ("xlsx", "csv", "xls", "ods"):
            path, _ = b.messy_training_export(folder / f"small.{fmt}", people=6, seed=11, fmt=fmt)
            out[fmt] = path.read_bytes()
        path, _ = b.referral_crosstab(folder / "crosstab.xlsx")
        out["crosstab"] = path.read_bytes()
    return out


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzzdb") / "fuzz.duckdb"


@st.composite
def hostile_bytes(draw) -> tuple[str, bytes]:
    fixtures = fuzz_sources()
    how = draw(st.sampled_from(["random", "truncate", "flip", "truncate+flip"]))
    if how == "random":
        return "random.xlsx", draw(st.binary(min_size=0, max_size=2048))
    source = draw(st.sampled_from(sorted(fixtures)))
    data = bytearray(fixtures[source])
    if "truncate" in how:
        data = data[: draw(st.integers(0, len(data) - 1))]
    if "flip" in how and data:
        for _ in range(draw(st.integers(1, 8))):
            at = draw(st.integers(0, len(data) - 1))
            data[at] ^= draw(st.integers(1, 255))
    suffix = "xlsx" if source == "crosstab" else source
    return f"mutated-{source}.{suffix}", bytes(data)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_bytes_give_an_upload_or_a_refusal(fuzz_db, data):
    name, payload = data.draw(hostile_bytes())
    before = snapshot(fuzz_db)
    try:
        result = ingest(UploadRequest(payload, name, db=fuzz_db))
    except Refused as refused:
        event("refused: " + refused.message[:40])
        assert str(refused).startswith(f"{name}: ")
        assert "Traceback" not in str(refused)
        assert snapshot(fuzz_db) == before
    else:
        event("loaded")
        assert isinstance(result, Upload)
        assert result.status in ("loaded", "unchanged")


def test_one_problem_is_said_in_the_singular(db, tmp_path):
    path = b.write_csv(
        tmp_path / "one.csv",
        [
            ["Email address", "Course title", "Completion status", "Date completed"],
            ["a@example.org", "Mandatory Safeguarding", "Completed", "31/02/2025"],
            ["b@example.org", "Mandatory Safeguarding", "Completed", "14/05/2025"],
        ],
    )
    with pytest.raises(Refused) as refused:
        ingest(UploadRequest(path.read_bytes(), path.name, db=db))
    assert "1 problem found;" in str(refused.value)
    assert "row 2, column 'Date completed': '31/02/2025' is not a date" in str(refused.value)


# --- text encodings --------------------------------------------------------------------------

ESTABLISHMENT = ["Service area", "Job title", "Headcount", "As at"]


def test_a_utf8_csv_with_a_stray_windows_byte_keeps_its_utf8_accents(db):
    lines = [
        ",".join(ESTABLISHMENT).encode(),
        "Café and Leisure,Receptionist,4,01/04/2025".encode(),
        b"Caf\xe9 and Leisure,Manager,1,01/04/2025",  # the one line typed on Windows
        "Crèche,Nursery Nurse,3,01/04/2025".encode(),
    ]
    data = b"\r\n".join(lines) + b"\r\n"
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the file really is not UTF-8 throughout
    ingest(UploadRequest(data, "staff.csv", db=db))
    assert query(db, "SELECT service_area, role, headcount FROM establishment ORDER BY 2") == [
        ("Café and Leisure", "Manager", 1),
        ("Crèche", "Nursery Nurse", 3),
        ("Café and Leisure", "Receptionist", 4),
    ]


def test_a_whole_windows_1252_csv_still_loads(db, tmp_path):
    path = b.write_csv(
        tmp_path / "staff.csv",
        [ESTABLISHMENT, ["Café and Leisure – £ Team", "Manager", 1, "01/04/2025"]],
        encoding="cp1252",
    )
    assert "é".encode("cp1252") in path.read_bytes()
    ingest(UploadRequest(path.read_bytes(), path.name, db=db))
    assert query(db, "SELECT service_area FROM establishment") == [("Café and Leisure - £ Team",)]


def test_a_byte_windows_1252_does_not_define_is_refused_as_binary(db):
    data = ",".join(ESTABLISHMENT).encode() + b"\r\nCaf\x81,Manager,1,01/04/2025\r\n"
    before = snapshot(db)
    assert refusal(data, "staff.csv", db).message == (
        "This is not a spreadsheet or a CSV file (it holds binary data). Open it in Excel and use "
        "File > Save As > Excel Workbook (.xlsx), then upload that."
    )
    assert snapshot(db) == before


# --- the reader in its worker -----------------------------------------------------------------
# The workbook reader runs in a child process (cams_data/sandbox.py): whatever it does there, the
# app's process goes on. The test targets in sandbox.py fail as the reader might.

NOT_READ = (
    "good.xlsx: The file could not be read: {}. Open it in Excel and use File > Save As > Excel "
    "Workbook (.xlsx), then upload that."
)


@pytest.fixture(scope="module")
def good_xlsx(tmp_path_factory) -> bytes:
    path, _ = b.messy_training_export(tmp_path_factory.mktemp("good") / "good.xlsx", people=10)
    return path.read_bytes()


@pytest.mark.parametrize(
    ("target", "time_limit", "reason"),
    [
        (
            "cams_data.sandbox:abort",
            None,
            "the reader stopped unexpectedly on it, which a file saved by a spreadsheet program "
            "never makes it do",
        ),
        (
            "cams_data.sandbox:allocate",  # 2 GB, over the 1 GB limit
            None,
            "reading it needed more than 1 GB of memory, more than any real export needs",
        ),
        (
            "cams_data.sandbox:sleep",
            2,
            "reading it took longer than 2 seconds, far longer than any real export takes",
        ),
    ],
)
def test_a_reader_that_crashes_runs_out_of_memory_or_hangs_is_a_refusal_and_the_next_file_loads(
    loaded_db, good_xlsx, monkeypatch, target, time_limit, reason
):
    from cams_data import sandbox

    before = snapshot(loaded_db)
    monkeypatch.setattr(read, "PARSE_TARGET", target)
    if time_limit:
        monkeypatch.setattr(sandbox, "TIME_LIMIT_SECONDS", time_limit)
    started = time.monotonic()
    refused = refusal(good_xlsx, "good.xlsx", loaded_db)
    assert str(refused) == NOT_READ.format(reason)
    assert time.monotonic() - started < 20
    assert snapshot(loaded_db) == before
    monkeypatch.undo()
    assert ingest(UploadRequest(good_xlsx, "good.xlsx", db=loaded_db)).status == "loaded"


def test_a_worker_that_died_while_idle_does_not_stop_the_next_file(good_xlsx):
    from cams_data import sandbox

    first = read.read_file(good_xlsx, "good.xlsx", Config())
    for worker in sandbox._idle:
        worker.process.kill()
        worker.process.wait()
    again = read.read_file(good_xlsx, "good.xlsx", Config())
    assert again.sheets[0].cells.equals(first.sheets[0].cells)


def test_a_call_started_in_a_worker_answers_once_the_caller_has_done_its_own_work(good_xlsx):
    from cams_data import sandbox

    call = sandbox.start(read.PARSE_TARGET, good_xlsx)
    read._check_parts(good_xlsx, "good.xlsx")  # the caller's work meanwhile
    assert call.result() == read.parse_sheets(good_xlsx)


def test_a_cancelled_call_kills_its_worker_and_waits_for_it():
    from cams_data import sandbox

    call = sandbox.start("cams_data.sandbox:sleep")
    worker = call.worker
    call.cancel()
    assert worker.process.returncode is not None  # killed and reaped: no process left behind
    assert worker not in sandbox._idle
    with pytest.raises(RuntimeError):
        call.result()


def test_a_large_workbook_refused_by_the_checks_during_its_parse_stops_the_worker(
    tmp_path, loaded_db, monkeypatch
):
    from cams_data import sandbox

    workers = []
    real_start = sandbox.start

    def start(*args, **kwargs):
        call = real_start(*args, **kwargs)
        workers.append(call.worker)
        return call

    monkeypatch.setattr(sandbox, "start", start)
    monkeypatch.setattr(read, "PARSE_TARGET", "cams_data.sandbox:sleep")  # still parsing, surely
    monkeypatch.setattr(read, "PARSE_EARLY_BYTES", 0)  # as if it were large
    workbook = b.one_cell_xlsx(tmp_path / "far.xlsx", "XFD5")
    before = snapshot(loaded_db)
    started = time.perf_counter()
    refused = refusal(workbook.read_bytes(), workbook.name, loaded_db)
    assert time.perf_counter() - started < 5  # not the sleep's hour, nor the 30 s time limit
    assert str(refused) == _far_cell_message("far.xlsx", "Data", "XFD5", "5", "16,384")
    assert snapshot(loaded_db) == before
    [worker] = workers  # the parse had started before the checks refused the file
    assert worker.process.returncode == -signal.SIGKILL  # killed and reaped: none left behind
    assert worker not in sandbox._idle


def test_a_small_workbook_the_checks_refuse_never_reaches_the_reader(tmp_path, monkeypatch):
    from cams_data import sandbox

    monkeypatch.setattr(sandbox, "start", lambda *a, **k: pytest.fail("the reader started"))
    workbook = b.one_cell_xlsx(tmp_path / "far.xlsx", "XFD5")
    with pytest.raises(Refused):
        read.Reading(workbook.read_bytes(), workbook.name, Config())


def test_the_worker_reads_every_sheet_exactly_as_the_reader_does_in_process(tmp_path):
    import fastexcel

    rows = [["Name", "Course", "Note"], ["Ann Example", "First Responder", None],
            ["Bo", "Café ✓ 日本", "1+1=2"], [None, None, "last"]]  # fmt: skip
    path = tmp_path / "two.xlsx"
    b.write_xlsx(path, rows, extra_sheets={"Second": [["Only"], ["cell"]]})
    data = path.read_bytes()
    reader = fastexcel.read_excel(data)
    loaded = [
        (name, reader.load_sheet(name, header_row=None, dtypes="string", skip_rows=0))
        for name in reader.sheet_names
    ]
    in_process = [(name, sheet.to_arrow(), sheet.visible != "visible") for name, sheet in loaded]
    expected = [read._visible(sheet) for sheet in read._sheets(in_process, "two.xlsx")]
    workbook = read.read_file(data, "two.xlsx", Config())
    assert [s.name for s in workbook.sheets] == [s.name for s in expected] == ["Report", "Second"]
    for sheet, want in zip(workbook.sheets, expected, strict=True):
        assert sheet.cells.equals(want.cells)
        assert sheet.cells.dtypes.tolist() == want.cells.dtypes.tolist()


@pytest.mark.parametrize(
    "xml, furthest",
    [
        (b'<row r="5"><c r="XFD5"><v>1</v></c></row>', (5, 16384)),
        (b'<row r="2"><c r="a1048576"/></row><row r="3"><c r="B3"/></row>', (1048576, 2)),
        (b'<row r="9"><c r="C9"/></row><row r="4"><c r="D4"/></row>', (9, 4)),  # out of order
        (b'<c r="B0012"/> <c r="aA3"/>', (12, 27)),  # leading zeros, lower case
        (b'<pageMargins header="0.3" footer="0.3"/><c r="A1"/>', (1, 1)),  # not references
        (b'<c\tr="ZZ7"/><c\nr="A70"/>', (70, 702)),  # any space before r=
        (b'<c xr="Q999"/><c r="A1"/>', (1, 1)),  # another attribute ending in r
    ],
)
def test_the_furthest_reference_is_found_however_it_is_written(xml, furthest):
    from cams_data.read import _furthest_reference

    assert _furthest_reference(xml, 0, 0) == furthest


def test_the_furthest_reference_of_a_real_sized_sheet_is_its_last_cell(tmp_path):
    from cams_data.read import _furthest_reference

    rows = "".join(
        f'<row r="{r}" spans="1:8">' + "".join(f'<c r="{c}{r}"><v>1</v></c>' for c in "ABCDEFGH")
        + "</row>"
        for r in range(1, 20_001)
    ).encode()  # fmt: skip
    assert _furthest_reference(rows, 0, 0) == (20_000, 8)
    assert _furthest_reference(rows, 30_000, 3) == (30_000, 8)  # what is known already stands
