"""The statement pack for a known year (tests/fixture_year.py): files opened and checked."""

from __future__ import annotations

import io
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import docx
import fixture_year
import pytest
from openpyxl import load_workbook
from PIL import Image

from cams_data import cli, disclosure


def test_the_pack_for_a_year(year_copy, tmp_path, capsys):
    year_db = year_copy  # a copy: the export is logged in the database it reads
    out = tmp_path / "pack"
    assert cli.main(["export", "--db", str(year_db), "--year", "2025/26", "--out", str(out),
                     "--zip"]) == 0  # fmt: skip
    names = sorted(p.name for p in out.iterdir())
    charts = [
        "actions_by_objective_and_status",
        "referrals_by_exploitation_type",
        # the fixture's survey: three questions, each answered by 10 or more
        "survey_1_do_you_know_how_to_report_a_concern_abou",
        "survey_2_how_confident_are_you_in_spotting_the_si",
        "survey_3_which_of_these_have_you_seen_in_the_last",
        "training_completions_by_course",
    ]
    assert names == sorted(
        [
            "key_figures.docx",
            "key_figures.md",
            "statement_pack_2025-26.zip",
            "statement_tables_2025-26.xlsx",
            *(f"{c}.png" for c in charts),
            *(f"{c}.svg" for c in charts),
        ]
    )
    with zipfile.ZipFile(out / "statement_pack_2025-26.zip") as archive:
        assert sorted(archive.namelist()) == [n for n in names if not n.endswith(".zip")]
    for chart in charts:
        image = Image.open(out / f"{chart}.png")
        assert image.size[0] == 1260 and [round(d) for d in image.info["dpi"]] == [200, 200]
        svg = ET.parse(out / f"{chart}.svg").getroot()
        texts = [t.text for t in svg.iter() if t.text]
        assert any(str(t).startswith("Source: CAMS partnership; ") for t in texts), chart

    book = load_workbook(out / "statement_tables_2025-26.xlsx")
    sheet = next(book[n] for n in book.sheetnames if n.startswith("NRM referrals"))
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=1) if row[0].value]
    table = {r[0]: r[1:] for r in rows if r[0] in ("Labour", "Criminal", "Sexual", "Total")}
    # Colchester in 2025/26, Adult and Child: Labour 3 and 0 (NRM 1 + 1, Duty to Notify 0 + 1),
    # Sexual 2 and 0, Criminal 2 and 3 (county lines); 7 and 3, 10 in all (Essex's 40 never).
    # Every count from 1 to 4 is [c]; the Adult total of 7 would give away the Child total of
    # 3 from the grand total, so it is hidden too.
    assert table["Labour"] == ["[c]", 0, "[c]"]
    assert table["Sexual"] == ["[c]", 0, "[c]"]
    assert table["Criminal"] == ["[c]", "[c]", 5]
    assert table["Total"] == ["[c]", "[c]", 10]
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    notes = [r[0] for r in rows]
    assert disclosure.PUBLISHED_NOTE in notes

    figures = (out / "key_figures.md").read_text()
    assert "# Key figures for the modern slavery statement, 2025/26" in figures
    assert "- CAMS Modern Slavery and Human Trafficking: 6 completions by 6 staff." in figures
    assert (
        "- In all: 10 referrals and notifications in 2025/26 (April to October 2025, year to date)."
        in figures
    )
    assert "- Funding secured (GBP): £17,500" in figures
    assert "Survey wave 2025-10, 30 responses." in figures
    assert "- Do you know how to report a concern about modern slavery? (30 answered): " in figures
    assert "- Action plan: 2 of 4 actions are completed" in figures
    assert "- Adult: [c]\n- Child: [c]\n" in figures  # 7 and 3: the 7 would give the 3 away
    assert "- Referrals by age group are not charted: every count is confidential." in figures
    # one Duty to Notify notification (<5): the 9 NRM referrals beside it would give it away
    assert "  - NRM referrals made by the council: [c]\n" in figures
    assert "  - Duty to Notify notifications made: [c]\n" in figures  # a file: never <5
    assert "DEMO DATA" not in figures

    document = docx.Document(str(out / "key_figures.docx"))
    assert document.core_properties.title == (
        "Key figures for the modern slavery statement, 2025/26"
    )
    paragraphs = [p.text for p in document.paragraphs]
    assert "CAMS Modern Slavery and Human Trafficking: 6 completions by 6 staff." in paragraphs
    assert (
        "In all: 10 referrals and notifications in 2025/26 (April to October 2025, year to date)."
    ) in paragraphs
    assert "Funding secured (GBP): £17,500" in paragraphs
    assert len(document.inline_shapes) == len(charts)  # every chart, pasted in
    referral_table = next(
        t for t in document.tables if t.rows[0].cells[0].text == "Exploitation type"
    )
    cells = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in referral_table.rows}
    assert cells["Criminal"] == ["[c]", "[c]", "5"] and cells["Total"] == ["[c]", "[c]", "10"]


