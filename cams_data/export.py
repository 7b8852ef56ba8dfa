"""Files that leave the app: charts as PNG and SVG, tables as XLSX and CSV.

Charts are rendered on the server with vl-convert (Streamlit's own chart menu offers PNG only,
at screen size). Exported cells are text or numbers, never formulas: a value from an uploaded
file that starts with '=', '+', '-', '@', a tab or a carriage return stays text.
"""

from __future__ import annotations

import io
import math
import numbers
import re

import altair as alt
import pandas as pd

from cams_data import charts

PPI = 200
A4_TEXT_WIDTH_INCHES = 6.3  # A4 less 2.5 cm margins: the width a chart takes in a document
CHART_WIDTH_PX = 600  # the chart's own width in CSS pixels (96 to the inch)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _spec(chart: alt.TopLevelMixin) -> dict:
    spec = chart.to_dict()
    if spec.get("width") in (None, "container"):
        spec["width"] = CHART_WIDTH_PX
    return spec


def png(chart: alt.TopLevelMixin) -> bytes:
    """The chart as a PNG at 200 ppi, as wide as the text of an A4 page."""
    import vl_convert

    spec = _spec(chart)
    drawn = re.search(r'width="([\d.]+)"', vl_convert.vegalite_to_svg(spec))
    width = float(drawn[1]) if drawn else CHART_WIDTH_PX
    # vl-convert draws ppi/72 pixels per CSS pixel, times the scale
    scale = A4_TEXT_WIDTH_INCHES * PPI / (width * PPI / 72)
    return vl_convert.vegalite_to_png(spec, scale=scale, ppi=PPI)


def svg(chart: alt.TopLevelMixin) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(_spec(chart))


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


def xlsx(sheets: dict[str, tuple[pd.DataFrame, list[str]]]) -> bytes:
    """A workbook with one titled table per sheet: {title: (table, notes under the title)}.

    Numbers are numbers; everything else is written as a text cell, so nothing from an upload
    can become a live formula.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for title, (table, notes) in sheets.items():
        sheet = book.create_sheet(_sheet_name(title, book.sheetnames))
        _text(sheet.cell(row=1, column=1), title).font = Font(bold=True, size=14)
        row = 2
        for note in notes:
            _text(sheet.cell(row=row, column=1), note)
            row += 1
        row += 1
        for column, header in enumerate(table.columns, start=1):
            _text(sheet.cell(row=row, column=column), header).font = Font(bold=True)
        for values in table.itertuples(index=False):
            row += 1
            for column, value in enumerate(values, start=1):
                cell = sheet.cell(row=row, column=column)
                if _is_missing(value):
                    continue
                if isinstance(value, numbers.Number) and not isinstance(value, bool):
                    cell.value = value
                else:
                    _text(cell, value)
        for column, header in enumerate(table.columns, start=1):
            width = max([len(str(header)), *(len(str(v)) for v in table.iloc[:, column - 1])])
            sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = min(
                60, width + 2
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(cell, value):
    cell.value = str(value)
    cell.data_type = "s"  # openpyxl would take a leading '=' for a formula
    return cell


def _sheet_name(title: str, taken: list[str]) -> str:
    """Excel's limits: 31 characters, none of []:*?/\\, unique."""
    name = "".join("-" if c in "[]:*?/\\" else c for c in title)[:31] or "Table"
    candidate, n = name, 2
    while candidate in taken:
        candidate = f"{name[:28]} {n}"
        n += 1
    return candidate
