"""The privacy gate's check of a published aggregate's small cells, independent of the dbt
macro that suppressed them (``dbt/macros/small_cell_suppression.sql``): it reads only the
published table and the dataset's ``small_cells`` declaration.

A suppressed cell is a protected count published empty. The table fails when
- a protected count from 1 to threshold - 1 is published (a small cell shown),
- a column the count determines is published beside a suppressed count (a rate or a
  median gives the cell away), or the row's flag does not mark the suppressed cell,
- a group along a declared dimension (the cells that differ only in it) has exactly one
  suppressed cell among two or more: the group's total less the others gives it back;

And it warns (``small_cell_check``'s second list: the gate's result, not blocking) when
a suppressed cell is given back exactly by the totals taken together, though every
group holds two suppressed cells or none (``solved_cells.py``: the algebra). The macro's
last step (``lib/small_cell_protection.py``) adds the complements that stop it, so a
warning means a cell no complement can protect: alone in a group along some dimension,
or one whose protecting combination has no row in the table. The governance group's
remedy there is declaring only the totals that are in fact published.

What the audit does not see: bounds. An attacker who knows the totals learns a range for
each suppressed cell (at least 0, at most its groups' remainders); the macro widens the
suppressed cells of each group holding a small count to the threshold
(``widening_complements``), but checking a range needs the counts behind the empty
cells, and this check reads only the published table (which cells are empty). Nor does
it see counts in other datasets that are not declared totals here.

Findings name the column, the rule, how many rows or groups and one group's key; the key
is dimension values (a month, a ward), never a count, so the report leaks nothing.
"""

from __future__ import annotations

from ..dictionary.small_cells import SmallCells
from ..warehouse import quote
from .solved_cells import MAX_AUDITED_CELLS, solved_cells


def small_cell_findings(conn, table: str, rules: SmallCells) -> list[dict]:
    """What fails the gate (``small_cell_check``'s first list)."""
    return small_cell_check(conn, table, rules)[0]


def small_cell_check(conn, table: str, rules: SmallCells) -> tuple[list[dict], list[dict]]:
    """(the findings that fail the gate, the warnings it passes with). A count with a
    lone suppressed cell is not solved further: that cell is the simplest solved cell,
    refused already."""
    findings, warnings = [], []
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
        lone = _lone_cell_findings(conn, table, rules, count.column)
        findings += lone
        if not lone:
            warnings += _solved_cell_warnings(conn, table, rules, count.column)
    return findings, warnings


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


# Solved cells listed by key in the warning (the check's metadata: the data team's)
LISTED_CELLS = 100


def _solved_cell_warnings(conn, table: str, rules: SmallCells, count: str) -> list[dict]:
    """The suppressed cells of ``count`` that the declared totals give back exactly, as
    an attacker who knows every total and the published cells would solve them (one
    equation per group: its total less its published cells is the sum of its suppressed
    cells). Reads which cells are empty, no count. A cell alone in a group is its own
    total (the macro's stated limit) and is not listed, but its equation counts: knowing
    it, the cells that share its other groups may be solved."""
    suppressed, groups, alone = _suppressed_groups(conn, table, rules, count)
    if not suppressed:
        return []
    solved, unaudited = solved_cells(len(suppressed), groups)
    solved = [cell for cell in solved if cell not in alone]
    keys = [
        ", ".join(f"{d}={v}" for d, v in zip(rules.dimensions, suppressed[cell], strict=True))
        for cell in solved[:LISTED_CELLS]
    ]
    along = ", ".join(t.label for t in rules.totals_along)
    warnings = []
    if solved:
        warnings.append(
            {
                "column": count,
                "rows": len(solved),
                "example": keys[0],
                "cells": keys,
                "rule": f"a suppressed cell the totals along {along} give back exactly (the "
                "groups' totals less their other cells, taken together)",
                # in the gate's summary (public: no cell named)
                "said": f"{count}: {_cells(len(solved))} the declared totals give back "
                "exactly, taken together",
            }
        )
    if unaudited:
        warnings.append(
            {
                "column": count,
                "rows": unaudited,
                "rule": "not audited for cells the totals give back together: suppressed "
                f"cells joined in chains of groups over {MAX_AUDITED_CELLS:,} cells",
                "said": f"{count}: {_cells(unaudited)} not audited (chains over "
                f"{MAX_AUDITED_CELLS:,} cells)",
            }
        )
    return warnings


def _cells(count: int) -> str:
    return f"{count:,} suppressed cell{'s' if count != 1 else ''}"


def _suppressed_groups(conn, table, rules: SmallCells, count: str):
    """(each suppressed cell's key, [the cells of one group: a list of cell indexes] for
    every group along every declared total that holds a suppressed cell, the cells alone
    in a group: their own total, which no suppression can protect)."""
    keys = [quote(d) for d in rules.dimensions]
    groups_sql = []
    for total in rules.totals_along:
        partition = [quote(d) for d in rules.dimensions if d != total.dimension]
        partition += [total.within] if total.within else []
        over = f"PARTITION BY {', '.join(partition)}" if partition else ""
        groups_sql.append(f"{total.within or 'NULL'}, count(*) OVER ({over})")
    rows = conn.execute(
        f"SELECT * FROM (SELECT {', '.join(keys)}, {', '.join(groups_sql)}, "
        f"{quote(count)} IS NULL AS _suppressed FROM {table}) WHERE _suppressed ORDER BY ALL"
    ).fetchall()
    width = len(keys)
    suppressed = [row[:width] for row in rows]
    groups: dict[tuple, list[int]] = {}
    alone = set()
    for index, row in enumerate(rows):
        for position, total in enumerate(rules.totals_along):
            split, size = row[width + 2 * position : width + 2 * position + 2]
            if size < 2:
                alone.add(index)
            others = tuple(
                value
                for d, value in zip(rules.dimensions, row[:width], strict=True)
                if d != total.dimension
            )
            groups.setdefault((position, others, split), []).append(index)
    return suppressed, list(groups.values()), alone
