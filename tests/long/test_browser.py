"""The dashboard in a real browser (Debian's Chromium), used as a person would use it.

Two servers are started with `streamlit run app.py` on free loopback ports, each against its own
copy of the demo data (`python -m cams_data demo`), in local mode (the person is an admin):

  demo_site    the demo data only, never changed: the Overview, a shared link, a chart's PNG,
               the statement pack and a screenshot of every page;
  changed_site the demo data plus an action plan full of hostile text (loaded with the CLI before
               the server starts), for the tests that upload or look at that text.

Every expected figure is worked out from the files the tests build. Screenshots are saved in
test-artifacts/screenshots/; on a failure the server's stderr is added to the report and the
page is saved in test-artifacts/failures/.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import builders
import pytest
from PIL import Image
from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
FAILURES = ROOT / "test-artifacts" / "failures"
WAIT = 60_000  # ms: the longest any one page, rerun or download may take (2 busy cores)
VIEWPORT = {"width": 1400, "height": 1000}
HELPLINE = "08000 121 700"

# Outside CI a missing browser skips (apt-get install chromium); in CI (.ci/run installs it) a
# missing browser fails.
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="apt-get install chromium"
)

# The four objectives as objectives.toml names them: the Overview shows one card for each.
OBJECTIVES = [
    "1. Survivor Support and Care",
    "2. Funding and Sustainability",
    "3. Multi-agency approach to intelligence and disruption",
    "4. Partnership profile/awareness",
]

# Every page in the sidebar (Administration aside) and the title it shows.
PAGES = {
    "Overview": "Progress against the four objectives",
    "Objectives": OBJECTIVES[0],
    "Training": "Training",
    "Referrals": "Referrals",
    "Staff survey": "Staff survey",
    "Action plan": "Action plan",
    "Statement pack": "Statement pack",
    "Upload": "Upload spreadsheets",
    "Data loaded": "Data loaded",
}

# Hostile cells for the action plan tracker (headers as tests/fixture_year.py writes them).
SCRIPT = "<script>window.__pwned=1</script>"
IMAGE = '<img src=x onerror="window.__pwned=2">'
LONG = "Long action " + "x" * 4_989  # 5,000 characters, one unbreakable word
RIGHT_TO_LEFT = "مراجعة الإحالات עם צוות הבטיחות"
EMOJI = "Survivor café 🧭🤝✅ review"
HOSTILE_ACTIONS = [
    ["Objective", "Action", "Lead", "Due date", "Status", "Last updated"],
    [1, SCRIPT, IMAGE, "30/06/2025", "In progress", "01/07/2025"],
    [2, IMAGE, SCRIPT, "31/07/2025", "Not started", "01/07/2025"],
    [3, LONG, "Community Safety", "31/08/2025", "Complete", "01/07/2025"],
    [4, RIGHT_TO_LEFT, RIGHT_TO_LEFT, "30/09/2025", "On hold", "01/07/2025"],
    [4, EMOJI, EMOJI, "31/10/2025", "In progress", "01/07/2025"],
]


# --- the servers -----------------------------------------------------------------------------


@dataclass
class Site:
    """A running `streamlit run app.py` and where its stderr goes."""

    url: str
    process: subprocess.Popen
    stderr: Path

    def log(self) -> str:
        return self.stderr.read_text(errors="replace")


def cli(*args: str, db: Path) -> None:
    """`python -m cams_data ...` against `db`, as the README gives it; fails loudly."""
    done = subprocess.run(
        [sys.executable, "-m", "cams_data", *args, "--db", str(db)],
        cwd=ROOT,
        env=server_env(db),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def server_env(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _OWN_SETTINGS}
    return env | {"CAMS_DB": str(db), "CAMS_LOCAL_MODE": "1"}


_OWN_SETTINGS = ("CAMS_CONFIG", "CAMS_PSEUDONYM_KEY", "CAMS_KEY_FILE", "CAMS_DB")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(folder: Path) -> Iterator[Site]:
    """The app served from `folder`/cams.duckdb until the block ends, in local mode."""
    with serving(folder, server_env(folder / "cams.duckdb")) as site:
        yield site


@contextlib.contextmanager
def serving(
    folder: Path,
    env: dict[str, str],
    *,
    port: int | None = None,
    host: str = "127.0.0.1",
    options: tuple[str, ...] = (),
) -> Iterator[Site]:
    """`streamlit run app.py` on loopback with `env` (its output in `folder`), reached at
    `host`, until the block ends; then stopped, its whole process group."""
    port = port or free_port()
    stderr = folder / "streamlit.stderr"
    with open(folder / "streamlit.stdout", "w") as out, open(stderr, "w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address",
             "127.0.0.1", "--server.port", str(port), "--server.headless", "true", *options],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
            start_new_session=True,  # its own process group, to stop it whole
        )  # fmt: skip
    site = Site(f"http://{host}:{port}", process, stderr)
    try:
        wait_until_healthy(site)
        yield site
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


def wait_until_healthy(site: Site, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert site.process.poll() is None, f"streamlit stopped:\n{site.log()}"
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{site.url}/_stcore/health", timeout=5) as answer,
        ):
            if answer.read().decode() == "ok":
                return
        time.sleep(0.25)
    raise AssertionError(f"streamlit did not answer 'ok' within {timeout} s:\n{site.log()}")


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory) -> Path:
    """The demo data loaded once with `python -m cams_data demo`, to be copied, never served."""
    folder = tmp_path_factory.mktemp("demo")
    cli("demo", db=folder / "cams.duckdb")
    return folder


def copy_of(demo_folder: Path, tmp_path_factory, name: str) -> Path:
    folder = tmp_path_factory.mktemp(name)
    for file in ("cams.duckdb", "pseudonym.key"):
        shutil.copy(demo_folder / file, folder / file)
    return folder


@pytest.fixture(scope="module")
def demo_site(demo_folder, tmp_path_factory) -> Iterator[Site]:
    with running(copy_of(demo_folder, tmp_path_factory, "demo_site")) as site:
        yield site


@pytest.fixture(scope="module")
def changed_site(demo_folder, tmp_path_factory) -> Iterator[Site]:
    folder = copy_of(demo_folder, tmp_path_factory, "changed_site")
    tracker = builders.write_csv(folder / "hostile_actions.csv", HOSTILE_ACTIONS)
    cli("ingest", str(tracker), db=folder / "cams.duckdb")
    with running(folder) as site:
        yield site


# --- the browser -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium) -> Iterator[Page]:
    """A fresh browser tab (its own session) that records any dialog a page opens."""
    context = chromium.new_context(viewport=VIEWPORT, accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(WAIT)
    tab.dialogs = []
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    yield tab
    context.close()


class ShowWhatFailed:
    """On a failure, add the servers' stderr to the report and save what the tab showed."""

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        if report.failed and call.when == "call":
            for name, value in item.funcargs.items():
                if isinstance(value, Site):
                    report.sections.append((f"{name} stderr", value.log()[-10_000:]))
            if isinstance(tab := item.funcargs.get("page"), Page):
                FAILURES.mkdir(parents=True, exist_ok=True)
                with contextlib.suppress(Exception):
                    full_screenshot(tab, FAILURES / f"{item.name}.png")
        return report


