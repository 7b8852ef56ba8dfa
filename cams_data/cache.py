"""The one module with Streamlit caching: query results keyed by the latest upload.

Connections are opened read-only for each query and closed at once, so an officer's CLI upload
can always get the write lock, and each thread (each browser session) uses its own connection.
A new upload or rollback changes the key, as does an edit of the objectives file, so the next run
sees fresh figures, while an unchanged database is not queried again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from cams_data import disclosure, indicators, settings, store


def get(query: Callable[..., Any], *args: Any) -> Any:
    """`query(connection, *args)`, cached until the database or the objectives change."""
    path = settings.db_path()
    if not path.exists():
        with store.connect(path):  # an empty database with its views, made once
            pass
    name = f"{query.__module__}.{query.__qualname__}"
    # whether small counts are hidden is part of the key: an officer's true figures never
    # reach a viewer through the cache
    key = (indicators.config_version(), disclosure.hidden())
    return _cached(str(path), version(path), key, name, query, args)


def version(path: Path) -> str:
    """Changes with every write (an upload, a rollback): the database file or its journal."""
    files = [path, path.with_name(path.name + ".wal")]
    return ";".join(f"{s.st_mtime_ns}:{s.st_size}" for s in (f.stat() for f in files if f.exists()))


@st.cache_data(show_spinner=False, max_entries=256)
def _cached(
    path: str,
    version: str,
    settings_key: tuple,
    name: str,
    _query: Callable[..., Any],
    args: tuple,
) -> Any:
    # version, settings_key and name are only in the key: a new upload means fresh figures
    with (
        store.connect(Path(path), read_only=True) as con,
        disclosure.showing_true_figures(not settings_key[1]),
    ):
        return _query(con, *args)


def freshness():
    return get(store.freshness)


def uploads():
    return get(store.uploads)


def has_demo_data() -> bool:
    return get(store.has_demo_data)


def clear() -> None:
    _cached.clear()