def test_a_year_with_nothing_loaded_still_gives_a_pack_that_says_so(db, tmp_path, capsys):
    out = tmp_path / "pack"
    assert cli.main(["export", "--db", str(db), "--year", "2019/20", "--out", str(out)]) == 0
    figures = (out / "key_figures.md").read_text()
    assert "No training completions are loaded for 2019/20." in figures
    assert "No local referral figures are loaded for 2019/20." in figures
    assert "training completions, referrals, staff survey, partnership measures" in figures
    book = load_workbook(io.BytesIO((out / "statement_tables_2019-20.xlsx").read_bytes()))
    assert book.sheetnames == ["Nothing loaded"]
    assert "Nothing loaded for 2019/20" in capsys.readouterr().out


def test_a_quarter_or_another_spelling_is_refused(db, tmp_path, capsys):
    for year in ("2025/26-Q2", "2025-26"):
        assert cli.main(["export", "--db", str(db), "--year", year, "--out", str(tmp_path)]) == 2
    assert "expected a financial year such as 2025/26" in capsys.readouterr().err


def test_demo_data_stays_out_of_a_pack_beside_real_figures(demo_db, tmp_path):
    from conftest import query

    from cams_data.ingest import rollback

    # the fixture's Essex month would overlap the demo's Essex quarter: undo that one
    for (upload_id,) in query(
        demo_db, "SELECT upload_id FROM uploads WHERE file_name LIKE 'nrm_%'"
    ):
        rollback(demo_db, upload_id)
    fixture_year.load(demo_db, tmp_path)  # real files on top of the demo data
    out = tmp_path / "pack"
    assert cli.main(["export", "--db", str(demo_db), "--year", "2025/26", "--out", str(out)]) == 0
    figures = (out / "key_figures.md").read_text()
    assert "DEMO DATA" not in figures
    assert (
        "- In all: 10 referrals and notifications in 2025/26 (April to October 2025, year to date)."
        in figures
    )  # the fixture's only
    assert "- Funding secured (GBP): £17,500" in figures
    assert "Mandatory Safeguarding" not in figures  # a demo course


def test_a_pack_of_demo_data_alone_says_so_in_every_title(demo_db, tmp_path):
    out = tmp_path / "pack"
    assert cli.main(["export", "--db", str(demo_db), "--year", "2025/26", "--out", str(out)]) == 0
    assert (out / "key_figures.md").read_text().startswith("# DEMO DATA: Key figures")
    book = load_workbook(out / "statement_tables_2025-26.xlsx")
    assert all(book[name]["A1"].value.startswith("DEMO DATA: ") for name in book.sheetnames)
    svg = (out / "referrals_by_exploitation_type.svg").read_text()
    assert "DEMO DATA: Referrals by exploitation type" in svg
    for chart in out.glob("*.svg"):  # survey charts are titled by their question: retitled
        assert "DEMO DATA: " in chart.read_text(), chart.name
    assert (out / "referrals_by_age_group.png").exists()  # the demo's counts are large enough
    document = docx.Document(str(out / "key_figures.docx"))
    assert document.paragraphs[0].text.startswith("DEMO DATA: Key figures")


