"""The managers' audit screen: scoped to the organization (and hotel), filterable, paginated, exportable."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from hotelcrm.audit import audit_record
from hotelcrm.models import AuditEvent, Role

LIST = "audit-list"
EXPORT = "audit-export"


@pytest.fixture
def trail(tenants):
    """Marked events: at A's first hotel, at A's second hotel, organization-wide, and at B."""
    a, b = tenants.a, tenants.b
    manager, desk = a.users[Role.MANAGER], a.users[Role.FRONT_DESK]
    return {
        "grand": audit_record(
            action="guest.view_sensitive",
            hotel=a.hotels[0],
            actor=desk,
            obj=a.guests[0],
            fields=["contact:email"],
            reason="marker-grand",
        ),
        "river": audit_record(
            action="guest.view_sensitive", hotel=a.hotels[1], actor=manager, obj=a.guests[1], reason="marker-river"
        ),
        "org": audit_record(
            action="guest.merge", organization=a.organization, actor=manager, obj=a.guests[1], reason="marker-org"
        ),
        "bravo": audit_record(
            action="guest.view_sensitive",
            hotel=b.hotels[0],
            actor=b.users[Role.FRONT_DESK],
            obj=b.guests[0],
            reason="marker-bravo",
        ),
    }


def _get(client, user, name=LIST, **params):
    client.force_login(user)
    return client.get(reverse(name), params)


def _markers(response):
    body = response.content.decode()
    return {m for m in ("marker-grand", "marker-river", "marker-org", "marker-bravo") if m in body}


def test_a_manager_sees_their_hotel_and_organization_wide_events(client, tenants, trail):
    response = _get(client, tenants.a.users[Role.MANAGER])
    assert response.status_code == 200
    assert _markers(response) == {"marker-grand", "marker-org"}


def test_a_group_admin_sees_the_whole_organization_and_never_another(client, tenants, trail):
    response = _get(client, tenants.a.users[Role.GROUP_ADMIN])
    assert _markers(response) == {"marker-grand", "marker-river", "marker-org"}
    assert "bravo" not in response.content.decode().lower()
    response = _get(client, tenants.b.users[Role.GROUP_ADMIN])
    assert _markers(response) == {"marker-bravo"}


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.GUEST_RELATIONS])
def test_staff_below_manager_are_refused(client, tenants, trail, role):
    assert _get(client, tenants.a.users[role]).status_code == 403
    assert _get(client, tenants.a.users[role], EXPORT).status_code == 403
    assert not AuditEvent.objects.for_org(tenants.a.organization).filter(action="audit.export").exists()


def test_filter_by_guest_staff_member_and_action(client, tenants, trail):
    admin = tenants.a.users[Role.GROUP_ADMIN]
    assert _markers(_get(client, admin, guest=tenants.a.guests[1].pk)) == {"marker-river", "marker-org"}
    assert _markers(_get(client, admin, actor=tenants.a.users[Role.FRONT_DESK].pk, action="guest.view_sensitive")) == {
        "marker-grand"
    }
    assert _markers(_get(client, admin, action="guest.merge")) == {"marker-org"}
    # Another organization's guest id finds nothing; it is just a number that matches no event here.
    assert _markers(_get(client, admin, guest=tenants.b.guests[0].pk)) == set()


def test_filter_by_date_range_in_the_hotels_time_zone(client, tenants, trail):
    admin = tenants.a.users[Role.GROUP_ADMIN]
    # occurred_at is set on insert and rows never change, so the old event is inserted with its time.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditevent (occurred_at, organization_id, hotel_id, actor_id, actor_label, action, object_type,"
            " object_id, object_repr, fields, reason, extra) VALUES (%s, %s, %s, %s, '', 'guest.update', '', '', '',"
            " '[]', 'marker-old', '{}')",
            # 17:00 UTC on 1 March is 01:00 on 2 March in Shanghai, the hotel's time zone.
            [
                datetime.datetime(2024, 3, 1, 17, 0, tzinfo=datetime.UTC),
                tenants.a.organization.pk,
                tenants.a.hotels[0].pk,
                admin.pk,
            ],
        )
    body = _get(client, admin, date_from="2024-03-02", date_to="2024-03-02").content.decode()
    assert "marker-old" in body and "marker-grand" not in body
    assert "marker-old" not in _get(client, admin, date_from="2024-03-01", date_to="2024-03-01").content.decode()
    today = timezone.localdate(timezone=tenants.a.hotels[0].tz).isoformat()
    assert _markers(_get(client, admin, date_from=today)) == {"marker-grand", "marker-river", "marker-org"}


@pytest.mark.parametrize(
    "params",
    [
        {"guest": "abc"},
        {"guest": "-4"},
        {"guest": "9" * 40},
        {"actor": "nope"},
        {"date_from": "2024-13-40"},
        {"date_from": "2024-03-05", "date_to": "2024-03-01"},
        {"action": "x" * 81},
        {"page": "zzz"},
        {"guest": "1\x00"},
    ],
)
def test_bad_filters_answer_a_clear_error_never_a_500(client, tenants, trail, params):
    response = _get(client, tenants.a.users[Role.MANAGER], **params)
    assert response.status_code == 200
    if "page" not in params:
        assert 'class="error"' in response.content.decode() and not _markers(response)
    assert _get(client, tenants.a.users[Role.MANAGER], EXPORT, **params).status_code in (200, 400)


def test_another_organizations_staff_member_is_not_a_filter_choice(client, tenants, trail):
    response = _get(client, tenants.a.users[Role.GROUP_ADMIN], actor=tenants.b.users[Role.FRONT_DESK].pk)
    assert response.status_code == 200 and not _markers(response)
    assert "bravo" not in response.content.decode().lower()


def test_the_list_is_paginated_by_50_in_a_constant_number_of_queries(client, tenants, django_assert_max_num_queries):
    admin = tenants.a.users[Role.GROUP_ADMIN]
    for i in range(120):
        audit_record(
            action="guest.view_sensitive",
            hotel=tenants.a.hotels[i % 2],
            actor=tenants.a.users[list(Role)[i % 4]],
            obj=tenants.a.guests[i % 2],
            reason=f"bulk-{i}",
        )
    client.force_login(admin)
    with django_assert_max_num_queries(10):
        response = client.get(reverse(LIST))
    assert response.content.decode().count("bulk-") == 50
    with django_assert_max_num_queries(10):
        response = client.get(reverse(LIST), {"page": 3, "action": "guest.view_sensitive"})
    assert response.content.decode().count("bulk-") == 20


def test_the_csv_export_follows_the_filters_and_is_itself_audited(client, tenants, trail):
    manager = tenants.a.users[Role.MANAGER]
    response = _get(client, manager, EXPORT, action="guest.view_sensitive")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.streaming
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["reason"] for row in rows] == ["marker-grand"]
    assert rows[0]["object_id"] == str(tenants.a.guests[0].pk) and rows[0]["fields"] == "contact:email"
    [export] = AuditEvent.objects.for_org(tenants.a.organization).filter(action="audit.export")
    assert export.actor == manager and export.hotel == tenants.a.hotels[0]
    assert export.extra["filters"] == {"action": "guest.view_sensitive"}
    # The export shows up on the screen like any other event.
    assert "audit.export" in _get(client, manager, action="audit.export").content.decode()


def test_the_export_neutralises_spreadsheet_formulas(client, tenants):
    audit_record(
        action="guest.update",
        hotel=tenants.a.hotels[0],
        actor=tenants.a.users[Role.MANAGER],
        reason='=HYPERLINK("http://evil.test")',
    )
    response = _get(client, tenants.a.users[Role.MANAGER], EXPORT, action="guest.update")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["reason"].startswith("'=")
