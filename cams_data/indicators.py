"""Progress against the four objectives: each indicator computed in SQL over the views.

The objectives and their indicators are configuration (`objectives.toml`). Every indicator is
computed for any reporting period with one query over the views, given a list of periods, so a
period, the one before it and a trend cost one query each.

An objective's status comes from its rated indicators that have data for the period: Red if any is
Red, else Amber if any is Amber, else Green; "No data" when none has data. Context figures (not
rated) never change an objective's status.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb

from cams_data import formatting, settings, store
from cams_data import training_figures as tf
from cams_data.periods import (
    ReportingPeriod,
    compared_with,
    inside_sql,
    months_with_data,
    periods_sql,
)

DEFAULT_OBJECTIVES = settings.ROOT / "objectives.toml"

SOURCES = {
    "training_coverage": {"share"},
    "training_completions": {"sum"},
    "referrals": {"sum"},
    "measure": {"sum", "latest"},
    "survey": {"share"},
    "actions": {"share"},
    "sql": {"sum", "latest", "share"},
}
KINDS_OF_SOURCE = {  # the kinds of data each source reads, for charts' source notes
    "training_coverage": ("training", "establishment"),
    "training_completions": ("training",),
    "referrals": ("referrals",),
    "measure": ("measures",),
    "survey": ("survey",),
    "actions": ("actions",),
    "sql": (),
}
REQUIRED = {
    "training_coverage": ("courses", "valid_months"),
    "training_completions": (),
    "referrals": (),
    "measure": ("measure",),
    "survey": ("question", "answers"),
    "actions": (),
    "sql": ("query",),
}
SOURCE_KEYS = {
    "courses",
    "roles",
    "service_areas",
    "valid_months",
    "referral_type",
    "geography",
    "exploitation_type",
    "age_group",
    "measure",
    "question",
    "answers",
    "objective",
    "query",
}
INDICATOR_KEYS = {
    "id",
    "label",
    "source",
    "unit",
    "basis",
    "target",
    "higher_is_better",
    "green",
    "amber",
    "headline",
    "description",
    "small_numbers",
} | SOURCE_KEYS

RED, AMBER, GREEN, NO_DATA, NOT_RATED = "Red", "Amber", "Green", "No data", "Not rated"
STATUS_ORDER = (RED, AMBER, GREEN)


class ConfigError(ValueError):
    """The objectives file is not as documented; the message names the file and indicator."""


@dataclass(frozen=True)
class Indicator:
    id: str
    objective: int
    label: str
    source: str
    unit: str
    basis: str
    target: float | None = None
    higher_is_better: bool = True
    green: float | None = None
    amber: float | None = None
    headline: bool = False
    description: str = ""
    small_numbers: bool = False  # a count about victims: 1 to 4 is shown as <5
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def rated(self) -> bool:
        return self.green is not None and self.amber is not None

    def param(self, name: str, default: Any = None) -> Any:
        return dict(self.params).get(name, default)

    def scale(self, months: float) -> float:
        """How much of the yearly target and thresholds applies to `months` of data."""
        return months / 12 if self.basis == "sum" else 1.0


@dataclass(frozen=True)
class Objective:
    number: int
    title: str
    summary: str
    indicators: tuple[Indicator, ...]


# --- configuration ---------------------------------------------------------------------------


def objectives_path() -> Path:
    if env := os.environ.get("CAMS_OBJECTIVES"):
        return Path(env)
    configured = settings.config().objectives_file
    return settings.ROOT / configured if configured else DEFAULT_OBJECTIVES


def objectives() -> tuple[Objective, ...]:
    path = objectives_path()
    mtime = path.stat().st_mtime if path.exists() else 0.0
    return _load(path, mtime)


def config_version() -> str:
    """Changes when the objectives file changes: part of the cache key for computed figures."""
    path = objectives_path()
    return f"{path}:{path.stat().st_mtime if path.exists() else 0}"


@lru_cache(maxsize=4)
def _load(path: Path, mtime: float) -> tuple[Objective, ...]:
    if not path.exists():
        raise ConfigError(f"{path}: the objectives file is missing")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from None
    found = raw.get("objectives", [])
    numbers = sorted(o.get("number") for o in found)
    if numbers != [1, 2, 3, 4]:
        raise ConfigError(f"{path}: expected objectives numbered 1 to 4, found {numbers}")
    seen: set[str] = set()
    out = []
    for entry in sorted(found, key=lambda o: o["number"]):
        indicators = tuple(
            _indicator(path, entry["number"], item, seen) for item in entry.get("indicators", [])
        )
        out.append(Objective(entry["number"], entry["title"], entry.get("summary", ""), indicators))
    return tuple(out)


def _indicator(path: Path, number: int, item: dict, seen: set[str]) -> Indicator:
    where = f"{path}, objective {number}, indicator '{item.get('id', item.get('label', '?'))}'"
    unknown = set(item) - INDICATOR_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown setting {', '.join(sorted(unknown))}")
    for key in ("id", "label", "source", "unit", "basis"):
        if key not in item:
            raise ConfigError(f"{where}: '{key}' is missing")
    if item["id"] in seen:
        raise ConfigError(f"{where}: the id is used twice")
    seen.add(item["id"])
    source, basis = item["source"], item["basis"]
    if source not in SOURCES:
        raise ConfigError(f"{where}: source '{source}' is not one of {', '.join(SOURCES)}")
    if basis not in SOURCES[source]:
        allowed = " or ".join(sorted(SOURCES[source]))
        raise ConfigError(f"{where}: basis '{basis}' does not fit source '{source}' ({allowed})")
    for key in REQUIRED[source]:
        if key not in item:
            raise ConfigError(f"{where}: source '{source}' needs '{key}'")
    if ("green" in item) != ("amber" in item):
        raise ConfigError(f"{where}: give both 'green' and 'amber', or neither")
    higher = item.get("higher_is_better", True)
    if (
        "green" in item
        and (item["green"] < item["amber"]) == higher
        and item["green"] != item["amber"]
    ):
        side = "at least" if higher else "at most"
        raise ConfigError(f"{where}: 'green' must be {side} 'amber'")
    params = tuple(sorted((k, _freeze(v)) for k, v in item.items() if k in SOURCE_KEYS))
    return Indicator(
        id=item["id"],
        objective=number,
        label=item["label"],
        source=source,
        unit=item["unit"],
        basis=basis,
        target=item.get("target"),
        higher_is_better=higher,
        green=item.get("green"),
        amber=item.get("amber"),
        headline=item.get("headline", False),
        description=item.get("description", ""),
        small_numbers=item.get("small_numbers", source == "referrals"),
        params=params,
    )


def _freeze(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def find(indicator_id: str) -> Indicator:
    for objective in objectives():
        for indicator in objective.indicators:
            if indicator.id == indicator_id:
                return indicator
    raise KeyError(indicator_id)


# --- figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One indicator's value for one period: value is None when there is no data yet."""

    period: ReportingPeriod
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    as_of: date | None = None
    note: str = ""

    @property
    def has_data(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Progress:
    indicator: Indicator
    current: Figure
    previous: Figure
    target: float | None = None
    status: str = NO_DATA

    @property
    def pro_rata_months(self) -> int | None:
        """The months of a yearly target this figure is judged against: 3 for a quarter, 7 for
        a year with data to October; None when the whole yearly target applies."""
        months = months_with_data(self.current.period, self.current.as_of)
        if self.indicator.basis != "sum" or months >= 12:
            return None
        return int(months)

    @property
    def change(self) -> float | None:
        if self.current.value is None or self.previous.value is None:
            return None
        return self.current.value - self.previous.value

    def as_dict(self) -> dict:
        return {
            "id": self.indicator.id,
            "label": self.indicator.label,
            "value": _round(self.current.value),
            "unit": self.indicator.unit,
            "target": _round(self.target),
            "status": self.status,
            "previous": _round(self.previous.value),
            "period": self.current.period.label,
            "previous_period": self.previous.period.label,
            "change": _round(self.change),
            "as_of": self.current.as_of.isoformat() if self.current.as_of else None,
            "note": self.current.note,
        }


@dataclass(frozen=True)
class ObjectiveProgress:
    objective: Objective
    status: str
    indicators: list[Progress] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "objective": self.objective.number,
            "title": self.objective.title,
            "status": self.status,
            "indicators": [p.as_dict() for p in self.indicators],
        }


