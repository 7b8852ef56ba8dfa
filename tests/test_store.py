"""The DuckDB file: schema and migrations, views, locking between processes and threads,
refusals inside the transaction, and where the database and the pseudonym key live."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import builders
import duckdb
import pytest
from conftest import query, snapshot

from cams_data import settings, store
from cams_data.ingest import UploadRequest, ingest, rollback
from cams_data.kinds import KINDS
from cams_data.problems import Refused
from cams_data.validate import Options

VIEW_COLUMNS = {
    "training": [
        "person_key",
        "organisation",
        "service_area",
        "role",
        "course",
        "status",
        "completed_on",
        "upload_id",
    ],
    "establishment": ["organisation", "service_area", "role", "headcount", "as_of", "upload_id"],
    "referrals": [
        "period_start",
        "period_months",
        "geography",
        "referral_type",
        "exploitation_type",
        "age_group",
        "referring_agency",
        "referrals",
        "upload_id",
    ],
    "survey": ["wave", "respondent_key", "service_area", "question", "answer", "upload_id"],
    "measures": [
        "objective",
        "measure",
        "organisation",
        "period_start",
        "period_months",
        "value",
        "upload_id",
    ],
    "actions": ["objective", "action", "owner", "due_on", "status", "updated_on", "upload_id"],
}
V1_UPLOAD_COLUMNS = (
    "upload_id, kind, file_name, sha256, uploaded_at, uploaded_by, rows_read, rows_loaded, "
    "duplicates_folded, rows_superseded, rows_skipped, status, is_demo"
)
REFERRAL_ROW_COLUMNS = (
    "upload_id, row_no, period_start, period_months, geography, referral_type, "
    "exploitation_type, age_group, referring_agency, referrals"
)


def load(path: Path, db: Path, **options: str):
    path = Path(path)
    return ingest(UploadRequest(path.read_bytes(), path.name, db=db, options=Options(**options)))


def columns_of(con, name: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position",
            [name],
        ).fetchall()
    ]


def table_names(con) -> set[str]:
    names = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    return {r[0] for r in names}


# ---------------------------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------------------------


def test_fresh_database_has_every_migration_and_the_six_views(db):
    with store.connect(db) as con:
        versions = [
            r[0]
            for r in con.execute(
                "SELECT version FROM schema_migrations ORDER BY version"
            ).fetchall()
        ]
        views = {
            r[0]: r[1]
            for r in con.execute(
                "SELECT table_name, table_type FROM information_schema.tables"
            ).fetchall()
        }
        found = {name: columns_of(con, name) for name in VIEW_COLUMNS}

    assert versions == list(range(1, store.SCHEMA_VERSION + 1))
    assert store.SCHEMA_VERSION >= 2
    assert {name: views.get(name) for name in VIEW_COLUMNS} == dict.fromkeys(VIEW_COLUMNS, "VIEW")
    assert found == VIEW_COLUMNS


def test_database_of_an_older_version_opens_upgrades_and_keeps_its_data(db):
    rows = [
        ("2025-04-01", 1, "Colchester", "NRM referral", "Criminal", "Child", "Essex Police", 4),
        ("2025-05-01", 1, "Colchester", "NRM referral", "Labour", "Adult", "Essex Police", 2),
    ]
    con = duckdb.connect(str(db))
    store.migrate(con, target=1)
    assert store.schema_version(con) == 1
    assert "rolled_back_at" not in columns_of(con, "uploads")
    assert "audit_log" not in table_names(con)
    # What a version-1 app wrote: an upload with an id from the sequence, and its rows.
    upload_id = con.execute("SELECT nextval('upload_ids')").fetchone()[0]
    con.execute(
        f"INSERT INTO uploads ({V1_UPLOAD_COLUMNS}) VALUES "
        "(?, 'referrals', 'old.csv', 'abc123', TIMESTAMP '2025-06-01 10:00', 'officer', "
        "2, 2, 0, 0, 0, 'active', false)",
        [upload_id],
    )
    con.executemany(
        f"INSERT INTO referrals_rows ({REFERRAL_ROW_COLUMNS}) VALUES ({', '.join('?' * 10)})",
        [[upload_id, i + 2, *row] for i, row in enumerate(rows)],
    )
    con.close()

    with store.connect(db) as con:
        version = store.schema_version(con)
        versions = [
            r[0]
            for r in con.execute(
                "SELECT version FROM schema_migrations ORDER BY version"
            ).fetchall()
        ]
        upload_columns = columns_of(con, "uploads")
        tables = table_names(con)
        stored = con.execute(
            "SELECT strftime(period_start, '%Y-%m-%d'), period_months, geography, referral_type, "
            "exploitation_type, age_group, referring_agency, referrals FROM referrals "
            "ORDER BY period_start"
        ).fetchall()
        view_upload_ids = {r[0] for r in con.execute("SELECT upload_id FROM referrals").fetchall()}
        old_upload = con.execute(
            "SELECT file_name, uploaded_by, status, rolled_back_at FROM uploads"
        ).fetchall()

    assert version == store.SCHEMA_VERSION
    assert versions == list(range(1, store.SCHEMA_VERSION + 1))
    assert {"rolled_back_at", "rolled_back_by", "superseded_uploads"} <= set(upload_columns)
    assert "audit_log" in tables
    assert stored == rows
    assert view_upload_ids == {upload_id}
    assert old_upload == [("old.csv", "officer", "active", None)]

    # The upgraded file works as a new one: rollback records who and when, new ids follow on.
    assert rollback(db, upload_id, who="tester") == {"removed": 2, "restored": 0}
    assert query(db, "SELECT count(*) FROM referrals") == [(0,)]
    assert query(db, "SELECT rolled_back_by, status FROM uploads") == [("tester", "rolled_back")]
    assert query(db, "SELECT action, upload_id FROM audit_log") == [("rollback", upload_id)]


def test_problems_recorded_before_version_8_keep_their_message_and_have_no_type(db, tmp_path):
    con = duckdb.connect(str(db))
    store.migrate(con, target=7)
    assert "code" not in columns_of(con, "upload_problems")
    con.execute(
        "INSERT INTO upload_problems VALUES (99, NULL, 7, 'Date completed', 'the value is not a "
        "date (expected a date written day first, e.g. 14/05/2024)')"
    )
    con.close()
    path = builders.write_csv(
        tmp_path / "training.csv",
        [
            ["Employee number", "Organisation", "Course", "Completion status", "Date completed"],
            ["E1", "Essex Police", "CAMS modern slavery", "Completed", "14/05/2025"],
            ["E2", "Essex Police", "CAMS modern slavery", "Completed", "31/02/2025"],
        ],
    )

    upload = ingest(UploadRequest(path.read_bytes(), path.name, db=db, skip_invalid=True))

    with store.connect(db, read_only=True) as con:
        assert store.schema_version(con) == store.SCHEMA_VERSION
        assert columns_of(con, "upload_problems")[-1] == "code"
    assert query(db, "SELECT upload_id, row_no, code FROM upload_problems ORDER BY row_no") == [
        (upload.upload_id, 3, "bad-date"),
        (99, 7, None),
    ]


# ---------------------------------------------------------------------------------------------
# One writer process at a time; the others wait briefly
# ---------------------------------------------------------------------------------------------

HOLDER = """
import pathlib, sys, time
import duckdb
con = duckdb.connect(sys.argv[1])
con.execute("SELECT count(*) FROM uploads").fetchall()
pathlib.Path(sys.argv[2]).write_text("ready")
time.sleep(float(sys.argv[3]))
con.close()
"""
HOLD_SECONDS = 1.5


def hold_for_writing(db: Path, tmp_path: Path) -> subprocess.Popen:
    """Another process with the database open for writing, for HOLD_SECONDS after it is ready."""
    ready = tmp_path / f"holder-{time.monotonic_ns()}.ready"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), str(ready), str(HOLD_SECONDS)]
    )
    deadline = time.monotonic() + 30
    while not ready.exists():
        assert holder.poll() is None, "the holding process failed to open the database"
        assert time.monotonic() < deadline, "the holding process never became ready"
        time.sleep(0.02)
    return holder


@pytest.mark.parametrize("read_only", [True, False], ids=["reader", "writer"])
def test_connect_waits_while_another_process_writes(db, tmp_path, read_only):
    with store.connect(db):
        pass  # create and migrate
    holder = hold_for_writing(db, tmp_path)
    try:
        started = time.monotonic()
        with (
            pytest.raises(store.DatabaseBusy, match=r"(?i)database .* is busy"),
            store.connect(db, read_only=read_only, wait=0.2),
        ):
            pass
        assert time.monotonic() - started < HOLD_SECONDS  # gave up after about 0.2 s

        with store.connect(db, read_only=read_only) as con:
            waited = time.monotonic() - started
            assert con.execute("SELECT count(*) FROM uploads").fetchone() == (0,)
    finally:
        assert holder.wait(timeout=30) == 0
    assert waited >= 0.5  # it really had to wait for the other process


def test_threads_each_with_their_own_connection_read_concurrently(db, tmp_path):
    path, expected = builders.referral_crosstab(tmp_path / "referrals.xlsx")
    load(path, db)
    sql = (
        "SELECT strftime(period_start, '%Y-%m'), sum(referrals) FROM referrals "
        "GROUP BY 1 ORDER BY 1"
    )

    def work(_: int) -> list[dict[str, int]]:
        answers = []
        for _ in range(5):
            with store.connect(db, read_only=True) as con:
                answers.append({m: int(n) for m, n in con.execute(sql).fetchall()})
        return answers

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))

    answers = [answer for thread in results for answer in thread]
    assert len(answers) == 40
    assert all(answer == expected["by_month"] for answer in answers)


# ---------------------------------------------------------------------------------------------
# A refusal inside the transaction
# ---------------------------------------------------------------------------------------------


def test_refusal_inside_the_transaction_leaves_nothing_and_ids_go_on(db, tmp_path):
    header = ["Referral type", "Exploitation type", "Age group", "First responder", "Count"]
    monthly = builders.write_csv(
        tmp_path / "monthly.csv",
        [
            ["Month", *header],
            ["Apr-25", "NRM", "Criminal", "Child", "Agency X", 3],
            ["May-25", "NRM", "Labour", "Adult", "Agency X", 2],
        ],
    )
    quarterly = builders.write_csv(
        tmp_path / "quarterly.csv",
        [["Quarter", *header], ["2025/26 Q1", "NRM", "Criminal", "Child", "Agency X", 6]],
    )
    first = load(monthly, db)
    before = snapshot(db)

    with pytest.raises(Refused, match=f"upload {first.upload_id}"):
        load(quarterly, db)  # refused by the overlap check, after its rows were inserted

    assert snapshot(db) == before
    assert query(db, "SELECT upload_id FROM uploads") == [(first.upload_id,)]
    assert query(db, "SELECT DISTINCT upload_id FROM referrals_rows") == [(first.upload_id,)]

    # The refused upload may have used up a sequence number: nothing depends on it.
    june = builders.write_csv(
        tmp_path / "june.csv",
        [["Month", *header], ["Jun-25", "NRM", "Sexual", "Adult", "Agency X", 4]],
    )
    later = load(june, db)
    assert later.status == "loaded" and later.upload_id > first.upload_id
    assert query(db, "SELECT sum(referrals) FROM referrals") == [(3 + 2 + 4,)]
    assert query(
        db,
        "SELECT count(*) FROM referrals_rows WHERE upload_id NOT IN (SELECT upload_id "
        "FROM uploads)",
    ) == [(0,)]
    assert rollback(db, later.upload_id) == {"removed": 1, "restored": 0}
    assert query(db, "SELECT sum(referrals) FROM referrals") == [(3 + 2,)]


# ---------------------------------------------------------------------------------------------
# Settings: the database path and the pseudonym key
# ---------------------------------------------------------------------------------------------


def test_database_path_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("CAMS_DB", str(tmp_path / "from_env.duckdb"))
    assert settings.db_path(tmp_path / "given.duckdb") == tmp_path / "given.duckdb"
    assert settings.db_path(str(tmp_path / "given.duckdb")) == tmp_path / "given.duckdb"
    assert settings.db_path() == tmp_path / "from_env.duckdb"
    monkeypatch.delenv("CAMS_DB")
    assert settings.db_path() == settings.ROOT / "data" / "cams.duckdb"
    assert Path(__file__).resolve().parents[1] == settings.ROOT


def test_pseudonym_key_file_made_once_beside_the_database_private(db):
    key_file = db.parent / "pseudonym.key"
    assert not key_file.exists()

    key = settings.pseudonym_key(db)

    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key) == 32
    assert settings.pseudonym_key(db) == key
    assert bytes.fromhex(key_file.read_text().strip()) == key


def test_pseudonym_key_from_the_environment_overrides_the_file(db, monkeypatch):
    monkeypatch.setenv("CAMS_PSEUDONYM_KEY", "ab" * 32)
    assert settings.pseudonym_key(db) == bytes.fromhex("ab" * 32)
    assert not (db.parent / "pseudonym.key").exists()


def test_a_different_key_gives_different_person_keys(tmp_path, monkeypatch):
    monkeypatch.delenv("CAMS_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("CAMS_KEY_FILE", raising=False)
    path, expected = builders.messy_training_export(tmp_path / "training.xlsx", people=12)
    dbs = {name: tmp_path / name / "cams.duckdb" for name in ("one", "two", "again")}

    def person_keys(name: str) -> set[str]:
        load(path, dbs[name])
        return {r[0] for r in query(dbs[name], "SELECT DISTINCT person_key FROM training")}

    one = person_keys("one")
    two = person_keys("two")  # its own key file, made on first use: another key
    monkeypatch.setenv("CAMS_PSEUDONYM_KEY", settings.pseudonym_key(dbs["one"]).hex())
    again = person_keys("again")  # the first database's key, given in the environment

    assert len(one) == len(two) == expected["people"]
    assert one.isdisjoint(two)
    assert again == one
    assert not (dbs["again"].parent / "pseudonym.key").exists()
    two_key = (dbs["two"].parent / "pseudonym.key").read_text().strip()
    assert os.environ["CAMS_PSEUDONYM_KEY"] != two_key


def test_kept_current_rows_equal_the_live_rule_after_uploads_and_rollbacks(db, tmp_path):
    """The views read `<kind>_current`; every write must leave it equal to the rule itself."""
    from cams_data.ingest import UploadRequest, ingest, rollback
    from cams_data.kinds import KINDS

    first, _ = builders.messy_training_export(tmp_path / "first.xlsx", people=20, seed=3)
    second, _ = builders.messy_training_export(tmp_path / "second.xlsx", people=25, seed=4)
    loaded = [
        ingest(UploadRequest(p.read_bytes(), p.name, db=db)).upload_id for p in (first, second)
    ]
    rollback(db, loaded[0])

    def differences() -> list[int]:
        with store.connect(db, read_only=True) as con:
            return [
                con.execute(
                    f"SELECT count(*) FROM ((SELECT * FROM {name} EXCEPT ALL "
                    f"{store.view_select(kind)}) UNION ALL ({store.view_select(kind)} "
                    f"EXCEPT ALL SELECT * FROM {name}))"
                ).fetchone()[0]
                for name, kind in KINDS.items()
            ]

    assert differences() == [0] * len(KINDS)
    with store.connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM training").fetchone()[0] > 0
        rolled_back = con.execute(
            "SELECT count(*) FROM training WHERE upload_id = ?", [loaded[0]]
        ).fetchone()[0]
    assert rolled_back == 0


def test_freshness_says_what_each_kind_covers_a_survey_by_its_waves(known_year):
    from datetime import date

    import duckdb

    from cams_data import store

    with duckdb.connect(str(known_year[0]), read_only=True) as con:
        table = store.freshness(con).set_index("kind")
    survey = table.loc["survey"]
    # the known year's two waves, October 2024 and October 2025
    assert (survey["covers_from"].date(), survey["covers_to"].date()) == (
        date(2024, 10, 1),
        date(2025, 10, 1),
    )
    assert survey["rows"] > 0 and survey["last_file"].endswith(".xlsx")
    assert table.loc["referrals", "last_file"] == "essex.csv"  # the latest referral upload


def test_freshness_covers_what_the_current_rows_describe_not_the_last_upload(db, tmp_path):
    from datetime import date

    from cams_data import dashboard

    header = ["Month", "Type of referral", "Exploitation type", "Age group", "Referrals"]
    last_year = builders.write_csv(
        tmp_path / "referrals_2024-25.csv",
        [header, ["Apr-24", "NRM", "Labour", "Adult", 3], ["Feb-25", "NRM", "Sexual", "Adult", 2]],
        title_rows=["NRM referrals 2024/25"],
    )
    this_year = builders.write_csv(
        tmp_path / "referrals_2025-26.csv",
        [header, ["Apr-25", "NRM", "Labour", "Adult", 1], ["May-25", "Duty to Notify", "Labour",
                                                           "Adult", 4]],
    )  # fmt: skip
    for path in (last_year, this_year):
        ingest(UploadRequest(path.read_bytes(), path.name, db=db, kind="referrals"))
    with store.connect(db, read_only=True) as con:
        referrals = store.freshness(con).set_index("kind").loc["referrals"]
        shown = dashboard.freshness_table(con).set_index("Data")
    # April 2024 (the first upload's first month) to 31 May 2025 (the second's last)
    assert (referrals["covers_from"].date(), referrals["covers_to"].date()) == (
        date(2024, 4, 1),
        date(2025, 5, 31),
    )
    assert referrals["rows"] == 4 and referrals["last_file"] == "referrals_2025-26.csv"
    assert shown.loc[KINDS["referrals"].title, "Covers"] == "01/04/2024 to 31/05/2025"
    assert shown.loc[KINDS["training"].title, "Covers"] == ""  # nothing loaded
