"""Small text helpers shared by the reader, the validator and the kinds."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

_NON_ALNUM = re.compile(r"[^0-9a-z+]+")
_SPACES = re.compile(r"\s+")
_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
    }
)


def clean_text(value: str) -> str:
    """Trimmed, with runs of whitespace as one space and typographic quotes made plain."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", value).translate(_QUOTES)).strip()


def normalise_header(value: str) -> str:
    """A header or category as a comparable key: 'E-mail Address ' -> 'e mail address'."""
    return _NON_ALNUM.sub(" ", clean_text(value).casefold()).strip()


def words(value: str) -> tuple[str, ...]:
    return tuple(normalise_header(value).split())


def map_distinct(values: pd.Series, function: Callable[[str], object]) -> pd.Series:
    """`function` applied once per distinct non-missing value; missing values stay missing."""
    import numpy as np  # kept out of module import: the CLI refuses bad files without pandas
    import pandas as pd

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.array([*(function(str(u)) for u in uniques), None], dtype=object)
    return pd.Series(mapped[codes], index=values.index, dtype="object")
