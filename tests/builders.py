"""Spreadsheet files built in code for the tests: tidy, messy, broken and hostile.

The project commits no fixture files. Every file a test needs is made here, on the fly, from
made-up data (obviously fake names such as "Alex Example"), and the messy builders return the
figures a correct loader must produce, computed from the very rows they wrote.

Plain writers:   write_xlsx, write_csv, write_ods, write_xls, xlsx_with_cached_formulas,
                 write_xlsb, ods_with_tables, as_libreoffice_saves
Broken/hostile:  zip_bomb_xlsx, zip_bomb_declaring_a_modest_size, one_cell_xlsx,
                 billion_laughs_xlsx, external_entity_xlsx, encrypted_xlsx, corrupt_xls,
                 truncated_copy, not_a_spreadsheet, apple_numbers, empty_xlsx, renamed
Messy exports:   messy_training_export, forms_survey_export, referral_crosstab, referral_tidy,
                 forms_survey_csv, google_forms_export

All builders are deterministic (a seeded `random.Random`) and fast.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import struct
import tempfile
import zipfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

Row = list  # a list of cell values: str, int, float, datetime.date, datetime.datetime, None

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
FORMATS = ("xlsx", "csv", "xls", "ods")

# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _layout(
    rows: Sequence[Row], title_rows: Iterable[str] = (), notes_below: Iterable[str] = ()
) -> tuple[list[Row], int]:
    """Title rows, a blank row, the table, a blank row, the notes; and the header's 0-based row."""
    titles = [t for t in title_rows]
    notes = [n for n in notes_below]
    out: list[Row] = [[t] if t not in (None, "") else [] for t in titles]
    if titles:
        out.append([])
    header_at = len(out)
    out.extend(list(r) for r in rows)
    if notes:
        out.append([])
        out.extend([n] for n in notes)
    return out, header_at


def _width(rows: Sequence[Row]) -> int:
    return max((len(r) for r in rows), default=0)


def _uk_text(value: object) -> str:
    """A cell value as a UK spreadsheet would show it in a CSV: dates day-first."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.strftime("%d/%m/%Y")
        if value.second:
            return value.strftime("%d/%m/%Y %H:%M:%S")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _col_letter(n: int) -> str:
    """1 -> A, 27 -> AA."""
    s = ""
    while n:
        n, rem = divmod(n - 1, 26)
        s = chr(65 + rem) + s
    return s


def _parse_ref(ref: str) -> tuple[int, int]:
    """'D2' -> (row 2, column 4), both 1-based."""
    m = re.fullmatch(r"([A-Za-z]+)(\d+)", ref)
    if not m:
        raise ValueError(f"not an A1-style cell reference: {ref!r}")
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def _rewrite_zip(path: Path, replace: dict[str, bytes]) -> None:
    """Rewrite a zip archive in place, swapping the named parts' bytes (order kept)."""
    with zipfile.ZipFile(path) as src:
        items = [(info, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in items:
            dst.writestr(info, replace.get(info.filename, data))


def _key(text: str) -> str:
    """Case- and space-insensitive comparison key."""
    return " ".join(str(text).split()).casefold()


def _write_format(
    path: Path,
    fmt: str,
    rows: list[Row],
    *,
    title_rows: Sequence[str] = (),
    notes_below: Sequence[str] = (),
    sheet: str = "Report",
    encoding: str = "utf-8",
    bom: bool = False,
) -> Path:
    if fmt == "xlsx":
        return write_xlsx(path, rows, sheet=sheet, title_rows=title_rows, notes_below=notes_below)
    if fmt == "csv":
        return write_csv(
            path, rows, title_rows=title_rows, notes_below=notes_below, encoding=encoding, bom=bom
        )
    if fmt == "xls":
        return write_xls(path, rows, sheet=sheet, title_rows=title_rows, notes_below=notes_below)
    if fmt == "ods":
        return write_ods(path, rows, sheet=sheet, title_rows=title_rows, notes_below=notes_below)
    raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")


# ---------------------------------------------------------------------------------------------
# Plain writers
# ---------------------------------------------------------------------------------------------


def write_xlsx(
    path,
    rows: list[Row],
    *,
    sheet: str = "Report",
    title_rows: list[str] = (),
    merge_title: bool = True,
    notes_below: list[str] = (),
    extra_sheets: dict[str, list[Row]] | None = None,
    date_format: str = "dd/mm/yyyy",
    datetime_format: str | None = None,
    extra_sheets_first: bool = False,
    bold_header: bool = True,
    hidden_sheets: Sequence[str] = (),
) -> Path:
    """An .xlsx with optional title rows (merged across the table), the table, notes below.

    Dates and datetimes become real Excel dates shown with `date_format` (datetimes with a time
    of day use `datetime_format` when given). Empty strings and None leave the cell empty.
    Strings starting with "=" are written as formulas (openpyxl's rule) without cached values.
    `extra_sheets` are added after the main sheet, or before it with `extra_sheets_first`.
    `hidden_sheets` names the sheets (main or extra) hidden in the workbook.
    """
    from openpyxl import Workbook

    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    _fill_openpyxl(
        ws, rows, title_rows, notes_below, merge_title, date_format, datetime_format, bold_header
    )
    for i, (name, extra) in enumerate((extra_sheets or {}).items()):
        other = wb.create_sheet(name, i if extra_sheets_first else None)
        _fill_openpyxl(other, extra, (), (), False, date_format, datetime_format, False)
    if extra_sheets_first and extra_sheets:
        wb.active = len(extra_sheets)
    for name in hidden_sheets:
        wb[name].sheet_state = "hidden"
    if wb.active.sheet_state == "hidden":  # Excel opens on a visible sheet
        wb.active = next(i for i, ws in enumerate(wb.worksheets) if ws.sheet_state == "visible")
    wb.save(path)
    return path


def _fill_openpyxl(
    ws, rows, title_rows, notes_below, merge_title, date_format, datetime_format, bold_header
) -> None:
    from openpyxl.styles import Font

    layout, header_at = _layout(rows, title_rows, notes_below)
    width = _width(rows)
    n_titles = len(list(title_rows))
    for r, row in enumerate(layout, start=1):
        for c, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, dt.datetime) and value.time() != dt.time(0):
                cell.number_format = datetime_format or date_format
            elif isinstance(value, dt.date):
                cell.number_format = date_format
            if (r - 1 < n_titles or r - 1 == header_at) and bold_header:
                cell.font = Font(bold=True)
        if r - 1 < n_titles and row and merge_title and width > 1:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)


def write_csv(
    path,
    rows: list[Row],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
    title_rows: list[str] = (),
    bom: bool = False,
    notes_below: list[str] = (),
    pad: bool = True,
    line_terminator: str = "\r\n",
) -> Path:
    """A CSV as Excel saves one: dates as UK text dd/mm/yyyy, fields quoted where needed.

    encoding "utf-8" (with `bom` for Excel's "CSV UTF-8"), "cp1252" (Excel's plain "CSV" on
    Windows) or "utf-16" (Excel's "Unicode text": UTF-16 LE with a BOM; pass delimiter="\\t"
    for the real thing). With `pad`, every line has the table's width of fields, as Excel writes
    title and blank lines (",,,,").
    """
    path = Path(path)
    layout, _ = _layout(rows, title_rows, notes_below)
    width = _width(rows)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=line_terminator)
    for row in layout:
        cells = [_uk_text(v) for v in row]
        if pad and len(cells) < width:
            cells += [""] * (width - len(cells))
        writer.writerow(cells)
    text = buf.getvalue()
    enc = encoding.lower().replace("_", "-")
    if enc in ("utf-16", "utf16", "utf-16-le", "utf-16le"):
        data = b"\xff\xfe" + text.encode("utf-16-le")
    elif enc in ("utf-8", "utf8", "utf-8-sig"):
        data = (b"\xef\xbb\xbf" if bom or enc == "utf-8-sig" else b"") + text.encode("utf-8")
    else:
        data = text.encode(encoding)
    path.write_bytes(data)
    return path


def write_ods(
    path,
    rows: list[Row],
    *,
    sheet: str = "Sheet1",
    title_rows: list[str] = (),
    notes_below: list[str] = (),
    merge_title: bool = True,
) -> Path:
    """An OpenDocument spreadsheet (odfpy), dates as real date cells shown dd/mm/yyyy."""
    from odf.number import DateStyle, Day, Month, Year
    from odf.number import Text as NumText
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    path = Path(path)
    doc = OpenDocumentSpreadsheet()
    date_style = DateStyle(name="ukdate")
    date_style.addElement(Day(style="long"))
    date_style.addElement(NumText(text="/"))
    date_style.addElement(Month(style="long"))
    date_style.addElement(NumText(text="/"))
    date_style.addElement(Year(style="long"))
    doc.automaticstyles.addElement(date_style)
    date_cell = Style(name="datecell", family="table-cell", datastylename="ukdate")
    doc.automaticstyles.addElement(date_cell)

    table = Table(name=sheet)
    layout, _ = _layout(rows, title_rows, notes_below)
    width = _width(rows)
    n_titles = len(list(title_rows))
    for r, row in enumerate(layout):
        tr = TableRow()
        merged = r < n_titles and row and merge_title and width > 1
        for c, value in enumerate(row):
            if value is None or value == "":
                tr.addElement(TableCell())
                continue
            if isinstance(value, bool):
                value = str(value).upper()
            if isinstance(value, dt.datetime):
                iso = value.isoformat() if value.time() != dt.time(0) else value.date().isoformat()
                cell = TableCell(valuetype="date", datevalue=iso, stylename=date_cell)
            elif isinstance(value, dt.date):
                cell = TableCell(valuetype="date", datevalue=value.isoformat(), stylename=date_cell)
            elif isinstance(value, int | float):
                cell = TableCell(valuetype="float", value=value)
            else:
                cell = TableCell(valuetype="string")
            if merged and c == 0:
                cell.setAttribute("numbercolumnsspanned", str(width))
            for line in _uk_text(value).split("\n"):
                cell.addElement(P(text=line))
            tr.addElement(cell)
        if merged:
            for _ in range(width - 1):
                tr.addElement(CoveredTableCell())
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    with open(path, "wb") as fh:
        doc.write(fh)
    return path


