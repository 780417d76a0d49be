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

The setting cannot be forged by SQL that reaches the connection (an injection): it is
`<tenant>.<nonce>.<mac>`, where mac is HMAC-SHA256 over `<tenant>:<backend pid>:<nonce>` under
a key derived from SECRET_KEY. The policies ask `hotelcrm_tenant()`, a SECURITY DEFINER function
owned by the owner, which recomputes the MAC with the key kept in `hotelcrm_rls_key`, a table
the application roles may not read, and answers the organization id only when it matches: a
`set_config('hotelcrm.tenant', '<other id>' or 'system', false)` gives no rows at all. The pid
binds a MAC to its connection, so a value seen on one connection is worthless on another.
"All tenants" is not a value the application role can use: the SYSTEM context runs as a second
role, `<DATABASE_APP_ROLE>_system` (settings.DATABASE_SYSTEM_ROLE), whose own policy asks for a
signed `system`; the application role has no policy that lets it see every tenant.
"""

import contextvars
import hashlib
import hmac
import secrets
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connection

SYSTEM = "system"
NOBODY = ""
SETTING = "hotelcrm.tenant"
POLICY = "hotelcrm_tenant_isolation"
SYSTEM_POLICY = "hotelcrm_system_context"
KEY_TABLE = "hotelcrm_rls_key"
# Rows of no organization (sign-in failures of unknown names) may be written and read in the audit trail.
NULL_ORG_POLICY = "hotelcrm_no_organization"

# None: outside any context (login role, policies not applied to it as the owner).
_current = contextvars.ContextVar("hotelcrm_rls_tenant", default=None)


def app_role():
    return settings.DATABASE_APP_ROLE  # a plain role name: settings refuse anything else


def system_role():
    return settings.DATABASE_SYSTEM_ROLE  # checked like DATABASE_APP_ROLE


def _key():
    return hmac.new(settings.SECRET_KEY.encode(), b"hotelcrm.rls.tenant-setting", hashlib.sha256).digest()


def _backend_pid(dbapi_connection):
    info = getattr(dbapi_connection, "info", None)  # psycopg 3
    if info is not None and hasattr(info, "backend_pid"):
        return info.backend_pid
    return dbapi_connection.get_backend_pid()  # psycopg2: libpq's value, no round trip


def signed_value(value, pid):
    """The setting for `value` (an organization id or SYSTEM) on the backend `pid`."""
    nonce = secrets.token_hex(16)
    mac = hmac.new(_key(), f"{value}:{pid}:{nonce}".encode(), hashlib.sha256).hexdigest()
    return f"{value}.{nonce}.{mac}"


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
    if value is None:
        role, setting = "none", ""
    elif value == NOBODY:
        role, setting = app_role(), ""
    else:
        role = system_role() if value == SYSTEM else app_role()
        setting = signed_value(value, _backend_pid(conn.connection))
    try:
        with conn.wrap_database_errors, conn.connection.cursor() as cursor:
            cursor.execute("SELECT set_config('role', %s, false), set_config(%s, %s, false)", [role, SETTING, setting])
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


# --- Schema: the roles, the key, the policy functions, the policies --------------------------


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


# The tenant named by a setting whose MAC checks out on this connection, else NULL. Owned by the
# owner and SECURITY DEFINER: only it reads the key. STABLE, and the policies call it through a
# scalar subquery, so it runs once per statement (an InitPlan) and `organization_id = $1` stays
# an index condition. PARALLEL RESTRICTED: a parallel worker has another backend pid. PL/pgSQL
# keeps its plan for the key lookup for the session.
_VERIFIED_PLPGSQL = r"""
DECLARE
  -- string_to_array and a short pattern, not one regular expression with counted repeats
  -- ({{32}}, {{64}}), which PostgreSQL's engine ran at about a millisecond a call.
  m text[] := string_to_array(coalesce(current_setting('hotelcrm.tenant', true), ''), '.');
  k record;
