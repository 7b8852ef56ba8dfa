"""Every reader, fuzzed: whatever bytes arrive, an upload loads or is refused with a plain message
naming the file, and a refusal leaves the database exactly as it was.

Six strategies, each derandomised (the same examples on every run, so CI is deterministic):
  1. random bytes, some behind the zip (xlsx), ODS or OLE (xls) magic numbers, a BOM or UTF-16;
  2. real files of every kind in every format (xlsx, xls, ods, CSV in UTF-8, cp1252 and UTF-16)
     cut short at a random length;
  3. the same files with bytes flipped, overwritten, inserted or deleted; workbooks also with the
     XML of one part broken and re-zipped, so that the archive is valid but its content is not;
  4. valid rows of each kind under a random header row (unicode, blank, duplicated, very long,
     formulas, periods that do not exist);
  5. valid files of each kind with random values in some cells (text in number columns, odd
     dates, huge and negative numbers, NaN, HTML, right-to-left text, emoji, 10,000 characters,
     control characters);
  6. the shapes of issue 14: a cell placed far from A1 (anywhere up to XFD1048576) in an .xlsx
     (its <dimension> kept or lying), an .ods (by repeated rows and cells, perhaps padded to the
     grid's edge as LibreOffice saves) or an .xlsb (its BrtWsDim kept or lying); an archive's
     parts named in any case or with backslashes (sheet1.XML, SharedStrings.Xml,
     [Content_Types].XML); C0 and C1 controls, zero-width and direction marks in text cells of
     every kind and format; CSVs in UTF-8 with stray Windows-1252 bytes, UTF-16 LE or BE with or
     without a BOM, Windows-1252 or Latin-1, some with a NUL byte.
A file with a cell beyond the sheet limits must be refused for it; a loaded file whose text held
control characters must have stored none.
Each example starts from a copy of one small database that already holds two uploads, so that
"unchanged" means something. A hang is caught by a wall clock around each upload (and, should
native code hold the interpreter, by faulthandler ending the run with every thread's stack).

A failing example's bytes are saved under $TMPDIR/cams-fuzz-failures/ (the path is in the
failure's notes) so that it can be turned into a regression test in tests/test_fuzz_regressions.py.
Should faulthandler end the run, the stacks are in hang-stacks.txt there, and the upload that was
running in running-upload (its recipe in running-upload.txt).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import faulthandler
import functools
import hashlib
import importlib
import io
import os
import pkgutil
import re
import shutil
import signal
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import builders as b
import duckdb
import pytest
from conftest import query, snapshot
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import cams_data
from cams_data import read
from cams_data.ingest import Upload, UploadRequest, ingest
from cams_data.kinds import KINDS
from cams_data.problems import Refused
from cams_data.shape import _is_total_label
from cams_data.text import INVISIBLE, clean_text, normalise_header

TODAY = dt.date(2025, 11, 3)  # ingest's "today" (defaults of as-at and last-updated dates)
STAMP = (2025, 1, 1, 0, 0, 0)  # the time written inside every workbook built here
DEADLINE = dt.timedelta(seconds=20)  # hypothesis: one example, copy and checks included
WALL_CLOCK = 25  # seconds one upload may take before it is called a hang
BACKSTOP = 90  # seconds before faulthandler ends the run (native code holding the GIL)

# Examples per strategy: 4,260 in all; about 4 minutes on a quiet 2-core machine, 8 when busy.
# The issue's shapes are few but slow: most of them load, at about 0.3 s each (a minute in all).
EXAMPLES = {
    "random_bytes": 1000,
    "truncated": 800,
    "mutated": 1000,
    "headers": 500,
    "cells": 700,
    "issue_shapes": 200,
    "round_trip": 60,
}


@pytest.fixture(scope="module", autouse=True)
def _constants_of_cams_data_only():
    """Hypothesis (>= 6.131) mixes the literals of every local module loaded so far into what it
    draws, so the examples would depend on which tests ran before in the process. They are pinned
    to the literals of cams_data (all of its modules), which stay useful to a fuzz ('Total',
    category names) and change only when cams_data does. Hypothesis is pinned in
    requirements.txt; should its internals move, the fuzz still runs, only less pinned."""
    try:
        from hypothesis.internal.conjecture import providers
        from hypothesis.internal.constants_ast import Constants, constants_from_module
        from sortedcontainers import SortedSet
    except ImportError:  # pragma: no cover
        yield
        return
    # Sorted, as hypothesis keeps its own: a plain set's order changes with each process.
    pinned = Constants(
        integers=SortedSet(),
        floats=SortedSet(key=providers.float_to_int),
        bytes=SortedSet(),
        strings=SortedSet(),
    )
    for module in pkgutil.iter_modules(cams_data.__path__):
        if module.name != "__main__":
            pinned |= constants_from_module(importlib.import_module(f"cams_data.{module.name}"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(providers, "_get_local_constants", lambda: pinned)
        providers.CONSTANTS_CACHE.cache.clear()
        yield
    providers.CONSTANTS_CACHE.cache.clear()


def fuzz_settings(examples: int):
    return settings(
        derandomize=True,
        max_examples=examples,
        deadline=DEADLINE,
        database=None,
        print_blob=False,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.function_scoped_fixture,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


# --- the valid tables of every kind, and the files built from them ---------------------------

FORMATS = ("xlsx", "xls", "ods", "csv-utf-8", "csv-cp1252", "csv-utf-16")

TABLES: dict[str, tuple[str, list[list[object]]]] = {
    "training": (
        "training",
        [
            ["Email address", "Full name", "Service area", "Job title", "Course title"]
            + ["Completion status", "Date completed"],
            ["alex.example@example.org", "Alex Example", "Housing", "Officer"]
            + ["Modern Slavery Awareness", "Completed", dt.date(2025, 5, 14)],
            ["sam.sample@example.org", "Sam Sample", "Planning", "Planner"]
            + ["Modern Slavery Awareness", "In progress", None],
            ["jo.demo@example.org", "Jo Demo", "Community Safety", "Manager"]
            + ["Home Office First Responder", "Passed", "03/06/2025"],
            ["kit.test@example.org", "Kit Test", "Revenues", "Assessor"]
            + ["Modern Slavery Awareness", "Completed", dt.datetime(2025, 7, 1, 9, 30)],
            ["lee.trial@example.org", "Lee Trial", "Housing", "Officer"]
            + ["Home Office First Responder", "Not started", None],
        ],
    ),
    "establishment": (
        "establishment",
        [
            ["Organisation", "Service area", "Role", "Headcount", "As at"],
            ["Colchester City Council", "Housing", "Housing Officer", 24, dt.date(2025, 4, 1)],
            ["Colchester City Council", "Housing", "Team Leader", 3, dt.date(2025, 4, 1)],
            ["Colchester City Council", "Planning", "Planner", 11, "01/04/2025"],
            ["Colchester Borough Homes", "Repairs", "Surveyor", "1,204", dt.date(2025, 4, 1)],
            ["Total", None, None, 1242, None],
        ],
    ),
    "referrals": (
        "referrals",
        [
            ["Quarter", "Referral type", "Type of exploitation", "Age group"]
            + ["First responder", "Number of referrals"],
            ["2025/26 Q1", "NRM", "Labour", "Adult", "Essex Police", 3],
            ["2025/26 Q1", "Duty to Notify", "Sexual", "Adult", "Essex Police", 2],
            ["Q2 2025-26", "NRM referral", "Criminal exploitation", "Child", "Salvation Army", "4"],
            ["2025/26 Q2", "nrm", "Labour & Criminal", "Child (under 18)", "Barnardo\u2019s", 1],
            ["Total", None, None, None, None, 10],
        ],
    ),
    "crosstab": (
        "referrals",
        [
            ["Exploitation type", "Apr-25", "May-25", "Jun-25", "Total"],
            ["Labour exploitation", 2, None, 1, 3],
            ["Sexual exploitation", 1, 4, 2, 7],
            ["Criminal exploitation (county lines)", None, 3, 5, 8],
            ["Domestic servitude", 1, 1, None, 2],
            ["Total", 4, 8, 8, 20],
        ],
    ),
    "survey": (
        "survey",
        [
            ["ID", "Start time", "Completion time", "Email", "Name"]
            + [b.SERVICE_AREA_QUESTION, b.Q_REPORT, b.Q_CONFIDENT, b.Q_SEEN],
            [1, dt.datetime(2025, 10, 2, 9, 0), dt.datetime(2025, 10, 2, 9, 5), "anonymous"]
            + [None, "Housing", "Yes", "Very confident", "Posters;Training;"],
            [2, dt.datetime(2025, 10, 3, 9, 0), dt.datetime(2025, 10, 3, 9, 7), "anonymous"]
            + [None, "Planning", "No", "Fairly confident", "Leaflets;"],
            [3, dt.datetime(2025, 10, 4, 9, 0), "04/10/2025 09:12:00", "anonymous"]
            + [None, "Housing", "Not sure", None, None],
            [4, dt.datetime(2025, 10, 6, 14, 0), dt.datetime(2025, 10, 6, 14, 3), "anonymous"]
            + [None, "Customer Services", "Yes", "Not very confident", "Posters;"],
        ],
    ),
    "measures": (
        "measures",
        [
            ["Objective", "Measure", "Organisation", "Quarter", "Value"],
            [2, "Funding secured (GBP)", "Colchester City Council", "2025/26 Q1", "\u00a312,500"],
            [3, "Intelligence submissions", "Essex Police", "2025/26 Q1", 14],
            ["4", "Awareness events", "Colchester City Council", "2025/26 Q2", "3"],
            ["Objective 1", "Survivors supported", "Salvation Army", "2025/26 Q2", 6.5],
        ],
    ),
    "actions": (
        "actions",
        [
            ["Ref", "Objective", "Action", "Lead", "Due date", "Status", "Last updated"],
            ["1.1", "1. Survivor Support and Care", "Map support services", "Housing"]
            + [dt.date(2025, 12, 1), "In progress", dt.date(2025, 9, 1)],
            ["2.1", 2, "Bid for Home Office funding", "Community Safety"]
            + ["31/01/2026", "Not started", "01/09/2025"],
            ["4.1", "4", "Awareness campaign for Anti-Slavery Day", "Communications"]
            + [dt.date(2025, 10, 18), "Completed", dt.date(2025, 10, 20)],
            ["4.2", 4, "Posters in every depot", "Facilities", None, "On hold", None],
        ],
    ),
}
TITLES = ("Report run 01/10/2025 by the fuzz", "")
NOTES = ("Figures are provisional",)


def _frozen(data: bytes) -> bytes:
    """A workbook's zip again with fixed times inside, so that one build gives one set of bytes
    (openpyxl and odfpy stamp the time of saving), and so the examples are the same every run."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info, content in parts:
            if info.filename in ("docProps/core.xml", "meta.xml"):
                content = re.sub(
                    rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?", b"2025-01-01T00:00:00Z", content
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=STAMP)
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            target.writestr(fixed, content)
    return out.getvalue()