def write_xls(
    path,
    rows: list[Row],
    *,
    sheet: str = "Sheet1",
    title_rows: list[str] = (),
    notes_below: list[str] = (),
    merge_title: bool = True,
    date_format: str = "dd/mm/yyyy",
    datetime_format: str = "dd/mm/yyyy hh:mm",
) -> Path:
    """A legacy Excel 97-2003 .xls (BIFF8, via xlwt), dates as real Excel dates."""
    import xlwt

    path = Path(path)
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet[:31])
    date_style = xlwt.easyxf(num_format_str=date_format)
    datetime_style = xlwt.easyxf(num_format_str=datetime_format)
    bold = xlwt.easyxf("font: bold on")
    layout, header_at = _layout(rows, title_rows, notes_below)
    width = _width(rows)
    n_titles = len(list(title_rows))
    for r, row in enumerate(layout):
        if r < n_titles and row and merge_title and width > 1:
            ws.write_merge(r, r, 0, width - 1, row[0], bold)
            continue
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, dt.datetime):
                style = datetime_style if value.time() != dt.time(0) else date_style
                ws.write(r, c, value, style)
            elif isinstance(value, dt.date):
                ws.write(r, c, value, date_style)
            elif r == header_at or r < n_titles:
                ws.write(r, c, value, bold)
            else:
                ws.write(r, c, value)
    wb.save(str(path))
    return path


def _xlsb_record(kind: int, data: bytes = b"") -> bytes:
    """One record of an .xlsb part: its type and length, each in 7-bit groups, then the data."""

    def groups(number: int) -> bytes:
        out = bytearray()
        while True:
            out.append((number & 0x7F) | (0x80 if number >> 7 else 0))
            number >>= 7
            if not number:
                return bytes(out)

    return groups(kind) + groups(len(data)) + data


def _xlsb_text(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def write_xlsb(
    path,
    rows: list[Row],
    *,
    sheet: str = "Sheet1",
    far_cells: dict[str, object] | None = None,
    dimension: str | None = None,
) -> Path:
    """A minimal Excel binary workbook (.xlsb), its records written by hand (no library here
    writes the format): `rows` from A1 as numbers and text, `far_cells` anywhere ({"XFD5": 1}),
    and a BrtWsDim saying the sheet spans `dimension` ("A1:XFD1048576"; by default the cells'
    own range)."""
    path = Path(path)
    cells = {(r, c): v for r, row in enumerate(rows) for c, v in enumerate(row) if v is not None}
    for ref, value in (far_cells or {}).items():
        row, column = _parse_ref(ref)
        cells[row - 1, column - 1] = value
    last_row, last_column = max(r for r, _ in cells), max(c for _, c in cells)
    if dimension:
        (top, left), (bottom, right) = (_parse_ref(ref) for ref in dimension.split(":"))
        spans = (top - 1, bottom - 1, left - 1, right - 1)
    else:
        spans = (0, last_row, 0, last_column)
    records = [_xlsb_record(0x81), _xlsb_record(0x94, struct.pack("<4I", *spans))]
    records.append(_xlsb_record(0x91))  # BrtBeginSheet, BrtWsDim, BrtBeginSheetData
    by_row = defaultdict(list)
    for (row, column), value in sorted(cells.items()):
        by_row[row].append((column, value))
    for row, row_cells in by_row.items():
        records.append(_xlsb_record(0x00, struct.pack("<IIHxxxI", row, 0, 300, 0)))  # BrtRowHdr
        for column, value in row_cells:
            if isinstance(value, int | float):  # BrtCellReal
                records.append(_xlsb_record(0x05, struct.pack("<IId", column, 0, value)))
            else:  # BrtCellSt (a date as its ISO text)
                text = struct.pack("<II", column, 0) + _xlsb_text(str(value))
                records.append(_xlsb_record(0x06, text))
    records += [_xlsb_record(0x92), _xlsb_record(0x82)]  # BrtEndSheetData, BrtEndSheet
    workbook = [
        _xlsb_record(0x83),  # BrtBeginBook
        _xlsb_record(0x8F),  # BrtBeginBundleShs
        _xlsb_record(0x9C, struct.pack("<II", 0, 1) + _xlsb_text("rId1") + _xlsb_text(sheet)),
        _xlsb_record(0x90),  # BrtEndBundleShs
        _xlsb_record(0x84),  # BrtEndBook
    ]
    relationships = (
        _XML_DECL
        + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_NS_REL}/{{}}" Target="{{}}"/></Relationships>'
    )
    content_types = (
        _XML_DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="bin" '
        'ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
        '<Override PartName="/xl/worksheets/sheet1.bin" '
        'ContentType="application/vnd.ms-excel.worksheet"/></Types>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", relationships.format("officeDocument", "xl/workbook.bin"))
        archive.writestr("xl/workbook.bin", b"".join(workbook))
        archive.writestr(
            "xl/_rels/workbook.bin.rels", relationships.format("worksheet", "worksheets/sheet1.bin")
        )
        archive.writestr("xl/worksheets/sheet1.bin", b"".join(records))
    return path


def ods_with_tables(path, tables: str) -> Path:
    """An .ods whose content.xml holds `tables` (<table:table> elements) as written, for what
    odfpy never writes: rows and cells repeated (table:number-rows-repeated,
    table:number-columns-repeated)."""
    path = write_ods(path, [["x"]])
    with zipfile.ZipFile(path) as archive:
        content = archive.read("content.xml").decode()
    content = re.sub(
        "<office:spreadsheet>.*</office:spreadsheet>",
        lambda _: f"<office:spreadsheet>{tables}</office:spreadsheet>",
        content,
        flags=re.DOTALL,
    )
    _rewrite_zip(path, {"content.xml": content.encode()})
    return path


def as_libreoffice_saves(path) -> Path:
    """An .ods from write_ods rewritten as LibreOffice saves one: every row padded with empty
    cells repeated to column 1,024, every sheet ended by empty rows repeated to row 1,048,576,
    and an empty second sheet filled the same way."""
    path = Path(path)
    edge = '<table:table-row table:number-rows-repeated="{}"><table:table-cell ' + (
        'table:number-columns-repeated="1024"/></table:table-row></table:table>'
    )

    def padded_row(row: re.Match) -> str:
        cells = len(re.findall("<table:(?:covered-)?table-cell[ />]", row[0]))
        padding = f'<table:table-cell table:number-columns-repeated="{1024 - cells}"/>'
        return row[0].removesuffix("</table:table-row>") + padding + "</table:table-row>"

    def padded_sheet(sheet: re.Match) -> str:
        rows = re.sub("<table:table-row>.*?</table:table-row>", padded_row, sheet[0], flags=re.S)
        rows = rows.replace(">", '><table:table-column table:number-columns-repeated="1024"/>', 1)
        return rows.removesuffix("</table:table>") + edge.format(
            1048576 - sheet[0].count("<table:table-row")
        )

    with zipfile.ZipFile(path) as archive:
        content = archive.read("content.xml").decode()
    content = re.sub("<table:table .*?</table:table>", padded_sheet, content, flags=re.S)
    empty = '<table:table table:name="Sheet2">' + edge.format(1048576)
    content = content.replace("</office:spreadsheet>", empty + "</office:spreadsheet>")
    _rewrite_zip(path, {"content.xml": content.encode()})
    return path


def xlsx_with_cached_formulas(
    path, rows: list[Row], formulas: dict[str, tuple[str, float | str]], *, sheet: str = "Report"
) -> Path:
    """An .xlsx whose given cells hold a formula AND its cached value, as Excel saves them.

    {"D2": ("B2*2", 24)} -> <c r="D2"><f>B2*2</f><v>24</v></c>; a text value gets t="str".
    openpyxl cannot write cached values, so sheet1.xml is edited after saving.
    """
    path = Path(path)
    grid = [list(r) for r in rows]
    for ref, (formula, _) in formulas.items():
        r, c = _parse_ref(ref)
        while len(grid) < r:
            grid.append([])
        row = grid[r - 1]
        while len(row) < c:
            row.append(None)
        row[c - 1] = "=" + formula.lstrip("=")
    write_xlsx(path, grid, sheet=sheet, bold_header=False)
    _inject_cached_formulas(path, "xl/worksheets/sheet1.xml", formulas)
    return path


def _inject_cached_formulas(
    path: Path, part: str, formulas: dict[str, tuple[str, float | str]]
) -> None:
    with zipfile.ZipFile(path) as z:
        xml = z.read(part).decode("utf-8")
    for ref, (formula, cached) in formulas.items():
        ref = ref.upper()
        f = escape(formula.lstrip("="))
        if isinstance(cached, str):
            new = f'<c r="{ref}" t="str"><f>{f}</f><v>{escape(cached)}</v></c>'
        else:
            new = f'<c r="{ref}"><f>{f}</f><v>{cached!r}</v></c>'
        pattern = re.compile(rf'<c r="{ref}"(?:[^>]*/>|[^>]*>.*?</c>)', re.S)
        xml, n = pattern.subn(lambda _m, new=new: new, xml, count=1)
        if n != 1:
            raise AssertionError(f"cell {ref} not found in {part}")
    _rewrite_zip(path, {part: xml.encode("utf-8")})


# ---------------------------------------------------------------------------------------------
# Broken and hostile files
# ---------------------------------------------------------------------------------------------

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _content_types(shared_strings: bool) -> bytes:
    sst = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        if shared_strings
        else ""
    )
    return (
        _XML_DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' + sst + "</Types>"
    ).encode()


