"""Realistic, deliberately messy demo spreadsheets of every kind, with fake people only.

`write_demo_files` writes what officers would have uploaded over a year and a half (title rows,
totals, notes, cumulative Learning Pool exports, mixed spellings, text dates, a cp1252 CSV) and
returns the files in the order they would have been uploaded. The same seed gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from openpyxl import Workbook, load_workbook

from cams_data.periods import add_months
from cams_data.text import clean_text, normalise_header


@dataclass(frozen=True)
class DemoFile:
    path: Path
    kind: str  # one of: training, establishment, referrals, survey, measures, actions
    options: dict[str, str]  # upload options: wave, organisation, period, referral_type, geography


CCC = "Colchester City Council"
CBH = "Colchester Borough Homes"
EMAIL_DOMAIN = "demo.example"

# HR establishment as at 1 April 2025: organisation, service area, (role, headcount)...
ESTABLISHMENT: tuple[tuple[str, str, tuple[tuple[str, int], ...]], ...] = (
    (
        CCC,
        "Community Safety",
        (
            ("Community Safety Officer", 9),
            ("Safeguarding Officer", 1),
            ("Team Leader", 2),
            ("Manager", 1),
            ("Budget Holder", 1),
        ),
    ),
    (
        CCC,
        "Housing",
        (
            ("Housing Officer", 32),
            ("Administrative Officer", 6),
            ("Team Leader", 4),
            ("Manager", 2),
            ("Budget Holder", 3),
        ),
    ),
    (
        CCC,
        "Licensing",
        (
            ("Licensing Officer", 9),
            ("Enforcement Officer", 4),
            ("Administrative Officer", 3),
            ("Manager", 1),
            ("Budget Holder", 1),
        ),
    ),
    (
        CCC,
        "Environmental Protection",
        (
            ("Environmental Health Officer", 16),
            ("Enforcement Officer", 8),
            ("Administrative Officer", 4),
            ("Manager", 2),
            ("Budget Holder", 2),
        ),
    ),
    (
        CCC,
        "Customer Services",
        (
            ("Customer Service Adviser", 58),
            ("First Call Officer", 12),
            ("Team Leader", 5),
            ("Manager", 2),
            ("Budget Holder", 1),
        ),
    ),
    (CCC, "Procurement", (("Procurement Officer", 7), ("Manager", 1), ("Budget Holder", 1))),
    (CCC, "Finance", (("Finance Officer", 22), ("Manager", 3), ("Budget Holder", 5))),
    (
        CCC,
        "Planning",
        (
            ("Planning Officer", 30),
            ("Administrative Officer", 6),
            ("Manager", 3),
            ("Budget Holder", 3),
        ),
    ),
    (
        CCC,
        "Revenues and Benefits",
        (
            ("Revenues Officer", 30),
            ("Benefits Officer", 34),
            ("Team Leader", 5),
            ("Manager", 2),
            ("Budget Holder", 2),
        ),
    ),
    (
        CCC,
        "Neighbourhood Services",
        (
            ("Waste Operative", 118),
            ("Street Cleansing Operative", 62),
            ("Team Leader", 14),
            ("Manager", 4),
            ("Budget Holder", 4),
        ),
    ),
    (
        CCC,
        "Democratic Services",
        (("Democratic Services Officer", 8), ("Manager", 1), ("Budget Holder", 1)),
    ),
    (
        CCC,
        "Corporate",
        (
            ("Administrative Officer", 18),
            ("Policy Officer", 12),
            ("HR Officer", 10),
            ("Communications Officer", 6),
            ("Manager", 8),
            ("Budget Holder", 8),
        ),
    ),
    (CBH, "Housing Management", (("Housing Officer", 46), ("Team Leader", 5), ("Manager", 3))),
    (CBH, "Tenancy Sustainment", (("Tenancy Sustainment Officer", 22), ("Manager", 1))),
)
ESTABLISHMENT_DATE = date(2025, 4, 1)
OPERATIVES = ("Waste Operative", "Street Cleansing Operative")
PRIORITY_SERVICES = (
    "Community Safety",
    "Housing",
    "Licensing",
    "Environmental Protection",
    "Customer Services",
)

FIRST_RESPONDER = "Home Office First Responder"
CAMS_TRAINING = "CAMS Modern Slavery and Human Trafficking"
MANDATORY = "Mandatory Safeguarding"
INTRODUCTION = "Introduction to Safeguarding"
SUPPLY_CHAIN = "Protecting Human Rights in the Supply Chain (Modern Slavery)"
DSO_REFRESHER = "Designated Safeguarding Officer refresher"
SUPPLY_CHAIN_PASSED = 46  # the statement: 46 procurement staff and budget holders since May 2021
COURSE_VARIANTS = {
    FIRST_RESPONDER: ("HOME OFFICE FIRST RESPONDER", "Home Office  First Responder"),
    CAMS_TRAINING: (
        "CAMS Modern Slavery and  Human Trafficking",
        "CAMS modern slavery and human trafficking",
    ),
    MANDATORY: ("Mandatory  Safeguarding", "mandatory safeguarding", "MANDATORY SAFEGUARDING"),
    INTRODUCTION: ("Introduction to Safeguarding ", "Introduction to  Safeguarding"),
    SUPPLY_CHAIN: (
        "Protecting Human Rights in the Supply Chain  (Modern Slavery)",
        "protecting human rights in the supply chain (modern slavery)",
    ),
    DSO_REFRESHER: ("Designated Safeguarding Officer Refresher",),
}
COMPLETED_SPELLINGS = ("Completed", "COMPLETED", "Passed")
LEARNING_POOL_HEADER = (
    "Learner name",
    "Email address",
    "Employee number",
    "Department",
    "Job title",
    "Course title",
    "Completion status",
    "Date completed",
)
# (file month, generated at): each export repeats the one before and adds what happened since.
LEARNING_POOL_EXPORTS = (
    ("2025-09", datetime(2025, 9, 30, 17, 42)),
    ("2025-10", datetime(2025, 10, 31, 16, 5)),
    ("2025-11", datetime(2025, 11, 21, 9, 12)),
)

# NRM spellings down the side of the council's referral crosstabs.
CROSSTAB_CATEGORIES = (
    ("Criminal exploitation (county lines)", 45),
    ("Labour exploitation", 22),
    ("Sexual exploitation", 18),
    ("Domestic servitude", 5),
    ("Organ harvesting", 0),
    ("Not specified", 10),
)

SURVEY_REPORT = "Do you know how to report a concern about modern slavery?"
SURVEY_REPORT_2024 = "Would you know how to report a concern about modern slavery?"
SURVEY_CONFIDENCE = "How confident are you in spotting the signs of modern slavery?"
SURVEY_TRAINED = "Have you completed modern slavery training in the last 12 months?"
SURVEY_SEEN = "Which of these have you seen in the last year? (Select all that apply)"
SURVEY_RESPONDERS = "Do you know who the council's First Responders are?"
SURVEY_COMMENTS = "Any other comments?"
SURVEY_SERVICE = "Which service area do you work in?"
SURVEY_WAVES = (("2024-10", 180, 0.42), ("2025-10", 230, 0.62))  # wave, responses, awareness
LIKERT = ("Very confident", "Fairly confident", "Not very confident", "Not at all confident")
SEEN_OPTIONS = (
    "Posters",
    "Intranet article",
    "Training session",
    "Staff briefing",
    "Social media post",
)
COMMENTS = (
    "More training for front-line staff please.",
    "I didn't know we had First Responders - worth a reminder on the intranet.",
    "The CAMS session was really useful.",
    "Posters in the depot would help, not everyone uses a computer.",
    "Not sure what happens after a referral is made.",
    "Would like a short video on spotting the signs.",
    "Good to see the council taking this seriously.",
    "Can the guidance cover out of hours?\nWho do we call at the weekend?",
)

CHARITY = "Survivor Support Charity"
QUARTERS = ("2024/25 Q1", "2024/25 Q2", "2024/25 Q3", "2024/25 Q4", "2025/26 Q1", "2025/26 Q2")
# objective, measure, organisation, low, high, money
MEASURES: tuple[tuple[int, str, str, int, int, bool], ...] = (
    (1, "Survivors supported", CHARITY, 3, 9, False),
    (1, "Referrals to support services", CCC, 2, 6, False),
    (1, "Referrals to support services", CHARITY, 1, 4, False),
    (2, "Funding secured (GBP)", CCC, 2500, 15000, True),
    (2, "Funding secured (GBP)", "University of Essex", 1000, 9000, True),
    (2, "Funding secured (GBP)", CHARITY, 500, 4000, True),
    (2, "Funding bids submitted", CCC, 0, 2, False),
    (2, "Funding bids submitted", CHARITY, 0, 3, False),
    (3, "Intelligence submissions", "Essex Police", 15, 42, False),
    (3, "Intelligence submissions", CCC, 3, 11, False),
    (3, "Disruption activities", "Essex Police", 2, 8, False),
    (3, "Joint operations", "Essex Police", 0, 3, False),
    (3, "Joint operations", CCC, 0, 2, False),
    (4, "Awareness events", CCC, 0, 4, False),
    (4, "Awareness events", "University of Essex", 0, 3, False),
    (4, "Awareness events", CHARITY, 0, 2, False),
    (4, "Event attendance", CCC, 20, 450, False),
    (4, "Event attendance", "University of Essex", 30, 1400, False),
    (4, "Social media reach", CCC, 2500, 26000, False),
)

# Colchester Borough Homes' referrals by age: month (0 = April 2025), type, exploitation, age.
CBH_REFERRALS = (
    (0, "NRM", "Criminal", "Child"),
    (1, "NRM", "Labour & Criminal", "Adult"),
    (2, "Duty to Notify (MS1)", "Labour", "Adult"),
    (3, "NRM", "Sexual", "Adult"),
    (3, "NRM", "Criminal", "Child"),
    (4, "NRM", "Not specified", "Not specified"),
    (5, "NRM", "Criminal", "Child"),
    (6, "Duty to Notify (MS1)", "Sexual", "Adult"),
    (6, "NRM", "Labour", "Adult"),
)

OBJECTIVE_TITLES = {
    1: "Survivor Support and Care",
    2: "Funding and Sustainability",
    3: "Multi-agency approach to intelligence and disruption",
    4: "Partnership profile/awareness",
}
# objective, action, lead team, due, status (as at the November 2025 review)
ACTIONS: tuple[tuple[int, str, str, date, str], ...] = (
    (
        1,
        "Home Office First Responder training for Community Safety Officers and the "
        "Safeguarding Officer (annual, delivered by Migrant Help UK)",
        "Community Safety",
        date(2025, 6, 30),
        "Complete",
    ),
    (
        1,
        "Extend First Responder training to First Call Officers (FCOs) so victims can be "
        "supported out of hours",
        "Community Safety",
        date(2025, 11, 30),
        "In progress",
    ),
    (
        1,
        "Develop and implement guidance for FCOs supporting victims identified outside office "
        "hours",
        "Community Safety",
        date(2025, 12, 31),
        "On track",
    ),
    (
        1,
        "Name a Single Point of Contact (SPOC) to co-ordinate referrals, record keeping and "
        "support",
        "Community Safety",
        date(2025, 9, 30),
        "Completed",
    ),
    (
        1,
        "Designated Safeguarding Officers refresher training, including modern slavery "
        "(Ofqual regulated award via Nuco Ltd)",
        "Safeguarding",
        date(2026, 3, 31),
        "In Progress",
    ),
    (
        1,
        "Develop the new mandatory safeguarding packages on Learning Pool and continue the "
        "'Introduction to Safeguarding' video course",
        "HR - Learning and Development",
        date(2026, 3, 31),
        "On track",
    ),
    (
        2,
        "Identify external funding for survivor support and CAMS co-ordination",
        "CAMS Steering Group",
        date(2025, 12, 31),
        "In progress",
    ),
    (
        2,
        "Agree partner contributions to the CAMS conference and awareness materials",
        "CAMS Steering Group",
        date(2025, 8, 31),
        "complete",
    ),
    (
        3,
        "Agree an information sharing protocol for intelligence between CAMS partners",
        "Essex Police",
        date(2025, 10, 31),
        "On hold",
    ),
    (
        3,
        "Supply chain e-learning 'Protecting Human Rights in the Supply Chain (Modern Slavery)' "
        "for procurement staff, budget holders and new starters (retrain every 3 years)",
        "Procurement",
        date(2026, 3, 31),
        "On track",
    ),
    (
        3,
        "Ask all suppliers to confirm they address human rights risks in their supply chain, "
        "including a whistleblowing policy at tender",
        "Procurement",
        date(2026, 3, 31),
        "In progress",
    ),
    (
        4,
        "Deliver CAMS modern slavery and human trafficking training to Colchester Borough Homes "
        "staff",
        "Community Safety",
        date(2025, 5, 31),
        "Complete",
    ),
    (
        4,
        "Internal and external comms for World Day Against Trafficking in Persons (30 July 2025)",
        "Communications",
        date(2025, 7, 30),
        "Complete",
    ),
    (
        4,
        "CAMS conference 'The impact of Modern Slavery on Women and Girls' (16 October 2025)",
        "CAMS Steering Group",
        date(2025, 10, 16),
        "Completed",
    ),
    (
        4,
        "Anti-Slavery Day awareness campaign (18 October 2025)",
        "Communications",
        date(2025, 10, 18),
        "Complete",
    ),
    (
        4,
        "October 2025 staff modern slavery awareness survey; publish the results in next year's "
        "statement",
        "Community Safety",
        date(2025, 10, 31),
        "In progress",
    ),
    (
        4,
        "Submit the 2025 transparency statement to the Modern Slavery Statement Registry",
        "Corporate Policy",
        date(2025, 12, 31),
        "Not started",
    ),
)
ACTION_REVIEW = date(2025, 11, 12)

_STAMP = datetime(2025, 11, 21, 9, 0)  # fixed zip and document-property times: same seed, bytes


@dataclass(frozen=True)
class _Person:
    number: int
    organisation: str
    service: str
    role: str
    start: date

    @property
    def name(self) -> str:
        return f"Demo Person {self.number:04d}"

    @property
    def email(self) -> str:
        return f"demo.person{self.number:04d}@{EMAIL_DOMAIN}"

    @property
    def employee_number(self) -> int:
        return 100000 + self.number


def write_demo_files(
    out_dir: Path, *, seed: int = 2025, today: date = date(2026, 11, 23)
) -> list[DemoFile]:
    """Write the demo files into `out_dir`; return them oldest upload first.

    No training completion, export row or tracker update is dated after `today`.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    staff = _staff(rng)
    uploads: list[tuple[date, DemoFile]] = []

    def add(upload_on: date, name: str, kind: str, options: dict[str, str] | None = None) -> Path:
        path = out_dir / name
        uploads.append((upload_on, DemoFile(path, kind, dict(options or {}))))
        return path

    _write_establishment(add(date(2025, 4, 22), "establishment_2025-04.xlsx", "establishment"))
    council = [p for p in staff if p.organisation == CCC]
    training = _training_rows(rng, council, min(LEARNING_POOL_EXPORTS[-1][1].date(), today))
    for month, generated in LEARNING_POOL_EXPORTS:
        cutoff = min(generated.date(), today)
        path = add(generated.date() + timedelta(days=1), f"learning_pool_{month}.xlsx", "training")
        _write_learning_pool(path, [r for appear, r in training if appear <= cutoff], generated)
    cbh = [p for p in staff if p.organisation == CBH]
    _write_cbh_return(
        add(date(2025, 6, 3), "cbh_training_return_2025-05.csv", "training", {"organisation": CBH}),
        rng,
        cbh,
    )
    _write_referrals(rng, add)
    _write_wider_area(rng, add)
    for wave, responses, awareness in SURVEY_WAVES:
        year = int(wave[:4])
        path = add(date(year, 11, 4), f"staff_survey_{wave}.xlsx", "survey", {"wave": wave})
        _write_survey(path, rng, council, year, responses, awareness)
    _write_measures(add(date(2025, 10, 20), "partnership_measures_2025-26.csv", "measures"), rng)
    _write_actions(
        add(min(ACTION_REVIEW, today), "action_plan_tracker.xlsx", "actions"), rng, today
    )
    uploads.sort(key=lambda item: item[0])  # stable: same-day files keep the order written
    return [demo for _, demo in uploads]