def recode(csv_bytes: bytes, encoding: str) -> bytes:
    """A UTF-8 CSV saved again as cp1252 (Excel's plain CSV) or UTF-16 with a BOM (Excel's
    Unicode text). Text cp1252 cannot hold is written as '?', as Excel does."""
    text = csv_bytes.decode("utf-8-sig")
    if encoding == "utf-16":
        return b"\xff\xfe" + text.encode("utf-16-le")
    if encoding == "cp1252":
        return text.encode("cp1252", errors="replace")
    return csv_bytes


def _fresh_odfpy() -> None:
    """odfpy declares on a document every XML namespace that any element made in the process so
    far used (a dict shared by all elements), so an .ods would differ with whatever ran before:
    the dict is emptied before each .ods is built, and fills again as its elements are made."""
    from odf.element import Element

    Element.namespaces.clear()


def write(rows: list[list[object]], fmt: str, *, titles=(), notes=()) -> bytes:
    """One table as a file of the given format (xlsx, xls, ods or csv-<encoding>)."""
    _fresh_odfpy()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table"
        if fmt == "xlsx":
            b.write_xlsx(path, rows, sheet="Report", title_rows=titles, notes_below=notes)
            return _frozen(path.read_bytes())
        if fmt == "ods":
            b.write_ods(path, rows, sheet="Report", title_rows=titles, notes_below=notes)
            return _frozen(path.read_bytes())
        if fmt == "xls":
            b.write_xls(path, rows, sheet="Report", title_rows=titles, notes_below=notes)
            return path.read_bytes()
        b.write_csv(path, rows, title_rows=titles, notes_below=notes)
        return recode(path.read_bytes(), fmt.removeprefix("csv-"))


def _messy(builder, fmt: str, **kwargs) -> bytes:
    """A messy export from tests/builders.py, in one of FORMATS."""
    _fresh_odfpy()
    with tempfile.TemporaryDirectory() as folder:
        ext = "csv" if fmt.startswith("csv") else fmt
        path, _ = builder(Path(folder) / f"file.{ext}", fmt=ext, **kwargs)
        data = path.read_bytes()
    if fmt in ("xlsx", "ods"):
        return _frozen(data)
    return recode(data, fmt.removeprefix("csv-")) if ext == "csv" else data


@functools.cache
def sources() -> dict[str, bytes]:
    """Real files of every kind in every format, keyed '<kind>.<format>' (built once; a plain
    function, not a fixture, as hypothesis would print a fixture's kilobytes on failure)."""
    out: dict[str, bytes] = {}
    for fmt in FORMATS:
        out[f"training.{fmt}"] = _messy(b.messy_training_export, fmt, people=6, seed=11)
        out[f"survey.{fmt}"] = _messy(b.forms_survey_export, fmt, respondents=8, seed=3)
        out[f"crosstab.{fmt}"] = _messy(b.referral_crosstab, fmt, seed=5)
        out[f"referrals.{fmt}"] = _messy(
            b.referral_tidy, fmt, seed=7, keys_per_quarter=4, encoding="utf-8"
        )
        for name in ("establishment", "measures", "actions"):
            out[f"{name}.{fmt}"] = write(TABLES[name][1], fmt, titles=TITLES, notes=NOTES)
    return out