def _package_parts(shared_strings: bool) -> dict[str, bytes]:
    """The parts of a minimal one-sheet workbook, except the sheet and shared strings."""
    rels = (
        _XML_DECL
        + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_NS_REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    workbook = (
        _XML_DECL + f'<workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}">'
        '<sheets><sheet name="Report" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    sst_rel = (
        f'<Relationship Id="rId2" Type="{_NS_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        if shared_strings
        else ""
    )
    wb_rels = (
        _XML_DECL
        + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_NS_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        + sst_rel
        + "</Relationships>"
    )
    return {
        "[Content_Types].xml": _content_types(shared_strings),
        "_rels/.rels": rels.encode(),
        "xl/workbook.xml": workbook.encode(),
        "xl/_rels/workbook.xml.rels": wb_rels.encode(),
    }


def zip_bomb_xlsx(
    path,
    *,
    uncompressed_mb: int = 200,
    filler: str = "rows",
    part: str = "xl/worksheets/sheet1.xml",
) -> Path:
    """A valid-looking .xlsx whose one worksheet, the zip part `part`, unpacks to
    `uncompressed_mb` MB.

    filler "rows" repeats one identical `<row><c><v>0</v></c></row>` (millions of rows if ever
    parsed); "spaces" pads the sheetData with whitespace. Written streaming, in 1 MB chunks:
    about 0.5 MB on disk for 200 MB, built in under a second or two.
    """
    path = Path(path)
    target = uncompressed_mb * 1024 * 1024
    head = (_XML_DECL + f'<worksheet xmlns="{_NS_MAIN}"><sheetData>').encode()
    tail = b"</sheetData></worksheet>"
    unit = b"<row><c><v>0</v></c></row>" if filler == "rows" else b" " * 64
    chunk = unit * ((1024 * 1024) // len(unit))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in _package_parts(shared_strings=False).items():
            z.writestr(name, data)
        with z.open(part, "w", force_zip64=target > 2**31 - 2**24) as f:
            f.write(head)
            written = len(head) + len(tail)
            while written + len(chunk) <= target:
                f.write(chunk)
                written += len(chunk)
            rest = target - written
            f.write(unit * (rest // len(unit)))
            f.write(tail)
    return path


def zip_bomb_declaring_a_modest_size(path, part: str = "xl/worksheets/sheet1.xml") -> Path:
    """A zip bomb whose directory declares a size within every limit (90:1, 45 MB) and a CRC
    matching that many bytes, while its deflate stream goes on to 200 MB."""
    bomb = zip_bomb_xlsx(path, uncompressed_mb=200, part=part)
    with zipfile.ZipFile(bomb) as archive:
        info = archive.getinfo(part)
        with archive.open(info) as stream:
            declared = min(info.compress_size * 90, 45 * 1024 * 1024)
            crc = zlib.crc32(stream.read(declared))
    data = bytearray(bomb.read_bytes())
    name = info.filename.encode()
    headers = ((b"PK\x03\x04", 22, 14, 26, 30), (b"PK\x01\x02", 24, 16, 28, 46))
    for magic, size_at, crc_at, name_len_at, name_at in headers:
        at = data.find(magic)
        while at != -1:
            length = struct.unpack_from("<H", data, at + name_len_at)[0]
            if data[at + name_at : at + name_at + length] == name:
                struct.pack_into("<I", data, at + size_at, declared)
                struct.pack_into("<I", data, at + crc_at, crc)
            at = data.find(magic, at + 4)
    bomb.write_bytes(bytes(data))
    return bomb


def one_cell_xlsx(path, ref: str) -> Path:
    """A workbook whose sheet 'Data' holds one cell, at `ref` (e.g. XFD1048576), written part by
    part (openpyxl would fill nothing in, but the parts are the point)."""
    path = Path(path)
    parts = _package_parts(shared_strings=False)
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b'"Report"', b'"Data"')
    row = _parse_ref(ref)[0]
    parts["xl/worksheets/sheet1.xml"] = (
        _XML_DECL + f'<worksheet xmlns="{_NS_MAIN}"><dimension ref="{ref}"/>'
        f'<sheetData><row r="{row}"><c r="{ref}"><v>1</v></c></row></sheetData></worksheet>'
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def _sheet_xml(cells: Sequence[tuple[str, str]], doctype: str = "") -> str:
    """A worksheet part; cells are (ref, inner <c> xml incl. attributes)."""
    rows: dict[int, list[str]] = defaultdict(list)
    for ref, xml in cells:
        rows[_parse_ref(ref)[0]].append(f'<c r="{ref}"{xml}</c>')
    body = "".join(f'<row r="{r}">{"".join(cs)}</row>' for r, cs in sorted(rows.items()))
    sheet = f'<worksheet xmlns="{_NS_MAIN}"><sheetData>{body}</sheetData></worksheet>'
    return _XML_DECL + doctype + sheet


def _entity_workbook(path: Path, doctype: str, entity: str, where: str) -> Path:
    """A tiny workbook with a header and one cell whose text is `&entity;`, DOCTYPE in `where`."""
    if where == "sharedStrings":
        sst = (
            _XML_DECL + doctype + f'<sst xmlns="{_NS_MAIN}" count="2" uniqueCount="2">'
            f"<si><t>Learner name</t></si><si><t>&{entity};</t></si></sst>"
        )
        sheet = _sheet_xml([("A1", ' t="s"><v>0</v>'), ("A2", ' t="s"><v>1</v>')])
        parts = _package_parts(shared_strings=True)
        parts["xl/sharedStrings.xml"] = sst.encode()
    elif where == "sheet":
        sheet = _sheet_xml(
            [
                ("A1", ' t="inlineStr"><is><t>Learner name</t></is>'),
                ("A2", f' t="inlineStr"><is><t>&{entity};</t></is>'),
            ],
            doctype,
        )
        parts = _package_parts(shared_strings=False)
    else:
        raise ValueError("where must be 'sharedStrings' or 'sheet'")
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def billion_laughs_xlsx(path, *, levels: int = 10, where: str = "sharedStrings") -> Path:
    """A small .xlsx whose sharedStrings.xml (or sheet1.xml) declares the classic nested "lol"
    entities (lol, lol1 .. lol9: 10 levels, 10**9 "lol"s) and uses the deepest one in a cell."""
    ents = ['<!ENTITY lol "lol">']
    for i in range(1, levels):
        prev = "lol" if i == 1 else f"lol{i - 1}"
        ents.append(f'<!ENTITY lol{i} "{("&" + prev + ";") * 10}">')
    doctype = "<!DOCTYPE lolz [\n " + "\n ".join(ents) + "\n]>\n"
    deepest = "lol" if levels <= 1 else f"lol{levels - 1}"
    return _entity_workbook(Path(path), doctype, deepest, where)


def external_entity_xlsx(
    path, *, target: str = "file:///etc/passwd", where: str = "sharedStrings"
) -> Path:
    """A small .xlsx whose shared strings declare <!ENTITY xxe SYSTEM "file:///etc/passwd">
    and use &xxe; in a cell (an XXE attempt)."""
    doctype = f'<!DOCTYPE sst [\n <!ENTITY xxe SYSTEM "{target}">\n]>\n'
    return _entity_workbook(Path(path), doctype, "xxe", where)


def encrypted_xlsx(path, password: str = "secret", rows: list[Row] | None = None) -> Path:
    """A real password-protected workbook (ECMA-376 agile encryption, via msoffcrypto-tool):
    an OLE compound file holding EncryptionInfo and EncryptedPackage streams."""
    from msoffcrypto.format.ooxml import OOXMLFile

    path = Path(path)
    rows = rows or [["Learner name", "Course title"], ["Alex Example", "Mandatory Safeguarding"]]
    with tempfile.TemporaryDirectory() as tmp:
        plain = write_xlsx(Path(tmp) / "plain.xlsx", rows)
        with open(plain, "rb") as src, open(path, "wb") as out:
            OOXMLFile(src).encrypt(password, out)
    return path


def corrupt_xls(path, *, size: int = 4096, seed: int = 1) -> Path:
    """The OLE compound-file signature followed by garbage: looks like an .xls, is not."""
    path = Path(path)
    path.write_bytes(OLE_MAGIC + random.Random(seed).randbytes(size - len(OLE_MAGIC)))
    return path


def truncated_copy(src, path, keep: float = 0.5) -> Path:
    """The first `keep` fraction of another file's bytes (a download cut short)."""
    data = Path(src).read_bytes()
    path = Path(path)
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def _tiny_pdf() -> bytes:
    objs = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]/Contents 4 0 R>>",
    ]
    stream = b"BT /F1 12 Tf 20 100 Td (Course completion report) Tj ET"
    objs.append(b"<</Length %d>>stream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def _tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    idat = zlib.compress(b"\x00\xcc\x33\x66")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def not_a_spreadsheet(path, kind: str = "pdf") -> Path:
    """Something else under a spreadsheet's name.

    kind: "pdf" (a tiny one-page PDF), "png" (a 1x1 image), "text" (plain prose), "html" (an
    HTML table page, as some systems "export to Excel"), "zip" (a zip that is not a workbook).
    """
    path = Path(path)
    if kind == "pdf":
        data = _tiny_pdf()
    elif kind == "png":
        data = _tiny_png()
    elif kind == "text":
        data = (
            b"Hi Sam,\r\n\r\nPlease find the training figures below. Alex Example completed the "
            b"course in May and the rest of the team will follow.\r\n\r\nThanks,\r\nJo\r\n"
        )
    elif kind == "html":
        data = (
            b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            b"<title>Course completion report</title></head><body>"
            b'<table border="1"><tr><th>Learner name</th><th>Course title</th>'
            b"<th>Completion status</th><th>Date completed</th></tr>"
            b"<tr><td>Alex Example</td><td>Mandatory Safeguarding</td><td>Completed</td>"
            b"<td>14/05/2024</td></tr></table></body></html>\n"
        )
    elif kind == "zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("readme.txt", "Not a workbook.\n")
        data = buf.getvalue()
    else:
        raise ValueError(f"unknown kind {kind!r}")
    path.write_bytes(data)
    return path


def apple_numbers(path) -> Path:
    """What Apple Numbers saves: a zip of .iwa parts under Index/, a preview and metadata."""
    path = Path(path)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Index/Document.iwa", b"\x00\x1c\x00" + b"\x08\x01" * 40)
        archive.writestr("Index/Tables/DataList.iwa", b"\x00\x10\x00" + b"\x12\x02" * 20)
        archive.writestr("Metadata/Properties.plist", b"bplist00\xd1\x01\x02")
        archive.writestr("preview.jpg", b"\xff\xd8\xff\xe0" + bytes(64))
    return path


def empty_xlsx(path) -> Path:
    """A workbook with one sheet and no cells at all."""
    from openpyxl import Workbook

    path = Path(path)
    Workbook().save(path)
    return path


def renamed(src, path) -> Path:
    """The same bytes under another name (e.g. a CSV saved as .xlsx)."""
    path = Path(path)
    path.write_bytes(Path(src).read_bytes())
    return path


# ---------------------------------------------------------------------------------------------
# Fake people
# ---------------------------------------------------------------------------------------------

_FIRST = [
    "Alex",
    "Sam",
    "Jo",
    "Chris",
    "Pat",
    "Robin",
    "Charlie",
    "Jamie",
    "Morgan",
    "Zoë",
    "Frankie",
    "Seán",
]
_LAST = [
    "Example",
    "Sample",
    "Placeholder",
    "Testperson",
    "Dummy",
    "Fakename",
    "Specimen",
    "Mockup",
    "Demo-Person",
    "Fictional",
]


def fake_people(n: int, rng: random.Random) -> list[tuple[str, str]]:
    """n distinct (display name, lower-case e-mail) pairs, obviously fictional."""
    combos = [(f, s) for s in _LAST for f in _FIRST]
    rng.shuffle(combos)
    people = []
    for i in range(n):
        first, last = combos[i % len(combos)]
        suffix = "" if i < len(combos) else str(i // len(combos) + 1)
        name = f"{first} {last}{suffix}"
        ascii_first = first.replace("ë", "e").replace("á", "a")
        email = f"{ascii_first}.{last}{suffix}@colchester.gov.uk".lower()
        people.append((name, email))
    return people


def _email_variant(email: str) -> str:
    """Same address, other case: alex.example@... -> Alex.Example@..."""
    local, _, domain = email.partition("@")
    return local.title() + "@" + domain


# ---------------------------------------------------------------------------------------------
# Messy training export (Learning Pool style)
# ---------------------------------------------------------------------------------------------

COURSES = (
    "Home Office First Responder",
    "CAMS Modern Slavery and Human Trafficking",
    "Introduction to Safeguarding",
    "Protecting Human Rights in the Supply Chain (Modern Slavery)",
    "Mandatory Safeguarding",
)
STATUS_SPELLINGS = {
    "Completed": ("Completed", "COMPLETED", "Complete", "Passed", "completed"),
    "In progress": ("In progress", "In Progress", "IN PROGRESS"),
    "Not started": ("Not started", "Not attempted", "not started"),
}
_DEPARTMENTS = {
    "Community Safety": ("Community Safety Officer", "Anti-Social Behaviour Officer"),
    "Housing": ("Housing Officer", "Tenancy Sustainment Officer"),
    "Environmental Health": ("Environmental Health Officer", "Licensing Officer"),
    "Customer Services": ("Customer Service Advisor", "Team Leader"),
    "Revenues and Benefits": ("Benefits Assessor", "Revenues Officer"),
}
_TRAINING_HEADERS = (
    ("Learner name", "Full name", "User", "Learner"),
    ("Email address", "E-mail", "Email", "User email"),
    ("Employee number", "Employee No", "Staff number", "Employee ID"),
    ("Department", "Service area", "Directorate", "Team"),
    ("Job title", "Job role", "Position", "Job title "),
    ("Course title", "Course name", "Learning item", "COURSE TITLE"),
    ("Completion status", "Course status", "Status", "Learner status"),
    ("Date completed", "Completion date", "Completed on", "Date of completion"),
)
TRAINING_TITLE = (
    "Course completion report",
    "Generated on 03/11/2025 08:15",
    "OFFICIAL - SENSITIVE",
)
TRAINING_NOTE = "Report includes archived users"


def _course_variant(course: str, rng: random.Random) -> str:
    style = rng.randrange(4)
    if style == 0:
        return course.lower() + " "
    if style == 1:
        return course.replace(" ", "  ", 1)
    if style == 2:
        return course.upper()
    return " " + course


def _status_of(text: str) -> str:
    t = _key(text)
    for canonical, spellings in STATUS_SPELLINGS.items():
        if t in {_key(s) for s in spellings}:
            return canonical
    raise ValueError(text)


def _as_date(value: object) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.datetime.strptime(str(value).strip(), "%d/%m/%Y").date()


def messy_training_export(
    path,
    *,
    people: int = 40,
    seed: int = 1,
    fmt: str = "xlsx",
    header: Sequence[str] | None = None,
    with_times: bool = True,
    exact_duplicates: int = 4,
    encoding: str = "utf-8",
    bom: bool = True,
) -> tuple[Path, dict]:
    """A Learning Pool style course completion report, messy on purpose.

    Title rows and a note below; header spellings chosen by the seed (or `header`); course
    names varying in case/spacing; statuses in any case and variant; completion dates mixing
    real Excel dates, datetimes with a time of day (`with_times`) and UK text "14/05/2024"
    (days > 12 and days <= 12 with day != month, so month-first parsing fails or is silently
    wrong); e-mails in two cases for one person; re-exported rows (same completion, other
    spelling); open rows superseded by a completion; `exact_duplicates` verbatim copies.
    No two non-duplicate rows are equal even as CSV text, so the duplicate count holds in every
    format. In CSV every date is text; in xls/ods/xlsx the real ones stay real.

    expected: rows_in_file, exact_duplicates, people, completions, open, courses,
    completions_by_course, and also header, header_row (0-based row of the header in the
    file), statuses (rows per canonical status), rows_after_folding (distinct completions plus
    distinct open (person, course) pairs: what is left once duplicates are folded).
    """
    rng = random.Random(seed)
    path = Path(path)
    header = list(header) if header else [rng.choice(v) for v in _TRAINING_HEADERS]
    persons = []
    for i, (name, email) in enumerate(fake_people(people, rng)):
        dept = rng.choice(sorted(_DEPARTMENTS))
        persons.append(
            {
                "name": name,
                "email": email,
                "number": f"E{10001 + i}",
                "dept": dept,
                "role": rng.choice(_DEPARTMENTS[dept]),
                "mixed_case": rng.random() < 0.25,
            }
        )

    text_dates = 0

    def completion_value(day: dt.date) -> object:
        nonlocal text_dates
        form = rng.random()
        if form < 0.4:
            # UK text: alternate days > 12 and ambiguous days <= 12 (day != month).
            if text_dates % 2 == 0:
                day = day.replace(day=rng.randint(13, 28))
            else:
                d = rng.randint(1, 12)
                day = day.replace(day=d if d != day.month else (d % 12) + 1)
            text_dates += 1
            return day.strftime("%d/%m/%Y")
        if form < 0.55 and with_times:
            return dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59)))
        return day

    def email_for(p: dict) -> str:
        return _email_variant(p["email"]) if p["mixed_case"] and rng.random() < 0.5 else p["email"]

    def course_for(course: str) -> str:
        return _course_variant(course, rng) if rng.random() < 0.25 else course

    rows: list[Row] = []
    seen: set[tuple[str, ...]] = set()

    def add(row: Row) -> bool:
        loose = tuple(_uk_text(v) for v in row)  # what a CSV would hold
        if loose in seen:
            return False
        seen.add(loose)
        rows.append(row)
        return True

    for p in persons:
        for course in rng.sample(COURSES, rng.randint(1, 4)):
            status = rng.choices(list(STATUS_SPELLINGS), weights=(6, 2, 2))[0]
            base = [p["name"], None, p["number"], p["dept"], p["role"]]
            if status == "Completed":
                if rng.random() < 0.2:  # an older open row the completion supersedes
                    add(
                        base[:1]
                        + [email_for(p)]
                        + base[2:]
                        + [course_for(course), rng.choice(STATUS_SPELLINGS["In progress"]), None]
                    )
                day = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(1030))
                add(
                    base[:1]
                    + [email_for(p)]
                    + base[2:]
                    + [
                        course_for(course),
                        rng.choice(STATUS_SPELLINGS["Completed"]),
                        completion_value(day),
                    ]
                )
                if rng.random() < 0.1:  # completed again a year later: a second completion
                    later = day + dt.timedelta(days=365 + rng.randrange(30))
                    add(
                        base[:1]
                        + [email_for(p)]
                        + base[2:]
                        + [course_for(course), "Completed", completion_value(later)]
                    )
            else:
                add(
                    base[:1]
                    + [email_for(p)]
                    + base[2:]
                    + [course_for(course), rng.choice(STATUS_SPELLINGS[status]), None]
                )

    # Re-exported rows: the same completion with the e-mail or course spelled differently.
    completed = [r for r in rows if _status_of(r[6]) == "Completed"]
    for r in rng.sample(completed, min(3, len(completed))):
        twin = list(r)
        if twin[1] == twin[1].lower():
            twin[1] = _email_variant(twin[1])
        else:
            twin[1] = twin[1].lower()
        twin[5] = _course_variant(_canonical_course(twin[5]), rng)
        if add(twin):
            rows.insert(rng.randrange(len(rows)), rows.pop())
    # Exact duplicates: verbatim copies placed somewhere after their original.
    for _ in range(exact_duplicates):
        i = rng.randrange(len(rows))
        rows.insert(rng.randint(i + 1, len(rows)), list(rows[i]))

    expected = _training_expected(rows)
    expected["header"] = header
    expected["header_row"] = len(TRAINING_TITLE) + 1
    out = _write_format(
        path,
        fmt,
        [header, *rows],
        title_rows=TRAINING_TITLE,
        notes_below=[TRAINING_NOTE],
        sheet="Course completion",
        encoding=encoding,
        bom=bom,
    )
    return out, expected


