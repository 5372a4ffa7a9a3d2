"""Read a fixed-width text extract (a legacy system's report file) into an all-text table.

The contract gives each column's ``start`` (1-based character position) and ``width``.
Lines are read whole by DuckDB's CSV reader with a separator the file does not hold
(a control character: csv_reader.line_separator), then cut by position: no sniffing, in
parallel. A record's ``_source_row`` is its line number after the skipped title lines
(``header_row``); a blank line is no record but keeps its number's place, so numbers
match the file.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import duckdb

from ..warehouse import literal, quote
from .csv_reader import DUCKDB_ENCODING, MAX_LINE_BYTES, line_separator, utf8_copy
from .errors import UnreadableFile, safe_message, stop_on_platform_fault

BEYOND_LAYOUT = "text after the last column"


def read_fixed_width(
    conn: duckdb.DuckDBPyConnection,
    path: Path,
    files: dict,
    columns: list[dict],
    encoding: str,
    table: str,
    cleanup: ExitStack | None = None,
) -> None:
    """Fill ``table`` with one text column per contract column (by its position) and
    ``_source_row``; blank lines are not records."""
    layout = [c for c in columns if "start" in c and "width" in c]
    if not layout:
        raise UnreadableFile("the contract gives no column positions (start, width)")
    readable, read_as = utf8_copy(path, encoding, cleanup)
    separator = line_separator(readable, encoding=read_as)  # (UTF-16 is read as it is)
    try:
        conn.execute(
            "CREATE OR REPLACE TEMP TABLE _fixed_lines AS SELECT line FROM read_csv("
            f"{literal(str(readable))}, columns={{'line': 'VARCHAR'}}, header=false, "
            f"auto_detect=false, delim=chr({ord(separator)}), quote='', escape='', "
            f"encoding={literal(DUCKDB_ENCODING[read_as])}, "
            f"skip={int(files.get('header_row', 1)) - 1}, max_line_size={MAX_LINE_BYTES}, "
            "strict_mode=false)"
        )
    except duckdb.Error as error:
        stop_on_platform_fault(error, path.name)
        raise UnreadableFile(f"it could not be read as text ({safe_message(error)})") from None
    cuts = ", ".join(
        f"substr(line, {int(c['start'])}, {int(c['width'])}) AS {quote(c['name'])}" for c in layout
    )
    # Text after the layout's last column (a field the system added, or lines that
    # slipped) is kept in a column of its own, loaded as text and reported as a column
    # the contract does not list; it was dropped in silence
    end = max(int(c["start"]) + int(c["width"]) - 1 for c in layout)
    (beyond,) = conn.execute(
        f"SELECT coalesce(bool_or(length(line) > {end} AND "
        f"trim(substr(line, {end + 1})) <> ''), false) FROM _fixed_lines"
    ).fetchone()
    if beyond:
        cuts += f", substr(line, {end + 1}) AS {quote(BEYOND_LAYOUT)}"
    conn.execute(
        f"CREATE OR REPLACE TEMP TABLE {quote(table)} AS SELECT rowid + 1 AS _source_row, "
        f"{cuts} FROM _fixed_lines WHERE trim(coalesce(line, '')) <> ''"
    )
    conn.execute("DROP TABLE _fixed_lines")