def file_name(source: str) -> str:
    """'training.csv-utf-16' -> 'training.csv': the name an officer's file would have."""
    kind, fmt = source.split(".")
    return f"{kind}.{fmt.split('-')[0]}"


# --- one example: copy the database, upload, judge the outcome -------------------------------


@dataclass(frozen=True)
class Base:
    """The pre-loaded database every example starts from, and what it holds."""

    db: Path
    raw: bytes = field(repr=False)  # hypothesis prints a failing example's fixtures
    tables: dict[str, list] = field(repr=False)


@dataclass
class Case:
    """One upload to try. Its repr is the recipe, not the bytes, so a failure reads well."""

    name: str
    payload: bytes
    recipe: str
    kind: str | None = None
    notes: list[str] = field(default_factory=list)
    beyond_the_limits: bool = False  # a cell lies too far from A1: must be refused, and why
    check_text: bool = False  # text with control characters: none may be stored

    def __repr__(self) -> str:
        digest = hashlib.sha256(self.payload).hexdigest()[:12]
        return (
            f"Case({self.name!r}, {len(self.payload)} bytes sha256 {digest}, kind={self.kind!r}, "
            f"recipe={self.recipe})"
        )


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Base:
    """A small database holding a training export and a referral crosstab, and its key."""
    folder = tmp_path_factory.mktemp("fuzz_base")
    db = folder / "cams.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        for name in ("CAMS_PSEUDONYM_KEY", "CAMS_KEY_FILE", "CAMS_CONFIG"):
            patch.delenv(name, raising=False)
        for source in ("training.xlsx", "crosstab.xlsx"):
            upload = ingest(UploadRequest(sources()[source], source, db=db, today=TODAY))
            assert upload.status == "loaded"
    assert not db.with_name(db.name + ".wal").exists()
    return Base(db, db.read_bytes(), snapshot(db))


@pytest.fixture
def work(base, tmp_path, monkeypatch) -> Path:
    """Where each example's copy of the base database goes (with the same pseudonym key)."""
    for name in ("CAMS_PSEUDONYM_KEY", "CAMS_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    shutil.copyfile(base.db.parent / "pseudonym.key", tmp_path / "pseudonym.key")
    return tmp_path / "cams.duckdb"


FAILURES = Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "cams-fuzz-failures"


@functools.cache
def _stacks_file():
    """Where faulthandler writes every thread's stack before it ends a hung run (not stderr,
    which pytest has captured and would lose)."""
    FAILURES.mkdir(parents=True, exist_ok=True)
    return open(FAILURES / "hang-stacks.txt", "w")  # noqa: SIM115 (open for the whole run)


class Hang(BaseException):
    """An upload still running when the wall clock rang."""


@contextlib.contextmanager
def wall_clock(seconds: float):
    """Interrupt the body once `seconds` have passed; fail if it took longer than that anyway
    (a catch-all in the code may swallow the interrupt). If native code holds the interpreter so
    that the alarm cannot run, faulthandler prints every stack and ends the run."""

    def ring(signum, frame):
        raise Hang(f"the upload was still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    faulthandler.dump_traceback_later(BACKSTOP, exit=True, file=_stacks_file())
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        faulthandler.cancel_dump_traceback_later()
    elapsed = time.monotonic() - started
    if elapsed > seconds:
        pytest.fail(f"the upload took {elapsed:.1f} s (the limit is {seconds} s): a hang")


INTERNALS = re.compile(
    r"Traceback|<class |Exception|Error:|\w+Error\b|File \"/|panicked at|"
    r"calamine|fastexcel|pyo3|zipfile|olefile|duckdb|"
    r"\bNone\b|\bnan\b|\bNaT\b|dtype|Series\(|DataFrame",
)
BYTES_REPR = re.compile(r"\bb(['\"])(?:(?!\1).)*\\x[0-9a-f]{2}")  # b'\x00...': a repr of bytes


def assert_plain(refused: Refused, case: Case) -> None:
    """The refusal names the file and says what is wrong in words, with no internals in it."""
    text = str(refused)
    assert refused.file_name == case.name
    assert text.startswith(f"{case.name}: ")
    assert refused.message.strip(), "the refusal has no message"
    assert " " in refused.message and refused.message.rstrip()[-1] in ".)", refused.message
    # Internals are looked for in what the code wrote, not in the file's own text it quotes.
    ours = _without_planted(text, case)
    assert not BYTES_REPR.search(ours), f"bytes in the message: {text[:2000]}"
    ours = re.sub(r"'[^'\n]*'", "''", ours)
    assert not INTERNALS.search(ours), f"internals in the message: {text[:2000]}"
    for problem in refused.problems:
        assert problem.message.strip()
        assert problem.row is None or problem.row >= 1
        assert problem.sheet, f"a problem that names no sheet: {problem}"


def _without_planted(text: str, case: Case) -> str:
    """The message without the text the example put in the file, which it may quote (and which
    may be anything, 'Error:' included)."""
    for planted in sorted(case.notes, key=len, reverse=True):
        if planted:
            text = text.replace(planted, "")
    return text


def run(case: Case, base: Base, work: Path) -> str:
    """Upload `case` into a fresh copy of the base database and check the outcome; the outcome
    ('loaded' or 'refused') is returned for the statistics."""
    shutil.copyfile(base.db, work)
    work.with_name(work.name + ".wal").unlink(missing_ok=True)
    FAILURES.mkdir(parents=True, exist_ok=True)
    (FAILURES / "running-upload").write_bytes(case.payload)  # for a hang that ends the run
    (FAILURES / "running-upload.txt").write_text(repr(case), encoding="utf-8")
    try:
        with wall_clock(WALL_CLOCK):
            try:
                upload = ingest(
                    UploadRequest(case.payload, case.name, db=work, kind=case.kind, today=TODAY)
                )
            except Refused as refused:
                upload = refused
        if isinstance(upload, Refused):
            assert_plain(upload, case)
            assert unchanged(work, base), "the database changed although the upload was refused"
            if case.beyond_the_limits:
                assert "from A1" in upload.message, f"refused, but not for its far cell: {upload}"
            event(f"refused: {upload.message[:50]}")
            return "refused"
        assert isinstance(upload, Upload)
        assert upload.status in ("loaded", "unchanged")
        assert not case.beyond_the_limits, "a cell beyond the limits was read"
        if case.check_text:
            assert not (held := invisible_in_stored_text(work)), f"stored: {held[:5]}"
        event(f"{upload.status}: {upload.kind}")
        return "loaded"
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt):
            raise
        FAILURES.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(case.payload).hexdigest()[:16]
        saved = FAILURES / f"{digest}-{case.name}"
        saved.write_bytes(case.payload)
        error.add_note(f"{case!r}\nthe file is saved at {saved}")
        raise


# What no stored text may hold: every control character, and what the reader drops as invisible
# (the zero-width joiner and non-joiner are kept: emoji and some scripts need them).
STORED_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f]|" + INVISIBLE.pattern)  # re and RE2 read it


