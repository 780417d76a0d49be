"""Cross-tenant access on every route, for every role, through the UI session, the API key and exports.

tests/core/test_isolation.py walks every route (both use the walker of tests/isolation.py) as A's group admin with every id of B. Here
each role of A (front desk, guest relations, manager, group admin) walks every route: a route
with ids is requested with B's ids (GET and POST) and must answer exactly as it answers for an
id that exists nowhere, never show B's data; a route without ids is requested plainly and with
B's ids in the usual id fields of a POST. B's first rows of every table share one id (the id
sequences jumped before B was built), so two ids reach B's first two rows of every table.
The PMS API is walked the same way with a key of A's hotel, and every page that exports (CSV,
Excel) is asked for the whole group by A's manager and group admin.
"""

import pytest

from hotelcrm.models import Role
from tests.isolation import (
    MISSING_ID,
    _body,
    _fill,
    all_routes,
    b_ids,
    routes_with_ids,
    walk_routes_with_ids,
    walk_routes_without_ids,
)
from tests.security.conftest import ROLES
from tests.security.helpers import shows_b


def _answerer(client, user):
    def answer(method, path, data=None):
        if "_auth_user_id" not in client.session:
            client.force_login(user)  # the first request, or after a route that ended the session (log out)
        response = getattr(client, method)(path, data=data or {})
        return response.status_code, response.get("Location"), _body(response)

    return answer


@pytest.mark.parametrize("role", ROLES, ids=[role.value for role in ROLES])
def test_every_role_gets_for_bs_ids_what_a_missing_id_gets(client, tenants, role):
    # GET with B's first two rows of every table; POST with the first (B's rows do not change anyway).
    ids = {"get": b_ids(tenants)[:2], "post": b_ids(tenants)[:1]}
    checked = walk_routes_with_ids(
        _answerer(client, tenants.a.users[role]), ids_by_method=ids, allowed=(403, 404, 405), who=f" as {role.value}"
    )
    assert checked > 100


@pytest.mark.parametrize("role", ROLES, ids=[role.value for role in ROLES])
def test_every_role_sees_nothing_of_b_on_routes_without_ids(client, tenants, role):
    checked = walk_routes_without_ids(
        _answerer(client, tenants.a.users[role]), b_ids_to_post=b_ids(tenants)[:1], who=f" as {role.value}"
    )
    assert checked > 30


def test_a_key_of_a_gets_404_for_every_id_of_b_on_every_api_route(api, tenants):
    pms, _key = api(tenant=tenants.a)
    ids = b_ids(tenants)[:3]
    checked = 0
    for regex, _pattern, missing_path in routes_with_ids():
        if not missing_path.startswith("/api/"):
            continue
        for method in ("get", "post", "patch"):
            missing = getattr(pms, method)(missing_path, {})
            for b_id in ids:
                path = _fill(regex, b_id)
                response = getattr(pms, method)(path, {})
                where = f"{method.upper()} {path} with A's key"
                assert response.status_code == missing.status_code, (
                    f"{where}: {response.status_code} vs {missing.status_code}"
                )
                # 404/405, or a refusal that does not depend on the id at all (a route keys may not
                # use: a missing id gets the same 403, so nothing about B's row is told).
                assert response.status_code in (404, 405) or (response.status_code == 403 == missing.status_code), where
                assert not shows_b(response.content.decode(errors="replace")), where
                checked += 1
    assert checked >= 30


def test_b_ids_used_here_name_a_row_of_every_b_table(tenants):
    """The three ids really reach B's rows: each is the id of some B row in most of B's tables."""
    from hotelcrm.tenancy import tenant_models

    first = b_ids(tenants)[0]
    hit = [
        m
        for m in tenant_models()
        if m.objects.all_tenants_unscoped().filter(organization=tenants.b.organization, pk=first).exists()
    ]
    assert len(hit) >= 0.8 * len(
        [
            m
            for m in tenant_models()
            if m.objects.all_tenants_unscoped().filter(organization=tenants.b.organization).exists()
        ]
    )


def _download_text(response):
    raw = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if "spreadsheetml" in response.get("Content-Type", ""):
        import io

        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(raw), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    return raw.decode(errors="replace")


@pytest.mark.parametrize("role", [Role.MANAGER, Role.GROUP_ADMIN], ids=["manager", "group_admin"])
def test_exports_and_downloads_of_a_hold_nothing_of_b(client, tenants, role):
    """Every page that exports (CSV or Excel), for the whole group where the role may ask for it."""
    client.force_login(tenants.a.users[role])
    exports, with_a = 0, 0
    for regex, _pattern, has_ids in all_routes():
        if has_ids or regex.startswith(("admin/", "api/", "accounts/")):
            continue
        path = _fill(regex, MISSING_ID)
        for fmt in ("csv", "xlsx"):
            response = client.get(path, {"format": fmt, "group": "on"})
            assert response.status_code < 500, f"GET {path}?format={fmt} as {role.value}"
            kind = response.get("Content-Type", "")
            if response.status_code != 200 or not ("csv" in kind or "spreadsheetml" in kind):
                continue
            text = _download_text(response)
            assert not shows_b(text), f"GET {path}?format={fmt} as {role.value} exports organization B's data"
            exports += 1
            with_a += "Alpha" in text
    assert exports >= 10, exports
    assert with_a >= 3, with_a  # the exports do carry the organization's own rows
