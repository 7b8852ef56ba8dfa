"""File bytes -> sheets of text cells, refusing what is not a safe, readable spreadsheet.

The format is told from the bytes, never the file name. Workbooks (.xlsx, .xls, .ods) are read
with fastexcel (Rust, calamine), the fastest reader measured here, every cell as text so that one
validator sees workbooks and CSV alike. Before any parse the archive inside a workbook is checked
against the size limits, and XML parts that declare a DOCTYPE (entity tricks) are refused. The
parse runs in a worker process with memory and time limits (sandbox.py): a reader that aborts or
allocates without bound on a file nobody thought of gives a refusal, not a dead app.
"""

from __future__ import annotations

import codecs
import csv
import io
import posixpath
import re
import string
import threading
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import defusedxml  # noqa: F401  (openpyxl parses XML safely only when this is installed)

from cams_data import sandbox
from cams_data.problems import Problem, Refused
from cams_data.settings import Config
from cams_data.text import drop_invisible_cells

if TYPE_CHECKING:
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
        )
    if not data.strip():
        raise Refused(file_name, "The file is empty.")
    for magic, what in NOT_SPREADSHEETS.items():
        if data.startswith(magic):
            raise Refused(file_name, f"This is {what}, not a spreadsheet. {SAVE_AS_XLSX}")
    if data.startswith(ZIP_MAGIC):
        return _check_archive(data, file_name, config)
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_STREAM in data:
            raise Refused(file_name, PASSWORD_MESSAGE)
        return "xls"
    text, _ = decode_text(data, file_name)
    if WEB_PAGE.match(COMMENTS.sub("", text[:65536])):
        raise Refused(
            file_name,
            "This is a web page or XML file saved with a spreadsheet's name, not a spreadsheet. "
            + SAVE_AS_XLSX,
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
    """A file screened at once and, if a workbook, parsed in the sandbox worker, waited on by a
    background thread.

    So the caller can import pandas and DuckDB meanwhile (the CLI does: a third of a large
    upload's time was those imports, one after the other).
    """

    def __init__(self, data: bytes, file_name: str, config: Config) -> None:
        self.data, self.file_name = data, file_name
        self.format = screen(data, file_name, config)
        self._tables: list[tuple[str, object, bool]] = []  # name, cells, hidden
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if self.format != "csv":
            if self.format == "xls":
                _check_legacy_container(data, file_name)
            self._thread = threading.Thread(target=self._parse, daemon=True)
            self._thread.start()

    def _parse(self) -> None:
        import pyarrow as pa

        try:
            for name, stream, hidden in sandbox.run(PARSE_TARGET, self.data):
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


PARSE_TARGET = "cams_data.read:parse_sheets"  # run in a sandbox worker; tests swap it


def parse_sheets(data: bytes) -> list[tuple[str, bytes, bool]]:
    """Each sheet's name, its cells as text (an Arrow IPC stream) and whether it is hidden in the
    workbook (run in a worker: the reader can abort or allocate without bound on a file nobody
    thought of)."""
    import fastexcel
    import pyarrow as pa

    tables = []
    try:
        reader = fastexcel.read_excel(data)
        for name in reader.sheet_names:
            sheet = reader.load_sheet(name, header_row=None, dtypes="string", skip_rows=0)
            cells = sheet.to_arrow()
            stream = pa.BufferOutputStream()
            with pa.ipc.new_stream(stream, cells.schema) as writer:
                writer.write(cells)
            tables.append((name, stream.getvalue().to_pybytes(), sheet.visible != "visible"))
    except MemoryError:
        raise  # the worker reports the memory limit
    except BaseException as error:  # fastexcel's own types, and Rust panics (BaseException)
        raise RuntimeError(str(error)) from None  # a plain type, so the message crosses over
    return tables


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
        raise Refused(file_name, DAMAGED_MESSAGE) from None
    names = {m.filename for m in members}
    if len(members) > MAX_ZIP_MEMBERS:
        raise Refused(file_name, f"The workbook has {len(members)} parts; that is not normal.")
    # The ratio first, so that a bomb is called one even when it is also over the size limit.
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1024 * 1024 and ratio > config.max_compression_ratio:
            raise Refused(
                file_name,
                f"Part '{member.filename}' of the workbook is compressed {ratio:.0f} to 1 "
                f"(the limit is {config.max_compression_ratio:g} to 1): this is how a 'zip "
                "bomb' is built, so the file was not opened.",
            )
    unpacked = sum(m.file_size for m in members)
    if unpacked > config.max_uncompressed_bytes:
        raise Refused(
            file_name,
            f"The workbook would unpack to {unpacked / 1024 / 1024:.0f} MB; the limit is "
            f"{config.max_uncompressed_mb:g} MB. Ask for a smaller export.",
        )
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        fmt = "xlsx"
    elif "content.xml" in names and b"opendocument.spreadsheet" in _head(
        archive, "mimetype", file_name
    ):
        fmt = "ods"
    elif any(n.startswith("Index/") and n.endswith(".iwa") for n in names):
        raise Refused(file_name, NUMBERS_MESSAGE)
    elif "word/document.xml" in names:
        raise Refused(file_name, "This is a Word document, not a spreadsheet. " + SAVE_AS_XLSX)
    else:
        raise Refused(file_name, "This is a zip archive, not a spreadsheet. " + SAVE_AS_XLSX)
    for member in members:
        if _is_xml(head := _head(archive, member.filename, file_name)) and re.search(
            rb"<!(DOCTYPE|ENTITY)", head, re.IGNORECASE
        ):
            raise Refused(
                file_name,
                f"Part '{member.filename}' of the workbook declares XML entities, which real "
                "spreadsheets never do (it is a known way to attack a server), so the file was "
                "not opened. " + SAVE_AS_XLSX,
            )
    # Every part, whatever its name: the reader opens whichever parts the workbook points to.
    for member in members:
        _check_unpacked_size(data, member, file_name)
    if fmt == "xlsx" and "xl/workbook.xml" in names:
        formulas = Formulas()
        for sheet_name, part in _worksheet_parts(archive, file_name):
            _check_sheet_extent(archive, sheet_name, part, file_name, formulas)
        formulas.check(file_name)
    return fmt


# The workbook reader makes a grid from A1 to a sheet's last cell, whatever lies between: one
# stray cell at XFD1048576 asks it for 512 GB, one at XFD5 costs 300 MB. A real export fills a
# few dozen columns (a survey one per question) and at most a few hundred thousand rows, so these
# are far beyond any, yet keep the reader's grid under about 320 MB.
MAX_SHEET_COLUMNS = 500
MAX_SHEET_CELLS = 10_000_000  # rows x columns from A1: e.g. 300,000 rows of 33 columns
DIMENSION = re.compile(
    rb'<(?:\w+:)?dimension\s+ref="(?:[A-Za-z]{1,7}[0-9]{1,18}:)?([A-Za-z]{1,7})([0-9]{1,18})"'
)
CELL_OR_ROW_REFERENCE = re.compile(rb'\sr="([A-Za-z]{0,7})([0-9]{1,18})"')
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
            )


