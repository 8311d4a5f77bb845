#!/usr/bin/env bash
# Sets up the machine and runs the whole test suite (unit, AppTest, browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Runs on every core (pytest-xdist; tests share no file, port or database): `-n 0` runs
# in one process, e.g. `bash scripts/test.sh -n 0 tests/test_store.py`.
exec .venv/bin/python -m pytest -n auto --dist worksteal --durations=25 "$@"
