"""A raw table kept in step with its contract when the contract gains a column.

A department's new system starts sending a field (the licensing system's application
date, say); governance adds it to the contract. The raw table was made under the old
contract, and its files may already hold the field, kept as schema drift (an unknown
header is loaded as text under its snake_case name: ``ApplicationDate`` ->
``applicationdate``, ``Application Date`` -> ``application_date``). So, before a load:

- a contract column missing from the table is added with the contract's type, and filled
  from a drift column that one of its names (name or alias) was loaded under;
- a column of the contract's name that holds drift text (VARCHAR where the contract
  now says date, number...; or text of any type the loader marked as drift, which was
  never trimmed, mapped or checked) is read again by the contract in place.

Either way each value is read by the contract's own typing (its formats, its zone). A
value that does not read is never lost: it stays in the drift column (or, typed in
place, is emptied) and is listed in ``raw._flagged_values`` with the rule
``contract_column_added`` and its text, so the data team sees what the contract missed.
The contract's cleaning applies as at a load (null sentinels, case, value map), and so do
its checks of a value that reads: accepted values, pattern, plausible window, an amount's
decimals (never rounded: more than the column's ``scale`` keeps), a text's ``max_length``.
What breaks one is flagged with the rule's words, as a load flags it; where the contract
quarantines such rows (``on_invalid``, ``on_out_of_range``; always for an amount it would
round and a text over its length), the row loaded before the contract had the column and
stays, with this value left empty and its whole text in the flag. Rows loaded before the
department sent the field stay empty, as they were. (``required`` is not checked here:
an empty value is what every row sent before the field existed holds.)
"""

from __future__ import annotations

from contextlib import contextmanager

import duckdb

from ..warehouse import literal, quote
from .contract_sql import (
    cleaned_text,
    column_type,
    invalid_value,
    money_rounded,
    money_scale,
    out_of_range,
    snake_case,
    trimmed,
    typed,
)
from .row_checks import MAX_TEXT_LENGTH
from .workbook_xml import EXCEL_EPOCH_1904, WORKBOOK_1904

RULE = "contract_column_added"
# The comment the loader puts on a column it kept as schema drift (DuckDB column comment)
DRIFT_MARK = "schema drift: loaded as text, not by a contract"


def table_catalog(
    conn: duckdb.DuckDBPyConnection, schema: str, table: str | None = None
) -> tuple[dict[str, dict[str, str]], dict[str, set[str]]]:
    """For the tables of ``schema`` (or the one ``table``), in one catalog query:
    {table: {column: its type}}, and {table: the columns the loader kept as schema
    drift} (marked with ``DRIFT_MARK``; a warehouse loaded before the mark existed has
    none marked)."""
    tables: dict[str, dict[str, str]] = {}
    marked: dict[str, set[str]] = {}
    for name, column, kind, comment in conn.execute(
        "SELECT table_name, column_name, data_type, comment FROM duckdb_columns() "
        "WHERE schema_name = ? AND database_name = current_database() "
        "AND (? IS NULL OR table_name = ?)",
        [schema, table, table],
    ).fetchall():
        tables.setdefault(name, {})[column] = kind
        if comment == DRIFT_MARK:
            marked.setdefault(name, set()).add(column)
    return tables, marked


def table_columns(
    conn: duckdb.DuckDBPyConnection, schema: str, table: str | None = None
) -> dict[str, dict[str, str]]:
    """{table: {column: its type}} (``table_catalog``'s first half)."""
    return table_catalog(conn, schema, table)[0]


def behind_contract(source, present: dict[str, str], drift: set[str] = frozenset()) -> bool:
    """The table (its columns and types; ``drift``: its columns marked as drift) lacks a
    contract column, or holds one as drift text: the next load syncs it (the run plan
    sends the system to the ingest for it)."""
    return any(
        column["name"] not in present or _holds_drift_text(column, present, drift)
        for column in source.column_specs
    )


def _holds_drift_text(column: dict, present: dict[str, str], drift: set[str]) -> bool:
    """The contract column is there as drift text: typed as text where the contract
    types it, or marked as drift (text the contract's cleaning and checks never saw)."""
    name = column["name"]
    if name in drift:
        return True
    return present.get(name) == "VARCHAR" and column_type(column).upper() != "VARCHAR"


def sync_with_contract(conn: duckdb.DuckDBPyConnection, source, schema: str, name: str) -> None:
    """Add (and fill) the contract columns ``schema.name`` lacks; type drift text in place."""
    table = f"{quote(schema)}.{quote(name)}"
    tables, drift = table_catalog(conn, schema, name)
    present, marked = tables.get(name, {}), drift.get(name, set())
    if not behind_contract(source, present, marked):
        return
    contract_names = {column["name"] for column in source.column_specs}
    for column in source.column_specs:
        target = column_type(column)
        if column["name"] not in present:
            with _transaction(conn):  # added and filled, or not at all
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {quote(column['name'])} {target}")
                text_column = _drift_column(column, present, contract_names)
                if text_column is not None:
                    _fill(conn, source, table, column, text_column)
        elif _holds_drift_text(column, present, marked):
            # (looked up each time: a stopped run's leftover is one column's)
            leftover = "__typed__" in table_columns(conn, schema, name).get(name, {})
            _type_in_place(conn, source, table, column, leftover)


def _drift_column(column: dict, present: dict[str, str], contract_names: set) -> str | None:
    """The drift column (text) one of the contract column's names was loaded under (not
    a column of the contract: an alias may read like another column's name)."""
    for alias in [column["name"], *column.get("aliases", [])]:
        loaded_as = snake_case(alias)
        if loaded_as not in contract_names and present.get(loaded_as) == "VARCHAR":
            return loaded_as
    return None


