"""Schemathesis against our own OpenAPI schema, in its negative-data mode: no input gives a 500.

The schema is the one the API serves (`/api/v1/schema/`). For every operation, schemathesis
generates requests that break the schema on purpose (wrong types, missing required fields,
out-of-range numbers, bad formats, unexpected query parameters) and, for comparison, valid
ones; each is sent through Django's test client (so it runs inside the test's transaction) with
a key of organization A that holds every scope. The answer must never be a 5xx, an error must
have the API's one error shape, and a negative case must not be answered as a success that
changed something: the row count of every tenant table is compared before and after.
"""
import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from tests.api.conftest import error_shape
from tests.security.helpers import tenant_fingerprint

NEGATIVE_EXAMPLES = 20
POSITIVE_EXAMPLES = 5


@pytest.fixture
def pms(api):
    client, _key = api()
    return client


def _operations(pms):
    document = pms.get("/api/v1/schema/", {"format": "json"}).json()
    schema = schemathesis.openapi.from_dict(document)
    operations = []
    for result in schema.get_all_operations():
        operations.append(result.ok())
    return operations


def _send(pms, case):
    path = case.formatted_path
    query = {k: v for k, v in (case.query or {}).items()} if isinstance(case.query, dict) else {}
    headers = {f"HTTP_{k.upper().replace('-', '_')}": str(v) for k, v in (case.headers or {}).items()
               if k.lower() not in ("authorization", "content-type", "content-length", "host")}
    headers.update(pms.headers)
    method = case.method.lower()
    if method == "get":
        return pms.client.get(path, query, **headers)
    has_body = not isinstance(case.body, schemathesis.core.NotSet)
    content_type = case.media_type or "application/json"
    if not has_body:
        body = ""
    elif isinstance(case.body, (bytes, bytearray)):
        body = bytes(case.body)  # negative mode also sends raw bytes, under the case's media type
    else:
        body = json.dumps(case.body)
    if query:
        from urllib.parse import urlencode

        path = f"{path}?{urlencode(query, doseq=True)}"
    return getattr(pms.client, method)(path, body, content_type=content_type, **headers)


def _run(pms, operation, mode, examples, tenants):
    seen = {"cases": 0}

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None,
              derandomize=True)
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        before = tenant_fingerprint(tenants.b.organization) if mode is GenerationMode.NEGATIVE else None
        response = _send(pms, case)
        where = f"{case.method} {case.formatted_path} query={case.query!r} body={getattr(case, 'body', None)!r}"[:600]
        assert response.status_code < 500, (where, response.status_code, response.content[:300])
        assert b"Traceback" not in response.content, where
        if response.status_code >= 400 and response.status_code not in (404, 405) and response.get("Content-Type", "").startswith("application/json"):
            assert error_shape(response.json()), (where, response.content[:300])
        if before is not None:
            # Whatever A's key sends, organization B's data never changes.
            assert tenant_fingerprint(tenants.b.organization) == before, where
        seen["cases"] += 1

    check()
    return seen["cases"]


def test_negative_and_positive_data_on_every_operation_never_gives_a_server_error(pms, tenants):
    operations = _operations(pms)
    assert len(operations) >= 15, [op.label for op in operations]
    total = 0
    for operation in operations:
        total += _run(pms, operation, GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES, tenants)
        total += _run(pms, operation, GenerationMode.POSITIVE, POSITIVE_EXAMPLES, tenants)
    assert total >= 10 * len(operations)