def training_export_with_identities_in_wrong_columns(path) -> tuple[Path, dict]:
    """A training export whose completion dates and statuses hold, by a slip of the copy and
    paste, e-mail addresses and names: rows 3 to 6 are invalid, row 2 is good.

    expected: names, emails (every one in the file).
    """
    header = [
        "Learner name",
        "Email address",
        "Employee number",
        "Department",
        "Job title",
        "Course title",
        "Completion status",
        "Date completed",
    ]
    people = [(f"Real Person {i}", f"real.person{i}@example.org") for i in range(1, 6)]
    course = ["Housing", "Housing Officer", "Introduction to Safeguarding"]
    (n1, e1), (n2, e2), (n3, e3), (n4, e4), (n5, e5) = people
    rows: list[Row] = [
        [n1, e1, "E10001", *course, "Completed", dt.date(2024, 5, 14)],
        [n2, e2, "E10002", *course, "Completed", e2],
        [n3, e3, "E10003", *course, n3, dt.date(2024, 5, 14)],
        [n4, e4, "E10004", *course, "Completed", f"{n4} <{e4}>"],
        [n5, e5, "E10005", f"Housing ({e5})", *course[1:], "Completed", dt.date(2024, 5, 14)],
    ]
    out = write_xlsx(path, [header, *rows], sheet="Course completion")
    return out, {"names": [n for n, _ in people], "emails": [e for _, e in people]}


