"""The OpenAPI schema is valid, complete and served; the docs page uses local assets only."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import get_resolver

from hotelcrm.models import Role

EXPECTED = {
    ("/api/v1/me/", "get"),
    ("/api/v1/hotels/", "get"),
    ("/api/v1/hotels/{id}/", "get"),
    ("/api/v1/guests/", "get"),
    ("/api/v1/guests/upsert/", "post"),
    ("/api/v1/guests/lookup/", "get"),
    ("/api/v1/guests/lookup/", "post"),
    ("/api/v1/guests/{id}/", "get"),
    ("/api/v1/guests/{id}/", "patch"),
    ("/api/v1/stays/events/", "post"),
    ("/api/v1/stays/events/batch/", "post"),
    ("/api/v1/arrivals/", "get"),
}


@pytest.fixture(scope="module")
def schema():
    out = io.StringIO()
    # --validate checks against the OpenAPI 3 JSON schema; --fail-on-warn turns any guess into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out)
    return json.loads(out.getvalue())


def test_the_schema_is_valid_and_lists_every_endpoint(schema):
    operations = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert EXPECTED <= operations
    for route in _api_routes():
        assert any(path.rstrip("/") == route.rstrip("/") for path, _m in operations), route


def _api_routes():
    routes = []
    for entry in get_resolver().url_patterns:
        if str(entry.pattern) == "api/v1/":
            for sub in entry.url_patterns:
                for pattern in getattr(sub, "url_patterns", [sub]):
                    text = str(pattern.pattern).replace("<int:pk>", "{id}")
                    if text not in ("schema/", "docs/"):
                        routes.append("/api/v1/" + text)
    return routes


def test_every_operation_documents_its_errors_and_security(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert {"400", "403", "429"} <= set(responses), (path, method)
            assert any("integrationKey" in s for s in operation.get("security", [])), (path, method)
            if method == "post" and path != "/api/v1/guests/lookup/":  # a read sent by POST (no PII in URLs)
                assert any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", [])), path
    assert set(schema["components"]["schemas"]["Error"]["properties"]) == {"type", "title", "detail", "field_errors"}


def test_the_schema_is_served_to_keys_and_staff_only(client, tenants, api):
    assert client.get("/api/v1/schema/").status_code == 403
    pms, _key = api()
    response = pms.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200 and "/api/v1/stays/events/batch/" in response.json()["paths"]


def test_the_docs_page_loads_swagger_ui_from_our_static_files(client, tenants):
    assert client.get("/api/v1/docs/").status_code == 302
    client.force_login(tenants.a.users[Role.FRONT_DESK])
    page = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui-bundle" in page and "/static/" in page
    assert "http://" not in page.replace("http://testserver", "") and "https://" not in page