# ---------------------------------------------------------------- people and establishment


def _staff(rng: random.Random) -> list[_Person]:
    posts = [
        (org, service, role)
        for org, service, roles in ESTABLISHMENT
        for role, headcount in roles
        for _ in range(headcount)
    ]
    council = [post for post in posts if post[0] == CCC]
    numbers = list(range(1, len(council) + 1))
    rng.shuffle(numbers)  # so the Learning Pool's name order does not follow the service
    people = []
    for number, (org, service, role) in zip(
        numbers + list(range(len(council) + 1, len(posts) + 1)), posts, strict=True
    ):
        if rng.random() < 0.75:
            start = date(2008, 1, 1) + timedelta(days=rng.randrange(13 * 365))
        else:
            start = date(2021, 1, 1) + timedelta(days=rng.randrange(4 * 365 + 89))
        people.append(_Person(number, org, service, role, start))
    return people


def _write_establishment(path: Path) -> None:
    rows: list[list[object]] = [
        ["Establishment by service and role"],
        [f"{CCC} and {CBH}: staff in post as at {ESTABLISHMENT_DATE:%d/%m/%Y} (no vacancies)"],
        [],
        ["Organisation", "Service area", "Role", "Headcount", "As at"],
    ]
    total = 0
    for org, service, roles in ESTABLISHMENT:
        for role, headcount in roles:
            rows.append([org, service, role, headcount, ESTABLISHMENT_DATE])
            total += headcount
    rows += [
        ["Total", None, None, total, None],
        [],
        ["Source: HR establishment report. Agency staff and vacant posts are not counted."],
    ]
    _write_xlsx(path, "Establishment", rows)


