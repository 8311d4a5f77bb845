#!/usr/bin/env bash
# scale 1000 build with disk sampling (issue 18, point 5)
cd /work/main
out=/tmp/s29/s1000
( while true; do echo "$(date +%s) $(du -sb $out 2>/dev/null | cut -f1) $(df -B1 --output=avail / | tail -1)"; sleep 10; done ) > $out/disk.log &
mon=$!
start=$(date +%s)
/usr/bin/time -v .venv/bin/python -m analytics --db $out/s1000.duckdb build-demo --scale 1000 --chunk 50 --no-constraints --memory-limit 14GB > $out/build.log 2>&1
rc=$?
kill $mon
echo "rc=$rc wall=$(( $(date +%s) - start ))" >> $out/build.log
