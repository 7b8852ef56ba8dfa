"""Every chart in the app says what it shows, for when, and where its figures come from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cams_data import charts

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["overview", "objectives", "training", "referrals", "survey", "action_plan"]


def chart_titles(app: AppTest) -> list[dict]:
    titles = []
    for element in app.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        title = spec.get("title") or next(
            (layer["title"] for layer in spec.get("layer", []) if "title" in layer), None
        )
        titles.append(title)
    return titles


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_has_a_title_a_subtitle_and_a_source_note(demo_db, page):
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    app.query_params["period"] = "2025/26"
    app.run()
    app.switch_page(f"pages/{page}.py").run()
    assert not app.exception, app.exception
    titles = chart_titles(app)
    if page != "overview":  # the Overview draws cards, not charts
        assert titles, page
    for title in titles:
        assert title and title["text"], (page, title)
        lines = title["subtitle"] if isinstance(title["subtitle"], list) else [title["subtitle"]]
        # the period, then the source (a long line over two, so a narrow screen cuts neither)
        sources = [i for i, line in enumerate(lines) if line.startswith("Source: ")]
        assert sources and sources[0] > 0 and len(lines) - sources[0] <= 2, (page, title)
        assert lines[sources[0]].startswith("Source: CAMS partnership; "), (page, title)
        assert all(len(line) <= charts.SUBTITLE_LINE for line in lines), (page, title)