def _canonical_course(text: str) -> str:
    lookup = {_key(c): c for c in COURSES}
    return lookup[_key(text)]


def _training_expected(rows: list[Row]) -> dict:
    seen: set[tuple] = set()
    dupes = 0
    for r in rows:
        t = tuple(_uk_text(v) for v in r)
        dupes += t in seen
        seen.add(t)
    completions: set[tuple[str, str, dt.date]] = set()
    pairs_completed: set[tuple[str, str]] = set()
    pairs_all: set[tuple[str, str]] = set()
    pairs_open_rows: set[tuple[str, str]] = set()  # (person, course) with an open-status row
    statuses: Counter[str] = Counter()
    for r in rows:
        person, course, status = r[1].lower(), _canonical_course(r[5]), _status_of(r[6])
        statuses[status] += 1
        pairs_all.add((person, course))
        if status == "Completed":
            completions.add((person, course, _as_date(r[7])))
            pairs_completed.add((person, course))
        else:
            pairs_open_rows.add((person, course))
    by_course = Counter(c for _, c, _ in completions)
    return {
        "rows_in_file": len(rows),
        "exact_duplicates": dupes,
        "people": len({r[1].lower() for r in rows}),
        "completions": len(completions),
        "open": len(pairs_all - pairs_completed),
        "courses": len({_canonical_course(r[5]) for r in rows}),
        "completions_by_course": dict(sorted(by_course.items())),
        "statuses": dict(sorted(statuses.items())),
        # One stored row per completion and per (person, course) with an open row: the rest of
        # the file's rows are duplicates a loader folds (exact copies and re-exported twins).
        "rows_after_folding": len(completions) + len(pairs_open_rows),
    }


# ---------------------------------------------------------------------------------------------
# Microsoft Forms survey export
# ---------------------------------------------------------------------------------------------

SERVICE_AREA_QUESTION = "Which service area do you work in?"
Q_REPORT = "Do you know how to report a concern about modern slavery?"
Q_CONFIDENT = "How confident are you in spotting the signs of modern slavery?"
Q_SEEN = "Which of these have you seen in the last year? (Select all that apply)"
Q_COMMENTS = "Any other comments?"
SURVEY_QUESTIONS = (Q_REPORT, Q_CONFIDENT, Q_SEEN, Q_COMMENTS)
_SERVICE_AREAS = (
    "Housing",
    "Community Safety",
    "Environmental Health",
    "Customer Services",
    "Planning",
    "Revenues and Benefits",
)
_CONFIDENCE = ("Very confident", "Fairly confident", "Not very confident", "Not at all confident")
_SEEN_OPTIONS = ("Posters", "Intranet article", "Training", "Team meeting briefing", "Leaflets")
_COMMENTS = (
    "Sam Sample in Housing ran a really useful session, more please.",
    "Could the posters go in the depot as well?",
    "Please contact Alex Example about adding this to the induction.",
    "Not sure who to call out of hours.\nA single number would help.",
)


# The columns Microsoft Forms puts before the questions.
FORMS_COLUMNS = ("ID", "Start time", "Completion time", "Email", "Name", "Last modified time")


def forms_survey_export(
    path,
    *,
    respondents: int = 30,
    seed: int = 1,
    anonymous: bool = True,
    fmt: str = "xlsx",
    wave_month: tuple[int, int] = (2025, 10),
    encoding: str = "utf-8",
    bom: bool = True,
) -> tuple[Path, dict]:
    """A Microsoft Forms results export: ID, Start time, Completion time, Email, Name, Last
    modified time, the service-area question, then one column per question.

    Times are real datetimes in `wave_month` (CSV: "dd/mm/yyyy HH:MM:SS"); Last modified time is
    blank. Anonymous: every Email is "anonymous" and Name is blank; otherwise fake names and
    e-mails. The confidence question is sometimes skipped (blank); multi-choice answers are
    joined with ";" and end with ";" (blank when none chosen); free-text comments are mostly
    blank, some name a fake person, one spans two lines.

    expected: responses, answers_by_question {question: stored answer rows, one per chosen
    option, blanks and the free-text question excluded; the service-area question is not a
    question}, know_how_to_report_yes, by_service_area {area: responses}, and also
    options_chosen {option: times chosen}, comments (non-blank free-text answers).
    """
    rng = random.Random(seed)
    path = Path(path)
    year, month = wave_month
    header = [
        *FORMS_COLUMNS,
        SERVICE_AREA_QUESTION,
        *SURVEY_QUESTIONS,
    ]
    people = fake_people(respondents, rng)
    rows: list[Row] = []
    answers: Counter[str] = Counter()
    options: Counter[str] = Counter()
    by_area: Counter[str] = Counter()
    yes = comments = 0
    starts = sorted(
        dt.datetime(
            year,
            month,
            rng.randint(1, 28),
            rng.randint(8, 17),
            rng.randint(0, 59),
            rng.randint(0, 59),
        )
        for _ in range(respondents)
    )
    for i, start in enumerate(starts, start=1):
        done = start + dt.timedelta(seconds=rng.randint(45, 900))
        area = rng.choice(_SERVICE_AREAS)
        report = rng.choices(("Yes", "No", "Not sure"), weights=(6, 2, 2))[0]
        confident = rng.choice(_CONFIDENCE) if rng.random() > 0.1 else None
        chosen = [o for o in _SEEN_OPTIONS if rng.random() < 0.35]
        seen = "".join(o + ";" for o in chosen) or None
        comment = rng.choice(_COMMENTS) if rng.random() < 0.2 else None
        name, email = people[i - 1]
        rows.append(
            [
                i,
                start,
                done,
                "anonymous" if anonymous else _email_variant(email),
                None if anonymous else name,
                None,
                area,
                report,
                confident,
                seen,
                comment,
            ]
        )
        by_area[area] += 1
        yes += report == "Yes"
        answers[Q_REPORT] += 1
        answers[Q_CONFIDENT] += confident is not None
        answers[Q_SEEN] += len(chosen)
        options.update(chosen)
        comments += comment is not None
    expected = {
        "responses": len(rows),
        "answers_by_question": {q: answers[q] for q in (Q_REPORT, Q_CONFIDENT, Q_SEEN)},
        "know_how_to_report_yes": yes,
        "by_service_area": dict(sorted(by_area.items())),
        "options_chosen": dict(sorted(options.items())),
        "comments": comments,
        "header": header,
    }
    if fmt == "xlsx":
        out = write_xlsx(
            path,
            [header, *rows],
            sheet="Sheet1",
            bold_header=False,
            datetime_format="dd/mm/yyyy hh:mm:ss",
        )
    else:
        out = _write_format(path, fmt, [header, *rows], sheet="Sheet1", encoding=encoding, bom=bom)
    return out, expected


