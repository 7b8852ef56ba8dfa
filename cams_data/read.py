"""File bytes -> sheets of text cells, refusing what is not a safe, readable spreadsheet.

The format is told from the bytes, never the file name. Workbooks (.xlsx, .xls, .ods) are read
with fastexcel (Rust, calamine), the fastest reader measured here, every cell as text so that one
validator sees workbooks and CSV alike. Before any parse the directory of the archive inside a
workbook is checked against the size limits, and XML parts that declare a DOCTYPE (entity tricks)
are refused. The parse runs in a worker process with memory and time limits (sandbox.py): a
reader that aborts or allocates without bound on a file nobody thought of gives a refusal, not a
dead app. The checks that unpack every part (sizes, CRCs, how far from A1 the cells lie) run
before the parse for a small file, and while the worker parses for a large one: a refusal kills
the worker and is given as it would have been before the parse.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import functools
import html
import io
import posixpath
import re
import string
import struct
import threading
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import defusedxml  # noqa: F401  (openpyxl parses XML safely only when this is installed)

from cams_data import sandbox
from cams_data.parse import parse_sheets  # noqa: F401  (what the worker runs)
from cams_data.problems import Problem, Refused
from cams_data.settings import Config
from cams_data.text import drop_invisible_cells

if TYPE_CHECKING:
    from collections.abc import Iterator

    import pandas as pd

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
MAX_ZIP_MEMBERS = 5000
SAVE_AS_XLSX = "Open it in Excel and use File > Save As > Excel Workbook (.xlsx), then upload that."

NOT_SPREADSHEETS = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"Rar!": "a RAR archive",
    b"\x1f\x8b": "a gzip archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
}


@dataclass
class Sheet:
    """One sheet's cells as text (missing cells are NA), indexed by the row number shown."""

    name: str
    cells: pd.DataFrame
    invisible_cells: int = 0  # cells that held control or other invisible characters, dropped
    hidden: bool = False  # hidden (or very hidden) in the workbook: often old data kept aside


@dataclass
class Workbook:
    format: str  # xlsx, xls, ods, csv
    sheets: list[Sheet]
    encoding: str | None = None


def screen(data: bytes, file_name: str, config: Config) -> str:
    """The file's format (xlsx, xls, ods or csv), or a refusal, from its bytes alone.

    Cheap and stdlib-only, so the CLI can refuse a bad file before loading pandas and DuckDB.
    """
    if len(data) > config.max_upload_bytes:
        raise Refused(
            file_name,
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the upload limit is "
            f"{config.max_upload_mb:g} MB. Split it (e.g. by year) or ask for a smaller export.",
            code="file-too-large",
        )
    if not data.strip():
        raise Refused(file_name, "The file is empty.", code="empty-file")
    for magic, what in NOT_SPREADSHEETS.items():
        if data.startswith(magic):
            raise Refused(
                file_name,
                f"This is {what}, not a spreadsheet. {SAVE_AS_XLSX}",
                code="not-a-spreadsheet",
            )
    if data.startswith(ZIP_MAGIC):
        return _check_archive(data, file_name, config)
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_STREAM in data:
            raise Refused(file_name, PASSWORD_MESSAGE, code="password-protected")
        return "xls"
    text, _ = decode_text(data, file_name)
    if WEB_PAGE.match(COMMENTS.sub("", text[:65536])):
        raise Refused(
            file_name,
            "This is a web page or XML file saved with a spreadsheet's name, not a spreadsheet. "
            + SAVE_AS_XLSX,
            code="web-page",
        )
    return "csv"


# Markup however it starts: a web page saved as .xls may open with a comment, <meta> or <style>.
COMMENTS = re.compile(r"<!--.*?-->", re.DOTALL)
WEB_PAGE = re.compile(
    r"\s*<(!doctype\s+html|\?xml|html|head|body|table|meta|style|title|link|script)\b",
    re.IGNORECASE,
)


def read_file(data: bytes, file_name: str, config: Config) -> Workbook:
    return Reading(data, file_name, config).workbook()


class Reading:
    """A file checked at once and, if a workbook, parsed in the sandbox worker (a large one while
    it is checked), waited on by a background thread.

    So the caller can import pandas and DuckDB meanwhile (the CLI does: a third of a large
    upload's time was those imports, one after the other).
    """

    def __init__(self, data: bytes, file_name: str, config: Config) -> None:
        self.data, self.file_name = data, file_name
        self.format = screen(data, file_name, config)
        self._tables: list[tuple[str, object, bool]] = []  # name, cells, hidden
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if self.format == "xls":
            _check_legacy_container(data, file_name)
        if self.format != "csv":
            # A large workbook's parts take a second or more to unpack and check, so the parse
            # starts first and runs meanwhile (a refusal kills the worker); a small one's take
            # milliseconds, so the reader never sees a small file the checks refuse.
            early = sandbox.start(PARSE_TARGET, data) if len(data) >= PARSE_EARLY_BYTES else None
            try:
                if self.format != "xls":
                    _check_parts(data, file_name)
            except BaseException:
                if early is not None:
                    early.cancel()
                raise
            parse = early or sandbox.start(PARSE_TARGET, data)
            self._thread = threading.Thread(target=self._parse, args=(parse,), daemon=True)
            self._thread.start()

    def _parse(self, parse: sandbox.Call) -> None:
        import pyarrow as pa

        try:
            for name, stream, hidden in parse.result():
                self._tables.append((name, pa.ipc.open_stream(stream).read_all(), hidden))
        except BaseException as error:  # the worker's refusals and errors, and anything else
            self._error = error

    def workbook(self) -> Workbook:
        if self.format == "csv":
            text, encoding = decode_text(self.data, self.file_name)
            sheet = Sheet("CSV", _read_csv(text, self.file_name))
            return Workbook("csv", [_visible(sheet)], encoding)
        self._thread.join()
        if self._error is not None:
            raise _damaged(self._error, self.file_name, self.format)
        return Workbook(self.format, [_visible(s) for s in _sheets(self._tables, self.file_name)])