def pro_rata_note(row: Progress) -> str:
    """How a yearly target was cut to the months judged: 'a quarter of the yearly £40,000' for
    a quarter, 'pro rata: 7 of 12 months of the yearly 46' for a year still going on; '' when
    the whole target applies."""
    months = row.pro_rata_months
    if months is None or row.indicator.target is None:
        return ""
    yearly = formatting.number(row.indicator.target, row.indicator.unit)
    if months == 3 and row.current.period.is_quarter:
        return f"a quarter of the yearly {yearly}"
    return f"pro rata: {months} of 12 months of the yearly {yearly}"


def target_text(row: Progress) -> str:
    """The target as every page and file words it: '£20,000'; '3, a quarter of the yearly 12';
    or, where the share is not a whole count, the yearly target and how it was shared ('6 a
    year, pro rata for the quarter', never '1.5 operations'); '' without a target."""
    if row.target is None:
        return ""
    unit, note = row.indicator.unit, pro_rata_note(row)
    target = formatting.number(row.target, unit)
    if not note:
        return target
    if unit == "GBP" or float(round(row.target, 1)).is_integer():
        return f"{target}, {note}"
    yearly = formatting.number(row.indicator.target, unit)
    if row.pro_rata_months == 3 and row.current.period.is_quarter:
        return f"{yearly} a year, pro rata for the quarter"
    return f"{yearly} a year, pro rata: {row.pro_rata_months} of 12 months"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def figures(
    con: duckdb.DuckDBPyConnection,
    indicator: Indicator,
    periods: list[ReportingPeriod],
    organisation: str | None = None,
    views: str = "",
) -> list[Figure]:
    """The indicator's figure for each period, in one query. `views` may shadow the views."""
    sql, params = _SOURCE_SQL[indicator.source](indicator, organisation)
    with_periods = periods_sql(periods)
    prefix = f"{views}, {with_periods}" if views else f"WITH {with_periods}"
    query = f"{prefix} {sql}"
    params = {k: v for k, v in params.items() if re.search(rf"\${k}\b", query)}
    rows = con.execute(query, params).fetchall()
    by_label = {row[0]: row[1:] for row in rows}
    out = []
    for period in periods:
        numerator, denominator, as_of, note = by_label.get(period.label, (None, None, None, ""))
        out.append(_figure(indicator, period, numerator, denominator, as_of, note or ""))
    return out


