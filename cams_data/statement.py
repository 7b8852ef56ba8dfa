"""The statement pack: a year's charts, tables and key figures for the modern slavery statement.

Everything in it is for `Audience.PUBLICATION`, whoever builds it: its referral counts,
people-helped measures and indicators are the same cells the pages show, hidden ([c]) exactly
where a page hides them (see `disclosure`), and survey questions answered by fewer than 10 are
left out. A kind with no figures for the year is said to be missing rather than
left out silently. When the database holds only demo data, every title says DEMO DATA.

The pack is a list of sections (training, referrals, staff survey, partnership activity, progress
on each objective); each gives its sentences, charts and tables, and the files are written from
them: `key_figures.md` and `key_figures.docx`, one PNG and one SVG per chart, and one workbook.
"""

from __future__ import annotations

import getpass
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import altair as alt
import duckdb
import pandas as pd

from cams_data import (
    action_plan,
    charts,
    dashboard,
    disclosure,
    export,
    formatting,
    indicators,
    measure_figures,
    periods,
    referral_figures,
    store,
    training_figures,
)
from cams_data.disclosure import Audience

EXPLOITATION_ORDER = charts.EXPLOITATION_TYPES
AGE_ORDER = charts.AGE_GROUPS
DEMO = "DEMO DATA: "


@dataclass
class Pack:
    year: str
    files: dict[str, bytes] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    part_year: str = ""  # e.g. "April to October 2025, year to date" when the year is not whole

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


@dataclass
class Section:
    """One part of the pack: its sentences (Markdown bullets), charts and tables."""

    heading: str
    lines: list[str] = field(default_factory=list)
    charts: dict[str, alt.TopLevelMixin] = field(default_factory=dict)  # file stem -> chart
    sheets: dict[str, export.Sheet] = field(default_factory=dict)  # title -> table
    missing: list[str] = field(default_factory=list)  # kinds with nothing for the year


@dataclass(frozen=True)
class Year:
    """What every section needs: the year, how to title things, where they come from."""

    label: str
    period: periods.ReportingPeriod
    demo: str  # "DEMO DATA: " when the pack holds demo data alone, else ""
    today: date
    # the last day of the latest month the figures reach, when the year is still running or
    # its figures stop before its last month; None for a whole year
    reach: date | None = None

    @property
    def span(self) -> str:
        """'April 2025 to March 2026', or 'April to October 2025, year to date'."""
        if self.reach is None:
            return self.period.description
        start = self.period.start
        months = (self.reach.year - start.year) * 12 + self.reach.month - start.month + 1
        return f"{periods.ReportingPeriod(self.period.start, months).description}, year to date"

    @property
    def where(self) -> str:
        """For subtitles and notes: '2025/26 (April to October 2025, year to date)'."""
        return f"{self.label} ({self.span})"

    @property
    def named(self) -> str:
        """For sentences: '2025/26', with the months it covers when the year is not whole."""
        return self.label if self.reach is None else self.where

    def lead(self) -> str:
        """The sentence under the key figures' title that says the year is not whole."""
        if self.reach is None:
            return ""
        if self.today <= self.period.last_day:
            return f"{self.label} is not over: these figures are for {self.span}."
        return (
            f"The figures loaded for {self.label} go no further than {self.reach:%B %Y}: "
            f"these are for {self.span}."
        )

    def source(self, *kinds: str) -> str:
        return charts.source_note(*kinds, period=self.label)


def _demo(con: duckdb.DuckDBPyConnection) -> tuple[bool, bool]:
    """(any demo data loaded, nothing else loaded)."""
    return con.execute(
        "SELECT coalesce(bool_or(is_demo), false), count(*) > 0 AND bool_and(is_demo) "
        "FROM uploads WHERE status = 'active'"
    ).fetchone()


# --- the figures -------------------------------------------------------------------------------


def training_by_course(con: duckdb.DuckDBPyConnection, year: str) -> pd.DataFrame:
    """Completions in the year per course completed in it, and how many staff they cover."""
    table = training_figures.completions(con, periods.parse(year))
    table = table[table["completions"] > 0].reset_index(drop=True)
    return table.rename(
        columns={"course": "Course", "completions": "Completions", "people": "Staff"}
    )


# --- the sections ------------------------------------------------------------------------------


