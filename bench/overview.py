"""Overview benchmark: the Overview's rerun time on a large database, next to a trivial page's.

Builds a database through the real loader (`cams_data.ingest.ingest`): 300,000 training rows, five
yearly establishment snapshots, five years of monthly referrals, three survey waves, five years of
quarterly partnership measures and an action plan (the files and database are kept in bench/out/
and reused while the files and the data layer are unchanged). Then, in one process, with
Streamlit's AppTest: a trivial page (no data), the real app (`app.py`, whose default page is the
Overview) and the Overview's layout with fixed figures (no queries), each run once and then rerun
N times, interleaved so all see the same machine. AppTest is made to run scripts as a server does
(see `server_like`). The target is that the data costs little next to Streamlit's own overhead:
the Overview's median rerun at most 2x the trivial page's. The result is a report: the exit code
is 0 whether or not the target is met, non-zero only on errors. Each run appends one JSON line to
bench/out/overview.json.

Usage: python bench/overview.py [--rows N] [--reruns N] [--rebuild] [--recompile]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import logging
import os
import pickle
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from learning_export import COURSES, STATUSES  # noqa: E402

from cams_data import demo  # noqa: E402
from cams_data.periods import add_months  # noqa: E402

TARGET_RATIO = 2.0
OVERVIEW_TITLE = "Progress against the four objectives"
MONTHS = 60  # five years of figures, to the end of last month
END = date.today().replace(day=1)  # so the files (and the database) change once a month
FIRST_MONTH = add_months(END, -MONTHS)
LAST_OCTOBER = END.year if END.month > 10 else END.year - 1  # the staff survey is each October
ESTABLISHMENT_SCALE = 10  # the demo's 694 posts, ten times over: a large council
LEAVERS = 0.3  # people in the export who have since left (not in the establishment)
ROWS_PER_TRAINING_FILE = 100_000  # about 11 MB: the upload limit is 20 MB
SURVEY_WAVES = tuple(f"{year}-10" for year in range(LAST_OCTOBER - 2, LAST_OCTOBER + 1))
SURVEY_RESPONDENTS = 300
BENCH_KEY = "b3" * 32  # a fixed pseudonym key: the same files give the same database
REBUILD_AFTER_DAYS = 30  # uploads older than the Overview's "since" default would change its work
# The data layer: a change to any of these may change what the database holds.
DATA_LAYER = (
    "ingest.py",
    "store.py",
    "kinds.py",
    "validate.py",
    "shape.py",
    "read.py",
    "values.py",
    "text.py",
    "settings.py",
)

TRIVIAL_PAGE = """
import streamlit as st

st.set_page_config(page_title="Trivial page", layout="wide")
st.title("A trivial page")
st.write("No data: only Streamlit's own cost of a run.")
columns = st.columns(3)
for column, (label, value) in zip(columns, [("One", 1), ("Two", 2), ("Three", 3)]):
    column.metric(label, value)
st.write("The end.")
"""

# The Overview's layout with its figures fixed: the same sidebar, cards, metrics, captions, links
# and tables (the Overview's own, from its first run), and no queries. What Streamlit alone costs
# for that much page: the Overview's rerun over this one is what its data costs.
TWIN_APP = """
import streamlit as st

HELPLINE = "Modern Slavery & Exploitation Helpline 08000 121 700; in an emergency 999."
st.set_page_config(page_title="Overview layout, no data", layout="wide")
navigation = st.navigation(
    [st.Page("pages/twin.py", title="Overview", default=True), st.Page("pages/other.py")]
)
with st.sidebar:
    st.selectbox("Period", ["2026/27-Q2", "2026/27-Q1"], key="period", bind="query-params")
    st.selectbox(
        "Organisation", ["All organisations", "A council"], key="organisation", bind="query-params"
    )
    with st.expander("Data last updated", icon=":material/update:"):
        st.markdown("\\n".join(f"- Kind {i}: 24/11/2026" for i in range(6)))
    st.caption(HELPLINE)
    st.caption("Dashboards only: sign-in is not set up.")