def _read_by_contract(source, table: str, column: dict, text_column: str) -> str:
    """A query of (row id, the value as the contract reads it, the text) for every row
    whose ``text_column`` holds something: trimmed, null sentinels emptied, the value
    rules (case, value map...) applied, then typed, as a load would."""
    workbook = source.files["format"] == "xlsx"
    cleaned = cleaned_text("_text", column, source.spec.get("null_values", []), workbook)
    value = typed(quote("_clean"), column, workbook) if column["type"] != "varchar" else "_clean"
    if workbook and column["type"] != "varchar":  # each row in its file's date system
        in_1904 = typed(quote("_clean"), column, EXCEL_EPOCH_1904)
        value = (
            f"CASE WHEN _sha IN (SELECT sha256 FROM raw._ingest_files WHERE system = "
            f"{literal(source.system)} AND encoding = {literal(WORKBOOK_1904)}) "
            f"THEN {in_1904} ELSE {value} END"
        )
    return (
        f"SELECT _rid, {value} AS _value, _text, _clean FROM (SELECT _rid, _sha, _text, "
        f"{cleaned} AS _clean FROM (SELECT rowid AS _rid, _source_sha256 AS _sha, "
        f"{trimmed(text_column)} AS _text FROM {table} "
        f"WHERE {quote(text_column)} IS NOT NULL))"
    )


def _fill(
    conn, source, table: str, column: dict, text_column: str, replace_flags: bool = False
) -> None:
    """Flag what does not read or breaks the column's checks, then set the column to
    what reads (by row id), but for values the contract would have quarantined. Part of
    the caller's transaction (rolled back together, flags included); ``replace_flags``:
    a stopped run committed this column's fill and flags already, which are replaced.
    The values are read once into a temporary table (a 10M-row table is read once)."""
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE _contract_read AS "
        + _read_by_contract(source, table, column, text_column)
    )
    read = "SELECT * FROM _contract_read"
    if replace_flags:
        conn.execute(
            "DELETE FROM raw._flagged_values WHERE system = ? AND column_name = ? "
            "AND (rule = ? OR starts_with(rule, ?))",
            [source.system, column["name"], RULE, f"{RULE}: "],
        )
    flags = [("r._clean IS NOT NULL AND r._value IS NULL", RULE)]
    withheld = []
    for check, quarantines in (
        (invalid_value("r._clean", column), column.get("on_invalid") == "quarantine"),
        (out_of_range("r._value", column), column.get("on_out_of_range") != "flag"),
        (_loses_detail("r._clean", "r._value", column), True),
    ):
        if check is None:
            continue
        condition, words = check
        if quarantines:
            withheld.append(condition)
            words += (
                " (the contract quarantines such rows: this one loaded before, value left empty)"
            )
        flags.append((condition, f"{RULE}: {words}"))
    for condition, rule in flags:
        conn.execute(
            "INSERT INTO raw._flagged_values (system, file_name, sha256, source_row, "
            "column_name, rule, raw_value) "
            f"SELECT {literal(source.system)}, t._source_file, t._source_sha256, "
            f"t._source_row, {literal(column['name'])}, {literal(rule)}, r._text "
            f"FROM ({read}) AS r JOIN {table} AS t ON t.rowid = r._rid WHERE {condition}"
        )
    kept = "".join(f" AND NOT coalesce({condition}, false)" for condition in withheld)
    target = quote(column["name"]) if text_column != column["name"] else quote("__typed__")
    conn.execute(
        f"UPDATE {table} SET {target} = r._value FROM ({read}) AS r "
        f"WHERE {table}.rowid = r._rid{kept}"
    )
    conn.execute("DROP TABLE _contract_read")


def _loses_detail(clean_sql: str, value_sql: str, column: dict) -> tuple[str, str] | None:
    """(SQL true, the rule's words) for a value that would load changed, which a load
    quarantines: an amount with more decimals than the column keeps (the cast rounds
    it), a text over the column's ``max_length`` (a broken export)."""
    if column["type"] == "money":
        return (
            f"{value_sql} IS NOT NULL AND {money_rounded(clean_sql, column)}",
            f"money: more than {money_scale(column)} decimals; loading it would round it",
        )
    if column["type"] == "varchar":
        limit = int(column.get("max_length", MAX_TEXT_LENGTH))
        return f"length({clean_sql}) > {limit}", f"length: over {limit:,} characters"
    return None


def _type_in_place(conn, source, table: str, column: dict, leftover: bool) -> None:
    """The text column of the contract's name becomes the contract's type: typed into a
    new column, the text dropped, the new column renamed (DuckDB cannot use a cleaning
    query in ALTER ... USING). Two transactions, as DuckDB refuses to alter a table
    updated in the same one: a run stopped between them left the text and a typed
    column (``leftover``), which this one drops and types again."""
    name, typed_column = column["name"], quote("__typed__")
    if leftover:
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {typed_column}")
    with _transaction(conn):
        conn.execute(f"ALTER TABLE {table} ADD COLUMN {typed_column} {column_type(column)}")
        _fill(conn, source, table, column, name, replace_flags=leftover)
    with _transaction(conn):
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {quote(name)}")
        conn.execute(f"ALTER TABLE {table} RENAME COLUMN {typed_column} TO {quote(name)}")


@contextmanager
def _transaction(conn):
    conn.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
