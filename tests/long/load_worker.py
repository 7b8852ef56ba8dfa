"""One simulated person for tests/long/test_load.py, in a process of its own (DuckDB lets one
process write at a time, so the app's processes and the officers' must share the file).

    python tests/long/load_worker.py viewer N FOLDER
    python tests/long/load_worker.py officer N FOLDER

The database is $CAMS_DB. The worker imports what it needs, prints READY, then waits for a line
on standard input holding the moment (time.time()) to stop at; until then it repeats its task,
and at the end prints one line RESULT {json}: the operations done, every error's text, and (an
officer) each upload with the rows and total it must have.

A viewer opens the app and one page after another, as Streamlit's AppTest runs them (no
sign-in, so a viewer). Officer 0 saves through `upload_flow`, as the Upload page does (a check,
then a save); officer 1 through `python -m cams_data ingest --json`. Each upload is a partner's
return of measures for one quarter of 2025/26, from an organisation of its own, so no upload
replaces another's rows and every one moves the figures the viewers are looking at.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import builders  # noqa: E402

PAGES = (
    "pages/objectives.py",
    "pages/training.py",
    "pages/referrals.py",
    "pages/survey.py",
    "pages/action_plan.py",
    "pages/data_loaded.py",
    "pages/statement_pack.py",
)
PERIOD = "2025/26"
ORGANISATION = "Load test partner"
# (objective as written, measure, value as written, value); the last two are one key, spelled
# twice, which the loader adds up.
RETURN = (
    ("2", "Funding secured (GBP)", "£1,250.50", 1250.5),
    ("3", "Intelligence submissions", "7", 7.0),
    ("3. Multi-agency approach", "Disruption activities", "2", 2.0),
    ("4", "Awareness events", "3", 3.0),
    ("4 ", "Awareness events", "1", 1.0),
)


def partner_return(folder: Path, officer: int, number: int) -> tuple[Path, dict]:
    """Officer `officer`'s `number`th return: a messy CSV, and the rows and total it must give."""
    organisation = f"{ORGANISATION} {officer}.{number}"
    quarter = f"2025/26 Q{number % 4 + 1}" if number % 2 else f"Q{number % 4 + 1} 2025-26"
    rows = [
        ["Objective", "Measure", "Partner", "Quarter", "Value", "Notes"],
        *[[o, m, organisation, quarter, text, ""] for o, m, text, _ in RETURN],
    ]
    path = builders.write_csv(
        folder / f"return_{officer}_{number:03d}.csv",
        rows,
        title_rows=[f"CAMS partnership measures, {organisation}"],
        encoding="cp1252",
    )
    expected = {"rows": len({m for _, m, _, _ in RETURN}), "total": sum(v for *_, v in RETURN)}
    return path, {"file_name": path.name, "organisation": organisation, **expected}


def route_like_a_server() -> None:
    """What tests/conftest.py's `_app_runs_like_a_server` does for the tests, for this process:
    AppTest otherwise forgets on every run that app.py has routed once."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import app_test

    class RoutedPagesManager(PagesManager):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    app_test.PagesManager = RoutedPagesManager


def viewer(number: int, folder: Path, until: float) -> dict:
    from streamlit import config
    from streamlit.testing.v1 import AppTest

    route_like_a_server()
    config.set_option("client.showErrorDetails", "full")  # an error's report has its detail
    runs, errors = 0, []
    visit = number  # viewers start on different pages
    while time.time() < until:
        page = PAGES[visit % len(PAGES)]
        visit += 1
        try:
            app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
            app.query_params["period"] = PERIOD
            app.run()  # the Overview
            runs += 1
            if not app.exception:
                app.switch_page(page).run()
                runs += 1
            if app.exception:
                errors += [f"{page}: {e.message}\n{''.join(e.stack_trace)}" for e in app.exception]
        except Exception:
            errors.append(f"{page}: {traceback.format_exc()}")
    return {"operations": runs, "errors": errors}


def officer(number: int, folder: Path, until: float) -> dict:
    from cams_data import settings, upload_flow
    from cams_data.ingest import UploadRequest

    db = settings.db_path()
    uploads, errors = [], []
    while time.time() < until:
        path, expected = partner_return(folder, number, len(uploads) + len(errors))
        try:
            if number == 0:
                request = UploadRequest(
                    path.read_bytes(), path.name, db=db, uploaded_by="officer 0"
                )
                checked = upload_flow.check(request)
                assert checked.can_save, checked.refusal
                saved = upload_flow.save(request)
                assert saved.can_save, saved.refusal
                upload_id = saved.upload.upload_id
            else:
                done = subprocess.run(
                    [sys.executable, "-m", "cams_data", "ingest", str(path), "--json"],
                    cwd=ROOT,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    text=True,
                    timeout=120,
                )
                assert done.returncode == 0, done.stderr
                upload_id = json.loads(done.stdout)["upload_id"]
            uploads.append({"upload_id": upload_id, **expected})
        except Exception:
            errors.append(f"{path.name}: {traceback.format_exc()}")
    return {"operations": len(uploads), "errors": errors, "uploads": uploads}


def main() -> None:
    role, number, folder = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    work = {"viewer": viewer, "officer": officer}[role]
    if role == "viewer":
        from streamlit.testing.v1 import AppTest  # noqa: F401 (imported before the start)
    else:
        from cams_data import upload_flow  # noqa: F401
    print("READY", flush=True)
    until = float(sys.stdin.readline())
    result = work(number, folder, until)
    print("RESULT " + json.dumps({"role": role, "number": number, **result}), flush=True)


if __name__ == "__main__":
    main()