navigation.run()
st.divider()
st.caption(HELPLINE)
"""
# What the layout twin and its fewest-elements variant share: the fixed figures, the title,
# and the tables under the cards.
PAGE_HEAD = """
import pickle
from datetime import date
from pathlib import Path

import streamlit as st


@st.cache_resource
def content():
    return pickle.loads((Path(__file__).parents[1] / "content.pkl").read_bytes())


cards, tables = content()
st.title("Progress against the four objectives")
st.caption("2026/27-Q2 (July to September 2026) · All organisations")
"""
PAGE_TABLES = """
st.header("Since the last meeting")
st.date_input("Changes since", value=date(2026, 8, 25), format="DD/MM/YYYY", key="since")
for number, table in enumerate(tables[:-1]):
    if number:
        st.subheader("Figures for 2026/27-Q2 they changed")
    st.dataframe(table, hide_index=True, key=f"table-{number}")
st.header("How fresh the figures are")
st.dataframe(tables[-1], hide_index=True, key="freshness")
"""
TWIN_PAGE = (
    PAGE_HEAD
    + """
for row_start in (0, 2):
    for column, metrics in zip(st.columns(2), cards[row_start : row_start + 2]):
        with column.container(border=True):
            st.subheader("1. An objective of the partnership")
            st.badge("Green", color="green", icon=":material/flag:")
            for number in range(metrics):
                st.metric(f"Indicator {number}", "86%", "+5 pts", delta_description="since Q1")
                st.caption("Green · Target 90%")
            st.page_link("pages/other.py", label="All evidence", query_params={"objective": "1"})
"""
    + PAGE_TABLES
)

# The same content with the fewest elements Streamlit allows: each card one Markdown block (no
# metrics, captions, badges or page links), the same sidebar, date and tables, no data. What a
# redesign for speed alone could reach.
LEAN_PAGE = (
    PAGE_HEAD
    + """
columns = st.columns(2)
for number, metrics in enumerate(cards):
    lines = ["#### 1. An objective of the partnership :green-badge[:material/flag: Green]"]
    for indicator in range(metrics):
        lines.append(
            f"Indicator {indicator}: **86%** :green[+5 pts since Q1]  \\nGreen · Target 90%"
        )
    lines.append("[All evidence](/objectives?objective=1)")
    columns[number % 2].container(border=True).markdown("\\n\\n".join(lines))
