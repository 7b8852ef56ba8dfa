"""Referral counts: the real Home Office tables, council crosstabs and tidy extracts, periods
that may not overlap, supersession and rollback. Every expected figure is computed here from
the file itself (the publisher's own Total rows, or the builder's rows), never typed in."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import builders
import pytest
from conftest import REAL, needs_shared, query, snapshot

from cams_data import upload_flow
from cams_data.ingest import Upload, UploadRequest, ingest, rollback
from cams_data.problems import Refused
from cams_data.validate import Options

NRM_FILE = REAL / "nrm_local_authority_real.csv"
DTN_FILE = REAL / "nrm_duty_to_notify_longitudinal_real.csv"
NRM_OPTIONS = {
    "geography": "Essex Police force area",
    "period": "2022 Q2",
    "referral_type": "NRM referral",
}
DTN_OPTIONS = {"geography": "England and Wales", "referral_type": "Duty to Notify"}
DIMENSIONS = ("Exploitation type", "Age at exploitation", "Gender", "Nationality")

# The NRM's own spellings -> the canonical categories of the view (issue 3).
NRM_EXPLOITATION = {
    "Labour": "Labour",
    "Sexual": "Sexual",
    "Criminal": "Criminal",
    "Domestic": "Domestic servitude",
    "Organ harvesting": "Organ harvesting",
    "Not specified or unknown": "Not specified or unknown",
}
NRM_AGE = {
    "Adult (18 or over)": "Adult",
    "Child (17 or under)": "Child",
    "Not specified or unknown": "Not specified",
}
TEXT_COLUMNS = ("geography", "referral_type", "exploitation_type", "age_group", "referring_agency")


def load(path: Path, db: Path, **options: str) -> Upload:
    path = Path(path)
    return ingest(UploadRequest(path.read_bytes(), path.name, db=db, options=Options(**options)))


def canonical_exploitation(nrm: str) -> str:
    """'Labour & Criminal', 'Labour, Domestic & Criminal' name several types: Multiple."""
    if "&" in nrm or "," in nrm:
        return "Multiple"
    return NRM_EXPLOITATION[nrm]  # a KeyError here means the file has a spelling we never saw


def grouped(db: Path, column: str, where: str = "true", params=None) -> dict:
    rows = query(
        db,
        f"SELECT {column}, sum(referrals) FROM referrals WHERE {where} GROUP BY 1",
        params,
    )
    return {key: int(total) for key, total in rows}


def total(db: Path, where: str = "true", params=None) -> int:
    return int(
        query(db, f"SELECT coalesce(sum(referrals), 0) FROM referrals WHERE {where}", params)[0][0]
    )


# ---------------------------------------------------------------------------------------------
# The real NRM table: Essex Police, April-June 2022, long with publisher subtotals
# ---------------------------------------------------------------------------------------------


def nrm_publisher_rows() -> list[dict[str, str]]:
    with NRM_FILE.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def publisher_totals(rows: list[dict[str, str]], *, by: tuple[str, ...]) -> dict:
    """The publisher's Total rows that break the figures down by `by` only: those dimensions
    hold a value, every other dimension says 'Total'."""
    out: dict = {}
    for row in rows:
        if all((row[d] != "Total") == (d in by) for d in DIMENSIONS):
            key = tuple(row[d] for d in by)
            assert key not in out, f"two publisher Total rows for {key}"
            out[key] = int(row["People"])
    return out


@needs_shared
def test_real_nrm_table_loads_as_published_and_matches_its_total_rows(db):
    rows = nrm_publisher_rows()
    grand = publisher_totals(rows, by=())[()]
    assert grand == 45  # the published figure for Essex Police, Apr-Jun 2022

    by_type: Counter[str] = Counter()
    for (nrm_type,), people in publisher_totals(rows, by=("Exploitation type",)).items():
        by_type[canonical_exploitation(nrm_type)] += people
    # The publisher gives age only within each exploitation type (gender and nationality
    # Total): those rows, summed over the types, are the totals by age.
    by_type_and_age = publisher_totals(rows, by=("Exploitation type", "Age at exploitation"))
    by_age: Counter[str] = Counter()
    by_pair: Counter[tuple[str, str]] = Counter()
    for (nrm_type, age), people in by_type_and_age.items():
        by_age[NRM_AGE[age]] += people
        by_pair[(canonical_exploitation(nrm_type), NRM_AGE[age])] += people
    assert sum(by_type.values()) == grand
    assert sum(by_age.values()) == grand
    assert "Multiple" in by_type and "Domestic servitude" in by_type  # the mapping is exercised

    upload = load(NRM_FILE, db, **NRM_OPTIONS)

    assert upload.status == "loaded" and upload.kind == "referrals"
    assert upload.subtotal_rows > 0  # the publisher's Total rows were seen and left out
    assert total(db) == grand
    # Every row below the totals is a cell of the gender, nationality and combined-type
    # breakdowns, added up into the stored figures; none is the same row twice.
    detail = [r for r in rows if "Total" not in r.values()]
    assert upload.duplicates_folded == 0
    assert upload.breakdown_cells_added == len(detail)
    assert upload.breakdown_sums == upload.rows_loaded
    assert upload.breakdowns == [
        "First responder type",
        "Gender",
        "Nationality",
        "Exploitation type (combinations stored as Multiple)",
    ]
    assert grouped(db, "exploitation_type") == dict(by_type)
    assert grouped(db, "age_group") == dict(by_age)
    pairs = query(
        db, "SELECT exploitation_type, age_group, sum(referrals) FROM referrals GROUP BY 1, 2"
    )
    assert {(t, a): int(n) for t, a, n in pairs} == {k: v for k, v in by_pair.items() if v}
    assert query(
        db,
        "SELECT DISTINCT period_start, period_months, geography, referral_type, "
        "referring_agency FROM referrals",
    ) == [(dt.date(2022, 4, 1), 3, "Essex Police force area", "NRM referral", "Essex Police")]
    for column in TEXT_COLUMNS:
        found = query(
            db, f"SELECT count(*) FROM referrals_rows WHERE lower({column}) LIKE '%total%'"
        )[0][0]
        assert found == 0, f"a 'Total' was stored in {column}"


@needs_shared
def test_real_nrm_table_without_a_period_is_refused_and_nothing_changes(db):
    load(DTN_FILE, db, **DTN_OPTIONS)  # so there is a database to leave untouched
    before = snapshot(db)
    options = {k: v for k, v in NRM_OPTIONS.items() if k != "period"}

    with pytest.raises(Refused) as refused:
        load(NRM_FILE, db, **options)

    message = str(refused.value)
    assert NRM_FILE.name in message
    assert "period" in message and "give it at upload" in message and "--period" in message
    assert snapshot(db) == before


# ---------------------------------------------------------------------------------------------
# The real Duty to Notify table: Year, Quarter, Total; each year's Total row before its quarters
# ---------------------------------------------------------------------------------------------


def dtn_publisher_rows() -> tuple[dict[int, int], dict[tuple[int, int], int]]:
    years: dict[int, int] = {}
    quarters: dict[tuple[int, int], int] = {}
    with DTN_FILE.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            year, quarter, count = int(row["Year"]), row["Quarter"].strip(), int(row["Total"])
            if quarter == "Total":
                years[year] = count
            else:
                quarters[(year, int(quarter.removeprefix("Q")))] = count
    return years, quarters


@needs_shared
def test_real_duty_to_notify_table_matches_each_years_total_row(db):
    years, quarters = dtn_publisher_rows()
    assert len(years) >= 5 and len(quarters) >= 4 * (len(years) - 2)

    upload = load(DTN_FILE, db, **DTN_OPTIONS)

    assert upload.status == "loaded"
    assert upload.subtotal_rows == len(years)
    assert upload.rows_loaded == len(quarters)
    stored_years = query(
        db, "SELECT year(period_start), sum(referrals) FROM referrals GROUP BY 1 ORDER BY 1"
    )
    assert {y: int(n) for y, n in stored_years} == years
    # Home Office quarters are calendar quarters: Q1 is January-March.
    stored = query(db, "SELECT period_start, period_months, referrals FROM referrals")
    assert {start: n for start, _, n in stored} == {
        dt.date(year, 3 * (q - 1) + 1, 1): n for (year, q), n in quarters.items()
    }
    assert {months for _, months, _ in stored} == {3}
    assert query(db, "SELECT referrals FROM referrals WHERE period_start = DATE '2016-01-01'") == [
        (quarters[(2016, 1)],)
    ]
    assert query(
        db,
        "SELECT DISTINCT geography, referral_type, exploitation_type, age_group, "
        "referring_agency FROM referrals",
    ) == [
        (
            "England and Wales",
            "Duty to Notify",
            "Not specified or unknown",
            "Not specified",
            "Not specified",
        )
    ]


@needs_shared
def test_local_figures_never_mix_with_national_ones(db, tmp_path):
    years, _ = dtn_publisher_rows()
    nrm_grand = publisher_totals(nrm_publisher_rows(), by=())[()]
    crosstab, expected = builders.referral_crosstab(tmp_path / "colchester_referrals.xlsx")

    load(NRM_FILE, db, **NRM_OPTIONS)
    load(DTN_FILE, db, **DTN_OPTIONS)
    local = load(crosstab, db)  # no geography given: the configured default, Colchester

    assert local.status == "loaded"
    assert total(db, "geography = 'Colchester'") == expected["total"]
    assert grouped(db, "geography") == {
        "Colchester": expected["total"],
        "Essex Police force area": nrm_grand,
        "England and Wales": sum(years.values()),
    }


# ---------------------------------------------------------------------------------------------
# A council crosstab: types down, months across, Total row and column, blanks, a note below
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "month_headers", "formulas"),
    [
        ("xlsx", "text", False),
        ("xlsx", "dates", False),
        ("xlsx", "text", True),
        ("csv", "text", False),
        ("ods", "dates", False),
        ("xls", "dates", False),
    ],
)
def test_crosstab_totals_by_month_and_type(db, tmp_path, fmt, month_headers, formulas):
    path, expected = builders.referral_crosstab(
        tmp_path / f"referrals.{fmt}", fmt=fmt, month_headers=month_headers, formulas=formulas
    )

    upload = load(path, db)

    assert upload.status == "loaded" and upload.kind == "referrals" and upload.kind_detected
    assert total(db) == expected["total"]  # neither the Total column nor the Total row counted
    by_month = grouped(db, "strftime(period_start, '%Y-%m')")
    assert by_month == expected["by_month"]
    assert grouped(db, "exploitation_type") == expected["by_type"]
    assert upload.subtotal_rows == 1
    total_column = [c for c in upload.columns if c.header == "Total"]
    assert len(total_column) == 1 and not total_column[0].stored
    assert query(db, "SELECT DISTINCT period_months, geography, referral_type FROM referrals") == [
        (1, "Colchester", "Other")
    ]
    for column in TEXT_COLUMNS:
        assert query(
            db, f"SELECT count(*) FROM referrals WHERE lower({column}) LIKE '%total%'"
        ) == [(0,)]


# ---------------------------------------------------------------------------------------------
# A tidy extract in cp1252 with spelling variants that fold onto one key
# ---------------------------------------------------------------------------------------------

REFERRAL_SPELLINGS = {
    "nrm": "NRM referral",
    "duty to notify (ms1)": "Duty to Notify",
    "duty to notify": "Duty to Notify",
}


def test_tidy_cp1252_csv_folds_spellings_and_adds_up(db, tmp_path):
    path, expected = builders.referral_tidy(tmp_path / "referrals_tidy.csv")
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really cp1252, as Excel saves plain CSV
    header = expected["header"]
    by_referral_type: Counter[str] = Counter()
    agencies: set[str] = set()
    spellings: set[str] = set()
    with path.open(encoding="cp1252", newline="") as handle:
        for row in csv.DictReader(handle):
            if row[header[0]] == "Total":
                continue
            count = int(row[header[5]].replace(",", ""))
            by_referral_type[REFERRAL_SPELLINGS[row[header[1]].casefold()]] += count
            spellings.add(row[header[1]])
            agencies.add(row[header[4]].replace("\u2019", "'"))  # typographic quotes made plain

    assert {"NRM", "Duty to Notify (MS1)"} <= spellings  # the variants are really in the file

    upload = load(path, db)

    assert upload.status == "loaded"
    assert upload.rows_loaded == expected["rows_after_folding"]
    assert upload.duplicates_folded == expected["rows_in_file"] - expected["rows_after_folding"]
    assert upload.subtotal_rows == 1
    assert total(db) == expected["total"]
    assert grouped(db, "strftime(period_start, '%Y-%m-%d')") == expected["by_quarter"]
    assert query(db, "SELECT count(*) FROM referrals") == [(expected["rows_after_folding"],)]
    assert grouped(db, "exploitation_type") == expected["by_exploitation"]
    assert grouped(db, "referral_type") == dict(by_referral_type)
    assert {r[0] for r in query(db, "SELECT DISTINCT referring_agency FROM referrals")} == agencies
    assert "Barnardo's" in agencies  # byte 0x92 read as cp1252's right quote, not mojibake
    assert query(db, "SELECT DISTINCT period_months, geography FROM referrals") == [
        (3, "Colchester")
    ]


# ---------------------------------------------------------------------------------------------
# Periods: a month is counted monthly or in a quarter, never both
# ---------------------------------------------------------------------------------------------

TIDY_HEADER = [
    "Referral type",
    "Type of exploitation",
    "Age group",
    "First responder",
    "Number of referrals",
]


def tidy_file(path: Path, period_header: str, rows: list[list]) -> Path:
    return builders.write_csv(path, [[period_header, *TIDY_HEADER], *rows])


def monthly_rows(agency: str = "Agency X") -> list[list]:
    return [
        ["Apr-25", "NRM", "Criminal", "Child", agency, 2],
        ["Apr-25", "NRM", "Labour", "Adult", agency, 1],
        ["May-25", "NRM", "Criminal", "Child", agency, 3],
        ["May-25", "NRM", "Labour", "Adult", agency, 4],
        ["Jun-25", "NRM", "Sexual", "Adult", agency, 5],
    ]


def test_quarter_overlapping_monthly_rows_is_refused_naming_the_upload(db, tmp_path):
    monthly = tidy_file(tmp_path / "monthly_apr_jun.csv", "Month", monthly_rows())
    first = load(monthly, db)
    assert first.status == "loaded"
    before = snapshot(db)
    quarterly = tidy_file(
        tmp_path / "quarter_q1.csv",
        "Quarter",
        [["2025/26 Q1", "NRM referral", "Criminal", "Child", "Agency X", 9]],
    )

    with pytest.raises(Refused) as refused:
        load(quarterly, db)

    message = str(refused.value)
    assert refused.value.code == "overlapping-periods"
    assert f"upload {first.upload_id} ({monthly.name})" in message
    assert "quarter" in message and "month" in message
    assert snapshot(db) == before


@pytest.mark.parametrize(
    ("agency", "options"),
    [("Agency Y", {}), ("Agency X", {"geography": "Essex Police force area"})],
    ids=["other agency", "other geography"],
)
def test_quarter_for_another_series_loads_beside_monthly_rows(db, tmp_path, agency, options):
    monthly = tidy_file(tmp_path / "monthly_apr_jun.csv", "Month", monthly_rows())
    load(monthly, db)
    monthly_total = total(db)
    quarterly = tidy_file(
        tmp_path / "quarter_q1.csv",
        "Quarter",
        [["2025/26 Q1", "NRM referral", "Criminal", "Child", agency, 9]],
    )

    upload = load(quarterly, db, **options)

    assert upload.status == "loaded" and upload.rows_superseded == 0
    assert total(db) == monthly_total + 9
    assert grouped(db, "period_months") == {1: monthly_total, 3: 9}


# ---------------------------------------------------------------------------------------------
# Supersession and rollback
# ---------------------------------------------------------------------------------------------


def view_contents(db: Path) -> list[tuple]:
    return query(db, "SELECT * FROM referrals ORDER BY ALL")


def test_corrected_month_replaces_only_its_keys_and_rollback_restores(db, tmp_path):
    rows = monthly_rows()
    first = load(tidy_file(tmp_path / "apr_jun.csv", "Month", rows), db)
    before = view_contents(db)
    correction = [
        ["May-25", "NRM", "Criminal", "Child", "Agency X", 7],  # was 3
        ["May-25", "NRM", "Sexual", "Child", "Agency X", 1],  # a key May did not have
    ]

    second = load(tidy_file(tmp_path / "may_corrected.csv", "Month", correction), db)

    assert second.status == "loaded"
    assert second.rows_superseded == 1 and second.superseded_uploads == [first.upload_id]
    stored = {
        (start.month, exploitation, age): (n, upload_id)
        for start, exploitation, age, n, upload_id in query(
            db,
            "SELECT period_start, exploitation_type, age_group, referrals, upload_id "
            "FROM referrals",
        )
    }
    kept = {
        (dt.datetime.strptime(m, "%b-%y").month, e, a): (n, first.upload_id)
        for m, _, e, a, _, n in rows
        if not (m == "May-25" and e == "Criminal")
    }
    assert stored == {
        **kept,
        (5, "Criminal", "Child"): (7, second.upload_id),
        (5, "Sexual", "Child"): (1, second.upload_id),
    }
    first_total = sum(r[-1] for r in rows)
    assert total(db) == first_total - 3 + 7 + 1

    result = rollback(db, second.upload_id)

    assert result == {"removed": 2, "restored": 1}
    assert view_contents(db) == before
    assert query(db, "SELECT status FROM uploads ORDER BY upload_id") == [
        ("active",),
        ("rolled_back",),
    ]


# ---------------------------------------------------------------------------------------------
# Referral type given at upload when the file lacks it
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("NRM referral", "NRM referral"),
        ("nrm", "NRM referral"),
        ("Duty to Notify (MS1)", "Duty to Notify"),
        ("Duty to Notify", "Duty to Notify"),
        (None, "Other"),
    ],
)
def test_referral_type_given_at_upload_else_other(db, tmp_path, given, stored):
    rows = [["Apr-25", "Criminal", "Child", 2], ["May-25", "Labour", "Adult", 3]]
    path = builders.write_csv(
        tmp_path / "no_type.csv",
        [["Month", "Exploitation type", "Age group", "Number of referrals"], *rows],
    )
    options = {"referral_type": given} if given else {}

    upload = load(path, db, **options)

    assert upload.status == "loaded"
    assert grouped(db, "referral_type") == {stored: sum(r[-1] for r in rows)}
    assert query(db, "SELECT DISTINCT referring_agency FROM referrals") == [("Not specified",)]


def test_unknown_referral_type_at_upload_is_refused(db, tmp_path):
    path = builders.write_csv(
        tmp_path / "no_type.csv",
        [["Month", "Exploitation type", "Number of referrals"], ["Apr-25", "Criminal", 2]],
    )

    with pytest.raises(Refused) as refused:
        load(path, db, referral_type="Banana")

    assert "Banana" in str(refused.value)
    assert not db.exists() or query(db, "SELECT count(*) FROM uploads") == [(0,)]


def test_bad_label_in_a_crosstab_is_refused_at_its_own_cell(db, tmp_path):
    path = builders.write_csv(
        tmp_path / "referrals_bad.csv",
        [
            ["Exploitation type", "Apr-25", "May-25", "Total"],
            ["Labour exploitation", 1, 2, 3],
            ["Wibble", 1, "lots", 1],
            ["Total", 2, 2, 4],
        ],
        title_rows=["Modern slavery referrals"],
    )
    lines = path.read_text(encoding="utf-8").splitlines()
    wibble_row = next(i for i, line in enumerate(lines, start=1) if line.startswith("Wibble"))
    load(builders.referral_crosstab(tmp_path / "good.xlsx")[0], db)
    before = snapshot(db)

    with pytest.raises(Refused) as refused:
        load(path, db)

    where = [(p.row, p.column) for p in refused.value.problems]
    assert where == [(wibble_row, "Exploitation type"), (wibble_row, "May-25")]
    assert "'Wibble'" in refused.value.problems[0].message
    assert "'lots'" in refused.value.problems[1].message
    assert snapshot(db) == before


@pytest.mark.parametrize(
    ("year_header", "year", "second", "expected"),
    [
        ("Year", "2025/26", None, [(dt.date(2025, 4, 1), 12, 6)]),
        ("Financial year", "2024-25", None, [(dt.date(2024, 4, 1), 12, 6)]),
        ("Year", "2025", "Q2", [(dt.date(2025, 4, 1), 3, 6)]),
        ("Financial year", "2025/26", "Q2", [(dt.date(2025, 7, 1), 3, 6)]),
        ("Year", "2025", "May", [(dt.date(2025, 5, 1), 1, 6)]),
    ],
)
def test_a_year_column_alone_or_with_a_quarter_or_month(
    db, tmp_path, year_header, year, second, expected
):
    header = [year_header, "Type of referral", "Exploitation type", "Age", "Referrals"]
    row = [year, "NRM", "Labour", "Adult", 6]
    if second:
        header.insert(1, "Quarter" if second.startswith("Q") else "Month")
        row.insert(1, second)
    path = builders.write_csv(tmp_path / "by_year.csv", [header, row], title_rows=["NRM"])
    ingest(UploadRequest(path.read_bytes(), path.name, db=db))
    assert query(db, "SELECT period_start, period_months, referrals FROM referrals") == expected


def test_erase_deletes_the_rows_for_good_and_brings_back_what_they_replaced(db, tmp_path):
    from cams_data import cli

    first = load(tidy_file(tmp_path / "apr_jun.csv", "Month", monthly_rows()), db)
    before = view_contents(db)
    correction = [["May-25", "NRM", "Criminal", "Child", "Agency X", 7]]
    second = load(tidy_file(tmp_path / "may_corrected.csv", "Month", correction), db)
    assert view_contents(db) != before

    assert cli.main(["erase", str(second.upload_id), "--db", str(db)]) == 0

    assert view_contents(db) == before
    assert query(db, "SELECT count(*) FROM referrals_rows WHERE upload_id = ?",
                 [second.upload_id]) == [(0,)]  # fmt: skip
    assert query(db, "SELECT status, erased_by IS NOT NULL FROM uploads ORDER BY upload_id") == [
        ("active", False),
        ("erased", True),
    ]
    assert query(db, "SELECT action, upload_id, detail FROM audit_log WHERE action = 'erase'") == [
        ("erase", second.upload_id, "referrals: 1 rows deleted")
    ]
    assert cli.main(["erase", str(second.upload_id), "--db", str(db)]) == 1  # already erased
    assert cli.main(["rollback", str(second.upload_id), "--db", str(db)]) == 1
    assert first.status == "loaded"


# ---------------------------------------------------------------------------------------------
# Published tables in the shapes they come in (issue 15): one breakdown, year and quarter
# columns, a 'Total' cell above the header, a Home Office workbook; defaults said, duplicates
# kept apart from breakdown cells added up. Every figure is typed in by hand.
# ---------------------------------------------------------------------------------------------

STORED = (
    "SELECT period_start, period_months, geography, referral_type, exploitation_type, "
    "age_group, referring_agency, referrals FROM referrals ORDER BY ALL"
)
NOT_SPECIFIED = ("Not specified or unknown", "Not specified", "Not specified")


def counts_line(upload: Upload) -> str:
    return next(line for line in upload.summary().splitlines() if line.startswith("Rows read"))


def test_a_table_with_one_breakdown_and_a_total_row_is_added_up(db, tmp_path):
    """The quarter's Duty to Notify table by nationality: `Nationality,Total`, one row per
    nationality and the publisher's Total row, which must never be added to its cells."""
    path = builders.write_csv(
        tmp_path / "dtn_by_nationality.csv",
        [
            ["Nationality", "Total"],
            ["UK", 120],
            ["Albania", 45],
            ["Vietnam", 30],
            ["Albania", 0],  # the same nationality twice: a duplicate, not a breakdown cell
            ["Total", 195],
        ],
    )

    upload = load(
        path, db, period="2023 Q4", geography="England and Wales", referral_type="Duty to Notify"
    )

    assert query(db, STORED) == [
        (dt.date(2023, 10, 1), 3, "England and Wales", "Duty to Notify", *NOT_SPECIFIED, 195)
    ]
    assert (upload.duplicates_folded, upload.breakdown_cells_added, upload.breakdown_sums) == (
        1,
        3,
        1,
    )
    assert counts_line(upload) == (
        "Rows read: 4; rows to store: 1; rows with the same labels added up: 1; breakdown "
        "cells added up (Nationality): 3 into 1; rows with problems skipped: 0; total rows not "
        "counted: 1; notes and blank rows: 0."
    )
    assert [(c.header, c.field if c.stored else None, c.note) for c in upload.columns] == [
        (
            "Nationality",
            None,
            "not stored: a breakdown the dashboard does not keep, its cells added up",
        ),
        ("Total", "referrals", "stored"),
    ]
    assert upload.defaults_note() is None  # everything was given at upload