def _figure(indicator, period, numerator, denominator, as_of, note) -> Figure:
    if indicator.basis == "share":
        value = None if not denominator or numerator is None else 100 * numerator / denominator
    else:
        value = numerator
    as_of = as_of.date() if isinstance(as_of, datetime) else as_of
    return Figure(
        period, None if value is None else float(value), numerator, denominator, as_of, note
    )


def status_of(indicator: Indicator, value: float | None, scale: float = 1.0) -> str:
    if value is None:
        return NO_DATA
    if not indicator.rated:
        return NOT_RATED
    green, amber = indicator.green * scale, indicator.amber * scale
    if indicator.higher_is_better:
        return GREEN if value >= green else AMBER if value >= amber else RED
    return GREEN if value <= green else AMBER if value <= amber else RED


def progress_of(
    con: duckdb.DuckDBPyConnection,
    indicator: Indicator,
    period: ReportingPeriod,
    organisation: str | None = None,
    views: str = "",
) -> Progress:
    current, previous = figures(con, indicator, [period, period.previous()], organisation, views)
    # a period in progress is judged pro rata: the months up to its latest data
    months = months_with_data(period, current.as_of)
    if indicator.basis == "sum" and months < period.months:
        same_months = compared_with(period, current.as_of)
        previous = figures(con, indicator, [same_months], organisation, views)[0]
    scale = indicator.scale(months)
    target = None if indicator.target is None else indicator.target * scale
    return Progress(
        indicator, current, previous, target, status_of(indicator, current.value, scale)
    )


def paired(before: list[ObjectiveProgress], after: list[ObjectiveProgress]):
    """(objective number, indicator before, indicator after) for two runs of `progress`."""
    for old, new in zip(before, after, strict=True):
        for old_row, new_row in zip(old.indicators, new.indicators, strict=True):
            yield new.objective.number, old_row, new_row


def objective_status(indicators: list[Progress]) -> str:
    rated = [p.status for p in indicators if p.status in STATUS_ORDER]
    if not rated:
        return NO_DATA
    return min(rated, key=STATUS_ORDER.index)


def progress(
    con: duckdb.DuckDBPyConnection,
    period: ReportingPeriod,
    organisation: str | None = None,
    views: str = "",
) -> list[ObjectiveProgress]:
    """Every objective and indicator for the period, each with the period before it."""
    out = []
    for objective in objectives():
        rows = [progress_of(con, i, period, organisation, views) for i in objective.indicators]
        out.append(ObjectiveProgress(objective, objective_status(rows), rows))
    return out


