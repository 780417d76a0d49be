"""manage.py access_report names who viewed or exported which guests' personal data in a window."""

import csv
import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from hotelcrm.audit import audit_record
from hotelcrm.models import Role


@pytest.fixture
def accesses(tenants):
    a, b = tenants.a, tenants.b
    manager, desk = a.users[Role.MANAGER], a.users[Role.FRONT_DESK]
    audit_record(
        action="guest.view_sensitive",
        hotel=a.hotels[0],
        actor=desk,
        obj=a.guests[0],
        fields=["phone", "email"],
        reason="arrival",
    )
    audit_record(action="guest.dsr_export", organization=a.organization, actor=manager, obj=a.guests[1])
    audit_record(
        action="guest.export", hotel=a.hotels[0], actor=manager, extra={"query": "Alpha", "format": "csv", "rows": 2}
    )
    audit_record(action="guest.update", hotel=a.hotels[0], actor=desk, obj=a.guests[1])  # a change, not an access
    audit_record(
        action="guest.view_sensitive", hotel=b.hotels[0], actor=b.users[Role.MANAGER], obj=b.guests[0], fields=["phone"]
    )
    return tenants


def _window():
    now = timezone.now()
    return (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), (now + datetime.timedelta(hours=1)).strftime(
        "%Y-%m-%dT%H:%M"
    )


def test_the_csv_report_names_each_guest_viewed_or_exported_and_who_did_it(accesses):
    start, end = _window()
    out, err = StringIO(), StringIO()
    call_command(
        "access_report",
        "--from",
        start,
        "--to",
        end,
        "--organization",
        accesses.a.organization.slug,
        "--format",
        "csv",
        stdout=out,
        stderr=err,
    )
    rows = list(csv.DictReader(StringIO(out.getvalue())))
    assert [(r["action"], r["actor"], r["guest_id"]) for r in rows] == [
        ("guest.view_sensitive", "alpha-front_desk", str(accesses.a.guests[0].pk)),
        ("guest.dsr_export", "alpha-manager", str(accesses.a.guests[1].pk)),
        ("guest.export", "alpha-manager", ""),
    ]
    assert rows[0]["fields"] == "phone email" and rows[2]["scope"].startswith("bulk") and "'Alpha'" in rows[2]["scope"]
    assert all(r["organization"] == accesses.a.organization.slug for r in rows)  # B's access is not in A's report
    summary = err.getvalue()
    assert "2 guests named individually" in summary and "1 bulk exports" in summary


def test_without_an_organization_every_tenant_is_reported_and_a_file_can_be_written(accesses, tmp_path):
    start, end = _window()
    target = tmp_path / "report.csv"
    call_command(
        "access_report", "--from", start, "--to", end, "--format", "csv", "--output", str(target), stdout=StringIO()
    )
    rows = list(csv.DictReader(target.open()))
    assert {r["organization"] for r in rows} == {accesses.a.organization.slug, accesses.b.organization.slug}


def test_the_table_lists_accesses_and_events_outside_the_window_are_left_out(accesses):
    out = StringIO()
    call_command("access_report", "--from", "2020-01-01", "--to", "2020-02-01", stdout=out)
    assert "0 access events" in out.getvalue()
    start, end = _window()
    out = StringIO()
    call_command("access_report", "--from", start, "--to", end, stdout=out)
    assert "guest.view_sensitive" in out.getvalue() and "affected guest" in out.getvalue()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--from", "yesterday"], "not a date"),
        (["--from", "2026-02-30"], "not a date"),
        (["--from", "2026-11-01T25:00"], "not a date"),
        (["--from", "2026-01-02", "--to", "2026-01-01"], "after --from"),
        (["--from", "2026-01-01", "--organization", "nope"], "No organization"),
    ],
)
def test_bad_arguments_get_a_clear_message(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("access_report", *args)
