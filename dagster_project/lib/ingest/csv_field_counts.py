"""CSV records with more fields than the header, the extra ones empty: found, not loaded.

DuckDB's reader (1.4, even with ``strict_mode``) accepts a record whose fields beyond
the header's are all empty (``A,1.00,Smith, John,`` under ``rid,amount,name,note``): it
drops them and keeps the others, so an unquoted delimiter in a value shifted the values
that follow it into the wrong columns (name "Smith", note "John") without a word. A
record with extra fields that are not empty is refused as "too many columns", as it
should be.

Such a record ends in the delimiter (``,`` or ``,""``). When no line of the file does
(one search of the file, remembered: ``csv_reader.found_in_file``), nothing is read
again. Otherwise DuckDB reads the file's lines (in parallel) and counts each record's
delimiters outside quotes in SQL; a record running over several lines (a quoted line
break) is followed by the parity of the quotes before it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ..warehouse import literal

# (the module, not its names: csv_reader's careful read calls find_over_wide)
from . import csv_reader

OVER_WIDE = "_over_wide"  # temp table: (record BIGINT: its data row number, raw_value)


def may_hold_over_wide(path: Path, files: dict, encoding: str) -> bool:
    """Whether a line of the file ends in the delimiter (perhaps then an empty quoted
    value): the only records DuckDB lets through with more fields than the header."""
    delimiter, quote_char = files.get("delimiter", ","), files.get("quote", '"')
    ends = [delimiter, delimiter + quote_char * 2] if quote_char else [delimiter]
    wide = encoding.startswith("utf-16")
    codecs_of = ("utf-16-le", "utf-16-be") if wide else ("utf-8",)
    needles = [
        (end + line_end).encode(codec)
        for end in ends
        for line_end in ("\n", "\r")
        for codec in codecs_of
    ]
    if csv_reader.found_in_file(path, *needles):
        return True
    with path.open("rb") as handle:  # the last line, when no line end follows it
        handle.seek(max(0, path.stat().st_size - 16))
        tail = handle.read()
    return any(tail.endswith(end.encode(codec)) for end in ends for codec in codecs_of)


def find_over_wide(
    conn: duckdb.DuckDBPyConnection, readable: Path, files: dict, encoding: str, width: int
) -> int:
    """Fill ``_over_wide`` with the records of ``readable`` (read as ``encoding``, the
    file DuckDB reads) that hold more than ``width`` fields; return how many.

    ``record`` counts as DuckDB numbers a data record: from the first after the header,
    every record (an empty line too: the careful read's copy holds none in a file of
    several columns) one."""
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {OVER_WIDE} (record BIGINT, raw_value VARCHAR)")
    if not may_hold_over_wide(readable, files, encoding):
        return 0
    delimiter, quote_char = files.get("delimiter", ","), files.get("quote", '"')
    d, q = literal(delimiter), literal(quote_char)
    separator = csv_reader.line_separator(readable, encoding=encoding)
    line = "rtrim(line, chr(13))"
    quotes = f"(length(line) - length(replace(line, {q}, '')))" if quote_char else "0"
    ends_open = f"(suffix({line}, {d}) OR suffix({line}, {d} || {q} || {q}))"
    # Per line (read in parallel, kept in file order: the rowid is the line's place):
    # whether its quotes are odd (it opens or closes a quoted line break), whether it
    # ends in the delimiter, and its text only where the count needs it
    conn.execute(
        f"CREATE OR REPLACE TEMP TABLE _csv_lines AS SELECT {quotes} % 2 = 1 AS odd, "
        f"{ends_open} AS ends_open, CASE WHEN {quotes} > 0 OR {ends_open} THEN line END "
        f"AS line FROM read_csv({literal(str(readable))}, columns={{'line': 'VARCHAR'}}, "
        f"header=false, auto_detect=false, delim=chr({ord(separator)}), quote='', escape='', "
        f"encoding={literal(csv_reader.DUCKDB_ENCODING[encoding])}, "
        f"skip={int(files.get('header_row', 1)) - 1}, max_line_size={csv_reader.MAX_LINE_BYTES}, "
        "strict_mode=false)"
    )
    header = 1 if files.get("header", True) else 0
    # A line starts inside a quoted value when the quotes before it are odd; the
    # delimiters counted are those outside quotes: the quoted parts removed, to the
    # line's end for one its line break continues (a line that starts inside one is
    # read as if a quote opened it)
    unquoted = (
        f"regexp_replace(CASE WHEN inside THEN {q} ELSE '' END || line, "
        f"regexp_escape({q}) || '[^' || regexp_escape({q}) || ']*(' || regexp_escape({q}) "
        "|| '|$)', "
        "'', 'g')"
        if quote_char
        else "line"
    )
    count = f"length({unquoted}) - length(replace({unquoted}, {d}, ''))"
    over = f"{count} + 1 > {int(width)}"
    raw = f"left(rtrim(line, chr(13)), {csv_reader.RAW_VALUE_CHARS})"
    (spanning,) = conn.execute("SELECT coalesce(bool_or(odd), false) FROM _csv_lines").fetchone()
    if not spanning:  # (the usual file: each line a record, its text whole; no window)
        conn.execute(
            f"INSERT INTO {OVER_WIDE} SELECT rowid + 1 - {header}, {raw} FROM ("
            "SELECT rowid, line, false AS inside FROM _csv_lines WHERE ends_open) "
            f"WHERE rowid + 1 - {header} >= 1 AND {over}"
        )
    else:
        conn.execute(
            f"INSERT INTO {OVER_WIDE} WITH placed AS (SELECT rowid AS n, odd, ends_open, "
            "line, coalesce(sum(odd::INT) OVER (ORDER BY rowid ROWS BETWEEN UNBOUNDED "
            "PRECEDING AND 1 PRECEDING), 0) % 2 = 1 AS inside FROM _csv_lines), "
            "numbered AS (SELECT *, sum((NOT inside)::INT) OVER (ORDER BY n) - "
            f"{header} AS record FROM placed), "
            # a record whose last line (its quotes closed after it) ends in the delimiter
            "suspect AS (SELECT DISTINCT record FROM numbered WHERE ends_open AND "
            "inside = odd AND record >= 1) "
            "SELECT record, left(string_agg(rtrim(coalesce(line, ''), chr(13)), chr(10) "
            f"ORDER BY n), {csv_reader.RAW_VALUE_CHARS}) FROM numbered SEMI JOIN suspect "
            "USING (record) GROUP BY record "
            f"HAVING sum(CASE WHEN line IS NULL THEN 0 ELSE {count} END) + 1 > {int(width)}"
        )
    conn.execute("DROP TABLE _csv_lines")
    return conn.execute(f"SELECT count(*) FROM {OVER_WIDE}").fetchone()[0]
