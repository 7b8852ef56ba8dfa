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


def test_the_readme_proxy_example_limits_uploads_to_the_apps_limit():
    readme = Path(CONFIG.parents[1], "README.md").read_text(encoding="utf-8")
    upload_block = readme.split("location /_stcore/upload_file/ {", 1)[1].split("\n    }", 1)[0]
    limit_mb = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["server"]["maxUploadSize"]
    # one megabyte over the file limit: the form's framing around the file
    assert f"client_max_body_size {limit_mb + 1}m;" in upload_block
    assert "limit_req zone=cams_uploads" in upload_block
    assert 'if ($cookie__streamlit_user = "") { return 403; }' in upload_block
