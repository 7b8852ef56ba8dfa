"""Backup and restore: a consistent copy of the database, and the pseudonym key kept apart.

The copy is made through DuckDB (`COPY FROM DATABASE`) inside one read connection, so it is
consistent even while the app is running: an upload being saved either is in it or is not. The
key is written to its own file: with the key, anyone holding the learning system's own exports
could link pseudonyms back to named staff, so it is stored somewhere other than the backup.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from cams_data import settings, store

BACKUP_ALIAS = "cams_backup"


class BackupError(RuntimeError):
    """A backup or restore that could not be done, in words for the person running it."""


@dataclass(frozen=True)
class Backup:
    database: Path
    key: Path | None
    rows: dict[str, int]  # rows per table in the copy


@dataclass(frozen=True)
class Restored:
    database: Path
    key: Path | None
    kept_aside: list[Path]  # the database and key that were in place before
    warnings: list[str] = field(default_factory=list)


def default_key_file(backup_file: Path) -> Path:
    return backup_file.with_name(backup_file.name + ".key")


def _fingerprint(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:12]


def _table_rows(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, int]:
    names = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = ? "
        "AND table_type = 'BASE TABLE' ORDER BY table_name",
        [database],
    ).fetchall()
    return {
        name: con.execute(f'SELECT count(*) FROM "{database}"."{name}"').fetchone()[0]
        for (name,) in names
    }


def backup(db: Path, out: Path, key_out: Path | None = None, who: str | None = None) -> Backup:
    """Copy the database to `out` and its pseudonym key to `key_out` (default `out` + `.key`)."""
    db, out = Path(db), Path(out)
    if not db.exists():
        raise BackupError(f"There is no database at {db} to back up.")
    if out.exists():
        raise BackupError(f"{out} already exists: choose a new file name for the backup.")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    store.log_event(db, who or getpass.getuser(), "backup", f"to {out.name}")  # the copy says so
    with store.connect(db, read_only=True) as con:
        source = con.execute("SELECT current_database()").fetchone()[0]
        con.execute(f"ATTACH '{partial}' AS {BACKUP_ALIAS} (READ_WRITE)")
        try:
            con.execute(f"COPY FROM DATABASE {source} TO {BACKUP_ALIAS}")
            rows = _table_rows(con, BACKUP_ALIAS)
        finally:
            con.execute(f"DETACH {BACKUP_ALIAS}")
    os.replace(partial, out)
    key_file = None
    if settings.key_path(db).exists() or os.environ.get("CAMS_PSEUDONYM_KEY"):
        key_file = Path(key_out) if key_out else default_key_file(out)
        settings.write_key(key_file, settings.pseudonym_key(db))
    return Backup(out, key_file, rows)


def restore(
    backup_file: Path, db: Path, key_file: Path | None = None, who: str | None = None
) -> Restored:
    """Put a backup (and its key) in place of the database, keeping what was there aside."""
    backup_file, db = Path(backup_file), Path(db)
    if not backup_file.exists():
        raise BackupError(f"There is no backup at {backup_file}.")
    try:
        with duckdb.connect(str(backup_file), read_only=True) as con:
            found = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
            tables = {name for (name,) in found}
    except duckdb.Error as error:
        raise BackupError(f"{backup_file} is not a CAMS database backup ({error}).") from error
    if not {"uploads", "schema_migrations"} <= tables:
        raise BackupError(f"{backup_file} is not a CAMS database backup: it has no uploads table.")
    key_file = Path(key_file) if key_file else default_key_file(backup_file)
    warnings = []
    new_key = settings.read_key(key_file) if key_file.exists() else None
    key_in_use = settings.key_path(db)
    old_key = settings.read_key(key_in_use) if key_in_use.exists() else None
    if new_key is None:
        warnings.append(
            f"No key file was found ({key_file}): the pseudonym key in use is kept. If it is not "
            "the key the backup was made with, people in the backup will not match people in "
            "new uploads."
        )
    elif old_key is not None and new_key != old_key:
        warnings.append(
            f"The backup's pseudonym key ({_fingerprint(new_key)}) differs from the key in use "
            f"({_fingerprint(old_key)}): the backup's key now replaces it, so that people in "
            "the backup match people in new uploads. The old key is kept aside."
        )
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    kept = []
    if db.exists():
        with store.connect(db) as con:  # waits for any upload being saved, then folds in the WAL
            con.execute("CHECKPOINT")
    for current in (db, db.with_name(db.name + ".wal")):
        if current.exists():
            aside = current.with_name(f"{current.name}.before-restore-{stamp}")
            os.replace(current, aside)
            aside.chmod(0o600)  # personal data kept aside: for its owner alone, like the key
            kept.append(aside)
    partial = db.with_name(db.name + ".restoring")
    shutil.copyfile(backup_file, partial)
    os.replace(partial, db)
    if new_key is not None and new_key != old_key:
        if key_in_use.exists():
            aside = key_in_use.with_name(f"{key_in_use.name}.before-restore-{stamp}")
            os.replace(key_in_use, aside)
            aside.chmod(0o600)
            kept.append(aside)
        settings.write_key(key_in_use, new_key, replace=False)
    with store.connect(db) as con:  # brings an older backup's schema up to date
        store.log(con, who or getpass.getuser(), "restore", None, f"from {backup_file.name}")
    return Restored(db, key_in_use if new_key is not None else None, kept, warnings)