PARSE_TARGET = "cams_data.parse:parse_sheets"  # run in a sandbox worker; tests swap it
PARSE_EARLY_BYTES = 1024 * 1024  # a workbook this large is parsed while its parts are checked


def _visible(sheet: Sheet) -> Sheet:
    """The one place a file's cells lose the characters that print nothing."""
    cells, changed = drop_invisible_cells(sheet.cells)
    return Sheet(sheet.name, cells, changed, sheet.hidden)


PASSWORD_MESSAGE = (
    "The workbook is password-protected, so it cannot be read. Open it in Excel, remove the "
    "password (File > Info > Protect Workbook > Encrypt with Password, clear the box), save, and "
    "upload it again."
)


def _check_archive(data: bytes, file_name: str, config: Config) -> str:
    """Refuse zip bombs and XML entity tricks from the archive's own directory, before parsing."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise Refused(file_name, DAMAGED_MESSAGE, code="damaged") from None
    names = {m.filename for m in members}
    if len(members) > MAX_ZIP_MEMBERS:
        raise Refused(
            file_name,
            f"The workbook has {len(members)} parts; that is not normal.",
            code="too-many-parts",
        )
    parts = _parts_by_key(members, file_name)
    # The ratio first, so that a bomb is called one even when it is also over the size limit.
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1024 * 1024 and ratio > config.max_compression_ratio:
            raise Refused(
                file_name,
                f"Part '{member.filename}' of the workbook is compressed {ratio:.0f} to 1 "
                f"(the limit is {config.max_compression_ratio:g} to 1): this is how a 'zip "
                "bomb' is built, so the file was not opened.",
                code="zip-bomb",
            )
    unpacked = sum(m.file_size for m in members)
    if unpacked > config.max_uncompressed_bytes:
        raise Refused(
            file_name,
            f"The workbook would unpack to {unpacked / 1024 / 1024:.0f} MB; the limit is "
            f"{config.max_uncompressed_mb:g} MB. Ask for a smaller export.",
            code="unpacks-too-large",
        )
    if "xl/workbook.xml" in parts or "xl/workbook.bin" in parts:
        fmt = "xlsx"
    elif "content.xml" in names and b"opendocument.spreadsheet" in _head(
        archive, "mimetype", file_name
    ):
        fmt = "ods"
    elif any(n.startswith("Index/") and n.endswith(".iwa") for n in names):
        raise Refused(file_name, NUMBERS_MESSAGE, code="apple-numbers")
    elif "word/document.xml" in names:
        raise Refused(
            file_name,
            "This is a Word document, not a spreadsheet. " + SAVE_AS_XLSX,
            code="word-document",
        )
    else:
        raise Refused(
            file_name,
            "This is a zip archive, not a spreadsheet. " + SAVE_AS_XLSX,
            code="zip-archive",
        )
    for member in members:
        if _is_xml(head := _head(archive, member.filename, file_name)) and re.search(
            rb"<!(DOCTYPE|ENTITY)", head, re.IGNORECASE
        ):
            raise Refused(
                file_name,
                f"Part '{member.filename}' of the workbook declares XML entities, which real "
                "spreadsheets never do (it is a known way to attack a server), so the file was "
                "not opened. " + SAVE_AS_XLSX,
                code="xml-entities",
            )
    return fmt


def _check_parts(data: bytes, file_name: str) -> None:
    """Refuse a workbook whose parts unpack to more than they declare, or whose sheets place
    cells too far from A1 or hold Excel errors: the checks that unpack every part, so they run
    while the worker parses (a refusal here kills it)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    members = archive.infolist()
    names = {m.filename for m in members}
    parts = {_part_key(m.filename): m.filename for m in members}
    # Every part, whatever its name: the reader opens whichever parts the workbook points to.
    for member in members:
        _check_unpacked_size(data, member, file_name)
    # The reader tries each format in turn, so every set of sheets it could read is checked.
    if "xl/workbook.xml" in parts:
        formulas = Formulas()
        for sheet_name, part in _worksheet_parts(archive, parts, file_name):
            _check_sheet_extent(archive, sheet_name, part, file_name, formulas)
        formulas.check(file_name)
    if "xl/workbook.bin" in parts:
        for sheet_name, part in _binary_worksheet_parts(archive, parts, file_name):
            _check_binary_sheet_extent(archive, sheet_name, part, file_name)
    if "content.xml" in names:
        _check_ods_extent(archive, "content.xml", file_name)


def _part_key(name: str) -> str:
    """A part's name as the workbook reader looks it up in an .xlsx or .xlsb: in any case, with
    either slash (sheet1.XML is found as sheet1.xml). An .ods's parts are found by exact name."""
    return name.replace("\\", "/").lower()


