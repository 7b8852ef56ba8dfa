"""A known partnership year, built as messy files and loaded; every figure worked out by hand.

Period 2025/26-Q2 is July-September 2025 and 2025/26-Q1 April-June 2025.

Staff in post at 01/04/2025: First Responder roles 8 CSOs + 1 Safeguarding Officer + 11 FCOs = 20;
supply-chain roles 4 Procurement Officers + 6 Budget Holders = 10.

First Responder (12 months): Q1 (to 30/06/2025) 5 CSOs -> 5/20 = 25%; Q2 (to 30/09/2025) the
same 5 + the Safeguarding Officer + 3 FCOs = 9/20 = 45% (one CSO trained 15/03/2024 has lapsed;
an FCO 'In progress' is not trained; an exact duplicate row counts once).
Supply chain (36 months): Q1 2 Procurement Officers (01/06/2023) = 20%; Q2 + 3 Budget Holders
(12/08/2025) = 50% (a Budget Holder trained 01/05/2021 has lapsed).
CAMS training completions: Q1 2, Q2 4.
NRM referrals (Colchester): Q1 2 + 1 = 3, Q2 3 + 2 + 1 = 6; an Essex row of 40 never counts.
Duty to Notify: Q1 a reported 0 (zero, not 'no data'), Q2 1.
Funding secured: Q1 £5,000, Q2 £12,500; Intelligence submissions Q1 20, Q2 30;
Awareness events Q2 4 and none reported in Q1 ('no data').
Actions of objective 1: due by 30/06/2025 1, marked complete on 01/07/2025, so not complete as at
30/06/2025 -> 0%; by 30/09/2025 3 (2 complete by then) -> 67%.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import builders

from cams_data.ingest import UploadRequest, ingest
from cams_data.validate import Options

CCC = "Colchester City Council"

ESTABLISHMENT = [
    ["Organisation", "Service area", "Job title", "Number of staff", "As at"],
    [CCC, "Community Safety", "Community Safety Officer", 8, dt.date(2025, 4, 1)],
    [CCC, "Community Safety", "Safeguarding Officer", 1, dt.date(2025, 4, 1)],
    [CCC, "Customer Services", "First Call Officer", 11, dt.date(2025, 4, 1)],
    [CCC, "Procurement", "Procurement Officer", 4, dt.date(2025, 4, 1)],
    [CCC, "Finance", "Budget Holder", 6, dt.date(2025, 4, 1)],
]

FR = "Home Office First Responder"
SUPPLY = "Protecting Human Rights in the Supply Chain (Modern Slavery)"
CAMS = "CAMS Modern Slavery and Human Trafficking"


def _training_rows() -> list[list]:
    rows = [["Employee ID", "Full name", "Email", "Department", "Job title", "Course title",
             "Completion status", "Date completed"]]  # fmt: skip

    def add(n, area, role, course, status, when):
        rows.append([f"E{n:03d}", f"Person {n}", f"person{n}@example.org", area, role, course,
                     status, when])  # fmt: skip

    for n in range(1, 6):  # five CSOs trained in June 2025, one date as UK text
        add(n, "Community Safety", "Community Safety Officer", FR, "Completed",
            "10/06/2025" if n == 1 else dt.date(2025, 6, 10))  # fmt: skip
    add(6, "Community Safety", "Community Safety Officer", FR, "Completed", dt.date(2024, 3, 15))
    add(7, "Community Safety", "Safeguarding Officer", FR, "completed", dt.date(2025, 8, 1))
    for n in range(8, 11):
        add(n, "Customer Services", "First Call Officer", FR, "Completed", dt.date(2025, 9, 20))
    rows.append(list(rows[-1]))  # an exact duplicate
    add(11, "Customer Services", "First Call Officer", FR, "In progress", "")
    add(12, "Procurement", "Procurement Officer", SUPPLY, "Completed", dt.date(2023, 6, 1))
    add(13, "Procurement", "Procurement Officer", SUPPLY, "Completed", "01/06/2023")
    add(14, "Finance", "Budget Holder", SUPPLY, "Completed", dt.date(2021, 5, 1))
    for n in range(15, 18):
        add(n, "Finance", "Budget Holder", SUPPLY, "Completed", dt.date(2025, 8, 12))
    for n, when in zip(range(20, 26), ["14/04/2025", "02/05/2025", "01/07/2025", "15/07/2025",
                                       "20/08/2025", "19/09/2025"], strict=True):  # fmt: skip
        add(n, "Housing", "Housing Officer", CAMS, "Completed", when)
    return rows


REFERRALS = [
    ["Month", "Type of referral", "Exploitation type", "Age group", "Number of referrals"],
    ["Apr-25", "NRM", "Criminal exploitation", "Adult", 2],
    ["May-25", "NRM", "Labour exploitation", "18 or over", 1],
    ["May-25", "Duty to Notify", "Labour", "Adult", 0],
    ["Jul-25", "NRM", "County lines", "Child", 3],
    ["Aug-25", "NRM", "Sexual", "Adult", 2],
    ["Sep-25", "NRM", "Labour", "Adult", 1],
    ["Jul-25", "Duty to Notify", "Labour", "Adult", 1],
    ["Total", "", "", "", 10],
]

MEASURES = [
    ["Objective", "Measure", "Period", "Value"],
    [2, "Funding secured (GBP)", "2025/26 Q1", "£5,000"],
    [2, "Funding secured (GBP)", "2025/26 Q2", "£12,500"],
    [3, "Intelligence submissions", "2025/26 Q1", 20],
    [3, "Intelligence submissions", "2025/26 Q2", 30],
    [4, "Awareness events", "2025/26 Q2", 4],
]

ACTIONS = [
    ["Objective", "Action", "Lead", "Due date", "Status", "Last updated"],
    [
        1,
        "Name a single point of contact",
        "Community Safety",
        "30/06/2025",
        "Complete",
        "01/07/2025",
    ],  # fmt: skip
    [
        1,
        "Guidance for out-of-hours officers",
        "Community Safety",
        "31/08/2025",
        "In progress",
        "01/09/2025",
    ],  # fmt: skip
    [
        1,
        "First Responder training for FCOs",
        "Community Safety",
        "30/09/2025",
        "Completed",
        "30/09/2025",
    ],  # fmt: skip
    [
        1,
        "Survivor care pathway review",
        "Community Safety",
        "31/12/2025",
        "Not started",
        "01/09/2025",
    ],  # fmt: skip
]


def load(db: Path, folder: Path) -> dict:
    """Load the year into `db`; returns the survey exports' expected figures by wave."""

    def put(path: Path, **kwargs) -> None:
        ingest(UploadRequest(path.read_bytes(), path.name, db=db, **kwargs))

    put(builders.write_xlsx(folder / "establishment.xlsx", ESTABLISHMENT,
                            title_rows=["Establishment at 1 April 2025"]))  # fmt: skip
    put(builders.write_xlsx(folder / "learning_pool.xlsx", _training_rows(),
                            title_rows=["Course completion report", "Run 01/10/2025"]))  # fmt: skip
    put(builders.write_csv(folder / "referrals.csv", REFERRALS, title_rows=["Referrals 2025/26"]))
    put(
        builders.write_csv(
            folder / "essex.csv", [REFERRALS[0], ["Jul-25", "NRM", "Labour", "Adult", 40]]
        ),  # fmt: skip
        options=Options(geography="Essex Police force area"),
    )
    put(builders.write_csv(folder / "measures.csv", MEASURES))
    put(builders.write_xlsx(folder / "actions.xlsx", ACTIONS, title_rows=["CAMS action plan"]))
    surveys = {}
    for wave, seed in (("2024-10", 3), ("2025-10", 4)):
        path, expected = builders.forms_survey_export(
            folder / f"survey_{wave}.xlsx", respondents=30, seed=seed,
            wave_month=(int(wave[:4]), 10),
        )  # fmt: skip
        put(path)
        surveys[wave] = expected
    return surveys
