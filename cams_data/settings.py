"""Where the database and key live, and the limits and defaults from `cams.toml`."""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = ROOT / "data" / "cams.duckdb"
DEFAULT_CONFIG = ROOT / "cams.toml"
DEMO_DIR = ROOT / "data" / "demo"


@dataclass(frozen=True)
class Config:
    default_geography: str = "Colchester"
    default_organisation: str = "Colchester City Council"
    default_measure_organisation: str = "CAMS partnership"
    max_upload_mb: float = 20
    max_uncompressed_mb: float = 200
    max_compression_ratio: float = 100
    store_free_text: bool = False
    question_aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    objectives_file: str = ""
    admins: tuple[str, ...] = ()
    officers: tuple[str, ...] = ()
    viewers: tuple[str, ...] = ()
    retention: str = "6y"  # rows of rolled-back and superseded uploads are purged after this

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def max_uncompressed_bytes(self) -> int:
        return int(self.max_uncompressed_mb * 1024 * 1024)


def config_path() -> Path:
    return Path(os.environ.get("CAMS_CONFIG", DEFAULT_CONFIG))


@lru_cache(maxsize=8)
def _load_config(path: Path, mtime: float) -> Config:
    raw = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data, limits, survey = raw.get("data", {}), raw.get("limits", {}), raw.get("survey", {})
    aliases = {
        canonical: tuple(variants)
        for canonical, variants in survey.get("question_aliases", {}).items()
    }
    return Config(
        default_geography=data.get("default_geography", Config.default_geography),
        default_organisation=data.get("default_organisation", Config.default_organisation),
        default_measure_organisation=data.get(
            "default_measure_organisation", Config.default_measure_organisation
        ),
        max_upload_mb=limits.get("max_upload_mb", Config.max_upload_mb),
        max_uncompressed_mb=limits.get("max_uncompressed_mb", Config.max_uncompressed_mb),
        max_compression_ratio=limits.get("max_compression_ratio", Config.max_compression_ratio),
        store_free_text=survey.get("store_free_text", Config.store_free_text),
        question_aliases=aliases,
        objectives_file=raw.get("dashboard", {}).get("objectives", ""),
        admins=tuple(raw.get("roles", {}).get("admins", ())),
        officers=tuple(raw.get("roles", {}).get("officers", ())),
        viewers=tuple(raw.get("roles", {}).get("viewers", ())),
        retention=raw.get("retention", {}).get("older_than", Config.retention),
    )


def config() -> Config:
    path = config_path()
    mtime = path.stat().st_mtime if path.exists() else 0.0
    return _load_config(path, mtime)


def db_path(explicit: str | Path | None = None) -> Path:
    """The database: `--db`, else `CAMS_DB`, else `data/cams.duckdb`."""
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("CAMS_DB", DEFAULT_DB))


def key_path(db: Path) -> Path:
    """The pseudonym key file: `CAMS_KEY_FILE`, else `pseudonym.key` beside the database."""
    return Path(os.environ.get("CAMS_KEY_FILE", db.parent / "pseudonym.key"))


def pseudonym_key(db: Path) -> bytes:
    """The HMAC key behind person and respondent keys, made on first use if there is none."""
    if env_key := os.environ.get("CAMS_PSEUDONYM_KEY"):
        return bytes.fromhex(env_key)
    path = key_path(db)
    if not path.exists():
        write_key(path, secrets.token_bytes(32), replace=False)
    return read_key(path)


def read_key(path: Path) -> bytes:
    return bytes.fromhex(Path(path).read_text().strip())


def write_key(path: Path, key: bytes, replace: bool = True) -> None:
    """A key file readable by its owner only (`replace=False`: never over an existing one)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if replace else os.O_EXCL)
    with os.fdopen(os.open(path, flags, 0o600), "w") as handle:
        handle.write(key.hex() + "\n")