def test_the_statement_pack_page_builds_the_year_and_offers_one_zip(year_copy):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(Path(__file__).parents[1] / "app.py"), default_timeout=60).run()
    app.switch_page("pages/statement_pack.py").run()
    app.selectbox(key="pack-year").select("2025/26").run()
    app.button(key="build-pack").click().run()
    assert not app.exception, app.exception
    shown = " ".join(m.value for m in [*app.markdown, *app.code])
    assert (
        "- In all: 10 referrals and notifications in 2025/26 (April to October 2025, year to date)."
        in shown
    )
    assert "`statement_tables_2025-26.xlsx`" in shown
    assert [b.label for b in app.get("download_button")] == [
        "Download the 2025/26 pack (.zip, 15 files)"
    ]
    assert [i.value for i in app.info] == [
        'The 2025/26 figures are not for the whole year: the pack says "April to October 2025, '
        'year to date" in every chart, table and the key figures, and which targets were cut pro '
        "rata."
    ]


def test_formulas_typed_into_an_uploaded_file_stay_text_in_every_pack_file(db, tmp_path):
    import builders

    from cams_data.ingest import UploadRequest, ingest

    hostile = ['=HYPERLINK("http://evil.example","click")', "=1+1", "@SUM(A1)", "+44 events"]
    rows = [["Objective", "Measure", "Period", "Value"]]
    rows += [[4, name, "2025/26 Q2", 10 + i] for i, name in enumerate(hostile)]
    path = builders.write_csv(tmp_path / "measures.csv", rows, title_rows=["Partner returns"])
    assert ingest(UploadRequest(path.read_bytes(), path.name, db=db)).status == "loaded"
    out = tmp_path / "pack"
    assert cli.main(["export", "--db", str(db), "--year", "2025/26", "--out", str(out)]) == 0

    book = load_workbook(out / "statement_tables_2025-26.xlsx")
    sheet = book["Partnership measures"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    found = {c.value: c.offset(column=1).value for c in cells if c.value in hostile}
    assert found == {name: 10 + i for i, name in enumerate(hostile)}  # text, and its number
    figures = (out / "key_figures.md").read_text()
    assert '- =HYPERLINK("http://evil.example","click"): 10' in figures
    paragraphs = [p.text for p in docx.Document(str(out / "key_figures.docx")).paragraphs]
    assert "=1+1: 11" in paragraphs


# --- every year builds ---------------------------------------------------------------------------

# A council's referral log with no age column: every referral is in one age group, 'Not
# specified'. 2024/25: Criminal 6 + 4 (county lines) = 10, Labour 3 + 2 (Duty to Notify) = 5,
# Sexual 7, Domestic servitude 1; 23 in all.
ONE_AGE_GROUP_LOG = [
    ["Month", "Type of referral", "Exploitation type", "Number of referrals"],
    ["Apr-24", "NRM", "Criminal exploitation", 6],
    ["May-24", "NRM", "labour", 3],
    ["Jun-24", "Duty to Notify (MS1)", "Labour exploitation", 2],
    ["Sep-24", "NRM", "Sexual", 7],
    ["Jan-25", "NRM", "County lines", 4],
    ["Mar-25", "NRM", "Domestic servitude", 1],
    ["Total", "", "", 23],
]


def load_one_age_group_log(db, folder):
    import builders

    from cams_data.ingest import UploadRequest, ingest

    path = builders.write_csv(
        folder / "referral_log.csv", ONE_AGE_GROUP_LOG, title_rows=["Referral log 2024/25"]
    )
    assert ingest(UploadRequest(path.read_bytes(), path.name, db=db)).status == "loaded"


def test_a_year_whose_referrals_share_one_age_group_builds_from_the_command_line(
    db, tmp_path, capsys
):
    load_one_age_group_log(db, tmp_path)
    out = tmp_path / "pack"
    assert cli.main(["export", "--db", str(db), "--year", "2024/25", "--out", str(out)]) == 0
    assert "Error" not in capsys.readouterr().err
    figures = (out / "key_figures.md").read_text()
    # the Domestic servitude 1 is [c]; the column's total of 23 would give it away, so the
    # smallest other count (Labour's 5) is hidden too
    assert (
        "- Labour: [c]\n- Sexual: 7\n- Criminal: 10\n- Domestic servitude: [c]\n"
        "- Not specified: 23\n- In all: 23 referrals and notifications in 2024/25.\n"
    ) in figures
    assert (
        "- Referrals by age group are not charted: the figures have one age group only "
        "(Not specified).\n"
    ) in figures
    assert (out / "referrals_by_exploitation_type.svg").exists()
    assert not (out / "referrals_by_age_group.svg").exists()
    book = load_workbook(out / "statement_tables_2024-25.xlsx")
    sheet = next(book[n] for n in book.sheetnames if n.startswith("NRM referrals"))
    rows = {r[0]: r[1:] for r in sheet.iter_rows(min_row=5, values_only=True)}
    assert rows["Exploitation type"] == ("Not specified",)  # no Total column beside it
    assert rows["Labour"] == ("[c]",) and rows["Criminal"] == (10,) and rows["Total"] == (23,)


def open_pack_page():
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(Path(__file__).parents[1] / "app.py"), default_timeout=90).run()
    return app.switch_page("pages/statement_pack.py").run()


