"""The store: the one place that opens DuckDB and runs SQL.

A database file is never modified in place. ``write_dataset`` builds a complete new
file beside it (schema from the contract, the data, the derived tables every page
reads) and swaps it in with ``os.replace``, so a reader sees either the old data or
the new, never half of either. A killed writer leaves only a stray temporary file.

Readers open the file read-only through ``Store``, which reopens it when the file
on disk has been replaced. Every query is a file in ``analytics/queries/`` named
after its result; values are always bound as parameters.

Modules: ``schema`` (paths, DDL, SCHEMA_VERSION, query files and macros), ``reader``
(the reading gateway, ``Store.query``), ``writer`` (build and swap), ``export`` (the
dataset written back out) and ``audit_file`` (the audit store, a file of its own).
"""

from analytics.store.audit_file import append_audit, audit_row_count, read_audit, revoke_session, session_revoked
from analytics.store.export import _masked_sql, export_dataset
from analytics.store.reader import (READER_MEMORY_LIMIT, UNSCOPED_QUERIES, OutdatedDatabase, ScopedStore,
                                    Store, UnreadableDatabase, reader_memory_limit)
from analytics.store.schema import (DEFAULT_DB, DERIVED_TABLES, MACRO_NAMES, OWNER_ONLY, QUERY_DIR,
                                    SCHEMA_VERSION, _create_macros, default_db_path, owner_only,
                                    read_query, table_ddl)
from analytics.store.writer import (DatasetBuilder, ImportInProgress, import_memory_limit,
                                    remove_stale_temporaries, write_dataset, write_dataset_chunks)

__all__ = [
    "DEFAULT_DB", "DERIVED_TABLES", "MACRO_NAMES", "OWNER_ONLY", "QUERY_DIR", "READER_MEMORY_LIMIT",
    "SCHEMA_VERSION", "UNSCOPED_QUERIES", "DatasetBuilder", "ImportInProgress", "OutdatedDatabase",
    "ScopedStore", "Store", "UnreadableDatabase", "_create_macros", "_masked_sql", "append_audit",
    "audit_row_count", "default_db_path", "export_dataset", "import_memory_limit", "owner_only", "read_audit",
    "read_query", "reader_memory_limit", "remove_stale_temporaries", "revoke_session",
    "session_revoked", "table_ddl", "write_dataset", "write_dataset_chunks",
]
