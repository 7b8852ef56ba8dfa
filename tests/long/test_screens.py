"""Every page on the three screens the partnership uses, as a person sees it: the meeting room's
1920x1080, a 1366x768 laptop and an 800 px wide window. For each page at each size: a
screenshot to look at (test-artifacts/screenshots/<size>/), no text cut (no element's text wider
than its box), no chart narrower than 300 px, and axe-core (npm, pinned in package.json) finding
no serious or critical WCAG 2.2 AA violation. (Presentation mode, stepped through its five views
with the keyboard, is test_browser.py's.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page
from test_browser import (  # noqa: F401 (fixtures)
    PAGES,
    ROOT,
    SCREENSHOTS,
    WAIT,
    chromium,
    demo_folder,
    demo_site,
    open_url,
    pytestmark,
    settle,
)

SCREENS = {"1920x1080": (1920, 1080), "1366x768": (1366, 768), "800x900": (800, 900)}
ADDRESS = {
    "Overview": "", "Objectives": "objectives", "Training": "training", "Referrals": "referrals",
    "Staff survey": "survey", "Action plan": "action_plan", "Statement pack": "statement_pack",
    "Upload": "upload", "Data loaded": "data_loaded",
}  # fmt: skip
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
NARROWEST_CHART = 300

# Text cut: an element holding text whose content is wider than its box. Scroll boxes meant to
# scroll sideways (a data grid, code) are left out; their text is reached by scrolling.
CUT_TEXT = """() => {
  const cut = [];
  const scrolls = '[data-testid="stDataFrame"], [data-testid="stCode"], pre, code';
  for (const element of document.querySelectorAll('[data-testid="stApp"] *')) {
    const text = [...element.childNodes]
      .filter(node => node.nodeType === Node.TEXT_NODE)
      .map(node => node.textContent).join('').trim();
    // a chart's text is drawn in SVG, where labels are placed, not wrapped
    if (!text || element.closest(scrolls) || element instanceof SVGElement) continue;
    // the text's own box, or the box that clips it ('First Responder roles trained i...')
    const box = element.closest('.stMarkdownEllipsis') || element;
    // not on show, or hidden for sight but kept for screen readers (1 px: 'Skip to content')
    if (box.clientWidth <= 1 || !box.getBoundingClientRect().height) continue;
    if (box.scrollWidth > box.clientWidth + 1) {
      const what = `${element.tagName.toLowerCase()} '${text.slice(0, 60)}'`;
      cut.push(`${what}: ${box.scrollWidth} px of text in ${box.clientWidth} px`);
    }
  }
  return cut;
}"""

NARROW_CHARTS = """(narrowest) => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
  .map(chart => chart.getBoundingClientRect())
  .filter(box => box.width > 0 && box.width < narrowest)
  .map(box => Math.round(box.width))"""

SERIOUS = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => {
      const node = v.nodes[0];
      const why = (node.any[0] || node.all[0] || {message: v.help}).message;
      return `${v.id} (${v.impact}): ${v.nodes.length} on the page, e.g. ${node.target}: ${why}`;
    });
}"""


@pytest.fixture(scope="module")
def axe_script() -> str:
    assert AXE.exists(), "axe-core is not installed: run `make test-long` (it runs npm ci)"
    return AXE.read_text()


@pytest.fixture(params=list(SCREENS), scope="module")
def screen(request, chromium) -> Iterator[tuple[str, Page]]:  # noqa: F811
    width, height = SCREENS[request.param]
    context = chromium.new_context(viewport={"width": width, "height": height})
    tab = context.new_page()
    tab.set_default_timeout(WAIT)
    yield request.param, tab
    context.close()


def looked_at(tab: Page, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(path), full_page=True)


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_reads_whole_on_every_screen(demo_site, screen, axe_script, name):  # noqa: F811
    size, tab = screen
    open_url(tab, f"{demo_site.url}/{ADDRESS[name]}", PAGES[name])
    looked_at(tab, SCREENSHOTS / size / f"{ADDRESS[name] or 'overview'}.png")
    assert tab.evaluate(CUT_TEXT) == [], f"text cut on {name} at {size}"
    assert tab.evaluate(NARROW_CHARTS, NARROWEST_CHART) == [], f"charts too narrow on {name}"
    tab.add_script_tag(content=axe_script)
    assert tab.evaluate(SERIOUS, WCAG_22_AA) == [], f"WCAG 2.2 AA on {name} at {size}"
    settle(tab)
