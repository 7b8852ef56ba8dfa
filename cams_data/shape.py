"""Sheet of text cells -> a long table of raw values, one column per field of a kind.

Finds the header row under any title rows, tells the kind from the headers, maps each column to
a field (or says why it is not stored), drops notes and publisher totals, and turns crosstabs
(periods across) and survey exports (questions across) into one row per value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import pandas as pd

from cams_data import publisher_totals
from cams_data.kinds import KINDS, Kind
from cams_data.problems import Refused
from cams_data.publisher_totals import TotalsCheck
from cams_data.read import Sheet, column_letters
from cams_data.text import clean_text, map_distinct, normalise_header
from cams_data.values import (
    MONTHS,
    SUPPRESSION_MARKS,
    BadValue,
    looks_like_period,
    match_category,
)

HEADER_SEARCH_ROWS = 30
FINANCIAL_YEAR_HEADERS = frozenset({"financial year", "fy"})
YEAR_HEADERS = frozenset({"year", "calendar year", "yr", *FINANCIAL_YEAR_HEADERS})
TOTAL = re.compile(r"^((grand|sub) ?)?totals?$|^all$")
TOTAL_LABEL = re.compile(r"^((grand|sub) ?)?totals?\b")
PERSONAL = "not stored (personal data: read only to tell people apart)"
UNKNOWN = "not stored: not a column this kind uses"
TOTAL_NOTE = "not counted (a total)"
RESPONDENT_AND_WAVE = ("response_id", "completion_time", "timestamp")  # a survey's, not personal


@dataclass
class ColumnUse:
    header: str
    position: int
    field: str | None
    note: str
    breakdown: bool = False  # a breakdown not kept: its cells are added up
    unknown: bool = False  # a header no field matched (neither known and not needed, nor a total)

    @property
    def stored(self) -> bool:
        return self.field is not None and not self.note.startswith("not stored")


@dataclass
class Shaped:
    kind: Kind
    sheet: str
    header_row: int
    columns: list[ColumnUse]
    records: pd.DataFrame  # raw text per field, plus _row and _column (header of a crosstab cell)
    detected: bool
    subtotal_rows: int = 0
    note_rows: int = 0
    wide: bool = False
    # What runs across a crosstab: 'period', or a category field ('age_group'), or None.
    across: str | None = None
    # Suppressed cells of a categories-across table left out (the kind skips them): (row,
    # column header, the mark as written).
    suppressed: list[tuple[int, str, str]] = field(default_factory=list)
    free_text_questions: list[str] = field(default_factory=list)
    totals: TotalsCheck = field(default_factory=TotalsCheck)  # the publisher's, against the cells
    # the cells of each column no field matched, by position: what a missing field may be in
    unknown_cells: dict[int, pd.Series] = field(default_factory=dict)
    # The file's own words about the table (title rows above the header, the sheet's name, the
    # figures' header): (where, text), for values a file names once, such as its area.
    own_text: list[tuple[str, str]] = field(default_factory=list)


@cache
def header_table(kind_name: str) -> dict[str, str]:
    """Normalised header spelling -> field or identifier name, for one kind."""
    kind = KINDS[kind_name]
    table: dict[str, str] = {}
    for f in (*kind.identifiers, *kind.fields):
        for key in f.header_keys:
            table.setdefault(key, f.name)
    return table


# A published table's note markers in a header: 'Age at exploitation [note 3]', '[notes 2, 4]'.
NOTE_MARKER = re.compile(r"\s*\[\s*notes?\b[^\]]*\]", re.IGNORECASE)


def _key(header: str) -> str:
    """A header as a comparable key, without its note markers."""
    return normalise_header(NOTE_MARKER.sub("", header))


def _match(kind: Kind, header: str) -> str | None:
    key = _key(header)
    if hit := header_table(kind.name).get(key):
        return hit
    for f in kind.fields:
        if any(phrase in key for phrase in f.contains):
            return f.name
    return None


@dataclass
class _Candidate:
    kind: Kind
    row: int
    score: float
    matched: dict[int, str]
    periods: list[int]
    across: str | None = None  # a category field whose categories head the columns
    categories: list[int] = field(default_factory=list)  # ... at these positions


def _score(
    kind: Kind, cells: dict[int, str], mapping: dict[str, str] | None = None
) -> _Candidate | None:
    matched: dict[int, str] = {}
    seen: set[str] = set()
    periods = [p for p, h in cells.items() if looks_like_period(h)] if kind.wide_periods else []
    wide = len(periods) >= 2
    has_figures = any(_is_figure(text) for text in cells.values())
    across, categories = (None, []) if wide or has_figures else _across(kind, cells, mapping)
    # "Total" names the count column only when no other column does, nothing runs across,
    # and the row holds no figures: 'Total, 195' is a publisher's total row, not a header.
    total_is_data = wide or bool(across) or has_figures
    ordered = sorted(cells.items(), key=lambda item: _key(item[1]) == "total")
    for position, header in ordered:
        if position in periods and wide or position in categories:
            continue
        if mapping and header in mapping:  # the officer's choice: a field, or '' for none
            name = mapping[header] if mapping[header] in kind.field_names else None
        else:
            name = _match(kind, header)
        total_in_data = total_is_data and _key(header) == "total"
        if name and name not in seen and not total_in_data:
            matched[position] = name
            seen.add(name)
    value = kind.value_field
    if wide and value and value.name not in seen:
        seen |= {value.name, "period"}
    else:
        periods = []
    if across and value and not {across, value.name} & seen:
        seen |= {across, value.name}
    else:
        across, categories = None, []
    if "period" not in seen and any(normalise_header(h) in YEAR_HEADERS for h in cells.values()):
        seen.add("period")
    if not any(
        all(name in seen for name in names) for names in (kind.detect_with, *kind.detect_also)
    ):
        return None
    if kind.key_of == "person" and not seen & {i.name for i in kind.identifiers}:
        return None
    return _Candidate(kind, 0, len(seen), matched, periods, across, categories)


def _across(
    kind: Kind, cells: dict[int, str], mapping: dict[str, str] | None
) -> tuple[str | None, list[int]]:
    """The category field of `kind.wide_categories` whose categories head two or more columns
    of this row ('Adult', 'Children [note 3]'), with those columns; else (None, []). Headers
    that name a field ('Exploitation type') or that the officer mapped are not categories."""
    best: tuple[str | None, list[int]] = (None, [])
    for name in kind.wide_categories:
        f = kind.field(name)
        found: dict[int, str] = {}
        for position, header in cells.items():
            if (mapping and header in mapping) or _match(kind, header):
                continue
            try:
                found[position] = match_category(header, f.categories, None)
            except BadValue:
                continue
        if len(set(found.values())) >= 2 and len(found) > len(best[1]):
            best = (name, sorted(found))
    return best


_FIGURE = re.compile(r"[£$]?\s*-?[\d,]*\d(\.\d+)?")


def _is_figure(text: str) -> bool:
    return bool(_FIGURE.fullmatch(text))


def find_table(
    sheet: Sheet, kinds: list[Kind], mapping: dict[str, str] | None = None
) -> _Candidate | None:
    best: _Candidate | None = None
    head = sheet.cells.head(HEADER_SEARCH_ROWS)
    for row_number, row in head.iterrows():
        cells = {pos: clean_text(str(v)) for pos, v in enumerate(row) if pd.notna(v)}
        cells = {pos: text for pos, text in cells.items() if text}
        if len(cells) < 2:
            continue
        for kind in kinds:
            candidate = _score(kind, cells, mapping)
            if candidate and (best is None or candidate.score > best.score):
                candidate.row = int(row_number)
                best = candidate
    return best


def shape(
    sheet: Sheet,
    file_name: str,
    kind_name: str | None,
    store_free_text: bool,
    mapping: dict[str, str] | None = None,
) -> Shaped:
    kinds = [KINDS[kind_name]] if kind_name else list(KINDS.values())
    candidate = find_table(sheet, kinds, mapping)
    if candidate is None:
        raise Refused(file_name, _no_table_message(sheet, kind_name), code="no-table")
    kind = candidate.kind
    header = sheet.cells.loc[candidate.row]
    data = sheet.cells.loc[candidate.row + 1 :]
    matched = dict(candidate.matched)
    columns, period_positions, question_positions, year_position = _describe_columns(
        kind, header, data, matched, candidate.periods, candidate.across, candidate.categories
    )
    shaped = Shaped(kind, sheet.name, candidate.row, columns, pd.DataFrame(), not kind_name)
    category_positions = candidate.categories
    used = {
        c.position: c.field
        for c in columns
        if c.field and c.field != "question" and c.position not in category_positions
    }
    records = pd.DataFrame({name: data[pos] for pos, name in used.items()}, index=data.index)
    records["_row"] = data.index
    breakdowns = [c.position for c in columns if c.breakdown]
    kept_apart = [c.position for c in columns if c.breakdown or c.unknown]
    if kind.sum_duplicates and kept_apart:
        # Rows on one key that differ here are breakdown cells added up, not one row twice.
        cells = [data[p].astype("object").fillna("").astype(str) for p in kept_apart]
        records["_breakdown"] = cells[0].str.cat(cells[1:], sep="\x1f")
    if year_position is not None:
        financial = normalise_header(str(header[year_position])) in FINANCIAL_YEAR_HEADERS
        records = _combine_year(records, data[year_position], financial)
    positions = [*used, *period_positions, *category_positions, *question_positions, *breakdowns]
    filled = data[positions].notna().sum(axis=1)
    value = kind.value_field.name if kind.value_field else None
    # Every label in the row counts, summed-over ones too: 'Gender: Total' marks a subtotal.
    label_positions = [
        p
        for p in data.columns
        if p not in period_positions
        and p not in category_positions
        and p not in question_positions
        and used.get(p) != value
    ]
    records, shaped.note_rows, total_rows = _drop_notes_and_totals(
        records, data[label_positions], filled
    )
    shaped.subtotal_rows = len(total_rows)
    kept = data if records.index.equals(data.index) else data.loc[records.index]
    shaped.totals = _check_totals(
        kind,
        header,
        data.loc[total_rows],
        kept,
        columns,
        category_positions or period_positions,
        candidate.across,
    )
    data = kept  # a copy of every cell only when a row was dropped
    shaped.unknown_cells = {c.position: data[c.position] for c in columns if c.unknown}
    if period_positions:
        shaped.wide, shaped.across = True, "period"
        records = _melt_periods(kind, records, data, header, period_positions)
    if category_positions:
        shaped.wide, shaped.across = True, candidate.across
        records, shaped.suppressed = _melt_categories(
            kind, candidate.across, records, data, header, category_positions
        )
    if kind.wide_questions:
        records, shaped.free_text_questions = _melt_questions(
            records, data, header, question_positions, store_free_text, columns
        )
    shaped.records = records
    shaped.own_text = _own_text(sheet, candidate.row, columns, kind)
    return shaped


def _own_text(sheet: Sheet, header_row: int, columns: list[ColumnUse], kind: Kind):
    """What the file says about its table outside the cells: title rows, the sheet's name and
    the header of its figures ('NRM referrals')."""
    found = [
        (f"row {int(number)}", text)
        for number, row in sheet.cells.loc[: header_row - 1].iterrows()
        if (text := " ".join(clean_text(str(v)) for v in row.dropna()).strip())
    ]
    found.append(("the sheet's name", sheet.name))
    value = kind.value_field.name if kind.value_field else None
    found += [(f"column '{c.header}'", c.header) for c in columns if c.stored and c.field == value]
    return found


def _describe_columns(kind, header, data, matched, periods, across=None, categories=()):
    identifiers = {i.name for i in kind.identifiers}
    ignored = {normalise_header(h) for h in kind.ignored}
    breakdowns = {normalise_header(h) for h in kind.breakdowns}
    columns: list[ColumnUse] = []
    period_positions: list[int] = []
    question_positions: list[int] = []
    year_position = None
    for position, text in header.items():
        position = int(position)
        header_text = clean_text(str(text)) if pd.notna(text) else ""
        key = normalise_header(header_text)
        if position in matched:
            name = matched[position]
            note = PERSONAL if name in identifiers else "stored"
            if name in RESPONDENT_AND_WAVE:
                note = "used for the respondent and the wave, not stored"
            columns.append(ColumnUse(header_text, position, name, note))
        elif position in periods:
            period_positions.append(position)
            columns.append(ColumnUse(header_text, position, "period", "figures for this period"))
        elif position in categories:
            note = f"figures for this {kind.field(across).in_words}"
            columns.append(ColumnUse(header_text, position, across, note))
        elif not header_text:
            if data[position].notna().any():
                columns.append(
                    ColumnUse(
                        f"(column {position + 1})", position, None, "not stored: it has no header"
                    )
                )
        elif key in YEAR_HEADERS and _has(kind, "period"):
            year_position = position
            columns.append(ColumnUse(header_text, position, "period", "year of the period"))
        elif TOTAL_LABEL.match(key):
            columns.append(ColumnUse(header_text, position, None, TOTAL_NOTE))
        elif key in ignored:
            columns.append(ColumnUse(header_text, position, None, "not stored (not needed)"))
        elif key in breakdowns:
            note = "not stored: a breakdown the dashboard does not keep, its cells added up"
            columns.append(ColumnUse(header_text, position, None, note, breakdown=True))
        elif kind.wide_questions:
            question_positions.append(position)
            columns.append(ColumnUse(header_text, position, "question", "stored as a question"))
        else:
            note = UNKNOWN
            if lookalike := lookalike_note(header_text, position):
                note += f" ({lookalike})"
            columns.append(ColumnUse(header_text, position, None, note, unknown=True))
    return columns, period_positions, question_positions, year_position


def _has(kind: Kind, name: str) -> bool:
    return any(f.name == name for f in kind.fields)


def _combine_year(records: pd.DataFrame, years: pd.Series, financial: bool) -> pd.DataFrame:
    """'Year' and 'Quarter' (or 'Month') columns as one period: 2022 + Q2 -> '2022 Q2'."""
    years = years.map(lambda v: clean_text(str(v)) if pd.notna(v) else None).astype("object")
    if financial:  # '2023' under 'Financial year' is 2022/23 or 2023/24: not for us to guess
        single = years.str.fullmatch(r"\d{4}", na=False)
        years = years.where(~single, years + " (which financial year?)")
    if "period" not in records:
        records["period"] = years
        return records
    period = records["period"].astype("object")
    bare_quarter = period.str.fullmatch(r"\s*(?i:q(?:uarter)?\s*)?[1-4]\s*", na=False)
    digits = period.str.extract(r"([1-4])\s*$", expand=False)
    # 'May', or 'Jan to Mar' as the Home Office writes a quarter
    is_month = period.str.fullmatch(r"\s*[A-Za-z]{3,9}(\s*(-|to)\s*[A-Za-z]{3,9})?\s*", na=False)
    records["period"] = [
        f"{year} Q{digit}"
        if quarter and year is not None
        else f"{text} {_calendar_year(text, year)}"
        if month and year is not None
        else text
        for text, year, digit, quarter, month in zip(
            period, years, digits, bare_quarter, is_month & years.notna(), strict=True
        )
    ]
    # A year column that says "Total" marks a subtotal row, as a quarter column would.
    records["period"] = records["period"].where(~years.str.match(r"(?i)total", na=False), years)
    return records


_FINANCIAL_YEAR = re.compile(r"(\d{4})\s*[/-]\s*(\d{2}|\d{4})")


def _calendar_year(month: str, year: str) -> str:
    """The calendar year of a month in a year column: May in 2023/24 is May 2023, January 2024."""
    if not (found := _FINANCIAL_YEAR.fullmatch(year)):
        return year
    first_month = MONTHS.get(month.strip().casefold()[:3], 0)
    return str(int(found[1]) + (1 if 0 < first_month < 4 else 0))


def _melt_periods(kind, records, data, header, positions) -> pd.DataFrame:
    value = kind.value_field.name
    frames = []
    for position in positions:
        part = records.copy()
        part["period"] = clean_text(str(header[position]))
        part[value] = data[position].to_numpy()
        part["_column"] = clean_text(str(header[position]))
        if value and kind.value_field.type == "count":
            part[value] = part[value].fillna("0")
        else:  # a blank figure (a measure) is one not reported for that period, not a zero
            part = part[part[value].notna()]
        frames.append(part)
    return pd.concat(frames, ignore_index=True)


def _melt_categories(kind, name, records, data, header, positions):
    """One row per cell of a categories-across table: its column's header is the value of
    `name` (read as a category when validated), the cell its count. A blank cell is a zero; a
    suppressed one ('[x]', '[c]', '..') is left out and listed when the kind skips them, else
    left to be reported."""
    value = kind.value_field.name
    frames, suppressed = [], []
    for position in positions:
        heading = clean_text(str(header[position]))
        part = records.copy()
        part[name] = heading
        part[value] = data[position].fillna("0").to_numpy()
        part["_column"] = heading
        if kind.skips_suppressed:
            marks = part[value].map(lambda cell: clean_text(str(cell)).casefold())
            hidden = marks.isin(SUPPRESSION_MARKS)
            suppressed += [
                (int(row), heading, clean_text(str(cell)))
                for row, cell in zip(part.loc[hidden, "_row"], part.loc[hidden, value], strict=True)
            ]
            part = part[~hidden]
        frames.append(part)
    suppressed.sort()
    return pd.concat(frames, ignore_index=True), suppressed


FREE_TEXT_HINT = re.compile(
    r"\b(comments?|please (specify|explain|describe|tell)|anything else|why|other \(please)",
    re.IGNORECASE,
)
# A question asking who the respondent is: "What is your name?", "Name", "Your work email
# address", "Staff number". "Do you know how to name a concern?" asks no name: a bare "name"
# only counts as the whole question or as "your name" / "name of the respondent".
PERSONAL_QUESTION = re.compile(
    r"^(your )?((full|first|last|sur) ?)?names?$"
    r"|\byour (\w+ )?((full|first|last|sur) ?)?names?\b"
    r"|\bnames? of (the )?(respondent|person|staff member|employee|member of staff)\b"
    r"|\b(full|first|last|sur|fore|given|family) ?names?\b"
    r"|\be ?mail\b|\bcontact (details|number)\b|\b(tele)?phone\b|\bmobile( number)?\b"
    r"|\b(staff|employee|payroll) (number|no|id)\b|\binitials\b",
)
EMAIL_ADDRESS = re.compile(r"[^\s@;,<>()]+@[^\s@;,<>()]+\.[a-z]{2,}", re.IGNORECASE)
# Answers unique per respondent identify them (a name, a staff number typed in) whatever the
# question says: among this many answers or more, ...
UNIQUE_MIN_ANSWERS = 10
# ... more than this share of distinct answers is one per person.
UNIQUE_SHARE = 0.9
# A closed question (Likert, yes/no, pick from a list) offers at most this many options ...
MOST_OPTIONS = 12
# ... and typed answers vary: above this share of distinct answers respondents wrote their own.
VARIED_SHARE = 0.3
# Typed sentences are long: option labels are shorter than this (median, in characters).
LONG_ANSWER = 40
PERSONAL_NOTE = "not stored: personal data"
FREE_TEXT_NOTE = "not stored: free text"


def _melt_questions(records, data, header, positions, store_free_text, columns):
    frames, free_text = [], []
    notes = {column.position: column for column in columns}
    for position in positions:
        question = clean_text(str(header[position]))
        answers = data[position]
        given = answers.dropna().astype(str)
        split = _how_options_are_joined(given)
        options = map_distinct(given, split).explode() if split else given
        options = options.map(clean_text)
        options = options[options != ""]
        if _is_personal(question, options):
            notes[position].field, notes[position].note = None, PERSONAL_NOTE
            continue
        if _is_free_text(question, options):
            free_text.append(question)
            if not store_free_text:
                notes[position].field, notes[position].note = None, FREE_TEXT_NOTE
                continue
        part = records.copy()
        part["question"] = question
        part["answer"] = answers.to_numpy()
        part["_column"] = question
        if split:
            part["answer"] = map_distinct(part["answer"], split)
            part = part.explode("answer", ignore_index=True)
        frames.append(part)
    if not frames:
        return records.iloc[0:0].assign(question=None, answer=None, _column=None), free_text
    long = pd.concat(frames, ignore_index=True)
    long["answer"] = long["answer"].map(lambda a: clean_text(a) if isinstance(a, str) else None)
    return long[long["answer"].fillna("") != ""], free_text


def _how_options_are_joined(given: pd.Series) -> Callable[[str], list[str]] | None:
    """How a cell holding several chosen options splits into them, or None (one per cell).

    Microsoft Forms ends each option with ';'. Google Forms joins them with ', ', and an option's
    own text may hold a comma ('Yes, I know how'): a cell is split only into options some
    respondent gave whole, alone in a cell of the same column ('Posters, Training' when 'Posters'
    and 'Training' are answers too); any other cell is one answer, as written."""
    if given.str.rstrip().str.endswith(";").any():
        return lambda cell: cell.split(";")
    whole = {clean_text(answer) for answer in given.unique()}
    if not any(GOOGLE_JOIN in answer for answer in whole):
        return None
    return lambda cell: _options_given_whole(clean_text(cell), whole) or [cell]


GOOGLE_JOIN = ", "


def _options_given_whole(cell: str, whole: set[str]) -> list[str] | None:
    """`cell` as two or more answers of `whole` joined by ', ', else None. The shortest answers
    are taken first: another respondent's whole cell may join several options too."""
    pieces = cell.split(GOOGLE_JOIN)
    # after[i]: pieces[i:] as answers of `whole`, or None when they cannot be
    after: list[list[str] | None] = [None] * len(pieces) + [[]]
    for start in reversed(range(len(pieces))):
        for end in range(start + 1, len(pieces) + 1):
            option = GOOGLE_JOIN.join(pieces[start:end])
            if option in whole and after[end] is not None and (start, end) != (0, len(pieces)):
                after[start] = [option, *after[end]]
                break
    return after[0]


