"""Read a JSON or JSON Lines extract into an all-text table, one bad line costing one row.

Each record's keys become text columns (mixed types such as 1 and "1.00" stay readable;
a top-level number is the text the file writes, not a double's: json_numbers.py).
JSON Lines: one parallel pass reads the lines, tells which are JSON objects and which set
of keys each holds; each line that is not an object goes to ``_rejected`` under its own
line number. A JSON Lines file that holds one JSON array is read as the array it is.
"""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path

import duckdb

from ..warehouse import literal, quote
from .csv_reader import LINE_SEPARATORS, line_separator
from .errors import UnreadableFile, safe_message, stop_on_platform_fault
from .json_numbers import LOOSE_NUMBER, as_written, loose_records
from .json_numbers import drop as drop_loose_records

RAW_VALUE_CHARS = 2000
# NUL first (JSON text never holds one raw; one there is a broken line's, still read whole)
JSON_LINE_SEPARATORS = ("\x00", *(c for c in LINE_SEPARATORS if c != "\x00"))
NOT_AN_OBJECT = "'row: not a JSON object (broken or cut-off JSON, or a bare value)'"
EMPTY_KEY_COLUMN = "(empty key)"  # a record's key "": a column of that name
REPEATED_KEY = (
    "'row: a key appears twice in the record (which of its values is meant is not guessed)'"
)
# What JSON allows before a value (RFC 8259): space, tab, line feed, carriage return
JSON_WHITESPACE = "chr(32) || chr(9) || chr(10) || chr(13)"


def _first_character(path: Path) -> str:
    with path.open("rb") as handle:
        return handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")[:1].decode("ascii", "replace")


def _objects_not_an_array(conn: duckdb.DuckDBPyConnection, source: str) -> tuple[str, str]:
    """A file declared a JSON array that starts with an object. One object that holds a
    list (``{"records": [...]}``, an API's answer) wraps the records: refused, naming the
    list (DuckDB's words, which quote the file, were masked to "first character is
    '…'"). Anything else (objects one after the other, a record alone, lines DuckDB
    cannot read as one document) is read as JSON Lines, with a note: a broken line is
    then set aside, not the whole file."""
    as_lines = "jsonl", "the file starts with an object, not an array: read as JSON Lines"
    try:
        objects = conn.execute(
            "SELECT json_structure(json) FROM read_json_objects("
            f"{source}, format='unstructured') LIMIT 2"
        ).fetchall()
    except duckdb.Error:
        return as_lines
    if len(objects) != 1:
        return as_lines
    structure = json.loads(objects[0][0])
    lists = (
        [k for k, v in structure.items() if isinstance(v, list)]
        if isinstance(structure, dict)
        else []
    )
    if not lists:
        return as_lines
    raise UnreadableFile(
        f"it is one JSON object, not an array of records: its key {lists[0]!r} holds a "
        f"list (its keys: {', '.join(list(structure)[:10])}); ask for an export whose top "
        "level is the array of records, or JSON Lines"
    )