# ---------------------------------------------------------------- training


def _training_rows(
    rng: random.Random, council: list[_Person], last: date
) -> list[tuple[date, list[object]]]:
    """Every Learning Pool row, with the day it first appears in an export."""
    rows: list[tuple[date, tuple, list[object]]] = []

    def add(
        person: _Person,
        course: str,
        when: date | None,
        appear: date | None = None,
        status: str = "done",
        timed: bool = False,
    ) -> None:
        appear = appear or when
        if appear is None or appear > last or (when is not None and when > last):
            return
        if status == "done":
            choices = ("Passed", "Completed") if course == SUPPLY_CHAIN else COMPLETED_SPELLINGS
            weights = (80, 20) if course == SUPPLY_CHAIN else (86, 8, 6)
            status_text = rng.choices(choices, weights)[0]
        elif status == "open":
            status_text = "In Progress"
        else:
            status_text = rng.choices(("Not Started", "Not attempted"), (65, 35))[0]
        course_text = course
        if rng.random() < 0.03:
            course_text = rng.choice(COURSE_VARIANTS[course])
        value: object = None
        if when is not None and status == "done":
            if rng.random() < 0.06:
                value = f"{when:%d/%m/%Y}"
            elif timed:
                value = datetime.combine(when, time(rng.randint(8, 17), rng.randrange(60)))
            else:
                value = when
        row = [
            person.name,
            person.email,
            person.employee_number,
            person.service,
            person.role,
            course_text,
            status_text,
            value,
        ]
        rows.append((appear, (person.name, course, when or appear), row))

    def between(first: date, second: date) -> date:
        return first + timedelta(days=rng.randint(0, max(0, (second - first).days)))

    by_role: dict[str, list[_Person]] = {}
    for person in council:
        by_role.setdefault(person.role, []).append(person)
    officers = [p for p in council if p.role not in OPERATIVES]
    operatives = [p for p in council if p.role in OPERATIVES]

    # Home Office First Responder: CSOs and the Safeguarding Officer each year; FCOs from 2025.
    for session in (
        date(2021, 6, 15),
        date(2022, 6, 21),
        date(2023, 7, 11),
        date(2024, 6, 18),
        date(2025, 6, 17),
    ):
        for person in by_role["Community Safety Officer"] + by_role["Safeguarding Officer"]:
            if person.start < session and rng.random() < 0.9:
                add(person, FIRST_RESPONDER, session)
    for person in by_role["First Call Officer"]:
        add(person, FIRST_RESPONDER, None, date(2025, 9, 10), status="not")
        roll = rng.random()
        if roll < 0.5:
            add(person, FIRST_RESPONDER, date(2025, 10, 8))
        elif roll < 0.85:
            add(person, FIRST_RESPONDER, date(2025, 11, 12))

    # CAMS training: monthly sessions since the partnership launched, priority services first.
    sessions = [
        _nth_weekday(year, month, 1, 2)
        for year in (2023, 2024, 2025)
        for month in range(1, 13)
        if date(2023, 9, 1) <= date(year, month, 1) <= date(2025, 11, 1) and month not in (8, 12)
    ]
    learners = rng.sample(officers, 340)  # those who keep mandatory safeguarding up to date
    priority = [p for p in learners if p.service in PRIORITY_SERVICES]
    others = [p for p in learners if p.service not in PRIORITY_SERVICES]
    for person in rng.sample(priority, 120) + rng.sample(others, 70):
        open_sessions = [s for s in sessions if s > person.start]
        if rng.random() < 0.05:
            add(
                person,
                CAMS_TRAINING,
                None,
                between(date(2025, 6, 1), date(2025, 11, 10)),
                status="not",
            )
        elif open_sessions:
            add(person, CAMS_TRAINING, rng.choice(open_sessions))

    # Mandatory Safeguarding: e-learning, renewed about once a year.
    for person in learners:
        when = between(max(date(2021, 5, 1), person.start), date(2022, 3, 31))
        when = max(when, person.start + timedelta(days=rng.randint(5, 60)))
        while True:
            if when >= date(2025, 7, 1) and rng.random() < 0.5:  # started, finished later
                add(
                    person,
                    MANDATORY,
                    None,
                    when - timedelta(days=rng.randint(14, 45)),
                    status="open",
                )
            if when > last:
                break
            add(person, MANDATORY, when, timed=True)
            when += timedelta(days=rng.randint(330, 430))
        if rng.random() < 0.05:
            add(person, MANDATORY, None, between(date(2025, 4, 1), last), status="not")

    # Introduction to Safeguarding: the video course for operational staff, from September 2024.
    for person in rng.sample(operatives, 100):
        if rng.random() < 0.12:
            add(person, INTRODUCTION, None, between(date(2024, 9, 1), last), status="not")
        else:
            add(person, INTRODUCTION, between(date(2024, 9, 2), last), timed=True)

    # Supply chain e-learning: exactly 46 have passed since May 2021; every 3 years again.
    managers = [p for p in by_role["Manager"] if p.service != "Procurement"]
    buyers = by_role["Procurement Officer"] + rng.sample(by_role["Budget Holder"], 27)
    buyers += rng.sample(managers, SUPPLY_CHAIN_PASSED - len(buyers))
    for person in buyers:
        early = rng.random() < 0.4
        first = between(date(2021, 5, 10), date(2021, 12, 20) if early else date(2025, 8, 29))
        first = max(first, person.start + timedelta(days=rng.randint(10, 40)))
        first = min(first, date(2025, 8, 29))
        add(person, SUPPLY_CHAIN, first, timed=True)
        again = first + timedelta(days=3 * 365 + rng.randint(0, 60))
        if again <= date(2025, 8, 29) and rng.random() < 0.7:
            add(person, SUPPLY_CHAIN, again, timed=True)
    for person in by_role["Budget Holder"]:
        if person not in buyers:
            add(
                person,
                SUPPLY_CHAIN,
                None,
                between(date(2025, 5, 1), date(2025, 9, 1)),
                status="not",
            )

    # Designated Safeguarding Officers' refresher in 2025/26 (Nuco Ltd).
    leads = by_role["Safeguarding Officer"] + rng.sample(
        by_role["Manager"] + by_role["Team Leader"], 13
    )
    for person in leads:
        if rng.random() < 0.3:
            add(person, DSO_REFRESHER, None, date(2025, 9, 1), status="open")
        else:
            add(person, DSO_REFRESHER, between(date(2025, 6, 10), date(2025, 11, 18)))

    done = [r for r in rows if r[2][6] not in ("In Progress", "Not Started", "Not attempted")]
    rows += rng.sample(done, len(done) // 60)  # the same completion twice in one export
    rows.sort(key=lambda r: r[1])
    return [(appear, row) for appear, _, row in rows]


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _write_learning_pool(path: Path, rows: list[list[object]], generated: datetime) -> None:
    sheet: list[list[object]] = [
        ["Learning Pool - Course completion report"],
        [f"Generated on {generated:%d/%m/%Y %H:%M}"],
        ["OFFICIAL - SENSITIVE"],
        [],
        list(LEARNING_POOL_HEADER),
        *rows,
        [],
        [
            f"{len(rows)} records. This report contains personal data: do not forward it outside "
            "the council."
        ],
    ]
    _write_xlsx(path, "Course completions", sheet)


def _write_cbh_return(path: Path, rng: random.Random, cbh: list[_Person]) -> None:
    sessions = (date(2025, 5, 13), date(2025, 5, 20), date(2025, 5, 28))
    accents = {2: "Demo Zoë Person", 15: "Demo Renée Person"}  # cp1252 has these, ASCII doesn't
    attendees = rng.sample(cbh, 48)
    attendees.sort(key=lambda p: p.number)
    rows = []
    for index, person in enumerate(attendees):
        when = rng.choice(sessions)
        day = f"{when.day}/{when.month}/{when.year}" if rng.random() < 0.3 else f"{when:%d/%m/%Y}"
        name = f"{accents[index]} {person.number:04d}" if index in accents else person.name
        rows.append([name, CAMS_TRAINING, day, person.service])
    rows.insert(9, list(rows[8]))  # signed the register twice
    _write_csv(path, ["Name", "Course", "Date of training", "Team"], rows, "cp1252")


# ---------------------------------------------------------------- referrals


def _write_referrals(rng: random.Random, add: Callable[..., Path]) -> None:
    years = (
        ("2024-25", date(2024, 4, 1), 12, date(2025, 4, 14), (20, 28), (6, 9)),
        ("2025-26_q1_q2", date(2025, 4, 1), 6, date(2025, 10, 9), (11, 15), (3, 5)),
    )
    for label, start, months, upload_on, nrm, dtn in years:
        periods = [add_months(start, i) for i in range(months)]
        span = f"{periods[0]:%B %Y} to {periods[-1]:%B %Y}"
        for code, referral_type, (low, high) in (
            ("nrm", "NRM referral", nrm),
            ("dtn", "Duty to Notify", dtn),
        ):
            counts: Counter[tuple[str, int]] = Counter()
            categories = CROSSTAB_CATEGORIES
            if code == "dtn":  # adults only, never organ harvesting
                categories = tuple(c for c in CROSSTAB_CATEGORIES if c[1])
            for _ in range(rng.randint(low, high)):
                category = rng.choices([c for c, _ in categories], [w for _, w in categories])[0]
                counts[category, rng.randrange(months)] += 1
            # 2024-25 months are typed text; the 2025-26 Duty to Notify sheet has real dates.
            real_dates = code == "dtn" and months == 6
            blanks = code == "dtn" and months == 12  # nothing typed where there were none
            header: list[object] = ["Exploitation type"]
            header += [(p, "mmm-yy") if real_dates else f"{p:%b-%y}" for p in periods]
            header.append("Total")
            title = (
                "NRM referrals made by Colchester City Council as First Responder"
                if code == "nrm"
                else "Duty to Notify (MS1) notifications made by Colchester City Council"
            )
            sheet: list[list[object]] = [[title], [span], [], header]
            for category, _ in categories:
                cells = [counts[category, m] for m in range(months)]
                shown = [c or None for c in cells] if blanks else cells
                sheet.append([category, *shown, sum(cells)])
            column_totals = [sum(counts[c, m] for c, _ in categories) for m in range(months)]
            sheet.append(["Total", *column_totals, sum(column_totals)])
            sheet += [
                [],
                [
                    "Counts under 5 must not be published. Source: Community Safety "
                    "team referral log."
                ],
            ]
            path = add(
                upload_on,
                f"referrals_{code}_{label}.xlsx",
                "referrals",
                {"referral_type": referral_type},
            )
            _write_xlsx(path, "NRM" if code == "nrm" else "DtN", sheet)

    # Colchester Borough Homes' own count by age, so it never overlaps the council's crosstabs.
    rows = [
        [
            f"{add_months(date(2025, 4, 1), month):%b-%y}",
            referral_type,
            exploitation,
            age,
            CBH,
            rng.randint(1, 2),
        ]
        for month, referral_type, exploitation, age in CBH_REFERRALS
    ]
    path = add(date(2025, 11, 10), "referrals_by_age_2025-26.csv", "referrals")
    _write_csv(
        path,
        [
            "Month",
            "Referral type",
            "Exploitation type",
            "Age group",
            "Referring agency",
            "Number of referrals",
        ],
        rows,
        "utf-8",
    )


# The wider areas' NRM referrals, as the Home Office publishes them: by calendar quarter (2024 Q2
# is April-June 2024), with a mix of exploitation types unlike Colchester's.
WIDER_AREAS = (
    ("nrm_essex_police_area.csv", "Essex Police force area", 140),
    ("nrm_england_and_wales.csv", "England and Wales", 4800),
)
WIDER_MIX = (
    ("Criminal", 0.40, 0.55),  # (type, share of referrals, share of those who are children)
    ("Labour", 0.27, 0.05),
    ("Sexual", 0.15, 0.20),
    ("Domestic servitude", 0.05, 0.10),
    ("Multiple", 0.05, 0.30),
    ("Not specified or unknown", 0.08, 0.35),
)


def _write_wider_area(rng: random.Random, add: Callable[..., Path]) -> None:
    quarters = [(2024, 2), (2024, 3), (2024, 4), (2025, 1), (2025, 2), (2025, 3)]
    for name, geography, per_quarter in WIDER_AREAS:
        rows = []
        for year, quarter in quarters:
            total = round(per_quarter * rng.uniform(0.9, 1.15))
            for exploitation, share, children in WIDER_MIX:
                count = round(total * share * rng.uniform(0.85, 1.15))
                child = round(count * children)
                rows.append([f"{year} Q{quarter}", exploitation, "Adult", count - child])
                rows.append([f"{year} Q{quarter}", exploitation, "Child", child])
        path = add(
            date(2025, 11, 6),
            name,
            "referrals",
            {"geography": geography, "referral_type": "NRM referral"},
        )
        _write_csv(
            path,
            ["Quarter", "Exploitation type", "Age group", "Number of referrals"],
            rows,
            "utf-8",
        )


# ---------------------------------------------------------------- survey


def _write_survey(
    path: Path,
    rng: random.Random,
    council: list[_Person],
    year: int,
    responses: int,
    awareness: float,
) -> None:
    services = Counter(p.service for p in council)
    services["Neighbourhood Services"] //= 4  # operatives rarely answer an online survey
    names, weights = list(services), list(services.values())
    report = SURVEY_REPORT_2024 if year == 2024 else SURVEY_REPORT
    header = [
        "ID",
        "Start time",
        "Completion time",
        "Email",
        "Name",
        "Last modified time",
        SURVEY_SERVICE,
        report,
        SURVEY_CONFIDENCE,
        SURVEY_TRAINED,
        SURVEY_SEEN,
        SURVEY_RESPONDERS,
        SURVEY_COMMENTS,
    ]
    starts = sorted(
        datetime(year, 10, 1)
        + timedelta(
            days=min(int(rng.expovariate(1 / 6)), 30), seconds=rng.randint(8 * 3600, 18 * 3600)
        )
        for _ in range(responses)
    )
    rows: list[list[object]] = [header]
    for number, start in enumerate(starts, 1):
        service = "Prefer not to say" if rng.random() < 0.04 else rng.choices(names, weights)[0]
        aware = awareness + (0.3 if service == "Community Safety" else 0.0)
        aware += 0.1 if service in PRIORITY_SERVICES else 0.0
        aware = min(0.95, aware + rng.uniform(-0.2, 0.2))

        level = min(3, max(0, int((1 - aware) * 4 + rng.uniform(-0.8, 0.8))))
        seen = [o for o in SEEN_OPTIONS if rng.random() < aware * 0.7]
        comment = rng.choice(COMMENTS) if rng.random() < 0.1 else None
        end = start + timedelta(seconds=rng.randint(70, 900))
        rows.append(
            [
                number,
                start,
                end,
                "anonymous",
                None,
                None,
                service,
                _yes_no_not_sure(rng, aware + 0.15),
                LIKERT[level],
                _yes_no_not_sure(rng, aware - 0.1),
                ";".join(seen or ["None of these"]) + ";",
                rng.choices(("Yes", "No"), (aware, 1 - aware))[0],
                comment,
            ]
        )
    _write_xlsx(path, "Sheet1", rows)


def _yes_no_not_sure(rng: random.Random, p: float) -> str:
    roll = rng.random()
    return "Yes" if roll < p else ("Not sure" if roll < p + (1 - p) / 2 else "No")


# ---------------------------------------------------------------- measures and actions


def _write_measures(path: Path, rng: random.Random) -> None:
    rows = []
    for quarter in QUARTERS:
        summer = quarter.endswith("Q2")  # World Day Against Trafficking falls in July
        for objective, measure, organisation, low, high, money in MEASURES:
            value = rng.randint(low, high)
            if summer and objective == 4:
                value = int(value * 1.4)
            if money:
                value = value // 250 * 250 if rng.random() < 0.55 else 0  # bids often fail
                text = f"£{value:,}" if rng.random() < 0.8 else str(value)
            else:
                text = f"{value:,}" if rng.random() < 0.7 else str(value)
            label = f"{objective} " if rng.random() < 0.05 else str(objective)  # typed by hand
            rows.append([label, measure, organisation, quarter, text])
    _write_csv(
        path, ["Objective", "Measure", "Organisation", "Quarter", "Value"], rows, "utf-8-sig"
    )


def _write_actions(path: Path, rng: random.Random, today: date) -> None:
    review = min(ACTION_REVIEW, today)
    sheet: list[list[object]] = [
        ["CAMS Partnership action plan 2025-26 \u2013 progress tracker"],
        [f"Reviewed at Steering Group {review:%d/%m/%Y}"],
        [],
        ["Ref", "Objective", "Action", "Lead", "Due date", "Status", "Last updated"],
    ]
    per_objective: Counter[int] = Counter()
    for objective, action, lead, due, status in ACTIONS:
        per_objective[objective] += 1
        # in full on an objective's first row, then a number (or text like one, pasted in)
        written: object = f"{objective}. {OBJECTIVE_TITLES[objective]}"
        if per_objective[objective] > 1:
            written = objective if rng.random() < 0.5 else str(objective)
        due_cell: object = f"{due:%d/%m/%Y}" if rng.random() < 0.3 else due
        updated = min(review - timedelta(days=rng.randint(0, 70)), today)
        updated_cell: object = f"{updated:%d/%m/%Y}" if rng.random() < 0.2 else updated
        sheet.append(
            [
                f"{objective}.{per_objective[objective]}",
                written,
                action,
                lead,
                due_cell,
                status,
                updated_cell,
            ]
        )
    _write_xlsx(path, "Action plan", sheet)


# ---------------------------------------------------------------- writing


def _write_csv(
    path: Path, header: list[str], rows: Iterable[Sequence[object]], encoding: str
) -> None:
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(text.getvalue().encode(encoding))


def _write_xlsx(path: Path, title: str, rows: Iterable[Sequence[object]]) -> None:
    """One sheet with its dimension written, as Excel saves it; dates shown day first."""
    workbook = Workbook()
    workbook.properties.creator = "CAMS demo"
    workbook.properties.created = _STAMP
    sheet = workbook.active
    sheet.title = title
    for number, row in enumerate(rows, 1):
        for column, value in enumerate(row, 1):
            if value is None:
                continue
            fmt = None
            if isinstance(value, tuple):  # (value, number format)
                value, fmt = value
            elif isinstance(value, date):
                timed = isinstance(value, datetime) and value.time() != time()
                fmt = "dd/mm/yyyy hh:mm" if timed else "dd/mm/yyyy"
            cell = sheet.cell(number, column, value)
            if fmt:
                cell.number_format = fmt
    workbook.save(path)
    _freeze_zip(path)


def _freeze_zip(path: Path) -> None:
    """Fixed times inside the workbook, so the same seed gives the same file (and hash)."""
    stamp = _STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path) as source:
        parts = [(info.filename, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts:
            if name == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp, data
                )
            info = zipfile.ZipInfo(name, date_time=_STAMP.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)


# ---------------------------------------------------------------- what a loader should find


def expected_totals(files: list[DemoFile]) -> dict:
    """What loading these files should give, worked out from the files themselves."""
    headcount = 0
    people: set[str] = set()
    completions: set[tuple[str, str, date]] = set()
    supply_chain: set[str] = set()
    referrals: Counter[str] = Counter()
    survey: dict[str, int] = {}
    measures = actions = 0
    completed = {"completed", "passed"}
    for demo in files:
        records = _records(demo.path)
        if demo.kind == "establishment":
            headcount += sum(int(r["headcount"]) for r in records if r["organisation"] != "Total")
        elif demo.kind == "training":
            for r in records:
                person = str(
                    r.get("email address") or f"{demo.options['organisation']}:{r['name']}"
                )
                people.add(person)
                status = str(r.get("completion status") or "Completed").casefold()
                when = _as_date(r.get("date completed") or r.get("date of training"))
                course = clean_text(str(r.get("course title") or r["course"])).casefold()
                if status in completed and when:
                    completions.add((person, course, when))
                    if course == SUPPLY_CHAIN.casefold():
                        supply_chain.add(person)
        elif demo.kind == "referrals" and "geography" not in demo.options:
            for r in records:
                if "number of referrals" in r:
                    kind = "NRM referral" if r["referral type"] == "NRM" else "Duty to Notify"
                    referrals[kind] += int(r["number of referrals"])
                elif r["exploitation type"] != "Total":
                    referrals[demo.options["referral_type"]] += sum(
                        int(v or 0) for k, v in r.items() if k not in ("exploitation type", "total")
                    )
        elif demo.kind == "survey":
            survey[demo.options["wave"]] = len(records)
        elif demo.kind == "measures":
            measures += len(records)
        elif demo.kind == "actions":
            actions += len(records)
    return {
        "establishment_headcount": headcount,
        "training_people": len(people),
        "training_completions": len(completions),
        "supply_chain_passed": len(supply_chain),
        "referrals": dict(referrals),
        "survey_responses": survey,
        "measures_rows": measures,
        "actions": actions,
    }


_FIRST_HEADERS = {
    "organisation",
    "learner name",
    "name",
    "exploitation type",
    "month",
    "id",
    "objective",
    "ref",
    "quarter",
}


def _records(path: Path) -> list[dict[str, object]]:
    """The rows under a demo file's header, up to the first blank row, keyed by header."""
    if path.suffix == ".csv":
        raw = path.read_bytes()
        encoding = "cp1252" if path.name.startswith("cbh_") else "utf-8-sig"
        rows: list[list[object]] = list(csv.reader(io.StringIO(raw.decode(encoding))))
    else:
        workbook = load_workbook(path, read_only=True, data_only=True)
        rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
        workbook.close()
    start = next(
        i
        for i, row in enumerate(rows)
        if row and isinstance(row[0], str) and normalise_header(row[0]) in _FIRST_HEADERS
    )
    header = [normalise_header(h) if isinstance(h, str) else f"{h:%Y-%m}" for h in rows[start]]
    records = []
    for row in rows[start + 1 :]:
        if not any(v not in (None, "") for v in row):
            break
        records.append(dict(zip(header, row, strict=False)))
    return records


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        return datetime.strptime(value.strip(), "%d/%m/%Y").date()
    return None
