"""The test-file builders make the files they claim to, in the right format, quickly.

These tests read the files back with independent readers (openpyxl, fastexcel, the csv module,
zipfile, olefile) and re-derive some of the `expected` figures from what was actually written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
import zipfile
from pathlib import Path

import builders as b
import fastexcel
import olefile
import openpyxl
import pytest

CSV_ENCODINGS = {"training": "utf-8-sig", "survey": "utf-8-sig", "crosstab": "utf-8"}


def read_grid(path: Path, encoding: str = "utf-8-sig") -> list[list[str | None]]:
    """Every row of the first sheet (or the CSV) as strings, None for an empty cell."""
    if path.suffix == ".csv":
        text = path.read_bytes().decode(encoding)
        return [[c if c != "" else None for c in row] for row in csv.reader(io.StringIO(text))]
    sheet = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None, dtypes="string")
    return [list(r.values()) for r in sheet.to_arrow().to_pylist()]


def table_after(grid: list[list[str | None]], first_header: str) -> tuple[int, list[list]]:
    """The header's row index and the data rows below it, up to the first blank row."""
    at = next(i for i, r in enumerate(grid) if r and r[0] == first_header)
    rows = []
    for r in grid[at + 1 :]:
        if all(c in (None, "") for c in r):
            break
        rows.append(r)
    return at, rows


def number(text: str | None) -> float:
    return float(text.replace(",", "")) if text else 0.0


# --- plain writers ---------------------------------------------------------------------------


def test_write_xlsx_titles_dates_notes_and_extra_sheets(tmp_path):
    rows = [
        ["Learner name", "Date completed", "When"],
        ["Alex Example", dt.date(2024, 5, 14), dt.datetime(2024, 5, 3, 9, 30)],
        ["Sam Sample", "03/05/2024", None],
    ]
    path = b.write_xlsx(
        tmp_path / "r.xlsx",
        rows,
        title_rows=["Course completion report", "OFFICIAL - SENSITIVE"],
        notes_below=["Report includes archived users"],
        extra_sheets={"Notes": [["About this report"]]},
        extra_sheets_first=True,
    )
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Notes", "Report"]
    ws = wb["Report"]
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:C1", "A2:C2"}
    assert ws["A3"].value is None and ws["A4"].value == "Learner name"
    assert ws["B5"].is_date and ws["B5"].number_format == "dd/mm/yyyy"
    assert ws["B5"].value == dt.datetime(2024, 5, 14)
    assert ws["C5"].value == dt.datetime(2024, 5, 3, 9, 30)
    assert ws["B6"].value == "03/05/2024" and not ws["B6"].is_date
    assert ws["A7"].value is None and ws["A8"].value == "Report includes archived users"


@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter", "prefix"),
    [
        ("utf-8", False, ",", b"Name,"),
        ("utf-8", True, ",", b"\xef\xbb\xbfName,"),
        ("cp1252", False, ";", b"Name;"),
        ("utf-16", False, "\t", b"\xff\xfeN\x00a\x00"),
    ],
)
def test_write_csv_encodings(tmp_path, encoding, bom, delimiter, prefix):
    rows = [["Name", "Date", "Note"], ["Zoë Example", dt.date(2024, 5, 14), "Barnardo’s, Essex"]]
    path = b.write_csv(tmp_path / "r.csv", rows, encoding=encoding, bom=bom, delimiter=delimiter)
    data = path.read_bytes()
    assert data.startswith(prefix)
    text = data.decode({"utf-8": "utf-8-sig", "utf-16": "utf-16"}.get(encoding, encoding))
    parsed = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    assert parsed == [["Name", "Date", "Note"], ["Zoë Example", "14/05/2024", "Barnardo’s, Essex"]]
    if encoding == "cp1252":
        assert b"\x92" in data  # the curly apostrophe, in cp1252


def test_write_csv_title_rows_are_padded_like_excel(tmp_path):
    path = b.write_csv(tmp_path / "r.csv", [["a", "b", "c"], [1, 2, 3]], title_rows=["Report"])
    assert path.read_text().splitlines() == ["Report,,", ",,", "a,b,c", "1,2,3"]