def read_json_rows(
    conn: duckdb.DuckDBPyConnection,
    path: Path,
    fmt: str,
    table: str,
    cleanup: ExitStack | None = None,
) -> tuple[int, str | None]:
    """Make ``table`` (with ``_source_row``) and fill ``_rejected``; return (rows rejected,
    a note on the file's form when it differs from the contract's).

    ``table`` is a view: each record is parsed into its fields by the query that reads
    it (the loader's one pass that trims, nulls and types), not copied into a table of
    text first (but for the records read apart for their numbers: json_numbers.py). The
    lines it reads stay until ``cleanup`` closes (dropped now without one, after
    ``table`` was made a table)."""
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
    elif fmt == "json" and _first_character(path) == "{":
        fmt, note = _objects_not_an_array(conn, source)
    try:
        if fmt == "json":
            conn.execute(
                "CREATE OR REPLACE TEMP TABLE _json_lines AS SELECT _source_row, json, "
                f"regexp_matches(CAST(json AS VARCHAR), {literal(LOOSE_NUMBER)}) AS loose "
                "FROM (SELECT row_number() OVER () AS _source_row, json FROM "
                f"read_json_objects({source}, format='array'))"
            )
        else:  # one pass for good and broken lines alike (see _read_lines)
            _read_lines(conn, source, path)
    except duckdb.Error as error:
        stop_on_platform_fault(error, path.name)
        raise UnreadableFile(f"not valid JSON ({safe_message(error)})") from None
    if fmt == "json":  # an array item that is valid JSON but not an object (5, [1]) is no record
        conn.execute(
            f"INSERT INTO _rejected SELECT _source_row, {NOT_AN_OBJECT}, "
            f"left(CAST(json AS VARCHAR), {RAW_VALUE_CHARS}) FROM _json_lines "
            "WHERE json_type(json) <> 'OBJECT'"
        )
        conn.execute("DELETE FROM _json_lines WHERE json_type(json) <> 'OBJECT'")
    key_lists = _key_lists(conn, fmt)
    if any(len(set(names)) < len(names) for names in key_lists):
        _reject_repeated_keys(conn, fmt)
        key_lists = _key_lists(conn, fmt)
    rejected, repeating = conn.execute(
        f"SELECT count(*), count(*) FILTER (WHERE rule = {REPEATED_KEY}) FROM _rejected"
    ).fetchone()
    keys = sorted({key for names in key_lists for key in names})
    if not keys:
        _drop_lines(conn)  # (the file is refused: nothing reads them)
        if not rejected:
            raise UnreadableFile("the file holds no JSON records")
        if repeating == rejected:
            raise UnreadableFile(
                f"each of its {rejected:,} records names a key twice: which of the values "
                "is meant is not guessed; ask for an export that names each key once"
            )
        raise UnreadableFile(
            f"none of its {rejected:,} lines is a JSON object"
            + (f" that names each key once ({repeating:,} name a key twice)" if repeating else "")
            + (": it is not JSON" if not repeating else "")
        )
    # Every key as text in one parse of each record (a json_extract per key parsed each
    # record once per key): from_json to a struct of VARCHAR fields, then its fields.
    # A nested object or list arrives as its JSON text, as json_extract_string gave it.
    shape = json.dumps({k: "VARCHAR" for k in keys})

    # (a key "": DuckDB then reads each field by its place alone, and that one becomes
    # the column EMPTY_KEY_COLUMN)
    def field(record: str, key: str, place: int) -> str:
        return (
            f"struct_extract_at({record}, {place})" if "" in keys else f"{record}[{literal(key)}]"
        )

    def fields(exact: bool) -> str:
        return "".join(
            ", "
            + (as_written(k, field("_record", k, place)) if exact else field("_record", k, place))
            + f" AS {quote(k or EMPTY_KEY_COLUMN)}"
            for place, k in enumerate(keys, start=1)
        )

    records = f"SELECT _source_row, from_json(json, {literal(shape)}) AS _record FROM _json_lines"
    (loose,) = conn.execute("SELECT count(*) FROM _json_lines WHERE loose").fetchone()
    if not loose:
        select = f"SELECT _source_row{fields(False)} FROM ({records})"
    else:  # those records apart, their numbers as written (json_numbers.py; a CASE on
        # every record cost 0.4 s a 1.4M-record month)
        select = (
            f"SELECT _source_row{fields(False)} FROM ({records} WHERE NOT loose) UNION ALL "
            f"SELECT _source_row{fields(True)} FROM "
            f"({loose_records(conn, '_json_lines', literal(shape))})"
        )
    kind = "VIEW" if cleanup is not None else "TABLE"
    conn.execute(f"CREATE OR REPLACE TEMP {kind} {quote(table)} AS {select}")
    if cleanup is not None:
        cleanup.callback(_drop_lines, conn)
    else:
        _drop_lines(conn)
    return rejected, note


def _reject_repeated_keys(conn: duckdb.DuckDBPyConnection, fmt: str) -> None:
    """Records that name a key twice (``{"fee": 5, "fee": 7}``) to ``_rejected``, whole:
    DuckDB reads the first value and drops the other in silence, and which one the
    system meant is not for the platform to guess. Looked for only when a record's list
    of keys holds a repeat (the lists are known already: no cost otherwise)."""
    if fmt == "json":
        repeats = "list_unique(json_keys(json)) < len(json_keys(json))"
        conn.execute(
            f"INSERT INTO _rejected SELECT _source_row, {REPEATED_KEY}, "
            f"left(CAST(json AS VARCHAR), {RAW_VALUE_CHARS}) FROM _json_lines WHERE {repeats}"
        )
        conn.execute(f"DELETE FROM _json_lines WHERE {repeats}")
        return
    # JSON Lines: the lines of the key lists with a repeat (one record of each list looked at)
    repeats = (
        "is_object AND key_set IN (SELECT key_set FROM _lines WHERE is_object GROUP BY key_set "
        "HAVING list_unique(json_keys(any_value(line))) < len(json_keys(any_value(line))))"
    )
    conn.execute(
        f"INSERT INTO _rejected SELECT rowid + 1, {REPEATED_KEY}, left(line, {RAW_VALUE_CHARS}) "
        f"FROM _lines WHERE {repeats}"
    )
    conn.execute(f"UPDATE _lines SET is_object = false WHERE {repeats}")


