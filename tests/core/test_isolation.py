"""Cross-tenant isolation, over every URL the project has (the walker: tests/isolation.py).

A user of organization A requests each route with the ids of organization B's objects: the
answer must be the one a missing id gets (404 for our own views), and no body may carry B's
data. The walk runs twice: under row-level security as in production, and with it bypassed,
so a view that forgot `for_org` fails even though the database would have hidden B's rows.
"""

import pytest

from hotelcrm.models import Role
from hotelcrm.tenancy import tenant_models
from tests.conftest import Tenants, build_tenant
from tests.isolation import (
    _body,
    _bump_sequences,
    _fill,
    all_routes,
    b_ids,
    row_level_security_bypassed,
    shows_b,
    walk_routes_with_ids,
    walk_routes_without_ids,
)


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


@pytest.fixture(params=["rls", "rls_bypassed"])
def rls_mode(request, settings):
    """Both walks: under row-level security, and as a role it does not bind."""
    if request.param == "rls":
        yield request.param
    else:
        with row_level_security_bypassed(settings):
            yield request.param


def _answerer(client, user):
    def answer(method, path, data=None):
        client.force_login(user)  # logout routes end the session, so log in before each request
        response = getattr(client, method)(path, data=data or {})
        return response.status_code, response.get("Location"), _body(response)

    return answer


def test_the_route_list_covers_every_app():
    regexes = [regex for regex, _, _ in all_routes()]
    for prefix in ("guests/", "api/v1/", "admin/", "accounts/", "hotel/switch/"):
        assert any(r.startswith(prefix) for r in regexes), prefix


def test_every_tenant_model_has_rows_of_b_in_the_fixture(isolated_tenants):
    organization = isolated_tenants.b.organization
    missing = [
        m._meta.label
        for m in tenant_models()
        if not m.objects.all_tenants_unscoped().filter(organization=organization).exists()
    ]
    assert not missing, f"add B rows for {missing} to tests.conftest.build_tenant so isolation covers them"


@pytest.mark.parametrize("method", ["get", "post"])
def test_routes_with_ids_answer_for_b_exactly_as_for_a_missing_id(client, isolated_tenants, method, rls_mode):
    user = isolated_tenants.a.users[Role.GROUP_ADMIN]
    ids = b_ids(isolated_tenants)
    if rls_mode == "rls_bypassed":
        # B's first rows of every table share one id (the sequences jumped before B was built): two
        # ids reach two rows of every table, at a fraction of the cost of walking every id again.
        ids = ids[:2]
    checked = walk_routes_with_ids(_answerer(client, user), ids_by_method={method: ids}, who=f" ({rls_mode})")
    assert checked > 50


def test_routes_without_ids_show_nothing_of_b(client, isolated_tenants, rls_mode):
    ids = b_ids(isolated_tenants)
    for role in (Role.GROUP_ADMIN, Role.FRONT_DESK):
        walk_routes_without_ids(
            _answerer(client, isolated_tenants.a.users[role]),
            b_ids_to_post=ids[:6] if rls_mode == "rls" else ids[:1],
            who=f" as {role} ({rls_mode})",
        )


def test_anonymous_visitors_get_nothing(client, isolated_tenants):
    b_id = b_ids(isolated_tenants)[0]
    for regex, _pattern, _has_ids in all_routes():
        path = _fill(regex, b_id)
        response = client.get(path)
        assert response.status_code != 500, path
        assert not shows_b(_body(response)), path
        if path.startswith(("/guests", "/api/")):
            assert response.status_code in (302, 403, 404), path
