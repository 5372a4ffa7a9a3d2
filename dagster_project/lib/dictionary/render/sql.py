"""The publication gate's rules as SQL conditions, checked inside DuckDB in one scan.

Not the production gate (Great Expectations is): ``benchmarks/gate.py`` measures GX
against checking in the database, and ``tests/dagster_project/lib/gates`` shows both
find the same faults. A condition is true for each row that breaks the rule; ``unique``
is not row-level and is counted with a GROUP BY.
"""

from __future__ import annotations

from ...warehouse import literal, quote
from ..entries import Dataset
from ..rules import Rule


def _in_set(rule: Rule) -> str:
    values = ", ".join(literal(str(v)) for v in rule.arguments["values"])
    column = quote(rule.column)
    return f"{column} IS NOT NULL AND CAST({column} AS VARCHAR) NOT IN ({values})"


def _out_of_range(rule: Rule) -> str:
    column, bounds = quote(rule.column), []
    if rule.arguments["min"] is not None:
        bounds.append(f"{column} < {rule.arguments['min']}")
    if rule.arguments["max"] is not None:
        bounds.append(f"{column} > {rule.arguments['max']}")
    return f"{column} IS NOT NULL AND ({' OR '.join(bounds)})"


VIOLATIONS = {
    "required": lambda r: f"{quote(r.column)} IS NULL",
    "unique": None,  # counted by duplicate_count_sql
    "accepted_values": _in_set,
    "range": _out_of_range,
    "lookup": _in_set,
    "pattern": lambda r: (
        f"{quote(r.column)} IS NOT NULL AND NOT regexp_full_match("
        f"CAST({quote(r.column)} AS VARCHAR), {literal(r.arguments['regex'])})"
    ),
}


def rule_name(index: int, rule: Rule) -> str:
    return f"{index}:{rule.kind}:{rule.column}"


def count_violations(conn, dataset: Dataset) -> dict[str, int]:
    """Rows breaking each rule, by :func:`rule_name`, in one scan (plus one per unique)."""
    table = f"open_data.{quote(dataset.model)}"
    counts: dict[str, int] = {}
    filters = []
    for index, rule in enumerate(dataset.rules):
        if rule.kind not in VIOLATIONS:
            raise KeyError(f"the SQL renderer has no entry for rule kind {rule.kind!r}")
        if (condition := VIOLATIONS[rule.kind]) is not None:
            filters.append((rule_name(index, rule), f"count(*) FILTER (WHERE {condition(rule)})"))
        else:
            column = quote(rule.column)
            counts[rule_name(index, rule)] = conn.execute(
                f"SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM {table} "
                f"WHERE {column} IS NOT NULL GROUP BY {column} HAVING count(*) > 1)"
            ).fetchone()[0]
    row_count = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    counts["table:row_count_at_least_1"] = 0 if row_count else 1
    if filters:
        row = conn.execute(f"SELECT {', '.join(sql for _, sql in filters)} FROM {table}").fetchone()
        counts.update({name: value for (name, _), value in zip(filters, row, strict=True)})
    return counts
