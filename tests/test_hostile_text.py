"""Cells holding HTML, script, very long strings, right-to-left text and emoji are stored exactly
as typed and shown as text: the pages hand them to Streamlit as data, never as HTML.

(tests/long/test_browser.py opens the same kind of file in Chromium and checks nothing runs.)"""

from __future__ import annotations

from pathlib import Path

import builders
from conftest import query
from streamlit.testing.v1 import AppTest

from cams_data.ingest import ingest
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
    assert ingest(path.read_bytes(), path.name, db=db).status == "loaded"
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
