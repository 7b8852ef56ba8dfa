"""Presentation mode: the Overview for a room, one view per screen.

`?present=1` (or the sidebar's "Presentation mode") hides the sidebar and enlarges the type; view 0
is the Overview's four cards, views 1 to 4 one objective each. "Next" and "Previous" step through
them, wrapping round at either end, and the view is in the address (`?present=1&view=2`) so a
link opens it. Which view, the next and the previous are decided here; `room` draws them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

PRESENT = "present"  # the query parameter that switches it on
VIEW = "view"  # the query parameter naming the view, 0 for the Overview
ON = "1"
OVERVIEW = "Overview: the four objectives"
NEXT_KEY, PREVIOUS_KEY, EXIT_KEY = "Right", "Left", "Esc"  # st.button shortcuts


def is_on(params: Mapping[str, str]) -> bool:
    """Whether the address asks for presentation mode: `present=1` (or `true`, `yes`, `on`)."""
    return str(params.get(PRESENT, "")).strip().lower() in (ON, "true", "yes", "on")


def views(titles: Sequence[str]) -> list[str]:
    """Every view in order: the Overview, then each objective's title."""
    return [OVERVIEW, *titles]


def view_of(params: Mapping[str, str], count: int) -> int:
    """The view the address names, 0 (the Overview) when it names none or one that does not
    exist."""
    raw = str(params.get(VIEW, "0")).strip()
    number = int(raw) if raw.isdigit() else 0
    return number if 0 <= number < count else 0


def step(view: int, count: int, by: int) -> int:
    """The view `by` steps on from `view`, wrapping round: Next from the last is the Overview,
    Previous from the Overview the last objective."""
    return (view + by) % count


def position(view: int, count: int) -> str:
    """Where the room is: '2 of 5'."""
    return f"{view + 1} of {count}"


def address(view: int) -> dict[str, str]:
    """The query parameters that open `view` in presentation mode."""
    return {PRESENT: ON, VIEW: str(view)}


HELP = (
    "Presentation mode: Right arrow for the next view, Left arrow for the previous, Esc to exit "
    "(or Tab to a button and press Enter)."
)

# Injected once per run while presenting: the sidebar and its controls gone, the header bar
# hidden, the type larger and the page as wide as the screen.
CSS = """
section[data-testid="stSidebar"], div[data-testid="stSidebarCollapsedControl"],
button[data-testid="stExpandSidebarButton"], div[data-testid="stSidebarNav"],
header[data-testid="stHeader"] { display: none !important; }
html { font-size: 18px; }
h1 { font-size: 1.9rem !important; padding: 0 !important; }
.block-container, div[data-testid="stMainBlockContainer"] {
  padding-top: 1rem !important; padding-bottom: 1rem !important; max-width: 100% !important; }
div[data-testid="stMetricValue"] { font-size: 2.4rem; }
.cams-status-block { font-size: 1.75rem; padding: 0.25rem 1rem; }
.cams-reason { font-size: 1.1rem; }
@media (max-width: 1500px) {  /* an objective's table and its charts, one under another */
  .st-key-cams-objective div[data-testid="stHorizontalBlock"]:has(> div[data-testid="stColumn"]) {
    flex-wrap: wrap; }
  .st-key-cams-objective div[data-testid="stColumn"] { flex: 1 1 100% !important;
    min-width: 100% !important; }
}
div[data-testid="stAlert"] { padding: 0 !important; }
div[data-testid="stAlertContainer"] { padding: 0.5rem 1rem !important; }
"""