def build_on_page(app, year):
    app.selectbox(key="pack-year").select(year).run()
    app.button(key="build-pack").click().run()
    assert not app.exception, (year, app.exception)
    return [b.label for b in app.get("download_button")]


def test_the_page_builds_a_year_whose_referrals_share_one_age_group(db, tmp_path):
    load_one_age_group_log(db, tmp_path)
    app = open_pack_page()
    assert app.selectbox(key="pack-year").options == ["2024/25"]
    # referrals by exploitation type (PNG, SVG), the key figures twice and the workbook
    assert build_on_page(app, "2024/25") == ["Download the 2024/25 pack (.zip, 5 files)"]
    shown = " ".join(m.value for m in [*app.markdown, *app.code])
    assert "- In all: 23 referrals and notifications in 2024/25." in shown


# --- a part year ---------------------------------------------------------------------------------


def test_a_year_still_running_says_year_to_date_everywhere_and_how_targets_were_cut(known_year):
    from datetime import date

    from cams_data import statement, store

    # the known year's figures reach October 2025 (the survey wave 2025-10; the rest September)
    with store.connect(known_year[0], read_only=True) as con:
        pack = statement.build(con, "2025/26", today=date(2025, 11, 14))
    to_date = "2025/26 (April to October 2025, year to date)"
    assert pack.part_year == "April to October 2025, year to date"

    figures = pack.files["key_figures.md"].decode("utf-8")
    lead = "2025/26 is not over: these figures are for April to October 2025, year to date."
    assert figures.startswith(
        f"# Key figures for the modern slavery statement, 2025/26\n\n{lead}\n"
    )
    assert f"- In all, 18 course completions in {to_date}.\n" in figures
    assert f"- In all: 10 referrals and notifications in {to_date}.\n" in figures
    # measures reach September: 6 of 12 months of each yearly target
    funding = (
        "Funding secured: £17,500 (target £20,000, pro rata: 6 of 12 months of the yearly £40,000)"
    )
    assert f"  - {funding}\n" in figures
    assert (
        "  - Awareness events held: 4 (target 6, pro rata: 6 of 12 months of the yearly 12)\n"
        in (figures)
    )
    assert (
        "  - Staff who know how to report a concern (staff survey): 47% (target 90%)\n" in figures
    )
    assert (
        "- Action plan: 2 of 4 actions are completed and 1 is overdue as at 14/11/2025" in figures
    )

    paragraphs = [
        p.text for p in docx.Document(io.BytesIO(pack.files["key_figures.docx"])).paragraphs
    ]
    assert paragraphs[1] == lead
    assert f"In all: 10 referrals and notifications in {to_date}." in paragraphs
    assert funding in paragraphs

    svgs = {
        name: body.decode("utf-8") for name, body in pack.files.items() if name.endswith(".svg")
    }
    assert len(svgs) == 6
    for name, svg in svgs.items():
        assert to_date in svg, name
        assert "April 2025 to March 2026" not in svg, name
    assert (
        "Staff survey, wave 2025-10 · 2025/26 (April to October 2025, year to date)"
        in (svgs["survey_1_do_you_know_how_to_report_a_concern_abou.svg"])
    )
    book = load_workbook(io.BytesIO(pack.files["statement_tables_2025-26.xlsx"]))
    assert len(book.sheetnames) == 6
    for sheet in book:
        assert to_date in sheet["A2"].value, sheet.title  # the first note under each title


