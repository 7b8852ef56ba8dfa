"""How a status looks on screen: its colours, icon and word, in one place.

A status is never told by colour alone: every block and label says the word too, with an icon
beside it. Each text colour has a contrast ratio of at least 4.5:1 with its background (WCAG 2.2
AA for normal text; `tests/test_status_style.py` computes it). The HTML built here escapes every
text it is given (labels and notes can come from files or configuration).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from cams_data import indicators


@dataclass(frozen=True)
class StatusStyle:
    background: str
    text: str
    icon: str  # a text symbol, hidden from screen readers: the word says it
    border: str = "transparent"


STATUS_STYLE: dict[str, StatusStyle] = {
    indicators.RED: StatusStyle("#A4161A", "#FFFFFF", "\u2716"),  # heavy multiplication x
    indicators.AMBER: StatusStyle("#FFB81C", "#0B0C0C", "\u25b2"),  # black up triangle
    indicators.GREEN: StatusStyle("#00703C", "#FFFFFF", "\u2714"),  # heavy check mark
    indicators.NO_DATA: StatusStyle("#505A5F", "#FFFFFF", "\u2013"),  # en dash
    indicators.NOT_RATED: StatusStyle("#F3F2F1", "#0B0C0C", "\u25cb", "#505A5F"),  # circle
}
NOTE_TEXT = "#0B0C0C"  # the explanation of a mark, on the page's white


def style(status: str) -> StatusStyle:
    """A status's style; an unknown status (none today) looks like 'Not rated'."""
    return STATUS_STYLE.get(status, STATUS_STYLE[indicators.NOT_RATED])


def _colours(status: str) -> str:
    s = style(status)
    return f"background:{s.background};color:{s.text};border:2px solid {s.border};"


def block(status: str, title: str = "") -> str:
    """The status as a large coloured block: icon and word ('✖ Red'), after `title` (say
    'Objective status') when given."""
    s = style(status)
    lead = f'<span class="cams-status-title">{html.escape(title)}: </span>' if title else ""
    return (
        f'<div class="cams-status cams-status-block" style="{_colours(status)}">'
        f'<span class="cams-status-icon" aria-hidden="true">{s.icon}</span> '
        f"{lead}<strong>{html.escape(status)}</strong></div>"
    )


def label(status: str) -> str:
    """A status as a small coloured label with its word, for one indicator."""
    s = style(status)
    return (
        f'<span class="cams-status cams-status-label" style="{_colours(status)}">'
        f'<span aria-hidden="true">{s.icon}</span> {html.escape(status)}</span>'
    )


def indicator_line(status: str, *details: str) -> str:
    """An indicator's own status as a label, then its target and note in plain dark text:
    '[✖ Red] Target 100% · data to 30/09/2025'."""
    shown = " · ".join(html.escape(d) for d in details if d)
    return (
        f'<p class="cams-indicator-status">{label(status)}'
        + (f' <span style="color:{NOTE_TEXT}">{shown}</span>' if shown else "")
        + "</p>"
    )


def reason(text: str) -> str:
    """Why the objective has its status, as a paragraph."""
    return f'<p class="cams-reason" style="color:{NOTE_TEXT}">{html.escape(text)}</p>'


def notes(lines: list[str]) -> str:
    """What each mark on a card means, one line each; '' when there is none."""
    if not lines:
        return ""
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return f'<ul class="cams-mark-notes" style="color:{NOTE_TEXT}">{items}</ul>'


CSS = """
.cams-status { border-radius: 0.5rem; font-family: inherit; }
.cams-status-block { display: block; padding: 0.5rem 1rem; font-size: 1.75rem;
  line-height: 1.3; margin: 0; }
.cams-status-block strong { font-weight: 700; }
.cams-status-title { font-size: 1.1rem; font-weight: 600; }
.cams-status-icon { display: inline-block; min-width: 1.4em; }
.cams-status-label { display: inline-block; padding: 0.05rem 0.5rem; font-weight: 700;
  font-size: 1rem; white-space: nowrap; }
.cams-reason { font-size: 1.1rem; margin: 0.25rem 0 0 0; line-height: 1.45; }
.cams-indicator-status { margin: -0.5rem 0 0.25rem 0; font-size: 1rem; line-height: 1.6; }
div[data-testid="stMetric"] .stMarkdownEllipsis, div[data-testid="stMetric"] p {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
div[data-testid="stTable"] th, div[data-testid="stTable"] td,
div[data-testid="stTable"] th *, div[data-testid="stTable"] td * { overflow-wrap: anywhere; }
@media (max-width: 1000px) {  /* narrow: a table fits its column, its words wrapped */
  div[data-testid="stTable"] table { table-layout: fixed; width: 100%; }
  div[data-testid="stTable"] > div { overflow: visible; } }
.st-key-cams-cards div[data-testid="stHorizontalBlock"]:has(> div[data-testid="stColumn"]) {
  flex-wrap: wrap; }
.st-key-cams-cards div[data-testid="stColumn"] { flex: 1 1 26rem !important;
  min-width: min(100%, 26rem) !important; }
.st-key-cams-cards h2 { font-size: 1.75rem; }
.st-key-cams-tables div[data-testid="stTable"] th *,
.st-key-cams-tables div[data-testid="stTable"] td * { overflow-wrap: anywhere !important; }
.st-key-cams-tables div[data-testid="stTable"] th,
.st-key-cams-tables div[data-testid="stTable"] td { min-width: 4.5em; }
table.cams-headlines { width: 100%; table-layout: fixed; border-collapse: collapse;
  font-size: 1rem; color: #0B0C0C; }
table.cams-headlines th, table.cams-headlines td { text-align: left; vertical-align: top;
  padding: 0.1rem 0.4rem; border-bottom: 1px solid #B1B4B6; }
table.cams-headlines thead th { font-size: 0.85rem; }
table.cams-headlines caption { caption-side: bottom; text-align: left; font-size: 0.85rem;
  padding-top: 0.2rem; }
.cams-card-head { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1rem;
  justify-content: space-between; }
.cams-card-head .cams-status-block { flex: 0 0 auto; }
h2.cams-card-title { font-size: 1.4rem; font-weight: 700; margin: 0; flex: 1 1 20rem; padding: 0;
  line-height: 1.3; color: #0B0C0C; }
table.cams-headlines tbody th { font-weight: 400; }
table.cams-headlines .cams-note { font-size: 0.85rem; }
table.cams-headlines .cams-status-label { font-size: 0.85rem; padding: 0.05rem 0.35rem; }
table.cams-headlines td.cams-value { font-size: 1.3rem; font-weight: 700; line-height: 1.3; }
.cams-mark-notes { font-size: 0.95rem; margin: 0.25rem 0 0 1.1rem; padding: 0; }
"""
