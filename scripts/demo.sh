#!/usr/bin/env bash
# Set up evsynth and run the bundled example review end to end; prints where the report is.
set -euo pipefail
EVSYNTH_EXTRAS=test source "$(dirname "$0")/_venv.sh"
.venv/bin/evsynth run examples/pps-review