def test_a_table_with_one_breakdown_and_no_period_is_refused_and_nothing_changes(db, tmp_path):
    load(builders.referral_crosstab(tmp_path / "local.xlsx")[0], db)
    before = snapshot(db)
    path = builders.write_csv(
        tmp_path / "dtn_by_nationality.csv",
        [["Nationality", "Total"], ["UK", 120], ["Albania", 45], ["Total", 165]],
    )

    with pytest.raises(Refused) as refused:
        load(path, db, referral_type="Duty to Notify")

    assert refused.value.message == (
        "The file has no column for period (looked for headers such as 'period', 'month', "
        "'quarter', 'reporting period', 'period covered'). Add the column or give it at upload "
        "(--period)."
    )
    assert snapshot(db) == before


def long_series(tmp_path: Path, year: str = "Year", quarter: str = "Quarter") -> Path:
    """NRM referrals by quarter since 2009, as published: each year's Total row, and a data
    cell saying 'Total' in the breakdown columns of those rows."""
    return builders.write_csv(
        tmp_path / "nrm_referrals_by_quarter.csv",
        [
            [year, quarter, "Age at exploitation", "Location of exploitation", "NRM referrals"],
            [2009, "Q2", "Adult", "UK", 50],
            [2009, "Q2", "Child", "UK", 20],
            [2009, "Q2", "Adult", "Overseas", 10],
            [2009, "Q2", "Adult", "UK and overseas", 2],
            [2009, "Q3", "Adult", "UK", 55],
            [2009, "Q3", "Child", "Overseas", 0],
            [2009, "Total", "Total", "Total", 137],
            [2010, "Q1", "Not specified or unknown", "UK", 7],
            [2010, "Total", "Total", "Total", 7],
        ],
        title_rows=["National Referral Mechanism referrals by quarter, UK, 2009 to 2010"],
    )


