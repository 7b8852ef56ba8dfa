"""Small numbers: counts about victims from 1 to 4 are never shown as they are.

On screen a small count reads `<5`; a chart draws no bar for it, only the label.
"""

from __future__ import annotations

import math

import pandas as pd

THRESHOLD = 5
SCREEN_MARK = "<5"


def is_small(value, threshold: int = THRESHOLD) -> bool:
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
