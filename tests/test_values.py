"""One cell at a time: UK dates, periods, counts, money, objectives and categories.

Every parser returns an exact canonical value or raises `BadValue` with a message an officer can
act on. Dates are day-first, always: a month-first date is refused, never guessed.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cams_data.kinds import (
    ACTION_STATUS,
    AGE_GROUPS,
    EXPLOITATION_TYPES,
    REFERRAL_TYPES,
    TRAINING_STATUS,
)
from cams_data.periods import ReportingPeriod
from cams_data.values import (
    DAY_FIRST,
    EITHER_ORDER,
    MONTH_FIRST,
    BadValue,
    date_order_shown,
    match_category,
    parse_count,
    parse_date,
    parse_number,
    parse_objective,
    parse_period,
    parse_response_time,
)

# --- parse_date ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-14 00:00:00", date(2024, 5, 14)),  # a real Excel date, as the reader gives it
        ("2024-05-14 09:30:00", date(2024, 5, 14)),  # a real Excel datetime
        ("2024-05-14T08:49:00", date(2024, 5, 14)),  # an ODS datetime cell
        ("2024-05-14", date(2024, 5, 14)),
        ("14/05/2024", date(2024, 5, 14)),
        ("4/5/24", date(2024, 5, 4)),  # day first: 4 May, not 5 April
        ("04/05/2024", date(2024, 5, 4)),
        ("14-05-2024", date(2024, 5, 14)),
        ("14.05.2024", date(2024, 5, 14)),
        ("14/05/2024 10:15", date(2024, 5, 14)),
        ("14 May 2024", date(2024, 5, 14)),
        ("14-May-24", date(2024, 5, 14)),
        ("1st September 2025", date(2025, 9, 1)),
        ("  14/05/2024 ", date(2024, 5, 14)),
        ("29/02/2024", date(2024, 2, 29)),  # a leap day
        ("45426", date(2024, 5, 14)),  # an Excel serial number
        ("45426.0", date(2024, 5, 14)),
        ("45426.75", date(2024, 5, 14)),  # a serial with a time of day
    ],
)
def test_parse_date_reads_uk_and_excel_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2025",  # no such day
        "29/02/2025",  # not a leap year
        "05/14/2024",  # month first: refused, never guessed
        "12/31/2024",
        "yesterday",
        "14/13/2024",
        "2024-13-01",
        "123",  # too small to be an Excel serial of a recent date
        "",
    ],
)
def test_parse_date_refuses_what_is_not_a_day_first_date(text):
    with pytest.raises(BadValue) as refused:
        parse_date(text)
    message = str(refused.value)
    assert f"'{text}' is not a date" in message
    assert "day first" in message  # says what was expected


def test_parse_date_message_for_impossible_date_is_exact():
    with pytest.raises(BadValue, match=r"^'31/02/2025' is not a date \(expected a date written"):
        parse_date("31/02/2025")


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.dates(min_value=date(1960, 1, 1), max_value=date(2099, 12, 31)))
def test_parse_date_is_always_day_first(day):
    """Any date written the UK way, in any of Excel's spellings, reads back as itself."""
    for text in (
        day.strftime("%d/%m/%Y"),
        f"{day.day}/{day.month}/{day.year}",
        day.strftime("%d-%m-%Y"),
        day.strftime("%d.%m.%Y"),
        day.strftime("%d %B %Y"),
        day.strftime("%d-%b-%Y"),
        f"{day.isoformat()} 00:00:00",
    ):
        assert parse_date(text) == day, text
    serial = (day - date(1899, 12, 30)).days
    if 20000 <= serial <= 80000:
        assert parse_date(str(serial)) == day


