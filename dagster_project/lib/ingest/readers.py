"""Read one extract, exactly as the department sent it, into an all-text DuckDB table.

Every value arrives as text so that nothing is lost or silently coerced at read time:
typing happens afterwards, against the contract, where failures can be quarantined with
their raw value. Each row gets ``_source_row``, its 1-based position among the file's
data rows (the header excluded), so a quarantined row can be found in the original.

A row the reader cannot split into fields (CSV) or parse (JSON Lines) is not a reason
to refuse the file: it goes to the temp table ``_rejected`` (row, rule, raw text) and the
loader quarantines it. A file is refused (:class:`UnreadableFile`) only when nothing
trustworthy can be read: empty, undecodable in its declared encoding, a sheet cut at the
worksheet limit, not JSON at all.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..warehouse import literal, quote
from .csv_reader import csv_view, read_csv_rows
from .encodings import detect_encoding
from .errors import UnreadableFile, safe_message, stop_on_platform_fault
from .fixed_width_reader import read_fixed_width
from .json_reader import read_json_rows
from .workbook_xml import (
    EXCEL_EPOCH_1904,
    WORKBOOK_1904,
    SheetFacts,
    sheet_facts,
    sheets,
    sheets_with_cells,
)

WORKSHEET_ROWS = 1_048_576  # an .xlsx sheet holds no more; a full one was likely cut off


@dataclass
class ReadResult:
    encoding: str
    rejected: int = 0  # rows in ``_rejected``
    note: str | None = None  # how the file differs from what the contract says
    merged: tuple[str, ...] = ()  # a workbook's merged ranges ("B5:B10")
    sheet: str | None = None  # the workbook's sheet read (None: its first)
    # a workbook's cells holding an Excel error: (column letters, sheet row, "#N/A")
    errors: tuple[tuple[str, int, str], ...] = ()


def read_into(
    conn: duckdb.DuckDBPyConnection,
    path: Path,
    files: dict,
    table: str,
    fast: bool = False,
    cleanup: ExitStack | None = None,
    columns: list[dict] | None = None,
) -> ReadResult:
    """Make ``table`` hold the file's rows as text, and ``_rejected`` its unreadable rows.

    ``fast`` (CSV only): ``table`` becomes a lazy view over DuckDB's parallel reader, so
    the next query reads, cleans and types in one pass; a malformed row then makes that
    query fail, and the caller reads again with ``fast=False``. ``columns``: the contract's
    columns (a fixed-width file is cut by their positions). ``cleanup`` removes the
    temporary UTF-8 copy of a cp1252 or latin-1 CSV when it closes: keep it open until
    ``table`` has been read.
    """
    if path.stat().st_size == 0:
        raise UnreadableFile("the file is empty (0 bytes)")
    drop_relation(conn, table)
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE _rejected (_source_row BIGINT, rule VARCHAR, "
        "raw_value VARCHAR)"
    )
    fmt = files["format"]
    if fmt == "csv":
        encoding = detect_encoding(path, files.get("encodings") or ["utf-8"])
        if fast and csv_view(conn, path, files, encoding, table, cleanup):
            return ReadResult(encoding)
        return ReadResult(encoding, read_csv_rows(conn, path, files, encoding, table, cleanup))
    if fmt == "xlsx":
        sheet, facts = _read_xlsx(conn, path, files, table)
        # (the ledger keeps the date system: a column the contract names later is read
        # in its file's, contract_columns)
        encoding = WORKBOOK_1904 if facts.epoch == EXCEL_EPOCH_1904 else "xlsx"
        return ReadResult(encoding, merged=facts.merged, sheet=sheet, errors=facts.errors)
    if fmt == "fixed_width":
        encoding = detect_encoding(path, files.get("encodings") or ["utf-8"])
        read_fixed_width(conn, path, files, columns or [], encoding, table, cleanup)
        return ReadResult(encoding)
    if fmt in ("jsonl", "json"):
        # JSON is UTF-8 (RFC 8259): refuse anything else, saying where; a UTF-16 file's
        # byte-order mark would have been taken as its encoding and the bytes read as UTF-8
        if (encoding := detect_encoding(path, ["utf-8"])) != "utf-8":
            raise UnreadableFile(
                f"JSON must be UTF-8, and this file is {encoding} (its byte-order mark): "
                "ask the department for a UTF-8 export"
            )
        rejected, note = read_json_rows(conn, path, fmt, table, cleanup)
        return ReadResult("utf-8", rejected, note)
    raise UnreadableFile(f"unknown format {fmt!r}")


def drop_relation(conn, name: str) -> None:
    """Drop a temp view or table of that name, whichever it is."""
    for kind in ("VIEW", "TABLE"):
        try:
            conn.execute(f"DROP {kind} IF EXISTS {quote(name)}")
        except duckdb.CatalogException:
            continue


def column_letter(index: int) -> str:
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def sheet_to_read(path: Path, files: dict) -> str | None:
    """The contract's ``sheet``; else the workbook's one visible worksheet that holds
    cells (a chart sheet, an empty Sheet2 do not count). DuckDB read the first sheet,
    hidden or not (a hidden lookup sheet was loaded instead of the data), and ignored the
    others (a year's rows on a second sheet, never counted). A workbook of several such
    sheets is refused until the contract names the one to read."""
    if files.get("sheet"):
        names = [sheet.name for sheet in sheets(path)]
        if names and files["sheet"] not in names:
            raise UnreadableFile(
                f"it has no sheet named as the contract says ({files['sheet']!r}); its "
                f"sheets: {', '.join(names[:10])}{', ...' if len(names) > 10 else ''}"
            )
        return files["sheet"]
    visible = sheets_with_cells(path)
    if len(visible) > 1:
        raise UnreadableFile(
            f"the workbook has {len(visible)} sheets ({', '.join(visible[:5])}"
            f"{', ...' if len(visible) > 5 else ''}) and the contract names none: its "
            "`sheet` says which one holds the records (ask for one sheet per file when "
            "the rows are split across several)"
        )
    if visible:
        return visible[0]
    shown = [sheet.name for sheet in sheets(path) if sheet.visible]  # (all empty: the
    return shown[0] if shown else None  # reader says the file holds no rows)


def _read_xlsx(conn, path: Path, files: dict, table: str) -> tuple[str | None, SheetFacts]:
    """Read the sheet into ``table``; return its name and what its XML says besides
    (merged ranges: the loader fills them down once the text columns show what the
    sheet shows, workbook_formats.py; the date system)."""
    files = {**files, "sheet": sheet_to_read(path, files)}
    facts = sheet_facts(path, files.get("sheet"))
    if uncomputed := facts.formulas_without_value:
        raise UnreadableFile(
            f"{uncomputed:,} formula cell(s) of the sheet have no saved value (the first: "
            f"{facts.first_without_value}): the workbook was written by a program that does "
            "not compute formulas, and they would load empty. Open and save it in Excel (or export "
            "values only) and send it again"
        )
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
        if header and len(header) >= 702 and header[701] not in (None, ""):
            header = conn.execute(  # a header up to ZZ and beyond: up to the last, XFD
                f"SELECT * FROM read_xlsx({source}{sheet}, header=false, all_varchar=true, "
                f"range='A{header_row}:XFD{header_row}')"
            ).fetchone()
        named = [i for i, value in enumerate(header or (), start=1) if value not in (None, "")]
        if not named:  # (a title line above the header pushes it down a row)
            raise UnreadableFile(
                f"row {header_row} (the header row, as the contract says) is empty: a line "
                "above the header moves it down; the contract's header_row says where it is"
            )
        width = max(named)
        conn.execute(
            f"CREATE OR REPLACE TEMP TABLE {quote(table)} AS "
            f"SELECT row_number() OVER () AS _source_row, * FROM read_xlsx({source}{sheet}, "
            f"header=true, all_varchar=true, stop_at_empty=false, "
            f"range='A{header_row}:{column_letter(width)}1048576')"
        )
    except duckdb.Error as error:
        stop_on_platform_fault(error, path.name)
        raise UnreadableFile(f"not a readable Excel workbook: {safe_message(error)}") from None
    # Formatting can extend a sheet with blank rows; a fully blank row is not a record.
    columns = [c for c in columns_of(conn, table) if c != "_source_row"]
    conn.execute(
        f"DELETE FROM {quote(table)} WHERE " + " AND ".join(f"{quote(c)} IS NULL" for c in columns)
    )
    # The last row that holds anything: a sheet filled to the limit was likely cut off.
    last_row = conn.execute(f"SELECT max(_source_row) FROM {quote(table)}").fetchone()[0] or 0
    if last_row + int(header_row) >= WORKSHEET_ROWS:
        raise UnreadableFile(
            f"the sheet is full ({WORKSHEET_ROWS:,} rows, the most a worksheet holds): rows "
            "beyond it were probably cut off at export; ask for the data split across "
            "sheets or files (the contract can name several files)"
        )
    return files.get("sheet"), facts


def columns_of(conn: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The columns of one table or view (none when there is no such relation).

    ``pragma_table_info`` looks up the one catalog entry; ``duckdb_columns()`` lists every
    column of every table first (0.5 ms against 10 ms a call in a warehouse of 2,000
    columns, and the loader asks several times a file)."""
    try:
        return [
            row[0]
            for row in conn.execute(
                "SELECT name FROM pragma_table_info(?) ORDER BY cid", [table]
            ).fetchall()
        ]
    except duckdb.CatalogException:
        return []