def _parts_by_key(members: list[zipfile.ZipInfo], file_name: str) -> dict[str, str]:
    """Each part's name by its key, refusing two parts with one key: the reader would open one
    and the checks here might see the other."""
    parts: dict[str, str] = {}
    for member in members:
        if (key := _part_key(member.filename)) in parts:
            raise Refused(
                file_name,
                f"The workbook holds two parts named '{parts[key]}' and '{member.filename}', the "
                "same name but for capitals or slashes, which real spreadsheets never have, so "
                "the file was not opened. " + SAVE_AS_XLSX,
                code="duplicate-parts",
            )
        parts[key] = member.filename
    return parts


# The workbook reader makes a grid from A1 to a sheet's last cell, whatever lies between: one
# stray cell at XFD1048576 asks it for 512 GB, one at XFD5 costs 300 MB. A real export fills a
# few dozen columns (a survey one per question) and at most a few hundred thousand rows, so these
# are far beyond any, yet keep the reader's grid under about 320 MB.
MAX_SHEET_COLUMNS = 500
MAX_SHEET_CELLS = 10_000_000  # rows x columns from A1: e.g. 300,000 rows of 33 columns
DIMENSION = re.compile(
    rb'<(?:\w+:)?dimension\s+ref="(?:[A-Za-z]{1,7}[0-9]{1,18}:)?([A-Za-z]{1,7})([0-9]{1,18})"'
)
OVERLAP = 8192  # more than a cell reference, and than an error cell or a formula cell read here
SCAN_STEP = 4 * 1024 * 1024
# The workbook reader gives an error cell (#REF!) and a formula saved without its result as
# blanks, so both are found in the sheet's XML: the officer is told, not shown "is empty".
CELL_REFERENCE = re.compile(rb'\br="([A-Za-z]{1,7}[0-9]{1,18})"')
ERROR_CELL = re.compile(rb'<c\b([^>]*\bt="e"[^>]*)>(?:(?!</c>).){0,4096}?<v>([^<]{1,32})</v>', re.S)
FORMULA_CELL = re.compile(
    rb"<c\b([^>]*)>\s*<f\b[^>]*?(?:/>|>[^<]{0,4096}</f>)\s*(<v>[^<]*</v>|<v\s*/>)?\s*</c>"
)
SHOWN_ERROR_CELLS = 1000


@dataclass
class Formulas:
    """Error cells and formulas without results, found while each sheet's XML is scanned."""

    errors: dict[tuple[str, str], str] = field(default_factory=dict)  # (sheet, cell) -> '#REF!'
    uncached: dict[str, str] = field(default_factory=dict)  # sheet -> its first such cell

    def scan(self, sheet_name: str, text: bytes) -> None:
        for attributes, value in ERROR_CELL.findall(text) if b't="e"' in text else ():
            if len(self.errors) < SHOWN_ERROR_CELLS and (ref := CELL_REFERENCE.search(attributes)):
                self.errors[sheet_name, ref[1].decode()] = value.decode("utf-8", "replace")
        for attributes, value in FORMULA_CELL.findall(text) if b"<f" in text else ():
            # An empty result is a formula giving '' only when typed as text (t="str").
            empty = re.fullmatch(rb"(<v>\s*</v>|<v\s*/>)?", value)
            if empty and b't="str"' not in attributes and sheet_name not in self.uncached:
                ref = CELL_REFERENCE.search(attributes)
                self.uncached[sheet_name] = ref[1].decode() if ref else "?"

    def check(self, file_name: str) -> None:
        for sheet_name, ref in self.uncached.items():
            raise Refused(
                file_name,
                f"Sheet '{sheet_name}' holds formulas without their results (the first in cell "
                f"{ref}): the program that wrote the file saved the formulas but not what they "
                "work out to, and this dashboard reads only results. Open the file in Excel, "
                "save it, and upload it again.",
                code="formulas-without-results",
            )
        if self.errors:
            problems = [
                Problem.of(
                    "excel-error-in-cell",
                    sheet=sheet_name,
                    found=value,
                    cell=ref,
                    cell_row=ref.lstrip(string.ascii_letters),
                )
                for (sheet_name, ref), value in self.errors.items()
            ]
            raise Refused(
                file_name,
                "The workbook holds Excel errors (such as #REF! or #N/A) where values should be.",
                problems,
                code="excel-errors",
            )


def _worksheet_parts(
    archive: zipfile.ZipFile, parts: dict[str, str], file_name: str
) -> list[tuple[str, str]]:
    """Each sheet's name and zip part, as the workbook and its relationships name them and as
    the reader finds them: whatever the namespaces, and a target even if marked external."""
    workbook = _parse_xml(archive, parts.get("xl/workbook.xml"), file_name)
    targets = _relationship_targets(archive, parts.get("xl/_rels/workbook.xml.rels"), file_name)
    found = []
    for sheet in workbook.iter():
        if _local_name(sheet.tag) == "sheet":
            for key, link in sheet.attrib.items():
                if _local_name(key) == "id" and link in targets:
                    for part in _parts_of(targets[link], parts):
                        found.append((sheet.get("name", ""), part))
    return found


