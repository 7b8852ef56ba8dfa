"""The statement pack: a year's charts, tables and key figures for the modern slavery statement.

Everything in it is for publication: referral counts go through `disclosure.publishable` ([c]
and secondary suppression), and a kind with no figures for the year is said to be missing rather
than left out silently. When the database holds only demo data, every title says DEMO DATA.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from cams_data import charts, dashboard, disclosure, export, formatting, periods, settings, store

SOURCE = "Source: CAMS partnership"
EXPLOITATION_ORDER = charts.EXPLOITATION_TYPES
AGE_ORDER = charts.AGE_GROUPS


@dataclass
class Pack:
    year: str
    files: dict[str, bytes] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def write(self, out: Path, as_zip: bool = False) -> list[Path]:
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name, data in self.files.items():
            (out / name).write_bytes(data)
            written.append(out / name)
        if as_zip:
            archive = out / f"statement_pack_{self.year.replace('/', '-')}.zip"
            archive.write_bytes(self.zip())
            written.append(archive)
        return written

    def zip(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in self.files.items():
                archive.writestr(name, data)
        return buffer.getvalue()


def _demo(con: duckdb.DuckDBPyConnection) -> tuple[bool, bool]:
    """(any demo data loaded, nothing else loaded)."""
    return con.execute(
        "SELECT coalesce(bool_or(is_demo), false), count(*) > 0 AND bool_and(is_demo) "
        "FROM uploads WHERE status = 'active'"
    ).fetchone()


def referrals_by_type_and_age(con: duckdb.DuckDBPyConnection, year: str) -> pd.DataFrame:
    """Local referrals wholly inside the year: exploitation type down, age group across."""
    period = periods.parse(year)
    rows = con.execute(
        """SELECT exploitation_type, age_group, sum(referrals)::BIGINT AS n FROM referrals
           WHERE geography = ? AND period_start >= ?
             AND period_start + to_months(period_months) <= ?
           GROUP BY ALL""",
        [settings.config().default_geography, period.start, period.end],
    ).df()
    if rows.empty:
        return pd.DataFrame()
    wide = rows.pivot_table(
        index="exploitation_type", columns="age_group", values="n", aggfunc="sum", fill_value=0
    )
    types = [t for t in EXPLOITATION_ORDER if t in wide.index]
    ages = [a for a in AGE_ORDER if a in wide.columns]
    return wide.loc[types, ages].rename_axis(index="Exploitation type", columns=None)


def training_by_course(con: duckdb.DuckDBPyConnection, year: str) -> pd.DataFrame:
    """Completions in the year per course, and how many staff they cover."""
    period = periods.parse(year)
    return con.execute(
        """SELECT course AS "Course", count(*) AS "Completions",
                  count(DISTINCT person_key) AS "Staff"
           FROM training WHERE status = 'Completed' AND completed_on >= ? AND completed_on < ?
           GROUP BY course ORDER BY 2 DESC, 1""",
        [period.start, period.end],
    ).df()


def measures_of_year(con: duckdb.DuckDBPyConnection, year: str) -> pd.DataFrame:
    period = periods.parse(year)
    return con.execute(
        """SELECT objective AS "Objective", measure AS "Measure", sum(value) AS "Total"
           FROM measures WHERE period_start >= ?
             AND period_start + to_months(period_months) <= ?
           GROUP BY ALL ORDER BY 1, 2""",
        [period.start, period.end],
    ).df()


def survey_lines(con, year: str, sheets: dict, demo: str) -> list[str]:
    """The year's latest survey wave: each question's answers, where at least 10 answered."""
    from cams_data import survey_figures

    period = periods.parse(year)
    waves = survey_figures.waves(con)
    held = waves[(waves["held_from"] >= pd.Timestamp(period.start))
                 & (waves["held_from"] < pd.Timestamp(period.end))]  # fmt: skip
    if held.empty:
        return ["## Staff survey", "", f"No staff survey was loaded for {year}.", ""]
    wave = held.iloc[0]["wave"]
    shares = survey_figures.answer_shares(con, wave)
    shares = shares[shares["respondents"] >= survey_figures.MIN_GROUP]
    lines = ["## Staff survey", "", f"Survey wave {wave}, {int(held.iloc[0]['respondents'])} "
             "responses. Shares are of the staff who answered each question.", ""]  # fmt: skip
    for question, answers in shares.groupby("question", sort=False):
        parts = ", ".join(
            f"{row.answer} {row.share:.0f}%" for row in answers.sort_values("order").itertuples()
        )
        lines.append(f"- {question} ({int(answers['respondents'].iloc[0])} answered): {parts}.")
    table = shares[["question", "answer", "answers", "respondents", "share"]].rename(
        columns={
            "question": "Question",
            "answer": "Answer",
            "answers": "Answers",
            "respondents": "Answered the question",
            "share": "Share (%)",
        }
    )
    sheets[f"{demo}Staff survey {wave}"] = (
        table,
        [f"Staff survey, wave {wave}", "Questions answered by fewer than 10 are not shown."],
    )
    return [*lines, ""]


def build(con: duckdb.DuckDBPyConnection, year: str) -> Pack:
    """Every file of the year's pack, in memory."""
    periods.parse(year)  # refuses a year written another way
    any_demo, demo_only = _demo(con)
    if any_demo and not demo_only:
        store.hide_demo_data(con)  # demo data never goes into a pack beside real figures
    demo = "DEMO DATA: " if demo_only else ""
    pack = Pack(year)
    sheets: dict[str, tuple[pd.DataFrame, list[str]]] = {}
    lines = [f"# {demo}Key figures for the modern slavery statement, {year}", ""]
    where = f"{year} ({periods.parse(year).description})"

    training = training_by_course(con, year)
    if training.empty:
        pack.missing.append("training completions")
        lines += ["## Training", "", f"No training completions are loaded for {year}.", ""]
    else:
        total = int(training["Completions"].sum())
        lines += ["## Training", ""]
        lines += [
            f"- {row.Course}: {row.Completions:,} completions by {row.Staff:,} staff."
            for row in training.itertuples()
        ]
        lines += [f"- In all, {total:,} course completions in {year}.", ""]
        title = f"{demo}Training completions by course"
        sheets[title] = (training, [where, f"{SOURCE}; council learning system; {year}"])
        chart = charts.bar(
            training,
            category="Course",
            value="Completions",
            title=title,
            subtitle=where,
            source=f"{SOURCE}; council learning system; {year}",
            value_title="Completions",
        )
        pack.files["training_completions_by_course.png"] = export.png(chart)
        pack.files["training_completions_by_course.svg"] = export.svg(chart).encode("utf-8")

    referrals = referrals_by_type_and_age(con, year)
    if referrals.empty:
        pack.missing.append("referrals")
        lines += ["## Referrals", "", f"No local referral figures are loaded for {year}.", ""]
    else:
        shown, notes = disclosure.publishable(referrals)
        title = f"{demo}NRM referrals and Duty to Notify notifications by exploitation type"
        sheets[title] = (shown.reset_index(names="Exploitation type"), [where, SOURCE, *notes])
        totals = shown["Total"]
        lines += ["## Referrals", ""]
        lines += [f"- {kind}: {totals[kind]}" for kind in shown.index if kind != "Total"]
        lines += [f"- In all: {totals['Total']} referrals and notifications in {year}."]
        lines += [f"- {note}" for note in notes] + [""]
        bars = pd.DataFrame(
            {"Exploitation type": shown.index[:-1], "Referrals": referrals.sum(axis=1).values}
        )
        bars["label"] = [str(v) for v in totals.iloc[:-1]]
        bars["Referrals"] = bars["Referrals"].where(bars["label"] != disclosure.PUBLISHED_MARK)
        chart = charts.bar(
            bars,
            category="Exploitation type",
            value="Referrals",
            title=f"{demo}Referrals by exploitation type",
            subtitle=where,
            source=SOURCE,
            value_title="Referrals",
            label="label",
            colour="Exploitation type",
        )
        pack.files["referrals_by_exploitation_type.png"] = export.png(chart)
        pack.files["referrals_by_exploitation_type.svg"] = export.svg(chart).encode("utf-8")

    lines += survey_lines(con, year, sheets, demo)
    if not any("survey" in title.lower() for title in sheets):
        pack.missing.append("staff survey")

    measures = measures_of_year(con, year)
    if measures.empty:
        pack.missing.append("partnership measures")
        lines += ["## Partnership activity", "", f"No partnership measures for {year}.", ""]
    else:
        sheets[f"{demo}Partnership measures"] = (measures, [where, SOURCE])
        lines += ["## Partnership activity", ""]
        lines += [
            f"- {row.Measure}: "
            + (f"£{row.Total:,.0f}" if "GBP" in row.Measure else f"{row.Total:,.0f}")
            for row in measures.itertuples()
        ] + [""]

    lines += ["## Progress on each objective", ""]
    for objective in dashboard.progress(con, year):
        lines.append(
            f"- Objective {objective.objective.number}, {objective.objective.title}: "
            f"{objective.status}."
        )
        for row in objective.indicators:
            if row.current.value is None:
                continue
            value = dashboard.shown(row).value
            target = f" (target {formatting.number(row.target, row.indicator.unit)})"
            lines.append(f"  - {row.indicator.label}: {value}" + (target if row.target else ""))
    if pack.missing:
        lines += ["", "Not in this pack, because nothing is loaded for the year: "
                  + ", ".join(pack.missing) + "."]  # fmt: skip
    pack.files["key_figures.md"] = ("\n".join(lines) + "\n").encode("utf-8")
    if not sheets:
        sheets[f"{demo}Nothing loaded"] = (
            pd.DataFrame({"Missing": pack.missing}),
            [f"No figures are loaded for {year}."],
        )
    pack.files[f"statement_tables_{year.replace('/', '-')}.xlsx"] = export.xlsx(sheets)
    return pack


def build_from(db: Path, year: str) -> Pack:
    with store.connect(db, read_only=True) as con, disclosure.showing_true_figures(False):
        return build(con, year)
