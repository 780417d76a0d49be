"""Generated input against every operation of the live schema: never a 500, always the error shape.

Schemathesis is not installed; this does its core check with hypothesis: for each operation in
the OpenAPI schema, bodies and query strings built from the operation's own field names with
arbitrary JSON values (and arbitrary JSON documents), sent with a key holding every scope.
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import error_shape

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
FIELDS = [
    "pms_profile_id",
    "family_name",
    "given_name",
    "email",
    "phone",
    "vip_level",
    "gender",
    "nationality",
    "reservation_id",
    "event",
    "version",
    "event_at",
    "arrival_on",
    "departure_on",
    "guest_id",
    "guest",
    "details",
    "events",
    "category",
    "description",
    "severity",
    "channel",
    "action",
    "closing",
    "expected_version",
    "points",
    "reason",
    "room_number",
    "date",
    "q",
    "status",
    "cursor",
    "page_size",
    "member_number",
    "document_number",
    "document_type",
    "updated_since",
    "offset",
    "limit",
]
BODY = st.one_of(JSON, st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=8))
QUERY = st.dictionaries(st.sampled_from(FIELDS), st.text(max_size=20), max_size=4)


@pytest.fixture
def operations(api, tenants):
    pms, _key = api()
    schema = pms.get("/api/v1/schema/", {"format": "json"}).json()
    ids = [tenants.a.guests[0].pk, tenants.b.guests[0].pk, 987654321]
    ops = []
    for path, item in schema["paths"].items():
        for method in item:
            for pk in ids if "{id}" in path else [None]:
                ops.append((method, path.replace("{id}", str(pk)) if pk else path))
    return pms, ops


def _check(response, where):
    assert response.status_code < 500, (where, response.status_code, response.content[:300])
    if response.status_code >= 400 and response.status_code != 405:
        assert error_shape(response.json()), where
    assert b"Traceback" not in response.content, where


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=BODY, query=QUERY, pick=st.integers(min_value=0, max_value=10_000), idem=st.booleans())
def test_generated_input_never_crashes_any_operation(operations, body, query, pick, idem):
    pms, ops = operations
    method, path = ops[pick % len(ops)]
    extra = {"HTTP_IDEMPOTENCY_KEY": f"fuzz-{pick}"} if idem else {}
    if method == "get":
        response = pms.get(path, query, **extra)
    else:
        response = getattr(pms.client, method)(
            path, json.dumps(body), content_type="application/json", **pms.headers, **extra
        )
    _check(response, f"{method.upper()} {path} {str(body)[:80]} {query}")