def test_a_finished_year_whose_figures_stop_in_october_is_year_to_date_too(known_year):
    from datetime import date

    from cams_data import statement, store

    with store.connect(known_year[0], read_only=True) as con:
        pack = statement.build(con, "2025/26", today=date(2026, 6, 1))
    figures = pack.files["key_figures.md"].decode("utf-8")
    assert (
        "\nThe figures loaded for 2025/26 go no further than October 2025: these are for April "
        "to October 2025, year to date.\n"
    ) in figures
    assert "- Action plan: 2 of 4 actions are completed and 2 are overdue as at 31/03/2026" in (
        figures
    )


# --- the workbook --------------------------------------------------------------------------------


def known_year_pack(known_year, today):
    from cams_data import statement, store

    with store.connect(known_year[0], read_only=True) as con:
        return statement.build(con, "2025/26", today=today)


def table_cells(sheet):
    """The sheet's table under its title and notes: {first cell: [the row's other cells]}."""
    rows = list(sheet.iter_rows())
    header = next(i for i, row in enumerate(rows) if i > 0 and rows[i - 1][0].value is None)
    return {row[0].value: list(row[1:]) for row in rows[header:] if row[0].value is not None}


def as_read(cells):
    """Each cell as (value, number format) when a number, else its text."""
    return [
        (c.value, c.number_format) if c.data_type == "n" and c.value is not None else c.value
        for c in cells
    ]


def test_the_workbook_stores_numbers_as_numbers_in_their_formats_and_hidden_counts_as_text(
    known_year,
):
    from datetime import date

    pack = known_year_pack(known_year, date(2025, 11, 14))
    book = load_workbook(io.BytesIO(pack.files["statement_tables_2025-26.xlsx"]))

    training = table_cells(book["Training by course"])
    assert as_read(training["Home Office First Responder"]) == [(9, "#,##0"), (9, "#,##0")]

    referrals = table_cells(book["NRM referrals by type and age"])
    assert [c.value for c in referrals["Exploitation type"]] == ["Adult", "Child", "Total"]
    assert as_read(referrals["Criminal"]) == ["[c]", "[c]", (5, "#,##0")]
    assert as_read(referrals["Labour"]) == ["[c]", (0, "#,##0"), "[c]"]
    assert as_read(referrals["Total"]) == ["[c]", "[c]", (10, "#,##0")]
    hidden = [c for row in referrals.values() for c in row if c.value == "[c]"]
    assert len(hidden) == 8 and {c.data_type for c in hidden} == {"s"}

    survey = book["Staff survey 2025-10"]
    first = [as_read(row) for row in survey.iter_rows(min_row=7, max_row=9)]
    question = "Do you know how to report a concern about modern slavery?"
    # 30 answered: Yes 14 (46.7%), Not sure 7 (23.3%), No 9 (30%)
    assert first == [
        [question, "Yes", (14, "#,##0"), (30, "#,##0"), (0.467, "0%")],
        [question, "Not sure", (7, "#,##0"), (30, "#,##0"), (0.233, "0%")],
        [question, "No", (9, "#,##0"), (30, "#,##0"), (0.3, "0%")],
    ]

    measures = book["Partnership measures"].iter_rows(min_row=6)
    assert {row[1].value: as_read(row[2:]) for row in measures} == {
        "Funding secured (GBP)": [(17500, "£#,##0")],
        "Intelligence submissions": [(50, "#,##0")],
        "Awareness events": [(4, "#,##0")],
    }

    actions = table_cells(book["Actions by objective and status"])
    assert as_read(actions["1. Survivor Support and Care"]) == [
        (2, "#,##0"), (1, "#,##0"), (1, "#,##0"), (0, "#,##0"), (0, "#,##0"), (4, "#,##0"),
        (1, "#,##0")
    ]  # completed, in progress, not started, on hold, no update yet; total, overdue  # fmt: skip