# Twelve responses, the same in the Microsoft Forms CSV and the Google Forms export below:
# (service area, report, confidence, options seen, comment). Every option is chosen alone by
# someone, so a Google cell joining options with ', ' splits into them; one option and one
# answer hold a comma of their own, and are never split.
SEEN_HERE = "Which of these have you seen? (Select all that apply)"
SEEN_OPTIONS = ("Posters in the café", "Intranet article", "Training", "Leaflets, flyers or cards")
POSTERS, INTRANET, TRAINING, LEAFLETS = SEEN_OPTIONS
REPORT_WITH_A_COMMA = "Yes, but not who to call out of hours"
TWELVE_RESPONSES = (
    ("Housing", "Yes", "Very confident", (POSTERS,), None),
    ("Housing", "No", "Fairly confident", (INTRANET,), None),
    ("Planning", "Yes", None, (TRAINING,), "Sam Sample ran a useful session."),
    ("Community Safety", REPORT_WITH_A_COMMA, "Very confident", (LEAFLETS,), None),
    ("Community Safety", "Yes", "Not very confident", (POSTERS, TRAINING), None),
    ("Customer Services", "Not sure", "Fairly confident", (POSTERS, LEAFLETS), None),
    ("Housing", "Yes", "Very confident", (), "Please contact Alex Example about the induction."),
    ("Planning", "No", "Not at all confident", (INTRANET, TRAINING, LEAFLETS), None),
    ("Housing", "Yes", "Fairly confident", SEEN_OPTIONS, None),
    ("Revenues and Benefits", REPORT_WITH_A_COMMA, None, (TRAINING,), None),
    ("Community Safety", "Yes", "Very confident", (POSTERS,), None),
    ("Environmental Health", "Not sure", "Fairly confident", (), None),
)


def response_time_text(time: dt.datetime, written: str, row: int = 0) -> str:
    """A response time as each tool writes it in a CSV: "form" Google Forms' own download
    ('2025/10/14 9:05:31 AM GMT+1'), "uk" a UK-locale sheet ('14/10/2025 09:05:31'), "us" a
    US-locale sheet or Excel on a US machine ('10/14/2025 9:05:31'; Excel writes some rows, say
    every third `row` here, as '10/14/25 9:05')."""
    if written == "form":
        noon = "AM" if time.hour < 12 else "PM"
        return f"{time:%Y/%m/%d} {time.hour % 12 or 12}:{time:%M:%S} {noon} GMT+1"
    if written == "uk":
        return f"{time:%d/%m/%Y %H:%M:%S}"
    if written == "us":
        if row % 3 == 2:
            return f"{time.month}/{time.day}/{time:%y} {time.hour}:{time:%M}"
        return f"{time.month}/{time.day}/{time.year} {time.hour}:{time:%M:%S}"
    raise ValueError(f"written must be form, uk or us, not {written!r}")


def _twelve_expected(people: list[tuple[str, str]]) -> dict:
    seen = Counter(option for *_, options, _ in TWELVE_RESPONSES for option in options)
    return {
        "responses": len(TWELVE_RESPONSES),
        "answers_by_question": {
            Q_REPORT: sum(r[1] is not None for r in TWELVE_RESPONSES),
            Q_CONFIDENT: sum(r[2] is not None for r in TWELVE_RESPONSES),
            SEEN_HERE: sum(seen.values()),
        },
        "report_answers": dict(Counter(r[1] for r in TWELVE_RESPONSES)),
        "options_chosen": dict(seen),
        "by_service_area": dict(Counter(r[0] for r in TWELVE_RESPONSES)),
        "names": [name for name, _ in people],
        "emails": [email for _, email in people],
    }


def forms_survey_csv(
    path, times: Sequence[dt.datetime], *, written: str = "us", encoding: str = "cp1252"
) -> tuple[Path, dict]:
    """A Microsoft Forms export of TWELVE_RESPONSES saved as CSV from Excel (Windows-1252 by
    default, Excel's plain "CSV"): ID, Start time, Completion time, Email, Name, Last modified
    time, then the questions; fake names and e-mails; multi-choice answers each ending with ';'.
    Completion times are `times` (one per response) written as `response_time_text` does.

    expected: as `_twelve_expected` (responses, answers_by_question, report_answers,
    options_chosen, by_service_area, names, emails)."""
    people = fake_people(len(TWELVE_RESPONSES), random.Random(15))
    header = [
        *FORMS_COLUMNS,
        SERVICE_AREA_QUESTION,
        Q_REPORT,
        Q_CONFIDENT,
        SEEN_HERE,
        Q_COMMENTS,
    ]
    rows: list[Row] = [header]
    for i, ((area, report, confident, seen, comment), time, (name, email)) in enumerate(
        zip(TWELVE_RESPONSES, times, people, strict=True)
    ):
        started = time - dt.timedelta(minutes=4)
        rows.append(
            [
                i + 1,
                response_time_text(started, written, i),
                response_time_text(time, written, i),
                _email_variant(email),
                name,
                None,
                area,
                report,
                confident,
                "".join(option + ";" for option in seen) or None,
                comment,
            ]
        )
    out = write_csv(path, rows, encoding=encoding)
    return out, _twelve_expected(people)


def google_forms_export(
    path, times: Sequence[dt.datetime], *, written: str = "form", emails: bool = True
) -> tuple[Path, dict]:
    """A Google Forms responses CSV of TWELVE_RESPONSES: Timestamp (`times` written as
    `response_time_text` does), Email Address when the form collects e-mails, then one column
    per question; checkbox answers joined with ', '; no response ID. UTF-8, as Google writes it.

    expected: as `_twelve_expected`."""
    people = fake_people(len(TWELVE_RESPONSES), random.Random(16))
    header = [
        "Timestamp",
        *(["Email Address"] if emails else []),
        SERVICE_AREA_QUESTION,
        Q_REPORT,
        Q_CONFIDENT,
        SEEN_HERE,
        Q_COMMENTS,
    ]
    rows: list[Row] = [header]
    for (area, report, confident, seen, comment), time, (_, email) in zip(
        TWELVE_RESPONSES, times, people, strict=True
    ):
        rows.append(
            [
                response_time_text(time, written),
                *([email] if emails else []),
                area,
                report,
                confident,
                ", ".join(seen) or None,
                comment,
            ]
        )
    out = write_csv(path, rows)
    expected = _twelve_expected(people)
    if not emails:
        expected["emails"] = []
    expected["names"] = []  # Google Forms has no name column
    return out, expected


def forms_survey_with(path, questions: dict[str, Sequence[str | None]]) -> Path:
    """A Microsoft Forms export (anonymous, October 2025) with exactly these question columns:
    {question: one answer per respondent, None for blank}."""
    answers = list(questions.values())
    respondents = len(answers[0])
    header = ["ID", "Start time", "Completion time", "Email", "Name", SERVICE_AREA_QUESTION]
    rows: list[Row] = []
    for i in range(respondents):
        start = dt.datetime(2025, 10, 1 + i % 28, 9, i % 60)
        area = _SERVICE_AREAS[i % len(_SERVICE_AREAS)]
        own = [column[i] for column in answers]
        rows.append([i + 1, start, start + dt.timedelta(minutes=5), "anonymous", None, area, *own])
    return write_xlsx(
        path,
        [[*header, *questions], *rows],
        sheet="Sheet1",
        bold_header=False,
        datetime_format="dd/mm/yyyy hh:mm:ss",
    )