def _key_lists(conn: duckdb.DuckDBPyConnection, fmt: str) -> list[list[str]]:
    """The distinct lists of keys the records hold (records of one export share a few).

    JSON Lines: the line pass kept a hash of each record's key list, so one record of
    each list is parsed again here, not every record (listing the distinct key lists of
    all records took a second parse of the file). Two different lists of one file
    sharing a 64-bit hash, which would hide one list's keys, is a chance of about
    n^2 / 2^65 for n lists: 3e-14 for a thousand."""
    if fmt == "json":
        sql = "SELECT DISTINCT json_keys(json) FROM _json_lines"
        return [names for (names,) in conn.execute(sql).fetchall()]
    return [
        names
        for (names,) in conn.execute(
            "SELECT json_keys(any_value(line)) FROM _lines WHERE is_object GROUP BY key_set"
        ).fetchall()
    ]


def _drop_lines(conn: duckdb.DuckDBPyConnection) -> None:
    # JSON Lines: _json_lines is a view over _lines; a JSON array: a table of its own
    kind = conn.execute(
        "SELECT any_value(table_type) FROM information_schema.tables "
        "WHERE table_name = '_json_lines'"
    ).fetchone()[0]
    if kind is not None:
        conn.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} _json_lines")
    conn.execute("DROP TABLE IF EXISTS _lines")
    drop_loose_records(conn)


def _newline(path: Path) -> str:
    """The file's line ending, from its head (DuckDB's line reader needs it told: told
    ``\n`` it still splits a ``\r\n`` in two, which would shift the line numbers)."""
    with path.open("rb") as handle:
        return "\\r\\n" if b"\r\n" in handle.read(1 << 16) else "\\n"


def _read_lines(conn: duckdb.DuckDBPyConnection, source: str, path: Path) -> None:
    """Line by line: objects to ``_json_lines`` (a view), anything else to ``_rejected``;
    blank lines are not records. Row numbers are the file's line numbers. The lines come
    from DuckDB's parallel CSV reader told that a line is one field (no delimiter, no
    quotes): splitting the file's text in one string took a minute for a 160 MB storm of
    pings, this takes under a second.

    One pass reads the lines, tells each one's kind, hashes an object's list of keys
    (see ``_key_lists``) and tells whether it writes a number DuckDB would write
    otherwise (``LOOSE_NUMBER``); a line's number is its rowid + 1
    (the table keeps the reader's order): numbering with a window function ran on one
    thread and cost as much as the read itself. A valid JSON text whose first character
    (after JSON's whitespace) is ``{`` is an object: one parse of each line tells it,
    where json_type parsed it a second time."""
    # (prefix first: ltrim copies each line, and most lines start with their brace)
    is_object = (
        f"((prefix(line, '{{') OR starts_with(ltrim(line, {JSON_WHITESPACE}), '{{')) "
        "AND json_valid(line))"
    )
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE _lines AS SELECT line, is_object, CASE WHEN "
        "is_object THEN hash(json_keys(line)) END AS key_set, is_object AND "
        f"regexp_matches(line, {literal(LOOSE_NUMBER)}) AS loose FROM (SELECT line, "
        f"{is_object} AS is_object FROM read_csv({source}, columns={{'line': 'VARCHAR'}}, "
        f"delim=chr({ord(line_separator(path, JSON_LINE_SEPARATORS))}), quote='', escape='', "
        "header=false, auto_detect=false, "
        f"strict_mode=false, new_line='{_newline(path)}'))"
    )
    # The few lines that are no object first, then the blank ones among them: with both
    # tests in one filter DuckDB trimmed every line of the file (0.04 s a storm's pings)
    conn.execute(
        "INSERT INTO _rejected WITH not_objects AS MATERIALIZED (SELECT rowid + 1 AS "
        "_source_row, line FROM _lines WHERE NOT is_object) SELECT _source_row, "
        f"{NOT_AN_OBJECT}, left(line, {RAW_VALUE_CHARS}) FROM not_objects "
        "WHERE trim(line) <> ''"
    )
    conn.execute(
        "CREATE OR REPLACE TEMP VIEW _json_lines AS SELECT rowid + 1 AS _source_row, "
        "line AS json, loose FROM _lines WHERE is_object"
    )
