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
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.transport import Response

from tests.api.conftest import error_shape
from tests.security.helpers import tenant_fingerprint

NEGATIVE_EXAMPLES = 15  # with every response check, the CI run stays near a minute
POSITIVE_EXAMPLES = 4


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
    headers = {
        f"HTTP_{k.upper().replace('-', '_')}": str(v)
        for k, v in (case.headers or {}).items()
        if k.lower() not in ("authorization", "content-type", "content-length", "host")
    }
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


# Every check schemathesis runs on a response (its `--checks all`), except the ones that send
# further requests of their own over HTTP (this test serves through Django's test client) or
# need a stateful run: ignored_auth, use_after_free, ensure_resource_availability,
# object_level_authorization (tests/security/test_idor.py swaps ids on every route instead).
load_all_checks()
# positive_data_acceptance is left out too: a schema-valid but made-up `cursor` (a value only the
# server can issue) or an unknown guest id is rightly refused, which that check counts as a failure.
RESPONSE_CHECKS = [
    check
    for check in CHECKS.get_all()
    if check.__name__
    not in {
        "ignored_auth",
        "use_after_free",
        "ensure_resource_availability",
        "object_level_authorization",
        "positive_data_acceptance",
    }
]
CHECKS_RUN = sorted(check.__name__ for check in RESPONSE_CHECKS)


def _as_schemathesis_response(case, response, sent_headers):
    import requests

    request = requests.Request(
        case.method.upper(),
        f"http://testserver{case.formatted_path}",
        headers={k: v for k, v in (case.headers or {}).items()},
    ).prepare()
    headers = {name: [value] for name, value in response.headers.items()}
    return Response(
        status_code=response.status_code,
        headers=headers,
        content=response.content,
        request=request,
        elapsed=0.0,
        verify=False,
    )


def _run(pms, operation, mode, examples, tenants):
    seen = {"cases": 0}

    @settings(
        max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        before = tenant_fingerprint(tenants.b.organization) if mode is GenerationMode.NEGATIVE else None
        response = _send(pms, case)
        where = f"{case.method} {case.formatted_path} query={case.query!r} body={getattr(case, 'body', None)!r}"[:600]
        assert response.status_code < 500, (where, response.status_code, response.content[:300])
        assert b"Traceback" not in response.content, where
        if (
            response.status_code >= 400
            and response.status_code not in (404, 405)
            and response.get("Content-Type", "").startswith("application/json")
        ):
            assert error_shape(response.json()), (where, response.content[:300])
        try:
            case.validate_response(_as_schemathesis_response(case, response, pms.headers), checks=RESPONSE_CHECKS)
        except AssertionError as failure:  # a FailureGroup: every check that failed, with its message
            raise AssertionError(f"{where}\n{response.status_code} {response.content[:300]!r}\n{failure}") from None
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
