"""Files that leave the app: charts as PNG and SVG, tables as XLSX and CSV.

Charts are rendered on the server with vl-convert (Streamlit's own chart menu offers PNG only,
at screen size). Exported cells are text or numbers, never formulas: a value from an uploaded
file that starts with '=', '+', '-', '@', a tab or a carriage return stays text.
"""

from __future__ import annotations

import html
import io
import math
import numbers
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

import altair as alt
import pandas as pd

from cams_data import charts, formatting

PPI = 200
A4_TEXT_WIDTH_INCHES = 6.3  # A4 less 2.5 cm margins: the width a chart takes in a document
CHART_WIDTH_PX = 600  # the chart's own width in CSS pixels (96 to the inch)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _spec(chart: alt.TopLevelMixin) -> dict:
    """The chart's spec at the width of a page: a view that fills its column on screen (width
    "container", or none) is as wide as `CHART_WIDTH_PX`, and so is each of stacked views."""
    spec = chart.to_dict()
    stacked = spec.get("vconcat")
    if stacked:
        for view in stacked:
            if view.get("width") in (None, "container"):
                view["width"] = CHART_WIDTH_PX
    elif spec.get("width") in (None, "container"):
        spec["width"] = CHART_WIDTH_PX
    return spec


# Why the renderer's worker stopped, as the end of "The chart '...' could not be drawn: ...".
NOT_DRAWN = {
    "crash": "the program that draws charts stopped unexpectedly on it",
    "memory": "drawing it needed more than {limit} of memory, more than any real chart needs",
    "time": "drawing it took longer than {limit}, far longer than any real chart takes",
}
RENDER_TARGET = "cams_data.export:render"  # run in a sandbox worker; tests swap it


class NotDrawn(Exception):
    """A chart the renderer could not draw, said in a sentence an officer understands."""


def render(spec: dict, kind: str) -> bytes | str:
    """The spec as an SVG (str) or a PNG (bytes) at 200 ppi, as wide as the text of an A4 page
    (run in a worker: the renderer can abort the process on text it does not expect)."""
    import vl_convert

    drawn = vl_convert.vegalite_to_svg(spec)
    if kind == "svg":
        return drawn
    width = float(found[1]) if (found := re.search(r'width="([\d.]+)"', drawn)) else CHART_WIDTH_PX
    # vl-convert draws ppi/72 pixels per CSS pixel, times the scale
    scale = A4_TEXT_WIDTH_INCHES * PPI / (width * PPI / 72)
    return vl_convert.vegalite_to_png(spec, scale=scale, ppi=PPI)


def _rendered(chart: alt.TopLevelMixin, kind: str) -> bytes | str:
    from cams_data import sandbox

    try:
        return sandbox.run(RENDER_TARGET, _spec(chart), kind)
    except (sandbox.Failed, sandbox.WorkerError) as error:
        title = title_of(chart)
        name = charts.title_text(title) if title is not None else "chart"
        name = "".join(c for c in name if c.isprintable())  # what may have stopped the renderer
        reason = (
            NOT_DRAWN[error.kind].format(limit=error.limit)
            if isinstance(error, sandbox.Failed)
            else "the program that draws charts refused it"
        )
        raise NotDrawn(f"The chart '{name}' could not be drawn: {reason}.") from None


def png(chart: alt.TopLevelMixin) -> bytes:
    """The chart as a PNG at 200 ppi, as wide as the text of an A4 page."""
    return _rendered(chart, "png")


def svg(chart: alt.TopLevelMixin) -> str:
    return _rendered(chart, "svg")


def notice_png(sentence: str) -> bytes:
    """A picture of `sentence`, downloaded in place of a chart that could not be drawn (a
    download button must give a file; this one says why it is not the chart)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=28)
    lines = textwrap.wrap(sentence, 60)
    image = Image.new("RGB", (900, 60 + 40 * len(lines)), "white")
    ImageDraw.Draw(image).multiline_text((30, 30), "\n".join(lines), fill="black", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def notice_svg(sentence: str) -> str:
    """`notice_png` as SVG."""
    lines = textwrap.wrap(sentence, 60)
    text = "".join(f'<tspan x="20" dy="24">{html.escape(line)}</tspan>' for line in lines)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="{30 + 24 * len(lines)}">'
        f'<rect width="100%" height="100%" fill="white"/>'
        f'<text font-family="sans-serif" font-size="16" fill="black">{text}</text></svg>'
    )


def png_or_notice(chart: alt.TopLevelMixin) -> bytes:
    """The chart's PNG, or a picture saying why it could not be drawn."""
    try:
        return png(chart)
    except NotDrawn as error:
        return notice_png(str(error))