def _is_personal(question: str, answers: pd.Series) -> bool:
    """A question asking for a name or contact, an answer holding an e-mail address, or
    answers unique per respondent: never stored, whatever `store_free_text` says."""
    if PERSONAL_QUESTION.search(normalise_header(question)):
        return True
    if answers.str.contains(EMAIL_ADDRESS).any():
        return True
    distinct = answers.str.casefold().nunique()
    return len(answers) >= UNIQUE_MIN_ANSWERS and distinct > UNIQUE_SHARE * len(answers)


def _is_free_text(question: str, answers: pd.Series) -> bool:
    """Typed answers, not options chosen: they can name people or say who wrote them."""
    if FREE_TEXT_HINT.search(question):
        return True
    if answers.empty:
        return False
    distinct = answers.str.casefold().nunique()
    varied = distinct > VARIED_SHARE * len(answers)
    return varied and (distinct > MOST_OPTIONS or answers.str.len().median() > LONG_ANSWER)


def _drop_notes_and_totals(
    records: pd.DataFrame, labels: pd.DataFrame, filled: pd.Series
) -> tuple[pd.DataFrame, int, int]:
    """Drop blank rows, stray notes (one cell filled) and publisher total rows."""
    is_blank = filled == 0
    is_note = ~is_blank & (filled < 2)
    is_total = pd.Series(False, index=records.index)
    for position in labels.columns:
        column = labels[position]
        # Only cells that could say "total" are looked at closely (a vectorised first pass).
        maybe = column.str.contains(_TOTAL_WORDS, case=False, na=False) | ~column.str.isascii()
        maybe = maybe.fillna(False).astype(bool)
        if maybe.any():
            found = map_distinct(column[maybe], _is_total_label).fillna(False).astype(bool)
            is_total[found.index[found.to_numpy()]] = True
    keep = ~is_blank & ~is_note & ~is_total
    kept = records if keep.all() else records[keep]
    return kept, int((is_note & ~is_total).sum()), list(records.index[is_total & ~is_blank])


