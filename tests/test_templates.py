"""Templates: the headers the loader expects, an example row, drop-down lists, and they load."""

from __future__ import annotations

import openpyxl
import openpyxl.xml
import pytest
from conftest import query

from cams_data.ingest import UploadRequest, ingest
from cams_data.kinds import KINDS
from cams_data.templates import write_template
from cams_data.validate import Options


def test_openpyxl_parses_xml_with_defusedxml():
    assert openpyxl.xml.DEFUSEDXML


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_template_has_headers_example_and_lists(tmp_path, kind):
    path = write_template(kind, tmp_path / f"{kind}.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    example = [c.value for c in sheet[2]]
    assert len(headers) == len(example) and all(headers)
    lists = {
        str(rule.sqref).rstrip("0123456789").split(":")[0].rstrip("0123456789"): rule.formula1
        for rule in sheet.data_validations.dataValidation
    }
    categorised = [f for f in KINDS[kind].fields if f.categories or f.type == "objective"]
    assert len(lists) == len(categorised)
    for f in categorised:
        column = headers.index(f.name.replace("_", " ").capitalize()) + 1
        choices = f.category_names or ("1", "2", "3", "4")
        assert lists[openpyxl.utils.get_column_letter(column)] == '"' + ",".join(choices) + '"'
    assert book.sheetnames == [kind.capitalize(), "About"]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_template_loads_back_as_its_kind(db, tmp_path, kind):
    path = write_template(kind, tmp_path / f"{kind}.xlsx")
    upload = ingest(
        UploadRequest(path.read_bytes(), path.name, db=db, options=Options(wave="2025-10"))
    )
    assert upload.kind == kind and upload.kind_detected
    assert upload.rows_loaded >= 1
    assert query(db, f"SELECT count(*) FROM {kind}")[0][0] == upload.rows_loaded


def test_referral_template_example_is_stored_as_canonical_row(db, tmp_path):
    path = write_template("referrals", tmp_path / "referrals.xlsx")
    ingest(UploadRequest(path.read_bytes(), path.name, db=db))
    assert query(
        db,
        "SELECT period_start::VARCHAR, period_months, geography, referral_type, "
        "exploitation_type, age_group, referring_agency, referrals FROM referrals",
    ) == [
        (
            "2025-04-01",
            1,
            "Colchester",
            "NRM referral",
            "Criminal",
            "Child",
            "Colchester City Council",
            3,
        )
    ]
