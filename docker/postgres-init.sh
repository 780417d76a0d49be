#!/bin/sh
# Runs once, when the postgres container starts on an empty data directory
# (/docker-entrypoint-initdb.d). It makes the roles of SECURITY.md's "Row-level security":
# - hotelcrm_owner: owns the database and the tables; `migrate` and management commands log in as it;
# - hotelcrm_app and hotelcrm_app_system: the roles requests, tasks and dispatchers run as
#   (no log-in, not owner, no BYPASSRLS; migrate gives them their grants and policies);
# - hotelcrm_web: what web, worker and beat log in as. It owns nothing and may only SET ROLE to
#   the two application roles, so a SQL injection's RESET ROLE gives back no superuser and no owner.
set -eu
: "${DATABASE_OWNER_PASSWORD:?}" "${DATABASE_LOGIN_PASSWORD:?}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner_password="$DATABASE_OWNER_PASSWORD" -v login_password="$DATABASE_LOGIN_PASSWORD" <<'SQL'
CREATE ROLE hotelcrm_owner LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
CREATE ROLE hotelcrm_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
CREATE ROLE hotelcrm_app_system NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
CREATE ROLE hotelcrm_web LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'login_password';
GRANT hotelcrm_app, hotelcrm_app_system TO hotelcrm_owner;
GRANT hotelcrm_app, hotelcrm_app_system TO hotelcrm_web;
CREATE DATABASE hotelcrm OWNER hotelcrm_owner;
\connect hotelcrm
ALTER SCHEMA public OWNER TO hotelcrm_owner;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gist;
-- Lets the name search keep its trigram index under the policies (SECURITY.md, "Speed").
ALTER FUNCTION pg_catalog.textlike(text, text) LEAKPROOF;
SQL
