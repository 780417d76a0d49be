"""How fast does the generator load guests and stays?

The figure is the rate of `guests.demo.demo_guests_load` (what `seed_demo` runs: generate the
rows in Python, COPY them in chunks) over all rows, guests and stays. The baseline is the
most direct way to put the same rows in: a plain COPY of the identical, pre-generated text,
into the same freshly truncated tables, measured in the same run. Both runs are checked to
have written the same rows. A second figure is the wall time of `seed_demo` itself for a
million guests: measured at full scale, projected from the measured rates at small scale.
"""

import io
import time

from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

import bench
from guests import demo
from guests.models import GuestProfile, Stay
from hotelcrm import demo as core_demo

QUESTION = "How fast does the generator load guests and stays?"
GUESTS = {"small": 50_000, "full": 1_000_000}
ONE_MILLION = 1_000_000
RATE_TARGET = 0.33  # generator rate / plain COPY rate
FULL_TIME_TARGET_SECONDS = 300


def _truncate():
    with connection.cursor() as cursor:
        # CASCADE: other apps' tables that point at guests are empty here, but must go too.
        cursor.execute(f"TRUNCATE {Stay._meta.db_table}, {GuestProfile._meta.db_table} RESTART IDENTITY CASCADE")
    try:
        with connection.cursor() as cursor:
            # Start every timed run with no dirty pages left over from the previous one.
            cursor.execute("CHECKPOINT")
    except DatabaseError:
        pass  # CHECKPOINT needs a superuser (or pg_checkpoint); the runs are just noisier without it


def _table_digest():
    """Row count and a sum of 64-bit hashes of every whole row (ids included) of both tables."""
    digests = []
    with connection.cursor() as cursor:
        for model in (GuestProfile, Stay):
            cursor.execute(f"SELECT count(*), sum(hashtextextended(t::text, 0)) FROM {model._meta.db_table} t")
            digests.append(cursor.fetchone())
    return tuple(digests)


def _timed_generator(tenants, n_guests, now):
    _truncate()
    started = time.perf_counter()
    with transaction.atomic():
        loads = demo.demo_guests_load(connection, tenants, n_guests=n_guests, seed=core_demo.DEFAULT_SEED, now=now)
    elapsed = time.perf_counter() - started
    return elapsed, sum(load.rows for load in loads)


def _timed_copy(plan, chunks):
    _truncate()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for chunk in chunks:
            demo.copy_chunk_into(cursor, plan, chunk)
    elapsed = time.perf_counter() - started
    return elapsed, sum(chunk.guest_count + chunk.stay_count for chunk in chunks)


