"""The quarter's briefing: the Word document opened with python-docx, its figures checked against
the Overview's for the same period (the known year, 2025/26-Q2), hidden counts written [c], and
the refresher table against a hand count of the fixture's rows."""

from __future__ import annotations

import io
from datetime import date, datetime, time

import docx
import pytest
from conftest import open_page, query

from cams_data import briefing, cli, dashboard, store
from cams_data.disclosure import Audience
from cams_data.ingest import rollback

PERIOD = "2025/26-Q2"
LAST_MEETING = date(2020, 1, 1)  # before every upload of the fixture: they all count as new
HIDDEN = ("NRM referrals made by the council", "Duty to Notify notifications made")


@pytest.fixture(scope="module")
def made(known_year):
    """The briefing for 2025/26-Q2, with what it holds and the document as python-docx opens
    it, and the Overview's figures for the same period and date."""
    with store.connect(known_year[0], read_only=True) as con:
        held = briefing.contents(con, PERIOD, None, LAST_MEETING)
        overview = dashboard.overview(
            con, PERIOD, None, datetime.combine(LAST_MEETING, time.min), Audience.PUBLICATION
        )
        true = dashboard.progress(con, PERIOD)
    return held, docx.Document(io.BytesIO(briefing.document(held))), overview, true


def texts(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def headings(document, level: int) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


def test_the_briefing_opens_with_its_title_date_and_what_is_hidden(made):
    held, document, _, _ = made
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "CAMS partnership briefing: 2025/26-Q2 (July to September 2025)"
    assert document.core_properties.title == paragraphs[0]
    assert paragraphs[1] == (
        f"Made on {date.today():%d/%m/%Y} · All organisations · changes since 01/01/2020"
    )
    assert paragraphs[2] == (
        "Figures as published: counts from 1 to 4 and cells that would give them away are "
        "shown [c]."
    )
    assert headings(document, 1) == [
        "Objectives at a glance",
        "Every indicator",
        "What changed since the last meeting (01/01/2020)",
        "Actions overdue and due next quarter",
        "Refresher training due in the next four quarters",
        "Key charts",
    ]
    assert not held.demo


def test_the_objectives_status_and_reasons_are_the_overviews(made):
    _, document, overview, _ = made
    glance = texts(document.tables[0])
    assert glance[0] == ["Objective", "Status", "Why"]
    assert glance[1:] == [
        [f"{o.objective.number}. {o.objective.title}", o.status, o.reason]
        for o in overview.progress
    ]
    assert glance[1] == [
        "1. Survivor Support and Care",
        "Red",
        "Red: First Responder roles trained in the last 12 months 45% against 100%; Plan "
        "actions due that are complete 67% against 100%.",
    ]
    assert [row[1] for row in glance[1:]] == ["Red", "Green", "Red", "Red"]


def test_every_indicator_has_the_overviews_value_target_status_and_change(made):
    _, document, overview, _ = made
    tables = [texts(t) for t in document.tables[1:5]]
    for objective, table in zip(overview.progress, tables, strict=True):
        assert table[0] == [
            "Indicator",
            "Value",
            "Target",
            "Status",
            "Change since 2025/26-Q1",
            "Notes",
        ]
        assert table[1:] == [
            [s.label, s.value, s.target.removeprefix("Target "), s.status, s.change or "", s.note]
            for s in objective.indicators
        ]
    funding = next(row for row in tables[1] if row[0] == "Funding secured")
    assert funding == [
        "Funding secured",
        "£12,500",
        "£10,000, a quarter of the yearly £40,000",
        "Green",
        "+£7,500",
        "",
    ]
    assert "4. Partnership profile/awareness: Red" in headings(document, 2)


def test_a_hidden_count_is_c_in_every_table_never_its_true_value(made):
    _, document, _, true = made
    figures = {row.indicator.label: row for o in true for row in o.indicators}
    # the true counts, which an officer's own screen shows: NRM 6 (3 + 2 + 1) in 2025/26-Q2,
    # 3 in Q1; Duty to Notify 1 in Q2, a reported 0 in Q1
    assert [(figures[label].current.value, figures[label].previous.value) for label in HIDDEN] == [
        (6, 3),
        (1, 0),
    ]
    rows = [
        row for table in document.tables for row in texts(table) if row[1:] and row[1] in HIDDEN
    ]
    rows += [row for table in document.tables for row in texts(table) if row[0] in HIDDEN]
    assert len(rows) == 4  # in objective 1's indicators, and in what the uploads moved
    for row in rows:
        shown = row[1:] if row[0] in HIDDEN else row[2:]
        assert "[c]" in shown
        assert not any(character.isdigit() for cell in shown for character in cell), row


def test_what_changed_since_the_last_meeting_is_the_overviews(made):
    _, document, overview, _ = made
    uploads = next(t for t in map(texts, document.tables) if t[0][0] == "What")
    assert uploads[0] == [c for c in overview.uploads.columns if c != "By"]  # names no one
    assert sorted(row[1] for row in uploads[1:]) == [
        "actions.xlsx",
        "essex.csv",
        "establishment.xlsx",
        "learning_pool.xlsx",
        "measures.csv",
        "referrals.csv",
        "survey_2024-10.xlsx",
        "survey_2025-10.xlsx",
    ]
    assert [row[3] for row in uploads[1:]] == [f"{n:,}" for n in overview.uploads["Rows stored"]]
    moved = next(t for t in map(texts, document.tables) if t[0] == ["Objective", "Indicator",
                                                                     "Before", "Now"])  # fmt: skip
    assert moved[1:] == [[str(v) for v in row] for row in overview.moved.values.tolist()]
    assert ["2", "Funding secured", "no data yet", "£12,500"] in moved


def test_actions_overdue_and_due_next_quarter(made):
    _, document, _, _ = made
    tables = [t for t in map(texts, document.tables) if t[0][:2] == ["Objective", "Action"]]
    assert tables == [
        [
            ["Objective", "Action", "Owner", "Due", "Status", "Overdue"],
            [
                "1",
                "Guidance for out-of-hours officers",
                "Community Safety",
                "31/08/2025",
                "In progress",
                "Overdue (30 days)",
            ],  # fmt: skip
        ],
        [
            ["Objective", "Action", "Owner", "Due", "Status"],
            ["1", "Survivor care pathway review", "Community Safety", "31/12/2025", "Not started"],
        ],
    ]
    assert "Overdue as at 30/09/2025" in headings(document, 2)
    assert "Due in 2025/26-Q3 (October to December 2025), not yet completed" in headings(
        document, 2
    )


def test_refresher_training_due_by_service_area_is_the_hand_count(made):
    # As at 30/09/2025. First Responder (12 months): five CSOs (Community Safety) trained
    # 10/06/2025 expire 10/06/2026 (2026/27-Q1); the Safeguarding Officer (Community Safety)
    # 01/08/2025 expires 01/08/2026 and three FCOs (Customer Services) 20/09/2025 expire
    # 20/09/2026 (2026/27-Q2); the CSO trained 15/03/2024 is already overdue. Supply chain (36
    # months): two Procurement Officers 01/06/2023 expire 01/06/2026 (2026/27-Q1); Finance's
    # Budget Holders expire in 2028, or expired in 2024.
    _, document, _, _ = made
    header = ["Service area", "2025/26-Q3", "2025/26-Q4", "2026/27-Q1", "2026/27-Q2"]
    first_responder, supply_chain = [t for t in map(texts, document.tables) if t[0] == header]
    assert first_responder[1:] == [
        ["Community Safety", "0", "0", "5", "1"],
        ["Customer Services", "0", "0", "0", "3"],
        ["All service areas", "0", "0", "5", "4"],
    ]
    assert supply_chain[1:] == [
        ["Finance", "0", "0", "0", "0"],
        ["Procurement", "0", "0", "2", "0"],
        ["All service areas", "0", "0", "2", "0"],
    ]
    assert headings(document, 2)[-2:] == [
        "First Responder (yearly)",
        "Supply chain (every three years)",
    ]


def test_the_key_charts_are_the_headline_trends_with_their_sentences(made):
    held, document, overview, _ = made
    headline = [s for o in overview.progress for s in o.headline]
    assert len(held.charts) == len(headline) == 11
    drawn = [c for c in held.charts if c.chart is not None]
    assert len(document.inline_shapes) == len(drawn)
    # an indicator with no figures yet has its sentence and no empty chart
    assert all("no data yet" in c.description for c in held.charts if c.chart is None)
    paragraphs = [p.text for p in document.paragraphs]
    charts_from = paragraphs.index("Key charts") + 1
    after = [text for text in paragraphs[charts_from:] if text]  # each picture in its own
    assert after == [c.description for c in held.charts]
    assert "Duty to Notify notifications made: 0 in 2025/26-Q1 and [c] in 2025/26-Q2." in (
        paragraphs
    )


def test_with_demo_data_loaded_the_title_says_so(demo_db):
    with store.connect(demo_db, read_only=True) as con:
        held = briefing.contents(con, dashboard.default_period(con))
    assert held.title.startswith("DEMO DATA: CAMS partnership briefing: ")


def test_the_command_line_writes_the_briefing_and_logs_it(year_copy, tmp_path, capsys):
    out = tmp_path / "briefing.docx"
    args = ["briefing", "--period", PERIOD, "--since", "01/01/2020", "--out", str(out)]
    assert cli.main(args) == 0
    assert capsys.readouterr().out == f"wrote {out} (the briefing for 2025/26-Q2)\n"
    document = docx.Document(str(out))
    assert document.paragraphs[0].text.startswith("CAMS partnership briefing: 2025/26-Q2")
    assert query(year_copy, "SELECT detail FROM audit_log WHERE action = 'export'") == [
        ("briefing 2025/26-Q2 (.docx)",)
    ]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--period", "2025-Q3", "Error: '2025-Q3' is not a period (expected a financial year such"),
        ("--since", "2025-09-30", "Error: '2025-09-30' is not a date written DD/MM/YYYY"),
    ],
)
def test_a_bad_period_or_date_exits_2_saying_why(db, tmp_path, capsys, option, value, message):
    out = tmp_path / "briefing.docx"
    assert cli.main(["briefing", option, value, "--out", str(out)]) == 2
    assert capsys.readouterr().err.startswith(message)
    assert not out.exists()


