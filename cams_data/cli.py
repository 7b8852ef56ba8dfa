"""`python -m cams_data ...`: the same functions the app uses, from the command line."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from cams_data import settings
from cams_data.kinds import KINDS, UPLOAD_OPTIONS
from cams_data.problems import Refused
from cams_data.read import Reading

# pandas, DuckDB and the readers are imported inside the commands that need them, so that a bad
# file is refused before they load (well under a second for a whole process).


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cams_data", description="Load and manage the CAMS dashboard's data."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def with_db(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
        sub.add_argument("--db", help="database file (default: $CAMS_DB or data/cams.duckdb)")
        return sub

    load = with_db(commands.add_parser("ingest", help="load a spreadsheet"))
    load.add_argument("file", type=Path)
    load.add_argument("--kind", choices=sorted(KINDS), help="default: detected from the headers")
    load.add_argument("--sheet", help="default: the sheet that holds the data")
    for option in UPLOAD_OPTIONS.values():
        choices = f" (one of: {', '.join(option.choices)})" if option.choices else ""
        load.add_argument(option.flag, help=option.label + choices)
    load.add_argument(
        "--skip-invalid",
        action="store_true",
        help="load the valid rows when some are wrong (where the kind allows)",
    )
    load.add_argument("--dry-run", action="store_true", help="check and summarise, save nothing")
    load.add_argument("--json", action="store_true", help="print the summary as JSON")

    listing = with_db(commands.add_parser("uploads", help="list every upload"))
    listing.add_argument("--json", action="store_true")

    undo = with_db(commands.add_parser("rollback", help="undo an upload"))
    undo.add_argument("upload_id", type=int)

    wipe = with_db(commands.add_parser("erase", help="delete an upload's rows for good"))
    wipe.add_argument("upload_id", type=int)

    demo = with_db(commands.add_parser("demo", help="write the demo spreadsheets and load them"))
    demo.add_argument("--remove", action="store_true", help="roll back every demo upload")

    report = with_db(commands.add_parser("progress", help="progress against the four objectives"))
    report.add_argument("--period", help="2025/26 or 2025/26-Q2 (default: the last full quarter)")
    report.add_argument("--organisation", help="only this organisation's training and measures")
    report.add_argument("--json", action="store_true", help="print the figures as JSON")
    report.add_argument(
        "--audience",
        choices=("officer", "meeting", "publication"),
        default="officer",
        help="who will see the figures: an officer (true figures, the default), a meeting "
        "(counts of 1 to 4 as <5) or a publication ([c])",
    )

    brief = with_db(commands.add_parser("briefing", help="the quarter's briefing (.docx)"))
    brief.add_argument("--period", help="2025/26-Q3 or 2025/26 (default: the last full quarter)")
    brief.add_argument("--organisation", help="only this organisation's training and measures")
    brief.add_argument(
        "--since", help="the last meeting's date, DD/MM/YYYY (default: 91 days before today)"
    )
    brief.add_argument("--out", type=Path, required=True, help="the .docx file to write")

    pack = with_db(commands.add_parser("export", help="the year's statement pack"))
    pack.add_argument("--year", required=True, help="a financial year, e.g. 2025/26")
    pack.add_argument("--out", type=Path, required=True, help="the folder to write into")
    pack.add_argument("--zip", action="store_true", help="also one ZIP of every file")

    copy = with_db(commands.add_parser("backup", help="a consistent copy of the database"))
    copy.add_argument("--out", type=Path, required=True, help="the backup file to write")
    copy.add_argument(
        "--key-out", type=Path, help="where the pseudonym key goes (default OUT.key): keep it apart"
    )

    back = with_db(commands.add_parser("restore", help="put a backup and its key in place"))
    back.add_argument("file", type=Path)
    back.add_argument("--key", type=Path, help="the backup's key file (default FILE.key)")

    purge = with_db(
        commands.add_parser("purge", help="erase old rows of rolled-back and superseded uploads")
    )
    purge.add_argument(
        "--older-than", help="e.g. 6y or 18m (default: [retention] older_than in cams.toml)"
    )
    purge.add_argument("--dry-run", action="store_true", help="list what would go, erase nothing")

    template = commands.add_parser("template", help="write an .xlsx template for a kind")
    template.add_argument("kind", choices=sorted(KINDS))
    template.add_argument("--out", type=Path, required=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    db = settings.db_path(getattr(args, "db", None))
    if args.command in READ_ONLY:
        from cams_data import store

        store.upgrade(db)  # a file an older version made may lack a view the figures read
    try:
        return COMMANDS[args.command](args, db)
    except Refused as refusal:
        if getattr(args, "json", False):
            print(json.dumps({"status": "refused", **refusal.as_dict()}, indent=2))
        print(f"Refused: {refusal}", file=sys.stderr)
        return 2
    except (LookupError, OSError) as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # the officer gets a sentence; the detail goes to the log
        if type(error).__name__ == "DatabaseBusy":
            print(f"Error: {error}", file=sys.stderr)
            return 1
        log = _error_log(db)
        print(
            f"Error: something went wrong ({type(error).__name__}: {error}). Nothing was "
            f"saved. Please report this with the file that caused it (details: {log}).",
            file=sys.stderr,
        )
        return 1


def _error_log(db: Path) -> Path:
    """Write the current exception's traceback to `cams_errors.log` beside the database (the
    person at the command line gets a sentence, not a traceback); returns the log's path."""
    path = db.parent / "cams_errors.log"
    logger = logging.getLogger("cams_data.cli")
    logger.propagate = False  # never to the terminal through Python's last-resort handler
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        return path
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger.addHandler(handler)
    try:
        logger.exception("Unexpected error")
    finally:
        logger.removeHandler(handler)
        handler.close()
    return path


