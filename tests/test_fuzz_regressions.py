"""Files the fuzz (tests/long/test_fuzz.py) found crashing an upload, each built here in code.

Each one used to end in a Python traceback; now it loads, or it is refused with a message that
says where the problem is (sheet, row, column) and what was expected, and the database is left
exactly as it was.
"""

from __future__ import annotations

from pathlib import Path

import builders as b
import pytest
from conftest import query, snapshot

from cams_data.ingest import UploadRequest, ingest
from cams_data.problems import Refused

STAFF = [
    ["Organisation", "Service area", "Role", "Headcount", "As at"],
    ["Colchester City Council", "Housing", "Housing Officer", 24, "01/04/2025"],
    ["Colchester City Council", "Planning", "Planner", 11, "01/04/2025"],
]
REFERRAL_HEADER = ["Quarter", "Referral type", "Type of exploitation", "Age group", "Count"]


@pytest.fixture
def loaded(db, tmp_path) -> Path:
    """A database already holding one upload, so that 'unchanged' means something."""
    path = b.write_csv(tmp_path / "staff.csv", STAFF)
    assert ingest(UploadRequest(path.read_bytes(), path.name, db=db)).status == "loaded"
    return db


def refused(db: Path, path: Path, **kwargs) -> Refused:
    """The upload's refusal, checked to name the file and to have changed nothing."""
    before = snapshot(db)
    with pytest.raises(Refused) as caught:
        ingest(UploadRequest(path.read_bytes(), path.name, db=db, **kwargs))
    assert str(caught.value).startswith(f"{path.name}: ")
    assert "Traceback" not in str(caught.value) and "Error" not in str(caught.value)
    assert snapshot(db) == before
    return caught.value


# --- periods that name no real month ---------------------------------------------------------


def test_text_shaped_like_a_period_that_names_no_month_is_just_text(loaded, tmp_path):
    """'0000 Q1' (year 0), '2025-13-01' (month 13) in any cell near the top of any file stopped
    the search for the header row with "ValueError: year 0 is out of range"."""
    path = b.write_csv(
        tmp_path / "training.csv",
        [
            [
                "Email address",
                "Service area",
                "Course title",
                "Completion status",
                "Date completed",
            ],
            ["a@example.org", "0000 Q1", "Modern Slavery Awareness", "Completed", "14/05/2025"],
            ["b@example.org", "2025-13-01", "Modern Slavery Awareness", "Completed", "15/05/2025"],
        ],
    )
    upload = ingest(UploadRequest(path.read_bytes(), path.name, db=loaded))
    assert (upload.status, upload.kind, upload.rows_loaded) == ("loaded", "training", 2)
    stored = query(loaded, "SELECT service_area FROM training ORDER BY service_area")
    assert stored == [("0000 Q1",), ("2025-13-01",)]


@pytest.mark.parametrize(
    "period",
    [
        "2025-13-01",  # month 13: ValueError: month must be in 1..12
        "0000 Q1",  # year 0: ValueError: year 0 is out of range
        "Q2 0000",
        "Dec 9999",  # the month after it is in year 10000: ValueError in the coverage
        "9999 Q4",
    ],
)
def test_a_period_that_names_no_month_is_a_problem_in_its_cell(loaded, tmp_path, period):
    path = b.write_csv(
        tmp_path / "referrals.csv",
        [
            REFERRAL_HEADER,
            ["2025/26 Q1", "NRM", "Labour", "Adult", 3],
            [period, "NRM", "Sexual", "Adult", 2],
        ],
    )
    refusal = refused(loaded, path)
    assert refusal.message.startswith("1 problem found; nothing was saved.")
    assert str(refusal.problems[0]).startswith(
        f"Sheet 'CSV', row 3, column 'Quarter': '{period}' is not a period (expected a month "
        "such as Apr-25"
    )


