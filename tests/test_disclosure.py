"""Small numbers, cell by cell: `<5` on screen, and [c] with secondary suppression to publish."""

from __future__ import annotations

import itertools
from datetime import date

import pandas as pd
import pytest

from cams_data import disclosure
from cams_data.disclosure import Audience


def table(rows: dict[str, list[int]], columns=("Adult", "Child")) -> pd.DataFrame:
    return pd.DataFrame(rows, index=list(columns)).T


def as_lists(shown: pd.DataFrame) -> list[list]:
    return [list(row) for row in shown.itertuples(index=False)]


def test_one_small_cell_hides_the_least_rectangle_that_protects_it():
    shown, notes = disclosure.publishable(
        table({"Labour": [10, 6], "Sexual": [3, 9], "Criminal": [8, 7]})
    )
    assert list(shown.index) == ["Labour", "Sexual", "Criminal", "Total"]
    assert as_lists(shown) == [
        [10, 6, 16],
        ["[c]", "[c]", 12],  # 3 is confidential; 9 would give it away from the row total
        ["[c]", "[c]", 15],  # ...and 8 and 7 from the column totals
        [21, 22, 43],
    ]
    assert notes == [disclosure.PUBLISHED_NOTE]


def test_no_small_count_means_nothing_hidden_and_no_note():
    shown, notes = disclosure.publishable(table({"Labour": [10, 6], "Sexual": [12, 9]}))
    assert as_lists(shown) == [[10, 6, 16], [12, 9, 21], [22, 15, 37]]
    assert notes == []


def test_zero_is_not_confidential_and_a_small_total_is():
    shown, notes = disclosure.publishable(
        table({"Labour": [0, 2], "Sexual": [0, 0], "Criminal": [9, 8], "Multiple": [6, 7]})
    )
    assert as_lists(shown) == [
        [0, "[c]", "[c]"],  # 2, and its row total of 2 that says the same
        [0, 0, 0],
        [9, 8, 17],
        [6, "[c]", "[c]"],  # the Child column's and the Total column's second hidden cells
        [15, 17, 32],
    ]
    assert notes == [disclosure.PUBLISHED_NOTE]


@pytest.mark.parametrize("seed", range(25))
def test_no_hidden_cell_can_be_worked_out_from_its_row_or_column(seed):
    import random

    rng = random.Random(seed)
    rows = {
        f"Type {i}": [rng.choice([0, 1, 2, 3, 5, 8, 13, 20]) for _ in range(3)] for i in range(4)
    }
    counts = table(rows, columns=("Adult", "Child", "Not specified"))
    shown, _ = disclosure.publishable(counts)
    hidden = shown == "[c]"
    for label in shown.index:  # no line with exactly one hidden cell
        assert hidden.loc[label].sum() != 1, (seed, label)
    for label in shown.columns:
        assert hidden[label].sum() != 1, (seed, label)
    true = counts.copy()
    for r, c in itertools.product(counts.index, counts.columns):
        value = true.loc[r, c]
        if 0 < value < 5:
            assert shown.loc[r, c] == "[c]", (seed, r, c)
        elif shown.loc[r, c] != "[c]":
            assert shown.loc[r, c] == value


def test_a_single_column_hides_a_second_count_that_its_total_would_give_away():
    counts = pd.DataFrame({"Referrals": [13, 11, 5, 2]}, index=["A", "B", "C", "D"])
    shown, notes = disclosure.publishable(counts)
    assert list(shown.columns) == ["Referrals"]  # no Total column beside a single column
    assert shown["Referrals"].tolist() == [13, 11, "[c]", "[c]", 31]  # D's 2, then C's 5
    assert notes == [disclosure.PUBLISHED_NOTE]


