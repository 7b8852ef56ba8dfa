"""The DuckDB file: numbered migrations, every upload's rows kept, views of the current ones.

Each kind has a table `<kind>_rows` holding the rows of every upload, and a view `<kind>` that
shows, for each natural key, the row of the latest active upload. Superseding and rolling back
are then only a matter of which uploads are active: nothing is ever overwritten.

DuckDB lets one process at a time open the file for writing, so nobody holds it: connections are
opened for one piece of work and closed, retrying briefly while another process writes.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from cams_data.kinds import KINDS, Kind

LOCK_WAIT_SECONDS = 15.0


class DatabaseBusy(RuntimeError):
    """Another process kept the database locked for longer than we wait."""


def _is_lock_error(error: Exception) -> bool:
    text = str(error).lower()
    return any(s in text for s in _LOCKED)


# "different configuration", "already attached": another thread of this process has the file
# open the other way (read-only while one writes, or the reverse); wait as for another process.
_LOCKED = ("lock", "conflicting", "being used", "different configuration", "already attached")
_OPEN_CLOSE = threading.Lock()  # DuckDB's file cache races when threads open and close at once


def _busy(path: Path) -> DatabaseBusy:
    return DatabaseBusy(
        f"The database {path} is busy (another upload is being saved); try again in a minute."
    )


@contextmanager
def _writers_first(path: Path, writer: bool, deadline: float) -> Iterator[None]:
    """A writer holds `<db>.turn` while it waits for the database, and a reader waits while it
    is held, so readers arriving one after another never keep a writer out for long: it waits
    only for the queries already running. (Where the file cannot be made, in a folder nobody
    may write to, there is no writer to wait for.)"""
    try:
        turn = os.open(path.with_name(path.name + ".turn"), os.O_RDONLY | os.O_CREAT, 0o644)
    except OSError:
        yield
        return
    try:
        delay = 0.01
        while True:
            try:
                fcntl.flock(turn, (fcntl.LOCK_EX if writer else fcntl.LOCK_SH) | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise _busy(path) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.2)
        if not writer:
            fcntl.flock(turn, fcntl.LOCK_UN)  # a reader only makes sure no writer is waiting
        yield
    finally:
        os.close(turn)  # a writer's turn ends once it has the database


@contextmanager
def connect(
    path: Path, read_only: bool = False, wait: float = LOCK_WAIT_SECONDS
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection for one piece of work; a writer also brings the schema up to date."""
    path = Path(path)
    if read_only and not path.exists():
        with connect(path):  # create and migrate once, then read
            pass
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    delay = 0.05
    with _writers_first(path, not read_only, deadline):
        while True:
            try:
                with _OPEN_CLOSE:
                    con = duckdb.connect(str(path), read_only=read_only)
                break
            except duckdb.Error as error:
                if not _is_lock_error(error):
                    raise
                if time.monotonic() > deadline:
                    raise _busy(path) from error
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
    try:
        if not read_only:
            migrate(con)
        yield con
    finally:
        with _OPEN_CLOSE:
            con.close()


def upgrade(path: Path) -> None:
    """Bring a database an older version of the app made up to date, before reading it."""
    if Path(path).exists():
        with connect(path, read_only=True) as con:
            if schema_version(con) == SCHEMA_VERSION:
                return
    with connect(path):  # a writer migrates
        pass


# --- schema ---------------------------------------------------------------------------------


def _kind_table_sql(kind: Kind) -> str:
    types = {f.name: f.sql_type for f in kind.fields}
    types.update({"period_start": "DATE", "period_months": "TINYINT"})
    columns = ", ".join(f"{c} {types.get(c, 'VARCHAR')}" for c in kind.view_columns)
    return (
        f"CREATE TABLE IF NOT EXISTS {kind.name}_rows (upload_id INTEGER NOT NULL, "
        f"row_no INTEGER NOT NULL, {columns})"
    )


