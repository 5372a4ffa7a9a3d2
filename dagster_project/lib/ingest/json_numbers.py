"""JSON numbers as the file writes them, not as DuckDB's double writes them.

DuckDB reads a JSON number with a fraction or an exponent as a double and gives back
that double's shortest text: 4.10 became "4.1" (a by-law section is no number: its text
changed meaning), 1E3 "1000.0", 0.00001 "1e-05", and 0.1000000000000000055511151231257827
"0.1", which a money column then loaded as $0.10 where the value sent holds more than
cents (the same text in a CSV is quarantined). Integers it keeps whole, at any length.

The JSON reader (json_reader.py) marks in its one pass over the lines each record that
writes a number otherwise than a double's own form (``LOOSE_NUMBER``: a fraction of two
digits or more ending in 0, an exponent, a value under 1e-4, 16 digits or more with a
point, -0). Those records are read apart (``loose_records``): each ``"key": number``
pair whose number is of those forms is listed, and the field of that key takes the
number as written (``as_written``); every other field's text is DuckDB's, which is then
the number as written. A record that writes such a pair's key more than once (a nested
object with a key of the same name), or that spells a key with an escape
(``"am\\u006funt"`` is "amount"), is parsed by Python's json module, which keeps each
top-level number's text: exact, and for few records in most exports (a nested object
repeating a top-level key in every record sends every loose record there). Only
top-level fields are kept as written: a list or an object as a field's value is JSON
text, its numbers as DuckDB writes them. Text that only looks like a loose number
("a: 1.50, b" inside a string, [4.10] in a list) makes a record read apart for nothing.
Cost: 0.3-0.55 s per 1.4M payment lines (5-10% of their ingest); a file whose every
record is read apart (ten amounts a record, written with two decimals) reads in 2.3x
the time.
"""

from __future__ import annotations

import json

import duckdb

from ..warehouse import literal

_WS = "[ \\t\\r\\n]*"
# 16 digits or more with a point: more digits than a double keeps (the point in any
# place: RE2 counts no characters across an alternative, so each place is one)
_LONG = "|".join(f"[0-9]{{{i}}}\\.[0-9]{{{16 - i},}}" for i in range(1, 16))
# a number DuckDB writes otherwise: a fraction of two digits or more ending in 0 ("1.0"
# is a double's own), an exponent, under 1e-4 (DuckDB writes 1e-05), 16 digits or more
# with a point, -0
_LOOSE_FORMS = (
    f"-?(?:[0-9]+\\.[0-9]+0|[0-9]+(?:\\.[0-9]+)?[eE][-+]?[0-9]+|0\\.0000[0-9]*|{_LONG}"
    "|[0-9]{16,}\\.[0-9]*)|-0"
)
# such a number in a value's place (after ":", "," or "[", before ",", "}" or "]")
LOOSE_NUMBER = f"[:,\\[]{_WS}(?:{_LOOSE_FORMS}){_WS}[,}}\\]]"
# a key (a JSON string, escapes and all) and such a number written after it
_LOOSE_PAIR = f'"((?:[^"\\\\]|\\\\.)*)"{_WS}:{_WS}({_LOOSE_FORMS}){_WS}[,}}\\]]'
# a key holding an escape
_ESCAPED_KEY = f'"(?:[^"\\\\]|\\\\.)*\\\\.(?:[^"\\\\]|\\\\.)*"{_WS}:'
PAIRS = "_json_loose_pairs"
PARSED = "_json_numbers_parsed"


