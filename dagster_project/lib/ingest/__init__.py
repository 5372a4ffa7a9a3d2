"""Contract-driven ingestion of departmental extracts into DuckDB ``raw`` tables.

One code path serves every system: a new system is a new contract file in
``data_dictionary/sources/``, not new Python. Nothing is lost: every row read is either
loaded, quarantined (with file, row, column, rule and raw value) or dropped by a named
rule, and each file's reconciliation is stored in ``raw._ingest_files``.
"""

from .loader import FileResult, ingest_source

__all__ = ["FileResult", "ingest_source"]
