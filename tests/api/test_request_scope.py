"""Request-scoped context (issue 20, finding 2): nothing a key's request sets outlives it."""

import pytest
from django.urls import reverse

from hotelcrm.models import AuditEvent
from hotelcrm.request_context import current_api_key


@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/hotels/", "/api/v1/schema/"])
def test_an_anonymous_request_after_a_keys_request_is_not_credited_to_the_key(client, api, path):
    # The test client serves both requests in this one thread, as one worker would.
    pms, key = api()
    assert pms.get(path).status_code == 200
    assert current_api_key.get() is None
    client.post(reverse("login"), {"username": "nobody-at-all", "password": "wrong"})
    failed = AuditEvent.objects.filter(action="auth.login_failed", extra__username="nobody-at-all").get()
    assert "api_key_id" not in failed.extra and failed.actor_label == ""


@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/hotels/", "/api/v1/schema/"])
def test_the_account_and_schema_routes_obey_the_keys_rate(make_key, client, path):
    _key, raw = make_key(rate_per_minute=2)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    answers = [client.get(path, **headers).status_code for _ in range(3)]
    assert answers == [200, 200, 429]