Q_NAME = "What is your name?"
Q_WORK_EMAIL = "Your work email address"
Q_STAFF_NUMBER = "Staff number"
Q_MAJOR = "What is your major?"
Q_FOLLOW_UP = "Would you like us to follow up?"
Q_NAME_A_CONCERN = "Do you know how to name a concern?"
Q_RATING = "How would you rate the training?"
RATINGS = ("Very good", "Good", "Neither good nor poor", "Poor", "Very poor")
_SUBJECTS = ("History", "Law", "Nursing", "Social Work", "Business", "Criminology", "Politics")


def forms_survey_with_personal_questions(path, *, respondents: int = 185) -> tuple[Path, dict]:
    """A Forms export whose questions ask for names, e-mails and staff numbers, one whose
    answers are typed (about 105 different majors from 185 people), a yes/no question with one
    e-mail address typed into it, and closed questions (yes/no with "name" in its wording, a
    five-point rating, a multi-choice of five options) that are stored.

    expected: names, emails (every one in the file), stored {question: answer rows}.
    """
    names = [f"Real Person {i}" for i in range(1, respondents + 1)]
    emails = [f"real.person{i}@example.org" for i in range(1, respondents + 1)]
    majors = [f"{_SUBJECTS[k % 7]} and {_SUBJECTS[k // 7 % 7]} {k // 49}" for k in range(105)]
    majors = [majors[i % len(majors)] for i in range(respondents)]
    follow_up = ["Yes" if i % 3 else "No" for i in range(respondents)]
    follow_up[7] = f"Yes, write to me at {emails[7]}"
    questions = {
        Q_NAME: names,
        Q_WORK_EMAIL: emails,
        Q_STAFF_NUMBER: [f"E{10001 + i}" for i in range(respondents)],
        Q_MAJOR: majors,
        Q_FOLLOW_UP: follow_up,
        Q_NAME_A_CONCERN: [("Yes", "No", "Not sure")[i % 3] for i in range(respondents)],
        Q_RATING: [RATINGS[i % 5] for i in range(respondents)],
        Q_SEEN: ["".join(o + ";" for o in _SEEN_OPTIONS[: 1 + i % 5]) for i in range(respondents)],
    }
    out = forms_survey_with(path, questions)
    stored = {
        Q_NAME_A_CONCERN: respondents,
        Q_RATING: respondents,
        Q_SEEN: sum(1 + i % 5 for i in range(respondents)),
    }
    return out, {"names": names, "emails": [*emails], "stored": stored, "majors": len(set(majors))}


# ---------------------------------------------------------------------------------------------
# Referral counts: a council crosstab and a tidy NRM-style extract
# ---------------------------------------------------------------------------------------------

_CROSSTAB_TYPES = {
    "Labour exploitation": "Labour",
    "Sexual exploitation": "Sexual",
    "Criminal exploitation (county lines)": "Criminal",
    "Domestic servitude": "Domestic servitude",
    "Not specified": "Not specified or unknown",
}
_CROSSTAB_MONTHS = (("Apr-25", "2025-04"), ("May-25", "2025-05"), ("Jun-25", "2025-06"))


def referral_crosstab(
    path,
    *,
    seed: int = 1,
    fmt: str = "xlsx",
    month_headers: str = "text",
    formulas: bool = False,
) -> tuple[Path, dict]:
    """A council's referral table: exploitation types down, months across, a Total column and
    a Total row (computed correctly), some blank cells meaning zero, title rows and a note.

    month_headers "text" writes "Apr-25"; "dates" writes real first-of-month dates shown
    mmm-yy (xlsx/xls/ods; CSV shows them dd/mm/yyyy). With `formulas` (xlsx only) the totals
    are SUM formulas with cached values, as Excel saves them. Every type and month has at
    least one referral, so no figure is zero.

    expected: total (sum of the non-total cells), by_month {"2025-04": n, ...}, by_type
    {canonical NRM type: n}, cells (non-blank, non-total count cells), blank_cells.
    """
    rng = random.Random(seed)
    path = Path(path)
    while True:
        grid = [
            [rng.choice((None, 0, 1, 1, 2, 2, 3, 4, 5, 6)) for _ in _CROSSTAB_MONTHS]
            for _ in _CROSSTAB_TYPES
        ]
        if all(sum(v or 0 for v in row) for row in grid) and all(
            sum(row[j] or 0 for row in grid) for j in range(len(_CROSSTAB_MONTHS))
        ):
            break
    months: list[object] = [
        dt.date(int(k[:4]), int(k[5:]), 1) if month_headers == "dates" else label
        for label, k in _CROSSTAB_MONTHS
    ]
    header = ["Exploitation type", *months, "Total"]
    rows: list[Row] = [header]
    for label, counts in zip(_CROSSTAB_TYPES, grid, strict=True):
        rows.append([label, *counts, sum(v or 0 for v in counts)])
    col_totals = [sum(row[j] or 0 for row in grid) for j in range(len(_CROSSTAB_MONTHS))]
    total = sum(col_totals)
    rows.append(["Total", *col_totals, total])
    expected = {
        "total": total,
        "by_month": {k: col_totals[j] for j, (_, k) in enumerate(_CROSSTAB_MONTHS)},
        "by_type": {
            canon: sum(v or 0 for v in counts)
            for canon, counts in zip(_CROSSTAB_TYPES.values(), grid, strict=True)
        },
        "cells": sum(v is not None for row in grid for v in row),
        "blank_cells": sum(v is None for row in grid for v in row),
    }
    titles = ["Modern slavery referrals \u2013 Colchester", "Quarter 1 2025/26"]
    notes = ["Figures are provisional"]
    if fmt == "xlsx":
        out = write_xlsx(
            path,
            rows,
            sheet="Referrals",
            title_rows=titles,
            notes_below=notes,
            date_format="dd/mm/yyyy",
        )
        if month_headers == "dates":
            _set_number_format(out, len(titles) + 2, range(2, 2 + len(months)), "mmm-yy")
        if formulas:
            first = len(titles) + 2  # 1-based header row
            cells: dict[str, tuple[str, float | str]] = {}
            n_types, n_months = len(_CROSSTAB_TYPES), len(_CROSSTAB_MONTHS)
            for i, row in enumerate(rows[1:], start=first + 1):
                last = _col_letter(1 + n_months)
                cells[f"{_col_letter(2 + n_months)}{i}"] = (f"SUM(B{i}:{last}{i})", row[-1])
            total_row = first + n_types + 1
            for j in range(n_months + 1):
                col = _col_letter(2 + j)
                cells[f"{col}{total_row}"] = (
                    f"SUM({col}{first + 1}:{col}{total_row - 1})",
                    rows[-1][1 + j],
                )
            _inject_cached_formulas(out, "xl/worksheets/sheet1.xml", cells)
    else:
        out = _write_format(
            path, fmt, rows, title_rows=titles, notes_below=notes, sheet="Referrals"
        )
    return out, expected


def _set_number_format(path: Path, row: int, cols: Iterable[int], number_format: str) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.active
    for c in cols:
        ws.cell(row=row, column=c).number_format = number_format
    wb.save(path)


_TIDY_HEADERS = (
    ("Quarter", "Financial quarter"),
    ("Referral type", "Type of referral"),
    ("Type of exploitation", "Exploitation type"),
    ("Age group", "Age at exploitation"),
    ("First responder", "Referring agency"),
    ("Number of referrals", "Count"),
)
_QUARTERS = {
    "2025-04-01": ("2025/26 Q1", "Q1 2025-26"),
    "2025-07-01": ("2025/26 Q2", "Q2 2025-26"),
}
_REFERRAL_TYPES = {
    "NRM referral": ("NRM", "nrm"),
    "Duty to Notify": ("Duty to Notify (MS1)", "Duty to Notify"),
}
_EXPLOITATION = {
    "Labour": ("Labour", "Labour exploitation"),
    "Sexual": ("Sexual", "Sexual exploitation"),
    "Criminal": ("Criminal", "Criminal exploitation"),
    "Domestic servitude": ("Domestic", "Domestic servitude"),
    "Multiple": ("Labour & Criminal",),
    "Not specified or unknown": ("Not specified or unknown", "Unknown"),
}
_AGES = {
    "Adult": ("Adult (18 or over)", "Adult"),
    "Child": ("Child (under 18)", "Child"),
    "Not specified": ("Not specified or unknown",),
}
_RESPONDERS = (
    "Essex Police",
    "Colchester City Council",
    "Home Office (UKVI)",
    "Barnardo\u2019s",
    "Salvation Army",
)


def _count_text(n: int) -> int | str:
    return f"{n:,}" if n > 999 else n


