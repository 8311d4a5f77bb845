#!/usr/bin/env bash
# Sets up the machine, builds the demo database on first run, starts the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ ! -f "${TONGWEI_DB:-data/tongwei.duckdb}" ]; then
  echo "first run: building the Tongwei demo database (about half a minute)"
  .venv/bin/python -m analytics build-demo --scale 1
fi
case "${1:-}" in
  # several Streamlit processes behind HAProxy at the same address (scripts/serve.py)
  --processes|--processes=*) exec .venv/bin/python scripts/serve.py "$@" ;;
esac
exec .venv/bin/streamlit run app.py "$@"