def training_section(con: duckdb.DuckDBPyConnection, year: Year) -> Section:
    section = Section("Training")
    training = training_by_course(con, year.label)
    if training.empty:
        section.missing.append("training completions")
        section.lines = [f"No training completions are loaded for {year.label}."]
        return section
    total = int(training["Completions"].sum())
    section.lines = [
        f"- {row.Course}: {row.Completions:,} completions by {row.Staff:,} staff."
        for row in training.itertuples()
    ] + [f"- In all, {total:,} course completions in {year.named}."]
    title = f"{year.demo}Training completions by course"
    section.sheets[title] = export.Sheet(
        training,
        [year.where, year.source("training")],
        {"Completions": formatting.EXCEL_COUNT, "Staff": formatting.EXCEL_COUNT},
        name="Training by course",
    )
    section.charts["training_completions_by_course"] = charts.bar(
        training,
        category="Course",
        value="Completions",
        title=title,
        subtitle=year.where,
        source=year.source("training"),
        value_title="Completions",
    )
    return section


def referrals_section(con: duckdb.DuckDBPyConnection, year: Year) -> Section:
    section = Section("Referrals")
    table = referral_figures.crosstab(con, year.period, Audience.PUBLICATION)
    if table.empty:
        section.missing.append("referrals")
        section.lines = [f"No local referral figures are loaded for {year.label}."]
        return section
    source = year.source("referrals")
    title = (
        f"{year.demo}NRM referrals and Duty to Notify notifications by exploitation type and "
        "age group"
    )
    section.sheets[title] = export.Sheet(
        table.table,
        [year.where, source, *table.notes],
        dict.fromkeys(table.table.columns.drop("Exploitation type"), formatting.EXCEL_COUNT),
        name="NRM referrals by type and age",
    )
    section.lines = [f"- {name}: {text}" for name, _, text in table.by_type]
    section.lines += [f"- {name}: {text}" for name, _, text in table.by_age]
    section.lines += [f"- In all: {table.total} referrals and notifications in {year.named}."]
    section.lines += [f"- {note}" for note in table.notes]
    for stem, category, lines in (
        ("referrals_by_exploitation_type", "Exploitation type", table.by_type),
        ("referrals_by_age_group", "Age group", table.by_age),
    ):
        if len(lines) == 1:
            section.lines.append(
                f"- Referrals by {category.lower()} are not charted: the figures have one "
                f"{category.lower()} only ({lines[0][0]})."
            )
            continue
        if all(value is None for _, value, _ in lines):
            section.lines.append(
                f"- Referrals by {category.lower()} are not charted: every count is confidential."
            )
            continue
        bars = pd.DataFrame(
            {category: [n for n, _, _ in lines], "Referrals": [v for _, v, _ in lines]}
        )
        section.charts[stem] = charts.bar(
            disclosure.for_chart(bars, "Referrals", [t for _, _, t in lines]),
            category=category,
            value="Referrals",
            title=f"{year.demo}Referrals by {category.lower()}",
            subtitle=year.where,
            source=source,
            value_title="Referrals",
            label="label",
            colour=category,
        )
    return section


def survey_section(con: duckdb.DuckDBPyConnection, year: Year) -> Section:
    """The year's latest survey wave: each question's answers, where at least 10 answered."""
    from cams_data import survey_figures

    section = Section("Staff survey")
    waves = survey_figures.waves(con)
    held = waves[(waves["held_from"] >= pd.Timestamp(year.period.start))
                 & (waves["held_from"] < pd.Timestamp(year.period.end))]  # fmt: skip
    if held.empty:
        section.missing.append("staff survey")
        section.lines = [f"No staff survey was loaded for {year.label}."]
        return section
    wave = held.iloc[-1]["wave"]
    report = [
        q for q in survey_figures.survey_report(con, wave) if not q.withheld(Audience.PUBLICATION)
    ]
    section.lines = [
        f"Survey wave {wave}, {int(held.iloc[-1]['respondents'])} responses. Shares are of the "
        "staff who answered each question.",
        "",
    ]
    subtitle = f"Staff survey, wave {wave} · {year.where}"
    rows = []
    for number, q in enumerate(report, start=1):
        answers = q.shares.sort_values("order")
        parts = ", ".join(f"{row.answer} {row.share:.0f}%" for row in answers.itertuples())
        section.lines.append(f"- {q.question} ({q.respondents} answered): {parts}.")
        rows += [
            (q.question, r.answer, r.answers, q.respondents, round(r.share / 100, 6))
            for r in answers.itertuples()
        ]
        # the whole question as the title: the survey pages shorten a long one with '…'
        chart = _retitled(survey_figures.answers_chart(q, subtitle), year.demo + q.question)
        section.charts[f"survey_{number}_{_slug(q.question)}"] = chart
    table = pd.DataFrame(
        rows, columns=["Question", "Answer", "Answers", "Answered the question", "Share"]
    )
    section.sheets[f"{year.demo}Staff survey {wave}"] = export.Sheet(
        table,
        [
            subtitle,
            year.source("survey"),
            f"Questions answered by fewer than {survey_figures.MIN_GROUP} are not shown.",
        ],
        {
            "Answers": formatting.EXCEL_COUNT,
            "Answered the question": formatting.EXCEL_COUNT,
            "Share": formatting.EXCEL_PERCENT,
        },
        name=f"Staff survey {wave}",
    )
    return section