def test_a_long_series_takes_its_period_from_year_and_quarter_columns(db, tmp_path):
    """Home Office quarters are calendar quarters (Q1 is January-March); the count header
    'NRM referrals' names the referral type, the title names the area."""
    upload = load(long_series(tmp_path), db)

    assert query(db, STORED) == [
        (dt.date(2009, 4, 1), 3, "UK", "NRM referral", "Not specified or unknown", "Adult",
         "Not specified", 62),
        (dt.date(2009, 4, 1), 3, "UK", "NRM referral", "Not specified or unknown", "Child",
         "Not specified", 20),
        (dt.date(2009, 7, 1), 3, "UK", "NRM referral", "Not specified or unknown", "Adult",
         "Not specified", 55),
        (dt.date(2009, 7, 1), 3, "UK", "NRM referral", "Not specified or unknown", "Child",
         "Not specified", 0),
        (dt.date(2010, 1, 1), 3, "UK", "NRM referral", "Not specified or unknown",
         "Not specified", "Not specified", 7),
    ]  # fmt: skip
    assert total(db, "year(period_start) = 2009") == 137  # the publisher's Total row for 2009
    assert upload.header_row == 3 and upload.subtotal_rows == 2
    summary = upload.summary().splitlines()
    assert summary[3:6] == [
        "Geography UK: named in the file (row 1: 'National Referral Mechanism referrals by "
        "quarter, UK, 2009 to 2010').",
        "Referral type NRM referral: named in the file (row 1: 'National Referral Mechanism "
        "referrals by quarter, UK, 2009 to 2010').",
        "Rows read: 7; rows to store: 5; rows with the same labels added up: 0; breakdown "
        "cells added up (Location of exploitation): 3 into 1; rows with problems skipped: 0; "
        "total rows not counted: 2; notes and blank rows: 0.",
    ]
    as_json = upload.as_dict()
    assert as_json["named_in_file"]["geography"]["value"] == "UK"
    assert as_json["defaults_used"] == {}
    assert (as_json["duplicates_folded"], as_json["breakdown_cells_added"]) == (0, 3)


