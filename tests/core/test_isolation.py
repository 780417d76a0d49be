"""Cross-tenant isolation, over every URL the project has.

The URL list is read from the resolver, not written by hand, so a new app's views and API
routes are covered the day they are added. A user of organization A requests each route with
the ids of organization B's objects: the answer must be the one a missing id gets (404 for
our own views), and no body may carry B's data.
"""
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from hotelcrm.models import Organization, Role
from hotelcrm.tenancy import tenant_models
from tests.conftest import Tenants, build_tenant

MISSING_ID = 987654321
B_MARKER = re.compile(r"bravo", re.IGNORECASE)
_RANDOM_TOKEN = re.compile(r"[A-Za-z0-9_\-+/=]{24,}")


def shows_b(body):
    """Whether a page shows organization B's data (its rows all carry "Bravo").

    Random tokens in every page (the CSRF token, nonces) are left out first: a 64-letter random
    token spells "bravo" in some case now and then, which is not B's data.
    """
    return bool(B_MARKER.search(_RANDOM_TOKEN.sub("", body)))
# Fields that views take ids from in a POST body (the hotel switcher, later forms).
ID_FIELDS = ("hotel_id", "guest_id", "stay_id", "membership_id", "organization_id", "id", "pk", "object_id")


def _bump_sequences():
    # B's ids must not collide with any id of A, or "B's id" could name A's own row.
    # Sequences are not rolled back with the test, so jump past the highest value yet.
    step = 10_000_000
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(last_value), 0) FROM pg_sequences WHERE schemaname = current_schema()")
        start = (cursor.fetchone()[0] // step + 1) * step
        cursor.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
        for (name,) in cursor.fetchall():
            cursor.execute("SELECT setval(%s, %s, false)", [name, start])


@pytest.fixture
def isolated_tenants(db):
    a = build_tenant("Alpha")
    _bump_sequences()
    b = build_tenant("Bravo")
    # A's group admin is also staff, so the Django admin is in scope.
    admin_user = a.users[Role.GROUP_ADMIN]
    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    from django.contrib.auth.models import Permission

    admin_user.user_permissions.set(Permission.objects.all())
    return Tenants(a=a, b=b)


def _walk(resolver, prefix=""):
    for entry in resolver.url_patterns:
        regex = entry.pattern.regex.pattern
        regex = regex[1:] if regex.startswith("^") else regex
        if isinstance(entry, URLResolver):
            yield from _walk(entry, prefix + regex)
        elif isinstance(entry, URLPattern):
            yield prefix + regex, entry


GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>(?:[^()]|\([^()]*\))*)\)")


def _fill(regex, value):
    """Turn a route regex into a concrete path, putting `value` into every group that accepts it."""

    def substitute(match):
        body = match.group("body")
        if re.fullmatch(body, str(value)):
            return str(value)
        literals = body.split("|")
        if all(re.fullmatch(r"[\w-]+", lit) for lit in literals):
            return literals[0]
        return "x"

    path = GROUP.sub(substitute, regex)
    path = path.replace("\\Z", "").replace("$", "").replace("\\", "")
    return "/" + path


OUR_APPS = ("hotelcrm", "guests", "complaints", "loyalty", "care", "reports", "notifications", "integrations")


def _is_ours(pattern):
    """Our own views answer 404 for a foreign id; Django's (admin, password reset) answer as for a missing one."""
    callback = pattern.callback
    module = getattr(getattr(callback, "view_class", None), "__module__", None) or callback.__module__
    return module.split(".")[0] in OUR_APPS


def all_routes():
    routes = []
    for regex, pattern in _walk(get_resolver()):
        routes.append((regex, pattern, bool(GROUP.search(regex))))
    return routes


def b_ids(tenants):
    ids = {tenants.b.organization.pk}
    for model in tenant_models():
        ids.update(model.objects.all_tenants_unscoped().filter(organization=tenants.b.organization).values_list("pk", flat=True))
    ids.update(user.pk for user in tenants.b.users.values())
    return sorted(ids)


def _body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _answer(client, user, method, path, data=None):
    client.force_login(user)  # logout routes end the session, so log in before each request
    response = getattr(client, method)(path, data=data or {})
    return response.status_code, response.get("Location"), _body(response)


def test_the_route_list_covers_every_app():
    regexes = [regex for regex, _, _ in all_routes()]
    for prefix in ("guests/", "api/v1/", "admin/", "accounts/", "hotel/switch/"):
        assert any(r.startswith(prefix) for r in regexes), prefix


def test_every_tenant_model_has_rows_of_b_in_the_fixture(isolated_tenants):
    organization = isolated_tenants.b.organization
    missing = [
        m._meta.label for m in tenant_models()
        if not m.objects.all_tenants_unscoped().filter(organization=organization).exists()
    ]
    assert not missing, f"add B rows for {missing} to tests.conftest.build_tenant so isolation covers them"


@pytest.mark.parametrize("method", ["get", "post"])
def test_routes_with_ids_answer_for_b_exactly_as_for_a_missing_id(client, isolated_tenants, method):
    tenants = isolated_tenants
    user = tenants.a.users[Role.GROUP_ADMIN]
    ids = b_ids(tenants)
    checked = 0
    for regex, pattern, has_ids in all_routes():
        if not has_ids:
            continue
        missing_path = _fill(regex, MISSING_ID)
        try:
            resolve(missing_path)
        except Resolver404:
            continue
        missing = _answer(client, user, method, missing_path)
        assert missing[0] != 500, missing_path
        for b_id in ids:
            path = _fill(regex, b_id)
            status, location, body = _answer(client, user, method, path)
            where = f"{method.upper()} {path} ({pattern.name or pattern.lookup_str})"
            assert status == missing[0], f"{where}: {status}, a missing id gets {missing[0]}"
            if _is_ours(pattern):
                assert status in (404, 405), f"{where}: {status}"
            if location:
                assert location == missing[1].replace(str(MISSING_ID), str(b_id)) or location == missing[1], where
            assert not shows_b(body), f"{where} shows organization B's data"
            checked += 1
    assert checked > 50


def test_routes_without_ids_show_nothing_of_b(client, isolated_tenants):
    tenants = isolated_tenants
    ids = b_ids(tenants)
    for role in (Role.GROUP_ADMIN, Role.FRONT_DESK):
        user = tenants.a.users[role]
        for regex, pattern, has_ids in all_routes():
            if has_ids:
                continue
            path = _fill(regex, MISSING_ID)
            where = f"{path} ({pattern.name or pattern.lookup_str}) as {role}"
            status, _, body = _answer(client, user, "get", path)
            assert status != 500, where
            assert not shows_b(body), f"GET {where} shows organization B's data"
            for b_id in ids[:6]:
                post_missing = _answer(client, user, "post", path, {f: MISSING_ID for f in ID_FIELDS})
                status, _, body = _answer(client, user, "post", path, {f: b_id for f in ID_FIELDS})
                assert status == post_missing[0], f"POST {where} with B's id {b_id}: {status} vs {post_missing[0]}"
                assert not shows_b(body), f"POST {where} with B's id shows organization B's data"


def test_anonymous_visitors_get_nothing(client, isolated_tenants):
    for regex, pattern, has_ids in all_routes():
        path = _fill(regex, b_ids(isolated_tenants)[0])
        response = client.get(path)
        assert response.status_code != 500, path
        assert not shows_b(_body(response)), path
        if path.startswith(("/guests", "/api/")):
            assert response.status_code in (302, 403, 404), path