def _worksheet_parts(archive: zipfile.ZipFile, file_name: str) -> list[tuple[str, str]]:
    """Each sheet's name and zip part, as the workbook and its relationships name them."""
    from defusedxml.ElementTree import fromstring

    try:
        workbook = fromstring(archive.read("xl/workbook.xml"))
        relationships = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except Exception:  # KeyError, ParseError, defusedxml's refusals: all a damaged file
        raise Refused(file_name, DAMAGED_MESSAGE) from None
    targets = {
        link.get("Id"): link.get("Target", "")
        for link in relationships.iter()
        if link.tag.endswith("Relationship") and link.get("TargetMode") != "External"
    }
    parts = []
    for sheet in workbook.iter():
        if not sheet.tag.endswith("}sheet"):
            continue
        link = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        target = targets.get(link, "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        part = posixpath.normpath(part)
        if part in archive.NameToInfo:
            parts.append((sheet.get("name", ""), part))
    return parts


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
            references = CELL_OR_ROW_REFERENCE.findall(text)
            if references:
                columns, rows = zip(*references, strict=True)
                last_row = max(last_row, *map(int, set(rows)))
                widest = max(set(columns), key=lambda letters: (len(letters), letters.upper()))
                last_column = max(last_column, _column_number(widest))
            formulas.scan(sheet_name, text)
            more = stream.read(SCAN_STEP)
            # A cell cut by the chunk's end is whole in the overlap with the next chunk (a cell
            # seen twice is noted once, by its reference).
            text = text[-OVERLAP:] + more if more else b""
    if last_column > MAX_SHEET_COLUMNS or last_row * last_column > MAX_SHEET_CELLS:
        raise Refused(
            file_name,
            f"Sheet '{sheet_name}' has a cell at {column_letters(last_column)}{last_row} "
            f"({last_row:,} rows by {last_column:,} columns from A1): a spreadsheet this "
            f"dashboard reads has at most {MAX_SHEET_COLUMNS:,} columns and {MAX_SHEET_CELLS:,} "
            "cells from A1 to its last cell. Delete the far cells (Ctrl+End shows them) and "
            "save again.",
        )


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
    part is inflated here, a few MB at a time, and refused once it passes its declared size."""
    bomb = (
        f"Part '{member.filename}' of the workbook unpacks to more than the archive declares: "
        "this is how a 'zip bomb' hides, so the file was not opened."
    )
    header = data[member.header_offset : member.header_offset + 30]
    if len(header) < 30 or not header.startswith(b"PK\x03\x04"):
        raise Refused(file_name, DAMAGED_MESSAGE)
    start = member.header_offset + 30 + int.from_bytes(header[26:28], "little")
    start += int.from_bytes(header[28:30], "little")
    packed = memoryview(data)[start : start + member.compress_size]
    if member.compress_type == zipfile.ZIP_STORED:
        if member.compress_size != member.file_size or len(packed) != member.file_size:
            raise Refused(file_name, DAMAGED_MESSAGE)
        return
    if member.compress_type != zipfile.ZIP_DEFLATED:
        raise Refused(file_name, DAMAGED_MESSAGE)
    inflater, unpacked = zlib.decompressobj(-15), 0
    try:
        for at in range(0, len(packed), INFLATE_STEP):
            chunk = packed[at : at + INFLATE_STEP]
            while chunk:
                unpacked += len(inflater.decompress(chunk, INFLATE_STEP))
                if unpacked > member.file_size:
                    raise Refused(file_name, bomb)
                chunk = inflater.unconsumed_tail
    except zlib.error:
        raise Refused(file_name, DAMAGED_MESSAGE) from None
    if unpacked != member.file_size or not inflater.eof:
        raise Refused(file_name, DAMAGED_MESSAGE)


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
        raise Refused(file_name, DAMAGED_MESSAGE) from None


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
        return Refused(file_name, f"The file could not be read: {reason}. " + SAVE_AS_XLSX)
    detail = str(error).lower()
    if "password" in detail or "encrypt" in detail:
        return Refused(file_name, PASSWORD_MESSAGE)
    return Refused(
        file_name,
        f"The file looks like an {FORMAT_NAMES[fmt]} but it is damaged and cannot be read. "
        + SAVE_AS_XLSX,
    )


def _sheets(tables: list[tuple[str, object, bool]], file_name: str) -> list[Sheet]:
    import pandas as pd
    import pyarrow as pa

    text = pd.StringDtype("pyarrow", na_value=float("nan"))  # pandas' own "str", without a copy
    sheets = []
    for name, table, hidden in tables:
        cells = table.to_pandas(types_mapper={pa.string(): text}.get)
        cells.columns = range(cells.shape[1])
        cells.index = pd.RangeIndex(1, len(cells) + 1)
        sheets.append(Sheet(name, cells, hidden=hidden))
    if all(sheet.cells.dropna(how="all").empty for sheet in sheets):
        raise Refused(file_name, "The workbook is empty: no sheet has any data in it.")
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
        raise Refused(file_name, damaged + SAVE_AS_XLSX) from None
    if not {"workbook", "book"} & sizes.keys() or any(n > len(data) for n in sizes.values()):
        raise Refused(file_name, damaged + SAVE_AS_XLSX)


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
                raise Refused(file_name, _nul_message(text))
            break
        return text, encoding if errors == "strict" else encoding + "+cp1252"
    raise Refused(
        file_name,
        "This is not a spreadsheet or a CSV file (it holds binary data). " + SAVE_AS_XLSX,
    )


def _bomless_utf16(sample: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when every other byte is zero and the rest are not."""
    low, high = sample[0::2], sample[1::2]
    if len(sample) < 4 or len(sample) % 2:
        return None
    for encoding, zeros, text in (("utf-16-le", high, low), ("utf-16-be", low, high)):
        if zeros.count(0) * 10 >= len(zeros) * 9 and text.count(0) == 0:
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
        raise Refused(file_name, "The file has no data in it.")
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
