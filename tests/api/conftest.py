import pytest
from django.core.cache import cache

from hotelcrm.models import Role
from integrations.models import Scope
from integrations.services import integration_key_create

ALL_SCOPES = list(Scope.values)


@pytest.fixture(autouse=True)
def clear_throttle_counts():
    cache.clear()
    yield


@pytest.fixture
def make_key(tenants):
    def make(*, tenant=None, hotel_index=0, scopes=None, **kwargs):
        tenant = tenant or tenants.a
        hotel = tenant.hotels[hotel_index]
        key, raw = integration_key_create(
            hotel=hotel,
            actor=tenant.users[Role.MANAGER],
            name="Opera PMS",
            scopes=ALL_SCOPES if scopes is None else scopes,
            **kwargs,
        )
        return key, raw

    return make


class Api:
    """The test client with a key's Authorization header on every call."""

    def __init__(self, client, raw_key):
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw_key}"}

    def get(self, path, data=None, **extra):
        return self.client.get(path, data, **self.headers, **extra)

    def post(self, path, data=None, **extra):
        return self.client.post(path, data, content_type="application/json", **self.headers, **extra)

    def patch(self, path, data=None, **extra):
        return self.client.patch(path, data, content_type="application/json", **self.headers, **extra)


@pytest.fixture
def api(client, make_key):
    def build(**kwargs):
        key, raw = make_key(**kwargs)
        return Api(client, raw), key

    return build


def error_shape(body):
    return set(body) == {"type", "title", "detail", "field_errors"}