def _parse_xml(archive: zipfile.ZipFile, part: str | None, file_name: str):
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(archive.read(part))
    except Exception:  # no such part (None), ParseError, defusedxml's refusals: all damage
        raise Refused(file_name, DAMAGED_MESSAGE, code="damaged") from None


def _relationship_targets(
    archive: zipfile.ZipFile, part: str | None, file_name: str
) -> dict[str, str]:
    relationships = _parse_xml(archive, part, file_name)
    return {
        link.get("Id"): link.get("Target", "")
        for link in relationships.iter()
        if _local_name(link.tag) == "Relationship"
    }


def _local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def _parts_of(target: str, parts: dict[str, str]) -> set[str]:
    """The parts a relationship's target names, under xl/: as written and as normalised, since
    either may be what the reader opens."""
    written = _part_key(target[1:] if target.startswith("/") else "xl/" + target)
    return {parts[key] for key in (written, posixpath.normpath(written)) if key in parts}


SHEET_LIMITS = (
    f"a spreadsheet this dashboard reads has at most {MAX_SHEET_COLUMNS:,} columns and "
    f"{MAX_SHEET_CELLS:,} cells from A1 to its last cell. Delete the far cells (Ctrl+End shows "
    "them) and save again."
)


def _too_large(rows: int, columns: int) -> bool:
    return columns > MAX_SHEET_COLUMNS or rows * columns > MAX_SHEET_CELLS


def _refuse_far_cells(file_name: str, sheet_name: str, last_row: int, last_column: int) -> None:
    if _too_large(last_row, last_column):
        raise Refused(
            file_name,
            f"Sheet '{sheet_name}' has a cell at {column_letters(last_column)}{last_row} "
            f"({last_row:,} rows by {last_column:,} columns from A1): " + SHEET_LIMITS,
            code="sheet-too-large",
        )


def _check_sheet_extent(
    archive: zipfile.ZipFile, sheet_name: str, part: str, file_name: str, formulas: Formulas
) -> None:
    """Refuse a sheet whose last cell, as its <dimension> says or as any cell or row is placed,
    lies too far from A1, noting its error cells and formulas without results on the way. The
    part's size is already within the limits, so is the work."""
    last_row = last_column = 0
    with archive.open(part) as stream:
        text = stream.read(SCAN_STEP)
        if dimension := DIMENSION.search(text):
            last_row, last_column = int(dimension[2]), _column_number(dimension[1])
        while text:
            last_row, last_column = _furthest_reference(text, last_row, last_column)
            formulas.scan(sheet_name, text)
            more = stream.read(SCAN_STEP)
            # A cell cut by the chunk's end is whole in the overlap with the next chunk (a cell
            # seen twice is noted once, by its reference).
            text = text[-OVERLAP:] + more if more else b""
    _refuse_far_cells(file_name, sheet_name, last_row, last_column)


def _furthest_reference(text: bytes, last_row: int, last_column: int) -> tuple[int, int]:
    """The furthest row and column any cell or row reference (` r="B12"`, `<row r="12"`) in
    `text` places, or those given if none is further. Each is found by searching only for a
    reference further than the furthest yet, so that a sheet of 300,000 rows, whose rows are in
    order, costs two scans, not a match per cell."""
    if (row_tag := text.rfind(b"<row ")) != -1 and (found := ROW_NUMBER.match(text, row_tag)):
        last_row = max(last_row, int(found[1]))
    position = 0
    while found := _reference_after(last_row, last_column, "row").search(text, position):
        position = found.end()
        if text[found.start() - 1 : found.start()].isspace():
            last_row = int(found[2])
    position = 0
    while found := _reference_after(last_row, last_column, "column").search(text, position):
        position = found.end()
        if text[found.start() - 1 : found.start()].isspace():
            last_column = _column_number(found[1])
    return last_row, last_column


ROW_NUMBER = re.compile(rb'<row\s[^>]*?\br="([0-9]{1,18})"')


@functools.lru_cache(maxsize=256)
def _reference_after(last_row: int, last_column: int, beyond: str) -> re.Pattern[bytes]:
    """A reference further down than `last_row` or further right than `last_column` (in any
    case; `r="` first, a literal in one case, so that the search skips ahead fast)."""
    if beyond == "row":
        letters, digits, end = b"[A-Za-z]{0,7}", _greater(str(last_row), "0", "9"), b'"'
    else:
        letters, digits, end = _greater(column_letters(last_column), "A", "Z"), b"[0-9]", b""
    return re.compile(b'r="((?i:' + letters + b"))(" + digits + b")" + end)


def _greater(text: str, low: str, high: str) -> bytes:
    """A pattern for the strings of `low`-`high` greater than `text` as a row number or as
    column letters: a longer one, or one as long that is greater where they first differ."""
    options = [f"[{low}-{high}]{{{len(text) + 1},}}"]
    for place, character in enumerate(text):
        if character != high:
            rest = len(text) - place - 1
            options.append(
                f"{text[:place]}[{chr(ord(character) + 1)}-{high}][{low}-{high}]{{{rest}}}"
            )
    return ("(?:" + "|".join(options) + ")").encode()


