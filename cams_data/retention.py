"""Retention: rows nobody sees any more are erased once they are older than the policy allows.

An upload's rows stop counting when the upload is rolled back, or when later uploads have
replaced every one of its rows (superseded). Such uploads, uploaded before the cut-off (by
default six years ago, `[retention] older_than` in cams.toml), have their rows deleted for good:
the upload stays in the history, marked erased by the retention policy, and the audit log says
what was purged and when. Current rows are never purged, however old.
"""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from cams_data import store, values
from cams_data.kinds import KINDS

AGE = re.compile(r"^\s*(\d+)\s*(y|years?|m|months?)\s*$", re.IGNORECASE)


class BadAge(ValueError):
    pass


def months_in(age: str) -> int:
    """'6y' -> 72, '18m' -> 18."""
    match = AGE.match(age)
    if not match or int(match[1]) == 0:
        raise BadAge(f"'{age}' is not an age such as 6y (six years) or 18m (eighteen months).")
    return int(match[1]) * (12 if match[2].lower().startswith("y") else 1)


@dataclass(frozen=True)
class Purged:
    upload_id: int
    kind: str
    file_name: str
    uploaded_at: datetime
    why: str  # "rolled back" or "superseded"
    rows: int


def purgeable(con, cutoff: date) -> list[Purged]:
    """Uploads before `cutoff` whose rows no longer count: rolled back, or wholly superseded."""
    found = []
    for name in KINDS:
        rows = con.execute(
            f"""SELECT u.upload_id, u.kind, u.file_name, u.uploaded_at,
                       CASE WHEN u.status = 'rolled_back' THEN 'rolled back'
                            ELSE 'superseded' END,
                       (SELECT count(*) FROM {name}_rows r WHERE r.upload_id = u.upload_id)
                FROM uploads u
                WHERE u.kind = ? AND u.uploaded_at < ?
                  AND (u.status = 'rolled_back'
                       OR (u.status = 'active' AND NOT EXISTS (
                           SELECT 1 FROM {name}_current c WHERE c.upload_id = u.upload_id)))
                ORDER BY u.upload_id""",
            [name, cutoff],
        ).fetchall()
        found += [Purged(*row) for row in rows]
    return sorted(found, key=lambda p: p.upload_id)


def purge(
    db: Path,
    older_than: str,
    who: str | None = None,
    today: date | None = None,
    dry_run: bool = False,
) -> list[Purged]:
    """Erase the rows of rolled-back and superseded uploads made before the cut-off."""
    cutoff = values.add_months(today or date.today(), -months_in(older_than))
    who = who or getpass.getuser()
    with store.connect(Path(db), read_only=dry_run) as con:
        found = purgeable(con, cutoff)
        if dry_run or not found:
            return found
        con.execute("BEGIN TRANSACTION")
        for item in found:
            store.erase_rows(con, item.upload_id, item.kind, f"retention policy ({who})")
            store.log(
                con,
                who,
                "purge",
                item.upload_id,
                f"{item.kind}: {item.rows} rows of a {item.why} upload from "
                f"{item.uploaded_at:%d/%m/%Y}, older than {older_than}",
            )
        for kind in {item.kind for item in found}:
            store.refresh_current(con, KINDS[kind])
        con.execute("COMMIT")
    return found
