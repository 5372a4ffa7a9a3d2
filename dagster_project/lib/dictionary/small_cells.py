"""Small-cell suppression as the dictionary declares it: which published counts stand for
people or their records, which columns those counts determine, and the dimensions along
which totals of the counts exist (or can be computed). One declaration per aggregate
dataset (its ``small_cells`` block) feeds both the dbt macro that suppresses
(``dbt/macros/small_cell_suppression.sql``, through the published model's meta) and the
privacy gate that checks the result (``lib/gates/small_cells.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

# Statistical agencies' usual minimum cell size; a city may raise it in city.yml.
DEFAULT_THRESHOLD = 5
DEFAULT_FLAG = "is_suppressed"
# Rounds of complementary suppression the macro unrolls; the gate fails a model that
# still has a lone suppressed cell after them (it says which group).
DEFAULT_MAX_ROUNDS = 8


@dataclass(frozen=True)
class ProtectedCount:
    column: str
    determines: tuple[str, ...] = ()  # rates, shares, sums of the same cell


@dataclass(frozen=True)
class Total:
    """The cells that differ only in ``dimension`` add up to a total someone can know;
    ``within``: an SQL expression over the row that splits those totals further (the
    quarter of a month, when quarterly totals are published elsewhere)."""

    dimension: str
    within: str | None = None

    @property
    def label(self) -> str:
        return self.dimension + (f" within {self.within}" if self.within else "")


@dataclass(frozen=True)
class SmallCells:
    threshold: int
    dimensions: tuple[str, ...]  # the cell's key
    totals_along: tuple[Total, ...]  # sums of cells that are (or can be) known
    counts: tuple[ProtectedCount, ...]
    flag: str = DEFAULT_FLAG
    max_rounds: int = DEFAULT_MAX_ROUNDS

    def groups(self) -> list[tuple[Total, tuple[str, ...]]]:
        """(the total, the dimensions that, with its ``within``, identify one group)."""
        return [
            (t, tuple(d for d in self.dimensions if d != t.dimension)) for t in self.totals_along
        ]

    def describe(self) -> str:
        """In words, for the dictionary site's reader."""
        counts = ", ".join(c.column for c in self.counts)
        determined = sorted({d for c in self.counts for d in c.determines})
        along = ", ".join(t.label for t in self.totals_along)
        return (
            f"Counts from 1 to {self.threshold - 1} ({counts}) are published empty"
            + (
                f" with the columns computed from them ({', '.join(determined)})"
                if determined
                else ""
            )
            + f", and so are complementary cells, so that no total along {along} gives one "
            f"back. Every row stays; {self.flag} marks the rows with an empty count."
        )

    def meta(self) -> dict[str, Any]:
        """What the dbt macro reads from the model's ``meta.small_cells``."""
        return {
            "threshold": self.threshold,
            "dimensions": list(self.dimensions),
            "totals_along": [
                {"dimension": t.dimension, "within": t.within} for t in self.totals_along
            ],
            "counts": [{"column": c.column, "determines": list(c.determines)} for c in self.counts],
            "flag": self.flag,
            "max_rounds": self.max_rounds,
        }


def parse_small_cells(spec: Mapping[str, Any] | None, city_threshold: int) -> SmallCells | None:
    if not spec:
        return None
    dimensions = tuple(spec["dimensions"])
    return SmallCells(
        threshold=int(spec.get("threshold", city_threshold)),
        dimensions=dimensions,
        totals_along=tuple(
            Total(t) if isinstance(t, str) else Total(t["dimension"], t.get("within"))
            for t in spec.get("totals_along", dimensions)
        ),
        counts=tuple(
            ProtectedCount(c["column"], tuple(c.get("determines", ()))) for c in spec["counts"]
        ),
        flag=spec.get("flag", DEFAULT_FLAG),
        max_rounds=int(spec.get("max_rounds", DEFAULT_MAX_ROUNDS)),
    )


SUPPRESSED_NOTE = (
    "Empty when suppressed (a small count, or a complementary cell: see the flag column)."
)


def with_suppression_notes(columns: tuple, small_cells: SmallCells | None) -> tuple:
    """Columns a suppression can empty say so: a count or a column it determines whose
    description says neither "suppressed" nor "empty when" (a KPI's definition from
    metrics.yml, say)
    gets ``SUPPRESSED_NOTE``, so the portal, the data package and the site all tell a
    reader why a cell is blank."""
    if small_cells is None:
        return columns
    affected = {c.column for c in small_cells.counts}
    affected |= {d for c in small_cells.counts for d in c.determines}
    return tuple(
        replace(column, description=f"{column.description.rstrip()} {SUPPRESSED_NOTE}")
        if column.name in affected and not _says_when_empty(column.description)
        else column
        for column in columns
    )


def _says_when_empty(description: str) -> bool:
    text = description.lower()
    return "suppress" in text or "empty when" in text


def small_cells_problems(
    name: str, small_cells: SmallCells, columns: Mapping[str, str], city_threshold: int
) -> list[str]:
    """``columns``: the dataset's column names -> declared types."""
    problems = []
    if small_cells.threshold < city_threshold:
        problems.append(
            f"{name}: small_cells.threshold {small_cells.threshold} is below the city's "
            f"{city_threshold} (city.yml small_cell_threshold); a dataset may only raise it"
        )
    named = [("dimensions", d) for d in small_cells.dimensions]
    named += [("counts", c.column) for c in small_cells.counts]
    named += [("determines", d) for c in small_cells.counts for d in c.determines]
    named.append(("flag", small_cells.flag))
    problems += [
        f"{name}: small_cells {field} names {column!r}, which is not one of the dataset's columns"
        for field, column in named
        if column not in columns
    ]
    problems += [
        f"{name}: small_cells.totals_along names {d!r}, which is not one of its dimensions "
        f"{list(small_cells.dimensions)}"
        for d in (t.dimension for t in small_cells.totals_along)
        if d not in small_cells.dimensions
    ]
    if columns.get(small_cells.flag, "boolean") != "boolean":
        problems.append(f"{name}: small_cells flag {small_cells.flag!r} must be a boolean column")
    return problems
