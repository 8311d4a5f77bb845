#!/usr/bin/env bash
# scale 1000: export to Parquet, then import from those files (issue 18, point 5)
cd /work/main
out=/tmp/s30/imp
( while true; do echo "$(date +%s) $(du -sb $out 2>/dev/null | cut -f1) $(df -B1 --output=avail / | tail -1)"; sleep 10; done ) > $out/disk.log &
mon=$!
start=$(date +%s)
/usr/bin/time -v .venv/bin/python -m analytics --db /tmp/s29/s1000/s1000.duckdb export $out/files --format parquet > $out/export.log 2>&1
echo "rc=$? wall=$(( $(date +%s) - start ))" >> $out/export.log
du -sb $out/files >> $out/export.log
start=$(date +%s)
TONGWEI_IMPORT_MEMORY=14GB /usr/bin/time -v .venv/bin/python -m analytics --db $out/s1000i.duckdb import $out/files > $out/import.log 2>&1
echo "rc=$? wall=$(( $(date +%s) - start ))" >> $out/import.log
kill $mon