BEGIN
  IF cardinality(m) <> 3 OR NOT (m[1] = 'system' OR (length(m[1]) <= 18 AND m[1] ~ '^[0-9]+$')) THEN
    RETURN NULL;
  END IF;
  SELECT inner_pad, outer_pad INTO k FROM {schema}.{key_table} WHERE id = 1;
  IF k IS NULL OR encode(sha256(k.outer_pad || sha256(k.inner_pad
       || convert_to(m[1] || ':' || pg_backend_pid() || ':' || m[2], 'UTF8'))), 'hex') <> m[3] THEN
    RETURN NULL;
  END IF;
  RETURN {answer};
END
"""

FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION {schema}.hotelcrm_tenant() RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL RESTRICTED SET search_path = pg_catalog, pg_temp AS $$
{tenant_body}$$;
CREATE OR REPLACE FUNCTION {schema}.hotelcrm_tenant_is_system() RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL RESTRICTED SET search_path = pg_catalog, pg_temp AS $$
{system_body}$$;
REVOKE ALL ON FUNCTION {schema}.hotelcrm_tenant(), {schema}.hotelcrm_tenant_is_system() FROM PUBLIC;
"""


def _roles():
    return [app_role(), system_role()]


def ensure_role(cursor):
    """Create the application role and the all-tenants role if missing; neither may log in until
    an operator says so, and neither may bypass row-level security."""
    for role in _roles():
        cursor.execute(
            "DO $$ BEGIN"
            f" IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN"
            f'   CREATE ROLE "{role}" NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;'
            " END IF; END $$"
        )
        cursor.execute("SELECT pg_has_role(current_user, %s, 'MEMBER')", [role])
        if not cursor.fetchone()[0]:
            cursor.execute(f'GRANT "{role}" TO CURRENT_USER')  # so the owner may SET ROLE to it
        cursor.execute("SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone()[0]:
            raise DatabaseError(f"The role {role} bypasses row-level security; it must not.")


def _ensure_key(cursor, schema):
    """The key table, readable by the owner alone, holding HMAC's two padded keys (so the check
    is two sha256 calls, no extension needed). Refreshed from SECRET_KEY at every migrate."""
    cursor.execute(
        f'CREATE TABLE IF NOT EXISTS "{schema}".{KEY_TABLE} (id smallint PRIMARY KEY CHECK (id = 1),'
        " inner_pad bytea NOT NULL, outer_pad bytea NOT NULL)"
    )
    key = _key().ljust(64, b"\0")
    inner, outer = bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)
    cursor.execute(
        f'INSERT INTO "{schema}".{KEY_TABLE} (id, inner_pad, outer_pad) VALUES (1, %s, %s)'
        " ON CONFLICT (id) DO UPDATE SET inner_pad = excluded.inner_pad, outer_pad = excluded.outer_pad"
        f" WHERE ({KEY_TABLE}.inner_pad, {KEY_TABLE}.outer_pad) IS DISTINCT FROM (excluded.inner_pad, excluded.outer_pad)",
        [inner, outer],
    )


