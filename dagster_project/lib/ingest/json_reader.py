"""Read a JSON or JSON Lines extract into an all-text table, one bad line costing one row.

Each record's keys become text columns (mixed types such as 1 and "1.00" stay readable).
JSON Lines: DuckDB's parallel reader first; when a line is not a JSON object, the file
is read line by line instead, and each bad line goes to ``_rejected`` under its own line
number. A JSON Lines file that holds one JSON array is read as the array it is.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ..warehouse import literal, quote
from .errors import UnreadableFile, safe_message, stop_on_platform_fault

RAW_VALUE_CHARS = 2000
NOT_AN_OBJECT = "'row: not a JSON object (broken or cut-off JSON, or a bare value)'"


def _first_character(path: Path) -> str:
    with path.open("rb") as handle:
        return handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")[:1].decode("ascii", "replace")


def read_json_rows(
    conn: duckdb.DuckDBPyConnection, path: Path, fmt: str, table: str
) -> tuple[int, str | None]:
    """Fill ``table`` (with ``_source_row``) and ``_rejected``; return (rows rejected, a
    note on the file's form when it differs from the contract's)."""
    source, note = literal(str(path)), None
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE _rejected (_source_row BIGINT, rule VARCHAR, "
        "raw_value VARCHAR)"
    )
    if fmt == "jsonl" and _first_character(path) == "[":
        fmt, note = (
            "json",
            "the file holds one JSON array, not one object per line: read as an array",
        )
    try:
        if fmt == "json":
            conn.execute(
                "CREATE OR REPLACE TEMP TABLE _json_lines AS SELECT row_number() OVER () "
                f"AS _source_row, json FROM read_json_objects({source}, format='array')"
            )
        else:
            try:
                conn.execute(
                    "CREATE OR REPLACE TEMP TABLE _json_lines AS SELECT row_number() "
                    f"OVER () AS _source_row, json FROM read_ndjson_objects({source})"
                )
            except duckdb.Error:
                _read_lines(conn, source)
    except duckdb.Error as error:
        stop_on_platform_fault(error, path.name)
        raise UnreadableFile(f"not valid JSON ({safe_message(error)})") from None
    # A line that is valid JSON but not an object (a number, a list) is not a record.
    conn.execute(
        f"INSERT INTO _rejected SELECT _source_row, {NOT_AN_OBJECT}, "
        f"left(CAST(json AS VARCHAR), {RAW_VALUE_CHARS}) FROM _json_lines "
        "WHERE json_type(json) <> 'OBJECT'"
    )
    conn.execute("DELETE FROM _json_lines WHERE json_type(json) <> 'OBJECT'")
    rejected = conn.execute("SELECT count(*) FROM _rejected").fetchone()[0]
    keys = [
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT unnest(json_keys(json)) AS key FROM _json_lines ORDER BY key"
        ).fetchall()
    ]
    if not keys:
        raise UnreadableFile(
            "the file holds no JSON records"
            if not rejected
            else f"none of its {rejected:,} lines is a JSON object: it is not JSON"
        )
    selects = "".join(
        f", json_extract_string(json, {literal('$.' + quote(k))}) AS {quote(k)}" for k in keys
    )
    conn.execute(
        f"CREATE OR REPLACE TEMP TABLE {quote(table)} AS "
        f"SELECT _source_row{selects} FROM _json_lines"
    )
    conn.execute("DROP TABLE _json_lines")
    return rejected, note


def _read_lines(conn: duckdb.DuckDBPyConnection, source: str) -> None:
    """Line by line: objects to ``_json_lines``, anything else to ``_rejected``; blank
    lines are not records. Row numbers are the file's line numbers."""
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE _lines AS SELECT row_number() OVER () AS _source_row, "
        "rtrim(line, chr(13)) AS line FROM (SELECT unnest(string_split(content, chr(10))) "
        f"AS line FROM read_text({source}))"
    )
    conn.execute("DELETE FROM _lines WHERE trim(line) = ''")
    is_object = "(CASE WHEN json_valid(line) THEN json_type(line) = 'OBJECT' ELSE false END)"
    conn.execute(
        f"INSERT INTO _rejected SELECT _source_row, {NOT_AN_OBJECT}, "
        f"left(line, {RAW_VALUE_CHARS}) FROM _lines WHERE NOT {is_object}"
    )
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE _json_lines AS SELECT _source_row, "
        f"line AS json FROM _lines WHERE {is_object}"
    )
    conn.execute("DROP TABLE _lines")
