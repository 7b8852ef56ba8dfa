"""Raw text per field -> the kind's canonical, typed rows, with every problem listed.

Each column is parsed once per distinct value (a 300,000-row export has a few thousand), so the
parsers stay plain Python and the whole file is still read in well under a second.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from cams_data.kinds import Field, Kind
from cams_data.problems import Problem, Refused
from cams_data.settings import Config
from cams_data.shape import Shaped
from cams_data.text import clean_text
from cams_data.values import (
    BadValue,
    match_category,
    parse_count,
    parse_date,
    parse_datetime_month,
    parse_number,
    parse_objective,
    parse_period,
)

STATUS_ORDER = {"Not started": 0, "In progress": 1, "Completed": 2}


@dataclass
class Options:
    """What an officer gives at upload for what the file lacks."""

    wave: str | None = None
    organisation: str | None = None
    period: str | None = None
    referral_type: str | None = None
    geography: str | None = None

    def given(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


@dataclass
class Validated:
    rows: pd.DataFrame  # the view's columns plus row_no
    problems: list[Problem]
    rows_read: int
    rows_skipped: int = 0
    duplicates_folded: int = 0
    identifiers: dict[str, int] = field(default_factory=dict)
    wave_from: str | None = None


def _parser(f: Field) -> Callable[[str], object]:
    if f.type == "date":
        return parse_date
    if f.type == "period":
        return parse_period
    if f.type == "count":
        return parse_count
    if f.type == "number":
        return parse_number
    if f.type == "objective":
        return parse_objective
    if f.type == "category":
        return lambda text: match_category(text, f.categories, f.combined)
    return clean_text


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

    def report(row_indices, column: str, message: str) -> None:
        rows = records.loc[row_indices]
        for index, row_no, cell_column in zip(
            rows.index,
            rows["_row"],
            rows.get("_column", pd.Series(None, index=rows.index)),
            strict=True,
        ):
            problems.append(Problem(message, int(row_no), cell_column or column, shaped.sheet))
            bad_rows.add(index)

    for f in kind.fields:
        if kind.wide_questions and f.name in ("question", "answer"):
            out[f.name] = records[f.name].astype("object")
            continue
        parse = _parser(f)
        given = getattr(options, f.option, None) if f.option else None
        if f.name in records:
            raw = records[f.name]
            fallback = given or _default(f, config, today)
        elif given:
            raw, fallback = pd.Series(given, index=records.index, dtype="object"), None
        elif (fallback := _default(f, config, today)) is not None or not f.required:
            raw = pd.Series(None, index=records.index, dtype="object")
        elif f.name == "wave":
            out["wave"] = None  # taken from the response dates below
            continue
        else:
            raise Refused(file_name, _missing_column_message(kind, f))
        values = _parse_column(raw, fallback, parse, f, headers.get(f.name, f.name), report)
        if f.type == "period":
            out["period_start"] = values.map(lambda p: p.start if p is not None else None)
            out["period_months"] = values.map(lambda p: p.months if p is not None else None)
        else:
            out[f.name] = values

    validated = Validated(out, problems, rows_read=int(records["_row"].nunique()))
    if kind.name == "training":
        _training_rules(out, records, report)
    if kind.key_field:
        _identify(kind, out, records, options, key, validated, file_name, report)
    if kind.name == "actions":
        _drop_email_owners(out)

    bad = out.index.isin(list(bad_rows))
    validated.rows_skipped = int(records.loc[bad, "_row"].nunique())
    validated.rows = _fold(kind, out[~bad], validated)
    return validated


def _parse_column(raw: pd.Series, fallback, parse, f: Field, header: str, report) -> pd.Series:
    codes, uniques = pd.factorize(raw.astype("object"), use_na_sentinel=True)
    parsed: list[object] = []
    for position, value in enumerate(uniques):
        text = clean_text(str(value))
        if not text:
            parsed.append(_BLANK)
            continue
        try:
            parsed.append(parse(text))
        except BadValue as error:
            report(raw.index[codes == position], header, str(error))
            parsed.append(None)
    blank_value = None
    if fallback is not None:
        blank_value = parse(fallback)
    elif f.required:
        blank_rows = raw.index[(codes == -1) | _is_blank_code(codes, parsed)]
        if len(blank_rows):
            report(blank_rows, header, f"is empty (expected {_expected(f)})")
    lookup = [blank_value if p is _BLANK else p for p in parsed]
    result = pd.Series(
        [lookup[c] if c >= 0 else blank_value for c in codes], index=raw.index, dtype="object"
    )
    return result


_BLANK = object()


def _is_blank_code(codes, parsed) -> pd.Series:
    blank_codes = [i for i, p in enumerate(parsed) if p is _BLANK]
    return pd.Series(codes).isin(blank_codes).to_numpy()


def _missing_column_message(kind: Kind, f: Field) -> str:
    spellings = ", ".join(f"'{a}'" for a in (f.name.replace("_", " "), *f.aliases[:4]))
    option = f" or give it at upload (--{f.option.replace('_', '-')})" if f.option else ""
    return (
        f"The file has no column for {f.name.replace('_', ' ')} (looked for headers such as "
        f"{spellings}). Add the column{option}."
    )


def _training_rules(out: pd.DataFrame, records: pd.DataFrame, report) -> None:
    """A date with no status means completed; a completion needs its date."""
    no_status = out["status"].isna()
    out.loc[no_status & out["completed_on"].notna(), "status"] = "Completed"
    missing = no_status & out["completed_on"].isna()
    if missing.any():
        report(
            out.index[missing],
            "Status",
            "has no status and no completion date (expected e.g. Completed and a date)",
        )
    undated = (out["status"] == "Completed") & out["completed_on"].isna()
    if undated.any():
        report(
            out.index[undated],
            "Date completed",
            "is empty, but the status says completed (expected the date it was completed)",
        )
    out.loc[out["status"] != "Completed", "completed_on"] = None
    out["course"] = out["course"].map(lambda c: clean_text(c) if isinstance(c, str) else c)


def pseudonym(key: bytes, identifier: str) -> str:
    return hmac.new(key, identifier.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def _identify(kind, out, records, options, key, validated, file_name, report) -> None:
    """A keyed hash of who the row is about; the identifiers themselves go no further."""

    def column(name: str) -> pd.Series:
        if name in records:
            return (
                records[name]
                .astype("object")
                .map(lambda v: clean_text(str(v)).casefold() if pd.notna(v) else "")
            )
        return pd.Series("", index=records.index, dtype="object")

    if kind.name == "survey":
        _survey_wave(out, records, options, validated, file_name)
        ids = column("response_id")
        ids = ids.where(ids != "", records["_row"].astype(str).radd("row "))
        identity = "response:" + out["wave"].astype(str) + ":" + ids
        used = Counter({"the form's response ID": int(ids.ne("").sum())})
    else:
        email, number = column("email"), column("employee_number")
        name = column("full_name")
        name = name.where(
            name != "", (column("first_name") + " " + column("last_name")).str.strip()
        )
        organisation = out["organisation"].astype(str).str.casefold()
        identity = pd.Series("", index=records.index, dtype="object")
        used = Counter()
        for label, values in (
            ("e-mail", "email:" + email),
            ("employee number", "employee:" + number),
            ("name and organisation", "name:" + name + "|" + organisation),
        ):
            present = values.str.split(":", n=1).str[1].str.strip("|").ne("") & (identity == "")
            identity = identity.where(~present, values)
            used[label] = int(present.sum())
        unknown = identity == ""
        if unknown.any():
            report(
                out.index[unknown],
                "E-mail",
                "is empty, and so are the employee number and "
                "name: the person cannot be told apart from others",
            )
            identity = identity.where(~unknown, None)
    codes, uniques = pd.factorize(identity, use_na_sentinel=True)
    hashed = [pseudonym(key, value) for value in uniques]
    out[kind.key_field] = [hashed[c] if c >= 0 else None for c in codes]
    validated.identifiers = {label: n for label, n in used.items() if n}


def _survey_wave(out, records, options, validated, file_name) -> None:
    if options.wave:
        out["wave"] = clean_text(options.wave)
        return
    if out["wave"].notna().all():
        return
    months = records.get("completion_time", pd.Series(dtype="object")).dropna().astype(str)
    months = sorted(m for m in months.map(parse_datetime_month).dropna())
    if not months:
        raise Refused(
            file_name,
            "The survey wave is not in the file and the response times "
            "cannot be read: give the wave at upload (e.g. --wave 2025-10).",
        )
    out["wave"] = out["wave"].fillna(months[0])
    validated.wave_from = months[0]


def _drop_email_owners(out: pd.DataFrame) -> None:
    """Action owners should be teams; an e-mail address is personal data and is not kept."""
    is_email = out["owner"].astype(str).str.contains("@", regex=False)
    out.loc[is_email, "owner"] = "Not specified"


def _fold(kind: Kind, rows: pd.DataFrame, validated: Validated) -> pd.DataFrame:
    """Rows landing on one key are added up (counts) or are one row (everything else)."""
    columns = list(kind.view_columns)
    if rows.empty:
        return rows[["row_no", *columns]].reset_index(drop=True)
    before = len(rows)
    if kind.sum_duplicates:
        value = kind.value_field.name
        keys = [c for c in columns if c != value]
        folded = (
            rows.groupby(keys, dropna=False, sort=False)
            .agg(**{value: (value, "sum"), "row_no": ("row_no", "min")})
            .reset_index()
        )
    elif kind.replaces_whole:
        folded = rows.drop_duplicates(subset=columns)
    else:
        folded = rows.drop_duplicates(subset=columns)
        if kind.name == "training":
            folded = folded.assign(_rank=folded["status"].map(STATUS_ORDER))
            folded = folded.sort_values(["_rank", "row_no"]).drop(columns="_rank")
        key_cols = [f"_k{i}" for i in range(len(kind.natural_key))]
        folded = folded.assign(
            **{
                name: _key_values(folded, expression)
                for name, expression in zip(key_cols, kind.natural_key, strict=True)
            }
        )
        folded = folded.drop_duplicates(subset=key_cols, keep="last").drop(columns=key_cols)
    validated.duplicates_folded = before - len(folded)
    return folded[["row_no", *columns]].sort_values("row_no").reset_index(drop=True)


def _key_values(rows: pd.DataFrame, expression: str) -> pd.Series:
    """A natural-key expression of the view (a column, or lower(column)) over new rows."""
    if expression.startswith("lower("):
        return rows[expression[6:-1]].str.lower()
    return rows[expression]
