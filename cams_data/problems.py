"""What went wrong, said so that an officer can find it in the file and fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    message: str
    row: int | None = None  # the row number the spreadsheet shows
    column: str | None = None  # the column's header as written in the file
    sheet: str | None = None
    # The message as kept in the database, when `message` repeats a cell's value: a cell can
    # hold a name or an e-mail address, which the officer may see but the database never keeps.
    without_value: str | None = None

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


SHOWN_PROBLEMS = 20


class Refused(Exception):
    """An upload that was not loaded; nothing was written."""

    def __init__(
        self,
        file_name: str,
        message: str,
        problems: list[Problem] | tuple = (),
        missing: MissingColumn | None = None,
    ):
        self.file_name = file_name
        self.message = message
        self.problems = list(problems)
        self.missing = missing
        self.upload = None  # what was understood of the file, when it got that far
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [f"{self.file_name}: {self.message}"]
        lines += [f"  - {p}" for p in self.problems[:SHOWN_PROBLEMS]]
        if len(self.problems) > SHOWN_PROBLEMS:
            lines.append(f"  ... and {len(self.problems) - SHOWN_PROBLEMS} more problems")
        return "\n".join(lines)