def test_a_long_series_given_a_period_still_finds_its_header_not_a_total_row(db, tmp_path):
    """The old advice was to give --period: the header search then settled on a data row
    because it said 'Total'. A year-and-quarter file given a period loads the same."""
    load(long_series(tmp_path), db, period="2009 Q2")
    assert total(db) == 137 + 7
    assert grouped(db, "period_start") == {
        dt.date(2009, 4, 1): 82,
        dt.date(2009, 7, 1): 55,
        dt.date(2010, 1, 1): 7,
    }


@pytest.mark.parametrize(
    ("year_header", "year", "second_header", "second", "start"),
    [
        ("Year", "2023", "Quarter", "Q1", dt.date(2023, 1, 1)),  # calendar: January-March
        ("Year", "2023/24", "Quarter", "Q1", dt.date(2023, 4, 1)),  # financial: April-June
        ("Financial year", "2023-24", "Quarter", "Q4", dt.date(2024, 1, 1)),
        ("Year", "2023", "Quarter", "Jan to Mar", dt.date(2023, 1, 1)),
        ("Financial year", "2023/24", "Month", "January", dt.date(2024, 1, 1)),
        ("Financial year", "2023/24", "Month", "May", dt.date(2023, 5, 1)),
    ],
)
def test_a_year_column_is_calendar_or_financial_as_the_file_says(
    db, tmp_path, year_header, year, second_header, second, start
):
    path = builders.write_csv(
        tmp_path / "dtn.csv",
        [[year_header, second_header, "Notifications"], [year, second, 9]],
    )
    upload = load(path, db)
    months = 1 if second_header == "Month" else 3
    assert query(db, "SELECT period_start, period_months, referral_type FROM referrals") == [
        (start, months, "Duty to Notify")  # 'Notifications' names the referral type
    ]
    assert upload.named_in_file["referral_type"].where == "column 'Notifications'"


