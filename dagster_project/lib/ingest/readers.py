"""Read one extract, exactly as the department sent it, into an all-text DuckDB table.

Every value arrives as text so that nothing is lost or silently coerced at read time:
typing happens afterwards, against the contract, where failures can be quarantined with
their raw value. Each row gets ``_source_row``, its 1-based position among the file's
data rows (the header excluded), so a quarantined row can be found in the original.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import duckdb

from ..warehouse import literal, quote

BOMS = [
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
DUCKDB_ENCODING = {"utf-8": "utf-8", "utf-16": "utf-16", "cp1252": "cp1252", "latin-1": "latin-1"}


class UnreadableFile(Exception):
    """The file cannot be read at all; the message says why in plain words."""


def detect_bom(path: Path) -> str | None:
    with path.open("rb") as handle:
        head = handle.read(4)
    return next((encoding for bom, encoding in BOMS if head.startswith(bom)), None)


def read_into(
    conn: duckdb.DuckDBPyConnection, path: Path, files: dict, table: str, fast: bool = False
) -> str:
    """Make ``table`` hold the file's rows as text; return the encoding used.

    ``fast`` (CSV only): ``table`` becomes a view over DuckDB's parallel reader, so the
    next query reads, cleans and types in one pass. Errors then surface in that query;
    the caller retries with ``fast=False``, which materializes the rows trying every
    declared encoding and a single-threaded read.
    """
    if path.stat().st_size == 0:
        raise UnreadableFile("the file is empty (0 bytes)")
    _drop_relation(conn, table)
    fmt = files["format"]
    if fmt == "csv" and fast:
        encoding = _likely_encoding(path, files.get("encodings") or ["utf-8"])
        # No row number here: the staging table numbers rows by insertion order.
        conn.execute(
            f"CREATE OR REPLACE TEMP VIEW {quote(table)} AS "
            f"SELECT * FROM read_csv("
            f"{literal(str(path))}, {', '.join(_csv_options(files, encoding))})"
        )
        try:
            conn.execute(f"DESCRIBE {quote(table)}").fetchall()  # sniffs the header only
        except duckdb.Error:
            _drop_relation(conn, table)
            return _read_csv(conn, path, files, table)
        return encoding
    if fmt == "csv":
        return _read_csv(conn, path, files, table)
    if fmt == "xlsx":
        _read_xlsx(conn, path, files, table)
        return "xlsx"
    if fmt in ("jsonl", "json"):
        _read_json(conn, path, table, newline_delimited=fmt == "jsonl")
        return "utf-8"
    raise UnreadableFile(f"unknown format {fmt!r}")


def _drop_relation(conn, name: str) -> None:
    """Drop a temp view or table of that name, whichever it is."""
    for kind in ("VIEW", "TABLE"):
        try:
            conn.execute(f"DROP {kind} IF EXISTS {quote(name)}")
        except duckdb.CatalogException:
            continue


def _csv_options(files: dict, encoding: str) -> list[str]:
    # header_row > 1: title lines above the header (report exports) are skipped
    return [
        f"encoding={literal(DUCKDB_ENCODING[encoding])}",
        "all_varchar=true",
        f"skip={int(files.get('header_row', 1)) - 1}",
        f"header={str(files.get('header', True)).lower()}",
        f"delim={literal(files.get('delimiter', ','))}",
        f"quote={literal(files.get('quote', chr(34)))}",
        "null_padding=true",
        "strict_mode=false",
    ]


def _likely_encoding(path: Path, declared: list[str]) -> str:
    """The BOM's encoding, else the first declared one the bytes decode in (streamed)."""
    if bom := detect_bom(path):
        return bom
    for encoding in declared:
        if encoding in ("cp1252", "latin-1"):
            return encoding  # single-byte: anything decodes; the contract chose it
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 22), b""):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    return declared[-1]


