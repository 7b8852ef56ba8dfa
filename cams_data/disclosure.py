"""Small numbers: counts about victims from 1 to 4 never leave the app as they are.

Figures are computed true. What leaves for a screen or a file passes through here once, with its
audience given explicitly:

| audience      | who                              | a count of 1-4 | a cell giving one away |
| ------------- | -------------------------------- | -------------- | ---------------------- |
| `MEETING`     | everyone, on a shared screen     | `<5`           | `[c]`                  |
| `OFFICER`     | an officer on their own screen   | the count      | the count              |
| `PUBLICATION` | every file that leaves the app   | `[c]`          | `[c]`                  |

Counts that add up to one another (a total and its parts, a year and its quarters, NRM referrals
and Duty to Notify notifications and all referrals) are linked: `Cells` holds every count of one
kind that any page or file can show, keyed by exactly which underlying rows it adds up, so the same
figure is the same cell wherever it appears. Hidden cells are chosen once over all of them
(`Cells.settle`): every count of 1 to 4, then, wherever a sum has exactly one hidden term, another
term too (secondary suppression), until no hidden cell can be worked out by subtraction on any page,
in any period.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Sequence
from datetime import date

import numpy as np
import pandas as pd

THRESHOLD = 5
SCREEN_MARK = "<5"
PUBLISHED_MARK = "[c]"
PUBLISHED_NOTE = (
    "[c] = confidential: counts from 1 to 4 are not published, so that nobody can be "
    "identified, nor are the other cells from which such a count could be worked out."
)
SCREEN_NOTE = "<5: a count from 1 to 4, not shown so that nobody can be identified."
SECONDARY_NOTE = (
    "[c]: hidden so that a count under 5 cannot be worked out from the totals or other periods."
)
PRIMARY, SECONDARY = "small", "gives away"  # why a cell is hidden
ASIDE, BREAKDOWN, TOTAL = 0, 1, 2  # how much a cell is worth showing: the least is hidden first


class Audience(enum.Enum):
    """Who will see the figures: the one argument that decides what is hidden."""

    MEETING = "meeting view"
    OFFICER = "officer's own screen"
    PUBLICATION = "publication"

    @property
    def hides(self) -> bool:
        return self is not Audience.OFFICER

    @property
    def small_mark(self) -> str:
        return PUBLISHED_MARK if self is Audience.PUBLICATION else SCREEN_MARK

    def mark(self, why: str) -> str | None:
        """What a cell hidden for `why` reads, or None when it is shown."""
        if not why or not self.hides:
            return None
        return self.small_mark if why == PRIMARY else PUBLISHED_MARK

    def notes(self, reasons: Iterable[str]) -> list[str]:
        """The notes that explain the marks a table holds."""
        reasons = set(reasons)
        if not self.hides or not reasons - {""}:
            return []
        if self is Audience.PUBLICATION:
            return [PUBLISHED_NOTE]
        notes = [SCREEN_NOTE] if PRIMARY in reasons else []
        return notes + ([SECONDARY_NOTE] if SECONDARY in reasons else [])


MARKS = (SCREEN_MARK, PUBLISHED_MARK)


def is_small(value) -> bool:
    """A count from 1 to 4."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    return 0 < value < THRESHOLD


