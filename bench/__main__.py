"""python -m bench --list | python -m bench NAME|all [--scale small|full] [--guests N] | python -m bench report [--check]"""

import argparse
import os
import signal
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Run one HotelCRM benchmark (see ../shared/BENCH.md)."
    )
    parser.add_argument("name", nargs="?", help="benchmark to run, or all (every one in sequence, from one commit)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and the question each answers")
    parser.add_argument(
        "--scale",
        choices=("small", "full"),
        default="small",
        help="small finishes in about two minutes; full uses the sizes the issue names",
    )
    parser.add_argument("--guests", type=int, help="override the number of guests, for a quick run")
    parser.add_argument("--seconds", type=int, help="how long a timed benchmark (load) runs; its default is 300")
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["report"]:  # the performance tables from bench/results (no Django needed)
        from bench import _report

        return _report.main(argv[1:])
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotelcrm.settings")
    import django

    django.setup()
    import bench
    from hotelcrm.staticcheck import ensure_collected_static

    # Benchmarks render pages with production settings: a fresh checkout has no collected files.
    ensure_collected_static()

    registry = bench.benchmarks()
    if args.list or not args.name:
        for benchmark in registry.values():
            print(f"{benchmark.name:<16} {benchmark.question}")
        return 0 if args.list else 2
    if args.name == "all":
        from bench import _all

        extra = [
            flag
            for key, flag in (("guests", "--guests"), ("seconds", "--seconds"))
            if getattr(args, key) is not None
            for flag in (flag, str(getattr(args, key)))
        ]
        return _all.main(list(registry), args.scale, extra)
    if args.name not in registry:
        parser.error(f"no benchmark named {args.name!r}; try --list")
    overrides = {}
    if args.guests is not None:
        if args.guests < 1:
            parser.error("--guests must be at least 1")
        overrides["guests"] = args.guests
    if args.seconds is not None:
        overrides["seconds"] = max(1, args.seconds)

    # SIGTERM becomes SystemExit, so the benchmark's database is dropped on the way out.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    benchmark = registry[args.name]
    bench.LOAD_BEFORE = os.getloadavg()
    print(f"{benchmark.name}: {benchmark.question} (scale {args.scale})", flush=True)
    figures = benchmark.run(args.scale, **overrides)
    for figure in figures:
        print(figure.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
