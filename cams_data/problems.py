"""What went wrong, said so that an officer can find it in the file and fix it.

Each problem has a type (a short code, as frictionless-py's errors do) and its sentence, made
here only, from `SENTENCES`: tests compare (row, column, code), and the wording lives in one place.
A file refused as a whole (`Refused`) says why with a code too, from `REFUSALS`.
"""

from __future__ import annotations

from dataclasses import dataclass

# A problem's type -> its sentence. {found} is the text of the cell at fault: the officer sees
# it, the database never keeps it (see `Problem.recorded`).
SENTENCES = {
    # A cell that cannot be read as its field's type
    "bad-date": "'{found}' is not a date (expected a date written day first, e.g. 14/05/2024)",
    "bad-period": (
        "'{found}' is not a period (expected a month such as Apr-25 or April 2025, a "
        "financial-year quarter such as 2025/26 Q1, a calendar quarter such as 2022 Q2, or a "
        "financial year such as 2025/26)"
    ),
    "bad-financial-year": "'{found}' is not a financial year (expected e.g. 2025/26)",
    "bad-number": "'{found}' is not a number (expected a figure such as 12 or £1,250)",
    "bad-thousands": (
        "'{found}' is not a number: a comma must separate thousands, as in 1,230 "
        "(expected {expected})"
    ),
    "number-too-large": "'{found}' is too large a number (expected a figure such as 12 or £1,250)",
    "percentage": "'{found}' is a percentage, not a {noun} (expected {expected})",
    "suppressed-figure": (
        "'{found}' is a suppressed figure, not a number (the dashboard needs the actual "
        "figure; suppression is applied when figures are published)"
    ),
    "negative-count": "'{found}' is negative (expected a count of 0 or more)",
    "count-too-large": "'{found}' is too large for a count (expected at most {most:,})",
    "not-whole-count": "'{found}' is not a whole number (expected a count such as 3)",
    "not-an-objective": (
        "'{found}' is not one of the four objectives (expected 1 to 4 or a title such as "
        "'{example}')"
    ),
    "not-a-category": "'{found}' is not a known category (expected one of: {expected})",
    "email-in-text": (
        "'{found}' holds an e-mail address (expected no personal data: e-mail addresses are not "
        "stored)"
    ),
    "excel-error": (
        "'{found}' is an Excel error, not a value: fix the formula and save the file again"
    ),
    # A value read, but not one the partnership's records can hold
    "date-too-early": (
        "'{found}' is before {earliest:%Y} (expected a date from {earliest:%d/%m/%Y})"
    ),
    "date-in-future": "'{found}' is after today (expected a date up to {latest:%d/%m/%Y})",
    "date-too-far-ahead": (
        "'{found}' is after {latest:%Y} (expected a date up to {latest:%d/%m/%Y})"
    ),
    "period-too-early": "'{found}' is before {earliest:%Y} (expected a period from {earliest:%Y})",
    "period-in-future": (
        "'{found}' has not begun yet (expected a period starting by {today:%d/%m/%Y})"
    ),
    # A row
    "blank-cell": "is empty (expected {expected})",
    "missing-status-and-date": ("has no {status} and no {date} (expected e.g. {value} and a date)"),
    "missing-date-for-status": (
        "is empty, but the {status} says {value} (expected the date it was {value})"
    ),
    "no-identifier": (
        "is empty, and so are the employee number and name: the person cannot be told apart "
        "from others"
    ),
    "total-too-large": (
        "is added up with the rows with the same {keys} to {total:,.0f} "
        "(expected a total of at most {most:,})"
    ),
    "total-not-storable": (
        "is added up with the rows with the same {keys} to a number too large to store "
        "(expected a smaller total)"
    ),
    # A workbook's cell, found before any row is read
    "excel-error-in-cell": (
        "'{found}' in cell {cell} is an Excel error, not a value: fix the formula in row "
        "{cell_row} and save again."
    ),
}
# What is kept of a cell's problem whose sentence would give its value away.
VALUE_NOT_SHOWN = "the value is not {expects}"


def sentence(code: str, **values: object) -> str:
    return SENTENCES[code].format(**values)


