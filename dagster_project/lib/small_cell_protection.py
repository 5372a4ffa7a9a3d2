"""Complements so that no combination of a published aggregate's totals gives back a
suppressed cell: the small-cell macro's last step.

The dbt macro (``dbt/macros/small_cell_suppression.sql``) suppresses the small counts and,
round after round, a complement in every group along a declared total that holds one
suppressed cell. Two suppressed cells per group is not enough when totals run along two
or three dimensions: the groups' equations taken together can still solve a cell (an
attacker who knows every declared total has one equation per group; the privacy gate's
audit, ``lib/gates/solved_cells.py``, finds such cells). This step finds them with the
same audit and adds, for each, the complements of the hypercube method (Repsilber;
Giessing's tau-argus):

    the solved cell becomes a corner of a *hypercube* of suppressed cells: for each
    dimension along which totals are published, the cell and one other cell of its group
    along that dimension, and every combination of the two (4 cells for two dimensions,
    8 for three), all suppressed.

Why it holds: add +x and -x alternately at the corners of such a hypercube (neighbours
along an edge get opposite signs). Every group along a declared total holds either none
of its corners or exactly the two ends of one edge, so every total stays the same while
the corners change: no set of totals fixes a corner's value. (``within``, a total taken
inside a quarter say, only narrows the groups; an edge's two ends still share one.) And
suppressing more cells never makes a cell that was not solved solved (its direction of
freedom stays one), so the cells the audit passed stay protected: one audit, then the
hypercubes of the solved cells, and no cell is solved. Where the audit cannot run (a chain
of suppressed cells over ``MAX_AUDITED_CELLS``), every suppressed cell of the chain gets
its hypercube.

Which hypercube: the cheapest, in this order: the fewest zero counts newly suppressed (a
zero is often known to be zero, and a known corner lets the others be solved: never one
when another choice exists), then the smallest sum of the counts newly suppressed, then
the fewest cells newly suppressed, then the first in key order (a rebuild suppresses the
same cells). A corner already suppressed costs nothing, so hypercubes share corners.

Limits: a cell whose group along a dimension holds it alone (the total is the cell) has no
hypercube, and neither has one whose corners are not all rows of the table; both are left
to the gate, which reports them. Bounds are not protected: a suppressed cell lies between
0 and what its groups leave, a range that can be narrow.

Measured on random tables (24 months x 10 x 12, 15% small counts; tests and
/benchmarks): no cell solved after this step, under 0.4 s for 2,880 cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product

from .gates.solved_cells import MAX_AUDITED_CELLS, independent_sets, solved_in

# Other cells tried per dimension for a cell's hypercube, cheapest first: 6 x 6 x 6 corner
# sets for three dimensions keeps a table of a few thousand cells under a second.
PARTNERS_TRIED = 6


def protecting_complements(
    suppressed: Sequence[bool],
    counts: Sequence[float | None],
    coordinates: Sequence[Sequence[str]],
    group_keys: Sequence[Sequence[str]],
) -> list[int]:
    """The cells (indexes) to suppress besides ``suppressed`` so that no suppressed cell is
    solved by the declared totals. For each cell: ``counts`` its count (None: no count,
    never a complement); ``coordinates`` its value along each dimension with a declared
    total; ``group_keys`` its group along each (the other dimensions' values and the
    total's ``within``), in the same order."""
    if not coordinates or not any(suppressed):
        return []
    table = _Table(counts, coordinates, group_keys)
    hidden = {cell for cell, flag in enumerate(suppressed) if flag}
    added: list[int] = []
    for cell in sorted(_exposed(table, hidden), key=table.order):
        for corner in table.cheapest_hypercube(cell, hidden) or ():
            if corner not in hidden:
                hidden.add(corner)
                added.append(corner)
    return sorted(added)


def _exposed(table: _Table, hidden: set[int]) -> list[int]:
    """The suppressed cells the totals solve, and those of chains too long to audit."""
    order = sorted(hidden)
    index = {cell: i for i, cell in enumerate(order)}
    groups = [
        [index[c] for c in members if c in index]
        for by_key in table.members
        for members in by_key.values()
        if len(members) > 1  # a group of one is its own total: nothing protects it
    ]
    exposed = []
    for cells, equations in independent_sets(len(order), [g for g in groups if g]):
        if len(cells) > MAX_AUDITED_CELLS:
            exposed += [order[c] for c in cells]
        else:
            exposed += [order[c] for c in solved_in(cells, equations)]
    return exposed


class _Table:
    """The cells' indexes: by (dimension, group, coordinate) to move a corner along a
    dimension, and each group's members."""

    def __init__(self, counts, coordinates, group_keys):
        self.counts, self.coordinates, self.group_keys = counts, coordinates, group_keys
        self.dimensions = len(coordinates[0])
        self.by_position: list[dict[tuple[str, str], int]] = [{} for _ in range(self.dimensions)]
        self.members: list[dict[str, list[int]]] = [{} for _ in range(self.dimensions)]
        for cell in range(len(coordinates)):
            for d in range(self.dimensions):
                key = group_keys[cell][d]
                self.by_position[d][(key, coordinates[cell][d])] = cell
                self.members[d].setdefault(key, []).append(cell)

    def order(self, cell: int) -> tuple:
        return tuple(self.coordinates[cell]) + tuple(self.group_keys[cell])

    def cheapest_hypercube(self, cell: int, hidden: set[int]) -> list[int] | None:
        return _cheapest_hypercube(
            cell, self.dimensions, hidden, self.counts, self.coordinates, self.group_keys,
            self.by_position, self.members,
        )  # fmt: skip


def _cheapest_hypercube(  # noqa: PLR0913 (the table's indexes, handed on)
    cell, dimensions, hidden, counts, coordinates, group_keys, by_position, members
) -> list[int] | None:
    """The corners of the cheapest hypercube on ``cell`` (None: it has none)."""

    def cost(other: int) -> tuple:
        if other in hidden:
            return (0, 0.0, 0)
        count = counts[other]
        return (1 if count == 0 else 0, count or 0.0, 1)

    partners: list[list[str]] = []
    for d in range(dimensions):
        group = members[d][group_keys[cell][d]]
        others = [o for o in group if o != cell and (counts[o] is not None or o in hidden)]
        if not others:
            return None  # alone in its group along d: its total is the cell itself
        others.sort(key=lambda o: (cost(o), coordinates[o][d]))
        partners.append([coordinates[o][d] for o in others[:PARTNERS_TRIED]])
    best, best_cost = None, None
    for choice in product(*partners):
        corners = _corners(cell, choice, dimensions, coordinates, group_keys, by_position)
        if corners is None:
            continue  # a corner is not a published row
        total = [0, 0.0, 0]
        for corner in corners:
            if counts[corner] is None and corner not in hidden:
                break  # a row without a count cannot be a complement
            zero, amount, new = cost(corner)
            total[0] += zero
            total[1] += amount
            total[2] += new
        else:
            ranked = (tuple(total), choice)
            if best_cost is None or ranked < best_cost:
                best, best_cost = corners, ranked
    return best


def _corners(cell, choice, dimensions, coordinates, group_keys, by_position) -> list[int] | None:
    """The hypercube's cells: ``cell`` moved, along each dimension in turn, to the chosen
    coordinate or not (2^dimensions cells), or None when one is not in the table."""
    corners = [cell]
    for d in range(dimensions):
        moved = []
        for corner in corners:
            other = by_position[d].get((group_keys[corner][d], choice[d]))
            if other is None:
                return None
            moved.append(other)
        corners += moved
    return corners


def small_cell_protect(
    cell_ids: list[int] | None,
    suppressed: list[bool] | None,
    counts: list[float | None] | None,
    coordinates: list[list[str]] | None,
    group_keys: list[list[str]] | None,
) -> list[int]:
    """The DuckDB function's body: the ids of the cells to suppress besides."""
    if not cell_ids:
        return []
    picked = protecting_complements(suppressed, counts, coordinates, group_keys)
    return sorted(cell_ids[i] for i in picked)


def register(conn) -> None:
    """Make ``small_cell_protect(ids, suppressed, counts, coordinates, group_keys)``
    callable in SQL on ``conn`` (and its cursors): the macro aggregates a table's cells
    into lists, one call per protected count."""
    from duckdb import list_type
    from duckdb.sqltypes import BIGINT, BOOLEAN, DOUBLE, VARCHAR

    text_lists = list_type(list_type(VARCHAR))
    conn.create_function(
        "small_cell_protect",
        small_cell_protect,
        [list_type(BIGINT), list_type(BOOLEAN), list_type(DOUBLE), text_lists, text_lists],
        list_type(BIGINT),
        type="native",
        side_effects=False,
    )