def test_a_single_year_under_financial_year_is_refused_not_guessed(db, tmp_path):
    load(builders.referral_crosstab(tmp_path / "local.xlsx")[0], db)
    before = snapshot(db)
    path = builders.write_csv(
        tmp_path / "dtn.csv",
        [["Financial year", "Quarter", "Notifications"], ["2023", "Q1", 9]],
    )

    with pytest.raises(Refused) as refused:
        load(path, db)

    assert [str(p) for p in refused.value.problems] == [
        "Sheet 'CSV', row 2, column 'Quarter': '2023 (which financial year?) Q1' is not a "
        "period (expected a month such as Apr-25 or April 2025, a financial-year quarter such "
        "as 2025/26 Q1, a calendar quarter such as 2022 Q2, or a financial year such as "
        "2025/26)"
    ]
    assert snapshot(db) == before


def test_a_total_cell_above_the_header_does_not_take_its_place(db, tmp_path):
    """A headline 'Total, 1,234' above the table: a row with a figure in it is data."""
    path = builders.write_csv(
        tmp_path / "dtn_by_gender.csv",
        [
            ["Gender", "Total"],
            ["Female", 400],
            ["Male", 830],
            ["Not specified or unknown", 4],
            ["Total", "1,234"],
        ],
        title_rows=[
            "Table 3: Duty to Notify reports by gender, England and Wales, January to March 2024",
            "Total,1,234",  # replaced below by two cells
        ],
        notes_below=["Source: Home Office"],
    )
    text = path.read_text(encoding="utf-8").replace('"Total,1,234"', 'Total,"1,234"')
    path.write_text(text, encoding="utf-8", newline="")

    upload = load(path, db)

    assert upload.header_row == 4
    assert query(db, STORED) == [
        (dt.date(2024, 1, 1), 3, "England and Wales", "Duty to Notify", *NOT_SPECIFIED, 1234)
    ]
    title = (
        "row 1: 'Table 3: Duty to Notify reports by gender, England and Wales, January to "
        "March 2024'"
    )
    assert upload.named_in_file_notes() == [
        f"Period January to March 2024: named in the file ({title}).",
        f"Geography England and Wales: named in the file ({title}).",
        f"Referral type Duty to Notify: named in the file ({title}).",
    ]
    assert counts_line(upload) == (
        "Rows read: 3; rows to store: 1; rows with the same labels added up: 0; breakdown "
        "cells added up (Gender): 3 into 1; rows with problems skipped: 0; total rows not "
        "counted: 1; notes and blank rows: 1."
    )


