"""Build the figures rollup with one version of build_figures.sql on a copy of a database.

    python figures_ab.py SOURCE.duckdb COPY.duckdb SQL_FILE NAME

copies SOURCE to COPY once, then creates table figures_NAME from SQL_FILE in COPY and
prints its wall time, CPU time and the process's peak RSS (DuckDB limit 8 GB, spill
folder beside COPY). Compare two such tables with EXCEPT / joins afterwards.
"""

import resource
import shutil
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from analytics.store.schema import _create_macros  # noqa: E402

source, copy, sql_file, name = sys.argv[1:5]
if not Path(copy).exists():
    shutil.copy(source, copy)
sql = Path(sql_file).read_text().replace("CREATE TABLE figures AS", f"CREATE OR REPLACE TABLE figures_{name} AS")
con = duckdb.connect(copy)
con.execute("SET memory_limit = '8GB'")
con.execute("SET temp_directory = ?", [str(Path(copy).with_suffix(".spill"))])
con.execute("SET preserve_insertion_order = false")
_create_macros(con)
wall, cpu = time.perf_counter(), time.process_time()
con.execute(sql)
print(name, "wall", round(time.perf_counter() - wall, 1), "cpu", round(time.process_time() - cpu, 1),
      "maxrss_GB", round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2))