def activity_section(con: duckdb.DuckDBPyConnection, year: Year) -> Section:
    """Partnership measures summed over the year, and the action plan at the year's end."""
    section = Section("Partnership activity")
    measures = measure_figures.year_totals(con, year.period, Audience.PUBLICATION)
    if measures.empty:
        section.missing.append("partnership measures")
        section.lines = [f"No partnership measures for {year.label}."]
    else:
        units = ["GBP" if "GBP" in measure else "" for measure in measures["Measure"]]
        section.sheets[f"{year.demo}Partnership measures"] = export.Sheet(
            measures,
            [year.where, year.source("measures")],
            {
                "Total": [
                    formatting.excel_format(0 if isinstance(total, str) else total, unit)
                    for total, unit in zip(measures["Total"], units, strict=True)
                ]
            },
            name="Partnership measures",
        )
        section.lines = [
            f"- {row.Measure}: "
            + (row.Total if isinstance(row.Total, str) else formatting.number(row.Total, unit))
            for row, unit in zip(measures.itertuples(), units, strict=True)
        ]
    on = action_plan.as_at(year.period, year.today)
    counts = action_plan.status_counts(con, on)
    if counts["actions"].sum() == 0:
        section.missing.append("action plan")
        section.lines.append(f"No action plan is loaded for {year.label}.")
        return section
    title = f"{year.demo}Actions by objective and status"
    subtitle = f"Action plan as at {formatting.day(on)} · {year.where}"
    section.lines.append(f"- Action plan: {action_plan.describe_counts(counts, on)}")
    section.charts["actions_by_objective_and_status"] = action_plan.status_chart(
        counts, title=title, subtitle=subtitle
    )
    table = action_plan.counts_table(counts)
    section.sheets[title] = export.Sheet(
        table,
        [subtitle, year.source("actions")],
        dict.fromkeys(table.columns.drop("Objective"), formatting.EXCEL_COUNT),
        name="Actions by objective and status",
    )
    return section


def objectives_section(con: duckdb.DuckDBPyConnection, year: Year) -> Section:
    section = Section("Progress on each objective")
    rows, value_formats, target_formats = [], [], []
    progress = dashboard.progress(con, year.label)
    published = dashboard.shown_progress(con, year.label, None, Audience.PUBLICATION, progress)
    for objective, as_published in zip(progress, published, strict=True):
        name = f"Objective {objective.objective.number}, {objective.objective.title}"
        section.lines.append(f"- {name}: {objective.status}.")
        for row, shown in zip(objective.indicators, as_published.indicators, strict=True):
            if row.current.value is None:
                continue
            target = indicators.target_text(row)
            section.lines.append(
                f"  - {row.indicator.label}: {shown.value}"
                + (f" (target {target})" if target else "")
            )
            unit = row.indicator.unit
            suppressed = shown.value in disclosure.MARKS
            rows.append(
                {
                    "Objective": name,
                    "Objective status": objective.status,
                    "Indicator": row.indicator.label,
                    "Indicator status": shown.status,
                    "Value": shown.value
                    if suppressed
                    else formatting.excel_value(row.current.value, unit),
                    "Target": None
                    if row.target is None
                    else formatting.excel_value(row.target, unit),
                    "Target note": indicators.pro_rata_note(row),
                }
            )
            value_formats.append(formatting.excel_format(row.current.value, unit))
            target_formats.append(formatting.excel_format(row.target or 0, unit))
    if rows:
        section.sheets[f"{year.demo}Progress on each objective"] = export.Sheet(
            pd.DataFrame(rows),
            [year.where, charts.SOURCE, disclosure.PUBLISHED_NOTE],
            {"Value": value_formats, "Target": target_formats},
            name="Progress on each objective",
        )
    return section


SECTIONS = (
    training_section,
    referrals_section,
    survey_section,
    activity_section,
    objectives_section,
)


def _slug(text: str, limit: int = 40) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:limit].rstrip("_")


def _retitled(chart: alt.TopLevelMixin, text: str) -> alt.TopLevelMixin:
    """The chart with another title, its subtitle and source kept."""
    return chart.properties(title=charts.chart_title(text, *export.title_of(chart).subtitle))