@dataclass(frozen=True)
class Problem:
    message: str
    row: int | None = None  # the row number the spreadsheet shows
    column: str | None = None  # the column's header as written in the file
    sheet: str | None = None
    # The message as kept in the database, when `message` repeats a cell's value: a cell can
    # hold a name or an e-mail address, which the officer may see but the database never keeps.
    without_value: str | None = None
    code: str | None = None  # its type, a key of `SENTENCES`

    @classmethod
    def of(
        cls,
        code: str,
        row: int | None = None,
        column: str | None = None,
        sheet: str | None = None,
        *,
        found: str | None = None,
        expects: str = "what was expected",
        **values: object,
    ) -> Problem:
        """The problem of type `code`, its sentence filled in with `values` and the cell's text
        `found`; `expects` (what the field holds) is said instead when leaving the text out of
        the sentence would not hide it."""
        message = sentence(code, found=found, **values)
        without_value = None
        if found is not None:
            reason = message.removeprefix(f"'{found}' ")
            hidden = found.casefold() not in reason.casefold() and "@" not in reason
            if reason != message and hidden:
                without_value = f"the value {reason}"
            else:
                without_value = VALUE_NOT_SHOWN.format(expects=expects)
        return cls(message, row, column, sheet, without_value, code)

    @property
    def recorded(self) -> str:
        """The message to keep: never a cell's value."""
        return self.without_value or self.message

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        place = ", ".join(where)
        return f"{place[:1].upper()}{place[1:]}: {self.message}" if place else self.message

    def as_dict(self) -> dict[str, object]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "message": self.message,
        }


@dataclass(frozen=True)
class MissingColumn:
    """A field the file has no column for: one problem about the file, not one per row."""

    field: str
    suggested_header: str | None = None  # the unread column that looks like it, if one clearly does
    unread_headers: tuple[str, ...] = ()  # every column no field matched

    def as_dict(self) -> dict[str, object]:
        return {
            "field": self.field,
            "suggested_header": self.suggested_header,
            "unread_headers": list(self.unread_headers),
        }


# Why a whole file was refused: its code -> when it is used. The messages are made where the
# refusal is raised, from what was found; the code stays the same whatever the wording.
REFUSALS = {
    # The file itself, before any row is read
    "no-such-file": "the command line was given a path that is not a file",
    "file-too-large": "the file is over the upload limit (`max_upload_mb`)",
    "empty-file": "the file, or every sheet of the workbook, holds no data",
    "not-a-spreadsheet": "a PDF, an image or other binary data, not a spreadsheet or a CSV file",
    "web-page": "a web page or XML file saved with a spreadsheet's name",
    "word-document": "a Word document",
    "zip-archive": "a zip archive that is not a workbook",
    "apple-numbers": "an Apple Numbers file",
    "password-protected": "a workbook encrypted with a password",
    "damaged": "a file cut short or corrupt, which cannot be read",
    "reader-stopped": "the reader crashed, or ran out of memory or time, on the file",
    "too-many-parts": "a workbook of far more parts than a real one has",
    "zip-bomb": "a workbook part compressed beyond the limit, or unpacking to more than it says",
    "unpacks-too-large": "the workbook's parts would unpack to more than the limit",
    "xml-entities": "a workbook part declares XML entities (billion laughs, external entities)",
    "duplicate-parts": "two workbook parts named alike but for capitals or slashes",
    "sheet-too-large": "a sheet's last cell is beyond the column or cell limit",
    "cell-too-long": "a CSV cell longer than Excel's limit of 32,767 characters",
    "nul-character": "a text file holding a NUL character",
    "formulas-without-results": "a workbook saved with formulas but not their results",
    "excel-errors": "Excel errors (#REF!, #N/A...) in cells; `problems` lists each",
    # The table
    "unknown-kind": "the kind asked for is not one the dashboard knows",
    "no-such-sheet": "the sheet asked for is not in the file",
    "no-table": "no sheet has a header row of a kind the dashboard knows",
    "missing-column": "a field the kind needs has no column; `missing_column` says which",
    "no-survey-wave": "a survey without a wave given, whose response times cannot be read",
    "mixed-date-order": "a survey's response times written both day first and month first",
    "invalid-rows": "rows with problems, listed in `problems`, and no skipping them",
    "no-rows": "no rows under the header row",
    "overlapping-periods": "figures for months another upload has at another period length",
    # The database
    "disk-full": "the database could not be written: the disk is full",
    "database-read-only": "the database could not be written: it is read-only",
}

SHOWN_PROBLEMS = 20


class Refused(Exception):
    """An upload that was not loaded; nothing was written. `code`, a key of `REFUSALS`, says
    why in a word a script can test."""

    def __init__(
        self,
        file_name: str,
        message: str,
        problems: list[Problem] | tuple = (),
        missing: MissingColumn | None = None,
        *,
        code: str,
    ):
        self.file_name = file_name
        self.message = message
        self.problems = list(problems)
        self.missing = missing
        self.code = code
        self.upload = None  # what was understood of the file, when it got that far
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [f"{self.file_name}: {self.message}"]
        lines += [f"  - {p}" for p in self.problems[:SHOWN_PROBLEMS]]
        if len(self.problems) > SHOWN_PROBLEMS:
            lines.append(f"  ... and {len(self.problems) - SHOWN_PROBLEMS} more problems")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        return {
            "file_name": self.file_name,
            "code": self.code,
            "message": self.message,
            "problems": [p.as_dict() for p in self.problems],
            "missing_column": self.missing.as_dict() if self.missing else None,
        }
