"""Raw text per field -> the kind's canonical, typed rows, with every problem listed.

Each column is parsed once per distinct value (a 300,000-row export has a few thousand), so the
parsers stay plain Python and the whole file is still read in well under a second.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial

import numpy as np
import pandas as pd

from cams_data import missing_column
from cams_data.kinds import UPLOAD_OPTIONS, Field, Kind
from cams_data.periods import ReportingPeriod
from cams_data.problems import Problem, Refused
from cams_data.settings import Config
from cams_data.shape import EMAIL_ADDRESS, Shaped
from cams_data.text import clean_text, map_distinct, normalise_header, words
from cams_data.values import (
    DAY_FIRST,
    EITHER_ORDER,
    EXCEL_ERRORS,
    MAX_COUNT,
    MONTH_FIRST,
    BadValue,
    date_order_shown,
    is_excel_error,
    match_category,
    parse_count,
    parse_date,
    parse_number,
    parse_objective,
    parse_period,
    parse_response_time,
)


class Options:
    """What an officer gives at upload for what the file lacks: a value for any of
    `kinds.UPLOAD_OPTIONS`, by its name (`Options(wave="2025-10")`); blanks are not given."""

    def __init__(self, **given: str | None) -> None:
        unknown = sorted(set(given) - set(UPLOAD_OPTIONS))
        if unknown:
            raise TypeError(f"no upload option {', '.join(unknown)}")
        self._given = {name: value for name, value in given.items() if value}

    def given(self) -> dict[str, str]:
        return dict(self._given)

    def get(self, name: str) -> str | None:
        return self._given.get(name)

    def __repr__(self) -> str:
        return f"Options({', '.join(f'{k}={v!r}' for k, v in self._given.items())})"


@dataclass
class Validated:
    rows: pd.DataFrame  # the view's columns plus row_no
    problems: list[Problem]
    rows_read: int
    rows_skipped: int = 0
    duplicates_folded: int = 0  # the same row twice (in a kind that adds up: added up)
    # Rows on one key that differ only in breakdowns not kept (gender, nationality) are cells
    # of a breakdown: this many were added up, into this many figures.
    breakdown_cells_added: int = 0
    breakdown_sums: int = 0
    identifiers: dict[str, int] = field(default_factory=dict)
    wave_from: str | None = None
    date_order: str | None = None  # how a survey's response dates were read, and why
    warnings: list[str] = field(default_factory=list)  # to weigh before saving
    # Values for the whole file that neither the file's columns nor the upload gave:
    named_in_file: dict[str, NamedInFile] = field(default_factory=dict)  # from its own text
    defaults_used: dict[str, str] = field(default_factory=dict)  # field -> the default
    names_several: dict[str, list[str]] = field(default_factory=dict)  # so none was taken
    breakdowns: list[str] = field(default_factory=list)  # the headers of those breakdowns


@dataclass(frozen=True)
class NamedInFile:
    """A value the file's own text names: 'Essex Police force area', from 'row 1'."""

    value: str
    where: str
    text: str


EARLIEST = date(2000, 1, 1)  # no record the partnership keeps is older
YEARS_AHEAD = 10  # the furthest a due date may be


def _parser(f: Field, today: date) -> Callable[[str], object]:
    if f.type == "date":
        if f.past_only:
            return partial(_plausible_date, latest=today, too_late="date-in-future")
        latest = date(today.year + YEARS_AHEAD, 12, 31)
        return partial(_plausible_date, latest=latest, too_late="date-too-far-ahead")
    if f.type == "period":
        return partial(_plausible_period, today=today)
    if f.type == "count":
        return parse_count
    if f.type == "number":
        return parse_number
    if f.type == "objective":
        return parse_objective
    if f.type == "category":
        return lambda text: match_category(text, f.categories, f.combined)
    return partial(_text_without_email, stored_as=f.email_stored_as)


def _text_without_email(text: str, stored_as: str | None) -> str:
    """Text as written, unless it holds an e-mail address: personal data, never stored."""
    value = clean_text(text)
    if not EMAIL_ADDRESS.search(value):
        return value
    if stored_as is not None:
        return stored_as
    raise BadValue("email-in-text", found=text)


def _plausible_date(text: str, latest: date, too_late: str) -> date:
    """A date in the years the partnership's records can cover: a typo such as 14/05/3024 or
    14/05/1024 is reported (after `latest`, as a problem of type `too_late`), not stored."""
    day = parse_date(text)
    if day < EARLIEST:
        raise BadValue("date-too-early", found=text, earliest=EARLIEST)
    if day > latest:
        raise BadValue(too_late, found=text, latest=latest)
    return day


