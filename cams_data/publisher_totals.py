"""A published table's own totals, checked against the cells the dashboard stores.

The loader leaves a publisher's Total rows and columns out, so they are never counted twice.
Before they go, each is compared with the cells it totals: a total that disagrees means a
column was not read or the file was changed by hand, and an officer should know before saving.
A total over a suppressed cell cannot be checked (the hidden figure is in it), and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from cams_data.text import clean_text
from cams_data.values import SUPPRESSION_MARKS, BadValue, parse_count

HIDDEN = "hidden"  # a suppressed cell's figure: in the publisher's totals, not in the file


@dataclass
class TotalsCheck:
    agree: int = 0  # totals equal to the sum of their cells
    over_hidden: int = 0  # totals over a suppressed cell: not checkable
    disagree: list[str] = field(default_factory=list)  # each in a sentence
    # Columns of figures that are not a category the dashboard keeps: their figures are lost.
    unread: list[str] = field(default_factory=list)

    @property
    def checked(self) -> int:
        return self.agree + len(self.disagree)

    def note(self) -> str | None:
        """The summary's line; None when the table has no totals to check."""
        if not self.checked and not self.over_hidden:
            return None
        parts = [f"{self.agree:,} of {self.checked:,} agree with the cells stored"]
        if self.over_hidden:
            parts.append(f"{self.over_hidden:,} include a suppressed figure and cannot be checked")
        return "Publisher's totals checked: " + "; ".join(parts) + "."

    def warnings(self) -> list[str]:
        return [*self.unread, *self.disagree]

    def as_dict(self) -> dict[str, object]:
        return {
            "agree": self.agree,
            "over_hidden": self.over_hidden,
            "disagree": self.disagree,
            "unread_columns": self.unread,
        }


def figure(cell: object) -> int | str | None:
    """A cell as a count: blank is None, a suppression mark HIDDEN, text that is no count None."""
    if pd.isna(cell):
        return None
    text = clean_text(str(cell))
    if not text:
        return None
    if text.casefold() in SUPPRESSION_MARKS:
        return HIDDEN
    try:
        return parse_count(text)
    except BadValue:
        return None


def _add(figures: list[int | str | None]) -> int | str:
    if HIDDEN in figures:
        return HIDDEN
    return sum(f for f in figures if isinstance(f, int))


def check(
    data: pd.DataFrame,
    total_rows: pd.DataFrame,
    headers: dict[int, str],
    figure_positions: list[int],
    total_positions: list[int],
    unknown_positions: list[int],
    across_in_words: str,
) -> TotalsCheck:
    """`data` the table's rows kept and `total_rows` its Total rows, cells by column position,
    indexed by the row number the spreadsheet shows; `figure_positions` the columns of figures
    stored (the categories or periods across, or the one column of counts), `total_positions`
    the Total columns; `unknown_positions` columns no field matched, whose figures would be lost
    in a table with `across_in_words` (e.g. 'exploitation type') across."""
    result = TotalsCheck()
    cells = {position: [figure(cell) for cell in data[position]] for position in data.columns}

    def compare(published: int | str | None, counted: int | str, where: str) -> None:
        if not isinstance(published, int):
            return
        if counted == HIDDEN:
            result.over_hidden += 1
        elif counted == published:
            result.agree += 1
        else:
            result.disagree.append(
                f"{where} is {published:,} in the file, but its cells add up to {counted:,}: a "
                "column may not have been read, or the file was changed after it was published."
            )

    for position in total_positions:
        for i, row in enumerate(data.index):
            counted = _add([cells[p][i] for p in figure_positions])
            where = f"The total in row {row}, column '{headers[position]}',"
            compare(cells[position][i], counted, where)
    if len(total_rows) == 1:  # a grand total; several are subtotals of parts we cannot tell
        row = int(total_rows.index[0])
        for position in [*figure_positions, *total_positions]:
            if position in total_positions:
                counted = _add([_add(cells[p]) for p in figure_positions])
            else:
                counted = _add(cells[position])
            where = f"The total in row {row}, column '{headers[position]}',"
            compare(figure(total_rows.iloc[0][position]), counted, where)
    for position in unknown_positions if across_in_words else ():
        figures = [f for f in cells[position] if f is not None]
        in_file = data[position].dropna().map(lambda v: clean_text(str(v))).loc[lambda s: s != ""]
        if figures and len(figures) == len(in_file):
            counted = _add(figures)
            amount = "" if counted == HIDDEN else f" ({counted:,} in all)"
            result.unread.append(
                f"Column '{headers[position]}' holds figures{amount}, but '{headers[position]}' "
                f"is not a known {across_in_words}, so they would not be stored. "
                "Rename the header to the category it is and upload again."
            )
    return result
