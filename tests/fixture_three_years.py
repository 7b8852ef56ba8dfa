"""Three partnership years, 2023/24 to 2025/26 (data to 30/09/2025), built as messy files and
loaded; every figure worked out by hand from the rows below, never by calling cams_data.

Organisations: Colchester City Council (CCC) and Colchester Borough Homes (CBH). Referrals,
the staff survey and the action plan are the partnership's: the organisation filter leaves them
as they are. Periods checked: every quarter of 2023/24 and 2024/25, 2025/26-Q1 and -Q2, and the
three years. A period's end is the first day after it; "as at" is its last day.

Rules the figures follow (objectives.toml, cams_data/indicators.py):
- coverage: people whose completion of the course lies in the `valid_months` before the period's
  end, in the indicator's roles, over the headcount of those roles in the latest staff snapshot
  dated before the period's end (snapshots on 01/04/2023, 01/04/2024 and 01/04/2025);
- completions, referrals and `sum` measures: rows wholly inside the period, added up; no rows at
  all (of the measure, referral type or, for completions, of any course) is "no data" (None);
  completions before an organisation's first completion of any course are None too;
- survey: share answering "Yes" in the latest wave held (October) before the period's end;
- actions: actions due by the period's last day, and of them those Completed as at that day,
  each action as its latest tracker row dated on or before that day (the tracker is uploaded
  twice: v1 as at March 2024, v2 as at September 2025);
- 2025/26 is still running: its `sum` targets are for the 6 months with data (a half).

Staff in post (FR roles: CSO + Safeguarding Officer + FCO; supply chain: Procurement Officer +
Budget Holder), CCC / CBH / all:
  01/04/2023  FR 6+1+10 = 17 / 2 / 19      supply 4+6 = 10 / 3 / 13
  01/04/2024  FR 8+1+10 = 19 / 2 / 21      supply 4+6 = 10 / 3 / 13
  01/04/2025  FR 8+1+11 = 20 / 3 / 23      supply 5+6 = 11 / 3 / 14
2023/24-Q1 (the first quarter) uses the 01/04/2023 snapshot, as every quarter of 2023/24 does.

First Responder completions (12 months): C1 10/05/23 02/05/24 12/05/25; C2 10/05/23 20/06/24;
C3 10/05/23; C4 14/09/23 01/09/24 25/08/25; C5 14/09/23; C6 05/02/24 10/02/25; C7 03/07/24;
S1 20/04/23 15/04/24 22/04/25; F1-F4 18/01/24, F1-F2 again 15/01/25; F5-F7 20/09/25 (F8 'In
progress'); CBH H1 12/06/24 10/06/25, H2 12/06/24.
  e.g. 2023/24-Q3 (to 31/12/23): C1 C2 C3 C4 C5 S1 = 6 of 17 CCC -> 35.3%; all 6/19 = 31.6%.
  2024/25-Q1 (to 30/06/24): C1 C2 C4 C5 C6 S1 F1-F4 = 10/19 CCC; H1 H2 2/2 CBH; 12/21 all.
Supply chain (36 months): P1 01/06/21 03/06/24; P2 P3 15/11/22; P4 09/10/23; B1 12/03/21;
B2 B3 20/07/23; B4 11/12/24; CBH K1 K2 05/05/25.
CAMS completions by quarter (CCC + CBH): 2023/24 3, 5, 0, 2; 2024/25 4, 1, 6, 3; 2025/26
2+5, 3+4 (CBH from May 2025); CBH's figure is None before its first completion of any course
(12/06/2024), 0 after it until May 2025.
Survey: 21 of 30 said Yes in October 2023 (70%), 22 of 36 in October 2024 (61.1%).

Referrals (Colchester; an Essex Police force area file never counts), NRM / Duty to Notify:
  2023/24  Q1 6/1  Q2 6/2  Q3 4/1  Q4 7/2  year 23/6   (every referral an adult; July a zero)
  2024/25  Q1 6/1  Q2 3/0  Q3 7/3  Q4 8/1  year 24/5
  2025/26  Q1 6/2  Q2 6/1  year 12/3
Measures: the quarterly figures of each organisation are in MEASURES (None: not reported); a
period's figure is the sum of the quarters inside it.
Actions (objective 1) as at 31/12/2023: a (Completed) and b (In progress at 01/12/2023; v2
marks it Completed on 15/02/2024, after the day) are due -> 1 of 2 = 50%.

EXPECTED holds every figure: EXPECTED["indicators"][period][organisation][indicator id] (None:
no data; organisation "All organisations" for no filter) and EXPECTED["referrals"][period] with
local totals by referral type, exploitation type and age group.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import builders

from cams_data.ingest import UploadRequest, ingest
from cams_data.validate import Options

CCC = "Colchester City Council"
CBH = "Colchester Borough Homes"
ALL = "All organisations"
ORGANISATIONS = (ALL, CCC, CBH)
PERIODS = (
    "2023/24", "2023/24-Q1", "2023/24-Q2", "2023/24-Q3", "2023/24-Q4",
    "2024/25", "2024/25-Q1", "2024/25-Q2", "2024/25-Q3", "2024/25-Q4",
    "2025/26", "2025/26-Q1", "2025/26-Q2",
)  # fmt: skip
QUARTERS = (
    "2023/24-Q1", "2023/24-Q2", "2023/24-Q3", "2023/24-Q4",
    "2024/25-Q1", "2024/25-Q2", "2024/25-Q3", "2024/25-Q4",
    "2025/26-Q1", "2025/26-Q2",
)  # fmt: skip

FR = "Home Office First Responder"
SUPPLY = "Protecting Human Rights in the Supply Chain (Modern Slavery)"
CAMS = "CAMS Modern Slavery and Human Trafficking"
D = dt.date

# --- staff numbers: (organisation, service area, role) -> headcount at 01/04 of 2023, 2024, 2025
STAFF = {
    (CCC, "Community Safety", "Community Safety Officer"): (6, 8, 8),
    (CCC, "Community Safety", "Safeguarding Officer"): (1, 1, 1),
    (CCC, "Customer Services", "First Call Officer"): (10, 10, 11),
    (CCC, "Procurement", "Procurement Officer"): (4, 4, 5),
    (CCC, "Finance", "Budget Holder"): (6, 6, 6),
    (CCC, "Housing", "Housing Officer"): (20, 21, 22),
    (CBH, "Tenancy Services", "Community Safety Officer"): (2, 2, 3),
    (CBH, "Finance", "Budget Holder"): (3, 3, 3),
    (CBH, "Housing Management", "Housing Officer"): (15, 15, 16),
}
SNAPSHOTS = (D(2023, 4, 1), D(2024, 4, 1), D(2025, 4, 1))

# --- people: id -> (organisation, service area, role)
PEOPLE = {
    **{f"C{n}": (CCC, "Community Safety", "Community Safety Officer") for n in range(1, 9)},
    "S1": (CCC, "Community Safety", "Safeguarding Officer"),
    **{f"F{n}": (CCC, "Customer Services", "First Call Officer") for n in range(1, 9)},
    **{f"P{n}": (CCC, "Procurement", "Procurement Officer") for n in range(1, 6)},
    **{f"B{n}": (CCC, "Finance", "Budget Holder") for n in range(1, 7)},
    **{f"A{n}": (CCC, "Housing", "Housing Officer") for n in range(1, 21)},
    **{f"H{n}": (CBH, "Tenancy Services", "Community Safety Officer") for n in range(1, 4)},
    **{f"K{n}": (CBH, "Finance", "Budget Holder") for n in range(1, 4)},
    **{f"G{n}": (CBH, "Housing Management", "Housing Officer") for n in range(1, 13)},
}

# --- completions: (person, course, completed on); every one 'Completed' (open rows are apart)
COMPLETIONS = [
    *[(p, FR, D(2023, 5, 10)) for p in ("C1", "C2", "C3")],
    ("C1", FR, D(2024, 5, 2)), ("C1", FR, D(2025, 5, 12)), ("C2", FR, D(2024, 6, 20)),
    ("C4", FR, D(2023, 9, 14)), ("C4", FR, D(2024, 9, 1)), ("C4", FR, D(2025, 8, 25)),
    ("C5", FR, D(2023, 9, 14)), ("C6", FR, D(2024, 2, 5)), ("C6", FR, D(2025, 2, 10)),
    ("C7", FR, D(2024, 7, 3)),
    ("S1", FR, D(2023, 4, 20)), ("S1", FR, D(2024, 4, 15)), ("S1", FR, D(2025, 4, 22)),
    *[(p, FR, D(2024, 1, 18)) for p in ("F1", "F2", "F3", "F4")],
    *[(p, FR, D(2025, 1, 15)) for p in ("F1", "F2")],
    *[(p, FR, D(2025, 9, 20)) for p in ("F5", "F6", "F7")],
    ("H1", FR, D(2024, 6, 12)), ("H1", FR, D(2025, 6, 10)), ("H2", FR, D(2024, 6, 12)),
    ("P1", SUPPLY, D(2021, 6, 1)), ("P1", SUPPLY, D(2024, 6, 3)),
    ("P2", SUPPLY, D(2022, 11, 15)), ("P3", SUPPLY, D(2022, 11, 15)),
    ("P4", SUPPLY, D(2023, 10, 9)), ("B1", SUPPLY, D(2021, 3, 12)),
    ("B2", SUPPLY, D(2023, 7, 20)), ("B3", SUPPLY, D(2023, 7, 20)),
    ("B4", SUPPLY, D(2024, 12, 11)),
    ("K1", SUPPLY, D(2025, 5, 5)), ("K2", SUPPLY, D(2025, 5, 5)),
    # CAMS: 2023/24 Q1 3, Q2 5, Q3 0, Q4 2
    ("A1", CAMS, D(2023, 5, 5)), ("C1", CAMS, D(2023, 6, 22)), ("C2", CAMS, D(2023, 6, 22)),
    *[(p, CAMS, D(2023, 8, 15)) for p in ("A2", "A3", "A4")],
    ("A5", CAMS, D(2023, 9, 28)), ("S1", CAMS, D(2023, 7, 3)),
    ("A6", CAMS, D(2024, 2, 1)), ("A7", CAMS, D(2024, 3, 27)),
    # 2024/25 Q1 4, Q2 1, Q3 6, Q4 3 (A1 again, in a later year)
    *[(p, CAMS, D(2024, 5, 14)) for p in ("A8", "A9", "A10")], ("F1", CAMS, D(2024, 6, 30)),
    ("A11", CAMS, D(2024, 8, 8)),
    *[(p, CAMS, D(2024, 11, 19)) for p in ("A12", "A13", "A14", "A15")],
    ("A1", CAMS, D(2024, 10, 2)), ("P1", CAMS, D(2024, 12, 31)),
    ("A16", CAMS, D(2025, 1, 20)), ("A17", CAMS, D(2025, 2, 25)), ("A18", CAMS, D(2025, 3, 31)),
    # 2025/26 Q1 CCC 2 + CBH 5, Q2 CCC 3 + CBH 4
    ("A19", CAMS, D(2025, 4, 1)), ("A2", CAMS, D(2025, 6, 18)),
    *[(p, CAMS, D(2025, 5, 21)) for p in ("G1", "G2", "G3", "G4", "H1")],
    ("A20", CAMS, D(2025, 7, 9)), ("C8", CAMS, D(2025, 9, 2)), ("A3", CAMS, D(2025, 9, 30)),
    *[(p, CAMS, D(2025, 8, 13)) for p in ("G5", "G6", "G7", "K1")],
]  # fmt: skip

# --- referrals (Colchester): (month, referral type, exploitation, age group, agency, count)
EP, SA, BA = "Essex Police", "Salvation Army", "Barnardo\u2019s"
NRM, DTN = "NRM referral", "Duty to Notify"
REFERRALS = [
    (D(2023, 4, 1), NRM, "Labour", "Adult", CCC, 2),
    (D(2023, 4, 1), DTN, "Labour", "Adult", CCC, 1),
    (D(2023, 5, 1), NRM, "Criminal", "Adult", EP, 3),
    (D(2023, 6, 1), NRM, "Sexual", "Adult", CCC, 1),
    (D(2023, 6, 1), DTN, "Labour", "Adult", CCC, 0),
    (D(2023, 7, 1), NRM, "Labour", "Adult", CCC, 0),  # a month with none
    (D(2023, 8, 1), NRM, "Criminal", "Adult", EP, 4),
    (D(2023, 8, 1), DTN, "Criminal", "Adult", CCC, 2),
    (D(2023, 9, 1), NRM, "Labour", "Adult", SA, 2),
    (D(2023, 10, 1), NRM, "Criminal", "Adult", EP, 3),  # written as 2 'Criminal' + 1 'County lines'
    (D(2023, 11, 1), NRM, "Domestic servitude", "Adult", CCC, 1),
    (D(2023, 12, 1), DTN, "Labour", "Adult", CCC, 1),
    (D(2024, 1, 1), NRM, "Labour", "Adult", CCC, 3),
    (D(2024, 2, 1), NRM, "Sexual", "Adult", EP, 2),
    (D(2024, 2, 1), DTN, "Labour", "Adult", CCC, 2),
    (D(2024, 3, 1), NRM, "Multiple", "Adult", CCC, 2),
    (D(2024, 4, 1), NRM, "Criminal", "Child", EP, 3),
    (D(2024, 4, 1), NRM, "Labour", "Adult", CCC, 2),
    (D(2024, 5, 1), DTN, "Labour", "Adult", CCC, 1),
    (D(2024, 6, 1), NRM, "Sexual", "Child", BA, 1),
    (D(2024, 7, 1), NRM, "Criminal", "Child", EP, 2),
    (D(2024, 8, 1), NRM, "Labour", "Adult", CCC, 1),
    (D(2024, 8, 1), DTN, "Labour", "Adult", CCC, 0),
    (D(2024, 10, 1), NRM, "Criminal", "Not specified", EP, 4),
    (D(2024, 10, 1), DTN, "Labour", "Adult", CCC, 3),
    (D(2024, 11, 1), NRM, "Labour", "Adult", CCC, 2),
    (D(2024, 12, 1), NRM, "Domestic servitude", "Adult", CCC, 1),
    (D(2025, 1, 1), NRM, "Criminal", "Child", EP, 5),
    (D(2025, 2, 1), NRM, "Not specified or unknown", "Adult", SA, 1),
    (D(2025, 2, 1), DTN, "Labour", "Adult", CCC, 1),
    (D(2025, 3, 1), NRM, "Sexual", "Adult", EP, 2),
    (D(2025, 4, 1), NRM, "Criminal", "Adult", EP, 2),
    (D(2025, 4, 1), DTN, "Labour", "Adult", CCC, 2),
    (D(2025, 5, 1), NRM, "Labour", "Adult", CCC, 1),
    (D(2025, 6, 1), NRM, "Criminal", "Child", EP, 3),
    (D(2025, 7, 1), NRM, "Criminal", "Child", EP, 3),
    (D(2025, 8, 1), NRM, "Sexual", "Adult", CCC, 2),
    (D(2025, 8, 1), DTN, "Labour", "Adult", CCC, 1),
    (D(2025, 9, 1), NRM, "Labour", "Adult", CCC, 1),
]

# --- partnership measures: (measure, objective, organisation) -> the ten quarters' figures
MEASURES = {
    ("Funding secured (GBP)", 2, CCC): (5000, 0, 12500, 2500, 10000, None, 7500, 15000, 4000, 6000),
    ("Funding secured (GBP)", 2, CBH): (None, 1000, None, 3000, 2000, 2000, None, 5000, None, 1500),
    ("Funding bids submitted", 2, CCC): (1, 2, 1, 3, 2, 1, 2, 2, 1, 2),
    ("Funding bids submitted", 2, CBH): (None, 1, None, 1, 1, None, 1, None, 1, None),
    ("Intelligence submissions", 3, CCC): (20, 25, 18, 30, 22, 26, 19, 28, 24, 31),
    ("Intelligence submissions", 3, CBH): (5, 6, 4, 8, 7, 5, 6, 9, 8, 7),
    ("Disruption activities", 3, CCC): (3, 4, 2, 5, 4, 3, 4, 4, 5, 3),
    ("Disruption activities", 3, CBH): (1, 0, 1, 2, 1, 1, 0, 2, 1, 2),
    ("Joint operations", 3, CCC): (1, None, 2, 1, None, 1, 2, 1, 1, None),
    ("Survivors supported", 1, CCC): (3, 6, 2, 4, 5, 1, 3, 7, 2, 4),
    ("Survivors supported", 1, CBH): (1, 2, 0, 1, 2, None, 1, 1, 3, 2),
    ("Referrals to support services", 1, CCC): (2, 4, 1, 3, 6, 2, 2, 5, 3, 1),
    ("Referrals to support services", 1, CBH): (0, 1, 1, None, 1, 1, 2, 0, 2, 1),
    ("Awareness events", 4, CCC): (2, 1, 3, 2, 3, 4, 2, 1, 3, 2),
    ("Awareness events", 4, CBH): (None, 1, 1, None, 1, 2, None, 1, 1, 1),
    ("Event attendance", 4, CCC): (120, 45, 300, 80, 150, 400, 90, 60, 200, 350),
    ("Event attendance", 4, CBH): (None, 30, 25, None, 40, 60, None, 20, 35, 45),
}  # fmt: skip

# --- the action plan: (objective, action, due, v1 (status, updated) or None, v2 (status, updated))
ACTIONS = [
    (1, "Name a single point of contact for NRM referrals", D(2023, 6, 30),
     ("Completed", D(2023, 6, 20)), ("Completed", D(2023, 6, 20))),
    (1, "Out-of-hours guidance for First Call Officers", D(2023, 12, 31),
     ("In progress", D(2023, 12, 1)), ("Completed", D(2024, 2, 15))),
    (1, "First Responder training for First Call Officers", D(2024, 3, 31),
     ("Completed", D(2024, 1, 18)), ("Completed", D(2024, 1, 18))),
    (1, "Survivor care pathway review", D(2024, 9, 30),
     ("Not started", D(2024, 3, 1)), ("Completed", D(2024, 10, 10))),
    (1, "Refresh the referral flowchart", D(2025, 6, 30),
     ("Not started", D(2024, 3, 1)), ("In progress", D(2025, 9, 1))),
    (2, "Bid to the Home Office modern slavery fund", D(2023, 9, 30),
     ("Completed", D(2023, 9, 25)), ("Completed", D(2023, 9, 25))),
    (2, "Agree partner contributions for 2024/25", D(2024, 3, 31),
     ("In progress", D(2024, 3, 1)), ("Completed", D(2024, 5, 20))),
    (2, "A sustainability plan for the partnership", D(2025, 3, 31),
     ("Not started", D(2024, 3, 1)), ("Completed", D(2025, 3, 28))),
    (3, "Information-sharing agreement between partners", D(2023, 12, 31),
     ("Completed", D(2023, 12, 5)), ("Completed", D(2023, 12, 5))),
    (3, "Joint operation protocol with Essex Police", D(2024, 6, 30),
     ("In progress", D(2024, 3, 1)), ("On hold", D(2024, 8, 1))),
    (3, "Intelligence dashboard for partners", D(2025, 3, 31),
     ("Not started", D(2024, 3, 1)), ("Completed", D(2025, 1, 14))),
    (4, "Anti-Slavery Day campaign 2023", D(2023, 10, 31),
     ("Completed", D(2023, 10, 18)), ("Completed", D(2023, 10, 18))),
    (4, "Staff awareness survey in October 2024", D(2024, 10, 31),
     ("Not started", D(2024, 3, 1)), ("Completed", D(2024, 10, 30))),
    (4, "Anti-Slavery Day campaign 2025", D(2025, 10, 31),
     None, ("In progress", D(2025, 9, 1))),
]  # fmt: skip

SURVEY_WAVES = {"2023-10": (5, 30), "2024-10": (6, 36)}  # wave -> (builder seed, respondents)
SURVEY_YES = {"2023-10": (21, 30), "2024-10": (22, 36)}  # "Yes" of respondents, counted by hand


def _uk(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _establishment(year: int) -> list[list]:
    """One snapshot's file: each year's layout and header spellings differ."""
    at = SNAPSHOTS.index(dt.date(year, 4, 1))
    headers = {
        2023: ["Organisation", "Service area", "Job title", "Number of staff", "As at"],
        2024: ["Org", "Department", "Post", "Staff in post", "Snapshot date"],
        2025: ["Organisation name", "Service", "Job role", "Head count", "Effective date"],
    }[year]
    when = {2023: SNAPSHOTS[0], 2024: "01/04/2024", 2025: "1/4/2025"}[year]
    rows = [headers]
    for (organisation, area, role), counts in STAFF.items():
        if year == 2024 and role == "First Call Officer":  # two teams: one key, added up
            rows += [[organisation, area, role, 6, when], [organisation, area, role, 4, when]]
        else:
            rows.append([organisation, area, role, counts[at], when])
    rows.append(["Total", "", "", sum(c[at] for c in STAFF.values()), ""])
    return rows


def _person(person: str) -> list:
    number = sum(ord(c) for c in person) * 7 + int(person[1:])
    return [f"E{number:04d}", f"Person {person}", f"person.{person.lower()}@example.org"]


def _learning_pool() -> list[list]:
    """The council's export: every CCC completion, text and real dates, a duplicate row, an
    open course, status and course spellings as people type them."""
    rows = [["Employee ID", "Full name", "Email", "Department", "Job title", "Course title",
             "Completion status", "Date completed"]]  # fmt: skip
    for n, (person, course, day) in enumerate(COMPLETIONS):
        organisation, area, role = PEOPLE[person]
        if organisation != CCC:
            continue
        status = ("Completed", "completed", "Passed")[n % 3]
        name = course.lower() if course == CAMS and day.year == 2025 else course
        rows.append([*_person(person), area, role, name, status, _uk(day) if n % 2 else day])
    rows.append(list(rows[5]))  # an exact duplicate
    rows.append([*_person("F8"), "Customer Services", "First Call Officer", FR, "In progress", ""])
    return rows


def _partner_return() -> list[list]:
    """Colchester Borough Homes' own return, with its own headers."""
    rows = [["Staff number", "Staff name", "E-mail", "Organisation", "Team", "Position",
             "Training", "Result", "Date of training"]]  # fmt: skip
    for person, course, day in COMPLETIONS:
        organisation, area, role = PEOPLE[person]
        if organisation == CBH:
            rows.append([*_person(person), organisation, area, role, course, "Attended", _uk(day)])
    return rows


