"""Small numbers: counts about victims from 1 to 4 are not shown as they are.

On screen a small count reads `<5`; a chart draws no bar for it, only the label. That is how
everyone sees the figures, always for viewers; an officer may switch the meeting view off to see
true figures on their own screen (`showing_true_figures`).
"""

from __future__ import annotations

import contextvars
import math
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd

THRESHOLD = 5
SCREEN_MARK = "<5"


_HIDDEN: contextvars.ContextVar[bool] = contextvars.ContextVar("small_counts_hidden", default=True)


def hidden() -> bool:
    """Whether small counts are hidden in what is being drawn now (they are unless switched)."""
    return _HIDDEN.get()


def set_hidden(hide: bool) -> None:
    """For this run of the app: the app sets it from the person's role and the meeting view."""
    _HIDDEN.set(hide)


@contextmanager
def showing_true_figures(show: bool = True) -> Iterator[None]:
    token = _HIDDEN.set(not show)
    try:
        yield
    finally:
        _HIDDEN.reset(token)


def is_small(value, threshold: int = THRESHOLD) -> bool:
    """A count to hide: from 1 to 4, while small counts are hidden."""
    if not _HIDDEN.get():
        return False
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    return 0 < value < threshold


def shown(value, threshold: int = THRESHOLD, mark: str = SCREEN_MARK) -> str:
    """A count as text, `<5` when small."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return mark if is_small(value, threshold) else f"{value:,.0f}"


def suppress_counts(
    table: pd.DataFrame, columns: list[str], threshold: int = THRESHOLD, mark: str = SCREEN_MARK
) -> pd.DataFrame:
    """A copy with each small count in `columns` replaced by `mark` (the columns become text)."""
    out = table.copy()
    for column in columns:
        out[column] = [shown(v, threshold, mark) for v in table[column]]
    return out


def for_chart(
    table: pd.DataFrame, value: str, threshold: int = THRESHOLD, mark: str = SCREEN_MARK
) -> pd.DataFrame:
    """A copy whose small counts are blank (no bar) with a `label` column saying `<5`."""
    out = table.copy()
    small = out[value].map(lambda v: is_small(v, threshold))
    out["label"] = [shown(v, threshold, mark) for v in out[value]]
    out[value] = out[value].where(~small)
    return out


PUBLISHED_MARK = "[c]"
PUBLISHED_NOTE = (
    "[c] = confidential: counts from 1 to 4 are not published, so that nobody can be "
    "identified, nor are the other cells from which such a count could be worked out."
)


def publishable(
    counts: pd.DataFrame, threshold: int = THRESHOLD, mark: str = PUBLISHED_MARK
) -> tuple[pd.DataFrame, list[str]]:
    """A table of counts ready to publish, with its row and column totals.

    `counts` holds counts only (categories as the index, e.g. exploitation type by age group).
    Counts from 1 to 4 are replaced by `mark` (primary suppression). Then, wherever a row or a
    column has exactly one hidden cell, its total would give it away, so the smallest other cell
    of that row or column is hidden too (secondary suppression; a total is hidden when no other
    cell is left), until no hidden cell can be worked out by subtraction. Returns the table as
    text (totals added as a last row and column) and its notes.
    """
    values = counts.astype("int64")
    full = values.copy()
    full["Total"] = values.sum(axis=1)
    full.loc["Total"] = full.sum(axis=0)
    hidden = (full > 0) & (full < threshold)
    secondary = 0
    changed = True
    while changed:
        changed = False
        lines = [("row", label) for label in full.index] + [
            ("column", label) for label in full.columns
        ]
        for axis, label in lines:
            cells = full.loc[label] if axis == "row" else full[label]
            hide = hidden.loc[label] if axis == "row" else hidden[label]
            if hide.sum() != 1:
                continue
            candidates = cells[~hide].drop("Total", errors="ignore")
            if candidates.empty:
                candidates = cells[~hide]

            # first a cell whose own column (or row) also has one hidden cell, so one more hidden
            # cell protects both lines; then the smallest non-zero count, which costs least
            def crossing(k, axis=axis, label=label):
                line = hidden[k] if axis == "row" else hidden.loc[k]
                return line.drop(label, errors="ignore").sum() == 1

            order = sorted(
                candidates.index,
                key=lambda k: (not crossing(k), candidates[k] == 0, candidates[k]),
            )
            target = order[0]
            if axis == "row":
                hidden.loc[label, target] = True
            else:
                hidden.loc[target, label] = True
            secondary += 1
            changed = True
    shown = full.astype(object).where(~hidden, mark)
    notes = []
    if hidden.values.any():
        notes.append(PUBLISHED_NOTE)
    if secondary:
        notes.append(
            f"{secondary} further cell{'s' if secondary != 1 else ''} hidden so that a "
            "confidential count cannot be worked out from the totals (secondary suppression)."
        )
    return shown, notes
