"""Cells holding HTML, script, very long strings, right-to-left text and emoji are stored exactly
as typed and shown as text: the pages hand them to Streamlit as data, never as HTML.

(tests/long/test_browser.py opens the same kind of file in Chromium and checks nothing runs.)"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import builders
from conftest import query
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from cams_data import statement, store, upload_flow
from cams_data.formatting import as_read, markdown_literal
from cams_data.ingest import UploadRequest, ingest
from cams_data.text import clean_text

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=2">',
    "**bold** [a link](javascript:alert(1))",
    "مراجعة خطة الرعاية — סקירה",  # right to left, Arabic and Hebrew
    "Safeguarding week 🎗️👩‍👩‍👧",
    "Review " + "very long text " * 400,
]


def load_actions(db: Path, folder: Path) -> Path:
    rows = [["Objective", "Action", "Lead", "Due date", "Status", "Last updated"]]
    rows += [[1, text, "Community Safety", "31/12/2025", "In progress", "01/09/2025"]
             for text in HOSTILE]  # fmt: skip
    rows += [[2, "Bid for funding", HOSTILE[0], "31/12/2025", "Not started", "01/09/2025"]]
    path = builders.write_xlsx(folder / "tracker.xlsx", rows, title_rows=["Action plan"])
    assert ingest(UploadRequest(path.read_bytes(), path.name, db=db)).status == "loaded"
    return path


def test_hostile_cells_are_stored_exactly_as_typed(db, tmp_path):
    load_actions(db, tmp_path)
    stored = [r[0] for r in query(db, "SELECT action FROM actions WHERE objective = 1")]
    # as every text cell is: trimmed, runs of spaces as one, typographic dashes made plain
    assert sorted(stored) == sorted(clean_text(text) for text in HOSTILE)
    assert HOSTILE[0] in stored and HOSTILE[1] in stored and HOSTILE[4] in stored  # untouched
    assert "مراجعة خطة الرعاية - סקירה" in stored
    assert query(db, "SELECT owner FROM actions WHERE objective = 2") == [(HOSTILE[0],)]
    assert max(len(s) for s in stored) == len(HOSTILE[-1]) - 1  # 6,006 characters, not cut


def test_the_action_plan_page_shows_them_as_table_text_not_markdown(db, tmp_path):
    load_actions(db, tmp_path)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.query_params["period"] = "2025/26"
    app.run()
    app.switch_page("pages/action_plan.py").run()
    assert not app.exception, app.exception
    shown = set()
    for table in app.table:
        frame = table.value
        frame = frame.data if hasattr(frame, "data") else frame  # a Styler holds its frame
        shown |= {str(v) for v in frame.to_numpy().ravel()}
    assert {clean_text(text) for text in HOSTILE} <= shown  # every value, whole, as table data
    markdown = " ".join(m.value for m in [*app.markdown, *app.caption, *app.subheader])
    assert "<script" not in markdown and "onerror" not in markdown  # never in HTML-capable text


# --- control characters ----------------------------------------------------------------------

BEL, ESC = "\x07", "\x1b"


def test_control_characters_leave_every_cell_once_and_the_summary_counts_the_cells(db, tmp_path):
    training = builders.write_csv(
        tmp_path / "training.csv",
        [
            ["Learner", "E-mail", "Course name", "Status", "Completion date"],
            ["Alex Example", "alex@example.org", f"Modern Slavery{BEL} Awareness", "Passed",
             "14/05/2025"],
            ["Sam Sample", "sam@example.org", f"{ESC}[31mFirst Responder", "Passed", "02/06/2025"],
            ["Jo Bloggs", f"jo@example.org{BEL}", "First Responder", "Passed", "03/06/2025"],
        ],
    )  # fmt: skip
    upload = ingest(
        UploadRequest(training.read_bytes(), training.name, db=db, today=date(2026, 6, 1))
    )
    assert query(db, "SELECT course, completed_on FROM training ORDER BY completed_on") == [
        ("Modern Slavery Awareness", date(2025, 5, 14)),
        ("[31mFirst Responder", date(2025, 6, 2)),
        ("First Responder", date(2025, 6, 3)),
    ]
    assert upload.invisible_cells == 3
    assert "\nControl characters removed: 3 cells.\n" in upload.summary()
    assert upload.as_dict()["control_characters_removed"] == 3
    assert upload_flow.figures(upload)["Control characters removed"] == "3 cells"

    question = f"Do you know how to report{ESC} a concern?"
    survey = builders.write_csv(
        tmp_path / "survey.csv",
        [
            ["ID", "Start time", "Completion time", "Email", "Name", "Service area", question],
            *[
                [n, "01/10/2025 09:00", "01/10/2025 09:05", "anonymous", "", f"Hous{BEL}ing",
                 f"Yes{BEL}" if n % 2 else f"{ESC}No"]
                for n in range(1, 13)
            ],
        ],
    )  # fmt: skip
    upload = ingest(UploadRequest(survey.read_bytes(), survey.name, db=db, today=date(2026, 6, 1)))
    assert query(db, "SELECT service_area, question, answer, count(*) FROM survey GROUP BY ALL "
                     "ORDER BY answer") == [
        ("Housing", "Do you know how to report a concern?", "No", 6),
        ("Housing", "Do you know how to report a concern?", "Yes", 6),
    ]  # fmt: skip
    assert upload.invisible_cells == 1 + 12 + 12  # the question's header, each row's two cells
    assert upload_flow.figures(upload)["Control characters removed"] == "25 cells"

    with store.connect(db, read_only=True) as con:
        pack = statement.build(con, "2025/26", today=date(2026, 6, 1))
    figures = pack.files["key_figures.md"].decode("utf-8")
    assert "Do you know how to report a concern?" in figures
    tables = load_workbook(io.BytesIO(pack.files["statement_tables_2025-26.xlsx"]))
    cells = {str(c.value) for sheet in tables for row in sheet.iter_rows() for c in row}
    assert {"Modern Slavery Awareness", "[31mFirst Responder", "First Responder"} <= cells
    text_files = b"".join(
        data for name, data in pack.files.items() if name.endswith((".md", ".svg"))
    )
    assert b"[31mFirst Responder" in text_files  # the course chart's SVG names it
    assert BEL.encode() not in text_files and ESC.encode() not in text_files


def test_a_cell_of_nothing_but_control_characters_is_blank(db, tmp_path):
    path = builders.write_csv(
        tmp_path / "tracker.csv",
        [
            ["Objective", "Action", "Lead", "Due date", "Status"],
            [1, "Publish the statement", f"{BEL}{ESC}", "31/12/2025", "In progress"],
        ],
    )
    upload = ingest(UploadRequest(path.read_bytes(), path.name, db=db, today=date(2026, 6, 1)))
    assert upload.invisible_cells == 1
    assert query(db, "SELECT action, owner FROM actions") == [
        ("Publish the statement", "Not specified")
    ]


def test_each_kind_of_invisible_character_leaves_a_sheet_and_plain_text_is_kept_as_it_is():
    import pandas as pd

    from cams_data.text import drop_invisible_cells

    text = pd.StringDtype("pyarrow", na_value=float("nan"))  # as the reader gives cells
    cells = pd.DataFrame(
        {
            0: ["plain", "tab\tkept", None],  # only plain bytes: left as they are
            1: ["Café ✓", "a\u200bb", "x\x85y"],  # a zero-width space, a C1 control
            2: ["line\u2028break", "\ufeffbom", "del\x7f"],
            3: ["\x00", "ok", "tag\U000e0041"],
        },
        dtype=text,
    )
    cleaned, changed = drop_invisible_cells(cells.copy())
    assert changed == 7
    assert cleaned[0].equals(cells[0])
    assert cleaned[1].tolist() == ["Café ✓", "ab", "xy"]
    assert cleaned[2].tolist() == ["line break", "bom", "del"]
    assert cleaned[3].isna().tolist() == [True, False, False]
    assert cleaned[3].tolist()[1:] == ["ok", "tag"]


@given(st.text(st.characters(max_codepoint=0x7F)))
def test_ascii_text_is_cleaned_to_its_words_with_one_space_between_and_no_controls(value):
    controls_dropped = re.sub(r"[\x00-\x08\x0e-\x1f\x7f]", "", value)
    assert clean_text(value) == re.sub(r"\s+", " ", controls_dropped).strip()


# --- Markdown from files ---------------------------------------------------------------------

LINKS = "[Sign in again](https://evil.example/login) ![t](https://evil.example/beacon.png)"
MARKUP = "**bold** :red[x] :material/home: <img src=x onerror=alert(1)>"


def test_markdown_literal_keeps_the_words_and_drops_every_construct():
    assert markdown_literal(LINKS) == (
        "\\[Sign in again\\](https:\u2060//evil.example/login) "
        "!\\[t\\](https:\u2060//evil.example/beacon.png)"
    )
    assert markdown_literal(MARKUP) == (
        "\\*\\*bold\\*\\* :\u2060red\\[x\\] :\u2060material/home: \\<img src=x onerror=alert(1)>"
    )
    assert markdown_literal("- 1. `a_b` ~c~ $d$ | www.evil.example\n12) # x") == (
        "\\- 1. \\`a\\_b\\` \\~c\\~ \\$d\\$ \\| www\\.evil.example\n12\\) # x"
    )
    ordinary = "2025/26 (April to March) · Housing: 86% of <5 - £12,500"
    assert markdown_literal(ordinary) == ordinary  # a plain sentence is passed unchanged
    for text in (LINKS, MARKUP, ordinary):
        assert as_read(markdown_literal(text)) == text


def load_hostile_files(db: Path, folder: Path) -> None:
    files = {
        "training.csv": [
            ["Learner", "E-mail", "Course name", "Status", "Completion date"],
            ["Alex Example", "alex@example.org", LINKS, "Passed", "14/05/2025"],
            ["Sam Sample", "sam@example.org", MARKUP, "Passed", "02/06/2025"],
        ],
        "survey.csv": [
            ["ID", "Start time", "Completion time", "Email", "Name", "Service area", LINKS],
            *[
                [
                    n,
                    "01/10/2025 09:00",
                    "01/10/2025 09:05",
                    "anonymous",
                    "",
                    "Housing",
                    MARKUP if n % 2 else "No",
                ]
                for n in range(1, 13)
            ],
        ],  # fmt: skip
        "tracker.csv": [
            ["Objective", "Action", "Lead", "Due date", "Status"],
            [1, LINKS, MARKUP, "31/12/2025", "In progress"],
            [2, MARKUP, "Community Safety", "31/12/2025", "Not started"],
        ],
        "measures.csv": [
            ["Objective", "Measure", "Partner", "Quarter", "Value"],
            [3, LINKS, "Essex Police", "2025/26 Q1", "4"],
            [4, MARKUP, "CAMS partnership", "2025/26 Q2", "3"],
        ],
    }
    for name, rows in files.items():
        path = builders.write_csv(folder / name, rows)
        upload = ingest(UploadRequest(path.read_bytes(), name, db=db, today=date(2026, 6, 1)))
        assert upload.status == "loaded", name


UNESCAPED = re.compile(
    r"(?<!\\)\](?:\(|\s*\()|(?<!\\)!\[|\(https://|(?<!\\)<img|\*\*bold|:red\[|:material/home"
)


def test_no_page_draws_a_link_image_or_markup_from_a_file(db, tmp_path):
    load_hostile_files(db, tmp_path)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.query_params["period"] = "2025/26"
    app.run()
    pages = ["overview", "objectives", "training", "referrals", "survey", "action_plan"]
    read = {}
    for page in pages:
        app.switch_page(f"pages/{page}.py").run()
        assert not app.exception, (page, app.exception)
        markdown = [
            *(e.value for e in [*app.markdown, *app.caption, *app.subheader, *app.header]),
            *(e.body for e in [*app.info, *app.warning, *app.error, *app.success]),
            *(e.label for e in app.metric),
        ]
        for value in markdown:
            assert not UNESCAPED.search(value), (page, value)
        read[page] = " ".join(as_read(v) for v in markdown)
    # the same words reach the reader: names in headings, captions and metric labels
    assert f"Staff with a completion of {MARKUP} " in read["training"]  # the course chosen
    assert f"Completions of {MARKUP} in 2025/26" in read["training"]  # a metric label
    assert LINKS in read["survey"] and MARKUP in read["survey"]  # question; answer in captions

    app.switch_page("pages/statement_pack.py").run()
    app.selectbox(key="pack-year").select("2025/26").run()
    app.button(key="build-pack").click().run()
    assert not app.exception, app.exception
    figures = app.session_state["pack"].files["key_figures.md"].decode("utf-8")
    assert [c.value for c in app.code] == [figures.rstrip("\n")]  # text to copy, never drawn
    assert LINKS in figures
    for value in [e.value for e in [*app.markdown, *app.caption]]:
        assert not UNESCAPED.search(value), value
