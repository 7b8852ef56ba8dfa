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


# Characters that print nothing: C0 controls (tab and line breaks are whitespace, kept for
# `clean_text`), DEL, C1 controls, and format characters (zero-width space, direction marks and
# overrides, word joiners, byte-order marks, tags). Chart, workbook and Word writers raise or abort
# on the controls. The zero-width joiner and non-joiner stay: emoji and some scripts need them.
# Written as escapes Python's `re` and pyarrow's RE2 both read, or as the characters themselves.
INVISIBLE = re.compile(
    r"[\x00-\x08\x0e-\x1f\x7f-\x9f"
    "\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb\ufffe\uffff\U000e0001\U000e0020-\U000e007f]"
)
LINE_SEPARATORS = re.compile("[\u2028\u2029]")  # a break between words: a space, not nothing
# Either, in one character class: one scan of a column finds the cells to clean.
_INVISIBLE_OR_SEPARATOR = INVISIBLE.pattern[:-1] + LINE_SEPARATORS.pattern[1:]


def drop_invisible(value: str) -> str:
    """`value` without the characters that print nothing; line separators become spaces."""
    return LINE_SEPARATORS.sub(" ", INVISIBLE.sub("", value))


def drop_invisible_cells(cells: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """A sheet's text cells without invisible characters, and how many cells held any.

    Every cell of a file passes here once, as it is read; a cell left blank becomes missing."""
    changed = 0
    for column in cells.columns:
        text = cells[column]
        if _plain(text):
            continue
        holds = text.str.contains(_INVISIBLE_OR_SEPARATOR, regex=True, na=False)
        if not holds.any():
            continue
        changed += int(holds.sum())
        cleaned = text.str.replace(INVISIBLE.pattern, "", regex=True)
        cleaned = cleaned.str.replace(LINE_SEPARATORS.pattern, " ", regex=True)
        cells[column] = cleaned.where(cleaned.str.strip() != "")
    return cells, changed


# Printable ASCII and the whitespace `clean_text` keeps: no byte of an invisible character or a
# line separator (those beyond ASCII are several bytes, each of them 0x80 or over).
_PLAIN_BYTES = bytes([*range(0x09, 0x0E), *range(0x20, 0x7F)])


def _plain(text: pd.Series) -> bool:
    """Whether a column of Arrow text holds only `_PLAIN_BYTES`, told from its bytes at once (a
    sixth of the time the regex takes); any other byte leaves the column to the regex."""
    import pandas as pd
    import pyarrow as pa

    if not isinstance(text.array, pd.arrays.ArrowStringArray):
        return False
    data = pa.array(text.array)
    for chunk in data.chunks if isinstance(data, pa.ChunkedArray) else [data]:
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            return False
        if (buffer := chunk.buffers()[2]) is not None and buffer.to_pybytes().translate(
            None, _PLAIN_BYTES
        ):
            return False
    return True


def clean_text(value: str) -> str:
    """Trimmed, with runs of whitespace as one space, typographic quotes made plain and the
    characters that print nothing dropped (file cells have lost them already: typed text not)."""
    if value.isascii() and value.isprintable():  # most cells: nothing to change but spaces
        return " ".join(value.split())
    visible = drop_invisible(unicodedata.normalize("NFKC", value).translate(_QUOTES))
    return _SPACES.sub(" ", visible).strip()


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
