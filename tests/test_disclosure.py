"""Small numbers, cell by cell: `<5` on screen, and [c] with secondary suppression to publish."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from cams_data import disclosure


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
    assert notes[0].startswith("[c] = confidential")
    assert notes[1].startswith("3 further cells hidden")


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
    assert notes[1].startswith("2 further cells hidden")


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
