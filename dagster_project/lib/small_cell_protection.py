"""The small-cell macro's complements, as a DuckDB function: the rounds of complements
along each declared total, then those that the totals taken together still need.

``dbt/macros/small_cell_suppression.sql`` marks the small counts (primary suppression)
and hands the table's cells to ``small_cell_suppress``, which adds:

1. **Rounds** (the algorithm of data_dictionary/README.md, "Aggregates and small
   cells"): a group along a declared total that holds exactly one suppressed cell gives
   it back (total minus the others), so its cheapest other cell is suppressed too: not
   a zero when another is there, then the smallest count, then the first by the
   dimensions' order (the cells come in that order). One dimension at a time, each step
   on the last one's result, for ``max_rounds`` rounds, which end the cascades of the
   city's tables. A round that suppresses nothing ends them early: the next one would
   see the same table. (Until the scale-20 city's benchmark, the rounds were SQL: one
   materialised step per round and dimension, 24 for a 3-way table, 0.5-0.8 s a table
   whatever its size; the same steps here take milliseconds.)
2. **Hypercubes**: the cells that the groups' totals, solved together, give back.
3. **Wide enough** (``widening_complements``): a group holding a small count whose
   suppressed cells together count less than the threshold tells that each of them is
   small (at most their sum: two small counts of 1 and 2 that complement each other
   show a range of 0-3). The group's cheapest other cell that brings the sum to the
   threshold is suppressed too (the largest, and on, when none does alone); the rounds
   and the hypercubes then run again for the cells this added, until a pass adds nothing.

Two suppressed cells per group is not enough when totals run along two or three
dimensions: the groups' equations taken together can still solve a cell (an attacker
who knows every declared total has one equation per group; the privacy gate's audit,
``lib/gates/solved_cells.py``, finds such cells). This step finds them with the same
audit and adds, for each, the complements of the hypercube method (Repsilber; Giessing's
tau-argus):

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
zero is often known to be zero, and a known corner lets the others be solved), then the
smallest sum of the counts newly suppressed, then the fewest cells newly suppressed, then
the first by the partners' values as text (a rebuild suppresses the same cells). A corner
already suppressed costs nothing, so hypercubes share corners. The 6 cheapest partners
along each dimension are tried first, all of them when those make none (a sparse table).

Limits: a cell whose group along a dimension holds it alone (the total is the cell) has no
hypercube, and neither has one whose corners are not all rows of the table; both are left
to the gate, which warns of them. A hypercube takes a zero only when no other exists: the
audit counts a suppressed zero as unknown, but if the public knows it is zero, that
hypercube protects less. Bounds are protected along each group (step 3): as far as any
one declared total tells, a small count may be anything from 0 to the threshold. The
totals taken together can narrow that range further. The tests measure it as an
attacker would (an integer programme per small count): in random two-way tables every
range reaches the threshold; in three-way tables a few do not (a 12 x 6 x 5 table: 4 of
its 65 small counts, 12 without step 3; a sparse 12 x 9 x 9 one: 20 of 111, 108
without). Suppressing until no range is narrow (tau-argus's protection levels) was tried:
one more pass protected every one, at 25% more suppressed cells and 15 s for the sparse
table without splitting it into independent parts; not done.

Measured (tests/dagster_project/lib/test_small_cell_protection.py): on random tables of
up to 24 x 10 x 12 cells, 15% of them small counts and up to 20% of the combinations
without a row, no cell is solved after this step; 4,320 cells take under a second. With
60% of the combinations missing, the cells left solved are those alone in a group.
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
    """The suppressed cells the totals solve, and those of chains too long to audit. The
    equations are the gate's (``gates/small_cells.py``): a group of one cell counts too,
    since it is its own total and knowing it can solve the cells of its other groups."""
    order = sorted(hidden)
    index = {cell: i for i, cell in enumerate(order)}
    groups = [
        [index[c] for c in members if c in index]
        for by_key in table.members
        for members in by_key.values()
    ]
    exposed = []
    for cells, equations in independent_sets(len(order), [g for g in groups if g]):
        if len(cells) > MAX_AUDITED_CELLS:
            exposed += [order[c] for c in cells]
        else:
            exposed += [order[c] for c in solved_in(cells, equations)]
    return exposed


def _text_order(value: str | None) -> tuple[bool, str]:
    """A coordinate or key in sort order (a dimension's NULL, published as empty, last)."""
    return (value is None, value or "")


class _Table:
    """The cells' indexes: by (dimension, group, coordinate) to move a corner along a
    dimension, and each group's members."""

    def __init__(self, counts, coordinates, group_keys):
        self.counts, self.coordinates, self.group_keys = counts, coordinates, group_keys
        self.dimensions = len(coordinates[0])
        self.by_position: list[dict[tuple, int]] = [{} for _ in range(self.dimensions)]
        self.members: list[dict[str, list[int]]] = [{} for _ in range(self.dimensions)]
        for cell in range(len(coordinates)):
            for d in range(self.dimensions):
                key = group_keys[cell][d]
                self.by_position[d][(key, coordinates[cell][d])] = cell
                self.members[d].setdefault(key, []).append(cell)

    def order(self, cell: int) -> tuple:
        return tuple(map(_text_order, [*self.coordinates[cell], *self.group_keys[cell]]))

    def cheapest_hypercube(self, cell: int, hidden: set[int]) -> list[int] | None:
        """The corners of the cheapest hypercube on ``cell`` (None: it has none): among
        the ``PARTNERS_TRIED`` cheapest partners along each dimension, then, if none of
        those make one (a sparse table), among all of them."""
        partners = self._partners(cell, hidden)
        if partners is None:
            return None  # alone in its group along a dimension: the total is the cell
        tried = [p[:PARTNERS_TRIED] for p in partners]
        best = self._cheapest(cell, tried, hidden)
        if best is None and tried != partners:
            best = self._cheapest(cell, partners, hidden)
        return best

    def _partners(self, cell: int, hidden: set[int]) -> list[list] | None:
        """Along each dimension, the other coordinates of the cell's group, cheapest first
        (a cell without a count is never a complement)."""
        partners = []
        for d in range(self.dimensions):
            group = self.members[d][self.group_keys[cell][d]]
            others = [o for o in group if o != cell and (self.counts[o] is not None or o in hidden)]
            if not others:
                return None
            others.sort(key=lambda o: (self._cost(o, hidden), _text_order(self.coordinates[o][d])))
            partners.append([self.coordinates[o][d] for o in others])
        return partners

    def _cost(self, cell: int, hidden: set[int]) -> tuple[int, float, int]:
        """(a zero newly suppressed, the count newly suppressed, a cell newly suppressed)."""
        if cell in hidden:
            return (0, 0.0, 0)
        count = self.counts[cell]
        return (1 if count == 0 else 0, count or 0.0, 1)

    def _cheapest(self, cell: int, partners: list[list], hidden: set[int]) -> list[int] | None:
        best, best_rank = None, None
        for choice in product(*partners):
            corners = self._corners(cell, choice)
            if corners is None or any(self.counts[c] is None and c not in hidden for c in corners):
                continue  # a corner is not a row of the table, or has no count
            costs = [self._cost(c, hidden) for c in corners]
            rank = (
                tuple(sum(column) for column in zip(*costs, strict=True)),
                tuple(map(_text_order, choice)),
            )
            if best_rank is None or rank < best_rank:
                best, best_rank = corners, rank
        return best

    def _corners(self, cell: int, choice: tuple) -> list[int] | None:
        """The hypercube's cells: ``cell`` moved, along each dimension in turn, to the
        chosen coordinate or not (2^dimensions cells; fewer when a dimension is declared
        twice, say a month total and a quarter's), or None when one is not in the table."""
        corners = [cell]
        for d in range(self.dimensions):
            moved = []
            for corner in corners:
                other = self.by_position[d].get((self.group_keys[corner][d], choice[d]))
                if other is None:
                    return None
                moved.append(other)
            corners += moved
        return list(dict.fromkeys(corners))


def _groups_by_dimension(group_keys: Sequence[Sequence[str]]) -> list[list[list[int]]]:
    """Along each dimension, its groups: the cells (indexes) that share a group key."""
    dimensions = len(group_keys[0]) if group_keys else 0
    groups: list[list[list[int]]] = []
    for d in range(dimensions):
        by_key: dict[str, list[int]] = {}
        for cell, keys in enumerate(group_keys):
            by_key.setdefault(keys[d], []).append(cell)
        groups.append(list(by_key.values()))
    return groups


def complement_rounds(
    suppressed: Sequence[bool],
    counts: Sequence[float | None],
    group_keys: Sequence[Sequence[str]],
    max_rounds: int,
) -> list[bool]:
    """Step 1 of the module's docs: each cell's flag after the rounds of complements.
    The cells come in the order of the table's dimensions (a tie is broken by it)."""
    hidden = list(suppressed)
    groups = _groups_by_dimension(group_keys)

    def cheapest(cell: int) -> tuple:
        count = counts[cell]
        if hidden[cell] or count is None:
            return (2, 0.0, cell)  # never the complement
        return (1 if count == 0 else 0, count, cell)

    for _ in range(max_rounds):
        changed = False
        for members in groups:  # one step: each group on the flags the last step left
            picks = []
            for group in members:
                if sum(hidden[c] for c in group) == 1:
                    best = min(group, key=cheapest)
                    if not hidden[best] and counts[best] is not None:
                        picks.append(best)
            for cell in picks:
                hidden[cell] = True
            changed = changed or bool(picks)
        if not changed:
            break  # the next round would see the same table
    return hidden


def widening_complements(
    small: Sequence[bool],
    hidden: list[bool],
    counts: Sequence[float | None],
    group_keys: Sequence[Sequence[str]],
    threshold: float,
) -> list[int]:
    """Step 3 of the module's docs: the cells to suppress (also set in ``hidden``) so
    that in every group holding a ``small`` count, the suppressed cells together count
    at least ``threshold``: the smallest other cell that gets there, else the largest
    and on. A group whose cells together count less than the threshold cannot be
    widened: its total is a small count itself (the gate's and the total's business)."""
    added: list[int] = []
    groups = _groups_by_dimension(group_keys)
    # a cell alone in a group along some dimension is its own total: known, suppressed
    # or not, so it neither counts in a sum nor widens one
    alone = {group[0] for by_dimension in groups for group in by_dimension if len(group) == 1}
    for by_dimension in groups:
        for group in by_dimension:
            if not any(small[c] for c in group):
                continue
            held = sum(counts[c] or 0.0 for c in group if hidden[c] and c not in alone)
            others = sorted(
                (c for c in group if not hidden[c] and c not in alone and (counts[c] or 0.0) > 0),
                key=lambda c: (counts[c], c),
            )
            while held < threshold and others:
                pick = next((c for c in others if held + counts[c] >= threshold), others[-1])
                others.remove(pick)
                hidden[pick] = True
                added.append(pick)
                held += counts[pick]
    return added


def suppressed_cells(
    cell_ids: list[int] | None,
    suppressed: list[bool] | None,
    counts: list[float | None] | None,
    coordinates: list[list[str]] | None,
    group_keys: list[list[str]] | None,
    max_rounds: int | None,
    threshold: float | None = None,
    hypercubes: bool = True,
) -> list[int]:
    """The DuckDB function's body: the ids of every cell to suppress (the small counts
    given, their complements of the rounds, those of the hypercubes, and, given the
    ``threshold``, those that widen a group's suppressed sum to it; see the module's
    docs). Each pass only adds cells, so the loop ends."""
    if not cell_ids:
        return []
    hidden = complement_rounds(suppressed, counts, group_keys, max_rounds or 0)
    while True:
        if hypercubes:
            for cell in protecting_complements(hidden, counts, coordinates, group_keys):
                hidden[cell] = True
        if threshold is None or not widening_complements(
            suppressed, hidden, counts, group_keys, threshold
        ):
            break
        hidden = complement_rounds(hidden, counts, group_keys, max_rounds or 0)
    return sorted(cell_ids[i] for i, flag in enumerate(hidden) if flag)


def register(conn, hypercubes: bool = True) -> None:
    """Make ``small_cell_suppress(ids, suppressed, counts, coordinates, group_keys,
    max_rounds, threshold)`` callable in SQL on ``conn`` (and its cursors): the macro aggregates a
    table's cells into lists in the order of its dimensions, one call per protected
    count. ``hypercubes=False``: without the hypercubes (the rounds and the widening;
    tests compare)."""
    from duckdb import list_type
    from duckdb.sqltypes import BIGINT, BOOLEAN, DOUBLE, INTEGER, VARCHAR

    def body(ids, flags, amounts, cell_coordinates, keys, rounds, threshold):
        return suppressed_cells(
            ids, flags, amounts, cell_coordinates, keys, rounds, threshold, hypercubes
        )

    text_lists = list_type(list_type(VARCHAR))
    conn.create_function(
        "small_cell_suppress",
        body,
        [
            list_type(BIGINT),
            list_type(BOOLEAN),
            list_type(DOUBLE),
            text_lists,
            text_lists,
            INTEGER,
            INTEGER,
        ],
        list_type(BIGINT),
        type="native",
        side_effects=False,
    )