"""
    + PAGE_TABLES
)


# ---------------------------------------------------------------- the files


def _csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(text.getvalue(), encoding="utf-8")
    return path


def _financial_year(day: date) -> int:
    """The year the financial year holding `day` starts in (April to March)."""
    return day.year if day.month >= 4 else day.year - 1


def _posts() -> list[tuple[str, str, str, int]]:
    """(organisation, service area, role, headcount) at the latest snapshot."""
    return [
        (org, service, role, headcount * ESTABLISHMENT_SCALE)
        for org, service, roles in demo.ESTABLISHMENT
        for role, headcount in roles
    ]


def write_establishment(folder: Path) -> list[tuple[Path, str, dict]]:
    """One HR snapshot each 1 April of the last five years, the service growing a little."""
    files = []
    latest = _financial_year(END - timedelta(days=1))
    for year in range(latest - 4, latest + 1):
        shrink = 0.96 ** (latest - year)
        rows = [
            [org, service, role, max(1, round(headcount * shrink)), f"01/04/{year}"]
            for org, service, role, headcount in _posts()
        ]
        path = _csv(
            folder / f"establishment_{year}-04.csv",
            ["Organisation", "Service area", "Role", "Headcount", "As at"],
            rows,
        )
        files.append((path, "establishment", {}))
    return files


def write_training(folder: Path, rows: int, seed: int = 1) -> list[tuple[Path, str, dict]]:
    """A Learning Pool export of `rows` rows (council staff), in files of 100,000 rows or so.

    The upload limit is 20 MB, so the export is split by completion date, as the refusal advises
    officers; courses not (yet) completed are spread over the files, so later files update them.
    """
    rng = random.Random(seed)
    count = max(1, -(-rows // ROWS_PER_TRAINING_FILE))
    council = [p for p in _posts() if p[0] == demo.CCC]
    people = [(s, r) for _, s, r, headcount in council for _ in range(headcount)]
    people += [rng.choice(people) for _ in range(int(len(people) * LEAVERS))]
    days = (add_months(FIRST_MONTH, MONTHS) - FIRST_MONTH).days
    parts: list[list[list[object]]] = [[] for _ in range(count)]
    for number in range(rows):
        person = rng.randrange(len(people))
        service, role = people[person]
        status = rng.choice(STATUSES)
        done = status in ("Completed", "COMPLETED", "Passed")
        day = rng.randrange(days)
        when = FIRST_MONTH + timedelta(days=day) if done else None
        parts[day * count // days if done else number % count].append(
            [
                f"p{person:05d}@bench.example",
                service,
                role,
                rng.choice(COURSES),
                status,
                f"{when:%d/%m/%Y}" if when else "",
            ]
        )
    header = [
        "Email address",
        "Department",
        "Job title",
        "Course title",
        "Completion status",
        "Date completed",
    ]
    return [
        (_csv(folder / f"learning_pool_part{i + 1}.csv", header, part), "training", {})
        for i, part in enumerate(parts)
    ]


def write_referrals(folder: Path, seed: int = 2) -> list[tuple[Path, str, dict]]:
    """Monthly NRM and Duty to Notify counts by exploitation type and age, one file a year."""
    rng = random.Random(seed)
    weights = {
        "Criminal exploitation (county lines)": 0.9,
        "Labour exploitation": 0.5,
        "Sexual exploitation": 0.4,
        "Domestic servitude": 0.15,
        "Organ harvesting": 0.02,
        "Labour & Criminal": 0.1,
        "Not specified": 0.2,
    }
    ages = {"Adult": 1.0, "Child (under 18)": 0.6, "Not specified": 0.1}
    by_year: dict[int, list[list[object]]] = {}
    for offset in range(MONTHS):
        month = add_months(FIRST_MONTH, offset)
        year = _financial_year(month)
        for referral_type, scale in (("NRM", 1.0), ("Duty to Notify (MS1)", 0.35)):
            for exploitation, weight in weights.items():
                for age, age_weight in ages.items():
                    if referral_type != "NRM" and age != "Adult":
                        continue  # Duty to Notify is for adults
                    mean = 3 * scale * weight * age_weight
                    count = sum(rng.random() < mean / 6 for _ in range(6))
                    if count:
                        by_year.setdefault(year, []).append(
                            [f"{month:%b-%y}", referral_type, exploitation, age, count]
                        )
    header = ["Month", "Referral type", "Exploitation type", "Age group", "Number of referrals"]
    return [
        (
            _csv(folder / f"referrals_{year}-{(year + 1) % 100:02d}.csv", header, rows),
            "referrals",
            {},
        )
        for year, rows in sorted(by_year.items())
    ]


def write_survey(folder: Path, wave: str, respondents: int, seed: int) -> Path:
    """A Microsoft Forms export (the shape of `tests/builders.forms_survey_export`), as CSV."""
    rng = random.Random(seed)
    year, month = int(wave[:4]), int(wave[5:])
    services = sorted({s for _, s, _, _ in _posts()})
    seen_options = ("Posters", "Intranet article", "Training", "Team meeting briefing", "Leaflets")
    aware = 0.55 + 0.08 * (year - 2024)
    rows = []
    starts = sorted(
        datetime(year, month, rng.randint(1, 28), rng.randint(8, 17), rng.randint(0, 59))
        for _ in range(respondents)
    )
    for number, start in enumerate(starts, 1):
        done = start + timedelta(seconds=rng.randint(45, 900))
        roll = rng.random()
        report = "Yes" if roll < aware else "No" if roll < aware + (1 - aware) / 2 else "Not sure"
        confident = rng.choice(demo.LIKERT) if rng.random() > 0.1 else ""
        seen = "".join(o + ";" for o in seen_options if rng.random() < 0.35)
        comment = rng.choice(demo.COMMENTS) if rng.random() < 0.2 else ""
        rows.append(
            [
                number,
                f"{start:%d/%m/%Y %H:%M:%S}",
                f"{done:%d/%m/%Y %H:%M:%S}",
                "anonymous",
                "",
                "",
                rng.choice(services),
                report,
                confident,
                seen,
                comment,
            ]
        )
    header = [
        "ID",
        "Start time",
        "Completion time",
        "Email",
        "Name",
        "Last modified time",
        demo.SURVEY_SERVICE,
        demo.SURVEY_REPORT,
        demo.SURVEY_CONFIDENCE,
        demo.SURVEY_SEEN,
        demo.SURVEY_COMMENTS,
    ]
    return _csv(folder / f"staff_survey_{wave}.csv", header, rows)


def write_measures(folder: Path, seed: int = 3) -> list[tuple[Path, str, dict]]:
    """The partners' quarterly figures, 20 quarters, in one hand-typed CSV."""
    rng = random.Random(seed)
    rows = []
    for offset in range(0, MONTHS, 3):
        start = add_months(FIRST_MONTH, offset)
        year = _financial_year(start)
        quarter = f"{year}/{(year + 1) % 100:02d} Q{(start.month - 4) % 12 // 3 + 1}"
        for objective, measure, organisation, low, high, money in demo.MEASURES:
            value = rng.randint(low, high)
            text = f"£{value // 250 * 250:,}" if money else f"{value:,}"
            rows.append([objective, measure, organisation, quarter, text])
    header = ["Objective", "Measure", "Organisation", "Quarter", "Value"]
    return [(_csv(folder / "partnership_measures.csv", header, rows), "measures", {})]