def _read_csv(conn, path: Path, files: dict, table: str) -> str:
    declared = files.get("encodings") or ["utf-8"]
    candidates = [detect_bom(path)] if detect_bom(path) else declared
    errors = []
    for encoding in candidates:
        options = _csv_options(files, encoding)
        # DuckDB's parallel reader cannot pad short rows when quoted fields hold line
        # breaks (addresses typed over two lines); such files are read single-threaded.
        for extra in ([], ["parallel=false"]):
            try:
                conn.execute(
                    f"CREATE OR REPLACE TEMP TABLE {quote(table)} AS "
                    f"SELECT row_number() OVER () AS _source_row, * "
                    f"FROM read_csv({literal(str(path))}, "
                    f"{', '.join(options + extra)})"
                )
                return encoding
            except duckdb.Error as error:
                message = str(error).splitlines()[0]
                if extra or "parallel=false" not in str(error):
                    errors.append(f"{encoding}: {message}")
                    break
    raise UnreadableFile(
        "it could not be read as CSV with any declared encoding (" + "; ".join(errors) + ")"
    )


def _column_letter(index: int) -> str:
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _read_xlsx(conn, path: Path, files: dict, table: str) -> None:
    header_row = files.get("header_row", 1)
    sheet = f", sheet={literal(files['sheet'])}" if files.get("sheet") else ""
    source = literal(str(path))
    try:
        # Find the header's width first: without a range the reader may return hundreds of
        # empty columns, and rows above the header (report titles) must be skipped.
        header = conn.execute(
            f"SELECT * FROM read_xlsx({source}{sheet}, header=false, all_varchar=true, "
            f"range='A{header_row}:ZZ{header_row}')"
        ).fetchone()
        if header is None:
            raise UnreadableFile(f"row {header_row} (the header row) is empty")
        width = max(i for i, value in enumerate(header, start=1) if value not in (None, ""))
        conn.execute(
            f"CREATE OR REPLACE TEMP TABLE {quote(table)} AS "
            f"SELECT row_number() OVER () AS _source_row, * FROM read_xlsx({source}{sheet}, "
            f"header=true, all_varchar=true, stop_at_empty=false, "
            f"range='A{header_row}:{_column_letter(width)}1048576')"
        )
    except duckdb.Error as error:
        raise UnreadableFile(
            f"not a readable Excel workbook: {str(error).splitlines()[0]}"
        ) from None
    # Formatting can extend a sheet with blank rows; a fully blank row is not a record.
    columns = [c for c in _columns(conn, table) if c != "_source_row"]
    conn.execute(
        f"DELETE FROM {quote(table)} WHERE " + " AND ".join(f"{quote(c)} IS NULL" for c in columns)
    )


def _read_json(conn, path: Path, table: str, newline_delimited: bool) -> None:
    """Each record's keys become text columns; mixed types (1 vs "1.00") stay readable."""
    source = literal(str(path))
    reader = (
        f"read_ndjson_objects({source})"
        if newline_delimited
        else f"read_json_objects({source}, format='array')"
    )  # a file holding one JSON array
    try:
        conn.execute(
            f"CREATE OR REPLACE TEMP TABLE _json_lines AS SELECT row_number() OVER () "
            f"AS _source_row, json FROM {reader}"
        )
        keys = [
            row[0]
            for row in conn.execute(
                "SELECT DISTINCT unnest(json_keys(json)) AS key FROM _json_lines ORDER BY key"
            ).fetchall()
        ]
    except duckdb.Error as error:
        raise UnreadableFile(f"not valid JSON: {str(error).splitlines()[0]}") from None
    if not keys:
        raise UnreadableFile("the file holds no JSON records")
    selects = ", ".join(
        f"json_extract_string(json, {literal('$.' + quote(k))}) AS {quote(k)}" for k in keys
    )
    conn.execute(
        f"CREATE OR REPLACE TEMP TABLE {quote(table)} AS "
        f"SELECT _source_row, {selects} FROM _json_lines"
    )
    conn.execute("DROP TABLE _json_lines")


def _columns(conn, table: str) -> list[str]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
            [table],
        ).fetchall()
    ]


def columns_of(conn: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return _columns(conn, table)
