#!/usr/bin/env bash
# Installs what the dashboard and its tests need on a fresh Debian machine:
# Chromium (browser tests), a CJK font (Chinese in screenshots and PDFs), and a
# virtual environment with the pinned Python packages. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# the print tests read the PDFs Chromium prints with poppler's pdftotext
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
# several server processes behind one address (scripts/serve.py, `run.sh --processes N`)
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || need_apt+=(haproxy)
# (the font list is read whole: `grep -q` would close the pipe early, and under
# pipefail fc-list's SIGPIPE would count as "not installed")
fonts=$(fc-list 2>/dev/null || true)
grep -qi "Noto Sans CJK" <<<"$fonts" || need_apt+=(fonts-noto-cjk)
grep -qi "Noto Color Emoji" <<<"$fonts" || need_apt+=(fonts-noto-color-emoji)
if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${need_apt[*]} (apt-get)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "setup: please install ${need_apt[*]} (sudo apt-get install ${need_apt[*]})" >&2
  fi
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PYTHON" -m venv .venv
fi
if ! cmp -s requirements.txt .venv/.requirements.installed 2>/dev/null; then
  echo "setup: installing Python packages (requirements.txt)"
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
  cp requirements.txt .venv/.requirements.installed
fi