def test_the_meeting_view_marks_small_and_secondary_cells_apart_and_officers_see_true_figures():
    counts = table({"Labour": [10, 6], "Sexual": [3, 9]})
    shown, notes = disclosure.publishable(counts, Audience.MEETING)
    # 3 is small; 9 (row), 10 (column) and then 6 (column) would each give it away
    assert as_lists(shown) == [["[c]", "[c]", 16], ["<5", "[c]", 12], [13, 15, 28]]
    assert notes == [disclosure.SCREEN_NOTE, disclosure.SECONDARY_NOTE]
    true, notes = disclosure.publishable(counts, Audience.OFFICER)
    assert as_lists(true) == [[10, 6, 16], [3, 9, 12], [13, 15, 28]]
    assert notes == []


def linked(counts: dict[tuple[int, int], int]) -> disclosure.Cells:
    """Monthly counts, {(year, month): n}, as rows of one kind."""
    atoms = pd.DataFrame(
        [
            (date(y, m, 1), date(y + (m == 12), m % 12 + 1, 1), n, "x")
            for (y, m), n in sorted(counts.items())
        ],
        columns=["start", "end", "n", "kind"],
    )
    return disclosure.Cells(atoms, "n", ("kind",))


def test_a_year_shown_beside_its_quarters_hides_a_second_quarter():
    # Q1 10, Q2 12, Q3 2, Q4 9 (April 2025 to March 2026), one row a quarter's first month
    cells = linked({(2025, 4): 10, (2025, 7): 12, (2025, 10): 2, (2026, 1): 9})
    quarters = [
        cells.add(date(2025, 4, 1), date(2025, 7, 1)),
        cells.add(date(2025, 7, 1), date(2025, 10, 1)),
        cells.add(date(2025, 10, 1), date(2026, 1, 1)),
        cells.add(date(2026, 1, 1), date(2026, 4, 1)),
    ]
    year = cells.add(date(2025, 4, 1), date(2026, 4, 1))
    cells.settle()  # no table relates them: the year and its quarters are found to add up
    shown = [cells.text(q, Audience.MEETING) for q in quarters]
    assert shown == ["10", "12", "<5", "[c]"]  # Q4's 9, the smallest other, hides Q3's 2
    assert cells.text(year, Audience.MEETING) == "33"
    assert cells.text(quarters[3], Audience.OFFICER) == "9"
    assert cells.text(quarters[2], Audience.PUBLICATION) == "[c]"


def test_the_same_rows_are_the_same_cell_wherever_they_are_registered():
    cells = linked({(2025, 4): 3, (2025, 5): 8, (2025, 6): 7})
    quarter = cells.add(date(2025, 4, 1), date(2025, 7, 1))
    april = cells.add(date(2025, 4, 1), date(2025, 5, 1))
    months = [april, *(cells.add(date(2025, m, 1), date(2025, m + 1, 1)) for m in (5, 6))]
    cells.relate(quarter, months)
    by_kind = cells.add(date(2025, 4, 1), date(2025, 5, 1), kind="x")  # April again
    cells.settle()
    assert by_kind == april
    assert cells.why(by_kind) == disclosure.PRIMARY
    assert [cells.why(m) for m in months] == [disclosure.PRIMARY, "", disclosure.SECONDARY]


def test_for_export_turns_every_screen_mark_into_c_and_says_why():
    screen = pd.DataFrame({"Type": ["Labour", "Sexual", "Total"], "Referrals": ["12", "<5", "15"]})
    out, notes = disclosure.for_export(screen)
    assert out["Referrals"].tolist() == ["12", "[c]", "15"]
    assert notes == [disclosure.PUBLISHED_NOTE]
    plain = pd.DataFrame({"Type": ["Labour"], "Referrals": ["12"]})
    assert disclosure.for_export(plain) == (plain, [])


def test_chart_rows_draw_no_bar_for_any_hidden_cell():
    counts = pd.DataFrame({"Type": ["A", "B", "C"], "Referrals": [20, 6, 2]})
    rows = disclosure.for_chart(counts, "Referrals", ["20", "[c]", "<5"])
    assert rows["Referrals"].isna().tolist() == [False, True, True]
    assert rows["label"].tolist() == ["20", "[c]", "<5"]