def trend(
    con: duckdb.DuckDBPyConnection,
    indicator: Indicator,
    period: ReportingPeriod,
    count: int = 8,
    organisation: str | None = None,
) -> list[Figure]:
    """The indicator over the `count` periods of the same length ending with `period`."""
    periods = [period]
    while len(periods) < count:
        periods.insert(0, periods[0].previous())
    return figures(con, indicator, periods, organisation)


# --- one query per source --------------------------------------------------------------------
# Each returns rows of (period label, numerator, denominator, as_of, note) for the periods CTE.


def _lower(values) -> list[str]:
    return [str(v).strip().lower() for v in values]


def _organisation_filter(alias: str, organisation: str | None) -> str:
    return f"AND {alias}.organisation = $organisation" if organisation else ""


def _in_list(alias: str, column: str, name: str, indicator: Indicator) -> str:
    return f"AND list_contains(${name}, lower({alias}.{column}))" if indicator.param(name) else ""


def _training_filters(indicator: Indicator, alias: str, organisation: str | None) -> str:
    return " ".join(
        [
            _in_list(alias, "role", "roles", indicator),
            _in_list(alias, "service_area", "service_areas", indicator),
            _organisation_filter(alias, organisation),
        ]
    )


def _params(indicator: Indicator, organisation: str | None) -> dict:
    params: dict[str, Any] = {"organisation": organisation}
    for name in ("courses", "roles", "service_areas", "answers"):
        if indicator.param(name):
            params[name] = _lower(indicator.param(name))
    for name in ("referral_type", "exploitation_type", "age_group", "measure", "question"):
        if indicator.param(name):
            params[name] = str(indicator.param(name)).strip().lower()
    params["geography"] = indicator.param("geography", settings.config().default_geography)
    params["valid_months"] = int(indicator.param("valid_months", 12))
    params["objective"] = indicator.param("objective")
    return params


def _training_coverage(indicator: Indicator, organisation: str | None):
    # each person's standing and role come from their latest completion (training_figures' rule)
    sql = f"""
        , latest AS ({tf.latest_completions_sql(tf.course_in())}),
        staff AS ({tf.staff_in_post_sql()})
        SELECT p.label,
               CASE WHEN (SELECT min(completed_on) FROM training) < p.p_end THEN (
                   SELECT count(DISTINCT l.person_key) FROM latest l
                   WHERE l.label = p.label AND {tf.still_valid_sql("$valid_months")}
                         {_training_filters(indicator, "l", organisation)}) END,
               (SELECT sum(e.headcount) FROM staff e
                WHERE e.label = p.label {_training_filters(indicator, "e", organisation)}),
               least(p.p_end - 1, (SELECT max(completed_on) FROM training)),
               'staff in post at ' || strftime({tf.staff_date_sql()}, '%d/%m/%Y')
        FROM periods p"""
    return sql, _params(indicator, organisation)


def _training_completions(indicator: Indicator, organisation: str | None):
    courses = tf.course_in() if indicator.param("courses") else "TRUE"
    sql = f"""SELECT label, completions, NULL, last_day, ''
              FROM ({tf.completions_sql(courses, organisation)})"""
    return sql, _params(indicator, organisation)


def _period_rows(table: str, alias: str, match: str) -> str:
    return f"""FROM periods p LEFT JOIN {table} {alias}
               ON {inside_sql(alias, "p.p_start", "p.p_end")} {match}"""


def _last_day(alias: str) -> str:
    return f"CAST(max({alias}.period_start + to_months({alias}.period_months)) AS DATE) - 1"


def _referrals(indicator: Indicator, organisation: str | None):
    match = "AND r.geography = $geography"
    if indicator.param("referral_type"):
        match += " AND lower(r.referral_type) = $referral_type"
    wanted = ["TRUE"]
    for name in ("exploitation_type", "age_group"):
        if indicator.param(name):
            wanted.append(f"lower(r.{name}) = ${name}")
    # how far the figures reach: any referral row of the geography, since months without
    # referrals have no rows
    reach = f"""(SELECT {_last_day("a")} FROM referrals a WHERE a.geography = $geography
                 AND {inside_sql("a", "p.p_start", "p.p_end")})"""
    sql = f"""
        SELECT p.label,
               CASE WHEN count(r.referrals) > 0
                    THEN coalesce(sum(r.referrals) FILTER (WHERE {" AND ".join(wanted)}), 0) END,
               NULL, {reach}, ''
        {_period_rows("referrals", "r", match)}
        GROUP BY p.label, p.p_start, p.p_end"""
    return sql, _params(indicator, organisation)