def referral_tidy(
    path,
    *,
    seed: int = 1,
    fmt: str = "csv",
    encoding: str = "cp1252",
    keys_per_quarter: int = 8,
    big_count: bool = True,
) -> tuple[Path, dict]:
    """Tidy NRM / Duty to Notify counts, one row per count, as an extract or a FOI reply.

    Quarters written "2025/26 Q1" or "Q1 2025-26" (financial-year quarters: Q1 = Apr-Jun);
    referral, exploitation and age spellings vary ("Domestic" / "Domestic servitude", "Adult
    (18 or over)" / "Adult", "Labour & Criminal" meaning several), so some rows land on the
    same key once mapped and must be added up; Duty to Notify rows are all adults; one count
    above 999 written "1,234" (with `big_count`); a "Total" row last (its count also with a
    thousands separator when > 999). The default cp1252 CSV holds "Barnardo’s" (byte 0x92).

    expected: total, by_quarter {"2025-04-01": n, "2025-07-01": n}, rows_after_folding
    (distinct keys: quarter, referral type, exploitation, age, first responder), and also
    rows_in_file (data rows, excluding the Total row), by_exploitation {canonical: n}.
    """
    rng = random.Random(seed)
    path = Path(path)
    header = [rng.choice(v) for v in _TIDY_HEADERS]
    sums: Counter[tuple[str, str, str, str, str]] = Counter()
    rows: list[Row] = []
    big_done = not big_count
    for quarter in _QUARTERS:
        keys: set[tuple[str, str, str, str, str]] = set()
        while len(keys) < keys_per_quarter:
            ref = rng.choices(list(_REFERRAL_TYPES), weights=(3, 1))[0]
            age = "Adult" if ref == "Duty to Notify" else rng.choice(list(_AGES))
            keys.add((quarter, ref, rng.choice(list(_EXPLOITATION)), age, rng.choice(_RESPONDERS)))
        for key in sorted(keys):
            q, ref, exp, age, who = key
            n = rng.randint(1, 6)
            if not big_done and rng.random() < 0.3:
                n, big_done = rng.randint(1001, 1500), True
                parts = [n]
            elif n > 1 and rng.random() < 0.4:
                k = rng.randint(1, n - 1)
                parts = [k, n - k]  # one key, two spellings: must be added up
            else:
                parts = [n]
            for part in parts:
                rows.append(
                    [
                        rng.choice(_QUARTERS[q]),
                        rng.choice(_REFERRAL_TYPES[ref]),
                        rng.choice(_EXPLOITATION[exp]),
                        rng.choice(_AGES[age]),
                        who,
                        _count_text(part),
                    ]
                )
                sums[key] += part
    rng.shuffle(rows)
    total = sum(sums.values())
    by_quarter = Counter()
    by_exploitation = Counter()
    for (q, _, exp, _, _), n in sums.items():
        by_quarter[q] += n
        by_exploitation[exp] += n
    expected = {
        "total": total,
        "by_quarter": dict(sorted(by_quarter.items())),
        "rows_after_folding": len(sums),
        "rows_in_file": len(rows),
        "by_exploitation": dict(sorted(by_exploitation.items())),
        "header": header,
    }
    body = [header, *rows, ["Total", None, None, None, None, _count_text(total)]]
    if fmt == "csv":
        out = write_csv(path, body, encoding=encoding)
    else:
        out = _write_format(path, fmt, body, sheet="Referrals")
    return out, expected


def home_office_workbook(path, sheet: str, titles: list[str], table: list[Row]) -> Path:
    """A table laid out as the Home Office publishes its statistics: a cover sheet, a table
    of contents and a notes sheet first, then the table's sheet with title rows (the table's
    title, "This worksheet contains one table...", the source) above its header, notes markers
    such as "[note 2]" in headers, and no blank row between the titles and the table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path = Path(path)
    wb = Workbook()
    cover = wb.active
    cover.title = "Cover_sheet"
    for line in (
        "Modern Slavery: National Referral Mechanism and Duty to Notify statistics",
        "These tables cover the UK and are published quarterly.",
        "Contact: statistics enquiries, Home Office Analysis and Insight",
        "Total referrals this quarter are given in Table 1.",
    ):
        cover.append([line])
    contents = wb.create_sheet("Contents")
    contents.append(["Table of contents"])
    contents.append(["Table number", "Table title"])
    contents.append([sheet, titles[0]])
    notes = wb.create_sheet("Notes")
    notes.append(["Notes"])
    notes.append(["Note number", "Note text"])
    notes.append(["note 1", "Figures are for the police force area of the first responder."])
    notes.append(["note 2", "Totals may not add up: see the user guide. Total 3"])
    data = wb.create_sheet(sheet)
    for title in titles:
        data.append([title])
    data.cell(row=1, column=1).font = Font(bold=True, size=14)
    for row in table:
        data.append(row)
    wb.active = 0  # opens on the cover sheet, as the publisher saves it
    wb.save(path)
    return path


# Home Office Table 5, NRM referrals by exploitation type and age group at exploitation: the
# figures each (exploitation type, age group) had, before any is suppressed. Labels as published
# (row labels, column headers with note markers) -> the canonical categories.
TABLE_5_TYPES = {
    "Labour exploitation": "Labour",
    "Sexual exploitation": "Sexual",
    "Criminal exploitation": "Criminal",
    "Domestic servitude": "Domestic servitude",
    "Organ harvesting": "Organ harvesting",
    "Not specified or unknown": "Not specified or unknown",
    "Multiple": "Multiple",
}
TABLE_5_TYPE_HEADERS = {  # the same types as column headers, as the publisher writes them
    "Labour": "Labour",
    "Sexual": "Sexual",
    "Criminal [note 4]": "Criminal",
    "Domestic servitude": "Domestic servitude",
    "Organ harvesting": "Organ harvesting",
    "Not specified or unknown": "Not specified or unknown",
    "Multiple": "Multiple",
}
TABLE_5_AGES = {"Adult [note 3]": "Adult", "Children [note 3]": "Child",
                "Not specified or unknown": "Not specified"}  # fmt: skip
TABLE_5_AGE_ROWS = {"Adult (18 or over)": "Adult", "Child (17 or under)": "Child",
                    "Not specified or unknown": "Not specified"}  # fmt: skip
TABLE_5_FIGURES = {  # canonical type -> (Adult, Child, Not specified); None: a blank cell
    "Labour": (412, 96, 11),
    "Sexual": (287, 131, 9),
    "Criminal": (243, 918, 14),
    "Domestic servitude": (58, 12, 3),
    "Organ harvesting": (2, 0, None),
    "Not specified or unknown": (95, 41, 37),
    "Multiple": (120, 77, 4),
}
TABLE_5_TITLE = "Table 5: NRM referrals by exploitation type and age group at exploitation, UK"


def home_office_table_5(
    path,
    *,
    across: str = "age_group",
    suppressed: tuple[str, str, str] | None = ("Domestic servitude", "Not specified", "[c]"),
    period_in_title: str | None = "October to December 2023",
    cells: dict[tuple[str, str], object] | None = None,
) -> tuple[Path, dict]:
    """Home Office Table 5 in its workbook (cover, contents and notes sheets first), with age
    groups across (`across` "age_group": `Exploitation type | Adult [note 3] | Children [note 3]
    | Not specified or unknown | Total`) or exploitation types across ("exploitation_type"), a
    Total column and a Total row computed from every figure, the suppressed one too, a blank
    cell (a zero), and a note row below. `suppressed` (canonical type, canonical age, mark)
    writes the mark in that cell; `cells` overwrites cells (canonical type, age) as written.

    expected: rows {(type, age): count} of every cell not suppressed (a blank one 0), hidden
    (the suppressed figure, or 0), total (the publisher's grand total), row_totals and
    column_totals as published, by their row label and column header."""
    ages = list(TABLE_5_AGES.values())
    shown: dict[tuple[str, str], object] = {
        (kind, age): figure
        for kind, figures in TABLE_5_FIGURES.items()
        for age, figure in zip(ages, figures, strict=True)
    }
    hidden = 0
    if suppressed:
        kind, age, mark = suppressed
        hidden = shown[kind, age] or 0
        shown[kind, age] = mark
    shown.update(cells or {})
    true = {(kind, age): TABLE_5_FIGURES[kind][ages.index(age)] or 0 for kind, age in shown}
    if across == "age_group":
        down, columns = TABLE_5_TYPES, TABLE_5_AGES
        header = ["Exploitation type", *columns, "Total [note 2]"]

        def key(row_label: str, column_label: str) -> tuple[str, str]:
            return down[row_label], columns[column_label]
    else:
        down, columns = TABLE_5_AGE_ROWS, TABLE_5_TYPE_HEADERS
        header = ["Age group at exploitation [note 3]", *columns, "Total [note 2]"]

        def key(row_label: str, column_label: str) -> tuple[str, str]:
            return columns[column_label], down[row_label]

    table: list[Row] = [header]
    row_totals, column_totals = {}, dict.fromkeys(columns, 0)
    for row_label in down:
        figures = [shown[key(row_label, column)] for column in columns]
        row_totals[row_label] = sum(true[key(row_label, column)] for column in columns)
        for column in columns:
            column_totals[column] += true[key(row_label, column)]
        table.append([row_label, *figures, row_totals[row_label]])
    total = sum(row_totals.values())
    table.append(["Total", *column_totals.values(), total])
    table.append(["Figures are for referrals received in the quarter. [note 1]"])
    title = TABLE_5_TITLE + (f", {period_in_title} [note 1]" if period_in_title else " [note 1]")
    out = home_office_workbook(
        path,
        "Table_5",
        [
            title,
            "This worksheet contains one table. Some cells refer to notes which can be found in "
            "the notes worksheet.",
            "Source: Home Office, National Referral Mechanism statistics",
        ],
        table,
    )
    rows = {
        k: (v or 0)
        for k, v in shown.items()
        if not (suppressed and k == suppressed[:2]) and not isinstance(v, str)
    }
    expected = {
        "rows": rows,
        "hidden": hidden,
        "total": total,
        "row_totals": row_totals,
        "column_totals": column_totals,
    }
    return out, expected
