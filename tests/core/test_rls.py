"""PostgreSQL row-level security: a query that forgets its tenant filter gets nothing of another tenant.

The tests run the ORM with the filters deliberately left out, inside tenant A's context, and
count what comes back against what each organization owns (read as the owner, outside any context).
"""

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from complaints.models import Complaint
from guests.models import GuestProfile, Stay
from hotelcrm import rls
from hotelcrm.celery import app
from hotelcrm.models import AuditEvent, Hotel, Membership, Organization
from hotelcrm.tenancy import TenantQuerySet, tenant_models


def _session():
    """(role, tenant named by the setting): the setting is `<tenant>.<nonce>.<mac>` (hotelcrm/rls.py)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, split_part(coalesce(current_setting('hotelcrm.tenant', true), ''), '.', 1)"
        )
        return cursor.fetchone()


@pytest.mark.django_db
def test_every_tenant_table_has_the_policy_and_the_app_role_cannot_bypass_it():
    with connection.cursor() as cursor:
        tables = rls.tenant_tables(cursor)
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relrowsecurity AND relnamespace = current_schema()::regnamespace"
        )
        protected = {name for (name,) in cursor.fetchall()}
        cursor.execute(
            "SELECT tablename FROM pg_policies WHERE schemaname = current_schema() AND policyname = %s", [rls.POLICY]
        )
        with_policy = {name for (name,) in cursor.fetchall()}
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [settings.DATABASE_APP_ROLE])
        superuser, bypass = cursor.fetchone()
        cursor.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = current_schema()")
        owners = {name for (name,) in cursor.fetchall()}
    names = {table for table, _column in tables}
    assert {model._meta.db_table for model in tenant_models()} <= names
    assert names - protected == set()
    assert names - with_policy == set()
    assert not superuser and not bypass
    assert settings.DATABASE_APP_ROLE not in owners


def test_an_unfiltered_query_in_a_tenants_context_returns_only_that_tenants_rows(tenants):
    a, b = tenants.a.organization, tenants.b.organization
    models = [model for model in tenant_models() if model._base_manager.filter(organization=b).exists()]
    assert len(models) >= 20  # the fixture fills every domain table for both tenants
    owned_by_a = {model: model._base_manager.filter(organization=a).count() for model in models}
    with rls.tenant_context(a):
        assert _session() == (settings.DATABASE_APP_ROLE, str(a.pk))
        for model in models:
            rows = list(model._base_manager.all().values_list("organization_id", flat=True))
            assert set(rows) <= {a.pk}, model
            assert len(rows) == owned_by_a[model], model
        assert list(Organization.objects.values_list("pk", flat=True)) == [a.pk]
        # Joins and raw SQL are bound the same way.
        assert not Stay._base_manager.filter(guest__organization=b).exists()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM guests_guestprofile WHERE organization_id = %s", [b.pk])
            assert cursor.fetchone()[0] == 0
    assert _session() == (connection.settings_dict["USER"], "")


def test_a_forgotten_filter_in_a_view_still_shows_nothing_of_another_tenant(client, tenants, monkeypatch):
    """The request path end to end: the app-level scoping is switched off, the database still holds."""
    monkeypatch.setattr(TenantQuerySet, "for_org", lambda self, organization: self.all())
    a_guest, b_guest = tenants.a.guests[0], tenants.b.guests[0]
    client.force_login(tenants.a.users["manager"])
    page = client.get("/guests/", {"q": ""}).content.decode()
    assert a_guest.family_name in page
    assert b_guest.family_name not in page
    assert client.get(f"/guests/{b_guest.pk}/").status_code == 404
    assert _session() == (connection.settings_dict["USER"], "")


def test_writing_another_tenants_row_inside_a_context_is_refused(tenants):
    a, b = tenants.a.organization, tenants.b.organization
    b_guest = tenants.b.guests[0]
    with rls.tenant_context(a):
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            Hotel.objects.create(organization=b, name="Intruder", code="intr", time_zone="UTC")
        # Updates and deletes of B's rows find nothing to change.
        assert GuestProfile._base_manager.filter(pk=b_guest.pk).update(family_name="Changed") == 0
        assert Complaint._base_manager.filter(organization=b).delete()[0] == 0
    b_guest.refresh_from_db()
    assert b_guest.family_name != "Changed"
    assert Complaint.objects.for_org(b).exists()


def test_no_tenant_sees_nothing_and_system_sees_every_tenant(tenants):
    a, b = tenants.a.organization, tenants.b.organization
    with rls.tenant_context(None):
        assert GuestProfile._base_manager.count() == 0
        assert not Membership._base_manager.exists()
        # The crossing door opens for one query and closes behind it.
        assert Hotel.objects.all_tenants_unscoped().filter(organization__in=[a, b]).count() == 4
        assert _session() == (settings.DATABASE_APP_ROLE, "")
    with rls.tenant_context(rls.SYSTEM):
        assert set(GuestProfile._base_manager.values_list("organization_id", flat=True)) >= {a.pk, b.pk}


def test_contexts_nest_and_are_restored_after_an_error(tenants):
    a, b = tenants.a.organization, tenants.b.organization
    with rls.tenant_context(a):
        with pytest.raises(RuntimeError), rls.tenant_context(b):
            assert _session()[1] == str(b.pk)
            raise RuntimeError("boom")
        assert _session()[1] == str(a.pk)
        rls.activate(b)  # narrows the enclosing context until it ends
        assert _session()[1] == str(b.pk)
    assert rls.current() is None
    rls.activate(a)  # outside any context it does nothing
    assert _session() == (connection.settings_dict["USER"], "")


@pytest.mark.django_db(transaction=True)
def test_a_connection_opened_inside_a_context_starts_in_it():
    from tests.conftest import build_tenant

    a = build_tenant("Alpha").organization
    build_tenant("Bravo")
    with rls.tenant_context(a):
        connection.close()  # as a dropped connection would be
        assert set(GuestProfile._base_manager.values_list("organization_id", flat=True)) == {a.pk}
        assert _session() == (settings.DATABASE_APP_ROLE, str(a.pk))


@app.task(name="tests.rls.count_guests")
def _count_guests(organization_id=None):
    return list(GuestProfile._base_manager.values_list("organization_id", flat=True).distinct())


@pytest.mark.django_db(transaction=True)
def test_a_task_runs_in_the_organization_it_names_and_a_dispatcher_in_the_system_context():
    from tests.conftest import build_tenant

    a, b = build_tenant("Alpha"), build_tenant("Bravo")
    assert _count_guests.apply(kwargs={"organization_id": a.organization.pk}).get() == [a.organization.pk]
    assert _count_guests.apply(args=[b.organization.pk]).get() == [b.organization.pk]
    assert set(_count_guests.apply().get()) == {a.organization.pk, b.organization.pk}
    assert _count_guests.apply(kwargs={"organization_id": "not a number"}).get() == []
    assert _session() == (connection.settings_dict["USER"], "")


def test_audit_events_of_no_organization_can_be_written_by_an_anonymous_request(client, tenants):
    before = AuditEvent.objects.all_tenants_unscoped().filter(organization__isnull=True).count()
    response = client.post("/accounts/login/", {"username": "nobody-known", "password": "wrong password 123"})
    assert response.status_code in (200, 429)
    assert AuditEvent.objects.all_tenants_unscoped().filter(organization__isnull=True).count() == before + 1
