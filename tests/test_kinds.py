"""Every fact about a kind is in its `Kind`: the upload page, templates, coverage and README
read it from there, and no module branches on a kind's name."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from conftest import open_page

from cams_data import cli, store, templates
from cams_data.kinds import KINDS, UPLOAD_OPTIONS
from cams_data.validate import Options

ROOT = Path(__file__).parents[1]


@pytest.mark.parametrize("kind", list(KINDS.values()), ids=list(KINDS))
def test_a_kinds_upload_options_are_its_fields_options_with_their_labels(kind):
    options = kind.upload_options
    assert [o.name for o in options] == [f.option for f in kind.fields if f.option]
    assert all(UPLOAD_OPTIONS[o.name] is o and o.label for o in options)


def test_every_upload_option_is_taken_by_the_command_line_and_reaches_validation(monkeypatch):
    """An option is one entry in `UPLOAD_OPTIONS`: the command line offers it as a flag and hands
    what was typed to `Options`, which the checks read by the option's name."""
    taken = {}
    monkeypatch.setitem(cli.COMMANDS, "ingest", lambda args, db: taken.update(vars(args)) or 0)
    flags = [f"{o.flag}=given {o.name}" for o in UPLOAD_OPTIONS.values()]
    assert cli.main(["ingest", "file.xlsx", *flags]) == 0
    options = Options(**{name: taken[name] for name in UPLOAD_OPTIONS})
    assert options.given() == {name: f"given {name}" for name in UPLOAD_OPTIONS}
    with pytest.raises(TypeError, match="no upload option colour"):
        Options(colour="red")


def test_a_default_the_summary_states_can_be_given_at_upload_instead():
    stated = [(k.name, f) for k in KINDS.values() for f in k.fields if f.default_said]
    assert [(kind, f.name) for kind, f in stated] == [
        ("referrals", "geography"),
        ("referrals", "referral_type"),
    ]
    assert all(f.option in UPLOAD_OPTIONS for _, f in stated)


@pytest.mark.parametrize("name", list(KINDS))
def test_the_upload_page_offers_the_kinds_options_and_help(db, local_admin, name):
    kind = KINDS[name]
    app = open_page("pages/upload.py")
    template = templates.template_bytes(name)
    app.file_uploader(key="files").upload(f"{name}.xlsx", template).run()
    app.selectbox(key="kind-0").select(name).run()
    assert not app.exception, app.exception
    asked = [w.label for w in (*app.text_input, *app.selectbox) if w.key.endswith("-0")]
    asked = [label for label in asked if label not in ("Kind of data", "Sheet")]
    assert sorted(asked) == sorted(o.label for o in kind.upload_options)
    choices = {b.label: b.options for b in app.selectbox if b.key.endswith("-0")}
    for option in kind.upload_options:
        if option.choices:
            assert choices[option.label][1:] == list(option.choices)
    assert f"**{kind.title}**: {kind.help}" in [m.value for m in app.markdown]


@pytest.mark.parametrize("name", list(KINDS))
def test_a_template_is_made_from_its_kind(tmp_path, name):
    kind = KINDS[name]
    book = openpyxl.load_workbook(templates.write_template(name, tmp_path / "t.xlsx"))
    headers = [c.value for c in book.worksheets[0][1]]
    extras = [header for header, _, _ in kind.template_extras]
    assert headers[: len(extras)] == extras
    assert book["About"]["A2"].value == kind.help


def test_each_kind_is_dated_by_one_of_its_fields_and_its_days_are_read_from_it():
    assert set(store.DAYS_DESCRIBED) == set(KINDS)
    for kind in KINDS.values():
        assert kind.field(kind.dated_by).type in ("date", "period", "wave")


def test_no_module_branches_on_a_kinds_name():
    names = "|".join(KINDS)
    branching = re.compile(rf"kind(\.name)?\s*[!=]=\s*\"({names})\"")
    # The demo writes each kind's files and works out, apart from the loader, what they give.
    sources = [
        *(p for p in (ROOT / "cams_data").glob("*.py") if p.name != "demo.py"),
        *(ROOT / "pages").glob("*.py"),
    ]
    found = [
        f"{path.name}:{number}"
        for path in sources
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if branching.search(line)
    ]
    assert found == []


def test_the_readme_lists_every_kind_with_the_options_it_takes_at_upload():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("Each kind of file, where it usually comes from", 1)[1]
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in table.split("\n\n", 2)[1].splitlines()[2:]
    ]
    assert len(rows) == len(KINDS)
    for (listed, _, give), kind in zip(rows, KINDS.values(), strict=True):
        assert kind.title.startswith(listed)
        flags = re.findall(r"`--([a-z-]+)`", give)
        assert flags == [o.name.replace("_", "-") for o in kind.upload_options], listed
