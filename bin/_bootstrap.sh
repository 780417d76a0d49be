# Shared set-up for bin/demo and bin/test: a virtual environment with pinned packages.
# Sourced, not run. Reads EXTRAS ("" or "test").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "HotelCRM needs Python 3.11 or newer as '$PYTHON' (set PYTHON=/path/to/python3.11)." >&2
  exit 1
fi
VENV="${HOTELCRM_VENV:-$ROOT/.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "==> Creating the virtual environment in $VENV"
  "$PYTHON" -m venv "$VENV"
fi
STAMP="$VENV/.installed-$(cat pyproject.toml requirements.lock | sha256sum | cut -c1-16)-${EXTRAS:-base}"
if [ ! -f "$STAMP" ]; then
  echo "==> Installing pinned packages (requirements.lock)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  SPEC="."
  [ -n "${EXTRAS:-}" ] && SPEC=".[${EXTRAS}]"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -c requirements.lock -e "$SPEC"
  touch "$STAMP"
fi
export PATH="$VENV/bin:$PATH"