def test_a_crosstab_month_that_names_no_month_is_not_a_period_column(loaded, tmp_path):
    """A month header '2025-13-01' beside real ones crashed the header search; now it is a
    column of no use to the kind, said so, and the real months load."""
    path = b.write_csv(
        tmp_path / "crosstab.csv",
        [
            ["Exploitation type", "Apr-25", "May-25", "2025-13-01"],
            ["Labour exploitation", 2, 1, 5],
            ["Sexual exploitation", 1, 4, 6],
        ],
    )
    upload = ingest(UploadRequest(path.read_bytes(), path.name, db=loaded))
    assert (upload.status, upload.kind, upload.rows_loaded) == ("loaded", "referrals", 4)
    unused = [c for c in upload.columns if c.header == "2025-13-01"]
    assert [c.note for c in unused] == ["not stored: not a column this kind uses"]


# --- figures too large to store --------------------------------------------------------------


def test_a_count_too_large_for_the_database_is_a_problem_in_its_cell(loaded, tmp_path):
    """A headcount of 10^30 passed validation and then failed the insert: "ConversionException:
    Type INT128 ... out of range for the destination type INT32"."""
    path = b.write_csv(
        tmp_path / "staff-big.csv",
        [*STAFF, ["CBH", "Repairs", "Surveyor", "1" + "0" * 30, "01/04/2025"]],
    )
    refusal = refused(loaded, path)
    assert [str(p) for p in refusal.problems] == [
        f"Sheet 'CSV', row 4, column 'Headcount': '1{'0' * 30}' is too large for a count "
        "(expected at most 2,147,483,647)"
    ]


def test_a_count_of_hundreds_of_digits_is_a_problem_in_its_cell(loaded, tmp_path):
    """400 nines read as infinity: "OverflowError: cannot convert float infinity to integer"."""
    path = b.write_csv(
        tmp_path / "staff-nines.csv",
        [*STAFF, ["CBH", "Repairs", "Surveyor", "9" * 400, "01/04/2025"]],
    )
    refusal = refused(loaded, path)
    assert [str(p) for p in refusal.problems] == [
        f"Sheet 'CSV', row 4, column 'Headcount': '{'9' * 400}' is too large a number "
        "(expected a figure such as 12 or £1,250)"
    ]


def test_a_figure_of_hundreds_of_digits_is_not_stored_as_infinity(loaded, tmp_path):
    """A measure's value of 400 nines was stored as inf, and shown as such."""
    path = b.write_csv(
        tmp_path / "measures.csv",
        [
            ["Objective", "Measure", "Quarter", "Value"],
            [3, "Intelligence submissions", "2025/26 Q1", 14],
            [2, "Funding secured (GBP)", "2025/26 Q1", "9" * 400],
        ],
    )
    refusal = refused(loaded, path)
    assert [str(p) for p in refusal.problems] == [
        f"Sheet 'CSV', row 3, column 'Value': '{'9' * 400}' is too large a number "
        "(expected a figure such as 12 or £1,250)"
    ]


def test_counts_that_add_up_past_what_can_be_stored_are_a_problem(loaded, tmp_path):
    """Two headcounts of two billion on one key each fit, but their sum failed the insert."""
    path = b.write_csv(
        tmp_path / "staff-twice.csv",
        [
            *STAFF,
            ["CBH", "Repairs", "Surveyor", 2_000_000_000, "01/04/2025"],
            ["CBH", "Repairs", "Surveyor", "2,000,000,000", "01/04/2025"],
        ],
    )
    refusal = refused(loaded, path)
    assert [str(p) for p in refusal.problems] == [
        "Sheet 'CSV', row 4, column 'Headcount': is added up with the rows with the same "
        "organisation, service area, role and as of to 4,000,000,000 (expected a total of at "
        "most 2,147,483,647)"
    ]
    # Loading the valid rows only leaves the sum out, rather than failing the insert.
    upload = ingest(UploadRequest(path.read_bytes(), path.name, db=loaded, skip_invalid=True))
    assert upload.status == "loaded"
    # Both rows behind the sum are skipped, neither is a folded duplicate.
    assert (upload.rows_read, upload.rows_loaded, upload.rows_skipped) == (4, 2, 2)
    assert upload.duplicates_folded == 0
    assert query(loaded, "SELECT sum(headcount) FROM establishment") == [(35,)]


