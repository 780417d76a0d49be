"""Raw SQL joins between tenant tables must also join on organization_id.

Citus co-locates tenant tables by organization_id: a join on `id` alone between two of them is
a cross-shard join (and a query that could pair rows of two tenants). Django's ORM writes its
joins with quoted names and follows foreign keys; this looks at our hand-written SQL, where
tables are named bare: `JOIN <tenant table> <alias> ON <condition>` must constrain
`<alias>.organization_id` in the condition (to the other side's column or to the tenant
parameter).
"""

import re
from contextlib import contextmanager

JOIN = re.compile(
    r"\bJOIN\s+(?!LATERAL\b)(?P<table>[a-z_][a-z0-9_]*)\s+(?:AS\s+)?(?P<alias>[a-z_][a-z0-9_]*)?\s*\bON\b"
    r"(?P<condition>.*?)(?=\b(?:LEFT\s+|RIGHT\s+|INNER\s+|FULL\s+|CROSS\s+)?JOIN\b|\bWHERE\b|\bGROUP\s+BY\b"
    r"|\bORDER\s+BY\b|\bLIMIT\b|\bUNION\b|\)\s*,|\)\s*SELECT\b|\)\s*$|;|$)",
    re.IGNORECASE | re.DOTALL,
)


def tenant_tables():
    from hotelcrm.tenancy import tenant_models

    return {model._meta.db_table for model in tenant_models()}


def tenant_join_violations(sql, tables):
    """The `JOIN table alias ON condition` clauses of `sql` on a tenant table whose condition does
    not name `alias.organization_id`."""
    broken = []
    for match in JOIN.finditer(sql):
        table, alias = match.group("table").lower(), (match.group("alias") or "").lower()
        if table not in tables:
            continue
        alias = table if not alias or alias == "on" else alias
        if not re.search(rf"\b{re.escape(alias)}\.organization_id\b", match.group("condition"), re.IGNORECASE):
            broken.append(" ".join(match.group(0).split()))
    return broken


@contextmanager
def every_tenant_join_carries_the_organization(connection):
    """Record the SQL run inside the block; on leaving it, fail on a raw join without organization_id."""
    executed = []

    def record(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield executed
    tables = tenant_tables()
    broken = sorted({clause for sql in executed for clause in tenant_join_violations(sql, tables)})
    assert not broken, "raw SQL joins tenant tables without organization_id:\n" + "\n".join(broken)
