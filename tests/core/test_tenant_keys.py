"""The database refuses a row of one organization that references another's (issue 20, finding 6)."""

import pytest
from django.db import IntegrityError, connection, transaction

from complaints.models import Complaint
from guests.models import GuestContact, GuestProfile, Stay
from hotelcrm import tenant_keys
from hotelcrm.tenancy import tenant_models


def _tenant_to_tenant_foreign_keys():
    tenant_tables = {model._meta.db_table for model in tenant_models()}
    for model in tenant_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.many_to_one and field.db_constraint and field.name != "organization":
                if field.related_model._meta.db_table in tenant_tables:
                    yield model._meta.db_table, field.column


def test_every_foreign_key_between_tenant_tables_has_its_composite_twin(db):
    expected = set(_tenant_to_tenant_foreign_keys())
    assert len(expected) >= 20
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, convalidated, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND connamespace = current_schema()::regnamespace"
        )
        constraints = {(table, name): (valid, definition) for table, name, valid, definition in cursor.fetchall()}
    for table, column in expected:
        twin = constraints.get((table, tenant_keys.twin_name(table, column)))
        assert twin is not None, (table, column)
        valid, definition = twin
        assert valid and definition.startswith(f"FOREIGN KEY (organization_id, {column})"), definition
        assert "(organization_id, id)" in definition


def _refused(model, **values):
    with pytest.raises(IntegrityError), transaction.atomic():
        model._base_manager.create(**values)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred keys are checked at commit


def test_a_cross_tenant_reference_is_refused_by_the_database(tenants):
    a, b = tenants.a, tenants.b
    b_guest, b_hotel = b.guests[0], b.hotels[0]
    _refused(
        GuestContact,
        organization=a.organization,
        guest=b_guest,
        kind="email",
        value="x@example.test",
        blind_index="cross-tenant-probe",
    )
    _refused(
        Stay,
        organization=a.organization,
        hotel=a.hotels[0],
        guest=b_guest,
        pms_reservation_id="CROSS-1",
        arrival_on=a.stays[0].arrival_on,
        departure_on=a.stays[0].departure_on,
    )
    _refused(
        Stay,
        organization=a.organization,
        hotel=b_hotel,
        guest=a.guests[0],
        pms_reservation_id="CROSS-2",
        arrival_on=a.stays[0].arrival_on,
        departure_on=a.stays[0].departure_on,
    )
    complaint = Complaint._base_manager.filter(organization=a.organization).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint._base_manager.filter(pk=complaint.pk).update(hotel=b_hotel)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(IntegrityError), transaction.atomic():
        GuestProfile._base_manager.filter(pk=a.guests[1].pk).update(merged_into=b_guest)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    # The same references inside one organization are accepted.
    with transaction.atomic():
        GuestContact._base_manager.create(
            organization=a.organization,
            guest=a.guests[0],
            kind="email",
            value="y@example.test",
            blind_index="same-tenant-probe",
        )
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