def invisible_in_stored_text(db: Path) -> list[tuple[str, str, str]]:
    """Each stored text (table, column, value) that holds a control character or another that
    prints nothing."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns JOIN "
            "information_schema.tables USING (table_schema, table_name) "
            "WHERE table_type = 'BASE TABLE' AND data_type = 'VARCHAR'"
        ).fetchall()
        every_text = " UNION ALL ".join(
            f"""SELECT '{table}', '{column}', "{column}" FROM "{table}" """
            f"""WHERE regexp_matches("{column}", $pattern)"""
            for table, column in columns
        )
        return con.execute(every_text, {"pattern": STORED_INVISIBLE.pattern}).fetchall()
    finally:
        con.close()


def unchanged(work: Path, base: Base) -> bool:
    """The same bytes (cheap), or else the same contents in every table."""
    if not work.with_name(work.name + ".wal").exists() and work.read_bytes() == base.raw:
        return True
    return snapshot(work) == base.tables


# --- 1. random bytes ------------------------------------------------------------------------

BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
EXTENSIONS = ("xlsx", "xls", "ods", "csv", "txt", "")
COMPRESSIONS = st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
PART_NAMES = (
    "[Content_Types].xml",
    "_rels/.rels",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/worksheets/sheet1.xml",
    "xl/sharedStrings.xml",
    "xl/styles.xml",
    "xl/workbook.bin",
    "mimetype",
    "content.xml",
    "META-INF/manifest.xml",
    "word/document.xml",
)


def _magic(name: str) -> bytes:
    """The opening bytes of a real file of that format: its magic number and a bit more."""
    data = sources()[name]
    return data[: {"xlsx": 30, "ods": 90, "xls": 512}.get(name.split(".")[1], 30)]


@st.composite
def random_bytes(draw) -> Case:
    how = draw(
        st.sampled_from(
            ["bytes", "magic", "bom", "utf-16", "text", "csv-like", "zip-of-parts", "tiny"]
        )
    )
    ext = draw(st.sampled_from(EXTENSIONS))
    name = f"random{'.' + ext if ext else ''}"
    body = draw(st.binary(max_size=3000))
    if how == "bytes":
        payload = body
    elif how == "tiny":
        payload = draw(st.binary(max_size=8))
    elif how == "magic":
        prefix = draw(
            st.sampled_from(
                [
                    b"PK\x03\x04",
                    b"PK\x05\x06",
                    b.OLE_MAGIC,
                    _magic("training.xlsx"),
                    _magic("training.ods"),
                    _magic("training.xls"),
                ]
            )
        )
        payload = prefix + body
    elif how == "bom":
        payload = draw(st.sampled_from(BOMS)) + body
    elif how == "utf-16":
        text = draw(st.text(max_size=800))
        payload = draw(st.sampled_from([b"\xff\xfe", b"\xfe\xff", b""])) + text.encode(
            draw(st.sampled_from(["utf-16-le", "utf-16-be"])), errors="surrogatepass"
        )
    elif how in ("text", "csv-like"):
        if how == "text":
            text = draw(st.text(max_size=1500))
        else:
            sep = draw(st.sampled_from([",", ";", "\t", "|"]))
            rows = draw(
                st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=8), max_size=20)
            )
            text = "\r\n".join(sep.join(cells) for cells in rows)
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1"]))
        payload = text.encode(encoding, errors="replace")
    else:  # a valid zip whose parts are well-known names holding garbage
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for part in draw(st.lists(st.sampled_from(PART_NAMES), max_size=6, unique=True)):
                content = draw(
                    st.one_of(
                        st.binary(max_size=600),
                        st.text(max_size=600).map(lambda t: t.encode("utf-8", "surrogatepass")),
                        st.just(b"application/vnd.oasis.opendocument.spreadsheet"),
                        st.just(b'<?xml version="1.0"?><workbook><sheets/></workbook>'),
                    )
                )
                info = zipfile.ZipInfo(part, date_time=STAMP)
                info.compress_type = draw(
                    st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
                )
                archive.writestr(info, content)
        payload = out.getvalue()
    return Case(name, payload, f"random bytes: {how}")


# --- 2. truncated real files ----------------------------------------------------------------


@st.composite
def truncated(draw) -> Case:
    source = draw(st.sampled_from(sorted(sources())))
    data = sources()[source]
    keep = draw(
        st.one_of(
            st.integers(0, len(data) - 1),  # anywhere
            st.integers(max(0, len(data) - 200), len(data) - 1),  # the zip's directory, a row
        )
    )
    return Case(file_name(source), data[:keep], f"{source} cut at {keep} of {len(data)}")


# --- 3. mutated real files ------------------------------------------------------------------

BIG_NUMBERS = (b"0", b"-1", b"65536", b"1048576", b"16384", b"2147483648", b"99999999999999999")
XML_JUNK = (
    b"<",
    b">",
    b"&bogus;",
    b"&#0;",
    b"&#xD800;",
    b"]]>",
    b"<?xml version='1.0'?>",
    b'<c r="A1" t="s"><v>99999</v></c>',
    b'<c r="XFD1048576"><v>1</v></c>',
    b'<row r="0"><c r="A0"><v>1</v></c></row>',
    b'<table:table-row table:number-rows-repeated="1048576"/>',
    b'<table:table-cell table:number-columns-repeated="16384"/>',
    b"\xff\xfe",
    b"\x00",
    "\u202e\U0001f600".encode(),
)


@st.composite
def byte_edits(draw, data: bytes, max_edits: int = 12) -> tuple[bytes, list[str]]:
    """Flip, overwrite, insert, delete or repeat bytes at random places."""
    data = bytearray(data)
    done = []
    for _ in range(draw(st.integers(1, max_edits))):
        op = draw(st.sampled_from(["flip", "overwrite", "insert", "delete", "repeat"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif op == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=16))
            data[at : at + len(chunk)] = chunk
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif op == "repeat":
            span = bytes(data[at : at + draw(st.integers(1, 256))])
            data[at:at] = span * draw(st.integers(1, 4))
        done.append(f"{op}@{at}")
    return bytes(data), done


@st.composite
def xml_edits(draw, xml: bytes) -> tuple[bytes, list[str]]:
    """Break a workbook part's XML while its zip stays valid: numbers made huge or negative,
    tags and spans deleted or repeated, junk and entities inserted, or plain byte edits."""
    done = []
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["number", "junk", "cut-span", "drop-tag", "bytes", "repeat"]))
        if op == "number" and (numbers := list(re.finditer(rb"\d+", xml))):
            hit = numbers[draw(st.integers(0, len(numbers) - 1))]
            new = draw(st.sampled_from(BIG_NUMBERS))
            xml = xml[: hit.start()] + new + xml[hit.end() :]
            done.append(f"number@{hit.start()}={new.decode()}")
        elif op == "junk":
            at = draw(st.integers(0, len(xml)))
            xml = xml[:at] + draw(st.sampled_from(XML_JUNK)) + xml[at:]
            done.append(f"junk@{at}")
        elif op == "cut-span":
            at = draw(st.integers(0, max(len(xml) - 1, 0)))
            xml = xml[:at] + xml[at + draw(st.integers(1, 400)) :]
            done.append(f"cut@{at}")
        elif op == "drop-tag" and (tags := list(re.finditer(rb"<[^>]{1,200}>", xml))):
            hit = tags[draw(st.integers(0, len(tags) - 1))]
            xml = xml[: hit.start()] + xml[hit.end() :]
            done.append(f"drop-tag@{hit.start()}")
        elif op == "repeat" and (tags := list(re.finditer(rb"<(row|table:table-row)\b", xml))):
            start = tags[draw(st.integers(0, len(tags) - 1))].start()
            end = xml.find(b">", xml.find(b"</", start)) + 1 or len(xml)
            xml = xml[:end] + xml[start:end] * draw(st.integers(1, 50)) + xml[end:]
            done.append(f"repeat-row@{start}")
        else:
            xml, edits = draw(byte_edits(xml, max_edits=4))
            done += edits
    return xml, done


def rezip(data: bytes, part: str, content: bytes) -> bytes:
    """The archive again, in the same order and with the same compression, one part replaced."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info, old in parts:
            target.writestr(info, content if info.filename == part else old)
    return out.getvalue()


