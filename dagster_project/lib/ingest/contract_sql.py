"""SQL that applies a source contract to text columns: nulls, trimming, typing.

Pure string building over quoted identifiers and literals (no data is read here), so
every rule is unit-tested. A value "fails its type" when its cleaned text is not null
but its typed value is: that row is quarantined with the raw value.
"""

from __future__ import annotations

import re

from ..dictionary.vocabulary import data_type
from ..warehouse import literal, quote


def raw_type(kind: str) -> str:
    """The warehouse type of a contract column type (the vocabulary's DuckDB spelling)."""
    return data_type(kind).duckdb


# Excel stores dates as days since 1899-12-30; read as text they look like 45356(.25).
EXCEL_SERIAL = r"^\d{5}(\.\d+)?$"


def snake_case(header: str) -> str:
    name = re.sub(r"[^0-9a-zA-Z]+", "_", header.strip()).strip("_").lower()
    return name if name and not name[0].isdigit() else f"col_{name}"


def header_mapping(headers: list[str], columns: list[dict]) -> dict[str, str]:
    """Map each incoming header to its contract name; unknown headers keep a snake_case name."""
    lookup: dict[str, str] = {}
    for column in columns:
        for alias in [column["name"], *column.get("aliases", [])]:
            lookup[alias.strip().lower()] = column["name"]
    return {header: lookup.get(header.strip().lower(), snake_case(header)) for header in headers}


def trimmed(source_column: str) -> str:
    """Text without surrounding spaces; non-breaking spaces (U+00A0, which exports love)
    count as spaces. ``contains`` first: the replace only runs where one occurs."""
    column = quote(source_column)
    return (
        f"trim(CASE WHEN contains({column}, chr(160)) "
        f"THEN replace({column}, chr(160), ' ') ELSE {column} END)"
    )


def null_if_sentinel(column: str, null_values: list[str]) -> str:
    """NULL for blank text and for the contract's null sentinels (N/A, -, NULL...)."""
    sentinels = ", ".join(literal(v) for v in sorted({"", *null_values}))
    return f"CASE WHEN {quote(column)} IN ({sentinels}) THEN NULL ELSE {quote(column)} END"


def typed(text_sql: str, column: dict) -> str:
    """The typed value of ``text_sql`` per the contract column, NULL when it does not parse."""
    kind = column["type"]
    formats = column.get("formats", [])
    if kind == "varchar":
        return text_sql
    if kind == "money":
        # "$1,381.12", " 75.00 ", "(8.02)" (accounting negative), "-8.02"
        digits = f"regexp_replace({text_sql}, '[$,()\\s]', '', 'g')"
        sign = f"CASE WHEN regexp_matches({text_sql}, '^\\(.*\\)$') THEN -1 ELSE 1 END"
        return f"({sign} * TRY_CAST({digits} AS DECIMAL(18,2)))"
    if kind in ("date", "timestamp"):
        target = raw_type(kind)
        # ISO text first: DuckDB's cast reads it fast and cannot misread another format
        # (it accepts only year-first ISO); then the contract's formats in order.
        attempts = [f"TRY_CAST({text_sql} AS {target})"]
        attempts += [
            f"TRY_CAST(try_strptime({text_sql}, {literal(f)}) AS {target})" for f in formats
        ]
        attempts.append(
            f"CASE WHEN regexp_matches({text_sql}, '{EXCEL_SERIAL}') THEN "
            f"CAST(TIMESTAMP '1899-12-30' + to_milliseconds(CAST(round("
            f"TRY_CAST({text_sql} AS DOUBLE) * 86400000) AS BIGINT)) AS {target}) END"
        )
        return f"coalesce({', '.join(attempts)})"
    if kind == "boolean":
        return f"TRY_CAST(lower({text_sql}) AS BOOLEAN)"
    return f"TRY_CAST({text_sql} AS {raw_type(kind)})"
