#!/usr/bin/env bash
# What `pip install .` alone gives must run the product: a fresh virtual environment with no
# extras imports every module, passes `pip check`, and starts a Celery worker that answers a ping.
# Uses DATABASE_URL / REDIS_URL / secrets from the caller (CI's real servers).
set -euo pipefail
cd "$(dirname "$0")/.."
venv="$(mktemp -d)/venv"
worker_pid=""
# `pip install .` leaves build/ and *.egg-info in the tree: removed, so later steps see only the sources.
cleanup() { [ -n "$worker_pid" ] && kill "$worker_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$(dirname "$venv")" build ./*.egg-info; }
trap cleanup EXIT
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -c requirements.lock . 2>&1 | grep -v "^WARNING: Location" || true
"$venv/bin/python" -m pip check
# The web server refuses to start before collectstatic (one clear line), and starts after it.
export STATIC_ROOT="$(dirname "$venv")/static"
if "$venv/bin/gunicorn" --check-config hotelcrm.wsgi:application 2>"$(dirname "$venv")/refused.txt"; then
  echo "gunicorn started without collected static files: every page would answer 500" >&2; exit 1
fi
grep -q "collectstatic" "$(dirname "$venv")/refused.txt" || { cat "$(dirname "$venv")/refused.txt" >&2; exit 1; }
"$venv/bin/python" manage.py collectstatic --noinput -v0
"$venv/bin/python" .ci/import_all.py
# A queue and node name of its own, so the ping is answered by this worker and no other.
node="fresh-install-$$@%h"
"$venv/bin/celery" -A hotelcrm worker --pool=solo --queues="fresh-install-$$" --hostname="$node" \
  --loglevel=WARNING --without-mingle --without-gossip &
worker_pid=$!
deadline=$((SECONDS + 90))
until "$venv/bin/celery" -A hotelcrm inspect ping --destination="fresh-install-$$@$(hostname)" --timeout=3 >/dev/null 2>&1; do
  if ! kill -0 "$worker_pid" 2>/dev/null; then echo "the worker of a plain 'pip install .' died" >&2; exit 1; fi
  if [ "$SECONDS" -ge "$deadline" ]; then echo "the worker of a plain 'pip install .' answered no ping in 90 s" >&2; exit 1; fi
done
"$venv/bin/gunicorn" --check-config hotelcrm.wsgi:application
echo "pip install . runs: modules import, pip check passes, a worker answers ping, gunicorn loads the app"
