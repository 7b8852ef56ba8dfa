"""A published table's own Total rows and columns, checked against the cells stored before
they are left out: a total that disagrees, or a column of figures the loader cannot place, is a
warning before saving, never a silent loss."""

from __future__ import annotations

from pathlib import Path

import builders
import openpyxl
from conftest import query

from cams_data.ingest import Upload, UploadRequest, ingest
from cams_data.validate import Options

MAY_HAVE_LOST = "a column may not have been read, or the file was changed after it was published."


def load(path: Path, db: Path, **options: str) -> Upload:
    return ingest(UploadRequest(path.read_bytes(), path.name, db=db, options=Options(**options)))


def stored_total(db: Path) -> int:
    return int(query(db, "SELECT coalesce(sum(referrals), 0) FROM referrals")[0][0])


def publisher_lines(upload: Upload) -> list[str]:
    return [
        line
        for line in upload.summary().splitlines()
        if line.startswith(("Publisher's totals", "Warning"))
    ]


def test_every_total_of_a_table_that_adds_up_agrees(db, tmp_path):
    """Home Office Table 5, nothing suppressed: 7 row totals, 3 column totals and the grand
    total each equal the cells stored."""
    path, expected = builders.home_office_table_5(tmp_path / "table_5.xlsx", suppressed=None)

    upload = load(path, db)

    assert stored_total(db) == expected["total"] == 2570
    assert publisher_lines(upload) == [
        "Publisher's totals checked: 11 of 11 agree with the cells stored."
    ]
    assert upload.warnings == []
    assert upload.as_dict()["publisher_totals"] == {
        "agree": 11, "over_hidden": 0, "disagree": [], "unread_columns": [],
    }  # fmt: skip


def test_a_total_over_a_suppressed_cell_is_said_to_be_unchecked_not_wrong(db, tmp_path):
    """The [c] in Domestic servitude / Not specified hides 3: its row's total, its column's
    total and the grand total include it, so those three cannot be checked."""
    path, _ = builders.home_office_table_5(tmp_path / "table_5.xlsx")

    upload = load(path, db)

    assert stored_total(db) == 2567
    assert publisher_lines(upload) == [
        "Publisher's totals checked: 8 of 8 agree with the cells stored; 3 include a suppressed "
        "figure and cannot be checked."
    ]


def test_a_cell_changed_by_hand_is_found_by_its_row_and_column_totals(db, tmp_path):
    """Labour / Adult typed as 400 over the published 412: the Labour row's Total (519), the
    Adult column's Total (1,217) and the grand total (2,570) no longer add up, each said."""
    path, _ = builders.home_office_table_5(
        tmp_path / "table_5.xlsx", suppressed=None, cells={("Labour", "Adult"): 400}
    )

    upload = load(path, db)

    assert stored_total(db) == 2558
    assert upload.warnings == [
        f"The total in row 5, column 'Total [note 2]', is 519 in the file, but its cells add up "
        f"to 507: {MAY_HAVE_LOST}",
        f"The total in row 12, column 'Adult [note 3]', is 1,217 in the file, but its cells add "
        f"up to 1,205: {MAY_HAVE_LOST}",
        f"The total in row 12, column 'Total [note 2]', is 2,570 in the file, but its cells add "
        f"up to 2,558: {MAY_HAVE_LOST}",
    ]
    assert publisher_lines(upload)[-1] == (
        "Publisher's totals checked: 8 of 11 agree with the cells stored."
    )


def test_a_column_of_figures_that_is_no_known_category_is_a_warning_with_what_it_holds(
    db, tmp_path
):
    """A 'Forced marriage' column the publisher counts in its totals: its 5 referrals cannot be
    placed among the exploitation types, so the officer is told before saving, and the totals
    that include them disagree with what would be stored."""
    path, _ = builders.home_office_table_5(
        tmp_path / "table_5.xlsx", across="exploitation_type", suppressed=None
    )
    book = openpyxl.load_workbook(path)
    sheet = book["Table_5"]
    sheet.insert_cols(9)  # before the Total column (I)
    sheet["I4"] = "Forced marriage"
    for row, figure in zip(range(5, 9), (5, 0, None, 5), strict=True):
        sheet.cell(row, 9, figure)
    sheet["J5"] = sheet["J5"].value + 5
    sheet["J8"] = sheet["J8"].value + 5
    book.save(path)

    upload = load(path, db)

    assert stored_total(db) == 2570
    assert upload.warnings == [
        "Column 'Forced marriage' holds figures (5 in all), but 'Forced marriage' is not a "
        "known exploitation type, so they would not be stored. Rename the header to the "
        "category it is and upload again.",
        f"The total in row 5, column 'Total [note 2]', is 1,222 in the file, but its cells add "
        f"up to 1,217: {MAY_HAVE_LOST}",
        f"The total in row 8, column 'Total [note 2]', is 2,575 in the file, but its cells add "
        f"up to 2,570: {MAY_HAVE_LOST}",
    ]
    column = next(c for c in upload.columns if c.header == "Forced marriage")
    assert not column.stored


def test_a_council_table_with_months_across_checks_its_totals_too(db, tmp_path):
    """Exploitation types down, three months across, a Total column and row: 6 row totals,
    3 month totals and the grand total."""
    path, expected = builders.referral_crosstab(tmp_path / "local.xlsx")

    upload = load(path, db)

    rows = len(builders._CROSSTAB_TYPES)
    checked = rows + len(builders._CROSSTAB_MONTHS) + 1
    assert stored_total(db) == expected["total"]
    assert publisher_lines(upload) == [
        f"Publisher's totals checked: {checked} of {checked} agree with the cells stored."
    ]


def test_a_long_table_with_one_total_row_is_checked_against_its_counts(db, tmp_path):
    """Nationality and Total, one Total row: the sum of the nationalities is checked against
    it; a wrong Total row is a warning, and the figures stored are the rows', never the total."""
    path = tmp_path / "dtn_nationality.csv"
    path.write_text(
        "Duty to Notify referrals by nationality, Essex Police force area\n"
        "Nationality,Total\nAlbanian,12\nBritish,30\nVietnamese,7\nTotal,50\n",
        encoding="utf-8",
    )

    upload = load(path, db, referral_type="Duty to Notify", period="2023 Q4")

    assert stored_total(db) == 49
    assert upload.warnings == [
        f"The total in row 6, column 'Total', is 50 in the file, but its cells add up to 49: "
        f"{MAY_HAVE_LOST}"
    ]