def test_the_overview_offers_the_briefing_made_only_when_pressed(year_copy, monkeypatch):
    from cams_data import ui

    made = {}
    real = ui.st.download_button

    def remember(label, data, **kwargs):
        made[kwargs["key"]] = data
        return real(label, data, **kwargs)

    monkeypatch.setattr(ui.st, "download_button", remember)
    app = open_page(period=PERIOD)
    button = next(b for b in app.get("download_button") if b.key == "download-briefing")
    assert button.label == "Download the quarter's briefing (.docx)"
    exports = "SELECT who, detail FROM audit_log WHERE action = 'export'"
    assert query(year_copy, exports) == []  # not made yet
    document = docx.Document(io.BytesIO(made["download-briefing"]()))  # pressing it
    assert document.paragraphs[0].text == (
        "CAMS partnership briefing: 2025/26-Q2 (July to September 2025)"
    )
    assert query(year_copy, exports) == [("viewer", "briefing 2025/26-Q2 (.docx)")]


def test_with_nothing_loaded_the_briefing_still_opens_and_says_so(db, tmp_path, capsys):
    out = tmp_path / "briefing.docx"
    assert cli.main(["briefing", "--out", str(out)]) == 0  # the pages' default period
    document = docx.Document(str(out))
    paragraphs = [p.text for p in document.paragraphs]
    assert [row[1] for row in texts(document.tables[0])[1:]] == ["No data"] * 4
    assert "Nothing has been uploaded or rolled back since " in " ".join(paragraphs)
    assert paragraphs.count("Nobody had completed these courses by then.") == 2
    assert "No action is overdue." in paragraphs


def test_the_briefing_names_no_one_who_uploaded_or_undid_a_file(year_copy):
    """It is circulated: the uploads since the last meeting say what and when, not who."""
    with store.connect(year_copy) as con:
        first, last = con.execute("SELECT min(upload_id), max(upload_id) FROM uploads").fetchone()
        con.execute("UPDATE uploads SET uploaded_by = 'officer@example.gov.uk'")
    rollback(year_copy, last, "admin.person@example.gov.uk")
    with store.connect(year_copy, read_only=True) as con:
        held = briefing.contents(con, PERIOD, None, LAST_MEETING)
    assert list(held.uploads.columns) == [
        "What", "File", "Uploaded", "Rows stored", "Rows replaced", "Status",
    ]  # fmt: skip
    assert held.uploads["Status"].str.startswith("rolled back on ").sum() == 1
    document = docx.Document(io.BytesIO(briefing.document(held)))
    text = [p.text for p in document.paragraphs]
    text += [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert not [t for t in text if "example.gov.uk" in t or "officer@" in t]
