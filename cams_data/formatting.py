"""Figures as people read them: UK dates, pounds, percentages, and `no data yet`."""

from __future__ import annotations

import math
import re
from datetime import date, datetime

import pandas as pd

NO_DATA = "no data yet"


def _missing(value) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def day(value: date | datetime | None) -> str:
    if _missing(value):
        return ""
    return pd.Timestamp(value).strftime("%d/%m/%Y")


def number(value: float | None, unit: str) -> str:
    """`£12,500`, `86%` or `1,234` (with one decimal where a count is not whole)."""
    if _missing(value):
        return NO_DATA
    if unit == "%":
        return f"{value:.0f}%"
    if unit == "GBP":
        return f"£{value:,.0f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


# Excel number formats that show a cell as `number` writes it; a percentage is stored as a
# fraction (0.86 shown 86%), as Excel expects
EXCEL_PERCENT, EXCEL_GBP, EXCEL_COUNT, EXCEL_DECIMAL = "0%", "£#,##0", "#,##0", "#,##0.0"


def excel_format(value: float, unit: str) -> str:
    """The number format a cell of `value` in `unit` takes, to read as `number(value, unit)`."""
    if unit == "%":
        return EXCEL_PERCENT
    if unit == "GBP":
        return EXCEL_GBP
    return EXCEL_COUNT if float(value).is_integer() else EXCEL_DECIMAL


def excel_value(value: float, unit: str) -> float:
    """The value a cell stores: a percentage as a fraction."""
    return value / 100 if unit == "%" else value


def in_excel_format(value: float, number_format: str) -> str:
    """A number as Excel shows it in one of the formats above: '86%', '£24,250', '1,234'."""
    shown = {
        EXCEL_PERCENT: "{:.0%}",
        EXCEL_GBP: "£{:,.0f}",
        EXCEL_COUNT: "{:,.0f}",
        EXCEL_DECIMAL: "{:,.1f}",
    }
    return shown[number_format].format(value)


def with_unit(value: float | None, unit: str) -> str:
    text = number(value, unit)
    return text if _missing(value) or unit in ("%", "GBP") else f"{text} {unit}"


def change(value: float | None, unit: str) -> str | None:
    """`+5 pts`, `-£1,000`, `+3`; None when there is nothing to compare."""
    if _missing(value):
        return None
    if round(value, 1) == 0:
        return "no change"
    sign = "+" if value > 0 else "-"
    size = abs(value)
    if unit == "%":
        return f"{sign}{size:.0f} pts"
    if unit == "GBP":
        return f"{sign}£{size:,.0f}"
    return f"{sign}{size:,.0f}" if float(size).is_integer() else f"{sign}{size:,.1f}"


def upload_status(upload: dict, who: bool = True) -> str:
    """'active', 'rolled back by X on 24/11/2026' or 'erased by X on 24/11/2026' ('rolled back
    on 24/11/2026' without `who`)."""
    if upload["status"] == "erased":
        by = f" by {upload['erased_by']}" if who else ""
        return f"erased{by} on {day(upload['erased_at'])}"
    if upload["status"] == "rolled_back":
        by = f" by {upload['rolled_back_by']}" if who else ""
        return f"rolled back{by} on {day(upload['rolled_back_at'])}"
    return "active"


# Markdown that text from a file could use: emphasis, code, links and images ([ ] after !),
# HTML and autolinks (< before a letter), strikethrough, maths, tables; and at a line's start,
# headings, lists and quotes
_MARKDOWN_ANYWHERE = re.compile(r"([\\`*_\[\]~$|])|<(?=[A-Za-z/!?])")
_MARKDOWN_LINE_START = re.compile(r"^(\s*\d*)([#>+=-]|(?<=\d)[.)])", re.MULTILINE)
# Streamlit turns :name: into an emoji, :material/name: into an icon and :red[..] into colour,
# after Markdown's own escapes are read: an invisible word joiner after the colon keeps it text;
# it also stops a bare https:// or www. address becoming a link
_SHORTCODE = re.compile(r":(?=[\w/+-])")
_WWW = re.compile(r"\b(www)\.", re.IGNORECASE)
WORD_JOINER = "\u2060"


def markdown_literal(text: object) -> str:
    """Text from a file, for Markdown (st.markdown, captions, subheaders, labels, messages): it
    reads the same, but nothing in it becomes a link, image, HTML, emphasis, icon or colour."""
    out = _MARKDOWN_ANYWHERE.sub(lambda m: "\\" + m.group(0), str(text))
    out = _MARKDOWN_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), out)
    out = _SHORTCODE.sub(":" + WORD_JOINER, out)
    return _WWW.sub(r"\1\\.", out)


def as_read(markdown: str) -> str:
    """What a person reads of `markdown_literal`'s text: the escapes and word joiners gone."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WORD_JOINER, "")
