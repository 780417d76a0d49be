"""`python -m bench all --scale S`: every benchmark in sequence, from one commit.

Each benchmark runs in a process of its own (a fresh Django, its own throw-away database). At
full scale the results files are written, so the tree must be clean (the files name the commit
they measured) and the commit must not change during the run; the performance tables are then
regenerated from the results (`python -m bench report`). Exits non-zero if any benchmark failed
(an error, a failed event, a crash); a MISS is a verdict, reported, not an error.
"""

import os
import subprocess
import sys
import time

from bench import REPO_DIR, git_commit


def _dirty():
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in status.splitlines() if line.strip()]


def main(names, scale, overrides):
    if scale == "full":
        dirty = _dirty()
        if dirty:
            print(
                "refusing to record full-scale results from a modified tree (commit or stash first):",
                *dirty,
                sep="\n  ",
            )
            return 2
    commit = git_commit()
    failed, lines = [], []
    for name in names:
        started, load = time.monotonic(), os.getloadavg()[0]
        print(f"==> {name} (scale {scale}, load {load:.1f})", flush=True)
        command = [sys.executable, "-m", "bench", name, "--scale", scale, *overrides]
        process = subprocess.run(command, cwd=REPO_DIR, capture_output=True, text=True)
        sys.stdout.write(process.stdout)
        sys.stderr.write(process.stderr[-4000:] if process.returncode else "")
        lines += [line for line in process.stdout.splitlines() if line.startswith("BENCH ")]
        print(
            f"<== {name}: exit {process.returncode} in {time.monotonic() - started:.0f} s, "
            f"load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        if process.returncode != 0:
            failed.append(name)
    if git_commit() != commit:
        print(f"the commit changed during the run ({commit} -> {git_commit()}): results are not from one commit")
        return 2
    print("\n".join(lines))
    if scale == "full":
        from bench import _report

        _report.main([])
    if failed:
        print("failed:", ", ".join(failed))
        return 1
    return 0
