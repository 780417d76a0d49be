"""The one door to tenant data, checked over the AST of every module of every app.

A tenant model's rows are reached through `Model.objects.for_org(...)`, `.for_hotel(...)` or,
where crossing tenants is the point, `.all_tenants_unscoped()`; writes that carry their
organization (`create`, `bulk_create`) are fine. Any other manager call on a tenant model
(`.objects.all()`, `.filter()`, `.get()`, `.exclude()`, `.values()`...) is how a forgotten filter
leaks data, and fails here with the file and line. Migrations are out of scope (they cross
tenants by nature). Row-level security would hide the leak; this keeps the code honest anyway.
"""

import ast
import pathlib

import pytest

from hotelcrm.tenancy import tenant_models

ROOT = pathlib.Path(__file__).resolve().parents[2]
APPS = ("hotelcrm", "guests", "complaints", "loyalty", "care", "reports", "notifications", "integrations")
DOORS = {"for_org", "for_hotel", "all_tenants_unscoped", "create", "bulk_create", "bulk_update", "none"}
TENANT_KEYWORDS = {"organization", "organization_id"}
MANAGERS = {"objects", "_default_manager", "_base_manager"}


def _name(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _names_the_tenant(call):
    return any(keyword.arg in TENANT_KEYWORDS for keyword in call.keywords)


def bare_queries(source, filename, model_names):
    """(line, "Model.manager.method") of every manager call on a tenant model that is not a door.

    A call whose own arguments name the organization (`get_or_create(organization=org, ...)`,
    a subquery's `filter(organization_id=OuterRef(...))`) is scoped; `bulk_update` writes rows
    already in hand, loaded through the door.
    """
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Attribute)
        ):
            continue
        method, manager = node.func.attr, node.func.value
        if manager.attr not in MANAGERS or _name(manager.value) not in model_names or method in DOORS:
            continue
        if _names_the_tenant(node):
            continue
        found.append((node.lineno, f"{_name(manager.value)}.{manager.attr}.{method}"))
    return found


def offenders(root=ROOT, model_names=None):
    model_names = model_names if model_names is not None else {m.__name__ for m in tenant_models()}
    result = []
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            rel = path.relative_to(root).as_posix()
            for line, call in bare_queries(path.read_text(encoding="utf-8"), rel, model_names):
                result.append(f"{rel}:{line} {call}")
    return result


def test_every_module_reaches_tenant_rows_only_through_the_door():
    found = offenders()
    assert not found, "tenant rows reached without for_org/for_hotel/all_tenants_unscoped:\n" + "\n".join(found)


def test_the_tenant_model_list_is_not_empty():
    names = {m.__name__ for m in tenant_models()}
    assert {"GuestProfile", "Stay", "Complaint"} <= names


@pytest.mark.parametrize(
    "source, expected",
    [
        ("Stay.objects.filter(pk=1)\n", [(1, "Stay.objects.filter")]),
        ("def f():\n    return models.Stay.objects.all()\n", [(2, "Stay.objects.all")]),
        ("Stay._default_manager.get(pk=1)\n", [(1, "Stay._default_manager.get")]),
        ("Stay.objects.for_org(org).filter(pk=1)\nStay.objects.all_tenants_unscoped().get(pk=1)\n", []),
        ("Stay.objects.create(organization=org)\nHotel.objects.filter(pk=1)\n", []),
        (
            "Stay.objects.get_or_create(organization_id=1, code='x')\nStay.objects.get_or_create(code='x')\n",
            [(2, "Stay.objects.get_or_create")],
        ),
    ],
)
def test_the_checker_tells_a_door_from_a_bare_query(tmp_path, source, expected):
    assert bare_queries(source, "x.py", {"Stay"}) == expected
