"""Privilege escalation: staff posting the forms of a higher role are refused and nothing changes.

The routes a role may not use are read from the views themselves: `role_required(...)` wraps
the view in a closure holding the role (found by walking the decorators), plus the views that
check the role inside (listed in IN_VIEW_CHECKS). For each such route, filled with organization
A's own ids, a manager's GET of the page gives the form's fields and plausible values; the
front desk (and guest relations, for manager routes) then GETs and POSTs that very form. The
answer must be 403 or 404 (405 for a GET of a POST-only route), and a fingerprint of every
row of organization A (counts and hashes of whole rows, audit events included) must be
unchanged. The same POST by the manager, rolled back afterwards, does change rows on most
routes: the payloads are real forms, not noise that any view would refuse.
"""

import pytest
from django.db import transaction
from django.urls import resolve
from django.urls.exceptions import Resolver404

from hotelcrm.models import ROLE_RANK, Role
from tests.isolation import _body, all_routes
from tests.security.helpers import changed_tables, fill_form, form_fields, tenant_fingerprint
from tests.security.test_idor import _id_routes, _own_ids, _path

# Views that check the role in their body (after the tenant door), not with role_required.
IN_VIEW_CHECKS = {
    "complaints:close": Role.GUEST_RELATIONS,
    "complaints:update": Role.GUEST_RELATIONS,
    "complaints:compensation": Role.GUEST_RELATIONS,
    "complaints:feedback-link": Role.GUEST_RELATIONS,
    "complaints:compensation-decide": Role.MANAGER,
    "guests:access-approve": Role.MANAGER,
    "guests:access-deny": Role.MANAGER,
    "guests:access-revoke": Role.MANAGER,
}
# The complaint page refuses a step the role may not take with a message and a redirect back to
# the complaint (the buttons are not shown to that role anyway); the fingerprint proves nothing changed.
REFUSED_WITH_A_MESSAGE = {
    "complaints:close",
    "complaints:update",
    "complaints:compensation",
    "complaints:feedback-link",
    "complaints:compensation-decide",
}


def required_role(callback):
    """The role a `role_required` decorator demands of this view, found in the wrappers' closures."""
    found, seen, stack = [], set(), [callback]
    while stack:
        function = stack.pop()
        if id(function) in seen:
            continue
        seen.add(id(function))
        for cell in getattr(function, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if isinstance(value, str) and value in Role.values:
                found.append(Role(value))
            elif callable(value):
                stack.append(value)
        if getattr(function, "__wrapped__", None):
            stack.append(function.__wrapped__)
    return max(found, key=lambda role: ROLE_RANK[role]) if found else None


def _route_name(pattern, namespace):
    return f"{namespace}:{pattern.name}" if namespace else pattern.name


def guarded_routes():
    """[(regex, name, role needed)] for every non-admin route that needs more than the front desk."""
    slots_of = {regex: slots for regex, _pattern, slots in _id_routes()}
    routes = []
    for regex, pattern, has_ids in all_routes():
        if regex.startswith(("admin/", "api/")) or (has_ids and regex not in slots_of):
            continue
        match = None
        try:
            match = resolve(_path(regex, {name: 1 for name, _m in slots_of.get(regex, [])}))
        except Resolver404:
            continue
        name = match.view_name
        needed = IN_VIEW_CHECKS.get(name) or required_role(pattern.callback)
        if needed and ROLE_RANK[needed] > ROLE_RANK[Role.FRONT_DESK]:
            routes.append((regex, name, needed, slots_of.get(regex, [])))
    return routes


def test_the_guarded_route_list_is_found_from_the_views():
    names = {name for _regex, name, _needed, _slots in guarded_routes()}
    for expected in (
        "loyalty:reward-new",
        "loyalty:program",
        "care:campaign-create",
        "integrations:key-list",
        "guests:access-approve",
        "reports:dashboard",
        "guests:erase",
        "audit:list",
    ):
        assert any(name == expected or name.endswith(expected.split(":")[1]) for name in names), expected
    assert len(names) >= 40


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.GUEST_RELATIONS], ids=["front_desk", "guest_relations"])
def test_lower_roles_posting_higher_roles_forms_are_refused_and_change_nothing(client, tenants, role):
    a = tenants.a
    attacker, manager = a.users[role], a.users[Role.GROUP_ADMIN]
    refused = manager_changed = 0
    for regex, name, needed, slots in guarded_routes():
        if ROLE_RANK[needed] <= ROLE_RANK[role]:
            continue
        own = _own_ids(slots, a.organization)
        if any(value is None for value in own.values()):
            continue
        path = _path(regex, own)
        client.force_login(manager)
        page = client.get(path)
        payload = fill_form(form_fields(_body(page))) if page.status_code == 200 else {}

        before = tenant_fingerprint(a.organization)
        client.force_login(attacker)
        got = client.get(path)
        posted = client.post(path, payload)
        where = f"{path} ({name}, needs {needed.value}) as {role.value}"
        assert got.status_code in (403, 404, 405), f"GET {where}: {got.status_code}"
        if name in REFUSED_WITH_A_MESSAGE and posted.status_code == 302:
            assert posted["Location"] == f"/complaints/{own['complaint_id']}/", f"POST {where}: {posted['Location']}"
            shown = client.get(posted["Location"]).content.decode()
            assert '<li class="alert alert-error">' in shown, f"POST {where}: no error message shown"
        else:
            # 405: a page that takes no POST at all; its GET must then be the one refused.
            assert posted.status_code in (403, 404, 405), f"POST {where}: {posted.status_code}"
            assert got.status_code != 405 or posted.status_code in (403, 404), where
        changed = changed_tables(before, tenant_fingerprint(a.organization))
        assert not changed, f"POST {where} changed {changed}"
        refused += 1

        # The same form by a group admin does something (then it is undone): the payload was real.
        with transaction.atomic():
            client.force_login(manager)
            response = client.post(path, payload)
            assert response.status_code < 500, f"POST {path} as group admin: {response.status_code}"
            manager_changed += bool(changed_tables(before, tenant_fingerprint(a.organization)))
            transaction.set_rollback(True)
    assert refused >= (40 if role == Role.FRONT_DESK else 25), refused
    assert manager_changed >= 10, manager_changed
