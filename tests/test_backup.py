"""Backup and restore (with the pseudonym key kept apart), retention purges, and the audit log."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import builders
import pytest
from conftest import ROOT, query, snapshot

from cams_data import cli, settings
from cams_data.ingest import UploadRequest, ingest, rollback
from cams_data.kinds import KINDS

VIEWS = [*KINDS, "uploads"]  # not the audit log: a backup and a restore each add a line


def every_view(db: Path) -> dict[str, list]:
    """Each view's full contents (what the dashboard reads), in a fixed order."""
    return {name: sorted(map(repr, query(db, f"SELECT * FROM {name}"))) for name in VIEWS}


def test_backup_and_restore_round_trip_every_view_and_the_key(year_copy, tmp_path, capsys):
    before = every_view(year_copy)
    key = settings.key_path(year_copy).read_text()
    out = tmp_path / "backups" / "cams-2025-12-01.duckdb"
    assert cli.main(["backup", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"The pseudonym key is in {out}.key: store it apart" in printed
    assert (out.parent / (out.name + ".key")).read_text() == key
    assert oct((out.parent / (out.name + ".key")).stat().st_mode & 0o777) == "0o600"
    assert every_view(out) == before  # the copy holds every view as it was

    # something changes after the backup; the restore brings the backup's state back
    rollback(year_copy, 1)
    assert every_view(year_copy) != before
    assert cli.main(["restore", str(out)]) == 0
    printed = capsys.readouterr()
    assert f"Restored {out} to {year_copy}." in printed.out
    assert printed.err == ""  # the same key: no warning
    assert every_view(year_copy) == before
    aside = [p.name for p in year_copy.parent.iterdir() if ".before-restore-" in p.name]
    assert [n for n in aside if n.startswith("cams.duckdb.before-restore-")]  # nothing is lost
    modes = {oct((year_copy.parent / n).stat().st_mode & 0o777) for n in aside}
    assert modes == {"0o600"}  # personal data kept aside is for its owner alone
    actions = [r[0] for r in query(year_copy, "SELECT action FROM audit_log")]
    assert "backup" in actions and actions[-1] == "restore"


def test_a_restore_warns_when_the_backup_key_differs(year_copy, tmp_path, capsys):
    out = tmp_path / "backup.duckdb"
    assert cli.main(["backup", "--out", str(out), "--key-out", str(tmp_path / "apart.key")]) == 0
    backup_key = (tmp_path / "apart.key").read_text()
    settings.key_path(year_copy).write_text("ab" * 32 + "\n")  # the key was replaced since
    assert cli.main(["restore", str(out), "--key", str(tmp_path / "apart.key")]) == 0
    warning = capsys.readouterr().err
    assert "Warning: The backup's pseudonym key" in warning and "differs from the key in use" in (
        warning
    )
    assert settings.key_path(year_copy).read_text() == backup_key  # the backup's key is back
    kept = [p for p in year_copy.parent.iterdir() if p.name.startswith("pseudonym.key.before")]
    assert [p.read_text() for p in kept] == ["ab" * 32 + "\n"]
    assert [oct(p.stat().st_mode & 0o777) for p in kept] == ["0o600"]


def test_the_copies_a_restore_keeps_aside_are_ignored_by_git():
    names = ["data/cams.duckdb.before-restore-20261201-093000",
             "data/cams.duckdb.wal.before-restore-20261201-093000",
             "elsewhere/pseudonym.key.before-restore-20261201-093000"]  # fmt: skip
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", *names], cwd=ROOT, capture_output=True, text=True
    )
    assert ignored.stdout.splitlines() == names


def test_backup_refuses_to_overwrite_and_restore_refuses_a_stranger(year_copy, tmp_path, capsys):
    out = tmp_path / "backup.duckdb"
    out.write_text("something else")
    assert cli.main(["backup", "--out", str(out)]) == 1
    assert "already exists: choose a new file name" in capsys.readouterr().err
    before = snapshot(year_copy)
    assert cli.main(["restore", str(out)]) == 1
    assert "is not a CAMS database backup" in capsys.readouterr().err
    assert snapshot(year_copy) == before


def test_a_backup_taken_while_uploads_are_being_saved_is_consistent(db, tmp_path):
    """Another process saves uploads in a loop while backups are taken: every upload in each
    copy is whole (all its rows or none), and the copies open."""
    files = []
    for month in range(1, 7):
        rows = [["Month", "Referral type", "Exploitation type", "Age group", "Number"]]
        rows += [[f"{month:02d}/2025", "NRM", t, "Adult", 5 + i] for i, t in
                 enumerate(["Labour", "Sexual", "Criminal"])]  # fmt: skip
        files.append(builders.write_csv(tmp_path / f"referrals_{month}.csv", rows))
    env = {**os.environ, "CAMS_DB": str(db)}
    writer = subprocess.Popen(
        [sys.executable, "-c", "import sys\nfrom cams_data import cli\n"
         "for f in sys.argv[1:]:\n    cli.main(['ingest', f])", *map(str, files)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    copies = []
    deadline = time.monotonic() + 60
    while writer.poll() is None and time.monotonic() < deadline:
        if db.exists():
            out = tmp_path / f"copy_{len(copies)}.duckdb"
            assert cli.main(["backup", "--out", str(out)]) == 0
            copies.append(out)
    assert writer.wait(60) == 0, writer.stderr.read()
    out = tmp_path / "final.duckdb"
    assert cli.main(["backup", "--out", str(out)]) == 0
    copies.append(out)
    for copy in copies:
        for upload_id, rows_loaded in query(copy, "SELECT upload_id, rows_loaded FROM uploads"):
            stored = query(copy, "SELECT count(*) FROM referrals_rows WHERE upload_id = ?",
                           [upload_id])[0][0]  # fmt: skip
            assert stored == rows_loaded, (copy.name, upload_id)
    assert query(out, "SELECT count(*), sum(referrals) FROM referrals") == [(18, 6 * (5 + 6 + 7))]


# --- retention --------------------------------------------------------------------------------


def measures_file(path: Path, value: int, period: str = "2019/20 Q1") -> Path:
    rows = [["Objective", "Measure", "Period", "Value"], [3, "Intelligence submissions", period,
            value]]  # fmt: skip
    return builders.write_csv(path, rows, title_rows=["Partner return"])


def backdate(db: Path, upload_id: int, when: datetime) -> None:
    import duckdb

    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE uploads SET uploaded_at = ? WHERE upload_id = ?", [when, upload_id])


def test_purge_erases_old_rolled_back_and_superseded_rows_never_current(db, tmp_path, capsys):
    old, recent = datetime(2018, 5, 1), datetime.now() - timedelta(days=30)
    for n, value in enumerate((10, 20, 30), start=1):  # each replaces the one before
        ingest(
            UploadRequest(
                measures_file(tmp_path / f"m{n}.csv", value).read_bytes(), f"m{n}.csv", db=db
            )
        )
    ingest(
        UploadRequest(
            measures_file(tmp_path / "m4.csv", 7, "2019/20 Q2").read_bytes(), "m4.csv", db=db
        )
    )
    rollback(db, 4)
    backdate(db, 1, old)  # superseded, old: purged
    backdate(db, 2, recent)  # superseded but recent: kept
    backdate(db, 3, old)  # current, however old: kept
    backdate(db, 4, old)  # rolled back, old: purged
    figures = query(db, "SELECT * FROM measures")

    assert cli.main(["purge", "--older-than", "6y", "--dry-run"]) == 0
    assert "2 uploads older than 6y would erase" in capsys.readouterr().out
    assert query(db, "SELECT count(*) FROM measures_rows")[0][0] == 4  # a dry run erases nothing

    assert cli.main(["purge"]) == 0  # the policy's age from cams.toml: 6y
    printed = capsys.readouterr().out
    assert "erased upload 1 (measures, m1.csv, 01/05/2018, superseded): 1 rows" in printed
    assert "erased upload 4 (measures, m4.csv, 01/05/2018, rolled back): 1 rows" in printed
    assert query(db, "SELECT upload_id FROM measures_rows ORDER BY 1") == [(2,), (3,)]
    assert query(db, "SELECT * FROM measures") == figures  # what the dashboard shows is unchanged
    assert query(db, "SELECT upload_id, status, erased_by LIKE 'retention policy%' FROM uploads "
                     "WHERE upload_id IN (1, 4) ORDER BY 1") == [(1, "erased", True),
                                                                (4, "erased", True)]  # fmt: skip
    logged = query(db, "SELECT upload_id, detail FROM audit_log WHERE action = 'purge' ORDER BY 1")
    assert [u for u, _ in logged] == [1, 4]
    assert "1 rows of a superseded upload from 01/05/2018, older than 6y" in logged[0][1]


def test_purge_refuses_an_age_it_cannot_read(db, capsys):
    assert cli.main(["purge", "--older-than", "six years"]) == 2
    assert "is not an age such as 6y" in capsys.readouterr().err


# --- the audit log of exports -----------------------------------------------------------------


def test_the_pack_and_chart_downloads_are_logged(known_year, year_copy, tmp_path):
    out = tmp_path / "pack"
    assert cli.main(["export", "--year", "2025/26", "--out", str(out)]) == 0
    who, action, detail = query(
        year_copy, "SELECT who, action, detail FROM audit_log ORDER BY logged_at DESC LIMIT 1"
    )[0]
    assert action == "export" and detail.startswith("statement pack 2025/26: ")
    assert who  # the account that ran it
    assert date.today() == query(year_copy, "SELECT max(logged_at)::DATE FROM audit_log")[0][0]


def referral_chart_downloads(monkeypatch) -> dict:
    """The Referrals page's chart downloads (2025/26), by file name: each a function that makes
    the file, as pressing its button does."""
    from streamlit.testing.v1 import AppTest

    from cams_data import chart_downloads

    made = {}
    real = chart_downloads.st.container

    class Row:
        def download_button(self, label, data, file_name, **kwargs):
            made[file_name] = data

    def container(**kw):
        return Row() if kw.get("horizontal") else real(**kw)

    monkeypatch.setattr(chart_downloads.st, "container", container)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.query_params["period"] = "2025/26"
    app.run()
    app.switch_page("pages/referrals.py").run()
    assert not app.exception, app.exception
    return made


@pytest.mark.parametrize("suffix", ["png", "csv"])
def test_a_chart_download_is_logged_when_its_file_is_made(year_copy, monkeypatch, suffix):
    made = referral_chart_downloads(monkeypatch)
    name = f"referrals_by_exploitation_type.{suffix}"
    assert query(year_copy, "SELECT count(*) FROM audit_log WHERE action = 'export'")[0][0] == 0
    data = made[name]()  # pressing the button makes the file
    assert data
    detail = query(year_copy, "SELECT who, detail FROM audit_log WHERE action = 'export'")
    assert detail == [("viewer", f"{suffix.upper()} of 'referrals_by_exploitation_type'")]


def test_a_chart_the_renderer_cannot_draw_downloads_as_a_picture_saying_why(year_copy, monkeypatch):
    from PIL import Image

    from cams_data import export

    monkeypatch.setattr(export, "RENDER_TARGET", "cams_data.sandbox:abort")
    made = referral_chart_downloads(monkeypatch)
    picture = made["referrals_by_exploitation_type.png"]()
    assert Image.open(io.BytesIO(picture)).format == "PNG"
    assert picture == export.notice_png(
        "The chart 'Referrals by exploitation type' could not be drawn: the program that draws "
        "charts stopped unexpectedly on it."
    )
    assert made["referrals_by_exploitation_type.svg"]() == export.notice_svg(
        "The chart 'Referrals by exploitation type' could not be drawn: the program that draws "
        "charts stopped unexpectedly on it."
    )