def test_each_indicator_row_of_the_progress_sheet_has_its_own_status(known_year):
    from datetime import date

    pack = known_year_pack(known_year, date(2025, 11, 14))
    book = load_workbook(io.BytesIO(pack.files["statement_tables_2025-26.xlsx"]))
    sheet = book["Progress on each objective"]
    rows = [as_read(row) for row in sheet.iter_rows(min_row=6)]
    assert rows[0] == [
        "Objective",
        "Objective status",
        "Indicator",
        "Indicator status",
        "Value",
        "Target",
        "Target note",
    ]
    by_indicator = {row[2]: row for row in rows[1:]}
    one, two, three = (
        "Objective 1, Survivor Support and Care",
        "Objective 2, Funding and Sustainability",
        "Objective 3, Multi-agency approach to intelligence and disruption",
    )
    # First Responder roles: 9 of 20 trained = 45%, against 100%
    assert by_indicator["First Responder roles trained in the last 12 months"] == [
        one, "Red", "First Responder roles trained in the last 12 months", "Red",
        (0.45, "0%"), (1, "0%"), None,
    ]  # fmt: skip
    # the 9 NRM referrals would give the <5 Duty to Notify notification away: [c]
    assert by_indicator["NRM referrals made by the council"][3:6] == ["Not rated", "[c]", None]
    assert by_indicator["Duty to Notify notifications made"][4] == "[c]"  # a file: never <5
    assert by_indicator["Funding secured"] == [
        two, "Amber", "Funding secured", "Amber", (17500, "£#,##0"), (20000, "£#,##0"),
        "pro rata: 6 of 12 months of the yearly £40,000",
    ]  # fmt: skip
    # objective 3 is Red for its supply-chain training, while its intelligence is Green
    assert by_indicator["Intelligence submissions"] == [
        three, "Red", "Intelligence submissions", "Green", (50, "#,##0"), (50, "#,##0"),
        "pro rata: 6 of 12 months of the yearly 100",
    ]  # fmt: skip
    supply = "Procurement staff and budget holders with supply-chain training in the last 3 years"
    assert by_indicator[supply][:5] == [three, "Red", supply, "Red", (0.5, "0%")]
    assert {row[1] for row in rows[1:]} == {"Red", "Amber"}
    assert {row[3] for row in rows[1:]} == {"Red", "Amber", "Green", "Not rated"}

    document = docx.Document(io.BytesIO(pack.files["key_figures.docx"]))
    table = next(t for t in document.tables if t.rows[0].cells[1].text == "Objective status")
    funding = next(r for r in table.rows if r.cells[2].text == "Funding secured")
    assert [c.text for c in funding.cells[3:]] == [
        "Amber", "£17,500", "£20,000", "pro rata: 6 of 12 months of the yearly £40,000"
    ]  # fmt: skip


def test_sheet_names_are_whole_words_of_their_titles_within_31_characters(known_year):
    from datetime import date

    pack = known_year_pack(known_year, date(2025, 11, 14))
    book = load_workbook(io.BytesIO(pack.files["statement_tables_2025-26.xlsx"]))
    assert book.sheetnames == [
        "Training by course",
        "NRM referrals by type and age",
        "Staff survey 2025-10",
        "Partnership measures",
        "Actions by objective and status",
        "Progress on each objective",
    ]
    for sheet in book:
        assert len(sheet.title) <= 31
        assert set(sheet.title.split()) <= set(sheet["A1"].value.split()), sheet.title


# --- every year of the demo data ----------------------------------------------------------------

DEMO_YEARS = ["2025/26", "2024/25", "2023/24", "2022/23", "2021/22"]


@pytest.fixture(scope="module")
def demo_packs(_demo_database, tmp_path_factory) -> dict[str, Path]:
    """Each year the demo data offers, exported once through the command line: {year: folder}."""
    from cams_data import dashboard, store

    folder = tmp_path_factory.mktemp("demo_packs")
    db = folder / "cams.duckdb"
    shutil.copy(_demo_database / "cams.duckdb", db)  # the export is logged: a copy of its own
    shutil.copy(_demo_database / "pseudonym.key", folder / "pseudonym.key")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAMS_DB", str(db))
        for name in ("CAMS_PSEUDONYM_KEY", "CAMS_KEY_FILE", "CAMS_CONFIG"):
            patch.delenv(name, raising=False)
        with store.connect(db, read_only=True) as con:
            years = [p for p in dashboard.period_choices(con) if "-Q" not in p]
        assert years == DEMO_YEARS  # training from May 2021, the rest from April 2024
        packs = {}
        for year in years:
            packs[year] = folder / year.replace("/", "-")
            assert cli.main(["export", "--db", str(db), "--year", year, "--out",
                             str(packs[year])]) == 0  # fmt: skip
    return packs


