"""Open the DuckDB warehouse with the extensions our readers need, offline.

``INSTALL excel`` downloads from the internet, which a city's servers often cannot reach;
the pinned PyPI wheels ``duckdb-ext-excel`` and ``duckdb-ext-encodings`` ship the same
extensions, so we point DuckDB's extension directory at them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import duckdb_ext  # namespace package holding the extension binaries

EXTENSION_DIR = Path(next(iter(duckdb_ext.__path__))) / "extensions"


def connect(path: Path | str = ":memory:", read_only: bool = False) -> duckdb.DuckDBPyConnection:
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(
        str(path),
        read_only=read_only,
        config={
            "extension_directory": str(EXTENSION_DIR),
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": True,
        },
    )


def quote(identifier: str) -> str:
    """A DuckDB identifier, quoted."""
    return '"' + identifier.replace('"', '""') + '"'


def literal(value: str) -> str:
    """A DuckDB string literal (for paths and names in reader calls that take no parameters)."""
    return "'" + value.replace("'", "''") + "'"
