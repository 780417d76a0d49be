"""The allowed arrows between apps (shared DESIGN.md "Layout", docs/architecture.md), checked over
the AST of every module, imports inside functions included. A new import that breaks a layer
fails here with the file, the line and the rule.

Each app lists what it may import; anything else of ours is refused. Third-party and standard
library imports are not checked. `hotelcrm`'s wiring modules (urls, settings, celery, wsgi) put
the apps together and may name them.
"""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORE = "hotelcrm"
BASES = {"guests"}
DOMAINS = {"guests", "complaints", "loyalty", "care"}
ALLOWED = {
    # The core knows no app.
    CORE: {CORE},
    # Notifications sends what domains ask it to and knows no domain.
    "notifications": {CORE},
    # The guest archive is the base the other domains build on.
    "guests": {CORE, "notifications"},
    "complaints": {CORE, "guests", "notifications"},
    "loyalty": {CORE, "guests", "notifications"},
    # Care reacts to complaints through domain events, never by importing them.
    "care": {CORE, "guests", "notifications"},
    # The API layer (PMS endpoints, keys, webhooks) stands on the domains; no domain knows it.
    "integrations": {CORE, "notifications"} | DOMAINS,
    # Reports read everything; nothing imports reports.
    "reports": {CORE, "notifications", "integrations"} | DOMAINS,
}
APPS = set(ALLOWED)
CORE_WIRING = {"hotelcrm/urls.py", "hotelcrm/settings.py", "hotelcrm/celery.py", "hotelcrm/wsgi.py", "hotelcrm/asgi.py"}


def imported_modules(tree, module_name):
    """(line, dotted name) of every import in the tree, relative imports resolved."""
    package = module_name.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            yield node.lineno, name
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


def python_files(root=ROOT):
    for app in sorted(APPS):
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            yield app, path


def violations(root=ROOT):
    broken = []
    for app, path in python_files(root):
        rel = path.relative_to(root).as_posix()
        if rel in CORE_WIRING:
            continue
        module_name = rel[:-3].replace("/", ".")
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
        for line, name in imported_modules(tree, module_name):
            target = name.split(".")[0]
            if target in APPS and target != app and target not in ALLOWED[app]:
                broken.append(f"{rel}:{line} {app} -> {name}")
    return broken


def test_every_import_follows_the_allowed_arrows():
    broken = violations()
    assert not broken, "imports that break the layers (docs/architecture.md):\n" + "\n".join(broken)


@pytest.mark.parametrize(
    "source, expected",
    [
        ("from loyalty.models import Membership\n", ["guests/bad.py:1 guests -> loyalty.models"]),
        ("def f():\n    import complaints.services\n", ["guests/bad.py:2 guests -> complaints.services"]),
        (
            "import importlib\nimportlib.import_module('reports.selectors')\n",
            ["guests/bad.py:2 guests -> reports.selectors"],
        ),
        ("from hotelcrm.models import Hotel\nfrom notifications import services\n", []),
    ],
)
def test_the_checker_sees_imports_at_module_level_in_functions_and_by_name(tmp_path, source, expected):
    (tmp_path / "guests").mkdir()
    (tmp_path / "guests" / "bad.py").write_text(source)
    assert violations(tmp_path) == expected
