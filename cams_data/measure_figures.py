"""Partnership measures: each measure summed over a period, for the pages and the statement.

Measures that count people helped (the indicators marked `small_numbers`, such as survivors
supported) are counts about victims. Like referrals, every such count a page or file shows is a
cell of one `disclosure.Cells`, settled once: for each organisation and all organisations, every
year, quarter and the months a period in progress is compared with. So a quarter hidden as `<5`
cannot be worked out from its year, nor one partner's count from the partnership's total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import duckdb
import pandas as pd

from cams_data import disclosure, indicators, periods
from cams_data.disclosure import Audience, Support
from cams_data.periods import ReportingPeriod

ALL = None  # every organisation


def sensitive() -> list[str]:
    """The measures (lower case) that count people helped: `small_numbers` indicators'."""
    return sorted(
        {
            str(i.param("measure")).strip().lower()
            for o in indicators.objectives()
            for i in o.indicators
            if i.source == "measure" and i.small_numbers
        }
    )


@dataclass
class MeasureCells:
    cells: disclosure.Cells
    organisations: list[str]
    windows: list[ReportingPeriod]

    def support(
        self, measure: str, window: ReportingPeriod, organisation: str | None = ALL
    ) -> Support:
        return self.cells.add(
            window.start, window.end, measure=measure.strip().lower(), organisation=organisation
        )

    def why(self, support: Support) -> str:
        return self.cells.why(support)


def _atoms(con: duckdb.DuckDBPyConnection, names: list[str]) -> pd.DataFrame:
    return con.execute(
        """SELECT lower(trim(measure)) AS measure, organisation, period_start AS start,
                  (period_start + to_months(period_months))::DATE AS "end",
                  round(sum(value))::BIGINT AS n
           FROM measures WHERE list_contains($names, lower(trim(measure)))
           GROUP BY ALL ORDER BY ALL""",
        {"names": names},
    ).df()


def _reach(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """How far each organisation's measures (any measure) run: what a period in progress is
    judged on (see `indicators._measure`)."""
    return con.execute(
        """SELECT organisation, period_start AS start,
                  (period_start + to_months(period_months))::DATE AS "end"
           FROM measures GROUP BY ALL"""
    ).df()


_SETTLED: dict[tuple, MeasureCells] = {}


def cells(con: duckdb.DuckDBPyConnection) -> MeasureCells:
    """Every count of a people-helped measure a page or file shows, with the hidden cells chosen
    once (kept while the rows and the indicators are unchanged: one small query tells)."""
    names = sensitive()
    fingerprint = con.execute(
        """SELECT count(*), sum(hash(measure, organisation, period_start, period_months, value))
           FROM measures"""
    ).fetchone()
    key = (tuple(names), fingerprint)
    if key not in _SETTLED:
        if len(_SETTLED) > 16:
            _SETTLED.clear()
        _SETTLED[key] = _settle(_atoms(con, names), _reach(con), names)
    return _SETTLED[key]


def _settle(atoms: pd.DataFrame, reach: pd.DataFrame, names: list[str]) -> MeasureCells:
    for table in (atoms, reach):
        for column in ("start", "end"):
            table[column] = pd.to_datetime(table[column]).dt.date
    windows: list[ReportingPeriod] = []
    if len(atoms):
        year = periods.year_of(min(atoms["start"]))
        while year.start < max(atoms["end"]):
            windows += [year, *year.quarters()]
            year = year.following()
    organisations = sorted(set(atoms["organisation"].dropna()))
    found = MeasureCells(
        disclosure.Cells(atoms, "n", ("measure", "organisation")), organisations, windows
    )
    for window in windows:
        for organisation in (ALL, *organisations):
            compared = _same_months_before(reach, window, organisation)
            for measure in names:
                for shown in (window, compared):
                    if shown is None:
                        continue
                    total = found.support(measure, shown)
                    parts = [found.support(measure, shown, o) for o in organisations]
                    found.cells.relate(total, parts)
    found.cells.settle()
    return found


def _same_months_before(
    reach: pd.DataFrame, window: ReportingPeriod, organisation: str | None
) -> ReportingPeriod | None:
    rows = reach if organisation is None else reach[reach["organisation"] == organisation]
    rows = rows[(rows["start"] >= window.start) & (rows["end"] <= window.end)]
    if rows.empty:
        return None
    compared = periods.compared_with(window, max(rows["end"]) - timedelta(days=1))
    return None if compared == window.previous() else compared


def year_totals(
    con: duckdb.DuckDBPyConnection, year: ReportingPeriod, audience: Audience
) -> pd.DataFrame:
    """Objective, Measure, Total: each measure summed over the year's rows, all organisations;
    a people-helped count hidden as its audience requires (text then)."""
    table = con.execute(
        f"""SELECT objective AS "Objective", measure AS "Measure", sum(value) AS "Total"
           FROM measures m WHERE {periods.inside_sql("m", "$start", "$end")}
           GROUP BY ALL ORDER BY 1, 2""",
        {"start": year.start, "end": year.end},
    ).df()
    if table.empty:
        return table
    found = cells(con)
    names = set(sensitive())
    shown: list[float | str] = []
    for measure, total in zip(table["Measure"], table["Total"], strict=True):
        if measure.strip().lower() in names:
            mark = audience.mark(found.why(found.support(measure, year)))
            shown.append(mark or total)
        else:
            shown.append(total)
    return table.assign(Total=pd.Series(shown, dtype=object))
