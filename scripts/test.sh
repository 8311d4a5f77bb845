#!/usr/bin/env bash
# Sets up the machine and runs the whole test suite (unit, AppTest, browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest "$@"
