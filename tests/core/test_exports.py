"""One formula-escaping rule for every export (hotelcrm.exports), used by the guest list, the
reports and the audit trail alike."""

import datetime
from decimal import Decimal

import pytest

from hotelcrm.exports import FORMULA_START, csv_cell, csv_lines, spreadsheet_text, xlsx_cell

DANGEROUS = ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_a_text_that_a_spreadsheet_would_run_is_quoted_everywhere(text):
    from guests.exports import _safe as guest_cell
    from hotelcrm.audit_views import _cell as audit_cell
    from reports.exports import _safe_text as report_cell
    from reports.exports import _xlsx_cell as report_xlsx_cell

    for cell in (spreadsheet_text, csv_cell, xlsx_cell, guest_cell, audit_cell, report_cell, report_xlsx_cell):
        assert cell(text) == "'" + text, cell.__module__ + "." + cell.__name__


def test_every_formula_start_is_covered():
    assert set(FORMULA_START) == {"=", "+", "-", "@", "\t", "\r"}


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, ""),
        (-5, "-5"),
        (Decimal("-1.50"), "-1.50"),
        ("Zhang", "Zhang"),
        (["vip", "=x"], "vip, =x"),
        (datetime.date(2026, 1, 2), "2026-01-02"),
        ("a=b", "a=b"),
    ],
)
def test_csv_cells_keep_numbers_and_plain_text(value, expected):
    assert csv_cell(value) == expected


def test_a_list_starting_with_a_formula_is_quoted_and_numbers_stay_typed_in_xlsx():
    assert csv_cell(["=cmd", "x"]) == "'=cmd, x"
    assert xlsx_cell(-3) == -3 and xlsx_cell(None) is None
    aware = datetime.datetime(2026, 1, 2, 3, 4, tzinfo=datetime.UTC)
    assert xlsx_cell(aware) == datetime.datetime(2026, 1, 2, 3, 4)


def test_csv_lines_escape_every_cell():
    assert "".join(csv_lines([["=1", -1, "\tx"]])) == "'=1,-1,'\tx\r\n"


def test_the_report_csv_quotes_tab_and_carriage_return_too():
    from reports.exports import Table, response

    body = response([Table(title="t", headers=["h"], rows=[["\t=1"], ["\r=2"], [-7]])], "csv", filename="x").content
    text = body.decode()
    assert "'\t=1" in text and "'\r=2" in text and "\n-7" in text