def _v1(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SEQUENCE IF NOT EXISTS upload_ids START 1")
    con.execute("""
        CREATE TABLE uploads (
            upload_id INTEGER PRIMARY KEY,
            kind VARCHAR NOT NULL,
            file_name VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL,
            uploaded_at TIMESTAMP NOT NULL,
            uploaded_by VARCHAR NOT NULL,
            rows_read INTEGER NOT NULL,
            rows_loaded INTEGER NOT NULL,
            duplicates_folded INTEGER NOT NULL,
            rows_superseded INTEGER NOT NULL,
            rows_skipped INTEGER NOT NULL,
            status VARCHAR NOT NULL,
            is_demo BOOLEAN NOT NULL DEFAULT false,
            sheet VARCHAR,
            options VARCHAR,
            identifiers VARCHAR,
            covers_from DATE,
            covers_to DATE
        )""")
    con.execute("""
        CREATE TABLE upload_problems (
            upload_id INTEGER NOT NULL, sheet VARCHAR, row_no INTEGER, column_name VARCHAR,
            message VARCHAR NOT NULL
        )""")
    for kind in KINDS.values():
        con.execute(_kind_table_sql(kind))


def _v2(con: duckdb.DuckDBPyConnection) -> None:
    """Who undid what, and an audit log of every change."""
    con.execute("ALTER TABLE uploads ADD COLUMN rolled_back_at TIMESTAMP")
    con.execute("ALTER TABLE uploads ADD COLUMN rolled_back_by VARCHAR")
    con.execute("ALTER TABLE uploads ADD COLUMN superseded_uploads INTEGER[]")
    con.execute("""
        CREATE TABLE audit_log (
            logged_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            who VARCHAR NOT NULL,
            action VARCHAR NOT NULL,
            upload_id INTEGER,
            detail VARCHAR
        )""")


def _v3(con: duckdb.DuckDBPyConnection) -> None:
    """Each kind's current rows kept as a table, so the dashboard never recomputes them."""
    for kind in KINDS.values():
        refresh_current(con, kind)


def _v4(con: duckdb.DuckDBPyConnection) -> None:
    """Who erased an upload's rows for good, and when."""
    con.execute("ALTER TABLE uploads ADD COLUMN erased_at TIMESTAMP")
    con.execute("ALTER TABLE uploads ADD COLUMN erased_by VARCHAR")


def _v5(con: duckdb.DuckDBPyConnection) -> None:
    """Column choices an officer made for a header set, so the next such export loads at once."""
    con.execute("""
        CREATE TABLE header_mappings (
            header_key VARCHAR PRIMARY KEY,
            kind VARCHAR NOT NULL,
            mapping VARCHAR NOT NULL,
            saved_at TIMESTAMP NOT NULL,
            saved_by VARCHAR NOT NULL
        )""")


def _v6(con: duckdb.DuckDBPyConnection) -> None:
    """Current rows keep their row number, so an upload finds what it replaced without
    working out the current rows again."""
    for kind in KINDS.values():
        con.execute(view_sql(kind))  # the old view read every column of the table
        refresh_current(con, kind)


def _v7(con: duckdb.DuckDBPyConnection) -> None:
    """Every version of the action plan tracker in view, for its statuses as at a date."""
    for kind in KINDS.values():
        if kind.keeps_history:
            con.execute(history_view_sql(kind))


def _v8(con: duckdb.DuckDBPyConnection) -> None:
    """Each skipped row's problem keeps its type (a key of `problems.SENTENCES`); the rows
    recorded before have none."""
    con.execute("ALTER TABLE upload_problems ADD COLUMN code VARCHAR")


MIGRATIONS: tuple[Callable[[duckdb.DuckDBPyConnection], None], ...] = (
    _v1,
    _v2,
    _v3,
    _v4,
    _v5,
    _v6,
    _v7,
    _v8,
)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection, target: int = SCHEMA_VERSION) -> None:
    """Apply the migrations this file has not had yet, each in its own transaction.

    Views hold no data, so they are rebuilt from the kinds every time: never out of date.
    Each view reads its kind's `<kind>_current` table, which every upload and rollback refreshes
    in its own transaction (`refresh_current`).
    """
    current = schema_version(con)
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, applied_at TIMESTAMP DEFAULT current_timestamp)"
    )
    for version in range(current + 1, target + 1):
        con.execute("BEGIN TRANSACTION")
        MIGRATIONS[version - 1](con)
        con.execute("INSERT INTO schema_migrations (version) VALUES (?)", [version])
        con.execute("COMMIT")
    for kind in KINDS.values():
        con.execute(_kind_table_sql(kind))  # a kind added since the last migration
        current = view_select(kind, row_no=True)
        con.execute(f"CREATE TABLE IF NOT EXISTS {kind.name}_current AS {current}")
        con.execute(view_sql(kind))
        if kind.keeps_history:
            con.execute(history_view_sql(kind))