def test_referral_counts_that_add_up_past_what_can_be_stored_are_refused(loaded, tmp_path):
    path = b.write_csv(
        tmp_path / "referrals-twice.csv",
        [
            REFERRAL_HEADER,
            ["2025/26 Q1", "NRM", "Labour", "Adult", 2_000_000_000],
            ["2025/26 Q1", "nrm", "Labour exploitation", "Adult (18 or over)", 2_000_000_000],
        ],
    )
    refusal = refused(loaded, path)
    assert refusal.message.startswith("1 problem found; nothing was saved.")
    assert str(refusal.problems[0]).startswith("Sheet 'CSV', row 2, column 'Count': is added up")


# --- people told apart by neither e-mail, employee number nor name ----------------------------


def test_a_training_file_with_no_name_column_and_a_blank_employee_number(loaded, tmp_path):
    """With no name column at all, a row with neither e-mail nor employee number stopped the
    upload with "TypeError: operation 'radd' not supported for dtype 'str' with dtype
    'object'" instead of saying which row cannot be told apart."""
    path = b.write_csv(
        tmp_path / "training-numbers.csv",
        [
            ["Employee number", "Course title", "Completion status", "Date completed"],
            ["E10001", "Modern Slavery Awareness", "Completed", "14/05/2025"],
            ["", "Modern Slavery Awareness", "Completed", "15/05/2025"],
        ],
    )
    refusal = refused(loaded, path)
    assert [str(p) for p in refusal.problems] == [
        "Sheet 'CSV', row 3, column 'E-mail': is empty, and so are the employee number and "
        "name: the person cannot be told apart from others"
    ]


def test_one_problem_is_it_and_a_kind_keeps_its_capitals_in_a_sentence(db, tmp_path):
    from cams_data.kinds import KINDS

    assert KINDS["referrals"].in_a_sentence == "referral counts (NRM and Duty to Notify)"
    rows = [["Month", "Referral type", "Exploitation type", "Age group", "Number"],
            ["04/2025", "NRM", "Labour", "Adult", "lots"]]  # fmt: skip
    path = b.write_csv(tmp_path / "referrals.csv", rows)
    with pytest.raises(Refused) as refused:
        ingest(UploadRequest(path.read_bytes(), path.name, db=db))
    message = str(refused.value)
    assert "1 problem found; nothing was saved. Correct it and upload again: referral counts " in (
        message
    )
    assert "(NRM and Duty to Notify) must load whole" in message


# --- a far cell in a sheet the check before the parse did not find --------------------------
# The workbook reader finds an .xlsx's or .xlsb's parts in any case and with either slash, takes
# a sheet element in any namespace and a relationship marked external. The check of a sheet's
# extent looked for exact names only, so it never saw the sheet, and a 2 KB file with one cell
# at XFD3 became 16,384 columns, 25 seconds of the app's time before it was refused.

FAR_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas'
    b'.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr">'
    b'<is><t>Name</t></is></c></row><row r="3"><c r="XFD3"><v>1</v></c></row></sheetData>'
    b"</worksheet>"
)
FAR_CELL = (
    "far.xlsx: Sheet 'Report' has a cell at XFD3 (3 rows by 16,384 columns from A1): a "
    "spreadsheet this dashboard reads has at most 500 columns and 10,000,000 cells from A1 to its "
    "last cell. Delete the far cells (Ctrl+End shows them) and save again."
)


def _workbook(path: Path, parts: dict[str, bytes]) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def _far_xlsx(path: Path, sheet_part: str = "xl/worksheets/sheet1.xml", edit=None) -> Path:
    parts = b._package_parts(shared_strings=False)
    parts[sheet_part] = FAR_SHEET
    if edit:
        name, old, new = edit
        parts[name] = parts[name].replace(old, new)
    return _workbook(path, parts)


SHEET_PART_NAMES = [
    "xl/worksheets/sheet1.XML",
    "XL/Worksheets/Sheet1.xml",
    "xl\\worksheets\\sheet1.xml",
]
NAMESPACE = b' xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
TARGET = b'Target="worksheets/sheet1.xml"'


@pytest.mark.parametrize("sheet_part", SHEET_PART_NAMES)
def test_a_far_cell_is_refused_whatever_case_or_slash_its_sheet_part_is_named_in(
    loaded, tmp_path, sheet_part
):
    assert str(refused(loaded, _far_xlsx(tmp_path / "far.xlsx", sheet_part))) == FAR_CELL