def text(value, why: str, audience: Audience) -> str:
    """A count as it may be shown to `audience`: `1,234`, or its mark."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return audience.mark(why) or f"{value:,.0f}"


def small_only(value) -> str:
    """Why a count with no linked counts is hidden: only when it is itself small."""
    return PRIMARY if is_small(value) else ""


def as_text(value) -> str:
    """A cell of a shown table as text: counts with thousands separators, marks as they are."""
    return value if isinstance(value, str) else f"{value:,.0f}"


def for_chart(table: pd.DataFrame, value: str, labels: list[str]) -> pd.DataFrame:
    """A copy with a `label` column (each row's cell as shown) and no value (no bar, a gap in a
    line) wherever that cell is hidden."""
    out = table.copy()
    out["label"] = labels
    out[value] = out[value].where(~out["label"].isin(MARKS))
    return out


def for_export(table: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """A table as shown on a meeting screen, made ready to leave the app: every `<5` becomes
    `[c]`, and the note says why."""
    marks = table.isin([SCREEN_MARK])
    if not marks.values.any() and not table.isin([PUBLISHED_MARK]).values.any():
        return table, []
    return table.mask(marks, PUBLISHED_MARK), [PUBLISHED_NOTE]


# --- linked cells -----------------------------------------------------------------------------

Support = frozenset  # the positions of the rows a cell adds up


class Cells:
    """Every count of one kind that can be shown, as sums of the kind's rows (`atoms`).

    `atoms` has a count column, a `start` and `end` (first day after) for the period each row
    describes, and the dimension columns it can be broken down by. A cell is a window and filters
    on the dimensions; two cells that add up the same rows are the same figure. Register every
    cell and every sum a page or file shows (`add`, `relate`), then `settle` once; after that
    `why` says whether and why a cell is hidden, for every audience alike.
    """

    def __init__(self, atoms: pd.DataFrame, count: str, dimensions: Sequence[str]) -> None:
        self.atoms = atoms.reset_index(drop=True)
        self.counts = self.atoms[count].to_numpy(dtype="int64")
        self.starts = self.atoms["start"].to_numpy(dtype="datetime64[D]")
        self.ends = self.atoms["end"].to_numpy(dtype="datetime64[D]")
        self.dimensions = {
            d: self.atoms[d].astype(str).str.lower().to_numpy(dtype=object) for d in dimensions
        }
        self._cells: dict[Support, int] = {}
        self._worth: dict[Support, int] = {}
        self._relations: list[tuple[Support, tuple[Support, ...]]] = []
        self._hidden: dict[Support, str] = {}
        self._windows: dict[tuple, list[Support]] = {}  # filters -> cells registered with them
        self._settled = False

    def support(self, start: date, end: date, **filters: str | None) -> Support:
        """The rows wholly inside [start, end) that match every filter (None: any value)."""
        inside = (self.starts >= np.datetime64(start, "D")) & (self.ends <= np.datetime64(end, "D"))
        for name, value in filters.items():
            if value is not None:
                inside &= self.dimensions[name] == str(value).lower()
        return Support(np.flatnonzero(inside).tolist())

    def value(self, support: Support) -> int:
        return int(self.counts[list(support)].sum()) if support else 0

    def add(
        self, start: date, end: date, worth: int | None = None, **filters: str | None
    ) -> Support:
        """Register a cell that can be shown; returns it. `worth`: how much it matters that it
        is shown; by default a period's whole count (`TOTAL`) is hidden last."""
        support = self.support(start, end, **filters)
        if worth is None:
            worth = TOTAL if not any(filters.values()) and _months(start, end) >= 3 else BREAKDOWN
        self._register(support, worth)
        if self._settled:
            return support
        key = tuple(sorted((k, str(v).lower()) for k, v in filters.items() if v is not None))
        self._windows.setdefault(key, []).append((start, end, support))
        return support

    def add_rows(self, support: Support, worth: int = BREAKDOWN) -> Support:
        """Register a cell given by its rows (a sum no window and filters describe); `worth`:
        how much it matters that it is shown (`ASIDE` for a count in a note)."""
        self._register(support, worth)
        return support

    def _register(self, support: Support, worth: int) -> None:
        if not self._settled:  # once settled, a layout run again for a page only reads
            self._cells.setdefault(support, self.value(support))
            self._worth[support] = max(worth, self._worth.get(support, ASIDE))

    def relate(self, total: Support, parts: Iterable[Support]) -> None:
        """A sum that is shown: `total` is the sum of `parts` (each registered)."""
        parts = tuple(p for p in parts if p)
        if not self._settled and parts and (len(set(parts)) > 1 or parts[0] != total):
            self._relations.append((total, parts))

    def settle(self) -> None:
        """Choose the hidden cells over every registered cell and sum."""
        self._relate_periods()
        hidden = {s: PRIMARY for s, v in self._cells.items() if is_small(v)}
        sums = [
            list(dict.fromkeys((total, *parts)))
            for total, parts in self._relations
            if sum(len(p) for p in parts) == len(total) and frozenset().union(*parts) == total
        ]
        sums = [members for members in sums if len(members) > 1]
        touching: dict[Support, list[int]] = {}
        for number, members in enumerate(sums):
            for cell in members:
                touching.setdefault(cell, []).append(number)

        def lonely(number: int) -> bool:
            return sum(m in hidden for m in sums[number]) == 1

        waiting = [n for n in range(len(sums)) if lonely(n)]
        while waiting:
            number = waiting.pop()
            if not lonely(number):
                continue
            members = sums[number]
            candidates = [m for m in members[1:] if m not in hidden] or [
                m for m in members if m not in hidden
            ]
            # first a cell whose other sums also have one hidden cell (one cell then protects
            # both), then a non-zero count in the fewest other sums (hiding it spreads least),
            # then the smallest, which costs least
            partner = min(
                candidates,
                key=lambda c: (
                    not any(lonely(n) for n in touching[c] if n != number),
                    self._cells[c] == 0,
                    self._worth[c],
                    len(touching[c]),
                    self._cells[c],
                ),
            )
            hidden[partner] = SECONDARY
            waiting.extend(n for n in touching[partner] if lonely(n))
        self._close(hidden)
        self._hidden = hidden
        self._settled = True

    def _close(self, hidden: dict[Support, str]) -> None:
        """Hide more until no hidden cell is a combination of shown ones.

        Sums checked one at a time can still be solved together (a quarter's months, its
        exploitation types and its agencies between them). A hidden cell is worked out exactly
        when its rows' indicator vector lies in the span of the shown cells' vectors; then the
        smallest non-zero shown cell of that combination is hidden too, until none is."""
        cells = [c for c in self._cells if c]
        if not cells or not hidden:
            return
        vectors = np.zeros((len(cells), len(self.counts)))
        for row, cell in enumerate(cells):
            vectors[row, list(cell)] = 1.0
        while True:
            shown = [i for i, c in enumerate(cells) if c not in hidden]
            secret = [i for i, c in enumerate(cells) if c in hidden]
            if not shown or not secret:
                return
            u, sigma, vt = np.linalg.svd(vectors[shown], full_matrices=False)
            rank = int((sigma > 1e-9 * max(sigma[0], 1.0)).sum())
            basis = vt[:rank]
            targets = vectors[secret]
            left = targets - (targets @ basis.T) @ basis
            worked_out = [secret[i] for i in np.flatnonzero(np.abs(left).max(axis=1) < 1e-6)]
            if not worked_out:
                return
            for target in worked_out:
                weights = u[:, :rank] @ ((basis @ vectors[target]) / sigma[:rank])
                involved = [shown[i] for i in np.flatnonzero(np.abs(weights) > 1e-6)]
                involved = [i for i in involved if cells[i] not in hidden]
                if not involved:
                    continue  # an earlier pick this round already broke the combination
                pick = min(
                    involved,
                    key=lambda i: (
                        self._cells[cells[i]] == 0,
                        self._worth[cells[i]],
                        self._cells[cells[i]],
                    ),
                )
                hidden[cells[pick]] = SECONDARY

    def _relate_periods(self) -> None:
        """A registered cell whose rows are exactly those of registered cells of shorter windows
        with the same filters (a year and its quarters, a quarter and its months) is their sum."""
        for cells in self._windows.values():
            for start, end, support in cells:
                if not support:
                    continue
                for length in (3, 1):
                    parts = [
                        s
                        for a, b, s in cells
                        if start <= a and b <= end and (b - a).days < (end - start).days
                        and _months(a, b) == length and s
                    ]  # fmt: skip
                    unique = list(dict.fromkeys(parts))
                    exact = sum(len(p) for p in unique) == len(support)
                    if len(unique) > 1 and exact and frozenset().union(*unique) == support:
                        self._relations.append((support, tuple(unique)))

    def why(self, support: Support) -> str:
        """Why the cell is hidden (`PRIMARY`, `SECONDARY`), or '' when it may be shown."""
        if not self._settled:
            raise RuntimeError("settle the cells first")
        if support in self._hidden:
            return self._hidden[support]
        if support not in self._cells:  # no page registered it: nothing links it
            return small_only(self.value(support))
        return ""

    def text(self, support: Support, audience: Audience) -> str:
        return text(self.value(support), self.why(support), audience)

    @property
    def registered(self) -> dict[Support, int]:
        return dict(self._cells)

    @property
    def hidden(self) -> dict[Support, str]:
        return dict(self._hidden)