def _plausible_period(text: str, today: date) -> ReportingPeriod:
    """A period that has begun: figures cannot be reported for one still to come."""
    period = parse_period(text)
    if period.start < EARLIEST:
        raise BadValue("period-too-early", found=text, earliest=EARLIEST)
    if period.start > today:
        raise BadValue("period-in-future", found=text, today=today)
    return period


def _default(f: Field, config: Config, today: date) -> str | None:
    if f.default == "@today":
        return today.strftime("%d/%m/%Y")
    if f.default and f.default.startswith("@"):
        return getattr(config, f.default[1:])
    return f.default


def _expected(f: Field) -> str:
    if f.categories:
        return "one of: " + ", ".join(f.category_names)
    return {
        "date": "a date such as 14/05/2024",
        "period": "a period such as Apr-25 or 2025/26 Q1",
        "count": "a count",
        "number": "a figure",
        "objective": "an objective, 1 to 4",
    }.get(f.type, "a value")


def validate(
    shaped: Shaped, file_name: str, options: Options, config: Config, key: bytes, today: date
) -> Validated:
    kind, records = shaped.kind, shaped.records
    headers = {c.field: c.header for c in shaped.columns if c.field}
    problems: list[Problem] = []
    out = pd.DataFrame(index=records.index)
    out["row_no"] = records["_row"].astype("int64")
    bad_rows: set[int] = set()

    reported: set[Problem] = set()

    def report(row_indices, column: str, code: str, in_cell: bool = False, **values) -> None:
        """A problem of type `code` (its sentence filled in with `values`) on each row."""
        rows = records.loc[row_indices]
        for index, row_no, cell_column in zip(
            rows.index,
            rows["_row"],
            rows.get("_column", pd.Series(None, index=rows.index, dtype="object")),
            strict=True,
        ):
            # A crosstab cell names its own column; elsewhere (NaN/None) the field's header does.
            # Only the fields read from those cells (the period, the figure) are in the cell: a
            # bad label is in its own column, said once, not once per month or question.
            is_cell = in_cell and isinstance(cell_column, str) and cell_column
            problem = Problem.of(
                code, int(row_no), cell_column if is_cell else column, shaped.sheet, **values
            )
            if problem not in reported:
                reported.add(problem)
                problems.append(problem)
            bad_rows.add(index)

    # The fields read from a crosstab's cells (its figure, and what runs across) are in the cell.
    melted = {shaped.across, kind.value_field.name} if shaped.wide and kind.value_field else set()

    named_in_file: dict[str, NamedInFile] = {}
    names_several: dict[str, list[str]] = {}
    defaults_used: dict[str, str] = {}
    for f in kind.fields:
        if kind.wide_questions and f.name in ("question", "answer"):
            out[f.name] = records[f.name].astype("object")
            if f.name == "question":
                out[f.name] = map_distinct(out[f.name], _question_aliases(config))
            continue
        parse = _parser(f, today)
        given = options.get(f.option) if f.option else None
        named = {} if f.name in records or given else named_in_text(f, shaped.own_text, parse)
        if len(named) == 1:
            [found] = named.values()
            default = _default(f, config, today)
            if default and set(words(found.value)) <= set(words(default)):
                found = dataclasses.replace(found, value=default)  # 'Colchester City Council'
            named_in_file[f.name] = found
            given = found.value
        elif named:  # 'UK' in the title and 'Essex Police' in a note: not a guess to make
            names_several[f.name] = list(named)
        if f.name in records:
            raw = records[f.name]
            fallback = given or _default(f, config, today)
        elif given:
            raw, fallback = pd.Series(given, index=records.index, dtype="object"), None
        elif (fallback := _default(f, config, today)) is not None or not f.required:
            if f.default_said and fallback is not None:
                defaults_used[f.name] = fallback
            raw = pd.Series(None, index=records.index, dtype="object")
        else:
            raise missing_column.refusal(file_name, f, shaped, parse)
        field_report = partial(report, in_cell=True) if f.name in melted else report
        values = _parse_column(raw, fallback, parse, f, headers.get(f.name, f.name), field_report)
        if f.type == "period":
            out["period_start"] = [p.start if p is not None else None for p in values]
            out["period_months"] = [p.months if p is not None else None for p in values]
        else:
            out[f.name] = values

    validated = Validated(
        out,
        problems,
        rows_read=int(records["_row"].nunique()),
        named_in_file=named_in_file,
        names_several=names_several,
        defaults_used=defaults_used,
    )
    if kind.sum_duplicates:
        _breakdown_cells(kind, records, out, shaped, headers, validated)
    for f in kind.fields:
        if f.date_of:
            if f.name not in records:
                _refuse_undated(f, out, records, shaped, file_name, today)
            _date_of_rules(f, out, records, report, headers)
    for identifier in kind.identifiers:
        # An e-mail or employee number of '#N/A' (a failed lookup) would be taken for a person.
        if identifier.name in records:
            cells = records[identifier.name]
            errors = cells[cells.str.strip().str.upper().isin(EXCEL_ERRORS).fillna(False)]
            for text in errors.unique():
                column = headers.get(identifier.name, identifier.name)
                report(errors.index[errors == text], column, "excel-error", found=text)
    if any(f.type == "wave" for f in kind.fields):
        _survey_wave(kind, out, records, options, validated, file_name, shaped.sheet, headers)
    if kind.key_field:
        _identify(kind, out, records, options, key, validated, file_name, report)

    bad = out.index.isin(list(bad_rows))
    validated.rows_skipped = int(records.loc[bad, "_row"].nunique())
    validated.rows = _fold(kind, out[~bad], validated)
    if kind.value_field:
        _drop_overflowing_sums(kind, validated, shaped, headers.get(kind.value_field.name))
    return validated


