"""The server's hardening in .streamlit/config.toml, and its upload limit equal to the data
layer's, so a file the app accepts is one the loader accepts."""

from __future__ import annotations

import tomllib
from pathlib import Path

from cams_data import settings

CONFIG = Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"


def test_the_server_is_hardened():
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    server, client = config["server"], config["client"]
    assert server["enableXsrfProtection"] is True
    assert client["showErrorDetails"] == "none"  # people see a friendly message, the log the rest
    assert config["browser"]["gatherUsageStats"] is False
    assert server["fileWatcherType"] == "none"
    assert server["enableStaticServing"] is False
    assert server["maxUploadSize"] == settings.config().max_upload_mb == 20


def test_streamlit_is_pinned_to_one_release():
    pins = Path(CONFIG.parents[1], "requirements.txt").read_text().splitlines()
    assert "streamlit==1.67.0" in pins