def loose_records(conn: duckdb.DuckDBPyConnection, lines: str, shape: str) -> str:
    """SQL of the records of ``lines`` (a table or view with ``_source_row``, ``json`` and
    ``loose``) that are marked loose, as ``_record`` (``from_json`` to ``shape``, a SQL
    literal) with what ``as_written`` reads: the loose pairs ``_loose_keys`` (as the
    file spells them: a record with an escaped key is Python's) and ``_loose_numbers``,
    and ``_written`` (the top-level numbers' text, for the records Python parsed). Made
    once, as a table (``drop`` removes it): the records to parse are read from it too."""
    pair = literal(_LOOSE_PAIR)
    # a loose pair's key written more than once in the record (in a nested object too),
    # or a record with a key spelled with an escape ("am\u006funt" is "amount": the count
    # sees one spelling only)
    to_python = (
        f"regexp_matches(_text, {literal(_ESCAPED_KEY)}) OR list_bool_or(list_transform("
        "_loose_keys, lambda k: length(_text) - length(replace(_text, '\"' || k || '\"', '')) "
        "> length(k) + 2))"
    )
    conn.execute(
        f"CREATE OR REPLACE TEMP TABLE {PAIRS} AS SELECT _source_row, _text, _loose_keys, "
        f"_loose_numbers, {to_python} AS _to_python FROM (SELECT *, "
        f"regexp_extract_all(_text, {pair}, 1) AS _loose_keys, "
        f"regexp_extract_all(_text, {pair}, 2) AS _loose_numbers FROM (SELECT "
        f"_source_row, CAST(json AS VARCHAR) AS _text FROM {lines} WHERE loose))"
    )
    # (the record parsed here, not kept in the table: a struct with a field "" cannot be)
    records = f"SELECT *, from_json(_text, {shape}) AS _record FROM {PAIRS}"
    if _parse_in_python(conn):
        return f"SELECT * FROM ({records}) LEFT JOIN {PARSED} USING (_source_row)"
    return f"SELECT *, NULL::MAP(VARCHAR, VARCHAR) AS _written FROM ({records})"


def as_written(key: str, text_sql: str) -> str:
    """The field's number as the record writes it, when it is one DuckDB writes otherwise;
    otherwise ``text_sql``, DuckDB's text, which is then the number as written. A loose
    pair's key written once in the record is the record's own field (a nested one of
    that name would be written twice); its number is checked to be the field's value
    (a guard; and no field of that key: none)."""
    name = literal(key)
    at = f"list_position(_loose_keys, {name})"
    return (
        f"CASE WHEN _written IS NOT NULL THEN coalesce(_written[{name}], {text_sql}) "
        f"WHEN {at} IS NULL THEN {text_sql} "
        f"WHEN TRY_CAST(_loose_numbers[{at}] AS DOUBLE) = TRY_CAST({text_sql} AS DOUBLE) "
        f"THEN _loose_numbers[{at}] ELSE {text_sql} END"
    )


class _NumberText(str):
    """A number's text as json.loads hands it over (parse_float, parse_int)."""


def _parse_in_python(conn: duckdb.DuckDBPyConnection) -> bool:
    """The records whose text does not tell which loose pair is the field's own (a key
    written twice, or spelled with an escape), parsed by Python's json into ``PARSED``
    (their top-level numbers' text); False: none."""
    rows = conn.execute(f"SELECT _source_row, _text FROM {PAIRS} WHERE _to_python").fetchall()
    if not rows:
        return False
    numbers, names, texts = [], [], []
    for number, text in rows:
        try:
            record = json.loads(text, parse_float=_NumberText, parse_int=_NumberText)
        except (ValueError, RecursionError):  # DuckDB read it, Python not (5,000 levels
            # deep): then DuckDB's text
            continue
        for name, value in record.items():
            if isinstance(value, _NumberText):
                numbers.append(number)
                names.append(name)
                texts.append(str(value))
    # every such record has a map (empty when Python could not read it): the pairs are
    # never taken for its fields
    conn.execute(
        f"CREATE OR REPLACE TEMP TABLE {PARSED} AS SELECT _source_row, "
        "coalesce(_written, MAP {}::MAP(VARCHAR, VARCHAR)) AS _written FROM "
        f"(SELECT _source_row FROM {PAIRS} WHERE _to_python) LEFT JOIN (SELECT "
        "_source_row, map(list(name), list(text)) AS _written FROM (SELECT "
        "unnest(?::BIGINT[]) AS _source_row, unnest(?::VARCHAR[]) AS name, "
        "unnest(?::VARCHAR[]) AS text) GROUP BY _source_row) USING (_source_row)",
        [numbers, names, texts],
    )
    return True


def drop(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(f"DROP TABLE IF EXISTS {PARSED}")
    conn.execute(f"DROP TABLE IF EXISTS {PAIRS}")
