"""Each pytest-xdist worker gets servers' state of its own (loaded with `-p`, before Django's settings).

`bin/test` runs the whole suite in parallel processes (pytest-xdist) when DATABASE_URL and REDIS_URL
name real servers. pytest-django already gives every worker its own test database; this gives
each its own Redis database (cache, Celery broker and results, so one worker's Celery worker never
takes another's tasks) and its own PostgreSQL application role (roles are per cluster, and the
migrations create and grant them).
"""

import os
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDIS_DATABASES = 16  # Redis's default `databases`


def redis_url_for_worker(url, index):
    """The same server, database (base + index) modulo 16, in the URL's own form."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = dict(parse_qsl(parts.query))
        base = int(query.get("db", 0))
        query["db"] = str((base + index) % REDIS_DATABASES)
        return urlunsplit(parts._replace(query=urlencode(query)))
    path = parts.path.strip("/")
    base = int(path) if path.isdigit() else 0
    return urlunsplit(parts._replace(path=f"/{(base + index) % REDIS_DATABASES}"))


def _configure_worker():
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        return
    index = int(worker[2:])
    os.environ["REDIS_URL"] = redis_url_for_worker(os.environ["REDIS_URL"], index)
    os.environ["DATABASE_APP_ROLE"] = f"{os.environ.get('DATABASE_APP_ROLE', 'hotelcrm_app')}_{worker}"


_configure_worker()