@st.composite
def mutated(draw) -> Case:
    source = draw(st.sampled_from(sorted(sources())))
    data = sources()[source]
    zipped = source.endswith((".xlsx", ".ods"))
    if zipped and draw(st.booleans()):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = sorted(n for n in archive.namelist() if n.endswith((".xml", ".rels")))
            weights = [n for n in parts if "sheet" in n or n in ("content.xml", "styles.xml")]
            part = draw(st.sampled_from(weights + parts))  # the sheets twice as often
            xml = archive.read(part)
        broken, edits = draw(xml_edits(xml))
        payload = rezip(data, part, broken)
        recipe = f"{source}: XML of {part} edited ({', '.join(edits)}) and re-zipped"
    else:
        payload, edits = draw(byte_edits(data))
        recipe = f"{source}: bytes edited ({', '.join(edits)})"
    return Case(file_name(source), payload, recipe)


# --- 4. random header rows ------------------------------------------------------------------

ALL_ALIASES = sorted(
    {
        alias
        for kind in KINDS.values()
        for f in (*kind.identifiers, *kind.fields)
        for alias in (f.name.replace("_", " "), *f.aliases)
    }
)
ODD_HEADERS = (
    "=1+1",
    "=SUM(A1:A3)",
    '=HYPERLINK("http://example.org","x")',
    "+1",
    "-1",
    "@x",
    "Total",
    "Grand total",
    "All",
    "Year",
    "Quarter",
    "Month",
    "2025-13-01",
    "2025-02-30",
    "0000-01-01",
    "Q5 2025",
    "0000 Q1",
    "2025 Q4",
    "Dec 9999",
    "9999/10000 Q4",
    "9998/99 Q4",
    "Jan-Mar 0000",
    "Apr-25",
    "May-25",
    "2025/26",
    "2025/26 Q1",
    "45000",
    "1",
    "<script>alert(1)</script>",
    "\u0645\u0631\u062d\u0628\u0627",
    "\u202eevil\u202c",
    "\U0001f600\U0001f469\u200d\U0001f467",
    "\u200b",
    "\ufeffID",
    "ID",
    "Id",
    "Completion time",
    "Email",
    "a\nb",
    "  ",
)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


def header_text():
    return st.one_of(
        TEXT,
        st.sampled_from(ODD_HEADERS),
        st.sampled_from(ALL_ALIASES),
        st.sampled_from(ALL_ALIASES).map(str.upper),
        st.integers(1, 10000).map(lambda n: "x" * n),
    )


CASE_FORMATS = ("csv-utf-8", "csv-utf-16", "csv-cp1252", "xlsx", "xlsx", "xls", "ods")


@st.composite
def random_headers(draw) -> Case:
    table = draw(st.sampled_from(sorted(TABLES)))
    kind, rows = TABLES[table]
    header = list(rows[0])
    planted = []
    for position in range(len(header)):
        how = draw(st.sampled_from(["keep", "keep", "replace", "blank", "duplicate"]))
        if how == "replace":
            header[position] = draw(header_text())
        elif how == "blank":
            header[position] = draw(st.sampled_from(["", None, " "]))
        elif how == "duplicate":
            header[position] = header[draw(st.integers(0, len(header) - 1))]
        planted.append(str(header[position] or ""))
    extra = draw(st.lists(header_text(), max_size=3))
    header += extra
    planted += extra
    fmt = draw(st.sampled_from(CASE_FORMATS))
    header = [_writable(text, fmt) for text in header]
    payload = write([header, *rows[1:]], fmt, titles=draw(st.sampled_from([(), TITLES])))
    name = f"{table}-headers.{fmt.split('-')[0]}"
    case = Case(name, payload, f"{table} as {fmt}, header {header!r}"[:3000])
    case.kind = draw(st.sampled_from([None, kind]))
    case.notes = planted
    case.check_text = any(STORED_INVISIBLE.search(text) for text in planted)
    return case


# --- 5. random cell values ------------------------------------------------------------------

ODD_VALUES = (
    "",
    " ",
    "-",
    "\u2014",
    "n/a",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "1e308",
    "1e999",
    "9" * 400,
    "1" + "0" * 20,
    "2147483648",
    "-5",
    "(3)",
    "-0",
    "0.5",
    "3.0",
    "1,234",
    "1.234,5",
    "\u00a3-5",
    "12%",
    "[c]",
    "*",
    "\uff11\uff12",
    "\u0663",
    "31/02/2025",
    "29/02/2023",
    "2025-13-01",
    "2025-12-32",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "14/05/3024",
    "1/1/1",
    "00/00/0000",
    "45000",
    "99999",
    "2958466",
    "14 May 2025",
    "14th May 25",
    "May 14 2025",
    "2025/05/14",
    "14.05.2025 25:61",
    "Dec 9999",
    "9999/10000 Q4",
    "9998/99 Q4",
    "2025-13",
    "13/2025",
    "0000 Q1",
    "Q0 2025",
    "2025/27 Q1",
    "Jan 0000",
    "Jan-00",
    "Jan-Mar 0000",
    "Oct-Dec 9999",
    "5",
    "0",
    "Objective 9",
    "4.5",
    "not not completed",
    "Completed; In progress",
    "Total",
    "Grand total",
    "<script>alert(1)</script>",
    "<b>bold</b> &amp;",
    "=1+1",
    "=cmd|' /C calc'!A0",
    "@SUM(1)",
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",
    "\u202eevil\u202c",
    "\U0001f600\U0001f469\u200d\U0001f469\u200d\U0001f467",
    "\u200b",
    "\ufeff",
    "\x00",
    "\x01\x02",
    "\x1b[31m",
    "a\rb",
    "a\nb",
    "\t",
    "x" * 10000,
    "y " * 5000,
)


def cell_value():
    return st.one_of(
        st.sampled_from(ODD_VALUES),
        TEXT,
        st.integers(-(10**30), 10**30),
        st.integers(-5, 5),
        st.floats(allow_nan=True, allow_infinity=True),
        st.dates(),
        st.datetimes(),
    )


