"""How the modules depend on each other: the upload page's session state is kept in one module,
the shared page widgets do not import the upload path, and no module imports itself back."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from cams_data.upload_state import Confirmed, UploadState

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cams_data"
STATE_MODULE = PACKAGE / "upload_state.py"
SCRIPTS = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
MODULES = sorted(PACKAGE.glob("*.py"))


def upload_keys() -> set[str]:
    """Every session-state key of the upload page, for the first file (number 0)."""
    state = UploadState(0)
    keys = {
        getattr(state, name)
        for name in dir(UploadState)
        if name.endswith("_key") and isinstance(getattr(UploadState, name), property)
    }
    keys |= {state.map_key(0), state.option_key("wave"), UploadState.template_key("training")}
    keys |= {UploadState.FILES, UploadState.HISTORY, UploadState.REMOVE_DEMO}
    keys.add(UploadState._CHECKED)
    for step in (UploadState.UNDO, UploadState.ERASE):
        assert isinstance(step, Confirmed)
        keys |= {step.key, step.done_key, step._pending_key, step.open_key, step.confirm_key}
        keys |= {step.cancel_key, step.typed_key}
    return keys


def key_pattern(node: ast.expr) -> re.Pattern | None:
    """A key written as a string or an f-string, as a pattern (each `{...}` any text)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.compile(re.escape(node.value))
    if isinstance(node, ast.JoinedStr):
        return re.compile(
            "".join(
                re.escape(part.value) if isinstance(part, ast.Constant) else ".+"
                for part in node.values
            )
        )
    return None


def is_session_state(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "session_state") or (
        isinstance(node, ast.Name) and node.id == "session_state"
    )


def session_state_keys(source: str) -> list[tuple[int, re.Pattern]]:
    """Each key `source` reads or writes with `session_state[...]` or `session_state.get(...)`
    (`pop`, `setdefault`), with its line."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and is_session_state(node.value):
            key = node.slice
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("get", "pop", "setdefault")
            and is_session_state(node.func.value)
            and node.args
        ):
            key = node.args[0]
        else:
            continue
        if (pattern := key_pattern(key)) is not None:
            found.append((node.lineno, pattern))
    return found


def test_the_check_finds_keys_written_as_strings_and_f_strings():
    source = (
        "import streamlit as st\n"
        "st.session_state['undo'] = 1\n"
        "x = st.session_state.get(f'sheet-{number}')\n"
        "st.session_state.pop('erase-pending', None)\n"
        "st.session_state.setdefault('_checked', {})\n"
        "y = st.session_state.get('period')\n"
    )
    keys = upload_keys()
    found = [line for line, key in session_state_keys(source) if any(map(key.fullmatch, keys))]
    assert found == [2, 3, 4, 5]


def test_the_upload_pages_session_state_is_kept_by_upload_state_alone():
    keys = upload_keys()
    written_elsewhere = [
        f"{path.relative_to(ROOT)}:{line} {key.pattern}"
        for path in [*SCRIPTS, *MODULES]
        if path != STATE_MODULE
        for line, key in session_state_keys(path.read_text(encoding="utf-8"))
        if any(map(key.fullmatch, keys))
    ]
    assert not written_elsewhere


def test_the_upload_page_and_its_widgets_take_every_key_from_upload_state():
    for path in (ROOT / "pages" / "upload.py", PACKAGE / "upload_widgets.py"):
        source = path.read_text(encoding="utf-8")
        assert "session_state" not in source, path
        spelt_out = [
            node.lineno
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.keyword)
            and node.arg == "key"
            and key_pattern(node.value) is not None
        ]
        assert not spelt_out, f"{path.name}: widget keys spelt out on lines {spelt_out}"


def test_the_shared_page_widgets_do_not_import_the_upload_path():
    upload_path = [
        "cams_data.ingest",
        "cams_data.upload_flow",
        "cams_data.upload_widgets",
        "cams_data.upload_state",
        "cams_data.demo_load",
    ]
    imported = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, cams_data.ui, cams_data.signed_in, cams_data.chart_downloads; "
            f"print([m for m in {upload_path!r} if m in sys.modules])",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert imported.stdout.strip() == "[]"


def module_imports(path: Path) -> set[str]:
    """The `cams_data` modules `path` imports when it is imported (not in a function, not for
    type hints only)."""
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module == "cams_data":
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cams_data."):
            names.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            names |= {
                alias.name.split(".")[1]
                for alias in node.names
                if alias.name.startswith("cams_data.")
            }
    return names - {"__init__"}


def test_no_module_imports_itself_back():
    graph = {path.stem: module_imports(path) for path in MODULES}
    cycles = []

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            cycles.append(" -> ".join([*trail[trail.index(name) :], name]))
            return
        for imported in sorted(graph.get(name, ())):
            visit(imported, [*trail, name])

    for name in graph:
        visit(name, [])
    assert not cycles
    assert {"signed_in", "chart_downloads"} <= graph["ui"]
    assert "ui" not in graph["signed_in"] | graph["chart_downloads"]