def ensure_policies(cursor):
    """Idempotent: grants, the key, the policy functions and the policies on every tenant table."""
    role, system = app_role(), system_role()
    cursor.execute("SELECT current_schema()")
    schema = cursor.fetchone()[0]
    _ensure_key(cursor, schema)
    bodies = {
        f"{name}_body": _VERIFIED_PLPGSQL.format(schema=f'"{schema}"', key_table=KEY_TABLE, answer=answer)
        for name, answer in (
            ("tenant", "CASE WHEN m[1] <> 'system' THEN m[1]::bigint END"),
            ("system", "m[1] = 'system'"),
        )
    }
    cursor.execute(FUNCTIONS_SQL.format(schema=f'"{schema}"', **bodies))
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cursor.fetchone()[0]:
        # Under RLS the planner may use an index for a condition only if its function is
        # LEAKPROOF; LIKE is not marked so, which turned the guest name search (trigram index)
        # into a scan of the organization's rows. LIKE reveals nothing of the rows it reads (its
        # only error is about the pattern), and our threat is a forgotten filter, not SQL typed by
        # a user. Only a superuser may mark it; elsewhere SECURITY.md tells the DBA how.
        cursor.execute("ALTER FUNCTION pg_catalog.textlike(text, text) LEAKPROOF")
    for grantee in (role, system):
        cursor.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO "{grantee}"')
        cursor.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO "{grantee}"')
        cursor.execute(f'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{grantee}"')
        cursor.execute(
            f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{grantee}"'
        )
        cursor.execute(
            f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO "{grantee}"'
        )
        cursor.execute(
            f'GRANT EXECUTE ON FUNCTION "{schema}".hotelcrm_tenant(), "{schema}".hotelcrm_tenant_is_system() TO "{grantee}"'
        )
    # The key is the owner's alone (the grants above cover every table, this one included).
    cursor.execute(f'REVOKE ALL ON "{schema}".{KEY_TABLE} FROM PUBLIC, "{role}", "{system}"')
    restrict_auth_tables(cursor, schema)
    cursor.execute("SELECT tablename, policyname, qual FROM pg_policies WHERE schemaname = current_schema()")
    existing = {(table, policy): qual for table, policy, qual in cursor.fetchall()}
    for table, column in tenant_tables(cursor):
        cursor.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        qual = existing.get((table, POLICY))
        if qual is not None and "hotelcrm_tenant()" not in qual:  # the unsigned policy of 0007
            cursor.execute(f'DROP POLICY {POLICY} ON "{table}"')
            qual = None
        if qual is None:
            cursor.execute(
                f'CREATE POLICY {POLICY} ON "{table}" USING ("{column}" = (SELECT hotelcrm_tenant()))'
                f' WITH CHECK ("{column}" = (SELECT hotelcrm_tenant()))'
            )
        if (table, SYSTEM_POLICY) not in existing:
            cursor.execute(
                f'CREATE POLICY {SYSTEM_POLICY} ON "{table}" TO "{system}" USING ((SELECT hotelcrm_tenant_is_system()))'
                " WITH CHECK ((SELECT hotelcrm_tenant_is_system()))"
            )
    if ("core_auditevent", NULL_ORG_POLICY) not in existing:
        cursor.execute(
            f"CREATE POLICY {NULL_ORG_POLICY} ON core_auditevent USING (organization_id IS NULL)"
            " WITH CHECK (organization_id IS NULL)"
        )


def restrict_auth_tables(cursor, schema):
    """What the application roles need not write: the migration ledger."""
    for grantee in _roles():
        cursor.execute(f'REVOKE INSERT, UPDATE, DELETE ON "{schema}".django_migrations FROM "{grantee}"')


def drop_policies(cursor):
    cursor.execute(
        "SELECT tablename, policyname FROM pg_policies WHERE schemaname = current_schema()"
        " AND policyname IN (%s, %s, %s)",
        [POLICY, SYSTEM_POLICY, NULL_ORG_POLICY],
    )
    for table, policy in cursor.fetchall():
        cursor.execute(f'DROP POLICY {policy} ON "{table}"')
    for table, _column in tenant_tables(cursor):
        cursor.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
    cursor.execute("DROP FUNCTION IF EXISTS hotelcrm_tenant_allows(bigint)")
    cursor.execute("DROP FUNCTION IF EXISTS hotelcrm_tenant()")
    cursor.execute("DROP FUNCTION IF EXISTS hotelcrm_tenant_is_system()")
    cursor.execute(f"DROP TABLE IF EXISTS {KEY_TABLE}")


def after_migrate(sender, using="default", **kwargs):
    """`post_migrate` receiver: tables added by later migrations get their policy too."""
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "postgresql" or sender.label != "core":
        return
    with conn.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure('hotelcrm_tenant()') IS NOT NULL")
        if cursor.fetchone()[0]:  # migrated back below the RLS migration: leave the schema alone
            ensure_policies(cursor)
