# Sourced by demo.sh and test.sh: make .venv (Python >= 3.11) and install evsynth into it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then PY="$candidate"; break; fi
  done
fi
if [ -z "$PY" ] || ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "evsynth needs Python 3.11 or newer (on Debian: apt-get install python3 python3-venv)" >&2
  exit 2
fi

if [ ! -x .venv/bin/python ]; then
  if ! "$PY" -m venv .venv >/dev/null 2>&1; then
    rm -rf .venv
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      echo "Installing python3-venv (Debian needs it to create virtual environments)..." >&2
      apt-get update -qq >/dev/null && apt-get install -y -qq python3-venv >/dev/null
      "$PY" -m venv .venv
    else
      echo "Cannot create a virtual environment; on Debian run: sudo apt-get install python3-venv" >&2
      exit 2
    fi
  fi
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
.venv/bin/python -m pip install --quiet -e ".[${EVSYNTH_EXTRAS:-test}]"