def _referrals(year: int) -> tuple[list[list], dict]:
    """A year's referral counts, each year in its own layout."""
    first, last = dt.date(year, 4, 1), dt.date(year + 1, 4, 1)
    mine = [r for r in REFERRALS if first <= r[0] < last]
    if year == 2023:
        rows = [["Month", "Referral type", "Type of exploitation", "Age", "First responder",
                 "Count"]]  # fmt: skip
        for month, kind, exploitation, age, agency, count in mine:
            if month == dt.date(2023, 10, 1):  # one key in two spellings: added up
                rows.append([month, "NRM", "Criminal exploitation", "18 or over", agency, 2])
                rows.append([month, "NRM", "County lines", "Adult", agency, 1])
                continue
            age = "18 or over" if count % 2 else age
            rows.append([month, "NRM" if kind == NRM else "MS1", exploitation, age, agency, count])
        return rows, {"title_rows": ["Modern slavery referrals - Colchester", "2023/24"]}
    if year == 2024:
        rows = [["Month of referral", "Type of referral", "Exploitation type", "Age group",
                 "Referring agency", "Number of referrals"]]  # fmt: skip
        for month, kind, exploitation, age, agency, count in mine:
            label = "Unknown" if exploitation.startswith("Not specified") else exploitation
            rows.append([f"{month:%b-%y}", kind, label, age, agency, count])
        rows.append(["Total", "", "", "", "", sum(r[-1] for r in mine)])
        return rows, {"title_rows": ["Referrals 2024/25"]}
    rows = [["Reporting month", "Route", "Exploitation", "Age category", "Referrer",
             "Total referrals"]]  # fmt: skip
    for month, kind, exploitation, age, agency, count in mine:
        route = "Duty to Notify (MS1)" if kind == DTN else "National Referral Mechanism"
        rows.append([_uk(month), route, exploitation, age, agency, count])
    return rows, {"notes_below": ["Figures to 30/09/2025; provisional."]}


