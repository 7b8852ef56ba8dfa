"""Reporting periods: one way of writing them, financial-year quarters, the period before."""

from datetime import date

import pytest

from cams_data import periods


@pytest.mark.parametrize(
    ("label", "start", "end", "previous"),
    [
        ("2025/26", date(2025, 4, 1), date(2026, 4, 1), "2024/25"),
        ("2025/26-Q1", date(2025, 4, 1), date(2025, 7, 1), "2024/25-Q4"),
        ("2025/26-Q2", date(2025, 7, 1), date(2025, 10, 1), "2025/26-Q1"),
        ("2025/26-Q4", date(2026, 1, 1), date(2026, 4, 1), "2025/26-Q3"),
        ("1999/00-Q3", date(1999, 10, 1), date(2000, 1, 1), "1999/00-Q2"),
    ],
)
def test_labels_round_trip(label, start, end, previous):
    period = periods.parse(label)
    assert (period.start, period.end, period.previous().label) == (start, end, previous)
    assert period.label == label


@pytest.mark.parametrize("text", ["2025-26", "2025/27", "2025/26 Q2", "2025/26-Q5", "Q2", ""])
def test_other_spellings_are_refused(text):
    with pytest.raises(periods.BadPeriod, match="expected a financial year such as 2025/26"):
        periods.parse(text)


def test_quarter_of_a_day_and_the_quarter_a_meeting_reviews():
    assert periods.quarter_of(date(2026, 2, 14)).label == "2025/26-Q4"
    assert periods.year_of(date(2026, 3, 31)).label == "2025/26"
    assert periods.last_complete_quarter(date(2025, 11, 20)).label == "2025/26-Q2"
    assert periods.last_complete_quarter(date(2025, 9, 30)).label == "2025/26-Q2"


def test_choices_run_newest_first_each_year_before_its_quarters():
    labels = [p.label for p in periods.choices(date(2024, 6, 1), date(2025, 8, 3))]
    assert labels == [
        "2025/26", "2025/26-Q2", "2025/26-Q1",
        "2024/25", "2024/25-Q4", "2024/25-Q3", "2024/25-Q2", "2024/25-Q1",
    ]  # fmt: skip


def test_description():
    assert periods.parse("2025/26-Q3").description == "October to December 2025"
    assert periods.parse("2025/26").description == "April 2025 to March 2026"
