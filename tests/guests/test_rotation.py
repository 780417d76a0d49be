import datetime
import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from guests import services
from guests.models import GuestContact, GuestPreference, GuestProfile
from hotelcrm.management.commands.rotate_encryption_keys import encrypted_columns
from hotelcrm.models import Role
from tests.factories import GuestFactory, PreferenceTypeFactory

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
PHONE, EMAIL, DOCUMENT = "+8613912345678", "li.na@example.test", "E12345678"


@pytest.fixture
def old_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    return settings


@pytest.fixture
def archive(old_key, tenants):
    """Personal data written under the old key only (the tenants fixture runs after the key is set)."""
    organization = tenants.a.organization
    actor = tenants.a.users[Role.MANAGER]
    guest = GuestFactory(organization=organization, sensitive_consent=True)
    services.guest_contact_add(guest=guest, kind="phone", raw_value=PHONE, actor=actor)
    services.guest_contact_add(guest=guest, kind="email", raw_value=EMAIL, actor=actor)
    services.guest_document_set(guest=guest, document_type="passport", raw_number=DOCUMENT, actor=actor)
    services.guest_birth_date_set(guest=guest, birth_date=datetime.date(1975, 3, 9), actor=actor)
    allergy = PreferenceTypeFactory(organization=organization, code="allergy", is_sensitive=True)
    services.guest_preference_set(guest=guest, preference_type=allergy, value="Peanuts", actor=actor)
    for i in range(25):
        extra = GuestFactory(organization=organization)
        services.guest_contact_add(guest=extra, kind="email", raw_value=f"guest{i}@example.test", actor=actor)
    return guest


def _raw_dump():
    """Every row of every table holding encrypted columns, as the database stores it."""
    text = []
    with connection.cursor() as cursor:
        for model, _fields in encrypted_columns():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")
            text.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(text)


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("rotate_encryption_keys", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _all_decrypt(guest):
    guest = GuestProfile.objects.for_org(guest.organization_id).get(pk=guest.pk)
    values = set(
        GuestContact.objects.for_org(guest.organization_id).filter(guest=guest).values_list("value", flat=True)
    )
    pref = GuestPreference.objects.for_org(guest.organization_id).get(guest=guest)
    return (
        guest.document_number == DOCUMENT
        and guest.birth_date == "1975-03-09"
        and values == {PHONE, EMAIL}
        and pref.sensitive_value == "Peanuts"
    )


def test_the_command_finds_every_encrypted_column_by_its_type():
    found = {model._meta.label: {f.name for f in fields} for model, fields in encrypted_columns()}
    assert found["guests.GuestProfile"] >= {"birth_date", "address", "document_number"}
    assert found["guests.GuestContact"] == {"value"}
    assert found["guests.GuestPreference"] == {"sensitive_value"}
    assert found["core.TwoFactorDevice"] == {"secret"}  # staff secrets, not only tenant data


def test_rotation_re_encrypts_two_factor_secrets_and_codes_still_work(old_key, tenants):
    import pyotp

    from hotelcrm import twofactor
    from hotelcrm.models import TwoFactorDevice

    manager = tenants.a.users[Role.MANAGER]
    secret = twofactor.new_secret()
    assert twofactor.device_confirm(user=manager, secret=secret, code=pyotp.TOTP(secret).now())
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM core_twofactordevice WHERE user_id = %s", [manager.pk])
        (before,) = cursor.fetchone()
    assert secret not in before

    old_key.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    out, _err = _run()
    assert "core.TwoFactorDevice: 1 rows checked, 1 re-encrypted" in out
    old_key.FIELD_ENCRYPTION_KEYS = [NEW_KEY]  # the old key is gone: the secret must still open
    assert TwoFactorDevice.objects.get(user=manager).secret == secret


def test_rotation_moves_every_value_to_the_new_key_and_a_second_run_does_nothing(archive, old_key):
    old_key.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    dry, _err = _run("--dry-run")
    out, err = _run("--batch-size", "7")
    contacts = GuestContact.objects.all_tenants_unscoped().count()
    assert f"guests.GuestContact: {contacts} rows checked, {contacts} re-encrypted" in out
    assert "would re-encrypt" in dry and f"{contacts} would re-encrypt" in dry
    assert "guests.GuestContact" in err  # the progress bar goes to stderr

    old_key.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert _all_decrypt(archive)

    again, _err = _run()
    assert "Total:" in again and " 0 re-encrypted" in again.split("Total:")[1]


def test_an_interrupted_rotation_resumes_where_it_stopped(archive, old_key):
    old_key.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    # As if a previous run died after its first batches: some rows are already on the new key.
    first_ids = list(GuestContact.objects.all_tenants_unscoped().order_by("pk").values_list("pk", flat=True)[:10])
    for contact in GuestContact.objects.all_tenants_unscoped().filter(pk__in=first_ids):
        contact.save(update_fields=["value"])
    out, _err = _run("--batch-size", "3")
    total = GuestContact.objects.all_tenants_unscoped().count()
    assert f"guests.GuestContact: {total} rows checked, {total - 10} re-encrypted" in out
    old_key.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert _all_decrypt(archive)


def test_a_value_edited_during_rotation_is_not_overwritten(archive, old_key):
    from hotelcrm.management.commands.rotate_encryption_keys import Command

    old_key.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    command = Command()
    table, pk = connection.ops.quote_name("guests_guestcontact"), connection.ops.quote_name("id")
    column = connection.ops.quote_name("value")
    batch = command._batch(table, pk, [column], None, 1000, False)
    # Someone edits a contact between our read and our write.
    contact = GuestContact.objects.all_tenants_unscoped().get(pk=batch[0][0])
    contact.value = "+8613900000000"
    contact.save(update_fields=["value"])
    done, lost = command._rotate(table, pk, [column], batch)
    assert lost == 1 and done == len(batch) - 1
    old_key.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert GuestContact.objects.all_tenants_unscoped().get(pk=contact.pk).value == "+8613900000000"


def test_a_raw_dump_shows_no_phone_email_or_document_number(archive, old_key):
    dump = _raw_dump()
    for plaintext in (PHONE, "13912345678", EMAIL, DOCUMENT, "1975-03-09", "Peanuts"):
        assert plaintext not in dump
    old_key.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    _run()
    dump = _raw_dump()
    for plaintext in (PHONE, "13912345678", EMAIL, DOCUMENT, "1975-03-09", "Peanuts"):
        assert plaintext not in dump