# --- the files ---------------------------------------------------------------------------------


def _not_in_pack(missing: list[str]) -> str:
    return "Not in this pack, because nothing is loaded for the year: " + ", ".join(missing) + "."


def markdown(title: str, sections: list[Section], missing: list[str], lead: str = "") -> str:
    lines = [f"# {title}", ""] + ([lead, ""] if lead else [])
    for section in sections:
        lines += [f"## {section.heading}", "", *section.lines, ""]
    if missing:
        lines.append(_not_in_pack(missing))
    return "\n".join(lines) + "\n"


def docx(
    title: str,
    sections: list[Section],
    missing: list[str],
    pictures: dict[str, bytes],
    lead: str = "",
) -> bytes:
    """The key figures as a Word document: headings, the sentences, each chart and table."""
    document = export.docx_document(title)
    if lead:
        document.add_paragraph(lead)
    for section in sections:
        document.add_heading(section.heading, level=1)
        for line in section.lines:
            if not line:
                continue
            if line.startswith("  - "):
                document.add_paragraph(line[4:], style="List Bullet 2")
            elif line.startswith("- "):
                document.add_paragraph(line[2:], style="List Bullet")
            else:
                document.add_paragraph(line)
        for stem in section.charts:
            export.docx_picture(document, pictures[stem])
        for sheet_title, sheet in section.sheets.items():
            document.add_heading(sheet_title, level=2)
            columns = range(len(sheet.table.columns))
            export.docx_table(  # each cell as the workbook shows it: 86%, £250
                document,
                list(sheet.table.columns),
                ([sheet.text(row, c) for c in columns] for row in range(len(sheet.table))),
            )
            for note in sheet.notes:
                export.docx_note(document, note)
    if missing:
        document.add_paragraph(_not_in_pack(missing))
    return export.docx_bytes(document)


def year_of_pack(
    con: duckdb.DuckDBPyConnection, year: str, demo: str = "", today: date | None = None
) -> Year:
    """The year as the pack describes it: whole, or the months its figures reach so far."""
    period = periods.parse(year)  # refuses a year written another way
    today = today or date.today()
    reach = dashboard.figures_reach(con, period, today)
    running = period.start <= today <= period.last_day
    whole = reach is None or (reach >= period.last_day and not running)
    return Year(year, period, demo, today, None if whole else reach)


def build(con: duckdb.DuckDBPyConnection, year: str, today: date | None = None) -> Pack:
    """Every file of the year's pack, in memory, with small counts hidden whoever asks.
    `today` decides whether the year is still running (the day the pack is built)."""
    periods.parse(year)  # refuses a year written another way
    any_demo, demo_only = _demo(con)
    if any_demo and not demo_only:
        store.hide_demo_data(con)  # demo data never goes into a pack beside real figures
    context = year_of_pack(con, year, DEMO if demo_only else "", today)
    sections = [make(con, context) for make in SECTIONS]
    pack = Pack(
        year,
        missing=[kind for section in sections for kind in section.missing],
        part_year=context.span if context.reach else "",
    )
    pictures = {}
    for section in sections:
        for stem, chart in list(section.charts.items()):
            try:
                pictures[stem] = export.png(chart)
                svg = export.svg(chart).encode("utf-8")
            except export.NotDrawn as error:  # the pack is built without it, and says so
                del section.charts[stem]
                section.lines.append(f"- {error}")
                continue
            pack.files[f"{stem}.png"] = pictures[stem]
            pack.files[f"{stem}.svg"] = svg
    title = f"{context.demo}Key figures for the modern slavery statement, {year}"
    lead = context.lead()
    pack.files["key_figures.md"] = markdown(title, sections, pack.missing, lead).encode("utf-8")
    pack.files["key_figures.docx"] = docx(title, sections, pack.missing, pictures, lead)
    sheets = {name: sheet for section in sections for name, sheet in section.sheets.items()}
    if not sheets:
        sheets[f"{context.demo}Nothing loaded"] = export.Sheet(
            pd.DataFrame({"Missing": pack.missing}),
            [f"No figures are loaded for {context.where}."],
            name="Nothing loaded",
        )
    pack.files[f"statement_tables_{year.replace('/', '-')}.xlsx"] = export.xlsx(sheets)
    return pack


def build_from(db: Path, year: str, who: str | None = None, today: date | None = None) -> Pack:
    """The year's pack from the database at `db`; the audit log records who made it."""
    with store.connect(db, read_only=True) as con:
        pack = build(con, year, today)
    detail = f"statement pack {year}: {len(pack.files)} files"
    store.log_event(db, who or getpass.getuser(), "export", detail)
    return pack