def test_a_home_office_workbook_with_cover_contents_and_notes_sheets(db, tmp_path):
    path = builders.home_office_workbook(
        tmp_path / "nrm_statistics_2023.xlsx",
        "Table_1",
        [
            "Table 1: NRM referrals for Essex Police by exploitation type and quarter, "
            "January to December 2023 [note 1]",
            "This worksheet contains one table. Some cells refer to notes which can be found in "
            "the notes worksheet.",
            "Source: Home Office, National Referral Mechanism statistics",
        ],
        [
            ["Exploitation type", "Jan to Mar 2023", "Apr to Jun 2023", "Jul to Sep 2023",
             "Oct to Dec 2023", "Total [note 2]"],
            ["Criminal", 20, 25, 18, 22, 85],
            ["Labour", 5, 4, 6, 5, 20],
            ["Labour & Criminal", 1, 0, 2, 1, 4],
            ["Sexual & Labour", 0, 1, 0, 0, 1],
            ["Not specified or unknown [note 2]", 2, 1, 1, 3, 7],
            ["Total", 28, 31, 27, 31, 117],
        ],
    )  # fmt: skip

    upload = load(path, db)

    assert (upload.sheet, upload.header_row, upload.kind_detected) == ("Table_1", 4, True)
    by_quarter_and_type = query(
        db,
        "SELECT month(period_start), exploitation_type, referrals FROM referrals "
        "WHERE geography = 'Essex Police force area' AND referral_type = 'NRM referral' "
        "AND period_months = 3 AND year(period_start) = 2023 ORDER BY ALL",
    )
    assert by_quarter_and_type == [
        (1, "Criminal", 20), (1, "Labour", 5), (1, "Multiple", 1),
        (1, "Not specified or unknown", 2),
        (4, "Criminal", 25), (4, "Labour", 4), (4, "Multiple", 1),
        (4, "Not specified or unknown", 1),
        (7, "Criminal", 18), (7, "Labour", 6), (7, "Multiple", 2),
        (7, "Not specified or unknown", 1),
        (10, "Criminal", 22), (10, "Labour", 5), (10, "Multiple", 1),
        (10, "Not specified or unknown", 3),
    ]  # fmt: skip
    assert total(db) == 117  # the publisher's grand total; its Total row and column not counted
    assert counts_line(upload) == (
        "Rows read: 5; rows to store: 16; rows with the same labels added up: 0; breakdown "
        "cells added up (Exploitation type (combinations stored as Multiple)): 8 into 4; rows "
        "with problems skipped: 0; total rows not counted: 1; notes and blank rows: 0."
    )
    assert upload.defaults_note() is None


FORCE_TABLE = [
    ["Exploitation type", "Age at exploitation", "Gender", "Number of referrals"],
    ["Criminal", "Child", "Male", 30],
    ["Criminal", "Child", "Female", 6],
    ["Labour", "Adult", "Male", 20],
    ["Labour", "Adult", "Male", 4],  # the same row twice: a duplicate, added up
]


