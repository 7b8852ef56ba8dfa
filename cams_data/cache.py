"""The one module with Streamlit caching: query results keyed by the latest upload.

Connections are opened read-only for each query and closed at once, so an officer's CLI upload
can always get the write lock; a new upload or rollback changes the key and refreshes results.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from cams_data import settings, store

QUERIES = {
    "freshness": store.freshness,
    "uploads": store.uploads,
    "has_demo_data": store.has_demo_data,
}


def _query(name: str):
    path = settings.db_path()
    with store.connect(path, read_only=True) as con:
        version = store.latest_upload_id(con)
    return _cached(path, version, name)


@st.cache_data(show_spinner=False, max_entries=32)
def _cached(path: Path, version: int, name: str):
    # version is only in the key: a new upload or rollback means fresh figures
    with store.connect(path, read_only=True) as con:
        return QUERIES[name](con)


def freshness() -> pd.DataFrame:
    return _query("freshness")


def uploads() -> pd.DataFrame:
    return _query("uploads")


def has_demo_data() -> bool:
    return _query("has_demo_data")
