"""The benchmark harness runs end to end. A timed assertion is not a benchmark: only shapes here."""

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# ../shared/BENCH.md: one figure per line, last in the output.
BENCH_LINE = re.compile(
    r"^BENCH (?P<name>[a-z0-9_]+) (?P<figure>[A-Za-z0-9_]+) value=[-+0-9.e]+ unit=(ms|rows/s|events/s|s) "
    r"baseline=[-+0-9.e]+ ratio=(?:[-+0-9.e]+|inf) target=\S+ (PASS|MISS)$"
)


def run_bench(*args, timeout=300):
    # The child inherits this environment, so it uses the same server as the tests.
    return subprocess.run(
        [sys.executable, "-m", "bench", *args], cwd=REPO, capture_output=True, text=True, timeout=timeout
    )


def test_the_benchmark_list_names_seed():
    result = run_bench("--list")
    assert result.returncode == 0, result.stderr
    assert re.search(r"^seed\s+\S", result.stdout, re.MULTILINE)


def test_a_quick_seed_benchmark_ends_with_bench_lines():
    result = run_bench("seed", "--guests", "200")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    figures = []
    for line in reversed(lines):
        if not line.startswith("BENCH "):
            break
        assert BENCH_LINE.match(line), line
        figures.append(line.split()[2])
    assert set(figures) == {"generator_rate", "projected_time_1M_guests"}


def test_the_performance_tables_in_the_readme_and_docs_are_the_ones_the_results_generate():
    from bench import _report

    assert _report.main(["--check"]) == 0


def test_the_generated_table_follows_the_results_and_leaves_the_prose_alone():
    from bench import _report

    results = _report.load_results()
    figure = results[0]["figures"][0]
    text = f"intro\n{_report.BEGIN}\nold table\n{_report.END}\noutro\n"
    rendered = _report.render(text, _report.table(results))
    assert rendered.startswith("intro\n") and rendered.endswith("\noutro\n") and "old table" not in rendered
    assert f"| {results[0]['benchmark']} | {figure['figure']} |" in rendered
    figure["value"] *= 2  # a changed result changes the table
    assert _report.table(results) not in rendered


def test_the_pms_ingest_mix_is_the_real_one_with_duplicates_and_late_deliveries():
    from collections import Counter

    from bench.pms_ingest import SIZES, _mix

    stream, expected, newest, profile_of = _mix(SIZES["small"], list(range(1, 1001)))
    kinds = Counter(event["event"] for event in stream)
    assert set(kinds) == {"booked", "modified", "checked_in", "checked_out", "cancelled", "no_show"}
    assert len(expected) == SIZES["small"]["reservations"] and set(newest) == set(expected)
    sent = Counter((e["reservation_id"], e["version"]) for e in stream)
    assert any(count > 1 for count in sent.values())  # duplicates
    position = {}
    late = 0
    for event in stream:
        key = event["reservation_id"]
        if key in position and position[key] > event["version"]:
            late += 1
        position[key] = max(position.get(key, 0), event["version"])
    assert late > 0  # an older event after a newer one
    assert any(event.get("guest") for event in stream)  # inline guests of new profiles
    checkouts = sum(out for _profile, out in profile_of.values())
    assert checkouts == sum(status == "checked_out" for status in expected.values())
