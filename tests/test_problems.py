"""Problems: a type code beside each sentence, the sentences in one catalogue, and what is
recorded never holding the cell's value."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import builders
import pytest

from cams_data.ingest import UploadRequest, ingest
from cams_data.kinds import TRAINING_STATUS
from cams_data.problems import REFUSALS, SENTENCES, Problem, Refused
from cams_data.validate import _plausible_date, _plausible_period, _text_without_email
from cams_data.values import (
    BadValue,
    match_category,
    parse_count,
    parse_date,
    parse_number,
    parse_objective,
    parse_period,
)

ROOT = Path(__file__).parents[1]
TODAY = date(2025, 6, 1)


@pytest.mark.parametrize(
    ("parse", "text", "code"),
    [
        (parse_date, "31/02/2025", "bad-date"),
        (parse_date, "sometime in May", "bad-date"),
        (parse_period, "2025/27 Q1", "bad-financial-year"),
        (parse_period, "next spring", "bad-period"),
        (parse_number, "lots", "bad-number"),
        (parse_number, "1,23", "bad-thousands"),
        (parse_number, "9" * 400, "number-too-large"),
        (parse_number, "12%", "percentage"),
        (parse_count, "[c]", "suppressed-figure"),
        (parse_count, "-2", "negative-count"),
        (parse_count, "3000000000", "count-too-large"),
        (parse_count, "2.5", "not-whole-count"),
        (parse_objective, "7", "not-an-objective"),
        (lambda t: match_category(t, TRAINING_STATUS, None), "maybe", "not-a-category"),
        (lambda t: _text_without_email(t, None), "ann@example.org", "email-in-text"),
        (
            lambda t: _plausible_date(t, TODAY, too_late="date-in-future"),
            "01/01/1999",
            "date-too-early",
        ),
        (
            lambda t: _plausible_date(t, TODAY, too_late="date-in-future"),
            "14/05/2026",
            "date-in-future",
        ),
        (lambda t: _plausible_period(t, TODAY), "April 1999", "period-too-early"),
        (lambda t: _plausible_period(t, TODAY), "2026/27 Q1", "period-in-future"),
    ],
)
def test_a_bad_cell_raises_its_code_and_the_catalogues_sentence(parse, text, code):
    with pytest.raises(BadValue) as bad:
        parse(text)
    assert bad.value.code == code
    assert str(bad.value) == SENTENCES[code].format(**bad.value.values)
    assert bad.value.values["found"] == text


def test_a_problem_is_made_from_its_code_with_the_values_filled_in():
    problem = Problem.of("percentage", 4, "Referrals", found="12%", noun="count", expected="12")
    assert (problem.row, problem.column, problem.code) == (4, "Referrals", "percentage")
    assert problem.message == "'12%' is a percentage, not a count (expected 12)"
    assert problem.as_dict()["code"] == "percentage"


def test_what_is_recorded_never_holds_the_cells_value():
    email = Problem.of("email-in-text", 3, "Owner", found="ann@example.org")
    assert "ann@example.org" in email.message
    assert email.recorded == (
        "the value holds an e-mail address (expected no personal data: e-mail addresses are not "
        "stored)"
    )
    # A value the reason repeats is not left out but replaced by what the field expects.
    short = Problem.of("bad-date", 3, "Date", found="a", expects="a date such as 14/05/2024")
    assert short.recorded == "the value is not a date such as 14/05/2024"
    assert Problem.of("no-identifier", 5, "E-mail").recorded == Problem.of("no-identifier").message


def test_every_sentence_is_made_by_the_catalogue():
    codes, made_elsewhere = set(), []
    for path in (ROOT / "cams_data").glob("*.py"):
        if path.name == "problems.py":
            continue
        text = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r"(?:BadValue|Problem\.of)\(\s*\"([^\"]+)\"", text))
        made_elsewhere += re.findall(r"\bProblem\(|BadValue\(\s*f\"", text)
    assert made_elsewhere == []
    assert codes and codes <= set(SENTENCES)


def string_constants(path: Path) -> set[str]:
    return {
        node.value
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def test_every_type_in_the_catalogue_is_raised_somewhere():
    """A static check: each code of `SENTENCES` is written in the code that finds problems (in a
    `Problem.of`, `BadValue` or `report` call), so none is left over from wording removed."""
    written = set()
    for path in (ROOT / "cams_data").glob("*.py"):
        if path.name != "problems.py":
            written |= string_constants(path)
    assert set(SENTENCES) - written == set()


MESSY_TRAINING = [
    ["Employee ID", "Full name", "Email", "Department", "Job title", "Course title",
     "Completion status", "Date completed"],
    ["E1", "Ann One", "ann@example.org", "Housing", "Officer", "CAMS", "Completed", "14/05/2025"],
    ["E2", "Bob Two", "bob@example.org", "Housing", "Officer", "CAMS", "Completed", "31/02/2025"],
    ["E3", "Cat Three", "cat@example.org", "Housing (cat@example.org)", "Officer", "CAMS",
     "Maybe", "14/05/2025"],
    ["E4", "Dan Four", "dan@example.org", "Housing", "Officer", "CAMS", "Completed", "01/01/1999"],
    ["E5", "Eve Five", "eve@example.org", "Housing", "Officer", "CAMS", "Completed", "14/05/2026"],
    ["", "", "", "Housing", "Officer", "CAMS", "Completed", "14/05/2025"],
    ["#N/A", "Fay Six", "#N/A", "Housing", "Officer", "CAMS", "Completed", "14/05/2025"],
    ["E7", "Gil Seven", "gil@example.org", "Housing", "Officer", "CAMS", "Completed", ""],
]  # fmt: skip
MESSY_STAFF = [
    ["Organisation", "Service area", "Role", "Headcount", "As at"],
    ["Colchester City Council", "Housing", "Officer", "24", "01/04/2025"],
    *(
        ["Colchester City Council", "Planning", f"Role {n}", headcount, "01/04/2025"]
        for n, headcount in enumerate(["-2", "[c]", "2.5", "12%", "lots", "3000000000", "1,23"])
    ),
    ["Colchester City Council", "Planning", "Clerk", "4", "sometime"],
]


def test_every_problem_a_messy_file_has_is_of_a_type_in_the_catalogue(db, tmp_path):
    problems = []
    for name, rows in (("training.csv", MESSY_TRAINING), ("staff.csv", MESSY_STAFF)):
        path = builders.write_csv(tmp_path / name, rows)
        request = UploadRequest(path.read_bytes(), path.name, db=db, skip_invalid=True, today=TODAY)
        try:
            problems += ingest(request).problems
        except Refused as refused:  # a kind that loads whole
            problems += refused.problems

    codes = [p.code for p in problems]
    assert [c for c in codes if c not in SENTENCES] == []  # none without a type, none unknown
    assert set(codes) == {
        "bad-date",
        "email-in-text",
        "not-a-category",
        "date-too-early",
        "date-in-future",
        "missing-date-for-status",
        "excel-error",
        "no-identifier",
        "negative-count",
        "suppressed-figure",
        "not-whole-count",
        "percentage",
        "bad-number",
        "count-too-large",
        "bad-thousands",
    }


def test_every_refusal_says_why_with_a_code_from_the_catalogue():
    """A static check: each `Refused(...)` in cams_data passes `code=` a key of `REFUSALS`
    written out, and each code of the catalogue is used."""
    codes, without = {}, []
    for path in sorted((ROOT / "cams_data").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Refused":
                code = next((k.value for k in node.keywords if k.arg == "code"), None)
                where = f"{path.name}:{node.lineno}"
                if isinstance(code, ast.Constant) and code.value in REFUSALS:
                    codes.setdefault(code.value, []).append(where)
                else:
                    without.append(where)
    assert without == []
    assert set(codes) == set(REFUSALS)  # none left over
    assert sum(map(len, codes.values())) > 40


def test_the_readme_lists_every_refusal_code():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert [code for code in REFUSALS if f"| `{code}` |" not in readme] == []