def svg_or_notice(chart: alt.TopLevelMixin) -> str:
    try:
        return svg(chart)
    except NotDrawn as error:
        return notice_svg(str(error))


def published(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The chart as it may leave the app: every `<5` in its data written `[c]`."""
    from cams_data import disclosure

    out = chart.copy(deep=True)
    for part in (out, *getattr(out, "layer", ())):
        data = getattr(part, "data", None)
        if isinstance(data, pd.DataFrame):
            part.data = data.mask(data.isin([disclosure.SCREEN_MARK]), disclosure.PUBLISHED_MARK)
    return out


def title_of(chart: alt.TopLevelMixin) -> alt.TitleParams | None:
    """The chart's title (read from the object: `to_dict()` would validate the whole spec)."""
    return next(
        (
            part.title
            for part in (chart, *getattr(chart, "layer", ()))
            if isinstance(getattr(part, "title", None), alt.TitleParams)
        ),
        None,
    )


def file_stem(chart: alt.TopLevelMixin, fallback: str) -> str:
    """A file name from the chart's title: `referrals_by_exploitation_type`."""
    title = title_of(chart)
    name = charts.title_text(title) if title is not None else fallback
    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower()[:60] or fallback


def chart_data(
    chart: alt.TopLevelMixin, table: pd.DataFrame
) -> tuple[str, pd.DataFrame, list[str]]:
    """A chart's data as it leaves the app: its title, the table with every `<5` written `[c]`,
    and notes (the chart's subtitle lines, with its period and source, then why cells are
    hidden)."""
    from cams_data import disclosure

    title = title_of(chart)
    subtitle = alt.Undefined if title is None else title.subtitle
    lines = (
        []
        if subtitle is alt.Undefined
        else [subtitle]
        if isinstance(subtitle, str)
        else list(subtitle)
    )
    table, notes = disclosure.for_export(table)
    return (charts.title_text(title) if title is not None else "Data"), table, [*lines, *notes]


def _is_missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def csv_cell(value) -> str:
    """A cell for a CSV: a text that a spreadsheet would take for a formula gets a leading '."""
    if _is_missing(value):
        return ""
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv(table: pd.DataFrame) -> bytes:
    """The table as CSV (UTF-8 with BOM, so Excel reads £ and accents), formulas defused."""
    safe = table.astype(object).map(csv_cell)
    return safe.to_csv(index=False).encode("utf-8-sig")


# --- Word documents: the statement pack's key figures and the quarter's briefing -------------


def docx_document(title: str, heading: str | None = None):
    """A new Word document (python-docx) by the CAMS partnership, `title` in its properties and
    as its first heading (or `heading`, when that is to read otherwise)."""
    from docx import Document

    document = Document()
    document.core_properties.title = title
    document.core_properties.author = "CAMS partnership"
    document.add_heading(heading or title, level=0)
    return document


def docx_table(document, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """A grid with a header row: every cell the text given, as the reader is to see it."""
    grid = document.add_table(rows=1, cols=len(columns), style="Table Grid")
    for cell, name in zip(grid.rows[0].cells, columns, strict=True):
        cell.text = str(name)
    for row in rows:
        for cell, text in zip(grid.add_row().cells, row, strict=True):
            cell.text = text


def docx_picture(document, png: bytes) -> None:
    """A chart's PNG, as wide as the text of an A4 page."""
    from docx.shared import Inches

    document.add_picture(io.BytesIO(png), width=Inches(A4_TEXT_WIDTH_INCHES))


def docx_note(document, text: str) -> None:
    """A small-print note under a table or chart."""
    from docx.shared import Pt

    document.add_paragraph(text).runs[0].font.size = Pt(9)


def docx_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


class Sheet(NamedTuple):
    """A table for a workbook, with the notes under its title, the Excel number format of its
    number cells by column (one format for the whole column, or one per row), and the sheet's
    tab name when the title's first words would not do."""

    table: pd.DataFrame
    notes: Sequence[str] = ()
    formats: Mapping[str, str | Sequence[str]] | None = None
    name: str | None = None

    def number_format(self, row: int, column: int) -> str | None:
        given = (self.formats or {}).get(self.table.columns[column])
        return given if given is None or isinstance(given, str) else given[row]

    def text(self, row: int, column: int) -> str:
        """A cell as the workbook shows it: '86%', '£24,250', '[c]'."""
        value = self.table.iat[row, column]
        number_format = self.number_format(row, column)
        if number_format and _is_number(value):
            return formatting.in_excel_format(value, number_format)
        return csv_cell(value)


def xlsx(sheets: Mapping[str, Sheet | tuple[pd.DataFrame, Sequence[str]]]) -> bytes:
    """A workbook with one titled table per sheet: {title: Sheet(...)}, or {title: (table,
    notes)}.

    Numbers are numbers, in the sheet's number format for their column; everything else (a
    `[c]` too) is written as a text cell, so nothing from an upload can become a live formula.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for title, given in sheets.items():
        sheet = Sheet(*given)
        table = sheet.table
        page = book.create_sheet(_sheet_name(sheet.name or title, book.sheetnames))
        _text(page.cell(row=1, column=1), title).font = Font(bold=True, size=14)
        row = 2
        for note in sheet.notes:
            _text(page.cell(row=row, column=1), note)
            row += 1
        header_row = row + 1
        for column, header in enumerate(table.columns):
            _text(page.cell(row=header_row, column=column + 1), header).font = Font(bold=True)
        for row, values in enumerate(table.itertuples(index=False)):
            for column, value in enumerate(values):
                cell = page.cell(row=header_row + 1 + row, column=column + 1)
                if _is_missing(value):
                    continue
                if _is_number(value):
                    cell.value = value
                    cell.number_format = sheet.number_format(row, column) or "General"
                else:
                    _text(cell, value)
        for column, header in enumerate(table.columns):
            shown = [sheet.text(row, column) for row in range(len(table))]
            width = max(len(text) for text in [str(header), *shown])
            letter = page.cell(row=1, column=column + 1).column_letter
            page.column_dimensions[letter].width = min(60, width + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _is_number(value) -> bool:
    return (
        isinstance(value, numbers.Number) and not isinstance(value, bool) and not _is_missing(value)
    )


def _text(cell, value):
    cell.value = str(value)
    cell.data_type = "s"  # openpyxl would take a leading '=' for a formula
    return cell


SHEET_NAME_LENGTH = 31
# Excel forbids these in a sheet name; each becomes what reads most like it
_SHEET_NAME_CHARACTERS = str.maketrans({":": " -", "/": "-", "\\": "-", "?": "", "*": "",
                                        "[": "(", "]": ")"})  # fmt: skip
# words a name should not end on once cut short
_DANGLING = {"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with", "-"}


def _sheet_name(title: str, taken: list[str]) -> str:
    """Excel's limits, readably: at most 31 characters, cut after a whole word; none of
    []:*?/\\; unique (Excel ignores case), numbered '(2)' when taken."""
    clean = " ".join(title.translate(_SHEET_NAME_CHARACTERS).split()).strip("'") or "Table"
    taken_names = {name.lower() for name in taken}
    name, n = _whole_words(clean, SHEET_NAME_LENGTH), 2
    while name.lower() in taken_names:
        suffix = f" ({n})"
        name = _whole_words(clean, SHEET_NAME_LENGTH - len(suffix)) + suffix
        n += 1
    return name


def _whole_words(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters after a whole word, not on a word like 'and'."""
    if len(text) <= limit:
        return text
    words = text[: limit + 1].split(" ")[:-1]  # the last is cut, or empty after a space
    while len(words) > 1 and words[-1].lower() in _DANGLING:
        words.pop()
    return " ".join(words) or text[:limit]  # a single word longer than the limit is cut