# An .ods says where each cell is by counting: a row or cell may stand for many
# (table:number-rows-repeated, table:number-columns-repeated), and the reader lays out every
# repeat up to the last cell holding a value. LibreOffice ends each sheet with empty rows and
# cells repeated to the edge of the grid, which hold no value and so do not count.
ODS_ATTRIBUTES = rb"[^>\"']*(?:(?:\"[^\"]*\"|'[^']*')[^>\"']*)*"  # a quoted value may hold '>'
ODS_SHEET_OR_ROW = re.compile(
    rb"<(?:table:(table|table-row)(?=[\s/>])(" + ODS_ATTRIBUTES + rb")|/table:table\s*)>"
)
ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell(?=[\s/>])(" + ODS_ATTRIBUTES + rb")>")
ODS_SHEET_NAME = re.compile(rb"\stable:name\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
ODS_ROWS_REPEATED = re.compile(rb"\stable:number-rows-repeated\s*=\s*[\"']([^\"']*)")
ODS_COLUMNS_REPEATED = re.compile(rb"\stable:number-columns-repeated\s*=\s*[\"']([^\"']*)")
ODS_VALUE = re.compile(rb"\s(?:office:[\w-]+|table:formula)\s*=")  # a value, its type or a formula


def _check_ods_extent(archive: zipfile.ZipFile, part: str, file_name: str) -> None:
    """Refuse an .ods with a sheet whose last cell holding a value lies too far from A1."""
    extent = OdsExtent(file_name)
    with archive.open(part) as stream:
        for text in _xml_pieces(stream, file_name):
            extent.read(text)
    extent.end_sheet()


class OdsExtent:
    """Where each sheet's last cell holding a value lies, as content.xml is read piece by piece.

    Row by row, and within a row by counting up to its first repeated cell and reading cell by
    cell only from there, so that a large sheet is checked in less time than the reader takes."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self.sheet: str | None = None  # None between sheets
        self.last_row = self.last_column = 0
        self.rows_above = self.row_repeats = self.columns = 0  # the current row's place

    def read(self, text: bytes) -> None:
        at = 0
        for tag in ODS_SHEET_OR_ROW.finditer(text):
            self.cells(text[at : tag.start()])
            kind, attributes = tag.groups()
            if kind == b"table-row":
                self.rows_above += self.row_repeats
                self.row_repeats, self.columns = _ods_repeats(ODS_ROWS_REPEATED, attributes), 0
            else:  # a sheet starts or ends
                self.end_sheet()
                self.sheet = _ods_sheet_name(attributes) if kind else None
            at = tag.end()
        self.cells(text[at:])

    def cells(self, text: bytes) -> None:
        if self.sheet is None:
            return
        # Up to the first repeated cell every cell counts one, so the cells are counted; the
        # last value there (or the word in a cell's text) lies in the last cell holding one.
        repeated = text.find(b"repeated")
        plain = len(text) if repeated == -1 else _cell_start(text, repeated)
        if (value := max(text.rfind(b"value", 0, plain), text.rfind(b"formula", 0, plain))) != -1:
            self.place(self.columns + _ods_cells(text, value))
        self.columns += _ods_cells(text, plain)
        for attributes in ODS_CELL.findall(text, plain):
            self.columns += _ods_repeats(ODS_COLUMNS_REPEATED, attributes)
            if ODS_VALUE.search(attributes):
                self.place(self.columns)

    def place(self, column: int) -> None:
        self.last_row = max(self.last_row, self.rows_above + self.row_repeats)
        self.last_column = max(self.last_column, column)

    def end_sheet(self) -> None:
        if self.sheet is not None:
            _refuse_far_cells(self.file_name, self.sheet, self.last_row, self.last_column)
        self.last_row = self.last_column = self.rows_above = self.row_repeats = self.columns = 0


def _ods_cells(text: bytes, end: int) -> int:
    """How many cells start before `end`."""
    covered = text.count(b"<table:covered-table-cell", 0, end)
    return text.count(b"<table:table-cell", 0, end) + covered


def _cell_start(text: bytes, at: int) -> int:
    """Where the cell holding `at` starts (0 if none starts before it)."""
    start = text.rfind(b"<table:table-cell", 0, at)
    return max(start, text.rfind(b"<table:covered-table-cell", 0, at), 0)


def _xml_pieces(stream, file_name: str) -> Iterator[bytes]:
    """An XML part a few MB at a time, each piece ending where a tag starts, so that no tag is
    cut (a '<' is never inside one)."""
    rest = b""
    while chunk := stream.read(SCAN_STEP):
        text = rest + chunk
        if (cut := text.rfind(b"<")) <= 0:  # no tag starts in 4 MB: never in a spreadsheet
            raise Refused(file_name, DAMAGED_MESSAGE, code="damaged")
        yield text[:cut]
        rest = text[cut:]
    yield rest


def _ods_sheet_name(attributes: bytes) -> str:
    found = ODS_SHEET_NAME.search(attributes)
    name = (found[1] if found[1] is not None else found[2]) if found else b""
    return html.unescape(name.decode("utf-8", "replace"))


def _ods_repeats(pattern: re.Pattern, attributes: bytes) -> int:
    """A row's or cell's repeat count as the reader takes it (a number it cannot take makes it
    refuse the file, so that counts as one here)."""
    if b"repeated" not in attributes or not (found := pattern.search(attributes)):
        return 1
    number = re.fullmatch(r"\+?0*([0-9]{1,20})", html.unescape(found[1].decode("ascii", "replace")))
    return int(number[1]) if number else 1


# An .xlsb's parts are records: a type and a length, each a little-endian number in 7-bit
# groups, then the data. A cell record starts with its column, and belongs to the row of the
# row header before it; BrtWsDim holds the sheet's first and last rows and columns.
ROW_HEADER, SHEET_DIMENSION, END_SHEET_DATA, SHEET_IN_WORKBOOK = 0x0000, 0x0094, 0x0092, 0x009C
LAST_CELL_RECORD = 0x000B  # BrtCellBlank (1) to BrtFmlaError (11)
LAST_ROW_READ = 0x100000  # the reader stops at a row header past this
SHEET_FOLDERS = ("worksheets", "chartsheets", "dialogsheets")
SHEET_LIST_BYTES = 1024 * 1024  # Excel lists the sheets near the start of workbook.bin
UINT32 = struct.Struct("<I").unpack_from


def _binary_worksheet_parts(
    archive: zipfile.ZipFile, parts: dict[str, str], file_name: str
) -> list[tuple[str, str]]:
    """Every sheet part the workbook's relationships point to, with the sheet's name where the
    workbook gives one (the part's name otherwise)."""
    with archive.open(parts["xl/workbook.bin"]) as stream:
        workbook = stream.read(SHEET_LIST_BYTES)
    names, at = {}, 0
    with contextlib.suppress(IndexError):  # a record cut short ends the list
        while at < len(workbook):
            kind, size, at = _record_header(workbook, at)
            if kind == SHEET_IN_WORKBOOK:  # BrtBundleSh: state, tab id, relationship id, name
                link, name_at = _wide_string(workbook, at + 8, at + size)
                names[link] = _wide_string(workbook, name_at, at + size)[0]
            at += size
    targets = _relationship_targets(archive, parts.get("xl/_rels/workbook.bin.rels"), file_name)
    return [
        (names.get(link) or part, part)
        for link, target in targets.items()
        if target.split("/")[0] in SHEET_FOLDERS
        for part in _parts_of(target, parts)
    ]


def _record_header(data: bytes, at: int) -> tuple[int, int, int]:
    """A record's type and length, and where its data starts."""
    kind = data[at]
    if kind & 0x80:
        kind, at = (kind & 0x7F) | (data[at + 1] & 0x7F) << 7, at + 2
    else:
        at += 1
    size = 0
    for shift in (0, 7, 14, 21):
        byte, at = data[at], at + 1
        size |= (byte & 0x7F) << shift
        if not byte & 0x80:
            break
    return kind, size, at


def _wide_string(data: bytes, start: int, end: int) -> tuple[str | None, int]:
    """An XLWideString (a 4-byte count of UTF-16 characters, then them) and where it ends."""
    stop = start + 4 + 2 * int.from_bytes(data[start : start + 4], "little")
    if stop > end:
        return None, end
    return data[start + 4 : stop].decode("utf-16-le", "replace"), stop


def _check_binary_sheet_extent(
    archive: zipfile.ZipFile, sheet_name: str, part: str, file_name: str
) -> None:
    """Refuse an .xlsb sheet whose last cell, as its BrtWsDim says or as any cell is placed,
    lies too far from A1. A sheet has a record a cell, so the loop is kept tight: 3 million cells
    are checked in about the time the reader takes to read them."""
    last_row = last_column = row = 0
    with archive.open(part) as stream, contextlib.suppress(IndexError, struct.error):
        data, at = b"", 0
        while True:
            if len(data) - at < 64:
                data, at = data[at:] + stream.read(SCAN_STEP), 0
                if not data:
                    break
            kind, size = data[at], data[at + 1]
            if kind | size < 0x80:  # most records: a type and a length of one byte each
                at += 2
            else:
                kind, size, at = _record_header(data, at)
            if kind <= LAST_CELL_RECORD and size >= 4:
                if kind == ROW_HEADER:
                    if (row := UINT32(data, at)[0]) > LAST_ROW_READ:
                        break
                else:  # a cell ('if', not max(): a call a cell would double the time)
                    if row >= last_row:
                        last_row = row + 1
                    if (column := UINT32(data, at)[0]) >= last_column:
                        last_column = column + 1
            elif kind == SHEET_DIMENSION and size >= 16:
                _, row_last, _, column_last = struct.unpack_from("<4I", data, at)
                last_row = max(last_row, row_last + 1)
                last_column = max(last_column, column_last + 1)
            elif kind == END_SHEET_DATA:
                break
            at += size
            if at > len(data):  # a record longer than what is read: skip the rest of it
                skip, data, at = at - len(data), b"", 0
                while skip > 0 and (skipped := len(stream.read(min(skip, SCAN_STEP)))):
                    skip -= skipped
    _refuse_far_cells(file_name, sheet_name, last_row, last_column)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - ord("A") + 1
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _is_xml(head: bytes) -> bool:
    """Told from the bytes, not the part's name, which may be any case or have no extension."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


INFLATE_STEP = 4 * 1024 * 1024


def _check_unpacked_size(data: bytes, member: zipfile.ZipInfo, file_name: str) -> None:
    """A part must unpack to exactly the size the archive declares. A bomb can declare a small
    size, even with a matching CRC, and still unpack to gigabytes in the workbook reader; so the
    part is inflated here, a few MB at a time, and refused once it passes its declared size. Its
    CRC is checked on the way, so that the checks after this one read it without an error."""
    bomb = (
        f"Part '{member.filename}' of the workbook unpacks to more than the archive declares: "
        "this is how a 'zip bomb' hides, so the file was not opened."
    )
    header = data[member.header_offset : member.header_offset + 30]
    if len(header) < 30 or not header.startswith(b"PK\x03\x04"):
        raise Refused(file_name, DAMAGED_MESSAGE, code="damaged")
    start = member.header_offset + 30 + int.from_bytes(header[26:28], "little")
    start += int.from_bytes(header[28:30], "little")
    packed = memoryview(data)[start : start + member.compress_size]
    if member.compress_type == zipfile.ZIP_STORED:
        if member.compress_size != member.file_size or len(packed) != member.file_size:
            raise Refused(file_name, DAMAGED_MESSAGE, code="damaged")
        if zlib.crc32(packed) != member.CRC:
            raise Refused(file_name, DAMAGED_MESSAGE, code="damaged")
        return
    if member.compress_type != zipfile.ZIP_DEFLATED:
        raise Refused(file_name, DAMAGED_MESSAGE, code="damaged")
    inflater, unpacked, crc = zlib.decompressobj(-15), 0, 0
    try:
        for at in range(0, len(packed), INFLATE_STEP):
            chunk = packed[at : at + INFLATE_STEP]
            while chunk:
                inflated = inflater.decompress(chunk, INFLATE_STEP)
                unpacked, crc = unpacked + len(inflated), zlib.crc32(inflated, crc)
                if unpacked > member.file_size:
                    raise Refused(file_name, bomb, code="zip-bomb")
                chunk = inflater.unconsumed_tail
    except zlib.error:
        raise Refused(file_name, DAMAGED_MESSAGE, code="damaged") from None
    if unpacked != member.file_size or not inflater.eof or crc != member.CRC:
        raise Refused(file_name, DAMAGED_MESSAGE, code="damaged")


def _head(archive: zipfile.ZipFile, name: str, file_name: str, size: int = 4096) -> bytes:
    try:
        with archive.open(name) as member:
            return member.read(size)
    # zlib.error: a corrupt deflate stream; RuntimeError: a part encrypted the zip way.
    except (
        KeyError,
        zipfile.BadZipFile,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
        RuntimeError,
        zlib.error,
    ):
        raise Refused(file_name, DAMAGED_MESSAGE, code="damaged") from None


NUMBERS_MESSAGE = (
    "This is an Apple Numbers file, which this dashboard cannot read. In Numbers, use "
    "File > Export To > Excel (or CSV), then upload the file it makes."
)
DAMAGED_MESSAGE = (
    "The file is damaged or incomplete (perhaps it did not finish downloading), so it cannot be "
    "read. Download or export it again."
)
FORMAT_NAMES = {
    "xlsx": "Excel workbook (.xlsx)",
    "xls": "Excel 97-2003 workbook (.xls)",
    "ods": "OpenDocument spreadsheet (.ods)",
}


# Why the reader's worker stopped, as the end of "The file could not be read: ...".
NOT_READ = {
    "crash": "the reader stopped unexpectedly on it, which a file saved by a spreadsheet program "
    "never makes it do",
    "memory": "reading it needed more than {limit} of memory, more than any real export needs",
    "time": "reading it took longer than {limit}, far longer than any real export takes",
}


def _damaged(error: BaseException, file_name: str, fmt: str) -> BaseException:
    if isinstance(error, KeyboardInterrupt | SystemExit | GeneratorExit):
        return error
    if isinstance(error, sandbox.Failed):
        reason = NOT_READ[error.kind].format(limit=error.limit)
        return Refused(
            file_name,
            f"The file could not be read: {reason}. " + SAVE_AS_XLSX,
            code="reader-stopped",
        )
    detail = str(error).lower()
    if "password" in detail or "encrypt" in detail:
        return Refused(file_name, PASSWORD_MESSAGE, code="password-protected")
    return Refused(
        file_name,
        f"The file looks like an {FORMAT_NAMES[fmt]} but it is damaged and cannot be read. "
        + SAVE_AS_XLSX,
        code="damaged",
    )


def _sheets(tables: list[tuple[str, object, bool]], file_name: str) -> list[Sheet]:
    import pandas as pd
    import pyarrow as pa

    text = pd.StringDtype("pyarrow", na_value=float("nan"))  # pandas' own "str", without a copy
    sheets = []
    for name, table, hidden in tables:
        # The checks before the parse see where the file places its cells; this sees what the
        # reader made of them, should a file place them in a way nobody thought of.
        if _too_large(table.num_rows, table.num_columns):
            raise Refused(
                file_name,
                f"Sheet '{name}' reads as {table.num_rows:,} rows by {table.num_columns:,} "
                "columns: " + SHEET_LIMITS,
                code="sheet-too-large",
            )
        cells = table.to_pandas(types_mapper={pa.string(): text}.get)
        cells.columns = range(cells.shape[1])
        cells.index = pd.RangeIndex(1, len(cells) + 1)
        sheets.append(Sheet(name, cells, hidden=hidden))
    if not any(sheet.cells.notna().to_numpy().any() for sheet in sheets):
        raise Refused(
            file_name,
            "The workbook is empty: no sheet has any data in it.",
            code="empty-file",
        )
    return sheets


def _check_legacy_container(data: bytes, file_name: str) -> None:
    """An .xls is a compound file holding a 'Workbook' stream. When its directory is broken the
    workbook reader can try to allocate gigabytes (found by fuzzing: a 10 KB file), so the
    directory is checked first, in Python, and every stream must fit inside the file."""
    import olefile

    damaged = f"The file looks like an {FORMAT_NAMES['xls']} but it is damaged and cannot be read. "
    try:
        container = olefile.OleFileIO(data)
        sizes = {"/".join(p).lower(): container.get_size("/".join(p)) for p in container.listdir()}
    except Exception:  # olefile raises OSError, its own types, and others on garbage
        raise Refused(file_name, damaged + SAVE_AS_XLSX, code="damaged") from None
    if not {"workbook", "book"} & sizes.keys() or any(n > len(data) for n in sizes.values()):
        raise Refused(file_name, damaged + SAVE_AS_XLSX, code="damaged")


def _as_windows_1252(error: UnicodeError) -> tuple[str, int]:
    """Bytes that are not UTF-8, read as Windows-1252 (a byte it does not define still fails)."""
    stretch = error.object[error.start : error.end]
    return stretch.decode("cp1252"), error.end


codecs.register_error("cams-windows-1252", _as_windows_1252)


def decode_text(data: bytes, file_name: str) -> tuple[str, str]:
    """Text from Excel's CSV flavours: UTF-8 (with or without BOM), UTF-16, else cp1252.

    Without a BOM, the text is read as UTF-8 and only the stretches that are not UTF-8 as
    Windows-1252: a UTF-8 file with one stray 'é' from Windows keeps its other accents (read
    whole as Windows-1252 they became mojibake, 'CafÃ©'), and Excel's plain "CSV", Windows-1252
    throughout, reads as before ("utf-8+cp1252" names that reading). UTF-16 without a BOM is
    told by its zero bytes: in text that is mostly ASCII, every other byte is zero."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = [("utf-16", "strict")]
    elif utf16 := _bomless_utf16(data[:4096]):
        candidates = [(utf16, "strict")]
    elif data.startswith(b"\xef\xbb\xbf"):
        candidates = [("utf-8-sig", "strict"), ("utf-8-sig", "cams-windows-1252")]
    else:
        candidates = [("utf-8", "strict"), ("utf-8", "cams-windows-1252")]
    for encoding, errors in candidates:
        try:
            text = data.decode(encoding, errors)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            if text.count("\x00") * 100 < len(text):  # mostly text: a stray zero byte
                raise Refused(file_name, _nul_message(text), code="nul-character")
            break
        return text, encoding if errors == "strict" else encoding + "+cp1252"
    raise Refused(
        file_name,
        "This is not a spreadsheet or a CSV file (it holds binary data). " + SAVE_AS_XLSX,
        code="not-a-spreadsheet",
    )


def _bomless_utf16(sample: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when every other byte is zero and the rest are not (but for
    a stray NUL character, which is then refused naming its line, not as binary data)."""
    low, high = sample[0::2], sample[1::2]
    if len(sample) < 4 or len(sample) % 2:
        return None
    for encoding, zeros, text in (("utf-16-le", high, low), ("utf-16-be", low, high)):
        if zeros.count(0) * 10 >= len(zeros) * 9 and text.count(0) * 100 < len(text):
            return encoding
    return None


def _nul_message(text: str) -> str:
    line = text[: text.index("\x00")].count("\n") + 1
    return (
        f"Line {line} holds a NUL character (a zero byte, which text never holds), so the file "
        "may be damaged. Export it again, or open it in Excel and save it as CSV, then upload "
        "that."
    )


MAX_CELL_CHARACTERS = 32_767  # Excel's own limit on a cell


def _read_csv(text: str, file_name: str) -> pd.DataFrame:
    import pandas as pd

    # The csv module stops at 128 KB a field with an error; the file's size is limited already,
    # and a cell over Excel's limit is refused below, naming it.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    lines = text.splitlines()
    delimiter = _sniff_delimiter([line for line in lines[:50] if line.strip()])
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not any(any(cell.strip() for cell in row) for row in rows):
        raise Refused(file_name, "The file has no data in it.", code="empty-file")
    width = max(len(row) for row in rows)
    cells = pd.DataFrame([row + [""] * (width - len(row)) for row in rows], dtype="str")
    cells = cells.where(cells.apply(lambda column: column.str.strip() != ""))
    cells.index = pd.RangeIndex(1, len(cells) + 1)
    for position in cells.columns:
        lengths = cells[position].str.len()
        if (over := lengths > MAX_CELL_CHARACTERS).any():
            row = over.idxmax()  # the first such row
            raise Refused(
                file_name,
                f"Row {row}, column {column_letters(position + 1)} has a cell of "
                f"{int(lengths[row]):,} characters; a cell this dashboard reads has at most "
                f"{MAX_CELL_CHARACTERS:,} (Excel's own limit). Shorten it, then upload the "
                "file again.",
                code="cell-too-long",
            )
    return cells


def _sniff_delimiter(sample: list[str]) -> str:
    """The separator that splits the most lines into the same number (>1) of fields."""
    best, best_score = ",", -1
    for delimiter in (",", ";", "\t", "|"):
        widths = [n for row in csv.reader(sample, delimiter=delimiter) if (n := len(row)) > 1]
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        score = widths.count(common) + common / 100
        if score > best_score:
            best, best_score = delimiter, score
    return best