@pytest.mark.parametrize(
    "edit",
    [
        ("xl/workbook.xml", NAMESPACE, b""),
        ("xl/_rels/workbook.xml.rels", TARGET, TARGET + b' TargetMode="External"'),
    ],
    ids=["sheet-in-no-namespace", "target-marked-external"],
)
def test_a_far_cell_is_refused_however_the_workbook_points_to_its_sheet(loaded, tmp_path, edit):
    assert str(refused(loaded, _far_xlsx(tmp_path / "far.xlsx", edit=edit))) == FAR_CELL


def test_an_xlsb_far_cell_is_refused_whatever_case_its_sheet_part_is_named_in(loaded, tmp_path):
    import zipfile

    path = b.write_xlsb(tmp_path / "far.xlsb", [["Name"]], sheet="Data", far_cells={"XFD3": 1})
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts["xl/worksheets/Sheet1.BIN"] = parts.pop("xl/worksheets/sheet1.bin")
    refusal = refused(loaded, _workbook(path, parts))
    assert str(refusal) == FAR_CELL.replace("far.xlsx", "far.xlsb").replace("'Report'", "'Data'")


def test_two_parts_named_alike_but_for_case_are_refused(loaded, tmp_path):
    """The reader opens one of them and the check might read the other."""
    parts = b._package_parts(shared_strings=False)
    parts["xl/worksheets/sheet1.xml"] = FAR_SHEET.replace(b'<c r="XFD3"><v>1</v></c>', b"")
    parts["xl/worksheets/SHEET1.xml"] = FAR_SHEET
    refusal = refused(loaded, _workbook(tmp_path / "two.xlsx", parts))
    assert str(refusal) == (
        "two.xlsx: The workbook holds two parts named 'xl/worksheets/sheet1.xml' and "
        "'xl/worksheets/SHEET1.xml', the same name but for capitals or slashes, which real "
        "spreadsheets never have, so the file was not opened. Open it in Excel and use File > "
        "Save As > Excel Workbook (.xlsx), then upload that."
    )


@pytest.mark.parametrize(
    "fmt, part", [("xlsx", "xl/worksheets/sheet1.xml"), ("ods", "content.xml"), ("ods", "mimetype")]
)
def test_a_part_whose_checksum_is_wrong_is_refused_as_damaged(loaded, tmp_path, fmt, part):
    """A byte changed in a part's CRC ended the upload in "BadZipFile: Bad CRC-32" when the
    sheet's extent was checked, the first read of the part to its end."""
    import zipfile

    path, _ = b.messy_training_export(tmp_path / f"export.{fmt}", fmt=fmt, people=6, seed=11)
    with zipfile.ZipFile(path) as archive:
        crc = archive.getinfo(part).CRC
    data = path.read_bytes()
    assert data.count(crc.to_bytes(4, "little")) == 2  # in the part's header and the directory
    path.write_bytes(data.replace(crc.to_bytes(4, "little"), (crc ^ 1).to_bytes(4, "little")))
    assert str(refused(loaded, path)) == (
        f"export.{fmt}: The file is damaged or incomplete (perhaps it did not finish "
        "downloading), so it cannot be read. Download or export it again."
    )


# --- a NUL in a CSV saved as UTF-16 without a byte-order mark --------------------------------


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_nul_in_a_utf16_csv_without_a_bom_is_refused_naming_its_line(loaded, tmp_path, encoding):
    """Its zero bytes no longer fell every other byte, so the file was not told as UTF-16 and
    was refused as "binary data", which it is not."""
    text = "".join(",".join(map(str, row)) + "\r\n" for row in STAFF)
    at = text.index("Planner")
    path = tmp_path / "staff.csv"
    path.write_bytes((text[:at] + "\x00" + text[at:]).encode(encoding))
    assert str(refused(loaded, path)) == (
        "staff.csv: Line 3 holds a NUL character (a zero byte, which text never holds), so the "
        "file may be damaged. Export it again, or open it in Excel and save it as CSV, then "
        "upload that."
    )