@pytest.fixture(scope="module", autouse=True)
def _show_what_failed(request):
    plugin = ShowWhatFailed()
    request.config.pluginmanager.register(plugin, "browser-failures")
    yield
    request.config.pluginmanager.unregister(plugin)


expect.set_options(timeout=WAIT)


# --- helpers ---------------------------------------------------------------------------------


def settle(page: Page) -> None:
    """Wait for the script run to finish, every element to be drawn (no loading placeholder
    left) and every chart on show (not in a hidden tab) to be drawn."""
    page.wait_for_selector('.stApp[data-test-script-state="notRunning"]', state="attached")
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0)
    expect(page.locator('[data-testid="stSkeleton"], [data-testid="stAppSkeleton"]')).to_have_count(
        0
    )
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].every(
            chart => !chart.getBoundingClientRect().width || chart.querySelector('svg, canvas'))"""
    )


def open_url(page: Page, url: str, title: str) -> None:
    """Open `url` and wait until the page titled `title` has finished drawing."""
    page.goto(url)
    wait_for_title(page, title)


def wait_for_title(page: Page, title: str) -> None:
    expect(page.get_by_role("heading", level=1, name=title, exact=True)).to_be_visible()
    settle(page)


# The navigation along the top (app.py): each section a menu of its pages.
NAVIGATION = '[data-testid="stTopNav"]'
SECTION_OF = {
    "Overview": "Progress", "Objectives": "Progress", "Training": "Evidence",
    "Referrals": "Evidence", "Staff survey": "Evidence", "Action plan": "Evidence",
    "Statement pack": "Publish", "Upload": "Data", "Data loaded": "Data", "Administration": "Data",
}  # fmt: skip
SECTION = '[data-testid="stTopNavSection"]'
SECTION_LINK = '[data-testid="stTopNavDropdownLink"]'


def navigation(page: Page) -> list[str]:
    """The names of the pages the navigation offers, section by section (each menu opened and
    closed as a person would)."""
    names = []
    for section in page.locator(SECTION).all():
        section.click()
        links = page.locator(SECTION_LINK)
        expect(links.first).to_be_visible()
        names += [text.split("\n")[-1].strip() for text in links.all_inner_texts()]
        page.keyboard.press("Escape")
        expect(links).to_have_count(0)
    return names


def follow(page: Page, link: str) -> None:
    """Open the link's section of the navigation and follow it, as a person clicks it."""
    page.locator(SECTION, has_text=SECTION_OF[link]).click()
    page.locator(SECTION_LINK, has_text=link).click()