def _months(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def with_totals(counts: pd.DataFrame) -> pd.DataFrame:
    """`counts` with a Total row, and a Total column when it has more than one column."""
    full = counts.astype("int64")
    if full.shape[1] > 1:
        full["Total"] = full.sum(axis=1)
    full.loc["Total"] = full.sum(axis=0)
    return full


def publishable(
    counts: pd.DataFrame, audience: Audience = Audience.PUBLICATION
) -> tuple[pd.DataFrame, list[str]]:
    """A table of counts on its own (categories as the index and columns), with its totals, as
    `audience` may see it: a Total row, and a Total column when there is more than one column;
    small counts and the cells that would give them away marked. For counts linked to others
    shown elsewhere, register them in the kind's `Cells` instead."""
    full = with_totals(counts)
    rows, columns = list(counts.index), list(counts.columns)
    atoms = pd.DataFrame(
        [(str(r), str(c), int(counts.loc[r, c])) for r in rows for c in columns],
        columns=["row", "column", "n"],
    ).assign(start=date(2000, 1, 1), end=date(2000, 2, 1))
    cells = Cells(atoms, "n", ("row", "column"))
    day, next_month = date(2000, 1, 1), date(2000, 2, 1)
    inner = {(r, c): cells.add(day, next_month, row=r, column=c) for r in rows for c in columns}
    row_totals = {r: cells.add(day, next_month, row=r) for r in rows}
    column_totals = {c: cells.add(day, next_month, column=c) for c in columns}
    total = cells.add(day, next_month)
    for r in rows:
        cells.relate(row_totals[r], [inner[r, c] for c in columns])
    for c in columns:
        cells.relate(column_totals[c], [inner[r, c] for r in rows])
    cells.relate(total, list(row_totals.values()))
    cells.relate(total, list(column_totals.values()))
    cells.settle()

    def support(r, c) -> Support:
        if r == "Total":
            return total if c == "Total" else column_totals[c]
        return row_totals[r] if c == "Total" else inner[r, c]

    shown = full.astype(object)
    reasons = []
    for r in full.index:
        for c in full.columns:
            why = cells.why(support(r, c))
            reasons.append(why)
            if audience.mark(why):
                shown.loc[r, c] = audience.mark(why)
    return shown, audience.notes(reasons)