def _writable(value: object, fmt: str) -> object:
    """What a spreadsheet program could really hold in a cell of that format: openpyxl refuses
    control characters and takes '=' for a formula, Excel has no dates before 1900, no NaN."""
    if fmt == "xlsx" and isinstance(value, str):
        return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", value)
    if fmt in ("xlsx", "xls", "ods"):
        if isinstance(value, float) and value != value or value in (float("inf"), float("-inf")):
            return str(value)
        if isinstance(value, dt.date) and value.year < 1900:
            return value.isoformat()
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
            return str(value)
    if fmt == "xls" and isinstance(value, str):
        return value[:32767]
    return value


@st.composite
def random_cells(draw) -> Case:
    table = draw(st.sampled_from(sorted(TABLES)))
    kind, rows = TABLES[table]
    rows = [list(row) for row in rows]
    fmt = draw(st.sampled_from(CASE_FORMATS))
    planted = []
    for _ in range(draw(st.integers(1, 6))):
        r = draw(st.integers(1, len(rows) - 1))
        c = draw(st.integers(0, len(rows[0]) - 1))
        if draw(st.integers(0, 9)) == 0:  # now and then a whole column
            value = draw(cell_value())
            for row in rows[1:]:
                row[c] = _writable(value, fmt)
        else:
            value = _writable(draw(cell_value()), fmt)
            rows[r][c] = value
        planted.append(str(value))
    payload = write(rows, fmt, titles=draw(st.sampled_from([(), TITLES])))
    case = Case(f"{table}-cells.{fmt.split('-')[0]}", payload, f"{table} as {fmt}: {rows!r}"[:3000])
    case.kind = draw(st.sampled_from([None, kind]))
    case.notes = planted
    case.check_text = any(STORED_INVISIBLE.search(text) for text in planted)
    return case


# --- 6. the shapes of issue 14: far cells, part names in any case, controls, encodings -------

LAST_ROW, LAST_COLUMN = 1_048_576, 16_384  # XFD1048576, the last cell of Excel's grid


def beyond_the_limits(rows: int, columns: int) -> bool:
    """A sheet whose last cell lies there must be refused before the reader sees it."""
    return columns > read.MAX_SHEET_COLUMNS or rows * columns > read.MAX_SHEET_CELLS


@st.composite
def far_reference(draw) -> tuple[int, int]:
    """A cell's row and column: near the table, about the column limit, or anywhere in the grid
    (nearly always beyond the limits), or the grid's last cell."""
    where = draw(st.sampled_from(["near", "column-limit", "anywhere", "anywhere", "last"]))
    if where == "near":
        return draw(st.integers(1, 60)), draw(st.integers(1, 40))
    if where == "column-limit":
        return draw(st.integers(1, 60)), draw(st.integers(495, 505))
    if where == "last":
        return LAST_ROW, LAST_COLUMN
    return draw(st.integers(1, LAST_ROW)), draw(st.integers(1, LAST_COLUMN))


def _extent(ref: str) -> tuple[int, int]:
    """'H24' or 'A1:H24' -> (24, 8): the rows and columns from A1 to the range's last cell."""
    return b._parse_ref(ref.split(":")[-1])


def _xlsx_cell(row: int, column: int) -> bytes:
    ref = f"{b._col_letter(column)}{row}"
    return f'<c r="{ref}" t="inlineStr"><is><t>far</t></is></c>'.encode()


def _place_in_sheet(xml: bytes, row: int, column: int) -> bytes:
    """The sheet's XML with a cell at (row, column): at the end of its row if the row is there,
    else in a row of its own at the end of the sheet's data."""
    if found := re.search(rf'<row r="{row}"(?:\s[^>]*)?(?<!/)>'.encode(), xml):
        end = xml.index(b"</row>", found.end())
        return xml[:end] + _xlsx_cell(row, column) + xml[end:]
    far_row = f'<row r="{row}">'.encode() + _xlsx_cell(row, column) + b"</row>"
    return xml.replace(b"</sheetData>", far_row + b"</sheetData>")


@st.composite
def far_xlsx(draw, data: bytes) -> tuple[bytes, str, bool]:
    """An .xlsx with a cell placed far away, its <dimension> kept, or lying (claiming the whole
    grid with the cells near, or a small sheet with a cell far); and whether the file places a
    cell beyond the limits."""
    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(part)
    rows, columns = _extent(re.search(rb'<dimension ref="([^"]+)"', xml)[1].decode())
    recipe = []
    if draw(st.booleans()):
        row, column = draw(far_reference())
        xml = _place_in_sheet(xml, row, column)
        rows, columns = max(rows, row), max(columns, column)
        recipe.append(f"a cell at {b._col_letter(column)}{row}")
    claim = draw(st.sampled_from(["kept", "kept", "the whole grid", "a far cell", "A1:B2"]))
    if claim != "kept":
        last = {"the whole grid": (LAST_ROW, LAST_COLUMN), "a far cell": draw(far_reference())}
        row, column = last.get(claim, (2, 2))
        ref = f"A1:{b._col_letter(column)}{row}"
        xml = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), xml)
        rows, columns = max(rows, row), max(columns, column)
        recipe.append(f"<dimension> claims {ref}")
    far = beyond_the_limits(rows, columns)
    return rezip(data, part, xml), ", ".join(recipe) or "as written", far


def _ods_far_rows(gap: int, column: int) -> str:
    """`gap` empty rows, then a row holding a value in `column`, and the end of the sheet."""
    empty_rows = f'<table:table-row table:number-rows-repeated="{gap}"><table:table-cell/>'
    empty_cells = f'<table:table-cell table:number-columns-repeated="{column - 1}"/>'
    value = '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p>'
    return (
        (empty_rows + "</table:table-row>" if gap else "")
        + "<table:table-row>"
        + (empty_cells if column > 1 else "")
        + value
        + "</table:table-cell></table:table-row></table:table>"
    )


