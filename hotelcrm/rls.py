"""PostgreSQL row-level security: the database's own tenant wall behind `TenantManager`.

Every tenant-owned table (one with an `organization_id` column, and the organizations table
itself) has RLS enabled with one policy: a row is visible and writable only when its
organization is the connection's current tenant, held in the setting `hotelcrm.tenant`. The
requests, Celery tasks and token pages run as the application role (settings.DATABASE_APP_ROLE),
which is not the tables' owner and has no BYPASSRLS, so a query that forgets its tenant filter
still gets nothing of another organization. Migrations and management commands run as the
login role (the owner), which the policies do not bind.

One helper sets both, `tenant_context(tenant)`, where `tenant` is
- an Organization or its id: that organization's rows only;
- SYSTEM: every organization (the dispatchers that fan work out per organization, the few
  lookups that must cross tenants, such as a user's own memberships or an API key's prefix);
- None: no tenant rows at all (an anonymous request).
The request middleware, the Celery task class and the token pages are the entry points that
call it. `activate(tenant)` narrows the context the caller is already in (an API key or a
signed link names its organization once it has been checked); outside any context it does
nothing, so scripts and tests keep the login role.

The setting is session-level, not `SET LOCAL`: a request runs many short transactions in
autocommit. Each context restores the previous value when it ends (in a `finally`), the
middleware starts every request from a known value, and a new connection gets the current
context when it opens, so a pooled connection never carries one tenant into the next request.
"""
import contextvars
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connection

SYSTEM = "system"
NOBODY = ""
SETTING = "hotelcrm.tenant"
POLICY = "hotelcrm_tenant_isolation"
# Rows of no organization (sign-in failures of unknown names) may be written and read in the audit trail.
NULL_ORG_POLICY = "hotelcrm_no_organization"

# None: outside any context (login role, policies not applied to it as the owner).
_current = contextvars.ContextVar("hotelcrm_rls_tenant", default=None)


def app_role():
    return settings.DATABASE_APP_ROLE  # a plain role name: settings refuse anything else


def tenant_value(tenant):
    if tenant is None:
        return NOBODY
    if tenant == SYSTEM:
        return SYSTEM
    return str(int(getattr(tenant, "pk", tenant)))


def current():
    """The current context's value: None outside any, "" for nobody, "system", or an organization id."""
    return _current.get()


def _apply(conn=None):
    conn = conn or connection
    if conn.vendor != "postgresql" or conn.connection is None:
        return  # applied by `connection_opened` when the connection opens
    value = _current.get()
    # One statement per switch, on the driver's cursor: a fixed cost per request or task (which
    # `bench rls` measures), not one of the page's queries that the query-count tests watch.
    role = "none" if value is None else app_role()
    try:
        with conn.wrap_database_errors, conn.connection.cursor() as cursor:
            cursor.execute("SELECT set_config('role', %s, false), set_config(%s, %s, false)",
                           [role, SETTING, value or ""])
    except DatabaseError:
        # An aborted transaction refuses it: drop the connection rather than let it keep another
        # context. The next one opens in the right one.
        conn.close()
        raise


def connection_opened(sender, connection, **kwargs):
    """`connection_created` receiver: a connection opened inside a context starts in it."""
    if _current.get() is not None:
        _apply(connection)


@contextmanager
def _context(value):
    token = _current.set(value)
    try:
        _apply()
        yield
    finally:
        _current.reset(token)
        try:
            _apply()
        except DatabaseError:
            pass  # the connection was closed by _apply; it opens in the restored context


def tenant_context(tenant):
    return _context(tenant_value(tenant))


def activate(tenant):
    """Narrow the enclosing context to `tenant` until that context ends; no-op outside any."""
    if _current.get() is None:
        return
    _current.set(tenant_value(tenant))
    _apply()


def streaming_in_context(iterable, value):
    """A streamed response body is read after the middleware returns: read it in the request's context."""
    with _context(value):
        yield from iterable


# --- Schema: the role, the policy function, the policies -------------------------------------