def _ingest(args, db: Path) -> int:
    if not args.file.is_file():
        raise Refused(str(args.file), "There is no such file.", code="no-such-file")
    data = args.file.read_bytes()
    reading = Reading(data, args.file.name, settings.config())  # refuses a bad file at once
    from cams_data.ingest import UploadRequest, ingest
    from cams_data.validate import Options

    options = Options(**{name: getattr(args, name) for name in UPLOAD_OPTIONS})
    upload = ingest(
        UploadRequest(
            data,
            args.file.name,
            db=db,
            kind=args.kind,
            options=options,
            sheet=args.sheet,
            skip_invalid=args.skip_invalid,
            save=not args.dry_run,
            reading=reading,
        )
    )
    print(json.dumps(upload.as_dict(), indent=2, default=str) if args.json else upload.summary())
    return 0


def _uploads(args, db: Path) -> int:
    from cams_data import store

    with store.connect(db, read_only=True) as con:
        table = store.uploads(con)
    if args.json:
        print(table.to_json(orient="records", date_format="iso", indent=2))
    elif table.empty:
        print("No uploads yet.")
    else:
        shown = table[
            [
                "upload_id",
                "kind",
                "file_name",
                "uploaded_at",
                "uploaded_by",
                "rows_loaded",
                "rows_superseded",
                "status",
                "is_demo",
            ]
        ]
        print(shown.to_string(index=False))
    return 0


def _rollback(args, db: Path) -> int:
    from cams_data.ingest import rollback

    result = rollback(db, args.upload_id)
    print(
        f"Rolled back upload {args.upload_id}: {result['removed']} rows left the figures, "
        f"{result['restored']} rows it had replaced are back."
    )
    return 0


def _erase(args, db: Path) -> int:
    from cams_data.ingest import erase

    deleted = erase(db, args.upload_id)
    print(f"Erased upload {args.upload_id}: {deleted} rows deleted for good.")
    return 0


def _demo(args, db: Path) -> int:
    from cams_data.demo_load import load_demo, remove_demo

    if args.remove:
        removed = remove_demo(db)
        print(f"Removed {len(removed)} demo uploads." if removed else "No demo data to remove.")
        return 0
    for upload in load_demo(db):
        print(f"{upload.status}: {upload.file_name} ({upload.kind}, {upload.rows_loaded} rows)")
    return 0


