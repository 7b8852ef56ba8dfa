"""The demo spreadsheets: every kind is there, they open, they hold what they should, and no
real person or real e-mail domain is in them."""

from __future__ import annotations

import csv
import functools
import io
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cams_data.demo import SUPPLY_CHAIN, DemoFile, expected_totals, write_demo_files
from cams_data.kinds import KINDS
from cams_data.text import clean_text, normalise_header

OPTION_KEYS = {"wave", "organisation", "period", "referral_type", "geography"}
UPLOAD_ORDER = [
    "staff_survey_2024-10.xlsx",
    "referrals_nrm_2024-25.xlsx",
    "referrals_dtn_2024-25.xlsx",
    "establishment_2025-04.xlsx",
    "cbh_training_return_2025-05.csv",
    "learning_pool_2025-09.xlsx",
    "referrals_nrm_2025-26_q1_q2.xlsx",
    "referrals_dtn_2025-26_q1_q2.xlsx",
    "partnership_measures_2025-26.csv",
    "learning_pool_2025-10.xlsx",
    "staff_survey_2025-10.xlsx",
    "nrm_essex_police_area.csv",
    "nrm_england_and_wales.csv",
    "referrals_by_age_2025-26.csv",
    "action_plan_tracker.xlsx",
    "learning_pool_2025-11.xlsx",
]
ENCODINGS = {
    "cbh_training_return_2025-05.csv": "cp1252",
    "partnership_measures_2025-26.csv": "utf-8-sig",
}
UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
MONTH_HEADER = re.compile(r"^[A-Z][a-z]{2}-\d{2}$")
EMAIL = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> list[DemoFile]:
    # how long writing them takes is a benchmark's business, not a test's (a busy machine is slow)
    return write_demo_files(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def by_name(demo: list[DemoFile]) -> dict[str, DemoFile]:
    return {f.path.name: f for f in demo}


@functools.cache
def rows_of(path: Path) -> list[tuple]:
    """Every row as the officer sees it: CSV as text, a workbook's first sheet as values."""
    if path.suffix == ".csv":
        text = path.read_bytes().decode(ENCODINGS.get(path.name, "utf-8"))
        return [tuple(row) for row in csv.reader(io.StringIO(text))]
    workbook = load_workbook(path, read_only=True)
    rows = [tuple(row) for row in workbook.active.iter_rows(values_only=True)]
    workbook.close()
    return rows


def table(path: Path) -> tuple[tuple, list[tuple]]:
    """The header (the first row with several cells) and the rows under it up to a blank row."""
    rows = rows_of(path)
    start = next(i for i, row in enumerate(rows) if sum(v not in (None, "") for v in row) > 2)
    body = []
    for row in rows[start + 1 :]:
        if all(v in (None, "") for v in row):
            break
        body.append(row)
    return rows[start], body


def test_every_kind_is_written_in_upload_order(demo: list[DemoFile]) -> None:
    assert [f.path.name for f in demo] == UPLOAD_ORDER
    assert {f.kind for f in demo} == set(KINDS)
    out_dir = demo[0].path.parent
    for f in demo:
        assert f.path.is_file() and f.path.parent == out_dir
        assert set(f.options) <= OPTION_KEYS
    options = {f.path.name: f.options for f in demo}
    assert options["staff_survey_2024-10.xlsx"] == {"wave": "2024-10"}
    assert options["staff_survey_2025-10.xlsx"] == {"wave": "2025-10"}
    assert options["cbh_training_return_2025-05.csv"] == {
        "organisation": "Colchester Borough Homes"
    }
    assert options["referrals_nrm_2024-25.xlsx"] == {"referral_type": "NRM referral"}
    assert options["referrals_dtn_2025-26_q1_q2.xlsx"] == {"referral_type": "Duty to Notify"}
    assert options["nrm_essex_police_area.csv"] == {
        "geography": "Essex Police force area",
        "referral_type": "NRM referral",
    }


def test_every_file_opens(demo: list[DemoFile]) -> None:
    for f in demo:
        if f.path.suffix == ".xlsx" and f.kind != "training":  # the full reader, not only
            load_workbook(f.path).close()  # read-only (skipping the big exports, for speed)
        assert len(rows_of(f.path)) > 5
    cbh = next(f.path for f in demo if f.path.name.startswith("cbh_"))
    with pytest.raises(UnicodeDecodeError):
        cbh.read_bytes().decode("utf-8")  # saved by Excel as "CSV", not "CSV UTF-8"
    assert "Zoë" in cbh.read_bytes().decode("cp1252")


def test_headers_are_spellings_the_loader_knows(demo: list[DemoFile]) -> None:
    for f in demo:
        kind = KINDS[f.kind]
        known = {normalise_header(i) for i in kind.ignored}
        for field in (*kind.fields, *kind.identifiers):
            known |= field.header_keys
        header, _ = table(f.path)
        if kind.wide_questions:
            header = header[:7]  # then one column per question
        for cell in header:
            if kind.wide_periods and (isinstance(cell, datetime) or MONTH_HEADER.match(cell)):
                continue
            assert normalise_header(cell) in known, (f.path.name, cell)


def test_establishment_has_title_total_and_the_roles_training_counts(
    by_name: dict[str, DemoFile],
) -> None:
    path = by_name["establishment_2025-04.xlsx"].path
    rows = rows_of(path)
    assert rows[0][0] == "Establishment by service and role"
    header, body = table(path)
    staff, total = body[:-1], body[-1]
    assert total[0] == "Total" and total[3] == sum(r[3] for r in staff)
    assert 650 <= total[3] <= 750
    services = {r[1] for r in staff if r[0] == "Colchester City Council"}
    assert len(services) == 12 and {"Community Safety", "Procurement"} <= services
    roles = {r[2] for r in staff}
    assert {
        "Community Safety Officer",
        "Safeguarding Officer",
        "First Call Officer",
        "Procurement Officer",
        "Budget Holder",
        "Housing Officer",
        "Licensing Officer",
        "Customer Service Adviser",
        "Manager",
        "Tenancy Sustainment Officer",
    } <= roles
    assert {r[2] for r in staff if r[0] == "Colchester Borough Homes"} >= {
        "Housing Officer",
        "Tenancy Sustainment Officer",
    }
    assert all(r[4] == datetime(2025, 4, 1) for r in staff)


def test_learning_pool_exports_are_cumulative_and_messy(by_name: dict[str, DemoFile]) -> None:
    names = [
        "learning_pool_2025-09.xlsx",
        "learning_pool_2025-10.xlsx",
        "learning_pool_2025-11.xlsx",
    ]
    exports = [table(by_name[n].path) for n in names]
    for earlier, later in zip(exports, exports[1:], strict=False):
        assert not Counter(earlier[1]) - Counter(later[1])  # every earlier row is still there
        assert len(later[1]) > len(earlier[1])
    rows = rows_of(by_name[names[0]].path)
    assert rows[0][0] == "Learning Pool - Course completion report"
    assert re.fullmatch(r"Generated on \d\d/\d\d/\d{4} \d\d:\d\d", rows[1][0])
    assert rows[2][0] == "OFFICIAL - SENSITIVE" and rows[-1][0].startswith(str(len(exports[0][1])))
    header, body = exports[-1]
    assert 1500 <= len(body) <= 5000
    assert any(n > 1 for n in Counter(body).values())  # exact duplicates inside one export
    assert 400 <= len({r[1] for r in body}) <= 500
    statuses = {r[6] for r in body}
    assert {
        "Completed",
        "COMPLETED",
        "Passed",
        "In Progress",
        "Not Started",
        "Not attempted",
    } <= statuses
    courses = {clean_text(r[5]).casefold() for r in body}
    assert len(courses) == 6 and len({r[5] for r in body}) > 6
    dates = [r[7] for r in body if r[7] is not None]
    assert sum(isinstance(d, str) for d in dates) > 20
    assert sum(isinstance(d, datetime) for d in dates) > 0.8 * len(dates)
    assert all(r[7] is None for r in body if r[6] in ("In Progress", "Not Started"))
    first = min(_day(d) for d in dates)
    assert date(2021, 5, 1) <= first < date(2021, 7, 1)
    assert max(_day(d) for d in dates) <= date(2025, 11, 21)


def test_supply_chain_course_has_46_passes_since_may_2021(by_name: dict[str, DemoFile]) -> None:
    _, body = table(by_name["learning_pool_2025-11.xlsx"].path)
    passed = {
        r[1]
        for r in body
        if clean_text(r[5]).casefold() == SUPPLY_CHAIN.casefold()
        and r[6].casefold() in ("passed", "completed")
    }
    assert len(passed) == 46
    roles = {r[4] for r in body if r[1] in passed}
    assert roles <= {"Procurement Officer", "Budget Holder", "Manager"}


def test_partner_return_is_colchester_borough_homes_in_may_2025(
    by_name: dict[str, DemoFile],
) -> None:
    header, body = table(by_name["cbh_training_return_2025-05.csv"].path)
    assert header == ("Name", "Course", "Date of training", "Team")
    days = {_day(r[2]) for r in body}
    assert all(d.year == 2025 and d.month == 5 for d in days)
    assert {r[3] for r in body} <= {"Housing Management", "Tenancy Sustainment"}


def test_text_dates_are_uk_day_first(demo: list[DemoFile]) -> None:
    text_dates = [
        v
        for f in demo
        for row in rows_of(f.path)
        for v in row
        if isinstance(v, str) and UK_DATE.match(v)
    ]
    assert len(text_dates) > 30
    for value in text_dates:
        assert date(2021, 5, 1) <= _day(value) <= date(2026, 3, 31), value
    assert any(int(UK_DATE.match(v)[1]) > 12 for v in text_dates)  # only day-first reads these


def test_referral_crosstabs_add_up_and_are_small(demo: list[DemoFile]) -> None:
    crosstabs = [f for f in demo if f.kind == "referrals" and f.path.suffix == ".xlsx"]
    assert len(crosstabs) == 4
    for f in crosstabs:
        header, body = table(f.path)
        assert header[0] == "Exploitation type" and header[-1] == "Total"
        counts, total = body[:-1], body[-1]
        assert total[0] == "Total"
        assert "Criminal exploitation (county lines)" in {r[0] for r in counts}
        for row in counts:
            cells = [c or 0 for c in row[1:-1]]
            assert row[-1] == sum(cells) and max(cells) <= 6
        for column in range(1, len(header)):
            assert total[column] == sum(r[column] or 0 for r in counts)
        months = len(header) - 2
        assert months in (6, 12)
        yearly = total[-1] * 12 / months
        assert (15 if "nrm" in f.path.name else 2) <= yearly <= 45


def test_tidy_referrals_do_not_overlap_the_crosstabs(by_name: dict[str, DemoFile]) -> None:
    header, body = table(by_name["referrals_by_age_2025-26.csv"].path)
    assert header == (
        "Month",
        "Referral type",
        "Exploitation type",
        "Age group",
        "Referring agency",
        "Number of referrals",
    )
    assert {r[4] for r in body} == {"Colchester Borough Homes"}
    assert {r[0] for r in body} <= {
        "Apr-25",
        "May-25",
        "Jun-25",
        "Jul-25",
        "Aug-25",
        "Sep-25",
        "Oct-25",
    }
    assert {"Adult", "Child"} <= {r[3] for r in body}
    assert all(1 <= int(r[5]) <= 4 for r in body)


@pytest.mark.parametrize(
    ("name", "year", "responses"),
    [("staff_survey_2024-10.xlsx", 2024, 180), ("staff_survey_2025-10.xlsx", 2025, 230)],
)
def test_survey_is_an_anonymous_forms_export(
    by_name: dict[str, DemoFile], name: str, year: int, responses: int
) -> None:
    header, body = table(by_name[name].path)
    assert header[:7] == (
        "ID",
        "Start time",
        "Completion time",
        "Email",
        "Name",
        "Last modified time",
        "Which service area do you work in?",
    )
    report = (
        "Would" if year == 2024 else "Do"
    ) + " you know how to report a concern about modern slavery?"
    assert report in header and header[-1] == "Any other comments?"
    assert len(body) == responses
    assert [r[0] for r in body] == list(range(1, responses + 1))
    assert {r[3] for r in body} == {"anonymous"} and {r[4] for r in body} == {None}
    for row in body:
        assert isinstance(row[1], datetime) and (row[1].year, row[1].month) == (year, 10)
        assert row[2] > row[1]
    seen = header.index("Which of these have you seen in the last year? (Select all that apply)")
    assert all(r[seen].endswith(";") for r in body)
    comments = [r[-1] for r in body]
    assert 0 < sum(c is not None for c in comments) < len(body) / 4


def test_awareness_improves_between_waves(by_name: dict[str, DemoFile]) -> None:
    def share_yes(name: str) -> float:
        header, body = table(by_name[name].path)
        column = next(i for i, h in enumerate(header) if "report a concern" in h)
        return sum(r[column] == "Yes" for r in body) / len(body)

    assert share_yes("staff_survey_2025-10.xlsx") > share_yes("staff_survey_2024-10.xlsx") + 0.1


def test_measures_are_typed_by_hand(by_name: dict[str, DemoFile]) -> None:
    path = by_name["partnership_measures_2025-26.csv"].path
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    header, body = table(path)
    assert header == ("Objective", "Measure", "Organisation", "Quarter", "Value")
    assert {r[0].strip() for r in body} == {"1", "2", "3", "4"}
    assert {r[3] for r in body} == {
        "2024/25 Q1",
        "2024/25 Q2",
        "2024/25 Q3",
        "2024/25 Q4",
        "2025/26 Q1",
        "2025/26 Q2",
    }
    assert {"Colchester City Council", "Essex Police", "University of Essex"} <= {
        r[2] for r in body
    }
    values = [r[4] for r in body]
    assert any(v.startswith("£") and "," in v for v in values)
    assert any("," in v and not v.startswith("£") for v in values)
    for value in values:
        assert float(value.replace("£", "").replace(",", "")) >= 0


def test_action_tracker_is_mixed_but_names_no_one(by_name: dict[str, DemoFile]) -> None:
    path = by_name["action_plan_tracker.xlsx"].path
    assert "action plan" in rows_of(path)[0][0].lower()
    header, body = table(path)
    assert header == ("Ref", "Objective", "Action", "Lead", "Due date", "Status", "Last updated")
    assert 14 <= len(body) <= 20
    objectives = [r[1] for r in body]
    assert "2. Funding and Sustainability" in objectives
    assert any(isinstance(o, int) for o in objectives) and "1" in objectives
    assert {"Complete", "In progress", "On track", "Not started", "On hold"} <= {r[5] for r in body}
    assert not any("Person" in r[3] for r in body)
    assert any(isinstance(r[4], str) for r in body) and any(
        isinstance(r[4], datetime) for r in body
    )
    actions = " ".join(r[2] for r in body)
    for words in (
        "First Call Officers",
        "Colchester Borough Homes",
        "Nuco",
        "Supply Chain",
        "30 July 2025",
        "18 October 2025",
        "Women and Girls",
        "transparency statement",
        "Single Point of Contact",
        "whistleblowing",
    ):
        assert words in actions


def test_no_real_email_domains(demo: list[DemoFile]) -> None:
    domains = set()
    for f in demo:
        for row in rows_of(f.path):
            for value in row:
                if isinstance(value, str):
                    domains |= {d.lower() for d in EMAIL.findall(value)}
    assert domains == {"demo.example"}


def test_expected_totals_match_the_files(demo: list[DemoFile]) -> None:
    totals = expected_totals(demo)
    assert totals["establishment_headcount"] == 694
    assert totals["supply_chain_passed"] == 46
    assert totals["survey_responses"] == {"2024-10": 180, "2025-10": 230}
    assert totals["actions"] == 17 and totals["measures_rows"] > 60
    assert set(totals["referrals"]) == {"NRM referral", "Duty to Notify"}
    assert 450 <= totals["training_people"] <= 560
    assert 1500 <= totals["training_completions"] <= 5000


def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(
    demo: list[DemoFile], tmp_path: Path
) -> None:
    again = write_demo_files(tmp_path / "again")
    assert [f.path.name for f in again] == [f.path.name for f in demo]
    for first, second in zip(demo, again, strict=True):
        assert first.path.read_bytes() == second.path.read_bytes(), first.path.name
        assert (first.kind, first.options) == (second.kind, second.options)
    other = write_demo_files(tmp_path / "other", seed=7, today=date(2025, 10, 15))
    changed = [
        f.path.name
        for f, o in zip(demo, other, strict=True)
        if f.path.read_bytes() != o.path.read_bytes()
    ]
    assert "learning_pool_2025-09.xlsx" in changed and "staff_survey_2025-10.xlsx" in changed
    # nothing is dated after the day the demo is made (due dates may be ahead of it)
    for f in other:
        if f.kind in ("training", "actions"):
            header, body = table(f.path)
            columns = [i for i, h in enumerate(header) if h != "Due date"]
            for row in body:
                for value in (row[i] for i in columns):
                    if isinstance(value, datetime) or (
                        isinstance(value, str) and UK_DATE.match(value)
                    ):
                        assert _day(value) <= date(2025, 10, 15), (f.path.name, row)


def _day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    day, month, year = (int(part) for part in UK_DATE.match(value).groups())
    return date(year, month, day)
