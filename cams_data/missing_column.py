"""A field the file has no column for: one refusal about the file, naming the unread column that
looks like it when one clearly does ('Date Finished' for the completion date), so the officer can
use it at once instead of reading one problem per row."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from cams_data.kinds import Field
from cams_data.problems import MissingColumn, Refused
from cams_data.read import column_letters
from cams_data.shape import ColumnUse, Shaped, lookalike_note
from cams_data.text import clean_text, normalise_header, words
from cams_data.values import BadValue

# Header words that mean the same to whoever named the column: 'Date Finished' is 'Date completed'.
SAME_MEANING = {
    "complete": ("completed", "completion", "finish", "finished", "done", "pass", "passed"),
    "date": ("day", "when"),
}
LITTLE_WORDS = frozenset({"a", "an", "the", "of", "on", "at", "by", "in", "to", "for"})
# A header sharing at least this share of its words with one of the field's spellings ...
CLOSE_ENOUGH = 0.5
# ... whose cells, this share of those filled at least, read as the field's values, looks like it.
MOSTLY = 0.8
WHAT_CELLS_HOLD = {
    "date": "dates",
    "period": "periods",
    "count": "counts",
    "number": "figures",
    "objective": "objective numbers",
}


def refusal(
    file_name: str,
    f: Field,
    shaped: Shaped,
    parse: Callable[[str], object],
    needed_by: str = "",
) -> Refused:
    """The file refused for lacking `f`'s column; `needed_by` says which rows need it, when the
    field is needed only by some rows (a completion's date)."""
    unknown = [c for c in shaped.columns if c.unknown]
    suggested = best_fit(f, unknown, shaped.unknown_cells, parse)
    missing = MissingColumn(
        f.name, suggested.header if suggested else None, tuple(c.header for c in unknown)
    )
    if suggested:
        rename = _closest_spelling(f, suggested.header)
        holds = WHAT_CELLS_HOLD.get(f.type, f"{f.in_words} values" if f.categories else "text")
        message = (
            f"No column for the {f.in_words}. '{suggested.header}' looks like it: use it? "
            f"(Column {column_letters(suggested.position + 1)} of sheet '{shaped.sheet}' holds "
            f"{holds}{'; ' + needed_by if needed_by else ''}.) Choose it for the {f.in_words} "
            f"when the columns are read, or rename its header '{rename}'."
        )
    else:
        message = _no_column_message(f, unknown, needed_by)
    return Refused(file_name, message, missing=missing, code="missing-column")


def best_fit(
    f: Field,
    unknown: list[ColumnUse],
    cells: dict[int, pd.Series],
    parse: Callable[[str], object],
) -> ColumnUse | None:
    """The one unread column whose header words and cells both fit `f` better than any other."""
    fits = sorted(
        (
            (fit, column)
            for column in unknown
            if (fit := _words_fit(f, column.header)) >= CLOSE_ENOUGH
            and _cells_fit(cells.get(column.position), parse)
        ),
        key=lambda pair: pair[0],
        reverse=True,
    )
    if not fits or (len(fits) > 1 and fits[1][0] == fits[0][0]):
        return None
    return fits[0][1]


def _meaning(text: str) -> frozenset[str]:
    canonical = {word: same for same, others in SAME_MEANING.items() for word in others}
    return frozenset(canonical.get(w, w) for w in words(text) if w not in LITTLE_WORDS)


def _words_fit(f: Field, header: str) -> float:
    """The largest share of words a header and one of the field's spellings have in common."""
    return max(_shared(header, spelling) for spelling in _spellings(f))


def _shared(header: str, spelling: str) -> float:
    said, wanted = _meaning(header), _meaning(spelling)
    return len(said & wanted) / len(said | wanted) if said and wanted else 0.0


def _closest_spelling(f: Field, header: str) -> str:
    """The field's spelling nearest the header: what to rename it, as a header is written."""
    closest = max(_spellings(f), key=lambda spelling: _shared(header, spelling))
    return closest[:1].upper() + closest[1:]


def _cells_fit(cells: pd.Series | None, parse: Callable[[str], object]) -> bool:
    """Most filled cells read as the field's values (each distinct value tried once)."""
    if cells is None:
        return False
    read = filled = 0
    for value, times in cells.dropna().value_counts().items():
        text = clean_text(str(value))
        if not text:
            continue
        filled += times
        try:
            parse(text)
            read += times
        except BadValue:
            pass
    return filled > 0 and read >= MOSTLY * filled


def _spellings(f: Field) -> list[str]:
    seen: dict[str, str] = {}
    for spelling in (f.name.replace("_", " "), *f.aliases):
        seen.setdefault(normalise_header(spelling), spelling)
    return list(seen.values())


def _no_column_message(f: Field, unknown: list[ColumnUse], needed_by: str) -> str:
    spellings = ", ".join(f"'{a}'" for a in _spellings(f)[:5])
    option = f" or give it at upload (--{f.option.replace('_', '-')})" if f.option else ""
    lookalikes = [note for c in unknown if (note := lookalike_note(c.header, c.position))]
    # a column whose header has look-alike letters is named by its note already
    unread = [f"'{c.header}'" for c in unknown if not lookalike_note(c.header, c.position)]
    listed = ""
    if unread:
        names = ", ".join(unread[:-1]) + " and " + unread[-1] if len(unread) > 1 else unread[0]
        which = "one of them holds" if len(unread) > 1 else "it holds"
        listed = (
            f" The column{'s' if len(unread) > 1 else ''} not read: {names}; if {which} the "
            f"{f.in_words}, choose it when the columns are read."
        )
    return (
        f"The file has no column for {f.in_words} (looked for headers such as {spellings})"
        f"{': ' + needed_by if needed_by else ''}. Add the column{option}."
        + "".join(f" {note}" for note in lookalikes)
        + listed
    )