def _measure(indicator: Indicator, organisation: str | None):
    match = f"AND lower(m.measure) = $measure {_organisation_filter('m', organisation)}"
    if indicator.basis == "sum":
        reach = f"""(SELECT {_last_day("a")} FROM measures a
                     WHERE {inside_sql("a", "p.p_start", "p.p_end")}
                     {_organisation_filter("a", organisation)})"""
        sql = f"""
            SELECT p.label, sum(m.value), NULL, {reach}, ''
            {_period_rows("measures", "m", match)}
            GROUP BY p.label, p.p_start, p.p_end"""
    else:  # latest: each organisation's latest figure at the period's end, added up
        sql = f"""
            SELECT label, sum(value), NULL, max(as_of), '' FROM (
                SELECT p.label, m.organisation,
                       arg_max(m.value, m.period_start) AS value, {_last_day("m")} AS as_of
                FROM periods p LEFT JOIN measures m
                  ON m.period_start + to_months(m.period_months) <= p.p_end {match}
                GROUP BY p.label, m.organisation)
            GROUP BY label"""
    return sql, _params(indicator, organisation)


_WAVE_DATE = store.wave_date_sql()


def _survey(indicator: Indicator, organisation: str | None):
    sql = f"""
        , answered AS (
            SELECT s.wave, {_WAVE_DATE} AS wave_date, s.respondent_key,
                   bool_or(list_contains($answers, lower(s.answer))) AS agreed
            FROM survey s JOIN uploads u USING (upload_id)
            WHERE lower(s.question) = $question
            GROUP BY ALL),
        latest AS (
            SELECT p.label, max(a.wave_date) AS wave_date
            FROM periods p LEFT JOIN answered a ON a.wave_date < p.p_end GROUP BY p.label)
        SELECT l.label, count(*) FILTER (WHERE a.agreed), count(a.respondent_key),
               l.wave_date, 'survey wave ' || any_value(a.wave)
        FROM latest l LEFT JOIN answered a ON a.wave_date = l.wave_date
        GROUP BY l.label, l.wave_date"""
    return sql, _params(indicator, organisation)


def _actions(indicator: Indicator, organisation: str | None):
    # statuses as the tracker recorded them by the period's last day, as the Action plan page
    match = "AND a.objective = $objective" if indicator.param("objective") else ""
    sql = f"""
        , tracker AS ({store.actions_as_at_sql()})
        SELECT p.label, count(*) FILTER (WHERE a.status = 'Completed'), count(a.action),
               p.p_end - 1, 'actions due by ' || strftime(p.p_end - 1, '%d/%m/%Y')
        FROM periods p LEFT JOIN tracker a
          ON a.label = p.label AND a.due_on < p.p_end {match}
        GROUP BY p.label, p.p_end"""
    return sql, _params(indicator, organisation)


def _custom_sql(indicator: Indicator) -> str:
    """Your own query: rows of (on_date, value[, denominator]) combined by the basis."""
    rows = f"custom AS ({indicator.param('query')})"
    if indicator.basis == "latest":
        body = """SELECT p.label, sum(c.value), sum(c.denominator), max(c.on_date), ''
                  FROM periods p LEFT JOIN custom c
                    ON c.on_date = (SELECT max(on_date) FROM custom WHERE on_date < p.p_end)
                  GROUP BY p.label"""
    else:
        denominator = "sum(c.denominator)" if indicator.basis == "share" else "NULL"
        body = f"""SELECT p.label, sum(c.value), {denominator}, max(c.on_date), ''
                   FROM periods p LEFT JOIN custom c
                     ON c.on_date >= p.p_start AND c.on_date < p.p_end
                   GROUP BY p.label"""
    return f", {rows} {body}"


def _custom(indicator: Indicator, organisation: str | None):
    return _custom_sql(indicator), _params(indicator, organisation)


_SOURCE_SQL = {
    "training_coverage": _training_coverage,
    "training_completions": _training_completions,
    "referrals": _referrals,
    "measure": _measure,
    "survey": _survey,
    "actions": _actions,
    "sql": _custom,
}