def _active_rows_sql(kind: Kind, as_at: datetime | None, without_demo: bool) -> str:
    """Every row of the uploads active `as_at` (now when None), less demo ones if asked."""
    if as_at is None:
        active = "u.status = 'active'"
    else:
        moment = f"TIMESTAMP '{as_at:%Y-%m-%d %H:%M:%S}'"
        active = (
            f"u.uploaded_at <= {moment} "
            f"AND (u.rolled_back_at IS NULL OR u.rolled_back_at > {moment})"
        )
    if without_demo:
        active += " AND NOT u.is_demo"
    return f"""SELECT r.* FROM {kind.name}_rows r JOIN uploads u USING (upload_id)
               WHERE {active}"""


def current_rows_sql(kind: Kind, as_at: datetime | None = None, without_demo: bool = False) -> str:
    """The rows of active uploads that no later active upload replaced (as they were `as_at`;
    `without_demo`: as if no demo data had been loaded)."""
    rows = _active_rows_sql(kind, as_at, without_demo)
    if kind.replaces_whole:
        scope = kind.replaces_whole
        latest = f"upload_id = max(upload_id) OVER (PARTITION BY {scope})"
        current = f"SELECT * FROM ({rows}) QUALIFY {latest}"
    else:
        key = ", ".join(kind.natural_key)
        current = (
            f"SELECT * FROM ({rows}) QUALIFY row_number() OVER "
            f"(PARTITION BY {key} ORDER BY upload_id DESC, row_no DESC) = 1"
        )
    if kind.current_rule:
        current = f"SELECT * FROM ({current}) QUALIFY {kind.current_rule}"
    return current


def view_select(
    kind: Kind, as_at: datetime | None = None, without_demo: bool = False, row_no: bool = False
) -> str:
    """The view's query; with `as_at`, the figures as the database held them at that moment;
    with `row_no`, each row's place in its file too (kept in `<kind>_current`, not shown)."""
    columns = list(kind.view_columns)
    for f in kind.fields:
        if f.case_blind:  # the first spelling seen, so case and spacing never split a value
            columns[columns.index(f.name)] = (
                f"first_value({f.name}) OVER (PARTITION BY lower({f.name}) "
                f"ORDER BY upload_id, row_no) AS {f.name}"
            )
    current = current_rows_sql(kind, as_at, without_demo)
    return f"SELECT {', '.join(columns)}, upload_id{', row_no' if row_no else ''} FROM ({current})"


def view_sql(kind: Kind) -> str:
    columns = ", ".join([*kind.view_columns, "upload_id"])
    return f"CREATE OR REPLACE VIEW {kind.name} AS SELECT {columns} FROM {kind.name}_current"


def history_select(kind: Kind, as_at: datetime | None = None, without_demo: bool = False) -> str:
    """Every active upload's rows, superseded ones too (the last of each key in an upload):
    what each version of the file said. `as_at` and `without_demo` as for `view_select`."""
    key = ", ".join(kind.natural_key)
    rows = _active_rows_sql(kind, as_at, without_demo)
    return f"""SELECT {", ".join(kind.view_columns)}, upload_id, row_no FROM ({rows})
               QUALIFY row_number() OVER (PARTITION BY upload_id, {key} ORDER BY row_no DESC) = 1"""


def history_view_sql(kind: Kind) -> str:
    return f"CREATE OR REPLACE VIEW {kind.name}_history AS {history_select(kind)}"


