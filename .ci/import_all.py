"""Import every module of the project, as a process with only `pip install .` would.

Run from the project root with the fresh environment's Python: a module whose import needs a
package that `pip install .` does not install fails here, not in a newcomer's worker.
"""

import importlib
import os
import pkgutil
import sys

PACKAGES = ("hotelcrm", "guests", "complaints", "loyalty", "care", "reports", "notifications", "integrations", "bench")

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotelcrm.settings")
import django  # noqa: E402

django.setup()
failures, count = [], 0
for name in PACKAGES:
    package = importlib.import_module(name)
    for module in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
        count += 1
        try:
            importlib.import_module(module.name)
        except Exception as exc:  # report every failure, not only the first
            failures.append(f"{module.name}: {type(exc).__name__}: {exc}")
for failure in failures:
    print("cannot import", failure, file=sys.stderr)
print(f"imported {count - len(failures)} of {count} modules")
sys.exit(1 if failures else 0)