def _drop_overflowing_sums(kind: Kind, validated: Validated, shaped: Shaped, header: str | None):
    """Figures on one key are added up: each fits the database, but their sum may not. Such a
    sum is a problem on the first of its rows, and it is not stored."""
    value, rows = kind.value_field, validated.rows
    if not kind.sum_duplicates or rows.empty:
        return
    rows_added = rows.pop("_rows")  # `_fold` counted the rows behind each sum
    breakdowns_added = rows.pop("_cells")  # ... and the breakdown cells among them
    figures = rows[value.name].astype("float64")
    limit = MAX_COUNT if value.type == "count" else np.finfo("float64").max
    over = ~(figures.abs() <= limit)  # NaN too: a sum of infinities
    if not over.any():
        return
    # The file's rows behind each sum are skipped, not folded.
    validated.rows_skipped += int(rows_added[over].sum())
    validated.duplicates_folded -= int((rows_added[over] - breakdowns_added[over]).sum())
    summed_over = over & (breakdowns_added > 1)
    validated.breakdown_cells_added -= int(breakdowns_added[summed_over].sum())
    validated.breakdown_sums -= int(summed_over.sum())
    names = [f.name.replace("_", " ") for f in kind.fields if f is not value]
    keys = ", ".join(names[:-1]) + " and " + names[-1]
    code = "total-too-large" if value.type == "count" else "total-not-storable"
    for row_no, total in zip(rows.loc[over, "row_no"], figures[over], strict=True):
        problem = Problem.of(
            code, int(row_no), header, shaped.sheet, keys=keys, total=total, most=MAX_COUNT
        )
        validated.problems.append(problem)
    validated.rows = rows[~over].reset_index(drop=True)


def _breakdown_cells(kind, records, out, shaped, headers, validated) -> None:
    """What tells apart rows that land on one key: the cells of breakdowns not kept, and the
    combinations a category stores as one ('Labour & Criminal', 'Labour & Sexual': Multiple).
    Rows differing there are a breakdown added up; rows alike are the same row twice."""
    cells = records.get("_breakdown", pd.Series("", index=records.index, dtype="object"))
    validated.breakdowns = [c.header for c in shaped.columns if c.breakdown or c.unknown]
    for f in kind.fields:
        if not f.combined or f.name not in records:
            continue
        # 'Labour & Criminal' is a combination; 'Multiple', the category itself, is not.
        combination = (out[f.name] == f.combined) & records[f.name].notna()
        several = map_distinct(records[f.name], partial(_names_several, f))
        combination &= several.fillna(False).astype(bool)
        if combination.any():
            named = map_distinct(records[f.name].where(combination), normalise_header)
            cells = cells.astype("object") + "\x1f" + named.fillna("")
            header = headers.get(f.name, f.name)
            validated.breakdowns.append(f"{header} (combinations stored as {f.combined})")
    out["_breakdown"] = cells


