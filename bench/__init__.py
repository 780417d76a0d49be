"""Benchmarks: one module each, run as `python -m bench NAME [--scale small|full]`.

A module registers itself with `register(name, question, run)`; `run(scale, **overrides)`
prints what it measured and returns a list of `Figure`s, which `python -m bench` prints last,
one `BENCH ...` line each, in the shape ../shared/BENCH.md describes. Helpers here give each
benchmark its own throw-away database and the machine facts a results file records.
"""

import datetime
import importlib
import json
import os
import pkgutil
import platform
import statistics
import subprocess
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
REPO_DIR = BENCH_DIR.parent
SCALES = ("small", "full")


@dataclass(frozen=True)
class Benchmark:
    name: str
    question: str
    run: object  # callable(scale, **overrides) -> list[Figure]


@dataclass
class Figure:
    benchmark: str
    figure: str
    value: float
    unit: str
    baseline: float
    target: str  # what the issue asks, e.g. ">=0.33" or "<300s"
    passed: bool

    @property
    def ratio(self):
        return self.value / self.baseline if self.baseline else float("inf")

    def line(self):
        return (
            f"BENCH {self.benchmark} {self.figure} value={_number(self.value)} unit={self.unit} "
            f"baseline={_number(self.baseline)} ratio={self.ratio:.3f} target={self.target} "
            f"{'PASS' if self.passed else 'MISS'}"
        )

    def as_dict(self):
        return {**asdict(self), "ratio": round(self.ratio, 4), "verdict": "PASS" if self.passed else "MISS"}


def _number(value):
    return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


_REGISTRY = {}
# The machine's load average when the benchmark started (set by `python -m bench`), recorded
# beside the load when its results are written: a figure from a busy machine says so.
LOAD_BEFORE = None


def register(name, question, run):
    _REGISTRY[name] = Benchmark(name=name, question=question, run=run)
    return _REGISTRY[name]


def benchmarks():
    """Every benchmark module in this package, imported so it registers itself."""
    for module in pkgutil.iter_modules([str(BENCH_DIR)]):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
    return dict(sorted(_REGISTRY.items()))


def percentile(values, share):
    """Nearest-rank percentile; with few runs p95 is simply the slowest."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def p50(values):
    return statistics.median(values)


# --- A database of our own --------------------------------------------------------------------
def _server_params(settings_dict, dbname):
    params = {"dbname": dbname}
    for key, name in (("USER", "user"), ("PASSWORD", "password"), ("HOST", "host"), ("PORT", "port")):
        if settings_dict.get(key):
            params[name] = settings_dict[key]
    return params


@contextmanager
def temporary_database(label="bench"):
    """Create `hotelcrm_<label>_<pid>` on the configured server, migrate it, point Django at it.

    The database is dropped on the way out, whether the benchmark passed, failed or was
    interrupted (SIGINT, or SIGTERM which `python -m bench` turns into SystemExit).
    """
    import psycopg2
    from django.core.management import call_command
    from django.db import connections

    connection = connections["default"]
    settings_dict = connection.settings_dict
    original_name = settings_dict["NAME"]
    name = f"hotelcrm_{label}_{os.getpid()}"
    admin = psycopg2.connect(**_server_params(settings_dict, "postgres"))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            connection.close()
            settings_dict["NAME"] = name
            call_command("migrate", interactive=False, verbosity=0)
            yield name
        finally:
            connection.close()
            settings_dict["NAME"] = original_name
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


def database_url(name):
    """A postgres:// URL for database `name` on the configured server, for a subprocess (server, worker)."""
    from urllib.parse import quote

    from django.db import connection

    s = connection.settings_dict
    host = quote(s["HOST"] or "", safe="")
    port = f":{s['PORT']}" if s["PORT"] else ""
    password = f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else ""
    return f"postgres://{quote(s['USER'])}{password}@{host}{port}/{name}"


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- What a results file records ------------------------------------------------------------------
def machine_info():
    from django.db import connection

    memory_kib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version')")
        (server_version,) = cursor.fetchone()
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024 / 1024, 1) if memory_kib else None,
        "postgresql": server_version,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def git_commit():
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO_DIR, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def write_results(name, *, scale, figures, details):
    """Write bench/results/NAME.json. Call it while the benchmark's database is still up."""
    RESULTS_DIR.mkdir(exist_ok=True)
    document = {
        "benchmark": name,
        "question": _REGISTRY[name].question,
        "scale": scale,
        "date": datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat(),
        "git_commit": git_commit(),
        "machine": machine_info(),
        "load": {"before": list(LOAD_BEFORE) if LOAD_BEFORE else None, "after": list(os.getloadavg())},
        "figures": [figure.as_dict() for figure in figures],
        "details": details,
    }
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return path
