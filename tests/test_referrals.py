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

from cams_data.ingest import Upload, ingest, rollback
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
    return ingest(path.read_bytes(), path.name, db=db, options=Options(**options))


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
    ingest(path.read_bytes(), path.name, db=db)
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
