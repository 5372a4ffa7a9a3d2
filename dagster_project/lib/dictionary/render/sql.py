"""The dictionary's expectations as one DuckDB query: the same rules GX checks, in SQL.

Used by ``benchmarks/gate.py`` to measure the GX pandas gate against checking inside
DuckDB (no rows leave the database). Each expectation becomes one ``count(*) FILTER``.
"""

from __future__ import annotations

from .expectations import expectation_configs
from .warehouse import literal, quote


def violation_sql(config: dict) -> str | None:
    """A condition true for each row breaking the expectation (None: not row-level)."""
    kwargs = config["kwargs"]
    column = quote(kwargs["column"]) if "column" in kwargs else None
    kind = config["type"]
    if kind == "expect_column_values_to_not_be_null":
        return f"{column} IS NULL"
    if kind == "expect_column_values_to_be_in_set":
        values = ", ".join(literal(str(v)) for v in kwargs["value_set"])
        return f"{column} IS NOT NULL AND CAST({column} AS VARCHAR) NOT IN ({values})"
    if kind == "expect_column_values_to_be_between":
        parts = []
        if kwargs.get("min_value") is not None:
            parts.append(f"{column} < {kwargs['min_value']}")
        if kwargs.get("max_value") is not None:
            parts.append(f"{column} > {kwargs['max_value']}")
        return f"{column} IS NOT NULL AND ({' OR '.join(parts)})"
    if kind == "expect_column_values_to_not_match_regex":
        return f"regexp_matches({column}, {literal(kwargs['regex'])})"
    return None


def check_in_duckdb(conn, dataset) -> dict[str, int]:
    """Unexpected-row counts per expectation, computed in one scan (plus one per unique)."""
    table = f"open_data.{quote(dataset.model)}"
    counts: dict[str, int] = {}
    filters = []
    for index, config in enumerate(expectation_configs(dataset)):
        name = f"{index}:{config['type']}:{config['kwargs'].get('column', '')}"
        if (condition := violation_sql(config)) is not None:
            filters.append((name, f"count(*) FILTER (WHERE {condition})"))
        elif config["type"] == "expect_column_values_to_be_unique":
            column = quote(config["kwargs"]["column"])
            counts[name] = conn.execute(
                f"SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM {table} "
                f"WHERE {column} IS NOT NULL GROUP BY {column} HAVING count(*) > 1)"
            ).fetchone()[0]
    if filters:
        row = conn.execute(f"SELECT {', '.join(sql for _, sql in filters)} FROM {table}").fetchone()
        counts.update({name: value for (name, _), value in zip(filters, row, strict=True)})
    return counts