def _timed_command(n_guests):
    _truncate()
    started = time.perf_counter()
    call_command(
        "seed_demo",
        guests=n_guests,
        seed=core_demo.DEFAULT_SEED,
        reset=True,
        no_progress=True,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    return time.perf_counter() - started


def run(scale, *, guests=None):
    n_guests = guests or GUESTS[scale]
    repetitions = 1 if n_guests >= 500_000 else 3
    now = timezone.now()

    with bench.temporary_database("bench"):
        tenants = core_demo.demo_tenants_ensure()

        # Warm up both paths (imports, caches, the server's catalog) on a small load.
        warm = min(n_guests, 2_000)
        warm_plan, warm_chunks = demo.demo_copy_chunks(
            connection, tenants, n_guests=warm, seed=core_demo.DEFAULT_SEED, now=now
        )
        _timed_copy(warm_plan, warm_chunks)
        _timed_generator(tenants, warm, now)
        del warm_chunks

        started = time.perf_counter()
        plan, chunks = demo.demo_copy_chunks(
            connection, tenants, n_guests=n_guests, seed=core_demo.DEFAULT_SEED, now=now
        )
        pregenerate_seconds = time.perf_counter() - started
        rows = sum(chunk.guest_count + chunk.stay_count for chunk in chunks)
        stays = rows - n_guests
        print(
            f"  {n_guests:,} guests + {stays:,} stays = {rows:,} rows per load; "
            f"{repetitions} timed run(s) of each after a warm-up",
            flush=True,
        )
        print(f"  generating the rows alone (Python, no database): {pregenerate_seconds:.2f} s", flush=True)

        copy_times, generator_times = [], []
        identical = None
        for _ in range(repetitions):
            elapsed, copied = _timed_copy(plan, chunks)
            copy_times.append(elapsed)
            baseline_digest = _table_digest()
            elapsed, loaded = _timed_generator(tenants, n_guests, now)
            generator_times.append(elapsed)
            generator_digest = _table_digest()
            same = loaded == copied == rows and generator_digest == baseline_digest
            identical = same if identical is None else identical and same
        del chunks
        if not identical:
            raise RuntimeError("The generator and the baseline COPY wrote different rows: the comparison is void.")

        generator_p50, copy_p50 = bench.p50(generator_times), bench.p50(copy_times)
        generator_rate, copy_rate = rows / generator_p50, rows / copy_p50
        print(
            f"  generator (demo_guests_load): p50 {generator_p50:.2f} s, p95 {bench.percentile(generator_times, 0.95):.2f} s"
            f" -> {generator_rate:,.0f} rows/s",
            flush=True,
        )
        print(
            f"  baseline (COPY of the same text): p50 {copy_p50:.2f} s, p95 {bench.percentile(copy_times, 0.95):.2f} s"
            f" -> {copy_rate:,.0f} rows/s",
            flush=True,
        )
        print("  same rows in both: yes (row counts and a hash of every row of both tables)", flush=True)

        command_seconds = _timed_command(n_guests)
        print(
            f"  manage.py seed_demo --guests {n_guests} --reset: {command_seconds:.2f} s "
            "(also hashes 12 demo passwords and runs ANALYZE)",
            flush=True,
        )

        figures = [
            bench.Figure(
                "seed",
                "generator_rate",
                generator_rate,
                "rows/s",
                copy_rate,
                f">={RATE_TARGET}",
                generator_rate / copy_rate >= RATE_TARGET,
            ),
        ]
        if n_guests == ONE_MILLION:
            figures.append(
                bench.Figure(
                    "seed",
                    "full_time_1M_guests",
                    command_seconds,
                    "s",
                    copy_p50,
                    f"<{FULL_TIME_TARGET_SECONDS}s",
                    command_seconds < FULL_TIME_TARGET_SECONDS,
                )
            )
        else:
            # The command's fixed part (users, passwords, ANALYZE) once, the load scaled linearly.
            scale_up = ONE_MILLION / n_guests
            projected = command_seconds + generator_p50 * (scale_up - 1)
            print(
                f"  projected for 1,000,000 guests: seed_demo {projected:.0f} s, plain COPY {copy_p50 * scale_up:.0f} s",
                flush=True,
            )
            figures.append(
                bench.Figure(
                    "seed",
                    "projected_time_1M_guests",
                    projected,
                    "s",
                    copy_p50 * scale_up,
                    f"<{FULL_TIME_TARGET_SECONDS}s",
                    projected < FULL_TIME_TARGET_SECONDS,
                )
            )

        if scale == "full" and guests is None:
            path = bench.write_results(
                "seed",
                scale=scale,
                figures=figures,
                details={
                    "guests": n_guests,
                    "stays": stays,
                    "rows": rows,
                    "repetitions": repetitions,
                    "chunk_guests": demo.CHUNK_GUESTS,
                    "seed": core_demo.DEFAULT_SEED,
                    "generator_seconds": [round(t, 3) for t in generator_times],
                    "copy_seconds": [round(t, 3) for t in copy_times],
                    "pregenerate_seconds": round(pregenerate_seconds, 3),
                    "seed_demo_command_seconds": round(command_seconds, 3),
                    "same_rows_check": "count and sum(hashtextextended(row::text, 0)) of both tables, after each run",
                },
            )
            print(f"  results written to {path.relative_to(bench.REPO_DIR)}", flush=True)
    return figures


bench.register("seed", QUESTION, run)
