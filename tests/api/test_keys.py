"""Integration keys: hashed, scoped, expiring, revocable, attributable; created by managers in the UI."""

import datetime
import hashlib

from django.utils import timezone

from hotelcrm.models import AuditEvent, Role
from integrations.models import IntegrationKey
from tests.api.conftest import Api, error_shape


def test_the_key_is_stored_only_as_a_hash(make_key):
    key, raw = make_key()
    assert raw.startswith(f"hcrm_{key.prefix}_")
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    stored = IntegrationKey.objects.for_org(key.organization_id).filter(pk=key.pk).values()[0]
    assert raw not in str(stored)


def test_a_valid_key_calls_the_api_and_its_use_is_recorded(client, make_key):
    key, raw = make_key()
    response = Api(client, raw).get("/api/v1/me/", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200, response.content
    assert response.json()["active_hotel"] == key.hotel_id and response.json()["role"] is None
    key.refresh_from_db()
    assert key.last_used_at is not None and key.last_used_ip == "10.1.2.3"


def test_the_api_key_scheme_is_accepted_too(client, make_key):
    _key, raw = make_key()
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Api-Key {raw}").status_code == 200


def test_wrong_malformed_expired_and_revoked_keys_are_refused_alike(client, make_key, tenants):
    key, raw = make_key()
    expired, raw_expired = make_key(expires_at=timezone.now() + datetime.timedelta(seconds=1))
    IntegrationKey.objects.for_org(expired.organization_id).filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    revoked, raw_revoked = make_key()
    from integrations.services import integration_key_revoke

    integration_key_revoke(key=revoked, actor=tenants.a.users[Role.MANAGER])
    wrong = raw[:-4] + ("AAAA" if not raw.endswith("AAAA") else "BBBB")
    for header in (
        f"Bearer {wrong}",
        f"Bearer {raw_expired}",
        f"Bearer {raw_revoked}",
        "Bearer nonsense",
        "Bearer hcrm_x_y",
        "Bearer " + "a" * 5000,
        "Bearer hcrm_\x00\x01_zzzzzzzzzzzzzzzzzzzzzzzzzzz",
    ):
        response = client.get("/api/v1/guests/", HTTP_AUTHORIZATION=header)
        assert response.status_code in (401, 403), header
        assert error_shape(response.json()) and response.json()["type"] == "authentication_failed", header


def test_a_key_without_the_scope_is_refused(api):
    reader, _key = api(scopes=["arrivals:read"])
    response = reader.get("/api/v1/guests/")
    assert response.status_code == 403 and error_shape(response.json())
    assert reader.get("/api/v1/arrivals/").status_code == 200
    response = reader.post("/api/v1/stays/events/", {})
    assert response.status_code == 403


def test_every_write_made_with_a_key_names_the_key_in_the_audit_trail(api, tenants):
    pms, key = api()
    response = pms.post(
        "/api/v1/guests/upsert/", {"pms_profile_id": "P-1", "family_name": "Lin", "email": "lin@example.test"}
    )
    assert response.status_code == 201, response.content
    events = AuditEvent.objects.for_org(tenants.a.organization).filter(object_id=str(response.json()["id"]))
    assert events.count() >= 2  # the guest and the contact
    for event in events:
        assert event.actor_id is None and event.actor_label == key.label and event.extra["api_key_id"] == key.pk


def test_a_manager_creates_a_key_in_the_ui_and_sees_it_once(client, tenants):
    manager = tenants.a.users[Role.MANAGER]
    client.force_login(manager)
    response = client.post(
        "/integrations/keys/", {"name": "Opera", "scopes": ["guests:read", "arrivals:read"], "rate_per_minute": 100}
    )
    assert response.status_code == 200
    raw = response.context["raw_key"]
    key = IntegrationKey.objects.for_hotel(tenants.a.hotels[0]).get(name="Opera")
    assert key.scopes == ["arrivals:read", "guests:read"] and key.created_by == manager
    listing = client.get("/integrations/keys/").content.decode()
    assert key.prefix in listing and raw not in listing
    assert client.get("/api/v1/guests/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    client.post(f"/integrations/keys/{key.pk}/revoke/")
    key.refresh_from_db()
    assert key.revoked_at is not None
    client.logout()
    assert client.get("/api/v1/guests/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 403


def test_front_desk_cannot_manage_keys_and_a_bad_form_says_why(client, tenants):
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    assert client.get("/integrations/keys/").status_code == 403
    client.force_login(tenants.a.users[Role.MANAGER])
    response = client.post("/integrations/keys/", {"name": " ", "scopes": ["nope"], "rate_per_minute": "x"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"name", "scopes", "rate_per_minute"}


def test_a_key_of_another_organization_cannot_be_revoked(client, tenants, make_key):
    key, _raw = make_key(tenant=tenants.b)
    client.force_login(tenants.a.users[Role.GROUP_ADMIN])
    assert client.post(f"/integrations/keys/{key.pk}/revoke/").status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


def test_staff_sessions_call_the_api_within_their_role(client, tenants):
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    assert client.get("/api/v1/guests/").status_code == 200
    response = client.post("/api/v1/stays/events/", {}, content_type="application/json")
    assert response.status_code == 403  # stays:write is for managers and keys
    client.force_login(tenants.a.users[Role.MANAGER])
    response = client.post("/api/v1/stays/events/", {}, content_type="application/json")
    assert response.status_code == 400 and error_shape(response.json())