def _measures_crosstab() -> list[list]:
    """2023/24 as partners send it: quarters across (spelt two ways), a Total column."""
    rows = [["Objective", "Measure", "Organisation", "2023/24 Q1", "Q2 2023-24", "2023/24 Q3",
             "Q4 2023-24", "Total"]]  # fmt: skip
    for (measure, objective, organisation), values in MEASURES.items():
        year = values[:4]
        if all(v is None for v in year):
            continue
        money = measure.endswith("(GBP)")
        cells = ["" if v is None else f"£{v:,}" if money else v for v in year]
        rows.append([objective, measure, organisation, *cells,
                     sum(v or 0 for v in year)])  # fmt: skip
    return rows


def _measures_tidy(first: int, last: int, layout: int) -> list[list]:
    headers = (
        ["Objective", "Measure", "Partner", "Period", "Value"],
        ["Partnership objective", "Indicator", "Reported by", "Quarter", "Figure"],
    )[layout]
    rows = [headers]
    for (measure, objective, organisation), values in MEASURES.items():
        for quarter in range(first, last):
            value = values[quarter]
            if value is None:
                continue
            year, number = 2023 + quarter // 4, quarter % 4 + 1
            label = (
                f"{year}/{(year + 1) % 100} Q{number}"
                if layout == 0
                else f"Q{number} {year}-{(year + 1) % 100}"
            )
            shown = f"£{value:,}" if measure.endswith("(GBP)") else value
            rows.append([f"Objective {objective}" if layout else objective, measure,
                         organisation, label, shown])  # fmt: skip
    return rows


