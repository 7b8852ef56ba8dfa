"""Reading one cell: UK dates, periods, counts, money and categories.

Each parser takes the cell as text (workbook cells arrive as text too: a real Excel date reads as
'2024-05-14 00:00:00') and returns the canonical value, or raises `BadValue` saying what was
expected. Dates are day-first, always; only a survey's response times
(`parse_response_time`) are read month first, when the file shows that they are written so.
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta
from functools import cache

from cams_data.kinds import OBJECTIVES, Category
from cams_data.periods import ReportingPeriod, add_months
from cams_data.problems import sentence
from cams_data.text import clean_text, normalise_header, words


class BadValue(ValueError):
    """A cell that cannot be read as its field's type: a problem's code and what its sentence
    says (`found`, the cell's text, among them)."""

    def __init__(self, code: str, **values: object):
        self.code = code
        self.values = values
        super().__init__(sentence(code, **values))


# What Excel shows, and saves to CSV, in a cell whose formula fails.
EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#SPILL!", "#CALC!"}
)


def is_excel_error(text: str) -> bool:
    return text.strip().upper() in EXCEL_ERRORS


MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ Tt]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DMY = re.compile(
    r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_D_MON_Y = re.compile(rf"^(\d{{1,2}})(?:st|nd|rd|th)?[\s\-/]+{_MONTH}[\s\-/,]+(\d{{2}}|\d{{4}})$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_EXCEL_EPOCH = date(1899, 12, 30)


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _make_date(year: int, month: int, day: int, found: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise BadValue("bad-date", found=found) from None


def parse_date(text: str) -> date:
    value = clean_text(text).lower()
    if match := _ISO.match(value):
        return _make_date(int(match[1]), int(match[2]), int(match[3]), text)
    if match := _DMY.match(value):
        return _make_date(_year(match[3]), int(match[2]), int(match[1]), text)
    if match := _D_MON_Y.match(value):
        return _make_date(_year(match[3]), MONTHS[match[2]], int(match[1]), text)
    if _SERIAL.match(value) and 20000 <= float(value) <= 80000:
        return _EXCEL_EPOCH + timedelta(days=int(float(value)))
    raise BadValue("bad-date", found=text)


_MON_Y = re.compile(rf"^{_MONTH}[\s\-/,']*(\d{{2}}|\d{{4}})$")
_Y_M = re.compile(r"^(\d{4})[\-/](\d{1,2})$")
_M_Y = re.compile(r"^(\d{1,2})[\-/](\d{4})$")
_FY = r"(\d{4})\s*[/\-]\s*(\d{2}|\d{4})"
_Q = r"q(?:uarter)?\s*([1-4])"
_FY_Q = re.compile(rf"^(?:fy\s*)?{_FY}\s*[\s,\-:]*\s*{_Q}$")
_Q_FY = re.compile(rf"^{_Q}\s*[\s,\-:]*\s*(?:fy\s*)?{_FY}$")
_CY_Q = re.compile(rf"^(\d{{4}})\s*[\s,\-:]*\s*{_Q}$")
_Q_CY = re.compile(rf"^{_Q}\s*[\s,\-:]*\s*(\d{{4}})$")
_FY_ONLY = re.compile(rf"^(?:fy\s*)?{_FY}$")
_RANGE = re.compile(rf"^{_MONTH}\s*(?:-|to)\s*{_MONTH}\s*(\d{{4}})$")


def _financial_year(first: str, second: str, found: str) -> int:
    start = int(first)
    end = int(second) if len(second) == 4 else (start // 100) * 100 + int(second)
    if end != start + 1:
        raise BadValue("bad-financial-year", found=found)
    return start


def _fy_quarter(start_year: int, quarter: int) -> ReportingPeriod:
    return ReportingPeriod(add_months(date(start_year, 4, 1), 3 * (quarter - 1)), 3)


def parse_period(text: str) -> ReportingPeriod:
    """A month, a quarter (financial-year or calendar) or a financial year."""
    try:
        period = _parse_period(text)
        add_months(period.start, period.months)  # its last month must be a date too
    except BadValue:
        raise
    except ValueError:  # shaped like a period but no such date: month 13, year 0, past 9999
        raise BadValue("bad-period", found=text) from None
    return period


def _parse_period(text: str) -> ReportingPeriod:
    value = clean_text(text).lower().replace("\u2013", "-")
    if match := _ISO.match(value):
        return ReportingPeriod(date(int(match[1]), int(match[2]), 1), 1)
    if match := _MON_Y.match(value):
        return ReportingPeriod(date(_year(match[2]), MONTHS[match[1]], 1), 1)
    for pattern in (_Y_M, _M_Y):
        if match := pattern.match(value):
            year, month = (match[1], match[2]) if pattern is _Y_M else (match[2], match[1])
            if 1 <= int(month) <= 12:
                return ReportingPeriod(date(int(year), int(month), 1), 1)
    if match := _FY_Q.match(value):
        return _fy_quarter(_financial_year(match[1], match[2], text), int(match[3]))
    if match := _Q_FY.match(value):
        return _fy_quarter(_financial_year(match[2], match[3], text), int(match[1]))
    # A quarter with a single year is a calendar quarter, as the Home Office writes them.
    if match := _CY_Q.match(value):
        return ReportingPeriod(date(int(match[1]), 3 * int(match[2]) - 2, 1), 3)
    if match := _Q_CY.match(value):
        return ReportingPeriod(date(int(match[2]), 3 * int(match[1]) - 2, 1), 3)
    if match := _FY_ONLY.match(value):
        return ReportingPeriod(date(_financial_year(match[1], match[2], text), 4, 1), 12)
    if match := _RANGE.match(value):
        first, last = MONTHS[match[1]], MONTHS[match[2]]
        months = (last - first) % 12 + 1
        if months in (3, 12):
            year = int(match[3]) - (1 if last < first else 0)
            return ReportingPeriod(date(year, first, 1), months)
    try:
        day = parse_date(text)
    except BadValue:
        raise BadValue("bad-period", found=text) from None
    return ReportingPeriod(day.replace(day=1), 1)


def looks_like_period(text: str) -> bool:
    try:
        parse_period(text)
    except BadValue:
        return False
    return True


_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
# Commas separate thousands only: '1,230' and '1,234,567', never '1,23' or '12,5' (a decimal comma).
_THOUSANDS = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_SUPPRESSED = {"[c]", "[x]", "*", "c", "x", "[z]", "<5", "[low]"}
# The marks a published table puts in a cell it does not give ('..' not available, and a dash:
# in the Home Office's tables a figure not given, never a zero), as a cell's text in lower case.
SUPPRESSION_MARKS = frozenset({*_SUPPRESSED, "..", "-", "\u2013", "\u2014"})
NUMBER_HELP = "a figure such as 12 or £1,250"
COUNT_HELP = "a figure such as 12"


def parse_number(text: str) -> float:
    """A number as typed by hand: '£12,500', '1 234', '(120)' for negatives."""
    return _parse_number(text, "figure", NUMBER_HELP)


def _parse_number(text: str, noun: str, expected: str) -> float:
    value = clean_text(text).lower()
    if value in _SUPPRESSED:
        raise BadValue("suppressed-figure", found=text)
    if value in {"-", "\u2013", "nil", "none"}:
        return 0.0
    # A share is not a count or an amount: '12%' stored as 12 would be added up with counts.
    if "%" in value:
        raise BadValue("percentage", found=text, noun=noun, expected=expected)
    negative = value.startswith("(") and value.endswith(")")
    stripped = re.sub(r"[£$\s()]|gbp", "", value)
    if "," in stripped:
        if not _THOUSANDS.match(stripped):
            raise BadValue("bad-thousands", found=text, expected=expected)
        stripped = stripped.replace(",", "")
    if not _NUMBER.match(stripped):
        raise BadValue("bad-number", found=text)
    number = float(stripped)
    if not math.isfinite(number):  # hundreds of digits
        raise BadValue("number-too-large", found=text)
    return -number if negative else number


MAX_COUNT = 2**31 - 1  # the largest count the database stores (INTEGER)


def parse_count(text: str) -> int:
    number = _parse_number(text, "count", COUNT_HELP)
    if number < 0:
        raise BadValue("negative-count", found=text)
    if number > MAX_COUNT:
        raise BadValue("count-too-large", found=text, most=MAX_COUNT)
    if number != int(number):
        raise BadValue("not-whole-count", found=text)
    return int(number)


def parse_objective(text: str) -> int:
    """'2', '2.0', 'Objective 2', '2. Funding and Sustainability' or the title alone."""
    value = clean_text(text)
    if match := re.match(r"^(?:objective\s*)?([1-4])(?:\.0)?(?:\b|$)", value, re.IGNORECASE):
        return int(match[1])
    key = normalise_header(value)
    for number, title in OBJECTIVES.items():
        if normalise_header(title) in key:
            return number
    raise BadValue("not-an-objective", found=text, example=OBJECTIVES[1])


_NEGATIONS = frozenset({"not", "no", "non", "never", "didn", "hasn", "hadn", "wasn", "isn"})


@cache
def _category_keys(categories: tuple[Category, ...]) -> dict[str, str]:
    """Each spelling's key -> its category (the first category that has it)."""
    keys: dict[str, str] = {}
    for category in categories:
        for variant in (category.name, *category.variants):
            keys.setdefault(normalise_header(variant), category.name)
    return keys


@cache
def _category_words(categories: tuple[Category, ...]) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.name, words(v)) for c in categories for v in (c.name, *c.variants)]


def match_category(text: str, categories: tuple[Category, ...], combined: str | None) -> str:
    """The canonical category a spelling names; several named at once give `combined`."""
    if name := _category_keys(categories).get(normalise_header(text)):
        return name
    tokens = words(text)
    spans: list[tuple[int, int, str]] = []
    for name, needle in _category_words(categories):
        for start in range(len(tokens) - len(needle) + 1):
            if tokens[start : start + len(needle)] == needle:
                spans.append((start, start + len(needle), name))
    # A match inside a longer one does not count: 'not completed' is not 'completed'; nor does
    # a negated one: 'not yet completed' and 'not attended' are not completions.
    kept = {
        name
        for start, end, name in spans
        if not any(s <= start and end <= e and (e - s) > (end - start) for s, e, _ in spans)
        and not _NEGATIONS.intersection(tokens[max(0, start - 3) : start])
    }
    if len(kept) == 1:
        return kept.pop()
    if len(kept) > 1 and combined:
        return combined
    expected = ", ".join(c.name for c in categories)
    raise BadValue("not-a-category", found=text, expected=expected)


# A response time as survey tools write it: numbered day and month in either order with a time
# ('14/10/2025 09:05:31' from a UK Google Sheet, '10/14/2025 9:05:31' or '10/14/25 9:05' from a
# US one or from Microsoft Forms saved as CSV on a US machine), or year first ('2025/10/14 9:05:31
# AM GMT+1', Google Forms' own download); an Excel date arrives as '2025-10-14 09:05:31'.
_TIME_OF_DAY = (
    r"(?:,?\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[ap]\.?m\.?)?"
    r"(?:\s*(?:gmt|utc|bst)(?:\s*[+\-]\s*\d{1,2}(?::?\d{2})?)?)?)?"
)
_NUMBERED = re.compile(rf"^(\d{{1,2}})[/.\-](\d{{1,2}})[/.\-](\d{{2}}|\d{{4}}){_TIME_OF_DAY}$")
_YEAR_FIRST = re.compile(rf"^(\d{{4}})[/.\-](\d{{1,2}})[/.\-](\d{{1,2}}){_TIME_OF_DAY}$")
DAY_FIRST, MONTH_FIRST, EITHER_ORDER = "day first", "month first", "either order"


def date_order_shown(text: str) -> str | None:
    """DAY_FIRST when a numbered date's first number is over 12 ('14/10/2025'), MONTH_FIRST when
    its second is ('10/14/2025'), EITHER_ORDER when neither is ('03/10/2025'); None when the
    date does not have its day and month numbered in an order to tell ('2025-10-14')."""
    match = _NUMBERED.match(clean_text(text).lower())
    if not match:
        return None
    first, second = int(match[1]), int(match[2])
    if first > 12 >= second:
        return DAY_FIRST
    if second > 12 >= first:
        return MONTH_FIRST
    return EITHER_ORDER if first <= 12 and second <= 12 else None


def parse_response_time(text: str, order: str = DAY_FIRST) -> date:
    """The day of a response time, its numbered day and month read in `order`."""
    value = clean_text(text).lower()
    if match := _NUMBERED.match(value):
        day, month = (match[2], match[1]) if order == MONTH_FIRST else (match[1], match[2])
        return _make_date(_year(match[3]), int(month), int(day), text)
    if match := _YEAR_FIRST.match(value):
        return _make_date(int(match[1]), int(match[2]), int(match[3]), text)
    return parse_date(text)