def test_defaults_for_area_and_referral_type_are_said_before_saving(db, tmp_path):
    """A force's 60 referrals with no area or type given would be stored as Colchester and
    Other: the check says so, on the page and in --json, before anything is saved."""
    path = builders.write_csv(tmp_path / "force_referrals.csv", FORCE_TABLE)
    checked = upload_flow.check(
        UploadRequest(path.read_bytes(), path.name, db=db, options=Options(period="2023 Q3"))
    )
    upload = checked.upload

    assert checked.can_save and upload.status == "preview"
    assert query(db, "SELECT count(*) FROM uploads") == [(0,)]  # nothing saved yet
    assert upload.defaults_used == {"geography": "Colchester", "referral_type": "Other"}
    assert upload.defaults_note() == (
        "Defaults used, as neither the file nor the upload gives them: geography Colchester, "
        "referral type Other. If the figures are for another area or of another kind, give "
        "them at upload."
    )
    assert upload.defaults_note(options_as="cli").endswith(
        "give them at upload (--geography, --referral-type)."
    )
    assert upload.as_dict()["defaults_used"] == {
        "geography": "Colchester",
        "referral_type": "Other",
    }
    assert upload_flow.figures(upload) == {
        "Rows read": "4",
        "Rows to load": "2",
        "Rows with the same labels added up": "1",
        "Breakdown cells added up": "2 into 1 figure",
        "Rows already loaded it replaces": "0",
        "Rows with problems": "0",
        "Total and note rows not counted": "0",
    }

    saved = load(path, db, period="2023 Q3", geography="Essex Police force area",
                 referral_type="NRM referral")  # fmt: skip

    assert saved.defaults_used == {} and saved.defaults_note() is None
    assert query(db, STORED) == [
        (dt.date(2023, 7, 1), 3, "Essex Police force area", "NRM referral", "Criminal", "Child",
         "Not specified", 36),
        (dt.date(2023, 7, 1), 3, "Essex Police force area", "NRM referral", "Labour", "Adult",
         "Not specified", 24),
    ]  # fmt: skip


def test_a_title_naming_two_areas_names_neither(db, tmp_path):
    path = builders.write_csv(
        tmp_path / "force_referrals.csv",
        FORCE_TABLE,
        title_rows=["NRM referrals, UK: Essex Police"],
    )
    upload = load(path, db, period="2023 Q3")
    assert upload.named_in_file_notes() == [
        "Referral type NRM referral: named in the file (row 1: 'NRM referrals, UK: Essex Police').",
        "The file names more than one geography ('Essex Police force area' and 'UK').",
    ]
    assert upload.defaults_used == {"geography": "Colchester"}
    assert grouped(db, "geography") == {"Colchester": 60}


# ---------------------------------------------------------------------------------------------
# Published tables with categories across (issue 15): Home Office Table 5, exploitation type by
# age group at exploitation, either way round
# ---------------------------------------------------------------------------------------------

TABLE_5_ROWS = (
    "SELECT exploitation_type, age_group, period_start, period_months, referrals "
    "FROM referrals ORDER BY ALL"
)
Q4_2023 = dt.date(2023, 10, 1)
TABLE_5_STORED = [  # every cell of Table 5 but the suppressed one (Domestic servitude, [c])
    ("Criminal", "Adult", Q4_2023, 3, 243),
    ("Criminal", "Child", Q4_2023, 3, 918),
    ("Criminal", "Not specified", Q4_2023, 3, 14),
    ("Domestic servitude", "Adult", Q4_2023, 3, 58),
    ("Domestic servitude", "Child", Q4_2023, 3, 12),
    ("Labour", "Adult", Q4_2023, 3, 412),
    ("Labour", "Child", Q4_2023, 3, 96),
    ("Labour", "Not specified", Q4_2023, 3, 11),
    ("Multiple", "Adult", Q4_2023, 3, 120),
    ("Multiple", "Child", Q4_2023, 3, 77),
    ("Multiple", "Not specified", Q4_2023, 3, 4),
    ("Not specified or unknown", "Adult", Q4_2023, 3, 95),
    ("Not specified or unknown", "Child", Q4_2023, 3, 41),
    ("Not specified or unknown", "Not specified", Q4_2023, 3, 37),
    ("Organ harvesting", "Adult", Q4_2023, 3, 2),
    ("Organ harvesting", "Child", Q4_2023, 3, 0),
    ("Organ harvesting", "Not specified", Q4_2023, 3, 0),  # a blank cell: a zero
    ("Sexual", "Adult", Q4_2023, 3, 287),
    ("Sexual", "Child", Q4_2023, 3, 131),
    ("Sexual", "Not specified", Q4_2023, 3, 9),
]
TABLE_5_TITLE = (
    "row 1: 'Table 5: NRM referrals by exploitation type and age group at exploitation, UK, "
    "October to December 2023 [note 1]'"
)


@pytest.mark.parametrize(
    ("across", "rows_read", "hidden_at"),
    [
        ("age_group", 7, "row 8, column 'Not specified or unknown'"),
        ("exploitation_type", 3, "row 7, column 'Domestic servitude'"),
    ],
)
def test_a_published_table_with_categories_across_loads_as_it_is(
    db, tmp_path, across, rows_read, hidden_at
):
    """Each header naming an age group ('Children [note 3]') or an exploitation type is that
    field's value for its cells; the Total row and column are never added; the suppressed cell
    is left out and said; the period, area and referral type come from the title."""
    path, expected = builders.home_office_table_5(tmp_path / "nrm_table_5.xlsx", across=across)

    upload = load(path, db)

    assert (upload.sheet, upload.header_row, upload.kind_detected) == ("Table_5", 4, True)
    assert query(db, TABLE_5_ROWS) == TABLE_5_STORED
    assert query(
        db, "SELECT DISTINCT geography, referral_type, referring_agency FROM referrals"
    ) == [("UK", "NRM referral", "Not specified")]
    assert {(t, a): n for t, a, _, _, n in TABLE_5_STORED} == expected["rows"]
    # The publisher's grand total counts the hidden figure (3); nothing else is missing.
    assert expected["total"] == 2570 and expected["hidden"] == 3
    assert total(db) == 2567 == expected["total"] - expected["hidden"]
    # Each type's and each age group's published Total, less the hidden figure where it is.
    if across == "age_group":
        type_totals, age_totals = expected["row_totals"], expected["column_totals"]
        type_labels, age_labels = builders.TABLE_5_TYPES, builders.TABLE_5_AGES
    else:
        type_totals, age_totals = expected["column_totals"], expected["row_totals"]
        type_labels, age_labels = builders.TABLE_5_TYPE_HEADERS, builders.TABLE_5_AGE_ROWS
    hidden_in = {"Domestic servitude": 3, "Not specified": 3}
    assert grouped(db, "exploitation_type") == {
        type_labels[label]: published - hidden_in.get(type_labels[label], 0)
        for label, published in type_totals.items()
    }
    by_age = grouped(db, "age_group")
    assert by_age == {
        age_labels[label]: published - hidden_in.get(age_labels[label], 0)
        for label, published in age_totals.items()
    }
    assert by_age == {"Adult": 1217, "Child": 1275, "Not specified": 75}
    summary = upload.summary().splitlines()
    assert summary[3:8] == [
        f"Period October to December 2023: named in the file ({TABLE_5_TITLE}).",
        f"Geography UK: named in the file ({TABLE_5_TITLE}).",
        f"Referral type NRM referral: named in the file ({TABLE_5_TITLE}).",
        f"Rows read: {rows_read}; rows to store: 20; rows with the same labels added up: 0; "
        "rows with problems skipped: 0; total rows not counted: 1; notes and blank rows: 1.",
        f"Suppressed cells left out, read as unknown (not as zero): 1 cell ({hidden_at}: "
        "'[c]'). Totals over them will be less than the publisher's, which count the hidden "
        "figures.",
    ]
    assert upload.as_dict()["suppressed_cells"] == [
        {"row": int(hidden_at.split(",")[0][4:]), "column": hidden_at.split("'")[1], "mark": "[c]"}
    ]
    assert upload.defaults_note() is None
    assert upload_flow.figures(upload) == {
        "Rows read": str(rows_read),
        "Rows to load": "20",
        "Rows with the same labels added up": "0",
        "Rows already loaded it replaces": "0",
        "Rows with problems": "0",
        "Total and note rows not counted": "2",
        "Suppressed cells left out": "1",
    }