def _tracker(version: int) -> list[list]:
    if version == 1:
        rows = [["Ref", "Objective", "Action", "Lead", "Due date", "Status", "Last updated"]]
    else:
        rows = [["No", "Partnership objective", "Action description", "Action owner",
                 "Deadline", "Current status", "Date updated"]]  # fmt: skip
    for n, (objective, action, due, v1, v2) in enumerate(ACTIONS, start=1):
        row = v1 if version == 1 else v2
        if row is None:
            continue
        status, updated = row
        if version == 2 and status == "Completed":
            status = ("Complete", "Done", "Completed")[n % 3]
        rows.append([n, objective, action, "Community Safety", _uk(due) if version == 2 else due,
                     status, _uk(updated)])  # fmt: skip
    if version == 2:
        rows.append(list(rows[3]))  # an exact duplicate
    return rows


def load(db: Path, folder: Path) -> dict:
    """Load the three years into `db`, in upload order; returns the survey builder's figures
    by wave (to check against EXPECTED's)."""

    def put(path: Path, **kwargs) -> None:
        ingest(UploadRequest(path.read_bytes(), path.name, db=db, **kwargs))

    for year in (2023, 2024, 2025):
        rows = _establishment(year)
        if year == 2024:
            put(builders.write_csv(folder / "establishment_2024.csv", rows))
        else:
            title = [f"Staff in post at 1 April {year}", "Source: HR"]
            put(builders.write_xlsx(folder / f"establishment_{year}.xlsx", rows, title_rows=title))
    put(builders.write_xlsx(folder / "learning_pool.xlsx", _learning_pool(),
                            title_rows=["Course completion report", "Run 01/10/2025"]))  # fmt: skip
    put(builders.write_csv(folder / "cbh_training.csv", _partner_return()))
    for year in (2023, 2024, 2025):
        rows, layout = _referrals(year)
        if year == 2023:
            put(builders.write_xlsx(folder / "referrals_2023.xlsx", rows, **layout))
        else:
            put(builders.write_csv(folder / f"referrals_{year}.csv", rows, **layout))
    essex = [["Month", "Type of referral", "Exploitation type", "Age group", "Number"]]
    essex += [[f"{r[0]:%b-%y}", "NRM", r[2], r[3], 40 + r[5]] for r in REFERRALS if r[1] == NRM]
    put(builders.write_csv(folder / "essex.csv", essex),
        options=Options(geography="Essex Police force area"))  # fmt: skip
    put(builders.write_xlsx(folder / "measures_2023.xlsx", _measures_crosstab(),
                            title_rows=["Partnership measures 2023/24"]))  # fmt: skip
    put(builders.write_csv(folder / "measures_2024.csv", _measures_tidy(4, 8, 0)))
    put(builders.write_xlsx(folder / "measures_2025.xlsx", _measures_tidy(8, 10, 1)))
    put(builders.write_xlsx(folder / "tracker_v1.xlsx", _tracker(1),
                            title_rows=["CAMS action plan", "As at March 2024"]))  # fmt: skip
    put(builders.write_csv(folder / "tracker_v2.csv", _tracker(2)))
    surveys = {}
    for wave, (seed, respondents) in SURVEY_WAVES.items():
        path, expected = builders.forms_survey_export(
            folder / f"survey_{wave}.xlsx", respondents=respondents, seed=seed,
            wave_month=(int(wave[:4]), 10),
        )  # fmt: skip
        put(path)
        surveys[wave] = expected
    return surveys