def write_actions(folder: Path) -> list[tuple[Path, str, dict]]:
    """The plan's actions (the demo's 2025/26 plan) as tracked, once for each of five years."""
    rows = []
    latest = _financial_year(END - timedelta(days=1))
    for years_back in range(5):
        for objective, action, lead, due, status in demo.ACTIONS:
            due = due.replace(year=due.year + latest - 2025 - years_back)
            done = status if years_back == 0 else "Complete"
            label = action if years_back == 0 else f"{action} ({due.year - 1}/{due.year % 100})"
            updated = min(due, END - timedelta(days=1))
            rows.append([objective, label, lead, f"{due:%d/%m/%Y}", done, f"{updated:%d/%m/%Y}"])
    header = ["Objective", "Action", "Lead", "Due date", "Status", "Last updated"]
    return [(_csv(folder / "action_plan_tracker.csv", header, rows), "actions", {})]


def write_files(folder: Path, rows: int) -> list[tuple[Path, str, dict]]:
    """Every file, in the order an officer would upload them: (path, kind, upload options)."""
    folder.mkdir(parents=True, exist_ok=True)
    surveys = [
        (write_survey(folder, wave, SURVEY_RESPONDENTS, 10 + i), "survey", {"wave": wave})
        for i, wave in enumerate(SURVEY_WAVES)
    ]
    return [
        *write_establishment(folder),
        *write_training(folder, rows),
        *write_referrals(folder),
        *surveys,
        *write_measures(folder),
        *write_actions(folder),
    ]


# ---------------------------------------------------------------- the database


