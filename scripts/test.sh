#!/usr/bin/env bash
# Set up evsynth with its test tools and run the whole suite: lint, layering, types, tests.
set -euo pipefail
EVSYNTH_EXTRAS=test source "$(dirname "$0")/_venv.sh"
echo "== ruff" && .venv/bin/ruff check src tests benchmarks
echo "== import-linter" && .venv/bin/lint-imports
echo "== mypy" && .venv/bin/mypy
echo "== pytest" && .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
