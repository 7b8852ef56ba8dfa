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


def as_text(value) -> str:
    """A cell of a shown table as text: counts with thousands separators, marks as they are."""
    return value if isinstance(value, str) else f"{value:,.0f}"


def for_chart(table: pd.DataFrame, value: str, labels: list[str]) -> pd.DataFrame:
    """A copy with a `label` column (each row's cell as shown) and no value (no bar) wherever
    that cell is hidden, whether it is small itself or would give a small count away."""
    out = table.copy()
    out["label"] = labels
    out[value] = out[value].where(~out["label"].isin([SCREEN_MARK, PUBLISHED_MARK]))
    return out


PUBLISHED_MARK = "[c]"
PUBLISHED_NOTE = (
    "[c] = confidential: counts from 1 to 4 are not published, so that nobody can be "
    "identified, nor are the other cells from which such a count could be worked out."
)


def with_totals(counts: pd.DataFrame) -> pd.DataFrame:
    """`counts` with a Total row, and a Total column when it has more than one column."""
    full = counts.astype("int64")
    if full.shape[1] > 1:
        full["Total"] = full.sum(axis=1)
    full.loc["Total"] = full.sum(axis=0)
    return full


def publishable(
    counts: pd.DataFrame,
    threshold: int = THRESHOLD,
    mark: str = PUBLISHED_MARK,
    secondary_mark: str | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """A table of counts ready to publish, with its totals.

    `counts` holds counts only (categories as the index, e.g. exploitation type by age group).
    A Total row is added, and a Total column when there is more than one column. Counts from 1
    to 4 are replaced by `mark` (primary suppression). Then, wherever a row or a column has
    exactly one hidden cell, its total would give it away, so the smallest other cell of that
    line is hidden too (secondary suppression, shown as `secondary_mark`, by default `mark`; a
    total is hidden when no other cell is left), until no hidden cell can be worked out by
    subtraction. Returns the table (numbers, and text where hidden) and its notes.
    """
    full = with_totals(counts)
    primary = (full > 0) & (full < threshold)
    hidden = primary.copy()
    lines = [("column", label) for label in full.columns]
    if "Total" in full.columns:  # a one-column table has no row totals to give a cell away
        lines += [("row", label) for label in full.index]
    changed = True
    while changed:
        changed = False
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
            changed = True
    secondary = hidden & ~primary
    shown = full.astype(object).where(~primary, mark).where(~secondary, secondary_mark or mark)
    notes = []
    if primary.values.any():
        notes.append(PUBLISHED_NOTE if mark == PUBLISHED_MARK else SCREEN_NOTE)
    if secondary.values.any():
        count = int(secondary.values.sum())
        notes.append(
            f"{count} further cell{'s' if count != 1 else ''} hidden"
            + (f" ({secondary_mark})" if secondary_mark and secondary_mark != mark else "")
            + " so that a small count cannot be worked out from the totals (secondary "
            "suppression)."
        )
    return shown, notes


SCREEN_NOTE = "<5: a count from 1 to 4, not shown so that nobody can be identified."


def on_screen(counts: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """`counts` with its totals as they may be shown now: suppressed as in `publishable` (`<5`,
    and `[c]` for a cell hidden so that a `<5` cannot be worked out) while small counts are
    hidden, else the true figures."""
    if hidden():
        return publishable(counts, mark=SCREEN_MARK, secondary_mark=PUBLISHED_MARK)
    return with_totals(counts).astype(object), []


def for_export(table: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """A table as shown on screen, made ready to leave the app: every `<5` becomes `[c]`, and
    the note says why."""
    marks = table.isin([SCREEN_MARK])
    if not marks.values.any() and not table.isin([PUBLISHED_MARK]).values.any():
        return table, []
    return table.mask(marks, PUBLISHED_MARK), [PUBLISHED_NOTE]