# --- parse_period ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "months"),
    [
        ("Apr-25", date(2025, 4, 1), 1),
        ("April 2025", date(2025, 4, 1), 1),
        ("apr 2025", date(2025, 4, 1), 1),
        ("2025-04", date(2025, 4, 1), 1),
        ("04/2025", date(2025, 4, 1), 1),
        # Financial-year quarters: Q1 starts on 1 April.
        ("2025/26 Q1", date(2025, 4, 1), 3),
        ("Q1 2025-26", date(2025, 4, 1), 3),
        ("2025/26 Q2", date(2025, 7, 1), 3),
        ("2025/26 Q3", date(2025, 10, 1), 3),
        ("2025/26 Q4", date(2026, 1, 1), 3),
        ("2025-2026 Q4", date(2026, 1, 1), 3),
        ("Q4 2025/26", date(2026, 1, 1), 3),
        # A quarter with a single year is a calendar quarter, as the Home Office writes them.
        ("2022 Q2", date(2022, 4, 1), 3),
        ("Q1 2023", date(2023, 1, 1), 3),
        ("2023 Q4", date(2023, 10, 1), 3),
        # A financial year.
        ("2025/26", date(2025, 4, 1), 12),
        ("2025-26", date(2025, 4, 1), 12),
        # A real date stands for its month.
        ("2024-05-14 00:00:00", date(2024, 5, 1), 1),
        ("14/05/2024", date(2024, 5, 1), 1),
    ],
)
def test_parse_period(text, start, months):
    assert parse_period(text) == ReportingPeriod(start, months)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2025/27 Q1", "not a financial year"),
        ("Q5 2025", "not a period"),
        ("soon", "not a period"),
        ("2025/26 Q0", "not a period"),
        ("Smarch 2025", "not a period"),
    ],
)
def test_parse_period_refusals(text, words):
    with pytest.raises(BadValue) as refused:
        parse_period(text)
    message = str(refused.value)
    assert f"'{text}' is {words}" in message
    assert "expected" in message


# --- parse_count / parse_number --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234", 1234.0),
        ("£12,500", 12500.0),
        ("£12,500.50", 12500.5),
        ("1 234", 1234.0),
        ("1,234,567", 1234567.0),
        ("£1,250", 1250.0),
        ("12.5", 12.5),
        ("-", 0.0),
        ("nil", 0.0),
        ("(120)", -120.0),
        ("-3", -3.0),
        ("2.5", 2.5),
        ("0", 0.0),
    ],
)
def test_parse_number(text, expected):
    value = parse_number(text)
    assert isinstance(value, float)
    assert value == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,234", 1234), ("£12,500", 12500), ("-", 0), ("0", 0), (" 7 ", 7), ("3.0", 3)],
)
def test_parse_count(text, expected):
    value = parse_count(text)
    assert type(value) is int
    assert value == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("-3", "is negative"),
        ("(120)", "is negative"),
        ("2.5", "is not a whole number"),
        ("abc", "is not a number"),
        ("three", "is not a number"),
    ],
)
def test_parse_count_refusals(text, words):
    with pytest.raises(BadValue) as refused:
        parse_count(text)
    assert str(refused.value).startswith(f"'{text}' {words}")


@pytest.mark.parametrize("parse", [parse_count, parse_number])
@pytest.mark.parametrize("text", ["[c]", "[x]", "*", "<5"])
def test_suppressed_figures_are_refused_with_a_reason(parse, text):
    with pytest.raises(BadValue) as refused:
        parse(text)
    message = str(refused.value)
    assert f"'{text}' is a suppressed figure" in message
    assert "actual figure" in message


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (parse_count, "12%", "'12%' is a percentage, not a count (expected a figure such as 12)"),
        (parse_count, "12 %", "'12 %' is a percentage, not a count (expected a figure such as 12)"),
        (
            parse_number,
            "12.5%",
            "'12.5%' is a percentage, not a figure (expected a figure such as 12 or £1,250)",
        ),
        (
            parse_count,
            "1,23",
            "'1,23' is not a number: a comma must separate thousands, as in 1,230 "
            "(expected a figure such as 12)",
        ),
        (
            parse_count,
            "1,2345",
            "'1,2345' is not a number: a comma must separate thousands, as in 1,230 "
            "(expected a figure such as 12)",
        ),
        (
            parse_number,
            "12,5",
            "'12,5' is not a number: a comma must separate thousands, as in 1,230 "
            "(expected a figure such as 12 or £1,250)",
        ),
        (
            parse_number,
            "£1,23",
            "'£1,23' is not a number: a comma must separate thousands, as in 1,230 "
            "(expected a figure such as 12 or £1,250)",
        ),
        (
            parse_number,
            "1,234,56",
            "'1,234,56' is not a number: a comma must separate thousands, as in 1,230 "
            "(expected a figure such as 12 or £1,250)",
        ),
    ],
)
def test_percentages_and_ambiguous_commas_are_not_counts_or_money(parse, text, message):
    with pytest.raises(BadValue) as refused:
        parse(text)
    assert str(refused.value) == message


