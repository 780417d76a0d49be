"""Every raw SQL join between tenant tables also joins on organization_id (tests/sql_joins.py).

Here over every SQL text in the code (string constants and f-strings, read from the AST); the
reports and loyalty tests also check the SQL their jobs really run (their conftest.py).
"""

import ast
import pathlib

import pytest

from tests.sql_joins import tenant_join_violations, tenant_tables

ROOT = pathlib.Path(__file__).resolve().parents[2]
APPS = ("hotelcrm", "guests", "complaints", "loyalty", "care", "reports", "notifications", "integrations")


def sql_texts(source):
    """(line, text) of every string in `source` that looks like SQL with a JOIN; an f-string's
    interpolations become `{}`."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if "JOIN" in text:
            yield node.lineno, text


def test_every_raw_sql_join_of_tenant_tables_names_organization_id():
    tables = tenant_tables()
    broken = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for line, text in sql_texts(path.read_text(encoding="utf-8")):
                broken += [
                    f"{path.relative_to(ROOT)}:{line} {clause}" for clause in tenant_join_violations(text, tables)
                ]
    broken = sorted(set(broken))
    assert not broken, "joins on tenant tables without organization_id:\n" + "\n".join(broken)


@pytest.mark.parametrize(
    "sql, expected",
    [
        (
            "SELECT * FROM guests_stay s JOIN guests_guestprofile g ON g.id = s.guest_id WHERE s.x = 1",
            ["JOIN guests_guestprofile g ON g.id = s.guest_id"],
        ),
        (
            "FROM guests_stay s JOIN guests_guestprofile g"
            " ON g.organization_id = s.organization_id AND g.id = s.guest_id",
            [],
        ),
        (
            "FROM e JOIN loyalty_tier tc ON tc.organization_id = %(org)s AND tc.id = e.tier_id "
            "JOIN loyalty_tier te ON te.id = e.earned_tier",
            ["JOIN loyalty_tier te ON te.id = e.earned_tier"],
        ),
        (
            "FROM c LEFT JOIN complaints_department d ON d.id = c.department_id\n  WHERE c.organization_id = 1",
            ["JOIN complaints_department d ON d.id = c.department_id"],
        ),
        ("FROM locked l LEFT JOIN q ON q.membership_id = l.id", []),  # a CTE, not a tenant table
        ('INNER JOIN "guests_guestprofile" ON ("guests_stay"."guest_id" = "guests_guestprofile"."id")', []),  # the ORM
    ],
)
def test_the_join_checker(sql, expected):
    assert tenant_join_violations(sql, {"guests_guestprofile", "loyalty_tier", "complaints_department"}) == expected