@pytest.mark.parametrize("across", ["age_group", "exploitation_type"])
def test_a_table_with_categories_across_and_nothing_suppressed_adds_up_to_its_total(
    db, tmp_path, across
):
    """The period given at upload, as the title names none: the figures stored add up to the
    publisher's Total exactly, by row and by column."""
    path, expected = builders.home_office_table_5(
        tmp_path / "nrm_table_5.xlsx", across=across, suppressed=None, period_in_title=None
    )

    upload = load(path, db, period="2023 Q4")

    assert total(db) == expected["total"] == 2570
    assert grouped(db, "age_group") == {"Adult": 1217, "Child": 1275, "Not specified": 78}
    assert grouped(db, "exploitation_type") == {
        "Labour": 519, "Sexual": 427, "Criminal": 1175, "Domestic servitude": 73,
        "Organ harvesting": 2, "Not specified or unknown": 173, "Multiple": 201,
    }  # fmt: skip
    assert query(db, "SELECT DISTINCT period_start, period_months FROM referrals") == [(Q4_2023, 3)]
    assert upload.suppressed_cells == [] and upload.suppressed_note() is None
    assert not any(line.startswith("Suppressed") for line in upload.summary().splitlines())


@pytest.mark.parametrize("mark", ["[x]", "[z]", "..", "*", "-"])
def test_every_suppression_mark_is_left_out_not_read_as_zero(db, tmp_path, mark):
    path, _ = builders.home_office_table_5(
        tmp_path / "nrm_table_5.xlsx", suppressed=("Labour", "Child", mark)
    )

    upload = load(path, db)

    assert [(row, column, found) for row, column, found in upload.suppressed_cells] == [
        (5, "Children [note 3]", mark)
    ]
    assert total(db) == 2570 - 96
    assert query(db, "SELECT count(*) FROM referrals WHERE exploitation_type = 'Labour'") == [(2,)]


def test_a_table_with_categories_across_and_no_period_is_refused_and_nothing_changes(db, tmp_path):
    load(builders.referral_crosstab(tmp_path / "local.xlsx")[0], db)
    before = snapshot(db)
    path, _ = builders.home_office_table_5(tmp_path / "nrm_table_5.xlsx", period_in_title=None)

    with pytest.raises(Refused) as refused:
        load(path, db)

    assert refused.value.message.startswith("The file has no column for period")
    assert snapshot(db) == before


def test_a_bad_cell_in_a_table_with_categories_across_is_refused_at_that_cell(db, tmp_path):
    load(builders.referral_crosstab(tmp_path / "local.xlsx")[0], db)
    before = snapshot(db)
    path, _ = builders.home_office_table_5(
        tmp_path / "nrm_table_5.xlsx", cells={("Sexual", "Child"): "12.5"}
    )

    with pytest.raises(Refused) as refused:
        load(path, db)

    assert [str(p) for p in refused.value.problems] == [
        "Sheet 'Table_5', row 6, column 'Children [note 3]': '12.5' is not a whole number "
        "(expected a count such as 3)"
    ]
    assert snapshot(db) == before


def test_periods_down_and_age_groups_across_with_each_years_total_row(db, tmp_path):
    """NRM referrals by quarter and age group: `Year | Quarter | Adult | Children | ... | Total`,
    each year's Total row left out, the suppressed cell too."""
    path = builders.write_csv(
        tmp_path / "nrm_by_quarter_and_age.csv",
        [
            ["Year", "Quarter", "Adult", "Children [note 3]", "Not specified or unknown", "Total"],
            [2023, "Q1", 10, 5, "[x]", 16],
            [2023, "Q2", 12, 6, 0, 18],
            [2023, "Total", 22, 11, 1, 34],
        ],
        title_rows=["NRM referrals by age group at exploitation, UK"],
    )

    upload = load(path, db)

    assert query(db, "SELECT period_start, age_group, referrals FROM referrals ORDER BY ALL") == [
        (dt.date(2023, 1, 1), "Adult", 10),
        (dt.date(2023, 1, 1), "Child", 5),
        (dt.date(2023, 4, 1), "Adult", 12),
        (dt.date(2023, 4, 1), "Child", 6),
        (dt.date(2023, 4, 1), "Not specified", 0),
    ]
    assert total(db) == 34 - 1  # the year's Total row, less the one suppressed figure
    assert (upload.subtotal_rows, upload.suppressed_cells) == (
        1,
        [(4, "Not specified or unknown", "[x]")],
    )
