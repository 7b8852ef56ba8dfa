"""The one module with Streamlit caching: query results keyed by the latest upload.

Connections are opened read-only for each query and closed at once, so an officer's CLI upload
can always get the write lock; a new upload or rollback changes the key and refreshes results.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from cams_data import settings, store


def _version(path: Path) -> int:
    with store.connect(path, read_only=True) as con:
        return store.latest_upload_id(con)


def freshness() -> pd.DataFrame:
    path = settings.db_path()
    return _freshness(path, _version(path))


@st.cache_data(show_spinner=False, max_entries=16)
def _freshness(path: Path, version: int) -> pd.DataFrame:
    with store.connect(path, read_only=True) as con:
        return store.freshness(con)


def uploads() -> pd.DataFrame:
    path = settings.db_path()
    return _uploads(path, _version(path))


@st.cache_data(show_spinner=False, max_entries=16)
def _uploads(path: Path, version: int) -> pd.DataFrame:
    with store.connect(path, read_only=True) as con:
        return store.uploads(con)


def has_demo_data() -> bool:
    path = settings.db_path()
    return _has_demo_data(path, _version(path))


@st.cache_data(show_spinner=False, max_entries=16)
def _has_demo_data(path: Path, version: int) -> bool:
    with store.connect(path, read_only=True) as con:
        return store.has_demo_data(con)
