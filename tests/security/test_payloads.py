"""Oversized and malformed payloads on the UI forms and the API: a clear 4xx, nothing half-written.

Huge bodies, too many fields, overlong values, NUL bytes, byte sequences that are not UTF-8,
lone surrogates, wrong content types, broken multipart, bad and deeply nested JSON. Each
refused request leaves every row of the organization as it was (a fingerprint of whole rows,
audit events included), and answers with a status a client can act on, never a 500. Every page
also gets query parameters with NUL bytes and broken UTF-8 and must not answer 500.
"""

import json

import pytest
from django.conf import settings

from hotelcrm.models import Role
from integrations.models import IntegrationKey
from tests.api.conftest import error_shape
from tests.isolation import MISSING_ID, _fill, all_routes
from tests.security.helpers import changed_tables, tenant_fingerprint
from tests.security.test_idor import _id_routes, _own_ids, _path

HUGE = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1024)
BAD_QUERY = "&".join(
    f"{name}={value}"
    for name in (
        "q",
        "page",
        "date",
        "scope",
        "hotel",
        "status",
        "sort",
        "from",
        "to",
        "period",
        "category",
        "severity",
        "kind",
        "language",
        "segment",
        "next",
        "months",
        "guest",
        "owner",
        "format",
        "cursor",
        "page_size",
        "updated_since",
    )
    for value in ("%00", "%ED%A0%80", "%FF%FE", "9" * 30)
)


@pytest.fixture
def unchanged(tenants):
    """Call it with a request; asserts the request left every row of both organizations as they were.

    An API key's row records when it was last used, whatever the answer: that bookkeeping is
    left out of the comparison (`exclude`), nothing else.
    """

    def check(where, send, exclude=()):
        before = (tenant_fingerprint(tenants.a.organization, exclude), tenant_fingerprint(tenants.b.organization))
        response = send()
        after = (tenant_fingerprint(tenants.a.organization, exclude), tenant_fingerprint(tenants.b.organization))
        assert response.status_code < 500, f"{where}: {response.status_code}"
        changed = changed_tables(before[0], after[0]) + changed_tables(before[1], after[1])
        assert not changed, f"{where} changed {changed}"
        return response

    return check


