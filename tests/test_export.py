"""Exported files, opened and checked: PNG size and ppi, SVG, XLSX and CSV cells, no formulas."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from openpyxl import load_workbook
from PIL import Image

from cams_data import charts, disclosure, export
from cams_data.disclosure import Audience

COUNTS = pd.DataFrame(
    {
        "Exploitation type": ["Labour", "Sexual", "Criminal", "Domestic servitude"],
        "Referrals": [7, 5, 12, 3],
    }
)
HOSTILE = pd.DataFrame(
    {
        "Owner": ['=HYPERLINK("http://evil.example","click")', "=1+1", "+44 1206", "@SUM(A1)",
                  "-2 days", "\tTabbed", "Community Safety"],
        "Actions": [1, 2, 3, 4, -5, 6, 7],
    }
)  # fmt: skip


def a_chart(counts: pd.DataFrame = COUNTS):
    shown, _ = disclosure.publishable(counts.set_index("Exploitation type"), Audience.MEETING)
    labels = [disclosure.as_text(v) for v in shown["Referrals"].iloc[:-1]]
    table = disclosure.for_chart(counts, "Referrals", labels)
    return charts.bar(
        table,
        category="Exploitation type",
        value="Referrals",
        title="Referrals by exploitation type",
        subtitle="2025/26",
        source="Source: CAMS partnership",
        label="label",
        colour="Exploitation type",
    )


def test_png_is_200_ppi_and_as_wide_as_an_a4_page_of_text():
    image = Image.open(io.BytesIO(export.png(a_chart())))
    assert image.format == "PNG"
    assert image.size[0] == round(export.A4_TEXT_WIDTH_INCHES * export.PPI)  # 1260 px
    assert 300 < image.size[1] < 1200
    assert [round(d) for d in image.info["dpi"]] == [200, 200]


def test_svg_parses_and_carries_the_title_and_the_suppressed_label():
    root = ET.fromstring(export.svg(a_chart()))
    assert root.tag.endswith("svg")
    texts = [t.text for t in root.iter() if t.tag.endswith(("text", "tspan")) and t.text]
    assert "Referrals by exploitation type" in texts
    assert "Source: CAMS partnership" in texts
    assert "<5" in texts  # the small count's label; its bar is not drawn


def test_xlsx_has_titled_tables_numbers_as_numbers_and_no_formula():
    book = load_workbook(
        io.BytesIO(
            export.xlsx(
                {
                    "Referrals by exploitation type": (COUNTS, ["2025/26", "Source: CAMS"]),
                    "Action owners": (HOSTILE, []),
                }
            )
        )
    )
    assert book.sheetnames == ["Referrals by exploitation type", "Action owners"]
    first = book["Referrals by exploitation type"]
    assert [first.cell(row=r, column=1).value for r in (1, 2, 3)] == [
        "Referrals by exploitation type",
        "2025/26",
        "Source: CAMS",
    ]
    assert [c.value for c in first[5]] == ["Exploitation type", "Referrals"]
    assert [[c.value for c in row] for row in first.iter_rows(min_row=6)] == COUNTS.values.tolist()
    owners = book["Action owners"]
    cells = [c for row in owners.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f"]
    assert [c.value for c in owners["A"][3:]] == HOSTILE["Owner"].tolist()  # kept as text
    assert [c.value for c in owners["B"][3:]] == HOSTILE["Actions"].tolist()


def test_csv_never_starts_a_cell_with_a_formula_character():
    rows = list(csv.reader(io.StringIO(export.csv(HOSTILE).decode("utf-8-sig"))))
    assert rows[0] == ["Owner", "Actions"]
    owners = [r[0] for r in rows[1:]]
    assert all(not o.startswith(export.FORMULA_STARTS) for o in owners)
    assert owners[0] == "'" + HOSTILE["Owner"][0]
    assert owners[-1] == "Community Safety"
    assert [r[1] for r in rows[1:]] == ["1", "2", "3", "4", "-5", "6", "7"]  # numbers stay


def test_xlsx_writes_numbers_in_the_number_format_of_their_column_or_row():
    table = pd.DataFrame(
        {
            "Measure": ["Funding secured", "Events held", "Staff who know how to report"],
            "Value": [24250, 13, 0.8636],
            "Referrals": [12, "[c]", 7],
        }
    )
    formats = {"Value": ["£#,##0", "#,##0", "0%"], "Referrals": "#,##0"}
    book = load_workbook(io.BytesIO(export.xlsx({"Measures": export.Sheet(table, [], formats)})))
    rows = list(book["Measures"].iter_rows(min_row=3))
    assert [c.value for c in rows[0]] == ["Measure", "Value", "Referrals"]
    values = [(c.value, c.data_type, c.number_format) for row in rows[1:] for c in row[1:]]
    assert values == [
        (24250, "n", "£#,##0"),
        (12, "n", "#,##0"),
        (13, "n", "#,##0"),
        ("[c]", "s", "General"),  # a hidden count stays text
        (0.8636, "n", "0%"),
        (7, "n", "#,##0"),
    ]
    sheet = export.Sheet(table, [], formats)
    assert [sheet.text(row, 1) for row in range(3)] == ["£24,250", "13", "86%"]
    assert [sheet.text(row, 2) for row in range(3)] == ["12", "[c]", "7"]


def test_sheet_names_keep_within_excel_limits_and_are_cut_after_a_whole_word():
    titles = [
        "Referrals by exploitation type and age group: 2025/26 [local]",
        "Referrals by exploitation type and age group: 2025/26 [local] again",
        "Referrals by exploitation type and age group: 2025/26 [local] once more",
        "DEMO DATA: NRM referrals and Duty to Notify notifications by exploitation type",
        "Supercalifragilisticexpialidocious-and-more-and-more",
        "What? *All* of it\\this",
        "'Quoted'",
    ]
    book = load_workbook(io.BytesIO(export.xlsx({t: (COUNTS, []) for t in titles})))
    assert book.sheetnames == [
        "Referrals by exploitation type",  # not '... type and' nor '... type and a'
        "Referrals by exploitation (2)",
        "Referrals by exploitation (3)",
        "DEMO DATA - NRM referrals",  # not '... referrals and'
        "Supercalifragilisticexpialidoci",  # one word longer than 31: cut where it must be
        "What All of it-this",
        "Quoted",
    ]
    assert [book[n]["A1"].value for n in book.sheetnames] == titles  # titles whole


def test_a_sheet_may_be_given_its_tab_name():
    sheets = {"NRM referrals and Duty to Notify notifications": export.Sheet(COUNTS, name="NRM")}
    assert load_workbook(io.BytesIO(export.xlsx(sheets))).sheetnames == ["NRM"]


# --- the renderer in its worker ---------------------------------------------------------------
# vl-convert panics and aborts its process on some control characters in a label; it runs in a
# child process (cams_data/sandbox.py), so that becomes a sentence and the next chart draws.


def test_a_label_that_makes_the_renderer_abort_is_a_plain_refusal_and_the_next_chart_draws():
    broken = a_chart(COUNTS.replace({"Labour": "Labour\x1b"}))  # an escape, pasted from a terminal
    for draw in (export.png, export.svg):
        with pytest.raises(export.NotDrawn) as refused:
            draw(broken)
        assert str(refused.value) == (
            "The chart 'Referrals by exploitation type' could not be drawn: the program that "
            "draws charts stopped unexpectedly on it."
        )
        assert draw(a_chart())


@pytest.mark.parametrize(
    ("target", "time_limit", "reason"),
    [
        (
            "cams_data.sandbox:allocate",
            None,
            "drawing it needed more than 1 GB of memory, more than any real chart needs",
        ),
        (
            "cams_data.sandbox:sleep",
            2,
            "drawing it took longer than 2 seconds, far longer than any real chart takes",
        ),
    ],
)
def test_a_renderer_out_of_memory_or_time_is_a_plain_refusal(
    monkeypatch, target, time_limit, reason
):
    from cams_data import sandbox

    monkeypatch.setattr(export, "RENDER_TARGET", target)
    if time_limit:
        monkeypatch.setattr(sandbox, "TIME_LIMIT_SECONDS", time_limit)
    with pytest.raises(export.NotDrawn) as refused:
        export.png(a_chart())
    assert str(refused.value) == (
        f"The chart 'Referrals by exploitation type' could not be drawn: {reason}."
    )
    monkeypatch.undo()
    assert export.svg(a_chart()).startswith("<svg")


def test_charts_drawn_in_the_worker_are_the_ones_drawn_in_process():
    spec = export._spec(a_chart())
    assert export.png(a_chart()) == export.render(spec, "png")
    assert export.svg(a_chart()) == export.render(spec, "svg")


def test_a_chart_that_cannot_be_drawn_downloads_as_a_picture_of_the_reason(monkeypatch):
    monkeypatch.setattr(export, "RENDER_TARGET", "cams_data.sandbox:abort")
    reason = (
        "The chart 'Referrals by exploitation type' could not be drawn: the program that draws "
        "charts stopped unexpectedly on it."
    )
    picture = Image.open(io.BytesIO(export.png_or_notice(a_chart())))
    assert (
        picture.format == "PNG" and picture.width == 900 and picture.height == 60 + 40 * 3
    )  # three lines
    assert picture.getextrema() == ((0, 255), (0, 255), (0, 255))  # black words on white
    drawn = export.svg_or_notice(a_chart())
    words = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", drawn)
    assert " ".join(words) == reason.replace("'", "&#x27;")
    monkeypatch.undo()
    assert export.png_or_notice(a_chart()) == export.png(a_chart())  # a chart that draws is itself