def _fingerprint(files: list[tuple[Path, str, dict]]) -> str:
    digest = hashlib.sha256()
    for path, kind, options in files:
        digest.update(f"{path.name}|{kind}|{sorted(options.items())}|".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name in DATA_LAYER:
        digest.update(name.encode())
        digest.update((ROOT / "cams_data" / name).read_bytes())
    return digest.hexdigest()


def build_database(rows: int, rebuild: bool) -> tuple[Path, float, bool, dict[str, int]]:
    """The database, built through `ingest` unless an identical one is cached in bench/out/.

    Returns (path, seconds the uploads took, whether it was reused, rows in each view).
    """
    from cams_data import store
    from cams_data.ingest import UploadRequest, ingest
    from cams_data.validate import Options

    start = time.perf_counter()
    files = write_files(OUT / f"overview_files_{rows}", rows)
    print(f"  {len(files)} files written in {time.perf_counter() - start:.1f} s")
    db = OUT / f"overview_{rows}.duckdb"
    manifest = OUT / f"overview_{rows}.manifest.json"
    fingerprint = _fingerprint(files)
    if not rebuild and db.exists() and manifest.exists():
        saved = json.loads(manifest.read_text())
        built = datetime.fromisoformat(saved["built_at"])
        if saved["fingerprint"] == fingerprint and datetime.now() - built < timedelta(
            days=REBUILD_AFTER_DAYS
        ):
            return db, saved["build_seconds"], True, saved["row_counts"]
    for stale in OUT.glob(db.name + "*"):
        stale.unlink()
    start = time.perf_counter()
    for path, kind, options in files:
        ingest(
            UploadRequest(
                path.read_bytes(), path.name, db=db, kind=kind, options=Options(**options)
            )
        )
    seconds = time.perf_counter() - start
    with store.connect(db, read_only=True) as con:
        counts = store.row_counts(con)
    manifest.write_text(
        json.dumps(
            {
                "fingerprint": fingerprint,
                "built_at": datetime.now().isoformat(timespec="seconds"),
                "build_seconds": seconds,
                "row_counts": counts,
            },
            indent=1,
        )
    )
    return db, seconds, False, counts


# ---------------------------------------------------------------- the measurement


def _timed_run(app) -> float:
    start = time.perf_counter()
    app.run()
    seconds = time.perf_counter() - start
    if app.exception:
        raise SystemExit(f"The page raised an exception:\n{app.exception}")
    return seconds


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p90 = ordered[min(len(ordered) - 1, -(-9 * len(ordered) // 10) - 1)]  # nearest rank
    return {"median": statistics.median(ordered), "p90": p90, "min": ordered[0]}


@contextmanager
def server_like(recompile: bool) -> Iterator[None]:
    """Make AppTest run scripts as a running server does; undone on exit.

    - AppTest marks the app as an old-style `pages/` folder app before every run, so each rerun
      starts the page file alone, and `ui.ensure_router` restarts it through app.py: two starts
      a run. A server leaves that mode for good once app.py has called st.navigation: so does
      this, and each run is one pass through app.py.
    - AppTest compiles every script again on every run; a server compiles each once. Kept
      when `recompile` is true.
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    class NavigationPagesManager(PagesManager):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False  # what st.navigation sets in a server

    saved = (app_test.PagesManager, app_test.ScriptCache, local_script_runner.ScriptCache)
    app_test.PagesManager = NavigationPagesManager
    if not recompile:
        shared = ScriptCache()
        app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared
    try:
        yield
    finally:
        app_test.PagesManager, app_test.ScriptCache, local_script_runner.ScriptCache = saved


def _check_overview(app) -> None:
    """The whole app ran: app.py's sidebar and helpline around the Overview."""
    if not app.title or app.title[0].value != OVERVIEW_TITLE:
        raise SystemExit("The app did not show the Overview.")
    if not app.sidebar.selectbox or "08000 121 700" not in app.caption[-1].value:
        raise SystemExit("The run skipped app.py: no sidebar filters or helpline.")


def _write_twin(folder: Path, overview, page: str = TWIN_PAGE) -> Path:
    """The Overview's layout without its data (TWIN_APP), with the Overview's own tables."""
    from cams_data import indicators

    (folder / "pages").mkdir(parents=True)
    (folder / "twin_app.py").write_text(TWIN_APP, encoding="utf-8")
    (folder / "pages" / "twin.py").write_text(page, encoding="utf-8")
    (folder / "pages" / "other.py").write_text("import streamlit as st\n", encoding="utf-8")
    cards = [sum(i.headline for i in o.indicators) for o in indicators.objectives()]
    tables = [table.value for table in overview.dataframe]
    (folder / "content.pkl").write_bytes(pickle.dumps((cards, tables)))
    return folder / "twin_app.py"


def _elements(app) -> dict[str, int]:
    kinds = ("metric", "caption", "dataframe", "subheader", "header", "selectbox", "date_input")
    return {kind: len(getattr(app, kind)) for kind in kinds}


def measure(db: Path, reruns: int, scratch: Path, recompile: bool) -> dict[str, object]:
    """First run and `reruns` reruns of the trivial page, the app and its layout twin."""
    from streamlit.testing.v1 import AppTest

    # Quiet what Streamlit warns of when used outside a server: "No runtime found", "missing
    # ScriptRunContext" (AppTest resets Streamlit's log level on each run, so switch them off).
    for name in ("caching.cache_data_api", "scriptrunner_utils.script_run_context"):
        logging.getLogger(f"streamlit.runtime.{name}").disabled = True
    # What the app imports, imported now: a cold run then measures empty caches and the queries,
    # as after a new upload in a running server, not Python importing pandas and Altair.
    from cams_data import cache, charts, dashboard, ui  # noqa: F401

    os.environ["CAMS_DB"] = str(db)
    trivial_file = scratch / "trivial_page.py"
    trivial_file.write_text(TRIVIAL_PAGE, encoding="utf-8")
    with server_like(recompile):
        trivial = AppTest.from_file(str(trivial_file), default_timeout=60)
        trivial_first = _timed_run(trivial)  # includes Streamlit's one-off set-up
        _timed_run(trivial)

        # The app's first run in this process: st.cache_data is empty, every figure is queried.
        overview = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        overview_cold = _timed_run(overview)
        _check_overview(overview)

        twin = AppTest.from_file(str(_write_twin(scratch / "twin", overview)), default_timeout=60)
        _timed_run(twin)
        _timed_run(twin)
        lean_app = _write_twin(scratch / "lean", overview, LEAN_PAGE)
        lean = AppTest.from_file(str(lean_app), default_timeout=60)
        _timed_run(lean)
        _timed_run(lean)
        pages = {"trivial": trivial, "overview": overview, "twin": twin, "lean": lean}
        times: dict[str, list[float]] = {name: [] for name in pages}
        for _ in range(reruns):
            for name, app in pages.items():
                times[name].append(_timed_run(app))
        _check_overview(overview)
    return {
        "trivial_first": trivial_first,
        "overview_cold": overview_cold,
        **{name: _summary(values) for name, values in times.items()},
        "period": overview.sidebar.selectbox[0].value,
        "elements": {"overview": _elements(overview), "twin": _elements(twin)},
    }


def _git_commit() -> str | None:
    head = ROOT / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
        if ref.startswith("ref: "):
            return (ROOT / ".git" / ref[5:]).read_text().strip()[:12]
        return ref[:12]
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=300_000, help="training rows")
    parser.add_argument("--reruns", type=int, default=30, help="reruns of each page")
    parser.add_argument(
        "--recompile",
        action="store_true",
        help="compile the scripts on every run, as AppTest does (a server compiles them once)",
    )
    parser.add_argument("--rebuild", action="store_true", help="ignore a cached database")
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    os.environ["CAMS_PSEUDONYM_KEY"] = BENCH_KEY

    print(f"Building the database ({args.rows:,} training rows) through cams_data.ingest ...")
    db, build_seconds, reused, counts = build_database(args.rows, args.rebuild)
    size_mb = db.stat().st_size / 1024 / 1024
    how = "reused (same files and data layer), its uploads took" if reused else "uploads took"
    print(f"  {db.relative_to(ROOT)}: {size_mb:.0f} MB, {how} {build_seconds:.1f} s")
    print("  rows in the views: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))

    compiled = "on every run, as AppTest does" if args.recompile else "once, as a server does"
    print(
        f"\nMeasuring with AppTest: a first run, then {args.reruns} reruns of each page, "
        f"interleaved; scripts compiled {compiled} ..."
    )
    with tempfile.TemporaryDirectory() as scratch:
        result = measure(db, args.reruns, Path(scratch), args.recompile)
    trivial, overview, twin = result["trivial"], result["overview"], result["twin"]
    lean = result["lean"]
    ratio = overview["median"] / trivial["median"]
    met = ratio <= TARGET_RATIO

    def ms(seconds: float | None) -> str:
        return "" if seconds is None else f"{seconds * 1000:.1f} ms"

    rows = (
        ("trivial page (no data)", result["trivial_first"], trivial),
        ("Overview (app.py)", result["overview_cold"], overview),
        ("Overview layout, no data", None, twin),
        ("same content, fewest elements", None, lean),
    )
    print(f"\n  {'page':28} {'first run':>10} {'rerun median':>13} {'rerun p90':>10}")
    for name, first, reruns in rows:
        print(f"  {name:28} {ms(first):>10} {ms(reruns['median']):>13} {ms(reruns['p90']):>10}")
    print(
        f"\n  The Overview showed {result['period']}; its first run had empty caches "
        "(every figure queried)."
    )
    elements = result["elements"]
    if elements["overview"] != elements["twin"]:
        print(
            f"  Note: the layout twin no longer matches the Overview's elements "
            f"({elements['twin']} against {elements['overview']}); update TWIN_PAGE."
        )
    print(
        f"  Data's share: Overview rerun / its layout without data: "
        f"{overview['median'] / twin['median']:.2f}x; the layout alone / trivial page: "
        f"{twin['median'] / trivial['median']:.2f}x."
    )
    print(
        f"  The same content drawn with the fewest elements (each card one Markdown block), no "
        f"data: {lean['median'] / trivial['median']:.2f}x the trivial page."
    )
    print(
        f"  Ratio, Overview rerun median / trivial rerun median: {ratio:.2f}x "
        f"(target at most {TARGET_RATIO:g}x): {'met' if met else 'NOT met'}."
    )

    record = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "python": platform.python_version(),
        "streamlit": __import__("streamlit").__version__,
        "training_rows": args.rows,
        "view_rows": counts,
        "db_mb": round(size_mb, 1),
        "build_seconds": round(build_seconds, 2),
        "build_reused": reused,
        "reruns": args.reruns,
        "scripts_compiled": "every run" if args.recompile else "once",
        "trivial_first_s": round(result["trivial_first"], 4),
        "trivial_rerun_median_s": round(trivial["median"], 4),
        "trivial_rerun_p90_s": round(trivial["p90"], 4),
        "overview_cold_s": round(result["overview_cold"], 4),
        "overview_rerun_median_s": round(overview["median"], 4),
        "overview_rerun_p90_s": round(overview["p90"], 4),
        "layout_no_data_rerun_median_s": round(twin["median"], 4),
        "fewest_elements_rerun_median_s": round(lean["median"], 4),
        "ratio": round(ratio, 3),
        "target_ratio": TARGET_RATIO,
        "target_met": met,
    }
    with (OUT / "overview.json").open("a", encoding="utf-8") as log:
        log.write(json.dumps(record) + "\n")
    print(f"  Appended to {(OUT / 'overview.json').relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