@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_write_ods_and_xls(tmp_path, fmt):
    rows = [["Learner name", "Date completed", "Count"], ["Alex Example", dt.date(2024, 5, 14), 3]]
    writer = b.write_ods if fmt == "ods" else b.write_xls
    path = writer(tmp_path / f"r.{fmt}", rows, title_rows=["Course completion report"])
    head = path.read_bytes()[:8]
    if fmt == "xls":
        assert head == b.OLE_MAGIC
    else:
        with zipfile.ZipFile(path) as z:
            assert z.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
    grid = read_grid(path)
    assert grid[0][0] == "Course completion report"
    assert grid[2] == ["Learner name", "Date completed", "Count"]
    assert grid[3][0] == "Alex Example" and grid[3][1].startswith("2024-05-14")  # a real date
    assert number(grid[3][2]) == 3


def test_cached_formulas_are_read_by_fastexcel(tmp_path):
    rows = [["Item", "Count", "Double", "Label"], ["Posters", 12, None, None]]
    path = b.xlsx_with_cached_formulas(
        tmp_path / "f.xlsx", rows, {"C2": ("B2*2", 24), "D2": ('IF(B2>10,"many","few")', "many")}
    )
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert '<c r="C2"><f>B2*2</f><v>24</v></c>' in xml
    assert '<c r="D2" t="str"><f>' in xml
    assert read_grid(path)[1] == ["Posters", "12", "24", "many"]


# --- broken and hostile files ----------------------------------------------------------------


def test_zip_bomb_is_small_on_disk_and_huge_inside(tmp_path):
    start = time.perf_counter()
    path = b.zip_bomb_xlsx(tmp_path / "bomb.xlsx")
    assert time.perf_counter() - start < 5
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        unpacked = sum(i.file_size for i in z.infolist())
        assert z.read("[Content_Types].xml").startswith(b"<?xml")
    assert {"[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"} <= set(names)
    assert path.stat().st_size < 1024 * 1024
    assert unpacked >= 200 * 1024 * 1024
    assert unpacked / path.stat().st_size > 100


def test_small_bomb_is_a_real_workbook(tmp_path):
    path = b.zip_bomb_xlsx(tmp_path / "small.xlsx", uncompressed_mb=1)
    sheet = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None, n_rows=3)
    assert sheet.height == 3


@pytest.mark.parametrize("where", ["sharedStrings", "sheet"])
def test_entity_workbooks(tmp_path, where):
    part = "xl/sharedStrings.xml" if where == "sharedStrings" else "xl/worksheets/sheet1.xml"
    laughs = b.billion_laughs_xlsx(tmp_path / "lol.xlsx", where=where)
    xxe = b.external_entity_xlsx(tmp_path / "xxe.xlsx", where=where)
    with zipfile.ZipFile(laughs) as z:
        xml = z.read(part).decode()
    assert laughs.stat().st_size < 4096
    assert "<!DOCTYPE" in xml and len(re.findall(r"<!ENTITY lol\d? ", xml)) == 10
    assert "&lol9;" in xml.split("]>", 1)[1]
    with zipfile.ZipFile(xxe) as z:
        xml = z.read(part).decode()
    assert '<!ENTITY xxe SYSTEM "file:///etc/passwd">' in xml and "<t>&xxe;</t>" in xml


@pytest.mark.parametrize("where", ["sharedStrings", "sheet"])
def test_entity_workbook_packaging_is_valid(tmp_path, where):
    # The same package with a harmless predefined entity opens: only the DOCTYPE is hostile.
    path = b._entity_workbook(tmp_path / "ok.xlsx", "", "amp", where)
    assert read_grid(path) == [["Learner name"], ["&"]]


def test_encrypted_xlsx(tmp_path):
    import msoffcrypto

    path = b.encrypted_xlsx(tmp_path / "locked.xlsx", password="secret")
    assert path.read_bytes()[:8] == b.OLE_MAGIC
    with olefile.OleFileIO(str(path)) as ole:
        assert ole.exists("EncryptedPackage") and ole.exists("EncryptionInfo")
    out = io.BytesIO()
    with open(path, "rb") as fh:
        office = msoffcrypto.OfficeFile(fh)
        assert office.is_encrypted()
        office.load_key(password="secret")
        office.decrypt(out)
    ws = openpyxl.load_workbook(out).active
    assert ws["A2"].value == "Alex Example"


