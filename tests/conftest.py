"""Shared fixtures: every test gets its own database, key and working folder."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REAL = SHARED / "real"
sys.path.insert(0, str(Path(__file__).parent))  # tests import builders as `import builders`

needs_shared = pytest.mark.skipif(
    not REAL.is_dir(),
    reason="../shared/real (the published NRM tables) is not beside this clone; CI always has it",
)


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    """A fresh database path (created on first write) with its own pseudonym key."""
    path = tmp_path / "cams.duckdb"
    monkeypatch.setenv("CAMS_DB", str(path))
    monkeypatch.delenv("CAMS_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("CAMS_KEY_FILE", raising=False)
    return path


def snapshot(path: Path) -> dict[str, list]:
    """Every table's full contents, to prove a refused upload changed nothing."""
    if not path.exists():
        return {}
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
                "ORDER BY table_name"
            ).fetchall()
        ]
        return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}
    finally:
        con.close()


def query(path: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(autouse=True)
def _default_config(monkeypatch):
    monkeypatch.delenv("CAMS_CONFIG", raising=False)
