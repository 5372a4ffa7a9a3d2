"""CSV records with more fields than the header, the extra ones empty: found, not loaded.

DuckDB's reader (1.4, even with ``strict_mode``) accepts a record whose fields beyond
the header's are all empty (``A,1.00,Smith, John,`` under ``rid,amount,name,note``): it
drops them and keeps the others, so an unquoted delimiter in a value shifted the values
that follow it into the wrong columns (name "Smith", note "John") without a word. A
record with extra fields that are not empty is refused as "too many columns", as it
should be.

Such a record ends in the delimiter (``,`` or ``,""``): when no line of the file does
(``csv_reader.ends_in_delimiter``, from the one count of the file the reader makes
anyway), nothing more is read. Otherwise DuckDB reads the file once more with two
columns more than the header, padding short records, and with no text standing for an
empty value: a record whose first extra column holds anything, an empty text included,
had more fields than the header. DuckDB's own parser so decides what is a field (a quote
opens a value only at a field's start: an inch mark in ``5" pipe`` or an apostrophe
does not, as a count of quotes per line had it).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ..warehouse import literal, quote

# (the module, not its names: csv_reader calls find_over_wide)
from . import csv_reader

OVER_WIDE = "_over_wide"  # temp table: (record BIGINT: its data row number, raw_value)
# the two columns read beyond the header's (names no header holds)
EXTRA = ("__beyond_the_header_1__", "__beyond_the_header_2__")
# what no field is: an empty field then reads as an empty text, a missing one as NULL
NO_NULL_TEXT = "\x01\x02\x03"


def find_over_wide(
    conn: duckdb.DuckDBPyConnection, readable: Path, files: dict, encoding: str, width: int
) -> int:
    """Fill ``_over_wide`` with the records of ``readable`` (read as ``encoding``, the
    file DuckDB reads) that hold more than ``width`` fields; return how many. The caller
    asks only for a file a line of which ends in the delimiter.

    ``record`` numbers a data record as DuckDB does (the first after the header is 1);
    ``raw_value`` is its fields joined by the delimiter (the quotes it was written with
    are not kept)."""
    delimiter, quote_char = files.get("delimiter", ","), files.get("quote", '"')
    names = [f"c{i}" for i in range(1, width + 1)] + list(EXTRA)
    columns = ", ".join(f"{literal(n)}: 'VARCHAR'" for n in names)
    fields = ", ".join(quote(n) for n in names)
    conn.execute(
        f"CREATE OR REPLACE TEMP TABLE {OVER_WIDE} AS SELECT record, left(concat_ws("
        f"{literal(delimiter)}, {fields}), {csv_reader.RAW_VALUE_CHARS}) AS raw_value FROM ("
        f"SELECT row_number() OVER () AS record, * FROM read_csv({literal(str(readable))}, "
        f"auto_detect=false, columns={{{columns}}}, "
        f"encoding={literal(csv_reader.DUCKDB_ENCODING[encoding])}, "
        f"skip={int(files.get('header_row', 1)) - 1}, "
        f"header={str(files.get('header', True)).lower()}, delim={literal(delimiter)}, "
        f"quote={literal(quote_char)}, escape={literal(quote_char)}, strict_mode=false, "
        f"null_padding=true, nullstr={literal(NO_NULL_TEXT)}, parallel=false, "
        f"max_line_size={csv_reader.MAX_LINE_BYTES})) WHERE {quote(EXTRA[0])} IS NOT NULL"
    )
    return conn.execute(f"SELECT count(*) FROM {OVER_WIDE}").fetchone()[0]


def none_over_wide(conn: duckdb.DuckDBPyConnection) -> None:
    """``_over_wide`` empty: a file no line of which ends in the delimiter."""
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {OVER_WIDE} (record BIGINT, raw_value VARCHAR)")
