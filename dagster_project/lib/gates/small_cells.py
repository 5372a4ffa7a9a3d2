"""The privacy gate's check of a published aggregate's small cells, independent of the dbt
macro that suppressed them (``dbt/macros/small_cell_suppression.sql``): it reads only the
published table and the dataset's ``small_cells`` declaration.

A suppressed cell is a protected count published empty. The table fails when
- a protected count from 1 to threshold - 1 is published (a small cell shown),
- a column the count determines is published beside a suppressed count (a rate or a
  median gives the cell away), or the row's flag does not mark the suppressed cell,
- a group along a declared dimension (the cells that differ only in it) has exactly one
  suppressed cell among two or more: the group's total less the others gives it back.

Findings name the column, the rule, how many rows or groups and one group's key; the key
is dimension values (a month, a ward), never a count, so the report leaks nothing.
"""

from __future__ import annotations

from ..dictionary.small_cells import SmallCells
from ..warehouse import quote


def small_cell_findings(conn, table: str, rules: SmallCells) -> list[dict]:
    findings = []
    flag = quote(rules.flag)
    for count in rules.counts:
        column = quote(count.column)
        small = conn.execute(
            f"SELECT count(*) FROM {table} WHERE {column} BETWEEN 1 AND {rules.threshold - 1}"
        ).fetchone()[0]
        if small:
            findings.append(
                {
                    "column": count.column,
                    "rows": small,
                    "rule": f"a count from 1 to {rules.threshold - 1} is published "
                    "(small cell not suppressed)",
                }
            )
        unmarked = conn.execute(
            f"SELECT count(*) FROM {table} WHERE {column} IS NULL AND NOT coalesce({flag}, false)"
        ).fetchone()[0]
        if unmarked:
            findings.append(
                {
                    "column": count.column,
                    "rows": unmarked,
                    "rule": f"a suppressed cell that {rules.flag} does not mark",
                }
            )
        for determined in count.determines:
            shown = conn.execute(
                f"SELECT count(*) FROM {table} WHERE {column} IS NULL "
                f"AND {quote(determined)} IS NOT NULL"
            ).fetchone()[0]
            if shown:
                findings.append(
                    {
                        "column": determined,
                        "rows": shown,
                        "rule": f"published beside a suppressed {count.column} "
                        "(it gives the cell back)",
                    }
                )
        findings += _lone_cell_findings(conn, table, rules, count.column)
    return findings


def _lone_cell_findings(conn, table: str, rules: SmallCells, count: str) -> list[dict]:
    findings = []
    for total, others in rules.groups():
        keys = [quote(d) for d in others] + ([total.within] if total.within else [])
        grouped = f"GROUP BY {', '.join(keys)} " if keys else ""
        select_key = f"{', '.join(keys)}, " if keys else ""
        suppressed = f"count(*) FILTER (WHERE {quote(count)} IS NULL)"
        lone = conn.execute(
            f"SELECT {select_key}{suppressed} AS suppressed, count(*) AS cells FROM {table} "
            f"{grouped}HAVING {suppressed} = 1 AND count(*) > 1"
        ).fetchall()
        if lone:
            names = [*others, total.within] if total.within else list(others)
            example = ", ".join(f"{d}={v}" for d, v in zip(names, lone[0], strict=False))
            findings.append(
                {
                    "column": count,
                    "rows": len(lone),
                    "example": example or "the whole table",
                    "rule": f"a group along {total.label} with exactly one suppressed cell (its "
                    "total less the other cells gives it back)",
                }
            )
    return findings