def test_corrupt_truncated_renamed_empty(tmp_path):
    bad = b.corrupt_xls(tmp_path / "bad.xls")
    data = bad.read_bytes()
    assert data[:8] == b.OLE_MAGIC and len(data) == 4096
    with pytest.raises(OSError):
        olefile.OleFileIO(str(bad))

    src = b.write_xlsx(tmp_path / "src.xlsx", [["a"], [1]])
    cut = b.truncated_copy(src, tmp_path / "cut.xlsx", keep=0.5)
    assert cut.read_bytes() == src.read_bytes()[: src.stat().st_size // 2]
    assert not zipfile.is_zipfile(cut)

    csv_path = b.write_csv(tmp_path / "a.csv", [["a", "b"], [1, 2]])
    fake = b.renamed(csv_path, tmp_path / "a.xlsx")
    assert fake.suffix == ".xlsx" and fake.read_bytes() == csv_path.read_bytes()

    empty = b.empty_xlsx(tmp_path / "empty.xlsx")
    with zipfile.ZipFile(empty) as z:
        assert "<c " not in z.read("xl/worksheets/sheet1.xml").decode()
    assert read_grid(empty) == []


@pytest.mark.parametrize(
    ("kind", "magic"),
    [
        ("pdf", b"%PDF-"),
        ("png", b"\x89PNG\r\n\x1a\n"),
        ("text", b"Hi "),
        ("html", b"<html>"),
        ("zip", b"PK\x03\x04"),
    ],
)
def test_not_a_spreadsheet(tmp_path, kind, magic):
    path = b.not_a_spreadsheet(tmp_path / f"{kind}.xls", kind)
    data = path.read_bytes()
    assert data.startswith(magic) and len(data) < 2048
    if kind == "pdf":
        assert data.rstrip().endswith(b"%%EOF")


# --- messy exports ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", b.FORMATS)
def test_messy_training_export(tmp_path, fmt):
    start = time.perf_counter()
    path, exp = b.messy_training_export(tmp_path / f"training.{fmt}", fmt=fmt)
    assert time.perf_counter() - start < 1
    grid = read_grid(path, CSV_ENCODINGS["training"])
    assert grid[0][0] == "Course completion report"
    at, rows = table_after(grid, exp["header"][0])
    assert at == exp["header_row"]
    assert [h for h in grid[at] if h] == exp["header"]
    assert len(rows) == exp["rows_in_file"]
    assert any(r[0] == "Report includes archived users" for r in grid[at + len(rows) :])
    seen, dupes = set(), 0
    for r in rows:
        dupes += tuple(r) in seen
        seen.add(tuple(r))
    assert dupes == exp["exact_duplicates"] > 0
    emails = [r[1] for r in rows]
    assert len({e.lower() for e in emails}) == exp["people"] < len(set(emails))
    assert len({" ".join(r[5].split()).casefold() for r in rows}) == exp["courses"] == 5
    assert sum(exp["completions_by_course"].values()) == exp["completions"]
    assert exp["open"] > 0 and exp["completions"] < exp["statuses"]["Completed"]
    # UK text dates: some unambiguous (day > 12), some a month-first reader would misread.
    text_dates = [r[7] for r in rows if r[7] and re.fullmatch(r"\d\d/\d\d/\d{4}", r[7])]
    assert any(int(d[:2]) > 12 for d in text_dates)
    assert any(int(d[:2]) <= 12 and d[:2] != d[3:5] for d in text_dates)
    if fmt != "csv":
        assert any(r[7] and r[7].startswith("20") for r in rows)  # real dates too


def test_messy_training_is_deterministic(tmp_path):
    a = b.messy_training_export(tmp_path / "a.csv", fmt="csv", seed=3)
    c = b.messy_training_export(tmp_path / "c.csv", fmt="csv", seed=3)
    d = b.messy_training_export(tmp_path / "d.csv", fmt="csv", seed=4)
    assert a[1] == c[1] and a[0].read_bytes() == c[0].read_bytes()
    assert a[0].read_bytes() != d[0].read_bytes()


@pytest.mark.parametrize("fmt", b.FORMATS)
@pytest.mark.parametrize("anonymous", [True, False])
def test_forms_survey_export(tmp_path, fmt, anonymous):
    path, exp = b.forms_survey_export(tmp_path / f"survey.{fmt}", fmt=fmt, anonymous=anonymous)
    grid = read_grid(path, CSV_ENCODINGS["survey"])
    header, rows = grid[0], grid[1:]
    assert header[:6] == [
        "ID",
        "Start time",
        "Completion time",
        "Email",
        "Name",
        "Last modified time",
    ]
    assert len(rows) == exp["responses"] == 30
    col = {h: i for i, h in enumerate(header)}
    if anonymous:
        assert {r[col["Email"]] for r in rows} == {"anonymous"}
        assert {r[col["Name"]] for r in rows} == {None}
    else:
        assert all("@" in r[col["Email"]] and r[col["Name"]] for r in rows)
    seen = [r[col[b.Q_SEEN]] for r in rows if r[col[b.Q_SEEN]]]
    assert all(s.endswith(";") for s in seen)
    assert (
        sum(len([o for o in s.split(";") if o]) for s in seen)
        == (exp["answers_by_question"][b.Q_SEEN])
    )
    confident = sum(r[col[b.Q_CONFIDENT]] is not None for r in rows)
    assert confident == exp["answers_by_question"][b.Q_CONFIDENT] < 30
    assert b.Q_COMMENTS not in exp["answers_by_question"]
    assert sum(r[col[b.Q_REPORT]] == "Yes" for r in rows) == exp["know_how_to_report_yes"]
    assert sum(exp["by_service_area"].values()) == 30
    started = [r[col["Start time"]] for r in rows]
    assert all(s.startswith("2025-10-") or s[2:10] == "/10/2025" for s in started)


@pytest.mark.parametrize("fmt", b.FORMATS)
def test_referral_crosstab(tmp_path, fmt):
    path, exp = b.referral_crosstab(tmp_path / f"crosstab.{fmt}", fmt=fmt)
    grid = read_grid(path, CSV_ENCODINGS["crosstab"])
    at, rows = table_after(grid, "Exploitation type")
    assert grid[at][1:] == ["Apr-25", "May-25", "Jun-25", "Total"]
    body, total_row = rows[:-1], rows[-1]
    assert total_row[0] == "Total" and len(body) == 5
    assert sum(number(c) for r in body for c in r[1:4]) == exp["total"] == number(total_row[4])
    assert [number(c) for c in total_row[1:4]] == list(exp["by_month"].values())
    assert [number(r[4]) for r in body] == list(exp["by_type"].values())
    assert sum(c is None for r in body for c in r[1:4]) == exp["blank_cells"]
    assert any(r[0] == "Figures are provisional" for r in grid)


def test_referral_crosstab_with_formulas_and_date_headers(tmp_path):
    path, exp = b.referral_crosstab(tmp_path / "c.xlsx", formulas=True, month_headers="dates")
    with zipfile.ZipFile(path) as z:
        assert "<f>SUM(" in z.read("xl/worksheets/sheet1.xml").decode()
    at, rows = table_after(read_grid(path), "Exploitation type")
    assert number(rows[-1][4]) == exp["total"]
    ws = openpyxl.load_workbook(path).active
    assert ws.cell(at + 1, 2).is_date and ws.cell(at + 1, 2).number_format == "mmm-yy"


@pytest.mark.parametrize("fmt", b.FORMATS)
def test_referral_tidy(tmp_path, fmt):
    path, exp = b.referral_tidy(tmp_path / f"tidy.{fmt}", fmt=fmt)
    grid = read_grid(path, "cp1252")
    header, rows = grid[0], grid[1:]
    assert header == exp["header"]
    assert rows[-1][0] == "Total" and number(rows[-1][5]) == exp["total"]
    data = rows[:-1]
    assert len(data) == exp["rows_in_file"] > exp["rows_after_folding"]
    assert sum(number(r[5]) for r in data) == exp["total"] == sum(exp["by_quarter"].values())
    assert set(exp["by_quarter"]) == {"2025-04-01", "2025-07-01"}
    assert any(r[5] and "," in r[5] for r in data)
    quarters = {r[0] for r in data}
    assert any(q.startswith("2025/26 Q") for q in quarters)
    assert any(q.startswith("Q") and q.endswith("2025-26") for q in quarters)
    if fmt == "csv":
        assert b"Barnardo\x92s" in path.read_bytes()