def _names_several(f: Field, text: str) -> bool:
    """`text` names several of `f`'s categories, stored as its combined one."""
    try:
        match_category(text, f.categories, None)
    except BadValue:
        return True
    return False


def named_in_text(f: Field, own_text: list[tuple[str, str]], parse) -> dict[str, NamedInFile]:
    """Each value of `f` the file's own text names (that `parse` reads), with where it is."""
    found: dict[str, NamedInFile] = {}
    for where, text in own_text:
        for clue in f.named_by:
            for match in re.finditer(clue.pattern, text):
                value = clean_text(match.expand(clue.value))
                try:
                    parse(value)
                except BadValue:
                    continue
                found.setdefault(value, NamedInFile(value, where, text))
    return found


def _question_aliases(config: Config) -> Callable[[str], str]:
    """A question as its canonical wording: rewordings listed in the config (cams.toml
    [survey.question_aliases]) match whatever their case, spacing and punctuation."""
    canonical: dict[str, str] = {}
    for wording, rewordings in config.question_aliases.items():
        for text in (wording, *rewordings):
            canonical[normalise_header(text)] = clean_text(wording)
    return lambda question: canonical.get(normalise_header(question), clean_text(question))


def _parse_column(raw: pd.Series, fallback, parse, f: Field, header: str, report) -> pd.Series:
    """Each distinct cell parsed once; blanks take the fallback or are reported if required."""
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    blank_value = parse(fallback) if fallback is not None else None
    parsed: list[object] = []
    blank_codes = [-1]
    for position, value in enumerate(uniques):
        text = clean_text(str(value))
        if not text:
            parsed.append(blank_value)
            blank_codes.append(position)
            continue
        try:
            if is_excel_error(text):
                raise BadValue("excel-error", found=text)
            parsed.append(parse(text))
        except BadValue as error:
            rows = raw.index[codes == position]
            report(rows, header, error.code, expects=_expected(f), **error.values)
            parsed.append(None)
    if fallback is None and f.required:
        blank_rows = raw.index[np.isin(codes, blank_codes)]
        if len(blank_rows):
            report(blank_rows, header, "blank-cell", expected=_expected(f))
    lookup = np.array([*parsed, blank_value], dtype=object)
    return pd.Series(lookup[codes], index=raw.index, dtype="object")


def _blank(records: pd.DataFrame, name: str) -> pd.Series:
    """Cells left empty (or no such column): one that could not be read is reported as such."""
    if name not in records:
        return pd.Series(True, index=records.index)
    raw = records[name].astype("str")
    return raw.isna() | (raw.str.strip() == "")


def _refuse_undated(f: Field, out, records, shaped, file_name, today) -> None:
    """No column for `f`, the date of a status, yet rows say they have it (or give no status,
    which a date would give them): one problem about the file, not one per row."""
    status, value = f.date_of
    reached = records.loc[out[status] == value, "_row"].nunique()
    no_status = records.loc[out[status].isna() & _blank(records, status), "_row"].nunique()
    if not reached and not no_status:
        return
    said = []
    if reached:
        said.append(f"{_rows(reached)} say{'s' * (reached == 1)} {value.lower()}")
    if no_status:
        said.append(f"{_rows(no_status)} {'has' if no_status == 1 else 'have'} no {status}")
    needed_by = " and ".join(said) + f": each needs the date it was {value.lower()}"
    raise missing_column.refusal(file_name, f, shaped, _parser(f, today), needed_by)


def _rows(n: int) -> str:
    return f"{n:,} row{'' if n == 1 else 's'}"


def _date_of_rules(f: Field, out: pd.DataFrame, records: pd.DataFrame, report, headers) -> None:
    """`f` is the date a status was reached ('Completed'): a row with that date and no status
    has reached it, a row that has reached it needs the date, and other rows keep no date."""
    status, value = f.date_of
    blank = partial(_blank, records)

    no_status = out[status].isna() & blank(status)
    out.loc[no_status & out[f.name].notna(), status] = value
    missing = no_status & out[f.name].isna() & blank(f.name)
    if missing.any():
        report(
            out.index[missing],
            headers.get(status, status.capitalize()),
            "missing-status-and-date",
            status=status,
            date=f.in_words,
            value=value,
        )
    undated = (out[status] == value) & out[f.name].isna() & blank(f.name)
    if undated.any():
        report(
            out.index[undated],
            headers.get(f.name, f.in_words.capitalize()),
            "missing-date-for-status",
            status=status,
            value=value.lower(),
        )
    out.loc[out[status] != value, f.name] = None


