"""Files that used to be refused with a misleading message get one that says what is wrong.

Each test asserts the exact message and that the database is left as it was.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import builders as b
import pytest
from conftest import query, snapshot

from cams_data.ingest import UploadRequest, ingest
from cams_data.problems import Refused

ESTABLISHMENT = ["Service area", "Job title", "Headcount", "As at"]
STAFF_ROWS = [
    ESTABLISHMENT,
    ["Housing", "Caseworker", "4", "01/04/2025"],
    ["Leisure", "Manager", "1", "01/04/2025"],
]
SAVE_AS_XLSX = "Open it in Excel and use File > Save As > Excel Workbook (.xlsx), then upload that."


def csv_text(rows: list[list[str]]) -> str:
    return "".join(",".join(row) + "\r\n" for row in rows)


def refused(data: bytes, name: str, db: Path) -> Refused:
    """The refusal of `data`, checking that the database did not change."""
    before = snapshot(db)
    with pytest.raises(Refused) as refusal:
        ingest(UploadRequest(data, name, db=db))
    assert snapshot(db) == before
    assert str(refusal.value).startswith(f"{name}: ")
    return refusal.value


def staff(db: Path) -> list[tuple]:
    return query(db, "SELECT service_area, role, headcount FROM establishment ORDER BY 1")


# --- formats that are not what they seem -----------------------------------------------------


def test_an_apple_numbers_file_is_named_and_how_to_export_it_is_said(db, tmp_path):
    assert refused(
        b.apple_numbers(tmp_path / "staff.numbers").read_bytes(), "staff.numbers", db
    ).message == (
        "This is an Apple Numbers file, which this dashboard cannot read. In Numbers, use "
        "File > Export To > Excel (or CSV), then upload the file it makes."
    )


WEB_PAGE = (
    "This is a web page or XML file saved with a spreadsheet's name, not a spreadsheet. "
    + SAVE_AS_XLSX
)
TABLE = "<table><tr><td>Service area</td><td>Job title</td></tr></table>"


@pytest.mark.parametrize(
    "start",
    [
        "<meta http-equiv=Content-Type content='text/html; charset=utf-8'>\r\n",
        "<!-- saved from the intranet -->\r\n",
        "\ufeff  \r\n<!-- one -->\n<!--\ntwo\n--><META charset='utf-8'>",
        "<!DOCTYPE HTML PUBLIC '-//W3C//DTD HTML 4.01//EN'>",
        "<style>td { mso-number-format: '@'; }</style>",
        "\t\n<html><body>",
    ],
)
def test_a_web_page_saved_as_xls_is_told_however_it_starts(db, start):
    data = (start + TABLE).encode("utf-8")
    assert refused(data, "export.xls", db).message == WEB_PAGE


def test_a_csv_whose_text_mentions_a_table_tag_later_still_loads(db):
    rows = [*STAFF_ROWS, ["Parks <table>", "Ranger", "2", "01/04/2025"]]
    ingest(UploadRequest(csv_text(rows).encode(), "staff.csv", db=db))
    assert ("Parks <table>", "Ranger", 2) in staff(db)


# --- text encodings --------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_text_without_a_byte_order_mark_is_read(db, encoding):
    rows = [*STAFF_ROWS, ["Crèche", "Nursery Nurse", "3", "01/04/2025"]]
    data = csv_text(rows).replace(",", "\t").encode(encoding)
    assert not data.startswith((b"\xff\xfe", b"\xfe\xff"))
    upload = ingest(UploadRequest(data, "staff.txt", db=db))
    assert upload.status == "loaded"
    assert staff(db) == [
        ("Crèche", "Nursery Nurse", 3),
        ("Housing", "Caseworker", 4),
        ("Leisure", "Manager", 1),
    ]


def test_a_csv_with_one_nul_byte_is_refused_naming_its_line(db):
    rows = [ESTABLISHMENT] + [[f"Service {n}", "Officer", "1", "01/04/2025"] for n in range(15)]
    lines = csv_text(rows).encode().split(b"\r\n")
    lines[11] = lines[11].replace(b"Officer", b"Offi\x00cer")
    assert refused(b"\r\n".join(lines), "staff.csv", db).message == (
        "Line 12 holds a NUL character (a zero byte, which text never holds), so the file may be "
        "damaged. Export it again, or open it in Excel and save it as CSV, then upload that."
    )


def test_a_file_of_many_zero_bytes_is_still_called_binary(db):
    data = b"Service area,Job title\r\n" + bytes(range(1, 9)) * 4 + bytes(200)
    assert refused(data, "staff.csv", db).message == (
        "This is not a spreadsheet or a CSV file (it holds binary data). " + SAVE_AS_XLSX
    )


# --- a cell too long -------------------------------------------------------------------------


@pytest.mark.parametrize("length", [32_768, 200_000])
def test_a_csv_cell_over_excels_limit_is_refused_naming_row_column_and_length(db, length):
    rows = [*STAFF_ROWS, ["Parks", "R" * length, "2", "01/04/2025"]]
    assert refused(csv_text(rows).encode(), "staff.csv", db).message == (
        f"Row 4, column B has a cell of {length:,} characters; a cell this dashboard reads has "
        "at most 32,767 (Excel's own limit). Shorten it, then upload the file again."
    )


def test_a_csv_cell_of_exactly_excels_limit_is_read(db):
    rows = [*STAFF_ROWS, ["Parks", "R" * 32_767, "2", "01/04/2025"]]
    ingest(UploadRequest(csv_text(rows).encode(), "staff.csv", db=db))
    assert ("Parks", "R" * 32_767, 2) in staff(db)


# --- the header ------------------------------------------------------------------------------

SEARCHED = " Only the first 30 rows are searched for the header, so it must be within them."


def test_a_header_below_the_rows_searched_is_refused_saying_how_many_are_searched(db):
    notes = [[f"Note {n}", "see the intranet"] for n in range(1, 200)]
    data = csv_text([*notes, *STAFF_ROWS]).encode()
    assert refused(data, "staff.csv", db).message == (
        "The columns in sheet 'CSV' do not match any kind of spreadsheet the dashboard knows "
        "(training, establishment, referrals, survey, measures, actions). The columns found are "
        "in row 1: 'Note 1', 'see the intranet'. Check it is the right file, or choose the kind "
        "and map the columns." + SEARCHED
    )


def test_a_header_on_the_last_row_searched_is_found(db):
    notes = [[f"Note {n}", "see the intranet"] for n in range(1, 30)]
    ingest(UploadRequest(csv_text([*notes, *STAFF_ROWS]).encode(), "staff.csv", db=db))
    assert staff(db) == [("Housing", "Caseworker", 4), ("Leisure", "Manager", 1)]


def test_a_header_with_cyrillic_letters_that_look_latin_names_them(db):
    rows = [
        ["Employee number", "\u0421\u043eurse", "Completion date"],  # Сourse: Cyrillic С, о
        ["E1", "Modern slavery awareness", "14/05/2025"],
    ]
    assert refused(csv_text(rows).encode(), "training.csv", db).message == (
        "The columns in sheet 'CSV' do not match any kind of spreadsheet the dashboard knows "
        "(training, establishment, referrals, survey, measures, actions). The columns found are "
        "in row 1: 'Employee number', 'Соurse', 'Completion date'. Check it is the right file, "
        "or choose the kind and map the columns." + SEARCHED + " 'Соurse' (column B) contains "
        "'С', 'о': Cyrillic letters that look like Latin ones. Retype the header."
    )


def test_a_header_with_cyrillic_letters_is_named_when_the_kind_is_chosen(db):
    rows = [
        ["Employee number", "\u0421\u043eurse", "Completion date"],
        ["E1", "Modern slavery awareness", "14/05/2025"],
    ]
    before = snapshot(db)
    with pytest.raises(Refused) as refusal:
        ingest(UploadRequest(csv_text(rows).encode(), "training.csv", db=db, kind="training"))
    assert snapshot(db) == before
    assert refusal.value.code == "no-table"
    assert refusal.value.message.endswith(
        "the columns found are in row 1: 'Employee number', 'Соurse', 'Completion date')."
        + SEARCHED
        + " 'Соurse' (column B) contains 'С', 'о': Cyrillic letters that look like Latin ones. "
        "Retype the header."
    )


# --- Excel errors and formulas without results -----------------------------------------------


def staff_workbook(path: Path, formulas: dict[str, tuple[str, float | str]], error: bool) -> bytes:
    """The staff rows as an .xlsx whose given cells hold formulas; `error`: their results are
    Excel errors (t="e"), as Excel saves a formula that fails."""
    b.xlsx_with_cached_formulas(path, STAFF_ROWS, formulas)
    if error:
        with zipfile.ZipFile(path) as archive:
            sheet = archive.read("xl/worksheets/sheet1.xml")
        b._rewrite_zip(path, {"xl/worksheets/sheet1.xml": sheet.replace(b't="str"', b't="e"')})
    return path.read_bytes()


def test_excel_errors_are_named_with_their_cell_and_row_not_called_empty(db, tmp_path):
    formulas = {"C2": ("VLOOKUP(A2,Staff!A:B,2,FALSE)", "#N/A"), "D3": ("A1/0", "#DIV/0!")}
    data = staff_workbook(tmp_path / "staff.xlsx", formulas, error=True)
    refusal = refused(data, "staff.xlsx", db)
    assert str(refusal) == (
        "staff.xlsx: The workbook holds Excel errors (such as #REF! or #N/A) where values should "
        "be.\n"
        "  - Sheet 'Report': '#N/A' in cell C2 is an Excel error, not a value: fix the formula in "
        "row 2 and save again.\n"
        "  - Sheet 'Report': '#DIV/0!' in cell D3 is an Excel error, not a value: fix the formula "
        "in row 3 and save again."
    )


def test_formulas_saved_without_their_results_are_refused_saying_to_save_in_excel(db, tmp_path):
    path = tmp_path / "staff.xlsx"
    b.write_xlsx(path, [*STAFF_ROWS[:2], ["Leisure", "Manager", "=C2-3", "01/04/2025"]])
    with zipfile.ZipFile(path) as archive:
        assert b"<f>C2-3</f><v></v></c>" in archive.read("xl/worksheets/sheet1.xml")
    assert refused(path.read_bytes(), "staff.xlsx", db).message == (
        "Sheet 'Report' holds formulas without their results (the first in cell C3): the program "
        "that wrote the file saved the formulas but not what they work out to, and this "
        "dashboard reads only results. Open the file in Excel, save it, and upload it again."
    )


def test_a_formula_whose_saved_result_is_empty_text_loads(db, tmp_path):
    data = staff_workbook(tmp_path / "staff.xlsx", {"B3": ('IF(C3>5,"Lead","")', "")}, False)
    assert b'<c r="B3" t="str"><f>' in zipfile.ZipFile(tmp_path / "staff.xlsx").read(
        "xl/worksheets/sheet1.xml"
    )
    ingest(UploadRequest(data, "staff.xlsx", db=db))
    assert staff(db) == [("Housing", "Caseworker", 4), ("Leisure", "Not specified", 1)]


def test_excel_errors_saved_into_a_csv_are_named_not_read_as_values(db):
    rows = [
        *STAFF_ROWS,
        ["#N/A", "Ranger", "2", "01/04/2025"],
        ["Parks", "Ranger", "#REF!", "01/04/2025"],
    ]
    refusal = refused(csv_text(rows).encode(), "staff.csv", db)
    assert [str(problem) for problem in refusal.problems] == [
        "Sheet 'CSV', row 4, column 'Service area': '#N/A' is an Excel error, not a value: fix "
        "the formula and save the file again",
        "Sheet 'CSV', row 5, column 'Headcount': '#REF!' is an Excel error, not a value: fix the "
        "formula and save the file again",
    ]


def test_an_excel_error_as_an_employee_number_is_named_not_taken_for_a_person(db):
    rows = [
        ["Employee number", "Course title", "Completion status", "Date completed"],
        ["E1", "Modern slavery awareness", "Completed", "14/05/2025"],
        ["#N/A", "Modern slavery awareness", "Completed", "15/05/2025"],
    ]
    refusal = refused(csv_text(rows).encode(), "training.csv", db)
    assert [str(problem) for problem in refusal.problems] == [
        "Sheet 'CSV', row 3, column 'Employee number': '#N/A' is an Excel error, not a value: "
        "fix the formula and save the file again"
    ]


def test_an_unused_column_with_cyrillic_letters_says_so_in_its_note(db):
    data = (
        "Month,Referral type,Type of exploitati\u043en,Number of referrals\r\n"
        "Apr-25,NRM,Labour,3\r\n"
    ).encode()
    upload = ingest(UploadRequest(data, "referrals.csv", db=db))
    assert [c.note for c in upload.columns if c.header.startswith("Type of")] == [
        "not stored: not a column this kind uses ('Type of exploitatiоn' (column C) contains "
        "'о': Cyrillic letters that look like Latin ones. Retype the header.)"
    ]


def test_a_missing_column_whose_header_has_cyrillic_letters_names_them(db):
    data = (
        "M\u043enth,Referral type,Type of exploitation,Number of referrals\r\n"
        "Apr-25,NRM,Labour,3\r\n"
    ).encode()
    assert refused(data, "referrals.csv", db).message == (
        "The file has no column for period (looked for headers such as 'period', 'month', "
        "'quarter', 'reporting period', 'period covered'). Add the column or give it at upload "
        "(--period). 'Mоnth' (column A) contains 'о': Cyrillic letters that look like Latin "
        "ones. Retype the header."
    )
