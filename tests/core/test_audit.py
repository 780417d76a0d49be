import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from hotelcrm.audit import audit_record
from hotelcrm.models import AuditEvent, Role


def test_an_audit_event_records_who_what_and_where(rf, tenants):
    request = rf.get("/", REMOTE_ADDR="203.0.113.7")
    user = tenants.a.users[Role.MANAGER]
    event = audit_record(
        action="guest.view_sensitive",
        hotel=tenants.a.hotels[0],
        actor=user,
        obj=tenants.a.guests[0],
        fields=["phone"],
        reason="arrival check",
        request=request,
    )
    event.refresh_from_db()
    assert event.organization == tenants.a.organization
    assert event.object_type == "guests.guestprofile" and event.object_id == str(tenants.a.guests[0].pk)
    assert event.fields == ["phone"] and event.ip_address == "203.0.113.7" and event.actor == user


@pytest.mark.parametrize(
    "statement",
    ["UPDATE core_auditevent SET action = 'tampered' WHERE id = %s", "DELETE FROM core_auditevent WHERE id = %s"],
)
def test_the_database_refuses_to_change_or_delete_audit_events(tenants, statement):
    event = audit_record(action="test.event", organization=tenants.a.organization)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.for_org(tenants.a.organization).get(pk=event.pk).action == "test.event"


def test_the_orm_refuses_to_save_an_existing_event_and_to_bulk_delete(tenants):
    event = audit_record(action="test.event", organization=tenants.a.organization)
    event.action = "tampered"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(DatabaseError):
        with transaction.atomic():
            AuditEvent.objects.for_org(tenants.a.organization).delete()
    assert AuditEvent.objects.for_org(tenants.a.organization).filter(action="test.event").count() == 1


def test_login_logout_and_failures_are_audited(client, tenants):
    user = tenants.a.users[Role.FRONT_DESK]
    client.post(reverse("login"), {"username": user.username, "password": "wrong-password"}, REMOTE_ADDR="198.51.100.4")
    failure = AuditEvent.objects.all_tenants_unscoped().filter(action="auth.login_failed").latest("id")
    assert failure.extra["username"] == user.username and failure.ip_address == "198.51.100.4"
    assert "wrong-password" not in str(failure.extra)

    from tests.factories import DEMO_PASSWORD

    assert client.post(reverse("login"), {"username": user.username, "password": DEMO_PASSWORD}).status_code == 302
    client.post(reverse("logout"))
    actions = list(AuditEvent.objects.all_tenants_unscoped().filter(actor=user).values_list("action", flat=True))
    assert "auth.login" in actions and "auth.logout" in actions


def test_the_admin_offers_no_way_to_edit_or_delete_audit_events(admin_client, tenants):
    event = audit_record(action="test.event", organization=tenants.a.organization)
    assert admin_client.get(f"/admin/core/auditevent/{event.pk}/change/").status_code == 200  # view only
    admin_client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert AuditEvent.objects.for_org(tenants.a.organization).filter(pk=event.pk).exists()