def _progress(args, db: Path) -> int:
    from cams_data import dashboard, indicators, periods, store
    from cams_data.disclosure import Audience

    audience = {a.name.lower(): a for a in Audience}[args.audience]
    try:
        with store.connect(db, read_only=True) as con:
            period = periods.parse(args.period) if args.period else None
            label = period.label if period else dashboard.default_period(con)
            report = dashboard.progress(con, label, args.organisation)
            shown = dashboard.shown_progress(con, label, args.organisation, audience, report)
    except (periods.BadPeriod, indicators.ConfigError) as error:
        print(f"Error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([_as_dict(o, s) for o, s in zip(report, shown, strict=True)], indent=2))
        return 0
    print(f"Progress for {label} ({periods.parse(label).description})")
    for objective in shown:
        print(f"\n{objective.objective.number}. {objective.objective.title}: {objective.status}")
        for row in objective.indicators:
            target = f", {row.target.lower()}" if row.target else ""
            since = f", {row.change} since {row.previous_period}" if row.change else ""
            print(f"  {row.label}: {row.value} ({row.status}{target}{since})")
    return 0


def _as_dict(objective, shown) -> dict:
    """An objective's figures as JSON: the true figures, with `null` wherever the audience may
    not see them, and `shown`, each figure as that audience sees it."""
    out = objective.as_dict()
    for row, text in zip(out["indicators"], shown.indicators, strict=True):
        row["shown"] = text.value
        if text.hidden:
            row["value"] = None
        if text.change is None:  # hidden, or nothing to compare: the previous figure too
            row["previous"] = row["change"] = None
    return out


def _briefing(args, db: Path) -> int:
    from datetime import datetime

    from cams_data import briefing, dashboard, indicators, periods, store

    try:
        since = datetime.strptime(args.since, "%d/%m/%Y").date() if args.since else None
    except ValueError:
        print(f"Error: '{args.since}' is not a date written DD/MM/YYYY", file=sys.stderr)
        return 2
    try:
        if args.period:
            label = periods.parse(args.period).label
        else:
            with store.connect(db, read_only=True) as con:
                label = dashboard.default_period(con)
        data = briefing.build_from(db, label, args.organisation, since)
    except (periods.BadPeriod, indicators.ConfigError) as error:
        print(f"Error: {error}", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"wrote {args.out} (the briefing for {label})")
    return 0


def _export(args, db: Path) -> int:
    from cams_data import periods, statement

    try:
        if periods.parse(args.year).is_quarter:
            raise periods.BadPeriod(f"'{args.year}' is a quarter: the pack is for a year")
        pack = statement.build_from(db, args.year)
    except periods.BadPeriod as error:
        print(f"Error: {error}", file=sys.stderr)
        return 2
    for path in pack.write(args.out, args.zip):
        print(f"wrote {path}")
    if pack.missing:
        print(f"Nothing loaded for {args.year}: {', '.join(pack.missing)} (the pack says so).")
    return 0


def _backup(args, db: Path) -> int:
    from cams_data.backup import BackupError, backup

    try:
        made = backup(db, args.out, args.key_out)
    except BackupError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    print(f"Backed up {db} to {made.database} ({sum(made.rows.values()):,} rows in all).")
    if made.key:
        print(
            f"The pseudonym key is in {made.key}: store it apart from the backup (see the README)."
        )
    return 0


def _restore(args, db: Path) -> int:
    from cams_data.backup import BackupError, restore

    try:
        done = restore(args.file, db, args.key)
    except BackupError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    for warning in done.warnings:
        print(f"Warning: {warning}", file=sys.stderr)
    print(f"Restored {args.file} to {db}.")
    for path in done.kept_aside:
        print(f"kept aside: {path}")
    return 0


def _purge(args, db: Path) -> int:
    from cams_data.retention import BadAge, purge

    older_than = args.older_than or settings.config().retention
    try:
        purged = purge(db, older_than, dry_run=args.dry_run)
    except BadAge as error:
        print(f"Error: {error}", file=sys.stderr)
        return 2
    verb = "would erase" if args.dry_run else "erased"
    for item in purged:
        print(
            f"{verb} upload {item.upload_id} ({item.kind}, {item.file_name}, "
            f"{item.uploaded_at:%d/%m/%Y}, {item.why}): {item.rows:,} rows"
        )
    print(f"{len(purged)} uploads older than {older_than} {verb}.")
    return 0


def _template(args, db: Path) -> int:
    from cams_data.templates import write_template

    write_template(args.kind, args.out)
    print(f"Wrote the {args.kind} template to {args.out}")
    return 0


READ_ONLY = ("uploads", "progress", "export", "briefing")
COMMANDS = {
    "ingest": _ingest,
    "uploads": _uploads,
    "rollback": _rollback,
    "erase": _erase,
    "demo": _demo,
    "template": _template,
    "progress": _progress,
    "export": _export,
    "briefing": _briefing,
    "backup": _backup,
    "restore": _restore,
    "purge": _purge,
}