UI_CASES = {
    "a body over DATA_UPLOAD_MAX_MEMORY_SIZE": (
        lambda: {"family_name": HUGE},
        "application/x-www-form-urlencoded",
        {400},
    ),
    "more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS": (
        lambda: {f"f{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 10)},
        "application/x-www-form-urlencoded",
        {400},
    ),
    "an overlong name": (
        lambda: {"family_name": "L" * 5000, "given_name": "N" * 5000},
        "application/x-www-form-urlencoded",
        {200, 400},
    ),
    "NUL bytes": (
        lambda: {"family_name": "Li\x00Na", "given_name": "\x00"},
        "application/x-www-form-urlencoded",
        {200, 400},
    ),
    "JSON sent to a form": (lambda: json.dumps({"family_name": "Json"}), "application/json", {200, 400}),
    "bytes that are not UTF-8": (
        lambda: b"family_name=%FF%FE%ED%A0%80&given_name=\xff\xfe",
        "application/x-www-form-urlencoded",
        {200, 400},
    ),
    "broken multipart": (
        lambda: b"--nope\r\ncontent-disposition: form-data\r\n\r\nx",
        "multipart/form-data; boundary=xyz",
        {200, 400},
    ),
    "multipart without a boundary": (lambda: b"family_name=Li", "multipart/form-data", {400}),
}


# The form is parsed and refused field by field (rather than the request as a whole).
SHOWS_FORM_ERRORS = {"an overlong name", "NUL bytes", "JSON sent to a form"}


@pytest.mark.parametrize("case", list(UI_CASES), ids=list(UI_CASES))
def test_malformed_posts_to_ui_forms_get_a_clear_answer_and_write_nothing(client, tenants, unchanged, case):
    make, content_type, expected = UI_CASES[case]
    client.force_login(tenants.a.users[Role.MANAGER])
    guest = tenants.a.guests[0]
    for path in (
        "/guests/new/",
        f"/guests/{guest.pk}/edit/",
        "/complaints/new/",
        "/loyalty/rewards/new/",
        "/care/campaigns/new/",
    ):
        body = make()
        if isinstance(body, dict):
            from urllib.parse import urlencode

            body = urlencode(body)
        response = unchanged(
            f"POST {path} with {case}", lambda: client.generic("POST", path, body, content_type=content_type)
        )
        assert response.status_code in expected, f"POST {path} with {case}: {response.status_code}"
        if case in SHOWS_FORM_ERRORS and response.status_code == 200:
            # The form came back with its errors: the visitor sees what to fix. (A 400 is clear by
            # itself: a form view bound to `request.POST or None` shows an empty POST the blank form.)
            assert _shows_form_errors(response.content.decode(errors="replace")), f"POST {path} with {case}"


def test_every_page_survives_query_parameters_with_nul_bytes_and_broken_utf8(client, tenants):
    client.force_login(tenants.a.users[Role.GROUP_ADMIN])
    slots_of = {regex: slots for regex, _pattern, slots in _id_routes()}
    checked = 0
    for regex, pattern, has_ids in all_routes():
        if regex.startswith(("admin/", "accounts/logout", "api/")):
            continue
        if has_ids:
            if regex not in slots_of:
                continue
            path = _path(regex, {**_own_ids(slots_of[regex], tenants.a.organization), "language": "en"})
        else:
            path = _fill(regex, MISSING_ID)
        response = client.get(path, QUERY_STRING=BAD_QUERY)
        assert response.status_code < 500, f"GET {path}?<NUL and broken UTF-8> ({pattern.name}): {response.status_code}"
        checked += 1
    assert checked >= 80


API_CASES = {
    "bad JSON": ('{"pms_profile_id": "M-1", "family_name": ', "application/json", {400}),
    "a wrong content type": ("pms_profile_id=M-1&family_name=Li", "text/plain", {415}),
    "a body over the size limit": (
        json.dumps({"pms_profile_id": "M-1", "family_name": HUGE}),
        "application/json",
        {400, 413},
    ),
    "overlong fields": (
        json.dumps({"pms_profile_id": "M" * 500, "family_name": "L" * 5000}),
        "application/json",
        {400},
    ),
    "NUL bytes": (json.dumps({"pms_profile_id": "M-1\x00", "family_name": "Li\x00Na"}), "application/json", {400}),
    "a lone surrogate": ('{"pms_profile_id": "M-1", "family_name": "\\ud800"}', "application/json", {400}),
    "bytes that are not UTF-8": (b'{"pms_profile_id": "M-1", "family_name": "\xff\xfe"}', "application/json", {400}),
    "deep nesting": (
        '{"pms_profile_id": "M-1", "family_name": "Li", "x": ' + "[" * 50_000 + "]" * 50_000 + "}",
        "application/json",
        {400},
    ),
    "a JSON list": ("[1, 2, 3]", "application/json", {400}),
    "a JSON string": ('"Li"', "application/json", {400}),
    "an empty body": ("", "application/json", {400}),
}


@pytest.mark.parametrize("case", list(API_CASES), ids=list(API_CASES))
def test_malformed_api_bodies_get_a_clear_4xx_and_write_nothing(api, unchanged, case):
    pms, _key = api()
    body, content_type, expected = API_CASES[case]
    for path in ("/api/v1/guests/upsert/", "/api/v1/stays/events/", "/api/v1/stays/events/batch/"):
        response = unchanged(
            f"POST {path} with {case}",
            lambda: pms.client.generic("POST", path, body, content_type=content_type, **pms.headers),
            exclude=[IntegrationKey],
        )
        assert response.status_code in expected | {400}, f"POST {path} with {case}: {response.status_code}"
        assert error_shape(response.json()), f"POST {path} with {case}: {response.content[:200]!r}"


def test_a_batch_over_the_limit_is_refused_whole(api, unchanged):
    pms, _key = api()
    event = {
        "reservation_id": "R",
        "event": "booked",
        "event_at": "2026-11-20T08:00:00Z",
        "arrival_on": "2026-12-01",
        "departure_on": "2026-12-03",
        "pms_profile_id": "P",
    }
    body = json.dumps({"events": [dict(event, reservation_id=f"R-{i}") for i in range(1001)]})
    response = unchanged(
        "a batch of 1,001 events",
        lambda: pms.client.generic(
            "POST", "/api/v1/stays/events/batch/", body, content_type="application/json", **pms.headers
        ),
        exclude=[IntegrationKey],
    )
    assert response.status_code == 400 and error_shape(response.json())


@pytest.mark.parametrize(
    "path",
    [
        "/loyalty/rewards/new/",
        "/integrations/keys/",
        "/guests/data/imports/new/",
        "/care/campaigns/new/",
        "/care/holidays/",
        "/care/settings/",
    ],
)
def test_an_empty_post_shows_what_is_missing(client, tenants, path):
    """An empty POST is a submitted form with nothing in it, not a first visit: it says what to fill in."""
    client.force_login(tenants.a.users[Role.MANAGER])
    response = client.post(path, {})
    assert response.status_code in (200, 400), response.status_code
    assert _shows_form_errors(response.content.decode()), path


def _shows_form_errors(body):
    """Django's own error list, or the design system's error summary at the top of the form (the
    guest forms: templates/components/error_summary.html, each error also inline at its field)."""
    return 'class="errorlist' in body or ('class="error-summary"' in body and 'class="field-error' in body)
