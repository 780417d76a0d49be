"""The isolation walker: every route of the project requested with organization B's ids by a user
(or key) of organization A. tests/core/test_isolation.py walks it as A's group admin with every
id of B; tests/security/test_cross_tenant.py as every role, with the PMS key and the exports.

The URL list is read from the resolver, not written by hand, so a new app's views and API
routes are covered the day they are added. The answer for B's id must be the one a missing id
gets (404 for our own views), and no body may carry B's data.
"""

import re
from contextlib import contextmanager

from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from hotelcrm.tenancy import tenant_models

MISSING_ID = 987654321
B_MARKER = re.compile(r"bravo", re.IGNORECASE)
_RANDOM_TOKEN = re.compile(r"[A-Za-z0-9_\-+/=]{24,}")
# Fields that views take ids from in a POST body (the hotel switcher, later forms).
ID_FIELDS = ("hotel_id", "guest_id", "stay_id", "membership_id", "organization_id", "id", "pk", "object_id")
OUR_APPS = ("hotelcrm", "guests", "complaints", "loyalty", "care", "reports", "notifications", "integrations")
GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>(?:[^()]|\([^()]*\))*)\)")


def shows_b(body):
    """Whether a page shows organization B's data (its rows all carry "Bravo").

    Random tokens in every page (the CSRF token, nonces) are left out first: a 64-letter random
    token spells "bravo" in some case now and then, which is not B's data.
    """
    return bool(B_MARKER.search(_RANDOM_TOKEN.sub("", body)))


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


def _walk(resolver, prefix=""):
    for entry in resolver.url_patterns:
        regex = entry.pattern.regex.pattern
        regex = regex[1:] if regex.startswith("^") else regex
        if isinstance(entry, URLResolver):
            yield from _walk(entry, prefix + regex)
        elif isinstance(entry, URLPattern):
            yield prefix + regex, entry


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


def _is_ours(pattern):
    """Our own views answer 404 for a foreign id; Django's (admin, password reset) answer as for a missing one."""
    callback = pattern.callback
    module = getattr(getattr(callback, "view_class", None), "__module__", None) or callback.__module__
    return module.split(".")[0] in OUR_APPS


def all_routes():
    return [(regex, pattern, bool(GROUP.search(regex))) for regex, pattern in _walk(get_resolver())]


def routes_with_ids():
    """(regex, pattern, the path with a missing id) of every route that takes an id and resolves."""
    routes = []
    for regex, pattern, has_ids in all_routes():
        if not has_ids:
            continue
        missing_path = _fill(regex, MISSING_ID)
        try:
            resolve(missing_path)
        except Resolver404:
            continue
        routes.append((regex, pattern, missing_path))
    return routes


def b_ids(tenants):
    ids = {tenants.b.organization.pk}
    for model in tenant_models():
        ids.update(
            model.objects.all_tenants_unscoped()
            .filter(organization=tenants.b.organization)
            .values_list("pk", flat=True)
        )
    ids.update(user.pk for user in tenants.b.users.values())
    return sorted(ids)


def _body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def walk_routes_with_ids(answer, *, ids_by_method, allowed=(404, 405), who=""):
    """Request every route that takes an id with each of B's ids, by method; each answer must be the
    one a missing id gets, our own views must answer one of `allowed`, and no body may show B.
    `answer(method, path, data=None)` returns (status, Location, body). Returns how many were checked."""
    checked = 0
    for regex, pattern, missing_path in routes_with_ids():
        for method, ids in ids_by_method.items():
            missing = answer(method, missing_path)
            assert missing[0] < 500, f"{method.upper()} {missing_path}{who}: {missing[0]}"
            for b_id in ids:
                path = _fill(regex, b_id)
                status, location, body = answer(method, path)
                where = f"{method.upper()} {path} ({pattern.name or pattern.lookup_str}){who}"
                assert status == missing[0], f"{where}: {status}, a missing id gets {missing[0]}"
                if _is_ours(pattern):
                    assert status in allowed, f"{where}: {status}"
                if location:
                    assert location in (missing[1], missing[1].replace(str(MISSING_ID), str(b_id))), where
                assert not shows_b(body), f"{where} shows organization B's data"
                checked += 1
    return checked


def walk_routes_without_ids(answer, *, b_ids_to_post, who=""):
    """GET every route without ids, then POST it with B's ids in the usual id fields: no body may
    show B, and B's id must get what a missing id gets. Returns how many routes were walked."""
    checked = 0
    for regex, pattern, has_ids in all_routes():
        if has_ids:
            continue
        path = _fill(regex, MISSING_ID)
        where = f"{path} ({pattern.name or pattern.lookup_str}){who}"
        status, _location, body = answer("get", path)
        assert status < 500, f"GET {where}: {status}"
        assert not shows_b(body), f"GET {where} shows organization B's data"
        for b_id in b_ids_to_post:
            missing = answer("post", path, {field: MISSING_ID for field in ID_FIELDS})
            status, _location, body = answer("post", path, {field: b_id for field in ID_FIELDS})
            assert status == missing[0], f"POST {where} with B's id {b_id}: {status} vs {missing[0]}"
            assert not shows_b(body), f"POST {where} with B's id shows organization B's data"
        checked += 1
    return checked


@contextmanager
def row_level_security_bypassed(settings):
    """Serve requests as a role that row-level security does not bind (the login role: the tables'
    owner, a superuser in tests), so only the code's own tenant filter (`for_org`) hides B's rows:
    a view that forgot it shows B here even though RLS would have hidden it in production."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT session_user, rolsuper OR rolbypassrls OR EXISTS (SELECT FROM pg_tables"
            " WHERE tablename = 'guests_guestprofile' AND tableowner = session_user)"
            " FROM pg_roles WHERE rolname = session_user"
        )
        login_role, bypasses = cursor.fetchone()
    assert bypasses, f"the login role {login_role} is bound by row-level security: no bypass to test with"
    settings.DATABASE_APP_ROLE = login_role
    yield login_role
