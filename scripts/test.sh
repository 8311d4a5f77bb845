#!/usr/bin/env bash
# Sets up the machine and runs the whole test suite (unit, AppTest, browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Runs on every core and one worker more (pytest-xdist; tests share no file, port or
# database): a browser test's worker waits while Chromium and its server work, and the
# extra worker fills that time (2 cores: 517 s with 3 workers, 538–556 s with 2; 4 were
# slower). `-n 0` runs in one process, e.g. `bash scripts/test.sh -n 0 tests/test_store.py`.
exec .venv/bin/python -m pytest -n "$(( $(nproc) + 1 ))" --dist worksteal --durations=25 "$@"