def go_to(page: Page, link: str) -> None:
    follow(page, link)
    wait_for_title(page, PAGES[link])


def assert_no_error(page: Page, site: Site) -> None:
    """No exception box and no traceback on the page, nor in the server's log."""
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    assert "Traceback" not in page.locator("body").inner_text()
    assert "Traceback" not in site.log()


def full_screenshot(page: Page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main area, so the window is made as tall as
    the content for the picture, then put back."""
    path.parent.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(height, 600)})
    settle(page)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(VIEWPORT)


def metric(page: Page, label: str):
    """The value of the metric labelled exactly `label` (a locator, to wait on)."""
    label_is = re.compile(rf"^\s*{re.escape(label)}\s*$")
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label_is)
    )
    return box.locator('[data-testid="stMetricValue"]')


def caption(page: Page) -> str:
    """The caption under the page title."""
    main = page.locator('[data-testid="stMain"]')
    return main.locator('[data-testid="stCaptionContainer"]').first.inner_text()


def choose(page: Page, box: str, option: str) -> None:
    """Pick `option` in the select box labelled `box`."""
    page.get_by_role("combobox", name=box).click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(page.get_by_role("combobox", name=box)).to_have_value(option)
    settle(page)


def query_of(page: Page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def sidebar_figures(folder: Path):
    """The periods and organisations the sidebar offers for the data in `folder`."""
    from cams_data import dashboard, store

    with store.connect(folder / "cams.duckdb", read_only=True) as con:
        return dashboard.sidebar(con)


# --- the tests -------------------------------------------------------------------------------


def test_the_overview_shows_the_four_objectives_and_the_helpline(demo_site, page):
    """The Overview opens on one card per objective, and the helpline number is in the sidebar
    and at the foot of the page."""
    open_url(page, demo_site.url, PAGES["Overview"])
    for objective in OBJECTIVES:
        expect(page.get_by_role("heading", level=2, name=objective, exact=True)).to_be_visible()
    expect(page.locator('[data-testid="stSidebar"]').get_by_text(HELPLINE)).to_be_visible()
    expect(page.locator('[data-testid="stMain"]').get_by_text(HELPLINE)).to_be_visible()
    assert_no_error(page, demo_site)


def test_presentation_mode_steps_with_the_arrow_keys_and_esc_ends_it(demo_site, page):
    """`?present=1` hides the sidebar and shows the four cards; the Right and Left arrow keys
    step through the objectives (the view in the address), and Esc returns to the Overview."""
    open_url(page, f"{demo_site.url}/?present=1", PAGES["Overview"])
    expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()
    for objective in OBJECTIVES:
        expect(page.get_by_role("heading", level=2, name=objective, exact=True)).to_be_visible()
    steps = [("ArrowRight", 0, "1"), ("ArrowRight", 1, "2"), ("ArrowLeft", 0, "1")]
    for key, objective, view in steps:
        page.keyboard.press(key)
        title = page.get_by_role("heading", level=1, name=OBJECTIVES[objective], exact=True)
        expect(title).to_be_visible()
        settle(page)
        assert query_of(page)["view"] == view, (key, page.url)
    page.keyboard.press("Escape")
    wait_for_title(page, PAGES["Overview"])
    expect(page.locator('[data-testid="stSidebar"]')).to_be_visible()
    assert "present" not in query_of(page)
    assert_no_error(page, demo_site)


def test_a_shared_link_opens_the_same_filtered_view_and_keeps_it(demo_site, demo_folder, page):
    """A link with ?period=...&organisation=... shows that period and organisation in the
    sidebar and in the caption, and both survive going to other pages through the sidebar."""
    period, organisation = "2025/26-Q1", "Colchester City Council"
    offered = sidebar_figures(demo_folder)
    assert period in offered.period_choices and organisation in offered.organisations
    assert period != offered.default_period  # so the link is what changes the view
    heading = f"{period} (April to June 2025) · {organisation}"

    link = f"{demo_site.url}/?period={period}&organisation={organisation.replace(' ', '%20')}"
    open_url(page, link, PAGES["Overview"])
    for link_to in (None, "Training", "Referrals"):
        if link_to:
            go_to(page, link_to)
        expect(page.get_by_role("combobox", name="Period")).to_have_value(period)
        expect(page.get_by_role("combobox", name="Organisation")).to_have_value(organisation)
        assert caption(page).startswith(heading), (link_to, caption(page))
        assert query_of(page) == {"period": period, "organisation": organisation}, page.url
        assert_no_error(page, demo_site)


def test_a_chart_downloads_as_a_200_ppi_a4_wide_png(demo_site, page, tmp_path):
    """The PNG button under a Referrals chart gives a PNG 1,260 pixels wide at 200 ppi."""
    open_url(page, f"{demo_site.url}/referrals", PAGES["Referrals"])
    button = page.get_by_role("button", name="PNG", exact=True).first
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename.endswith(".png")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    with Image.open(saved) as image:
        assert image.format == "PNG"
        assert image.width == 1260
        assert tuple(round(d) for d in image.info["dpi"]) == (200, 200)
    assert_no_error(page, demo_site)


def test_the_statement_pack_is_built_and_downloaded(demo_site, page):
    """Choosing 2025/26 and building the pack offers a ZIP holding the key figures (text and
    Word), the tables workbook and the charts as PNGs; the button counts its files."""
    open_url(page, f"{demo_site.url}/statement_pack", PAGES["Statement pack"])
    choose(page, "Financial year", "2025/26")
    page.get_by_role("button", name="Build the pack").click()
    # "\/": Playwright sends the pattern as /source/, so a bare slash would end it
    offered = re.compile(r"^Download the 2025\/26 pack \(\.zip, \d+ files\)$")
    button = page.get_by_role("button", name=offered)
    with page.expect_download() as download:
        button.click()
    files = int(re.search(r"(\d+) files", button.inner_text()).group(1))
    with zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes())) as pack:
        names = pack.namelist()
        key_figures = pack.read("key_figures.md").decode("utf-8")
    assert len(names) == files
    assert {"key_figures.md", "key_figures.docx", "statement_tables_2025-26.xlsx"} <= set(names)
    assert "Key figures for the modern slavery statement, 2025/26" in key_figures
    assert len([n for n in names if n.endswith(".png")]) >= 4, names
    assert_no_error(page, demo_site)


def test_every_page_draws_without_an_error(demo_site, page):
    """Each page in the sidebar, reached by its link, draws with no exception and no traceback;
    a full-page screenshot of each is saved to look at."""
    open_url(page, demo_site.url, PAGES["Overview"])
    for link in PAGES:
        if link != "Overview":
            go_to(page, link)
        assert_no_error(page, demo_site)
        expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)
        full_screenshot(page, SCREENSHOTS / f"{link.lower().replace(' ', '-')}.png")


def test_a_messy_survey_upload_changes_the_staff_survey_page(changed_site, page, tmp_path):
    """A Microsoft Forms export chosen on the Upload page is checked (its kind, wave and row
    counts shown), saved, and the Staff survey page for 2025/26 then shows its wave and its
    respondents."""
    path, expected = builders.forms_survey_export(
        tmp_path / "staff_survey_2026-01.xlsx", respondents=37, seed=5, wave_month=(2026, 1)
    )
    answers = sum(expected["answers_by_question"].values())
    open_url(page, f"{changed_site.url}/survey?period=2025/26", PAGES["Staff survey"])
    wave = page.get_by_role("combobox", name="Survey wave")
    assert wave.input_value() != "January 2026 (2026-01)"  # the demo's latest wave, for now
    respondents_before = metric(page, "Respondents").inner_text()
    assert respondents_before != f"{expected['responses']:,}"  # so that the change shows

    go_to(page, "Upload")
    page.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(path)
    understood = "Understood as Staff survey responses (detected from the headers)"
    expect(page.get_by_text(understood)).to_be_visible()
    page.get_by_role("textbox", name=re.compile("^Survey wave")).fill("2026-01")
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile(r"survey wave 2026-01\.$"))).to_be_visible()
    settle(page)
    expect(metric(page, "Rows read")).to_have_text(f"{expected['responses']:,}")
    expect(metric(page, "Rows to load (one per answer)")).to_have_text(f"{answers:,}")
    expect(metric(page, "Rows already loaded it replaces")).to_have_text("0")
    expect(metric(page, "Rows with problems")).to_have_text("0")
    full_screenshot(page, SCREENSHOTS / "upload-checked.png")

    page.get_by_role("button", name=f"Save {path.name}").click()
    saved = re.compile(rf"Saved as upload \d+: {answers:,} rows loaded")
    expect(page.get_by_text(saved)).to_be_visible()
    settle(page)
    assert_no_error(page, changed_site)
    full_screenshot(page, SCREENSHOTS / "upload-saved.png")

    go_to(page, "Staff survey")
    expect(wave).to_have_value("January 2026 (2026-01)")
    expect(metric(page, "Respondents")).to_have_text(f"{expected['responses']:,}")
    assert query_of(page)["period"] == "2025/26"
    assert_no_error(page, changed_site)
    full_screenshot(page, SCREENSHOTS / "staff-survey-after-upload.png")


def test_hostile_text_in_the_action_plan_is_shown_as_text(changed_site, page):
    """Script and image tags in the tracker are shown as the words typed, never run; very long,
    right-to-left and emoji text is shown too."""
    open_url(page, f"{changed_site.url}/action_plan?period=2025/26", PAGES["Action plan"])
    tables = page.locator('[data-testid="stTable"]')
    expect(tables).to_have_count(len(OBJECTIVES))  # one per objective, each drawn
    expect(tables.last.get_by_text(EMOJI, exact=True).first).to_be_visible()
    shown = " ".join(tables.all_inner_texts())
    for text in (SCRIPT, IMAGE, LONG, RIGHT_TO_LEFT, EMOJI):
        assert text in shown, text[:40]
    assert page.get_by_text(SCRIPT, exact=True).count() >= 1
    assert page.get_by_text(IMAGE, exact=True).count() >= 1
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("script", has_text="__pwned").count() == 0
    assert page.dialogs == []
    assert_no_error(page, changed_site)
    full_screenshot(page, SCREENSHOTS / "action-plan-hostile-text.png")