def test_parse_number_refuses_text():
    with pytest.raises(BadValue, match=r"^'abc' is not a number \(expected a figure"):
        parse_number("abc")


# --- parse_objective -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2", 2),
        ("2.0", 2),
        ("Objective 3", 3),
        ("objective 1", 1),
        ("2. Funding and Sustainability", 2),
        ("Survivor Support and Care", 1),
        ("Multi-agency approach to intelligence and disruption", 3),
        ("Partnership profile/awareness", 4),
        ("partnership profile / awareness", 4),
    ],
)
def test_parse_objective(text, expected):
    assert parse_objective(text) == expected


@pytest.mark.parametrize("text", ["5", "0", "Objective 7", "Training", "22"])
def test_parse_objective_refusals(text):
    with pytest.raises(BadValue) as refused:
        parse_objective(text)
    message = str(refused.value)
    assert f"'{text}' is not one of the four objectives" in message
    assert "1 to 4" in message


# --- match_category --------------------------------------------------------------------------


def exploitation(text: str) -> str:
    return match_category(text, EXPLOITATION_TYPES, "Multiple")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("labour exploitation", "Labour"),
        ("Labour", "Labour"),
        ("LABOUR", "Labour"),
        ("Sexual exploitation", "Sexual"),
        ("Criminal exploitation (county lines)", "Criminal"),
        ("County lines", "Criminal"),
        ("Domestic", "Domestic servitude"),
        ("Domestic servitude", "Domestic servitude"),
        ("Organ harvesting", "Organ harvesting"),
        ("Labour & Criminal", "Multiple"),
        ("Sexual, Labour & Domestic", "Multiple"),
        ("Sexual and Criminal", "Multiple"),
        ("Not specified or unknown", "Not specified or unknown"),
        ("Unknown", "Not specified or unknown"),
        ("Labour (not criminal)", "Labour"),
    ],
)
def test_exploitation_types(text, expected):
    assert exploitation(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Adult (18 or over)", "Adult"),
        ("Adult", "Adult"),
        ("Child (17 or under)", "Child"),
        ("Child (under 18)", "Child"),
        ("child", "Child"),
        ("Not specified or unknown", "Not specified"),
        ("Unknown", "Not specified"),
    ],
)
def test_age_groups(text, expected):
    assert match_category(text, AGE_GROUPS, None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("COMPLETED", "Completed"),
        ("Complete", "Completed"),
        ("completed", "Completed"),
        ("Passed", "Completed"),
        ("Attended", "Completed"),
        ("Not attempted", "Not started"),
        ("Not started", "Not started"),
        ("not started yet", "Not started"),
        ("Not completed", "In progress"),  # NOT Completed
        ("Not passed", "In progress"),
        ("In Progress", "In progress"),
        ("IN PROGRESS", "In progress"),
        ("Incomplete", "In progress"),
    ],
)
def test_training_statuses(text, expected):
    assert match_category(text, TRAINING_STATUS, None) == expected


