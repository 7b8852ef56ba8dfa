"""Load the demo spreadsheets through the same ingest path as an officer's files."""

from __future__ import annotations

from pathlib import Path

from cams_data import settings, store
from cams_data.demo import write_demo_files
from cams_data.ingest import Upload, UploadRequest, ingest, rollback
from cams_data.validate import Options

DEMO_USER = "demo"


def load_demo(db: Path, out_dir: Path | None = None) -> list[Upload]:
    """Write the demo files into data/demo/ and load each one, marked as demo data."""
    files = write_demo_files(out_dir or settings.DEMO_DIR)
    return [
        ingest(
            UploadRequest(
                demo.path.read_bytes(),
                demo.path.name,
                db=db,
                kind=demo.kind,
                options=Options(**demo.options),
                is_demo=True,
                uploaded_by=DEMO_USER,
            )
        )
        for demo in files
    ]


def remove_demo(db: Path, who: str | None = None) -> list[int]:
    """Roll back every active demo upload in one step; returns their ids."""
    with store.connect(db, read_only=True) as con:
        ids = [
            row[0]
            for row in con.execute(
                "SELECT upload_id FROM uploads WHERE is_demo AND status = 'active' "
                "ORDER BY upload_id DESC"
            ).fetchall()
        ]
    for upload_id in ids:
        rollback(db, upload_id, who)
    return ids
