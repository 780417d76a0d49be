"""Redis down on the API (issue 20, finding 3): a defined 503 with Retry-After and the error shape,
never a 500; with a real redis-server this test starts, and stops mid-test."""

import pytest

from tests.api.conftest import error_shape
from tests.core.test_faults import throwaway_redis  # noqa: F401 (a fixture)


@pytest.fixture
def redis_server(throwaway_redis, settings):  # noqa: F811
    # The rate limiter counts in the cache; the test's server is the only Redis it sees.
    yield throwaway_redis


def test_with_redis_stopped_api_calls_answer_503_with_retry_after_and_then_recover(api, tenants, redis_server):
    pms, _key = api()
    guest = tenants.a.guests[0]
    paths = ["/api/v1/me/", "/api/v1/hotels/", f"/api/v1/guests/{guest.pk}/loyalty/", "/api/v1/arrivals/"]
    for path in paths:
        assert pms.get(path).status_code == 200, path
    redis_server.stop()
    for path in paths:
        response = pms.get(path)
        assert response.status_code == 503, (path, response.status_code)
        assert int(response["Retry-After"]) > 0
        assert error_shape(response.json()) and response.json()["type"] == "service_unavailable"
    award = pms.post(
        f"/api/v1/guests/{guest.pk}/loyalty/award/", {"points": 5, "reason": "x"}, HTTP_IDEMPOTENCY_KEY="r"
    )
    assert award.status_code == 503
    redis_server.start()
    assert pms.get("/api/v1/me/").status_code == 200