@pytest.mark.parametrize(
    "text", ["Not attended", "Not yet completed", "Not complete", "Did not complete", "Not done"]
)
def test_a_negated_completion_is_never_a_completion(text):
    """'Not attended' once read as 'Completed' and inflated training coverage."""
    try:
        status = match_category(text, TRAINING_STATUS, None)
    except BadValue as refused:
        assert "is not a known category" in str(refused)
    else:
        assert status != "Completed"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Duty to Notify (MS1)", "Duty to Notify"),
        ("Duty to Notify", "Duty to Notify"),
        ("MS1", "Duty to Notify"),
        ("NRM", "NRM referral"),
        ("nrm", "NRM referral"),
        ("National Referral Mechanism", "NRM referral"),
        ("Other", "Other"),
    ],
)
def test_referral_types(text, expected):
    assert match_category(text, REFERRAL_TYPES, None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("On track", "In progress"),
        ("Not on track", "In progress"),
        ("Overdue", "In progress"),
        ("Complete", "Completed"),
        ("Not started", "Not started"),
        ("On hold", "On hold"),
        ("Deferred", "On hold"),
    ],
)
def test_action_statuses(text, expected):
    assert match_category(text, ACTION_STATUS, None) == expected


@pytest.mark.parametrize(
    ("categories", "combined"),
    [
        (EXPLOITATION_TYPES, "Multiple"),
        (AGE_GROUPS, None),
        (TRAINING_STATUS, None),
        (REFERRAL_TYPES, None),
        (ACTION_STATUS, None),
    ],
)
def test_unknown_category_is_refused_with_the_expected_list(categories, combined):
    with pytest.raises(BadValue) as refused:
        match_category("banana", categories, combined)
    message = str(refused.value)
    assert message.startswith("'banana' is not a known category (expected one of: ")
    for category in categories:
        assert category.name in message


def test_two_categories_without_a_combined_one_are_refused():
    """'Adult and Child' cannot be one age group; it must not be silently one of them."""
    with pytest.raises(BadValue, match="is not a known category"):
        match_category("Adult and Child", AGE_GROUPS, None)


def test_excel_serial_epoch():
    """Excel counts days from 30/12/1899 (its 1900 leap-year bug included)."""
    assert parse_date("45292") == date(2024, 1, 1)
    assert parse_date("45292") + timedelta(days=134) == parse_date("45426")


@pytest.mark.parametrize(
    ("text", "order"),
    [
        ("14/10/2025 09:05:31", DAY_FIRST),
        ("10/14/2025 9:05:31", MONTH_FIRST),
        ("10/14/25 9:05", MONTH_FIRST),
        ("10/14/2025 9:05:31 PM", MONTH_FIRST),
        ("03/10/2025 09:05", EITHER_ORDER),
        ("12/12/2025", EITHER_ORDER),
        ("2025/10/14 9:05:31 AM GMT+1", None),  # year first: never in doubt
        ("2025-10-14 09:05:31", None),  # an Excel date
        ("14/14/2025", None),  # no such date either way
        ("14 October 2025", None),
        ("soon", None),
    ],
)
def test_a_response_time_shows_its_date_order_when_a_number_is_over_12(text, order):
    assert date_order_shown(text) == order


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("10/14/2025 9:05:31", MONTH_FIRST, date(2025, 10, 14)),
        ("10/14/25 9:05", MONTH_FIRST, date(2025, 10, 14)),
        ("10/3/2025 9:05", MONTH_FIRST, date(2025, 10, 3)),
        ("10/3/2025 9:05", DAY_FIRST, date(2025, 3, 10)),
        ("14/10/2025 09:05:31", DAY_FIRST, date(2025, 10, 14)),
        ("2025/10/14 9:05:31 AM GMT+1", DAY_FIRST, date(2025, 10, 14)),
        ("2025/10/14 11:59:59 pm GMT", MONTH_FIRST, date(2025, 10, 14)),
        ("2025-10-14 09:05:31", MONTH_FIRST, date(2025, 10, 14)),
        ("14 Oct 2025", DAY_FIRST, date(2025, 10, 14)),
    ],
)
def test_a_response_time_is_read_in_the_order_given(text, order, expected):
    assert parse_response_time(text, order) == expected


def test_a_response_time_that_is_no_date_in_the_order_given_is_refused():
    with pytest.raises(BadValue, match="'10/14/2025 9:05' is not a date"):
        parse_response_time("10/14/2025 9:05", DAY_FIRST)
