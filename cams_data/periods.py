"""Reporting periods, written one way everywhere: a year `2025/26`, a quarter `2025/26-Q2`.

The council's year runs April to March, so Q1 is April-June and `2025/26-Q4` is January-March 2026.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_LABEL = re.compile(r"^(\d{4})/(\d{2})(?:-Q([1-4]))?$")

PERIOD_HELP = "a financial year such as 2025/26 or a quarter such as 2025/26-Q2"


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


class BadPeriod(ValueError):
    """A period label that is not `2025/26` or `2025/26-Q2`."""


@dataclass(frozen=True, order=True)
class ReportingPeriod:
    start: date
    months: int  # 3 for a quarter, 12 for a year

    @property
    def end(self) -> date:
        """The first day after the period."""
        return add_months(self.start, self.months)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def year_start(self) -> int:
        return self.start.year if self.start.month >= 4 else self.start.year - 1

    @property
    def is_quarter(self) -> bool:
        return self.months == 3

    @property
    def quarter(self) -> int | None:
        return (self.start.month - 4) % 12 // 3 + 1 if self.is_quarter else None

    @property
    def label(self) -> str:
        """`2025/26` or `2025/26-Q2`; any other stretch of months is described in words."""
        year = f"{self.year_start}/{(self.year_start + 1) % 100:02d}"
        if self.is_quarter and (self.start.month - 4) % 3 == 0:
            return f"{year}-Q{self.quarter}"
        if self.months == 12 and self.start.month == 4:
            return year
        return self.description

    @property
    def description(self) -> str:
        """e.g. 'July to September 2025' or 'April 2025 to March 2026'."""
        first, last = self.start, self.last_day
        if first.year == last.year:
            return f"{first:%B} to {last:%B %Y}"
        return f"{first:%B %Y} to {last:%B %Y}"

    def previous(self) -> ReportingPeriod:
        """The period of the same length just before: last quarter, or last year."""
        return ReportingPeriod(add_months(self.start, -self.months), self.months)

    def following(self) -> ReportingPeriod:
        return ReportingPeriod(self.end, self.months)

    def year(self) -> ReportingPeriod:
        return financial_year(self.year_start)

    def quarters(self) -> list[ReportingPeriod]:
        return [ReportingPeriod(add_months(self.start, 3 * i), 3) for i in range(self.months // 3)]

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def __str__(self) -> str:
        return self.label


def financial_year(start_year: int) -> ReportingPeriod:
    return ReportingPeriod(date(start_year, 4, 1), 12)


def quarter_of(day: date) -> ReportingPeriod:
    first_month = day.month - (day.month - 4) % 3
    return ReportingPeriod(date(day.year, first_month, 1), 3)


def year_of(day: date) -> ReportingPeriod:
    return financial_year(day.year if day.month >= 4 else day.year - 1)


def parse(label: str) -> ReportingPeriod:
    """`2025/26` or `2025/26-Q2`; anything else raises `BadPeriod` saying what is expected."""
    match = _LABEL.match(label.strip())
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise BadPeriod(f"'{label}' is not a period (expected {PERIOD_HELP})")
    year = financial_year(int(match[1]))
    return year.quarters()[int(match[3]) - 1] if match[3] else year


def last_complete_quarter(latest: date) -> ReportingPeriod:
    """The quarter a meeting reviews: the latest one that ended on or before `latest`."""
    quarter = quarter_of(latest)
    return quarter if quarter.last_day <= latest else quarter.previous()


def periods_sql(periods: list[ReportingPeriod], name: str = "periods") -> str:
    """The CTE `periods(label, p_start, p_end)` every figure's SQL is written over (`name`: for a
    second list of periods beside it)."""
    listed = ", ".join(
        f"('{p.label}', DATE '{p.start.isoformat()}', DATE '{p.end.isoformat()}')" for p in periods
    )
    return f"{name}(label, p_start, p_end) AS (VALUES {listed})"


def months_with_data(period: ReportingPeriod, last_day: date | None) -> int:
    """The months of a period up to its latest data: all of them unless it is still going on."""
    if last_day is None or last_day >= period.last_day:
        return period.months
    months = (last_day.year - period.start.year) * 12 + last_day.month - period.start.month
    return max(1, months + 1)


def compared_with(period: ReportingPeriod, last_day: date | None) -> ReportingPeriod:
    """What a flow over the period is compared with: the period before, or, while the period is
    still going on (data to `last_day`), the same months of the period before."""
    months = months_with_data(period, last_day)
    return (
        period.previous()
        if months == period.months
        else ReportingPeriod(period.previous().start, months)
    )


def choices(first: date, last: date) -> list[ReportingPeriod]:
    """Each year and quarter from `first` to `last`, newest first, a year before its quarters."""
    ordered: list[ReportingPeriod] = []
    year = year_of(last)
    while year.end > first:
        ordered.append(year)
        ordered.extend(q for q in reversed(year.quarters()) if q.start <= last and q.end > first)
        year = year.previous()
    return ordered


def inside_sql(alias: str, start: str, end: str) -> str:
    """SQL: the row `alias` (with period_start and period_months) lies wholly inside [start, end)
    (SQL expressions), the rule every count over a period follows: a row for a quarter counts in
    its year, never in one of its months."""
    return (
        f"{alias}.period_start >= {start} "
        f"AND {alias}.period_start + to_months({alias}.period_months) <= {end}"
    )