def pseudonym(key: bytes, identifier: str) -> str:
    return hmac.new(key, identifier.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def _identify(kind, out, records, options, key, validated, file_name, report) -> None:
    """A keyed hash of who the row is about; the identifiers themselves go no further."""

    def hashed(values: pd.Series, prefix: str) -> pd.Series:
        """The key of each normalised identifier, hashing each distinct one once."""
        return map_distinct(
            values,
            lambda v: pseudonym(key, prefix + n) if (n := clean_text(v).casefold()) else None,
        )

    def column(name: str) -> pd.Series:
        if name in records:
            return records[name]
        return pd.Series(None, index=records.index, dtype="object")

    if kind.key_of == "response":
        # Google Forms has no response ID: its rows are its respondents.
        ids = column("response_id").fillna("row " + records["_row"].astype(str))
        identity = "response:" + out["wave"].astype(str) + ":" + ids.astype(str)
        out[kind.key_field] = hashed(identity, "")
        told_by = "the form's response ID" if "response_id" in records else "the response's row"
        # One per response, not per stored answer (a response is many rows once melted).
        validated.identifiers = {told_by: int(records["_row"].nunique())}
        return
    person = pd.Series(None, index=records.index, dtype="object")
    used = Counter()
    for label, keys in (
        ("e-mail", lambda: hashed(column("email"), "email:")),
        ("employee number", lambda: hashed(column("employee_number"), "employee:")),
        ("name and organisation", lambda: _name_keys(column, out, hashed)),
    ):
        if not person.isna().any():
            break
        found = keys()
        use = person.isna() & found.notna()
        person = person.where(~use, found)
        used[label] = int(use.sum())
    unknown = person.isna()
    if unknown.any():
        report(out.index[unknown], "E-mail", "no-identifier")
    out[kind.key_field] = person
    validated.identifiers = {label: n for label, n in used.items() if n}


def _name_keys(column, out, hashed) -> pd.Series:
    """Full name with the organisation, for files with neither e-mail nor employee number."""
    name = column("full_name").fillna(
        (column("first_name").fillna("") + " " + column("last_name").fillna("")).str.strip()
    )
    name = name.where(name.fillna("").str.strip() != "")
    # Both as objects: pandas cannot add its text type to a column that is all missing, as the
    # name is when the file has no name column at all.
    organisation = out["organisation"].astype(str).astype("object")
    return hashed(name.astype("object") + "|" + organisation, "name:")


SURVEY_OPEN_DAYS = 62  # a staff survey is open a few weeks: responses over longer are questioned
ORDER_EXAMPLE = {DAY_FIRST: "14/10/2025 = 14 October", MONTH_FIRST: "10/14/2025 = 14 October"}


def _survey_wave(kind, out, records, options, validated, file_name, sheet, headers) -> None:
    """The wave, given or else the month most responses fall in, their dates read in the order
    the file shows; responses spread over longer than a survey is open are questioned."""
    if options.get("wave"):
        out["wave"] = clean_text(options.get("wave"))
    from_dates = bool(out["wave"].isna().any())
    times_in = [i.name for i in kind.identifiers if i.type == "response_time"]
    time_field = next((name for name in times_in if name in records), None)
    # One per response, in the file's order: a response is many rows once melted.
    responses = records.drop_duplicates("_row").sort_values("_row")
    times = responses[time_field].dropna().astype(str) if time_field else pd.Series(dtype=object)
    where = f"column '{headers.get(time_field)}' of sheet '{sheet}'"
    order = _date_order(times, responses["_row"], where, file_name, from_dates, validated)
    days = sorted(_response_days(times, order)) if order else []
    if from_dates and not days:
        raise Refused(
            file_name,
            "The survey wave is not in the file and the response times "
            "cannot be read: give the wave at upload (e.g. --wave 2025-10).",
            code="no-survey-wave",
        )
    if days and (span := (days[-1] - days[0]).days + 1) > SURVEY_OPEN_DAYS:
        validated.warnings.append(
            f"Responses run from {_long_day(days[0])} to {_long_day(days[-1])} ({span} days): "
            "check that this file holds one survey wave (was the date order right?)"
        )
    if from_dates:
        by_month = Counter(f"{day.year:04d}-{day.month:02d}" for day in days)
        wave = min(by_month, key=lambda month: (-by_month[month], month))  # a tie: the earlier
        out["wave"] = out["wave"].fillna(wave)
        validated.wave_from = wave


def _date_order(times, rows, where, file_name, must_read, validated) -> str | None:
    """The order of day and month in the response dates: the one the first date with a number
    over 12 shows, else day first (the summary says which, and why). Dates written both ways
    are refused when the wave is to come from them (`must_read`), else not read (None)."""
    shown = map_distinct(times, date_order_shown)
    first = {
        order: (int(rows[found[0]]), times[found[0]])
        for order in (DAY_FIRST, MONTH_FIRST)
        if len(found := shown.index[shown == order])
    }
    if len(first) == 2:
        (day_row, day_text), (month_row, month_text) = first[DAY_FIRST], first[MONTH_FIRST]
        mixed = (
            f"The response times in {where} are written in two orders: row {day_row}'s "
            f"'{day_text}' is day first and row {month_row}'s '{month_text}' is month first"
        )
        if must_read:
            raise Refused(
                file_name,
                f"{mixed}, so the survey wave cannot be taken from them. Export the responses "
                "again from the survey tool, or give the wave at upload (e.g. --wave 2025-10).",
                code="mixed-date-order",
            )
        validated.warnings.append(f"{mixed}: they were not read.")
        return None
    if first:
        order, (row, text) = next(iter(first.items()))
        validated.date_order = (
            f"Dates were read {order} ({ORDER_EXAMPLE[order]}), as row {row}'s '{text}' shows."
        )
        return order
    if (shown == EITHER_ORDER).any():
        validated.date_order = (
            f"Dates were read day first ({ORDER_EXAMPLE[DAY_FIRST]}); none of them could tell. "
            "If they were written month first, give the wave at upload."
        )
    return DAY_FIRST


def _response_days(times: pd.Series, order: str) -> list[date]:
    """The day of each response time that can be read; the others are left out."""

    def day(text: str) -> date | None:
        try:
            return parse_response_time(text, order)
        except BadValue:
            return None

    return [found for found in map_distinct(times, day) if found is not None]


def _long_day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _fold(kind: Kind, rows: pd.DataFrame, validated: Validated) -> pd.DataFrame:
    """Rows landing on one key are added up (counts) or are one row (everything else)."""
    columns = list(kind.view_columns)
    if rows.empty:
        return rows[["row_no", *columns]].reset_index(drop=True)
    before = len(rows)
    if kind.sum_duplicates:
        value = kind.value_field.name
        keys = [c for c in columns if c != value]
        if "_breakdown" not in rows:
            rows = rows.assign(_breakdown="")
        folded = (
            rows.groupby(keys, dropna=False, sort=False)
            .agg(
                **{value: (value, "sum"), "row_no": ("row_no", "min")},
                _rows=(value, "size"),
                _cells=("_breakdown", "nunique"),
            )
            .reset_index()
        )
        cells = folded["_cells"]
        duplicates = int((folded["_rows"] - cells).sum())
        validated.breakdown_cells_added = int(cells[cells > 1].sum())
        validated.breakdown_sums = int((cells > 1).sum())
        columns += ["_rows", "_cells"]  # how many rows and breakdown cells each sum adds
    elif kind.replaces_whole:
        folded = rows.drop_duplicates(subset=columns)
    else:
        folded = rows.drop_duplicates(subset=columns)
        if kind.furthest_wins:
            name, order = kind.furthest_wins
            rank = {value: position for position, value in enumerate(order)}
            folded = folded.assign(_rank=folded[name].map(rank))
            folded = folded.sort_values(["_rank", "row_no"]).drop(columns="_rank")
        key_cols = [f"_k{i}" for i in range(len(kind.natural_key))]
        folded = folded.assign(
            **{
                name: _key_values(folded, expression)
                for name, expression in zip(key_cols, kind.natural_key, strict=True)
            }
        )
        folded = folded.drop_duplicates(subset=key_cols, keep="last").drop(columns=key_cols)
    if not kind.sum_duplicates:
        duplicates = before - len(folded)
    validated.duplicates_folded = duplicates
    return folded[["row_no", *columns]].sort_values("row_no").reset_index(drop=True)


def _key_values(rows: pd.DataFrame, expression: str) -> pd.Series:
    """A natural-key expression of the view (a column, or lower(column)) over new rows."""
    if expression.startswith("lower("):
        return rows[expression[6:-1]].str.lower()
    return rows[expression]