def refresh_current(con: duckdb.DuckDBPyConnection, kind: Kind) -> None:
    """Recompute a kind's current rows after an upload or rollback (inside its transaction)."""
    con.execute(f"CREATE OR REPLACE TABLE {kind.name}_current AS {view_select(kind, row_no=True)}")


def hide_demo_data(con: duckdb.DuckDBPyConnection) -> None:
    """For this read-only connection only: every view as if no demo data had been loaded."""
    for name, kind in KINDS.items():
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {view_select(kind, without_demo=True)}")
        if kind.keeps_history:
            history = history_select(kind, without_demo=True)
            con.execute(f"CREATE OR REPLACE TEMP VIEW {name}_history AS {history}")


def views_as_at(as_at: datetime) -> str:
    """A WITH clause that shadows every view (histories too) with its contents at `as_at`."""
    views = [f"{name} AS ({view_select(kind, as_at)})" for name, kind in KINDS.items()]
    histories = [
        f"{name}_history AS ({history_select(kind, as_at)})"
        for name, kind in KINDS.items()
        if kind.keeps_history
    ]
    return "WITH " + ", ".join(views + histories)


def actions_as_at_sql() -> str:
    """SQL: per period (`label`, over the CTE `periods(label, p_start, p_end)`), each action in
    the tracker with its status as the tracker said by the period's last day: that of the
    latest version updated on or before it, blank (not completed) when there is none. The
    owner and due date are the tracker's current ones."""
    return """
        SELECT p.label, a.objective, a.action, a.owner, a.due_on, h.status, h.updated_on
        FROM periods p CROSS JOIN actions a
        LEFT JOIN (
            SELECT p.label, h.objective, h.action, h.status, h.updated_on
            FROM periods p JOIN actions_history h ON h.updated_on < p.p_end
            QUALIFY row_number() OVER (
                PARTITION BY p.label, h.objective, h.action
                ORDER BY h.updated_on DESC, h.upload_id DESC, h.row_no DESC) = 1
        ) h ON h.label = p.label AND h.objective = a.objective AND h.action = a.action"""


def wave_date_sql(uploaded_at: str = "u.uploaded_at") -> str:
    """When survey wave `s.wave` was held: its month ('2025-10', 'October 2025'), else the
    upload's date (`uploaded_at`, an expression over the uploads table joined as `u`)."""
    return f"""coalesce(try_strptime(s.wave, '%Y-%m'), try_strptime(s.wave, '%B %Y'),
                        try_strptime(s.wave, '%b %Y'), {uploaded_at})::DATE"""


# --- remembered column choices -----------------------------------------------------------


def header_key(headers: list[str]) -> str:
    """The same for the same header row, whatever its case and spacing."""
    from cams_data.text import normalise_header

    joined = "\x1f".join(normalise_header(h) for h in headers)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def remembered_mapping(con: duckdb.DuckDBPyConnection, key: str) -> tuple[str, dict] | None:
    """(kind, {header: field or ''}) chosen for this header row before, if any."""
    try:
        row = con.execute(
            "SELECT kind, mapping FROM header_mappings WHERE header_key = ?", [key]
        ).fetchone()
    except duckdb.CatalogException:  # a database not yet upgraded: nothing remembered
        return None
    return (row[0], json.loads(row[1])) if row else None


def remember_mapping(
    con: duckdb.DuckDBPyConnection, key: str, kind: str, mapping: dict, who: str
) -> None:
    con.execute(
        "INSERT OR REPLACE INTO header_mappings VALUES (?, ?, ?, ?, ?)",
        [key, kind, json.dumps(mapping, sort_keys=True), datetime.now(), who],
    )


# --- uploads --------------------------------------------------------------------------------


def uploads(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT * FROM uploads ORDER BY upload_id").df()


def active_upload_with_hash(con, sha256: str, kind: str, options: str) -> int | None:
    row = con.execute(
        "SELECT upload_id FROM uploads WHERE sha256 = ? AND kind = ? AND options = ? "
        "AND status = 'active' ORDER BY upload_id DESC LIMIT 1",
        [sha256, kind, options],
    ).fetchone()
    return row[0] if row else None


def figures_version(con: duckdb.DuckDBPyConnection) -> str:
    """Changes whenever the figures may change (an upload, a rollback, an erasure), and only
    then: a cache key for query results."""
    return ":".join(
        str(n)
        for n in con.execute(
            "SELECT coalesce(max(upload_id), 0), count(rolled_back_at), count(erased_at) "
            "FROM uploads"
        ).fetchone()
    )


def row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in KINDS}


