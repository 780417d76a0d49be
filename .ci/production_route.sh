#!/usr/bin/env bash
# The README's production route, step by step, with DEBUG off against the machine's PostgreSQL
# and Redis: migrate, collectstatic, gunicorn, worker, beat. Then demo users and guests, and the
# front desk's walk over real HTTP with no 5xx (.ci/walk.py). Runs in the project's .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
server="${DATABASE_URL%/*}"
psql "$server/postgres" -qc "DROP DATABASE IF EXISTS hotelcrm_production_route" -c "CREATE DATABASE hotelcrm_production_route" >/dev/null
export DATABASE_URL="$server/hotelcrm_production_route"
export REDIS_URL="${REDIS_URL%/*}/13" CELERY_DEFAULT_QUEUE="production-route-$$"
export HOTELCRM_DATA_DIR="$work/data" STATIC_ROOT="$work/static" HTTPS=0 TWO_FACTOR_REQUIRED_ROLES=none
unset DEBUG
port=8766

python manage.py migrate --noinput -v0
python manage.py collectstatic --noinput -v0
gunicorn hotelcrm.wsgi:application --bind "127.0.0.1:$port" --workers 2 --log-level warning &
pids+=($!)
celery -A hotelcrm worker --loglevel=WARNING --concurrency=1 --logfile="$work/worker.log" &
pids+=($!)
celery -A hotelcrm beat --loglevel=WARNING --schedule="$work/beat-schedule" --logfile="$work/beat.log" &
pids+=($!)
python manage.py seed_demo --guests 200 --no-progress >"$work/seed.log" 2>&1 || { cat "$work/seed.log"; exit 1; }
python .ci/walk.py "http://127.0.0.1:$port" "$work/seed.log" --wait 180
psql "$server/postgres" -qc "DROP DATABASE IF EXISTS hotelcrm_production_route WITH (FORCE)" >/dev/null 2>&1 || true
