"""The one module with Streamlit caching: query results keyed by the latest upload.

Connections are opened read-only for each query and closed at once, so an officer's CLI upload
can always get the write lock, and each thread (each browser session) uses its own connection.
A new upload, rollback or erasure changes the key, as does an edit of the objectives file, so the
next run sees fresh figures, while unchanged figures are not queried again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from cams_data import indicators, settings, store


def get(query: Callable[..., Any], *args: Any) -> Any:
    """`query(connection, *args)`, cached until the database or the objectives change."""
    path = settings.db_path()
    name = f"{query.__module__}.{query.__qualname__}"
    # the audience, when a query takes one, is one of `args`: an officer's true figures and
    # a meeting screen's are different entries
    return _cached(str(path), version(path), indicators.config_version(), name, query, args)


_versions: dict[str, tuple[str, str]] = {}  # database -> (file state, figures' version)
_upgraded: set[str] = set()


def _ready(path: Path) -> None:
    """Once per process: make the database if there is none, or upgrade one an older version
    of the app made (the app otherwise only reads)."""
    if str(path) in _upgraded and path.exists():
        return
    if path.exists():
        with store.connect(path, read_only=True) as con:
            current = store.schema_version(con) == store.SCHEMA_VERSION
    else:
        current = False
    if not current:
        with store.connect(path):  # a writer migrates
            pass
    _upgraded.add(str(path))


def version(path: Path) -> str:
    """The figures' version: the latest upload, rollback and erasure.

    Read from the database only when its files changed since last asked (a stat is cheap), and
    unchanged by anything that writes without changing the figures, such as an upload's check.
    """
    _ready(path)
    files = [path, path.with_name(path.name + ".wal")]
    state = ";".join(
        f"{s.st_mtime_ns}:{s.st_size}" for s in (f.stat() for f in files if f.exists())
    )
    known = _versions.get(str(path))
    if known and known[0] == state:
        return known[1]
    with store.connect(path, read_only=True) as con:
        figures = store.figures_version(con)
    _versions[str(path)] = (state, figures)
    return figures


@st.cache_data(show_spinner=False, max_entries=256)
def _cached(
    path: str,
    version: str,
    objectives_version: str,
    name: str,
    _query: Callable[..., Any],
    args: tuple,
) -> Any:
    # version, objectives_version and name are only in the key: a new upload means fresh figures
    with store.connect(Path(path), read_only=True) as con:
        return _query(con, *args)


def freshness():
    return get(store.freshness)


def uploads():
    return get(store.uploads)