def log(
    con: duckdb.DuckDBPyConnection, who: str, action: str, upload_id: int | None, detail: str = ""
) -> None:
    con.execute(
        "INSERT INTO audit_log (who, action, upload_id, detail) VALUES (?, ?, ?, ?)",
        [who, action, upload_id, detail],
    )


def erase_rows(con: duckdb.DuckDBPyConnection, upload_id: int, kind: str, erased_by: str) -> int:
    """Delete an upload's rows and problems for good and mark it erased (inside the caller's
    transaction, which refreshes the kind's current rows and logs); returns the rows deleted."""
    deleted = con.execute(
        f"SELECT count(*) FROM {kind}_rows WHERE upload_id = ?", [upload_id]
    ).fetchone()[0]
    con.execute(f"DELETE FROM {kind}_rows WHERE upload_id = ?", [upload_id])
    con.execute("DELETE FROM upload_problems WHERE upload_id = ?", [upload_id])
    con.execute(
        "UPDATE uploads SET status = 'erased', erased_at = ?, erased_by = ? WHERE upload_id = ?",
        [datetime.now(), erased_by, upload_id],
    )
    return deleted


def log_event(db: Path, who: str, action: str, detail: str) -> None:
    """Log something done outside an upload's transaction, e.g. an export."""
    with connect(db) as con:
        log(con, who, action, None, detail)


_WAVE = wave_date_sql()
_PERIOD_END = "(period_start + to_months(period_months))::DATE - 1"


def _days_described(kind: Kind) -> tuple[str, str, str]:
    """The first and last day a current row of `kind` describes, and the rows they are read
    from."""
    dated_by = kind.field(kind.dated_by)
    if dated_by.type == "period":
        return "period_start", _PERIOD_END, kind.name
    if dated_by.type == "wave":
        return _WAVE, _WAVE, f"{kind.name} s JOIN uploads u USING (upload_id)"
    return dated_by.name, dated_by.name, kind.name


DAYS_DESCRIBED = {name: _days_described(kind) for name, kind in KINDS.items()}


def days_described(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    """Per kind: (first day, last day) its current rows describe, whichever upload they came
    from; (None, None) when it has none."""
    sql = " UNION ALL ".join(
        f"SELECT '{kind}', min({first})::DATE, max({last})::DATE FROM {rows}"
        for kind, (first, last, rows) in DAYS_DESCRIBED.items()
    )
    return {kind: (first, last) for kind, first, last in con.execute(sql).fetchall()}


def freshness(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per kind: rows in its view, the first and last day those rows describe (`covers_from`,
    `covers_to`), and the last active upload (`last_file`, `last_upload`)."""
    counts = row_counts(con)
    days = days_described(con)
    latest = (
        con.execute("""
        SELECT kind, arg_max(file_name, upload_id) AS last_file, max(uploaded_at) AS last_upload,
               bool_and(is_demo) AS demo_only
        FROM uploads WHERE status = 'active' GROUP BY kind""")
        .df()
        .set_index("kind")
    )
    nothing = {"last_file": None, "last_upload": None, "demo_only": False}
    return pd.DataFrame(
        [
            {
                "kind": name,
                "title": kind.title,
                "rows": counts[name],
                **(latest.loc[name].to_dict() if name in latest.index else nothing),
                "covers_from": pd.Timestamp(days[name][0]) if days[name][0] else None,
                "covers_to": pd.Timestamp(days[name][1]) if days[name][1] else None,
            }
            for name, kind in KINDS.items()
        ]
    )


def has_demo_data(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute(
        "SELECT count(*) > 0 FROM uploads WHERE is_demo AND status = 'active'"
    ).fetchone()[0]
