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
