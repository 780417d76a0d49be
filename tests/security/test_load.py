"""A short run of the load test (`python -m bench load`), so CI exercises the whole path.

Ten front-desk users search and open profiles on a real gunicorn server for 20 seconds while
the PMS clients post stay events (some twice, with their Idempotency-Key) and a real Celery
worker runs the nightly jobs. No error response is allowed, and every reservation posted must be
stored exactly once with its newest event. The latencies are printed, never asserted: a timed
assertion is not a benchmark (../shared/BENCH.md).
"""

import re

from tests.test_bench import BENCH_LINE, run_bench

SUMMARY = re.compile(
    r"^LOAD errors=(?P<errors>\d+) reconcile=(?P<reconcile>\w+) posted=(?P<posted>\d+) "
    r"stored=(?P<stored>\d+)$",
    re.MULTILINE,
)


def test_a_short_load_run_has_no_error_responses_and_loses_or_doubles_no_stay_event():
    result = run_bench("load", "--scale", "small", "--seconds", "20", "--guests", "3000", timeout=420)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    summary = SUMMARY.search(result.stdout)
    assert summary, output[-4000:]
    assert summary["errors"] == "0", output[-4000:]
    assert summary["reconcile"] == "ok", output[-4000:]
    assert int(summary["posted"]) > 10 and summary["posted"] == summary["stored"], summary.group(0)
    # The users really searched and opened profiles, and the nightly jobs wrote their runs during the run.
    assert re.search(r"^  search: [1-9]\d* requests", result.stdout, re.MULTILINE), output[-4000:]
    assert re.search(r"^  profile: [1-9]\d* requests", result.stdout, re.MULTILINE), output[-4000:]
    nightly = re.search(r"'loyalty\.JobRun': (\d+).*'care\.ChurnRun': (\d+)", result.stdout)
    assert nightly and int(nightly[1]) > 0 and int(nightly[2]) > 0, output[-4000:]
    lines = [line for line in result.stdout.splitlines() if line.startswith("BENCH ")]
    assert {line.split()[2] for line in lines} == {"search_p95", "profile_p95", "stay_event_p95"}
    assert all(BENCH_LINE.match(line) for line in lines), lines