@st.composite
def far_ods(draw, data: bytes) -> tuple[bytes, str, bool]:
    """An .ods perhaps with a cell placed far away as LibreOffice places one, by empty rows and
    cells repeated, and perhaps padded to the grid's edge as LibreOffice saves every sheet."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        content = archive.read("content.xml").decode()
    table = content[: content.index("</table:table>")]
    rows = table.count("<table:table-row")
    row_cells = re.findall("<table:table-row.*?</table:table-row>", table, flags=re.S)
    columns = max(len(re.findall("<table:(?:covered-)?table-cell", r)) for r in row_cells)
    recipe = []
    if draw(st.booleans()):
        row, column = draw(far_reference())
        row = max(row, rows + 1)
        content = content.replace("</table:table>", _ods_far_rows(row - rows - 1, column), 1)
        data = rezip(data, "content.xml", content.encode())
        rows, columns = row, max(columns, column)
        recipe.append(f"a cell at {b._col_letter(column)}{row}")
    if draw(st.booleans()):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "padded.ods"
            path.write_bytes(data)
            data = _frozen(b.as_libreoffice_saves(path).read_bytes())
        recipe.append("padded to the edge as LibreOffice saves")
    return data, ", ".join(recipe) or "as written", beyond_the_limits(rows, columns)


@st.composite
def far_xlsb(draw, rows: list[list[object]]) -> tuple[bytes, str, bool]:
    """An .xlsb (written record by record) with a cell placed far away, and a BrtWsDim that
    may lie as a <dimension> may."""
    far_cells = {}
    if draw(st.booleans()):
        row, column = draw(far_reference())
        far_cells[f"{b._col_letter(column)}{row}"] = "far"
    claim = draw(st.sampled_from([None, None, "A1:XFD1048576", "A1:B2"]))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.xlsb"
        data = b.write_xlsb(path, rows, sheet="Report", far_cells=far_cells, dimension=claim)
        data = _frozen(data.read_bytes())
    last_row = max(len(rows), *(_extent(ref)[0] for ref in [*far_cells, claim or "A1"]))
    last_column = max(
        max(len(r) for r in rows), *(_extent(ref)[1] for ref in [*far_cells, claim or "A1"])
    )
    recipe = f"cells {list(far_cells)}, BrtWsDim {claim or 'as the cells'}"
    return data, recipe, beyond_the_limits(last_row, last_column)


@st.composite
def part_name_in_any_case(draw, name: str, backslashes: bool) -> str:
    how = draw(st.sampled_from(["kept", "upper", "lower", "extension", "each letter", "slashes"]))
    if how == "upper":
        return name.upper()
    if how == "lower":
        return name.lower()
    if how == "extension":  # sheet1.XML, [Content_Types].XML
        stem, dot, extension = name.rpartition(".")
        return f"{stem}{dot}{extension.upper()}" if dot else name.upper()
    if how == "each letter":  # SharedStrings.Xml
        coin = draw(st.randoms(use_true_random=False))
        return "".join(c.swapcase() if coin.random() < 0.5 else c for c in name)
    if how == "slashes" and backslashes:
        return name.replace("/", "\\")
    return name


def renamed_parts(data: bytes, names: dict[str, str]) -> bytes:
    """The archive again, in the same order and with the same compression, parts renamed."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info, content in parts:
            renamed = zipfile.ZipInfo(names.get(info.filename, info.filename), info.date_time)
            renamed.compress_type = info.compress_type
            target.writestr(renamed, content)
    return out.getvalue()


# Characters that print nothing, which a file's text may hold: C0 and C1 controls (BEL, ESC
# and the rest), DEL, zero-width characters and direction marks and overrides.
CONTROLS = (
    *map(chr, range(0x00, 0x20)),
    "\x7f",
    *map(chr, range(0x80, 0xA0)),
    *("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u2028", "\u2029"),
    *("\u200e", "\u200f", "\u061c", *map(chr, range(0x202A, 0x202F))),
    *map(chr, range(0x2066, 0x206A)),
)


@st.composite
def with_controls(draw, text: str) -> str:
    """`text` with control, zero-width or direction characters put in at random places."""
    chars = list(text)
    for _ in range(draw(st.integers(1, 4))):
        chars.insert(draw(st.integers(0, len(chars))), draw(st.sampled_from(CONTROLS)))
    return "".join(chars)


C0_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # controls XML cannot hold as they are
ESCAPED = {"xlsx": rb"_x00\1_", "ods": rb"&#x\1;"}


def _with_controls(rows: list[list[object]], fmt: str, titles) -> bytes:
    """A file of `rows` whose text holds control characters: in a workbook, as its XML holds
    them, escaped (_x001B_ as Excel writes them; &#x1B; in an .ods, which a strict XML reader
    would refuse); in the other formats as they are."""
    if fmt not in ESCAPED:
        return write(rows, fmt, titles=titles)

    def marked(value: object) -> object:
        if not isinstance(value, str):
            return value
        return C0_IN_XML.sub(lambda control: f"~~{ord(control[0]):02X}~~", value)

    data = write([[marked(value) for value in row] for row in rows], fmt, titles=titles)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist() if name.endswith(".xml")}
    for name, xml in parts.items():
        if (escaped := re.sub(rb"~~([0-9A-F]{2})~~", ESCAPED[fmt], xml)) != xml:
            data = rezip(data, name, escaped)
    return data


@st.composite
def cells_with_controls(draw) -> Case:
    table = draw(st.sampled_from(sorted(TABLES)))
    kind, rows = TABLES[table]
    rows = [list(row) for row in rows]
    planted = []
    for _ in range(draw(st.integers(1, 8))):
        r, c = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(rows[0]) - 1))
        if isinstance(rows[r][c], str):  # a header too: the header row is text
            rows[r][c] = draw(with_controls(rows[r][c]))
            planted.append(rows[r][c])
    fmt = draw(st.sampled_from(FORMATS))
    titles = draw(st.sampled_from([(), TITLES]))
    payload = _with_controls(rows, fmt, titles)
    case = Case(f"{table}-controls.{fmt.split('-')[0]}", payload, f"{table} as {fmt}: {rows!r}")
    case.kind, case.notes, case.check_text = draw(st.sampled_from([None, kind])), planted, True
    return case


# The characters beyond ASCII that Windows-1252 encodes (it leaves five bytes undefined).
CP1252 = {bytes([n]).decode("cp1252", "ignore") for n in range(0x80, 0x100)} - {""}
ACCENTED = ("Café", "Zoë", "Seán", "£5", "€", "Barnardo’s", "naïve", "Ångström")


@st.composite
def encoded_csv(draw) -> Case:
    """A CSV of one kind, its text with accents, in UTF-8 with stray Windows-1252 bytes,
    UTF-16 LE or BE with or without a BOM, Windows-1252 or Latin-1; perhaps with a NUL byte."""
    table = draw(st.sampled_from(sorted(TABLES)))
    kind, rows = TABLES[table]
    rows = [list(row) for row in rows]
    for _ in range(draw(st.integers(1, 4))):
        r, c = draw(st.integers(1, len(rows) - 1)), draw(st.integers(0, len(rows[0]) - 1))
        if isinstance(rows[r][c], str):
            rows[r][c] += " " + draw(st.sampled_from(ACCENTED))
    text = write(rows, "csv-utf-8", titles=draw(st.sampled_from([(), TITLES])))
    text = text.decode("utf-8-sig")
    if draw(st.integers(0, 4)) == 0:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + "\x00" + text[at:]
    encoding = draw(
        st.sampled_from(
            ["utf-8+cp1252", "utf-16-le", "utf-16-be", "utf-16-le+bom", "utf-16-be+bom"]
            + ["cp1252", "latin-1", "utf-8"]
        )
    )
    if encoding == "utf-8+cp1252":  # some accents saved the Windows way, the rest as UTF-8
        coin = draw(st.randoms(use_true_random=False))
        payload = b"".join(
            char.encode("cp1252") if char in CP1252 and coin.random() < 0.5 else char.encode()
            for char in text
        )
    elif encoding.endswith("+bom"):
        payload = ("\ufeff" + text).encode(encoding.removesuffix("+bom"))
    else:
        payload = text.encode(encoding, errors="replace")
    case = Case(f"{table}-encoded.csv", payload, f"{table} in {encoding}: {text!r}"[:3000])
    case.kind = draw(st.sampled_from([None, kind]))
    return case


