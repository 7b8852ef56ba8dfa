"""An .xlsx template per kind: the headers the loader expects, an example row, drop-down lists."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl.xml
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from cams_data.kinds import KINDS, OBJECTIVES, Field, Kind

# openpyxl parses XML safely only with defusedxml installed; never run without it.
assert openpyxl.xml.DEFUSEDXML, "defusedxml must be installed (see requirements.txt)"

HEADER_FILL = PatternFill("solid", fgColor="12436D")
EXAMPLE_ROWS_WITH_LISTS = 500


def _label(f: Field) -> str:
    return f.name.replace("_", " ").capitalize()


def template_columns(kind: Kind) -> list[tuple[str, str, Field | None]]:
    """(header, example, field) for each column of the template."""
    columns: list[tuple[str, str, Field | None]] = []
    identifiers = {f.name: f for f in kind.identifiers}
    for header, example, identifier in kind.template_extras:
        columns.append((header, example, identifiers.get(identifier)))
    for f in kind.fields:
        if kind.wide_questions and f.name in ("question", "answer"):
            continue
        columns.append((_label(f), kind.example.get(f.name, ""), f))
    if kind.wide_questions:
        columns.append((kind.example["question"], kind.example["answer"], None))
    return columns


def write_template(kind_name: str, out: Path) -> Path:
    kind = KINDS[kind_name]
    book = Workbook()
    sheet = book.active
    sheet.title = kind.name.capitalize()
    columns = template_columns(kind)
    sheet.append([header for header, _, _ in columns])
    sheet.append([example for _, example, _ in columns])
    for index, (header, _, f) in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(header) + 4)
        choices = _choices(f)
        if choices:
            listing = DataValidation(
                type="list",
                formula1='"' + ",".join(choices) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Not in the list",
                error=f"Choose one of: {', '.join(choices)}",
            )
            sheet.add_data_validation(listing)
            listing.add(f"{letter}2:{letter}{EXAMPLE_ROWS_WITH_LISTS}")
    sheet.freeze_panes = "A2"
    about = book.create_sheet("About")
    about.append([kind.title])
    about["A1"].font = Font(bold=True, size=14)
    about.append([kind.help])
    about.append([])
    about.append(["Column", "Required", "Also accepted as a header"])
    for header, _, f in columns:
        if f is not None:
            about.append(
                [header, "yes" if f.required and not f.option else "no", ", ".join(f.aliases[:6])]
            )
    book.save(out)
    return out


def _choices(f: Field | None) -> list[str]:
    if f is None:
        return []
    if f.categories:
        return list(f.category_names)
    if f.type == "objective":
        return [str(n) for n in OBJECTIVES]
    return []


def template_bytes(kind_name: str) -> bytes:
    """The .xlsx template for a kind, for a download button."""
    buffer = io.BytesIO()
    write_template(kind_name, buffer)
    return buffer.getvalue()