# Worked out with plain Python over the rows above (see the module docstring for the rules).
EXPECTED: dict = {
    "indicators": {
        "2023/24": {
            "first-responder-coverage": {ALL: 100 * 11 / 19, CCC: 100 * 11 / 17, CBH: 100 * 0 / 2},
            "nrm-referrals": 23,
            "duty-to-notify": 6,
            "survivors-supported": {ALL: 19, CCC: 15, CBH: 4},
            "support-referrals": {ALL: 12, CCC: 10, CBH: 2},
            "objective-1-actions": 100 * 3 / 3,
            "funding-secured": {ALL: 24000, CCC: 20000, CBH: 4000},
            "funding-bids": {ALL: 9, CCC: 7, CBH: 2},
            "objective-2-actions": 100 * 1 / 2,
            "intelligence-submissions": {ALL: 116, CCC: 93, CBH: 23},
            "disruption-activities": {ALL: 18, CCC: 14, CBH: 4},
            "joint-operations": {ALL: 4, CCC: 4, CBH: None},
            "supply-chain-coverage": {ALL: 100 * 6 / 13, CCC: 100 * 6 / 10, CBH: 100 * 0 / 3},
            "objective-3-actions": 100 * 1 / 1,
            "survey-know-how-to-report": 100 * 21 / 30,
            "cams-training-completions": {ALL: 10, CCC: 10, CBH: None},
            "awareness-events": {ALL: 10, CCC: 8, CBH: 2},
            "event-attendance": {ALL: 600, CCC: 545, CBH: 55},
            "objective-4-actions": 100 * 1 / 1,
        },
        "2023/24-Q1": {
            "first-responder-coverage": {ALL: 100 * 4 / 19, CCC: 100 * 4 / 17, CBH: 100 * 0 / 2},
            "nrm-referrals": 6,
            "duty-to-notify": 1,
            "survivors-supported": {ALL: 4, CCC: 3, CBH: 1},
            "support-referrals": {ALL: 2, CCC: 2, CBH: 0},
            "objective-1-actions": 100 * 1 / 1,
            "funding-secured": {ALL: 5000, CCC: 5000, CBH: None},
            "funding-bids": {ALL: 1, CCC: 1, CBH: None},
            "objective-2-actions": None,
            "intelligence-submissions": {ALL: 25, CCC: 20, CBH: 5},
            "disruption-activities": {ALL: 4, CCC: 3, CBH: 1},
            "joint-operations": {ALL: 1, CCC: 1, CBH: None},
            "supply-chain-coverage": {ALL: 100 * 4 / 13, CCC: 100 * 4 / 10, CBH: 100 * 0 / 3},
            "objective-3-actions": None,
            "survey-know-how-to-report": None,
            "cams-training-completions": {ALL: 3, CCC: 3, CBH: None},
            "awareness-events": {ALL: 2, CCC: 2, CBH: None},
            "event-attendance": {ALL: 120, CCC: 120, CBH: None},
            "objective-4-actions": None,
        },
        "2023/24-Q2": {
            "first-responder-coverage": {ALL: 100 * 6 / 19, CCC: 100 * 6 / 17, CBH: 100 * 0 / 2},
            "nrm-referrals": 6,
            "duty-to-notify": 2,
            "survivors-supported": {ALL: 8, CCC: 6, CBH: 2},
            "support-referrals": {ALL: 5, CCC: 4, CBH: 1},
            "objective-1-actions": 100 * 1 / 1,
            "funding-secured": {ALL: 1000, CCC: 0, CBH: 1000},
            "funding-bids": {ALL: 3, CCC: 2, CBH: 1},
            "objective-2-actions": 100 * 1 / 1,
            "intelligence-submissions": {ALL: 31, CCC: 25, CBH: 6},
            "disruption-activities": {ALL: 4, CCC: 4, CBH: 0},
            "joint-operations": {ALL: None, CCC: None, CBH: None},
            "supply-chain-coverage": {ALL: 100 * 6 / 13, CCC: 100 * 6 / 10, CBH: 100 * 0 / 3},
            "objective-3-actions": None,
            "survey-know-how-to-report": None,
            "cams-training-completions": {ALL: 5, CCC: 5, CBH: None},
            "awareness-events": {ALL: 2, CCC: 1, CBH: 1},
            "event-attendance": {ALL: 75, CCC: 45, CBH: 30},
            "objective-4-actions": None,
        },
        "2023/24-Q3": {
            "first-responder-coverage": {ALL: 100 * 6 / 19, CCC: 100 * 6 / 17, CBH: 100 * 0 / 2},
            "nrm-referrals": 4,
            "duty-to-notify": 1,
            "survivors-supported": {ALL: 2, CCC: 2, CBH: 0},
            "support-referrals": {ALL: 2, CCC: 1, CBH: 1},
            "objective-1-actions": 100 * 1 / 2,
            "funding-secured": {ALL: 12500, CCC: 12500, CBH: None},
            "funding-bids": {ALL: 1, CCC: 1, CBH: None},
            "objective-2-actions": 100 * 1 / 1,
            "intelligence-submissions": {ALL: 22, CCC: 18, CBH: 4},
            "disruption-activities": {ALL: 3, CCC: 2, CBH: 1},
            "joint-operations": {ALL: 2, CCC: 2, CBH: None},
            "supply-chain-coverage": {ALL: 100 * 7 / 13, CCC: 100 * 7 / 10, CBH: 100 * 0 / 3},
            "objective-3-actions": 100 * 1 / 1,
            "survey-know-how-to-report": 100 * 21 / 30,
            "cams-training-completions": {ALL: 0, CCC: 0, CBH: None},
            "awareness-events": {ALL: 4, CCC: 3, CBH: 1},
            "event-attendance": {ALL: 325, CCC: 300, CBH: 25},
            "objective-4-actions": 100 * 1 / 1,
        },
        "2023/24-Q4": {
            "first-responder-coverage": {ALL: 100 * 11 / 19, CCC: 100 * 11 / 17, CBH: 100 * 0 / 2},
            "nrm-referrals": 7,
            "duty-to-notify": 2,
            "survivors-supported": {ALL: 5, CCC: 4, CBH: 1},
            "support-referrals": {ALL: 3, CCC: 3, CBH: None},
            "objective-1-actions": 100 * 3 / 3,
            "funding-secured": {ALL: 5500, CCC: 2500, CBH: 3000},
            "funding-bids": {ALL: 4, CCC: 3, CBH: 1},
            "objective-2-actions": 100 * 1 / 2,
            "intelligence-submissions": {ALL: 38, CCC: 30, CBH: 8},
            "disruption-activities": {ALL: 7, CCC: 5, CBH: 2},
            "joint-operations": {ALL: 1, CCC: 1, CBH: None},
            "supply-chain-coverage": {ALL: 100 * 6 / 13, CCC: 100 * 6 / 10, CBH: 100 * 0 / 3},
            "objective-3-actions": 100 * 1 / 1,
            "survey-know-how-to-report": 100 * 21 / 30,
            "cams-training-completions": {ALL: 2, CCC: 2, CBH: None},
            "awareness-events": {ALL: 2, CCC: 2, CBH: None},
            "event-attendance": {ALL: 80, CCC: 80, CBH: None},
            "objective-4-actions": 100 * 1 / 1,
        },
        "2024/25": {
            "first-responder-coverage": {ALL: 100 * 10 / 21, CCC: 100 * 8 / 19, CBH: 100 * 2 / 2},
            "nrm-referrals": 24,
            "duty-to-notify": 5,
            "survivors-supported": {ALL: 20, CCC: 16, CBH: 4},
            "support-referrals": {ALL: 19, CCC: 15, CBH: 4},
            "objective-1-actions": 100 * 4 / 4,
            "funding-secured": {ALL: 41500, CCC: 32500, CBH: 9000},
            "funding-bids": {ALL: 9, CCC: 7, CBH: 2},
            "objective-2-actions": 100 * 3 / 3,
            "intelligence-submissions": {ALL: 122, CCC: 95, CBH: 27},
            "disruption-activities": {ALL: 19, CCC: 15, CBH: 4},
            "joint-operations": {ALL: 4, CCC: 4, CBH: None},
            "supply-chain-coverage": {ALL: 100 * 7 / 13, CCC: 100 * 7 / 10, CBH: 100 * 0 / 3},
            "objective-3-actions": 100 * 2 / 3,
            "survey-know-how-to-report": 100 * 22 / 36,
            "cams-training-completions": {ALL: 14, CCC: 14, CBH: 0},
            "awareness-events": {ALL: 14, CCC: 10, CBH: 4},
            "event-attendance": {ALL: 820, CCC: 700, CBH: 120},
            "objective-4-actions": 100 * 2 / 2,
        },
        "2024/25-Q1": {
            "first-responder-coverage": {ALL: 100 * 12 / 21, CCC: 100 * 10 / 19, CBH: 100 * 2 / 2},
            "nrm-referrals": 6,
            "duty-to-notify": 1,
            "survivors-supported": {ALL: 7, CCC: 5, CBH: 2},
            "support-referrals": {ALL: 7, CCC: 6, CBH: 1},
            "objective-1-actions": 100 * 3 / 3,
            "funding-secured": {ALL: 12000, CCC: 10000, CBH: 2000},
            "funding-bids": {ALL: 3, CCC: 2, CBH: 1},
            "objective-2-actions": 100 * 2 / 2,
            "intelligence-submissions": {ALL: 29, CCC: 22, CBH: 7},
            "disruption-activities": {ALL: 5, CCC: 4, CBH: 1},
            "joint-operations": {ALL: None, CCC: None, CBH: None},
            "supply-chain-coverage": {ALL: 100 * 6 / 13, CCC: 100 * 6 / 10, CBH: 100 * 0 / 3},
            "objective-3-actions": 100 * 1 / 2,
            "survey-know-how-to-report": 100 * 21 / 30,
            "cams-training-completions": {ALL: 4, CCC: 4, CBH: 0},
            "awareness-events": {ALL: 4, CCC: 3, CBH: 1},
            "event-attendance": {ALL: 190, CCC: 150, CBH: 40},
            "objective-4-actions": 100 * 1 / 1,
        },
        "2024/25-Q2": {
            "first-responder-coverage": {ALL: 100 * 12 / 21, CCC: 100 * 10 / 19, CBH: 100 * 2 / 2},
            "nrm-referrals": 3,
            "duty-to-notify": 0,
            "survivors-supported": {ALL: 1, CCC: 1, CBH: None},
            "support-referrals": {ALL: 3, CCC: 2, CBH: 1},
            "objective-1-actions": 100 * 3 / 4,
            "funding-secured": {ALL: 2000, CCC: None, CBH: 2000},
            "funding-bids": {ALL: 1, CCC: 1, CBH: None},
            "objective-2-actions": 100 * 2 / 2,
            "intelligence-submissions": {ALL: 31, CCC: 26, CBH: 5},
            "disruption-activities": {ALL: 4, CCC: 3, CBH: 1},
            "joint-operations": {ALL: 1, CCC: 1, CBH: None},
            "supply-chain-coverage": {ALL: 100 * 6 / 13, CCC: 100 * 6 / 10, CBH: 100 * 0 / 3},
            "objective-3-actions": 100 * 1 / 2,
            "survey-know-how-to-report": 100 * 21 / 30,
            "cams-training-completions": {ALL: 1, CCC: 1, CBH: 0},
            "awareness-events": {ALL: 6, CCC: 4, CBH: 2},
            "event-attendance": {ALL: 460, CCC: 400, CBH: 60},
            "objective-4-actions": 100 * 1 / 1,
        },
        "2024/25-Q3": {
            "first-responder-coverage": {ALL: 100 * 12 / 21, CCC: 100 * 10 / 19, CBH: 100 * 2 / 2},
            "nrm-referrals": 7,
            "duty-to-notify": 3,
            "survivors-supported": {ALL: 4, CCC: 3, CBH: 1},
            "support-referrals": {ALL: 4, CCC: 2, CBH: 2},
            "objective-1-actions": 100 * 4 / 4,
            "funding-secured": {ALL: 7500, CCC: 7500, CBH: None},
            "funding-bids": {ALL: 3, CCC: 2, CBH: 1},
            "objective-2-actions": 100 * 2 / 2,
            "intelligence-submissions": {ALL: 25, CCC: 19, CBH: 6},
            "disruption-activities": {ALL: 4, CCC: 4, CBH: 0},
            "joint-operations": {ALL: 2, CCC: 2, CBH: None},
            "supply-chain-coverage": {ALL: 100 * 7 / 13, CCC: 100 * 7 / 10, CBH: 100 * 0 / 3},
            "objective-3-actions": 100 * 1 / 2,
            "survey-know-how-to-report": 100 * 22 / 36,
            "cams-training-completions": {ALL: 6, CCC: 6, CBH: 0},
            "awareness-events": {ALL: 2, CCC: 2, CBH: None},
            "event-attendance": {ALL: 90, CCC: 90, CBH: None},
            "objective-4-actions": 100 * 2 / 2,
        },
        "2024/25-Q4": {
            "first-responder-coverage": {ALL: 100 * 10 / 21, CCC: 100 * 8 / 19, CBH: 100 * 2 / 2},
            "nrm-referrals": 8,
            "duty-to-notify": 1,
            "survivors-supported": {ALL: 8, CCC: 7, CBH: 1},
            "support-referrals": {ALL: 5, CCC: 5, CBH: 0},
            "objective-1-actions": 100 * 4 / 4,
            "funding-secured": {ALL: 20000, CCC: 15000, CBH: 5000},
            "funding-bids": {ALL: 2, CCC: 2, CBH: None},
            "objective-2-actions": 100 * 3 / 3,
            "intelligence-submissions": {ALL: 37, CCC: 28, CBH: 9},
            "disruption-activities": {ALL: 6, CCC: 4, CBH: 2},
            "joint-operations": {ALL: 1, CCC: 1, CBH: None},
            "supply-chain-coverage": {ALL: 100 * 7 / 13, CCC: 100 * 7 / 10, CBH: 100 * 0 / 3},
            "objective-3-actions": 100 * 2 / 3,
            "survey-know-how-to-report": 100 * 22 / 36,
            "cams-training-completions": {ALL: 3, CCC: 3, CBH: 0},
            "awareness-events": {ALL: 2, CCC: 1, CBH: 1},
            "event-attendance": {ALL: 80, CCC: 60, CBH: 20},
            "objective-4-actions": 100 * 2 / 2,
        },
        "2025/26": {
            "first-responder-coverage": {ALL: 100 * 7 / 23, CCC: 100 * 6 / 20, CBH: 100 * 1 / 3},
            "nrm-referrals": 12,
            "duty-to-notify": 3,
            "survivors-supported": {ALL: 11, CCC: 6, CBH: 5},
            "support-referrals": {ALL: 7, CCC: 4, CBH: 3},
            "objective-1-actions": 100 * 4 / 5,
            "funding-secured": {ALL: 11500, CCC: 10000, CBH: 1500},
            "funding-bids": {ALL: 4, CCC: 3, CBH: 1},
            "objective-2-actions": 100 * 3 / 3,
            "intelligence-submissions": {ALL: 70, CCC: 55, CBH: 15},
            "disruption-activities": {ALL: 11, CCC: 8, CBH: 3},
            "joint-operations": {ALL: 1, CCC: 1, CBH: None},
            "supply-chain-coverage": {ALL: 100 * 7 / 14, CCC: 100 * 5 / 11, CBH: 100 * 2 / 3},
            "objective-3-actions": 100 * 2 / 3,
            "survey-know-how-to-report": 100 * 22 / 36,
            "cams-training-completions": {ALL: 14, CCC: 5, CBH: 9},
            "awareness-events": {ALL: 7, CCC: 5, CBH: 2},
            "event-attendance": {ALL: 630, CCC: 550, CBH: 80},
            "objective-4-actions": 100 * 2 / 3,
        },
        "2025/26-Q1": {
            "first-responder-coverage": {ALL: 100 * 8 / 23, CCC: 100 * 7 / 20, CBH: 100 * 1 / 3},
            "nrm-referrals": 6,
            "duty-to-notify": 2,
            "survivors-supported": {ALL: 5, CCC: 2, CBH: 3},
            "support-referrals": {ALL: 5, CCC: 3, CBH: 2},
            "objective-1-actions": 100 * 4 / 5,
            "funding-secured": {ALL: 4000, CCC: 4000, CBH: None},
            "funding-bids": {ALL: 2, CCC: 1, CBH: 1},
            "objective-2-actions": 100 * 3 / 3,
            "intelligence-submissions": {ALL: 32, CCC: 24, CBH: 8},
            "disruption-activities": {ALL: 6, CCC: 5, CBH: 1},
            "joint-operations": {ALL: 1, CCC: 1, CBH: None},
            "supply-chain-coverage": {ALL: 100 * 9 / 14, CCC: 100 * 7 / 11, CBH: 100 * 2 / 3},
            "objective-3-actions": 100 * 2 / 3,
            "survey-know-how-to-report": 100 * 22 / 36,
            "cams-training-completions": {ALL: 7, CCC: 2, CBH: 5},
            "awareness-events": {ALL: 4, CCC: 3, CBH: 1},
            "event-attendance": {ALL: 235, CCC: 200, CBH: 35},
            "objective-4-actions": 100 * 2 / 2,
        },
        "2025/26-Q2": {
            "first-responder-coverage": {ALL: 100 * 10 / 23, CCC: 100 * 9 / 20, CBH: 100 * 1 / 3},
            "nrm-referrals": 6,
            "duty-to-notify": 1,
            "survivors-supported": {ALL: 6, CCC: 4, CBH: 2},
            "support-referrals": {ALL: 2, CCC: 1, CBH: 1},
            "objective-1-actions": 100 * 4 / 5,
            "funding-secured": {ALL: 7500, CCC: 6000, CBH: 1500},
            "funding-bids": {ALL: 2, CCC: 2, CBH: None},
            "objective-2-actions": 100 * 3 / 3,
            "intelligence-submissions": {ALL: 38, CCC: 31, CBH: 7},
            "disruption-activities": {ALL: 5, CCC: 3, CBH: 2},
            "joint-operations": {ALL: None, CCC: None, CBH: None},
            "supply-chain-coverage": {ALL: 100 * 9 / 14, CCC: 100 * 7 / 11, CBH: 100 * 2 / 3},
            "objective-3-actions": 100 * 2 / 3,
            "survey-know-how-to-report": 100 * 22 / 36,
            "cams-training-completions": {ALL: 7, CCC: 3, CBH: 4},
            "awareness-events": {ALL: 3, CCC: 2, CBH: 1},
            "event-attendance": {ALL: 395, CCC: 350, CBH: 45},
            "objective-4-actions": 100 * 2 / 2,
        },
    },
    "referrals": {
        "2023/24": {
            "type": {NRM: 23, DTN: 6},
            "exploitation": {
                "Labour": 11,
                "Sexual": 3,
                "Criminal": 12,
                "Domestic servitude": 1,
                "Multiple": 2,
            },
            "age": {"Adult": 29},
        },
        "2023/24-Q1": {
            "type": {NRM: 6, DTN: 1},
            "exploitation": {"Labour": 3, "Sexual": 1, "Criminal": 3},
            "age": {"Adult": 7},
        },
        "2023/24-Q2": {
            "type": {NRM: 6, DTN: 2},
            "exploitation": {"Labour": 2, "Criminal": 6},
            "age": {"Adult": 8},
        },
        "2023/24-Q3": {
            "type": {NRM: 4, DTN: 1},
            "exploitation": {"Labour": 1, "Criminal": 3, "Domestic servitude": 1},
            "age": {"Adult": 5},
        },
        "2023/24-Q4": {
            "type": {NRM: 7, DTN: 2},
            "exploitation": {"Labour": 5, "Sexual": 2, "Multiple": 2},
            "age": {"Adult": 9},
        },
        "2024/25": {
            "type": {NRM: 24, DTN: 5},
            "exploitation": {
                "Labour": 10,
                "Sexual": 3,
                "Criminal": 14,
                "Domestic servitude": 1,
                "Not specified or unknown": 1,
            },
            "age": {"Adult": 14, "Child": 11, "Not specified": 4},
        },
        "2024/25-Q1": {
            "type": {NRM: 6, DTN: 1},
            "exploitation": {"Labour": 3, "Sexual": 1, "Criminal": 3},
            "age": {"Adult": 3, "Child": 4},
        },
        "2024/25-Q2": {
            "type": {NRM: 3, DTN: 0},
            "exploitation": {"Labour": 1, "Criminal": 2},
            "age": {"Adult": 1, "Child": 2},
        },
        "2024/25-Q3": {
            "type": {NRM: 7, DTN: 3},
            "exploitation": {"Labour": 5, "Criminal": 4, "Domestic servitude": 1},
            "age": {"Adult": 6, "Not specified": 4},
        },
        "2024/25-Q4": {
            "type": {NRM: 8, DTN: 1},
            "exploitation": {
                "Labour": 1,
                "Sexual": 2,
                "Criminal": 5,
                "Not specified or unknown": 1,
            },
            "age": {"Adult": 4, "Child": 5},
        },
        "2025/26": {
            "type": {NRM: 12, DTN: 3},
            "exploitation": {"Labour": 5, "Sexual": 2, "Criminal": 8},
            "age": {"Adult": 9, "Child": 6},
        },
        "2025/26-Q1": {
            "type": {NRM: 6, DTN: 2},
            "exploitation": {"Labour": 3, "Criminal": 5},
            "age": {"Adult": 5, "Child": 3},
        },
        "2025/26-Q2": {
            "type": {NRM: 6, DTN: 1},
            "exploitation": {"Labour": 2, "Sexual": 2, "Criminal": 3},
            "age": {"Adult": 4, "Child": 3},
        },
    },
}