def _check_totals(kind, header, total_rows, data, columns, across_positions, across):
    """The publisher's Total rows and columns against the cells they total (before they go)."""
    headers = {c.position: c.header for c in columns}
    totals = [c.position for c in columns if c.note == TOTAL_NOTE] if across_positions else []
    value = kind.value_field.name if kind.value_field else None
    counts = [c.position for c in columns if c.field == value and c.stored]
    figures = across_positions or counts[:1]
    if not figures:
        return TotalsCheck()
    unknown = [c.position for c in columns if c.unknown]
    in_words = kind.field(across).in_words if across and across != "period" else ""
    return publisher_totals.check(data, total_rows, headers, figures, totals, unknown, in_words)


_MAYBE_TOTAL = re.compile(r"\s*(total|grand|sub|all\b)", re.IGNORECASE)
_TOTAL_WORDS = "total|grand|sub|all"  # what every label _MAYBE_TOTAL matches has, in ASCII


def _is_total_label(text: str) -> bool:
    if not _MAYBE_TOTAL.match(text):
        return False
    key = normalise_header(text)
    return bool(TOTAL.match(key) or (TOTAL_LABEL.match(key) and key.count(" ") < 3))


def header_texts(sheet: Sheet) -> list[str]:
    """The likely header near the top: the recognised one, else the widest row."""
    found = find_table(sheet, list(KINDS.values()))
    head = sheet.cells.head(HEADER_SEARCH_ROWS)
    if found is not None:
        row = head.loc[found.row]
    else:
        filled = head.notna().sum(axis=1)
        if not len(head) or filled.max() == 0:
            return []
        row = head.loc[filled.idxmax()]
    return [clean_text(str(v)) for v in row if pd.notna(v) and clean_text(str(v))]