def test_the_pack_builds_for_every_year_the_demo_holds(demo_packs, _demo_database):
    from cams_data import periods, store

    svgs = {
        year: sorted(p.stem for p in folder.glob("*.svg")) for year, folder in demo_packs.items()
    }
    every_year = ["actions_by_objective_and_status", "training_completions_by_course"]
    surveys = [
        "survey_1_do_you_know_how_to_report_a_concern_abou",
        "survey_2_do_you_know_who_the_council_s_first_resp",
        "survey_3_have_you_completed_modern_slavery_traini",
        "survey_4_how_confident_are_you_in_spotting_the_si",
        "survey_5_which_of_these_have_you_seen_in_the_last",
    ]
    assert svgs == {
        # 2025/26 has adults and children; 2024/25's local referrals give no age group
        "2025/26": sorted(
            [*every_year, *surveys, "referrals_by_age_group", "referrals_by_exploitation_type"]
        ),
        "2024/25": sorted([*every_year, *surveys, "referrals_by_exploitation_type"]),
        "2023/24": every_year,
        "2022/23": every_year,
        "2021/22": every_year,
    }
    with store.connect(_demo_database / "cams.duckdb", read_only=True) as con:
        for year, folder in demo_packs.items():
            period = periods.parse(year)
            figures = (folder / "key_figures.md").read_text()
            completions = con.execute(
                "SELECT count(*) FROM training WHERE status = 'Completed' "
                "AND completed_on >= ? AND completed_on < ?",
                [period.start, period.end],
            ).fetchone()[0]
            named = "2025/26 (April to November 2025, year to date)" if year == "2025/26" else year
            assert f"- In all, {completions:,} course completions in {named}.\n" in figures
            assert "year to date" not in figures or year == "2025/26"
    # the demo's training goes to 20/11/2025: the part year reaches November
    lead = (
        "The figures loaded for 2025/26 go no further than November 2025: these are for April to "
        "November 2025, year to date."
    )
    part_year = (demo_packs["2025/26"] / "key_figures.md").read_text()
    assert part_year.startswith(f"# DEMO DATA: Key figures for the modern slavery statement, "
                                f"2025/26\n\n{lead}\n")  # fmt: skip
    whole = (demo_packs["2024/25"] / "referrals_by_exploitation_type.svg").read_text()
    assert "2024/25 (April 2024 to March 2025)" in whole


def test_no_label_is_cut_off_in_any_chart_of_the_demo_packs(demo_packs):
    charts = sorted(svg for folder in demo_packs.values() for svg in folder.glob("*.svg"))
    assert len(charts) == 9 + 8 + 2 * 3
    for chart in charts:
        root = ET.parse(chart).getroot()
        texts = [t.text for t in root.iter() if t.text and t.text.strip()]
        assert not [t for t in texts if "…" in t], chart  # Vega-Lite's mark of a cut label
    # the longest course name, over two lines of its axis
    training = ET.parse(demo_packs["2025/26"] / "training_completions_by_course.svg").getroot()
    words = " ".join(t.text for t in training.iter() if t.text and t.text.strip())
    assert "Protecting Human Rights in the Supply Chain (Modern Slavery)" in words


def test_the_page_builds_every_year_the_demo_holds(demo_db):
    app = open_pack_page()
    assert app.selectbox(key="pack-year").options == DEMO_YEARS
    for year, files in zip(DEMO_YEARS, (21, 19, 7, 7, 7), strict=True):
        assert build_on_page(app, year) == [f"Download the {year} pack (.zip, {files} files)"]
    assert not app.info  # 2021/22 is a whole year


def test_a_chart_that_cannot_be_drawn_is_left_out_of_the_pack_which_says_why(
    known_year, monkeypatch
):
    from datetime import date

    from cams_data import export

    monkeypatch.setattr(export, "RENDER_TARGET", "cams_data.sandbox:abort")  # every chart fails
    pack = known_year_pack(known_year, date(2025, 11, 14))
    assert not [name for name in pack.files if name.endswith((".png", ".svg"))]
    figures = pack.files["key_figures.md"].decode("utf-8")
    assert (
        "- The chart 'Training completions by course' could not be drawn: the program that draws "
        "charts stopped unexpectedly on it.\n" in figures
    )
    assert "statement_tables_2025-26.xlsx" in pack.files and "key_figures.docx" in pack.files