@st.composite
def issue_shapes(draw) -> Case:
    """One of issue 14's shapes: a far cell in an .xlsx, .ods or .xlsb, an archive's parts
    named in any case, control characters in text cells, a CSV in another encoding."""
    shape = draw(
        st.sampled_from(["far-xlsx", "far-ods", "far-xlsb", "part-names", "controls", "encoding"])
    )
    if shape == "controls":
        return draw(cells_with_controls())
    if shape == "encoding":
        return draw(encoded_csv())
    if shape == "far-xlsb":
        table = draw(st.sampled_from(sorted(TABLES)))
        payload, recipe, far = draw(far_xlsb(TABLES[table][1]))
        case = Case(f"{table}.xlsb", payload, f"{table} as .xlsb: {recipe}")
        case.beyond_the_limits = far
        return case
    fmt = "ods" if shape == "far-ods" else draw(st.sampled_from(["xlsx", "xlsx", "ods"]))
    source = draw(st.sampled_from(sorted(s for s in sources() if s.endswith(f".{fmt}"))))
    placed = far_ods if fmt == "ods" else far_xlsx
    data, recipe, far = draw(placed(sources()[source]))
    if shape == "part-names":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = {
                name: draw(part_name_in_any_case(name, backslashes=fmt == "xlsx"))
                for name in archive.namelist()
            }
        data = renamed_parts(data, names)
        recipe += f", parts named {[n for n in names.values() if n not in names]}"
        # The .ods reader finds its parts by their exact names, so without them it reads nothing.
        far &= fmt == "xlsx" or all(names[n] == n for n in ("content.xml", "mimetype"))
    case = Case(file_name(source), data, f"{source}: {recipe}")
    case.beyond_the_limits = far
    return case


# --- the tests ------------------------------------------------------------------------------


def test_the_sources_and_clean_tables_load(base, work):
    """The fuzz starts from files that load: every source, and every clean table in every
    format, so a refusal in the fuzz is the fuzz's doing."""
    for name, data in sources().items():
        shutil.copyfile(base.db, work)
        upload = ingest(UploadRequest(data, file_name(name), db=work, today=TODAY))
        assert upload.status in ("loaded", "unchanged"), name
    for table, (kind, rows) in TABLES.items():
        for fmt in FORMATS:
            shutil.copyfile(base.db, work)
            upload = ingest(UploadRequest(write(rows, fmt), f"{table}.{fmt}", db=work, today=TODAY))
            assert (upload.status, upload.kind) == ("loaded", kind), (table, fmt)
            assert upload.rows_loaded > 0 and not upload.problems, (table, fmt)


def test_the_fuzz_is_deterministic():
    """The same bytes every run: derandomised examples mean nothing if the files they mutate
    carry the time they were built."""
    first = {k: hashlib.sha256(v).hexdigest() for k, v in sources().items()}
    sources.cache_clear()
    time.sleep(1.1)
    assert {k: hashlib.sha256(v).hexdigest() for k, v in sources().items()} == first


@fuzz_settings(EXAMPLES["random_bytes"])
@given(case=random_bytes())
def test_random_bytes(base, work, case):
    run(case, base, work)


@fuzz_settings(EXAMPLES["truncated"])
@given(case=truncated())
def test_truncated_files(base, work, case):
    run(case, base, work)


@fuzz_settings(EXAMPLES["mutated"])
@given(case=mutated())
def test_mutated_files(base, work, case):
    run(case, base, work)


@fuzz_settings(EXAMPLES["headers"])
@given(case=random_headers())
def test_random_header_rows(base, work, case):
    run(case, base, work)


@fuzz_settings(EXAMPLES["cells"])
@given(case=random_cells())
def test_random_cell_values(base, work, case):
    run(case, base, work)


@fuzz_settings(EXAMPLES["issue_shapes"])
@given(case=issue_shapes())
def test_far_cells_part_names_control_characters_and_encodings(base, work, case):
    run(case, base, work)


# --- bonus: what loads is what the file holds ------------------------------------------------

ALL_HEADER_KEYS = frozenset(
    key
    for kind in KINDS.values()
    for f in (*kind.identifiers, *kind.fields)
    for key in f.header_keys
)
LABEL = st.text(
    st.characters(exclude_categories=("Cc", "Cs", "Co", "Cn")), min_size=1, max_size=40
).filter(
    lambda text: (
        (cleaned := clean_text(text))
        and not _is_total_label(cleaned)
        and normalise_header(cleaned) not in ALL_HEADER_KEYS
        and not cleaned.startswith(("=", "+", "-", "@"))
    )  # a formula in a workbook
)


@st.composite
def staff_count(draw) -> tuple[object, int]:
    """A headcount as it may be typed or stored, and the count it means."""
    n = draw(st.integers(0, 10**6))
    form = draw(st.sampled_from(["int", "text", "thousands", "spaced", "decimal"]))
    written = {
        "int": n,
        "text": str(n),
        "thousands": f"{n:,}",
        "spaced": f"  {n} ",
        "decimal": f"{n}.0",
    }[form]
    return written, n


@st.composite
def as_at_date(draw) -> tuple[object, dt.date]:
    """A date a staff-numbers file may hold (from 2000 to the day of the upload), as it may be
    typed or stored (day first), and the date it means."""
    day = draw(st.dates(dt.date(2000, 1, 1), TODAY))
    form = draw(st.sampled_from(["date", "uk", "iso", "long"]))
    written = {
        "date": day,
        "uk": day.strftime("%d/%m/%Y"),
        "iso": day.isoformat(),
        "long": f"{day.day} {day:%B %Y}",
    }[form]
    return written, day


@st.composite
def staff_table(draw) -> tuple[str, list[list[object]], list[tuple]]:
    fmt = draw(st.sampled_from(["csv-utf-8", "csv-utf-16", "xlsx", "xls", "ods"]))
    rows: list[list[object]] = [["Organisation", "Service area", "Role", "Headcount", "As at"]]
    expected: dict[tuple, int] = {}
    for _ in range(draw(st.integers(1, 6))):
        labels = [draw(LABEL) for _ in range(3)]
        (count, n), (day, date) = draw(staff_count()), draw(as_at_date())
        rows.append([*labels, count, day])
        key = (*(clean_text(label) for label in labels), date)
        expected[key] = expected.get(key, 0) + n  # one key: the counts are added up
    stored = sorted((*key[:3], n, key[3]) for key, n in expected.items())
    return fmt, rows, stored


@fuzz_settings(EXAMPLES["round_trip"])
@given(table=staff_table())
def test_a_loaded_file_stores_what_it_holds(base, work, table):
    """Random labels, counts and dates that are all valid: the upload loads, and the rows stored
    are the file's, cleaned (spacing, NFKC) and with rows on one key added up."""
    fmt, rows, stored = table
    case = Case(f"staff.{fmt.split('-')[0]}", write(rows, fmt), f"staff as {fmt}: {rows!r}")
    case.kind = "establishment"
    assert run(case, base, work) == "loaded", case
    got = query(
        work,
        "SELECT organisation, service_area, role, headcount, as_of FROM establishment_rows "
        "WHERE upload_id = (SELECT max(upload_id) FROM uploads) ORDER BY ALL",
    )
    assert sorted(got) == stored, case