LOOKALIKE_SCRIPTS = ("CYRILLIC", "GREEK")


def lookalike_note(header: str, position: int) -> str | None:
    """A header that mixes Latin letters with Cyrillic or Greek ones (which often look alike,
    'С' and 'C') reads right but matches nothing: name those letters, or None."""
    if not re.search("[A-Za-z]", header):
        return None
    letters, scripts = [], []
    for letter in header:
        script = unicodedata.name(letter, "").split(" ")[0]
        if script in LOOKALIKE_SCRIPTS and letter.isalpha():
            letters += [letter] if letter not in letters else []
            scripts += [script.title()] if script.title() not in scripts else []
    if not letters:
        return None
    return (
        f"'{header}' (column {column_letters(position + 1)}) contains "
        + ", ".join(f"'{letter}'" for letter in letters)
        + f": {' and '.join(scripts)} letters that look like Latin ones. Retype the header."
    )


def _no_table_message(sheet: Sheet, kind_name: str | None) -> str:
    # The widest row near the top is the likely header; title rows above it fill one cell.
    head = sheet.cells.head(HEADER_SEARCH_ROWS)
    filled = head.notna().sum(axis=1)
    first = head.loc[[filled.idxmax()]] if len(head) and filled.max() > 0 else head.iloc[0:0]
    found = (
        f"row {first.index[0]}: "
        + ", ".join(f"'{clean_text(str(v))}'" for v in first.iloc[0].dropna())
        if len(first)
        else ""
    )
    searched = (
        f" Only the first {HEADER_SEARCH_ROWS} rows are searched for the header, so it must be "
        "within them."
    )
    lookalikes = [
        note
        for position, value in (first.iloc[0].dropna().items() if len(first) else ())
        if (note := lookalike_note(clean_text(str(value)), int(position)))
    ]
    searched += "".join(" " + note for note in lookalikes)
    if kind_name:
        kind = KINDS[kind_name]
        wanted = ", ".join(
            f"'{f.name.replace('_', ' ')}'"
            for f in kind.fields
            if f.required and f.type != "period"
        )
        return (
            f"No header row for {kind.in_a_sentence} was found in sheet '{sheet.name}' "
            f"(looked for columns such as {wanted}; the columns found are in {found})." + searched
        )
    names = ", ".join(KINDS)
    return (
        f"The columns in sheet '{sheet.name}' do not match any kind of spreadsheet the "
        f"dashboard knows ({names}). The columns found are in {found or 'no row'}. "
        "Check it is the right file, or choose the kind and map the columns." + searched
    )