def tenant_tables(cursor):
    """(table, key column) for every table of the current schema that belongs to an organization."""
    cursor.execute(
        "SELECT table_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND column_name = 'organization_id'"
        " AND table_name IN (SELECT table_name FROM information_schema.tables"
        "                    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE')"
        " ORDER BY table_name"
    )
    tables = [(name, "organization_id") for (name,) in cursor.fetchall()]
    return tables + [("core_organization", "id")]


FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION hotelcrm_tenant_allows(organization bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE coalesce(current_setting('hotelcrm.tenant', true), '')
    WHEN 'system' THEN true
    WHEN '' THEN false
    ELSE organization = current_setting('hotelcrm.tenant', true)::bigint
  END
$$;
"""


def ensure_role(cursor):
    """Create the application role if missing; it may not log in until an operator says so."""
    role = app_role()
    cursor.execute(
        "DO $$ BEGIN"
        f" IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN"
        f"   CREATE ROLE \"{role}\" NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;"
        " END IF; END $$"
    )
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if not cursor.fetchone()[0]:
        cursor.execute(f'GRANT "{role}" TO CURRENT_USER')  # so the owner may SET ROLE to it
    cursor.execute("SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = %s", [role])
    if cursor.fetchone()[0]:
        raise DatabaseError(f"The application role {role} bypasses row-level security; it must not.")


def ensure_policies(cursor):
    """Idempotent: grants, the policy function and a policy on every tenant table."""
    role = app_role()
    cursor.execute("SELECT current_schema()")
    schema = cursor.fetchone()[0]
    cursor.execute(FUNCTION_SQL)
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cursor.fetchone()[0]:
        # Under RLS the planner may use an index for a condition only if its function is
        # LEAKPROOF; LIKE is not marked so, which turned the guest name search (trigram index)
        # into a scan of the organization's rows. LIKE reveals nothing of the rows it reads (its
        # only error is about the pattern), and our threat is a forgotten filter, not SQL typed by
        # a user. Only a superuser may mark it; elsewhere SECURITY.md tells the DBA how.
        cursor.execute("ALTER FUNCTION pg_catalog.textlike(text, text) LEAKPROOF")
    cursor.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"')
    cursor.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"')
    cursor.execute(f'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"')
    cursor.execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{role}"')
    cursor.execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO "{role}"')
    cursor.execute("SELECT tablename, policyname FROM pg_policies WHERE schemaname = current_schema()")
    existing = set(cursor.fetchall())
    for table, column in tenant_tables(cursor):
        cursor.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        if (table, POLICY) not in existing:
            cursor.execute(
                f'CREATE POLICY {POLICY} ON "{table}" USING (hotelcrm_tenant_allows("{column}"))'
                f' WITH CHECK (hotelcrm_tenant_allows("{column}"))'
            )
    if ("core_auditevent", NULL_ORG_POLICY) not in existing:
        cursor.execute(f"CREATE POLICY {NULL_ORG_POLICY} ON core_auditevent USING (organization_id IS NULL)"
                       " WITH CHECK (organization_id IS NULL)")


def drop_policies(cursor):
    cursor.execute("SELECT tablename, policyname FROM pg_policies WHERE schemaname = current_schema()"
                   " AND policyname IN (%s, %s)", [POLICY, NULL_ORG_POLICY])
    for table, policy in cursor.fetchall():
        cursor.execute(f'DROP POLICY {policy} ON "{table}"')
    for table, _column in tenant_tables(cursor):
        cursor.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
    cursor.execute("DROP FUNCTION IF EXISTS hotelcrm_tenant_allows(bigint)")


def after_migrate(sender, using="default", **kwargs):
    """`post_migrate` receiver: tables added by later migrations get their policy too."""
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "postgresql" or sender.label != "core":
        return
    with conn.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure('hotelcrm_tenant_allows(bigint)') IS NOT NULL")
        if cursor.fetchone()[0]:  # migrated back below the RLS migration: leave the schema alone
            ensure_policies(cursor)
