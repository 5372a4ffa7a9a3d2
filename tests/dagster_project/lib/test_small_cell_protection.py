"""The hypercube complements (lib/small_cell_protection.py): after them, no suppressed
cell is solved by the declared totals, checked with the privacy gate's own audit."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys

import pytest

from dagster_project.lib.gates.solved_cells import solved_cells
from dagster_project.lib.small_cell_protection import protecting_complements, suppressed_cells


def _table(sizes, seed, missing=0.0):
    """Random counts on a grid: 10% zeros, 15% from 1 to 4 (the primaries), the rest 5-60;
    ``missing``: the share of combinations with no row."""
    rnd = random.Random(seed)
    cells = []
    for coordinate in itertools.product(*[range(n) for n in sizes]):
        if rnd.random() < missing:
            continue
        draw = rnd.random()
        count = 0 if draw < 0.1 else rnd.randint(1, 4) if draw < 0.25 else rnd.randint(5, 60)
        cells.append((coordinate, count))
    return cells


def _lists(cells, within=None):
    """The function's arguments: coordinates and group keys along every dimension
    (``within``: {dimension: a function of the coordinate}, a total split further)."""
    dimensions = len(cells[0][0])
    within = within or {}
    coordinates = [[str(c[d]) for d in range(dimensions)] for c, _ in cells]
    keys = [
        [
            repr((tuple(x for i, x in enumerate(c) if i != d), within.get(d, lambda _: None)(c[d])))
            for d in range(dimensions)
        ]
        for c, _ in cells
    ]
    return [float(n) for _, n in cells], coordinates, keys


def _solved_after(cells, suppressed, keys):
    """The suppressed cells the totals still solve (a cell alone in a group excepted: no
    suppression protects it, the gate reports it apart)."""
    hidden = sorted(i for i, flag in enumerate(suppressed) if flag)
    index = {cell: i for i, cell in enumerate(hidden)}
    groups: dict = {}
    for cell, cell_keys in enumerate(keys):
        for d, key in enumerate(cell_keys):
            groups.setdefault((d, key), []).append(cell)
    # the gate's equations: a group of one cell too (it is its own total)
    equations = [[index[c] for c in g if c in index] for g in groups.values()]
    solved, unaudited = solved_cells(len(hidden), [e for e in equations if e])
    alone = {c for g in groups.values() if len(g) == 1 for c in g}
    assert unaudited == 0
    return [hidden[s] for s in solved if hidden[s] not in alone]


@pytest.mark.parametrize(
    ("sizes", "seed", "missing"),
    [((12, 8), 0, 0.0), ((24, 10, 12), 1, 0.0), ((12, 9, 9), 2, 0.0), ((6, 5, 4), 3, 0.0),
     ((24, 10, 12), 4, 0.1), ((12, 9, 9), 5, 0.2)],
)  # fmt: skip
def test_no_suppressed_cell_is_solved_after_the_hypercubes(sizes, seed, missing):
    cells = _table(sizes, seed, missing)
    counts, coordinates, keys = _lists(cells)
    primary = [1 <= n <= 4 for _, n in cells]
    assert _solved_after(cells, primary, keys)  # the small counts alone: many solved
    added = protecting_complements(primary, counts, coordinates, keys)
    suppressed = [flag or i in set(added) for i, flag in enumerate(primary)]
    assert _solved_after(cells, suppressed, keys) == []
    assert not any(primary[i] for i in added)  # complements only
    # the same cells on a rebuild
    assert protecting_complements(primary, counts, coordinates, keys) == added


def test_a_total_within_a_quarter_keeps_each_hypercube_inside_one_quarter():
    cells = _table((12, 6, 5), seed=6)
    quarter = {0: lambda month: month // 3}
    counts, coordinates, keys = _lists(cells, within=quarter)
    primary = [1 <= n <= 4 for _, n in cells]
    added = protecting_complements(primary, counts, coordinates, keys)
    suppressed = [flag or i in set(added) for i, flag in enumerate(primary)]
    assert _solved_after(cells, suppressed, keys) == []


def test_two_rectangles_joined_by_one_cell_get_the_joining_cell_protected():
    """Four months by four results, two suppressed rectangles (each protects its cells)
    joined by one more cell: every month and every result holds two suppressed cells or
    none, yet the totals give the joining cell back; its hypercube stops it, and the
    cells already protected are left as they are."""
    rectangles = {(1, 1), (1, 2), (2, 1), (2, 2), (3, 3), (3, 4), (4, 3), (4, 4)}
    cells = [((m, r), 20) for m in range(1, 5) for r in range(1, 5)]
    counts, coordinates, keys = _lists(cells)
    suppressed = [c in rectangles | {(2, 3)} for c, _ in cells]
    assert [cells[i][0] for i in _solved_after(cells, suppressed, keys)] == [(2, 3)]
    added = protecting_complements(suppressed, counts, coordinates, keys)
    assert len(added) in (1, 2)  # the joining cell's rectangle: 3 corners, 1-2 new
    after = [flag or i in set(added) for i, flag in enumerate(suppressed)]
    assert _solved_after(cells, after, keys) == []


def test_a_zero_is_never_a_complement_when_a_non_zero_cell_would_do():
    """A lone small count: along each dimension, one neighbour is 0 and another is not."""
    grid = {(0, 0): 2, (0, 1): 0, (0, 2): 30, (1, 0): 0, (1, 1): 40, (1, 2): 50,
            (2, 0): 25, (2, 1): 35, (2, 2): 45}  # fmt: skip
    cells = sorted(grid.items())
    counts, coordinates, keys = _lists(cells)
    added = protecting_complements([c == (0, 0) for c, _ in cells], counts, coordinates, keys)
    assert len(added) == 3
    assert all(counts[i] != 0 for i in added), [cells[i] for i in added]


def test_a_cell_alone_in_a_group_is_a_known_total_that_can_solve_others():
    """F1 and F3 are each in one month only: their cells are their own totals. With them
    known, the totals give (m1, F2) and (m2, F2) back, though every group of two or more
    holds two suppressed cells. {m1, m3} x {F2, F4} protects (m1, F2); (m2, F2) has no
    hypercube (m2 has no other facility than F3, which no other month has): it stays
    solved, for the gate to warn of."""
    grid = {("m1", "F1"): 2, ("m1", "F2"): 10, ("m1", "F4"): 30, ("m2", "F2"): 10,
            ("m2", "F3"): 3, ("m3", "F2"): 40, ("m3", "F4"): 40}  # fmt: skip
    cells = sorted(grid.items())
    counts, coordinates, keys = _lists(cells)
    rounds = {("m1", "F1"), ("m1", "F2"), ("m2", "F2"), ("m2", "F3")}  # what the macro hides
    suppressed = [c in rounds for c, _ in cells]
    assert {cells[i][0] for i in _solved_after(cells, suppressed, keys)} == {
        ("m1", "F2"),
        ("m2", "F2"),
    }
    added = protecting_complements(suppressed, counts, coordinates, keys)
    assert {cells[i][0] for i in added} == {("m1", "F4"), ("m3", "F2"), ("m3", "F4")}
    after = [flag or i in set(added) for i, flag in enumerate(suppressed)]
    assert [cells[i][0] for i in _solved_after(cells, after, keys)] == [("m2", "F2")]


def test_a_sparse_table_finds_the_partner_beyond_the_cheapest_six():
    """X = (0, 0): its row and column hold six cheap cells with no rectangle among them;
    the only rectangle takes the seventh of each."""
    grid = {(0, 0): 2, (0, 7): 50, (7, 0): 50, (7, 7): 50}
    grid |= {(0, j): 10 for j in range(1, 7)} | {(j, 0): 10 for j in range(1, 7)}
    cells = sorted(grid.items())
    counts, coordinates, keys = _lists(cells)
    suppressed = [c == (0, 0) for c, _ in cells]
    added = protecting_complements(suppressed, counts, coordinates, keys)
    assert {cells[i][0] for i in added} == {(0, 7), (7, 0), (7, 7)}


def test_an_empty_dimension_value_is_a_coordinate_like_any_other():
    """A NULL dimension value (a request with no ward) reaches the function as None."""
    cells = [((m, w), n) for (m, w), n in {
        ("m1", None): 2, ("m1", "W1"): 20, ("m1", "W2"): 30,
        ("m2", None): 25, ("m2", "W1"): 35, ("m2", "W2"): 45,
    }.items()]  # fmt: skip
    counts = [float(n) for _, n in cells]
    coordinates = [[m, w] for (m, w), _ in cells]
    keys = [[repr(w), repr(m)] for (m, w), _ in cells]
    added = protecting_complements([c == ("m1", None) for c, _ in cells], counts,
                                   coordinates, keys)  # fmt: skip
    assert {cells[i][0] for i in added} == {("m1", "W1"), ("m2", None), ("m2", "W1")}


def _largest_value(cell, suppressed, counts, keys):
    """The largest count an attacker who knows every declared total can give ``cell``
    (suppressed): the integer programme over the suppressed cells, each at least 0, each
    group's suppressed cells summing to what its total leaves."""
    import numpy
    from scipy.optimize import Bounds, LinearConstraint, milp

    hidden = [i for i, flag in enumerate(suppressed) if flag]
    index = {c: i for i, c in enumerate(hidden)}
    groups: dict = {}
    for c in hidden:
        for d, key in enumerate(keys[c]):
            groups.setdefault((d, key), []).append(index[c])
    rows = numpy.zeros((len(groups), len(hidden)))
    sums = numpy.zeros(len(groups))
    for row, members in enumerate(groups.values()):
        rows[row, members] = 1
        sums[row] = sum(counts[hidden[m]] for m in members)
    objective = numpy.zeros(len(hidden))
    objective[index[cell]] = -1  # maximise the cell
    found = milp(
        objective,
        constraints=LinearConstraint(rows, sums, sums),
        integrality=numpy.ones(len(hidden)),
        bounds=Bounds(0, numpy.inf),
    )
    assert found.success
    return -found.fun


def _narrow_small_counts(cells, threshold_given):
    """(the small counts checked, those the declared totals bound below 5) after the
    function, with step 3 (``threshold_given``) or without. Not checked: a small count
    alone in a group or in a group whose cells together count less than 5 (its total is
    a small count itself: no suppression inside the group can hide that)."""
    counts, coordinates, keys = _lists(cells)
    primary = [1 <= n <= 4 for _, n in cells]
    threshold = 5 if threshold_given else None
    hidden = set(suppressed_cells(list(range(len(cells))), primary, counts, coordinates, keys,
                                  8, threshold))  # fmt: skip
    suppressed = [i in hidden for i in range(len(cells))]
    groups: dict = {}
    for cell, cell_keys in enumerate(keys):
        for d, key in enumerate(cell_keys):
            groups.setdefault((d, key), []).append(cell)
    small_total = {
        c for g in groups.values() if len(g) == 1 or sum(counts[m] for m in g) < 5 for c in g
    }
    checked = [c for c, flag in enumerate(primary) if flag and c not in small_total]
    assert _solved_after(cells, suppressed, keys) == []  # the hypercubes still hold after
    return checked, [c for c in checked if _largest_value(c, suppressed, counts, keys) < 5]


@pytest.mark.parametrize(
    ("sizes", "seed", "missing"), [((12, 8), 0, 0.0), ((8, 8), 7, 0.3), ((20, 4), 8, 0.0)]
)
def test_in_a_two_way_table_every_small_count_may_be_as_large_as_the_threshold(
    sizes, seed, missing
):
    """Step 3, measured with an integer programme as an attacker who knows every declared
    total would bound each small count: in two-way tables, every range reaches the
    threshold (before step 3: 4, 4 and 2 small counts were bounded below it)."""
    cells = _table(sizes, seed, missing)
    checked, narrow = _narrow_small_counts(cells, threshold_given=True)
    assert checked and narrow == []
    assert _narrow_small_counts(cells, threshold_given=False)[1]  # it was needed


@pytest.mark.parametrize(
    ("sizes", "seed", "missing", "narrow_before", "narrow_after"),
    [((12, 6, 5), 1, 0.0, 12, 4), ((12, 9, 9), 5, 0.2, 108, 20)],
)
def test_in_a_three_way_table_step_3_narrows_fewer_small_counts(
    sizes, seed, missing, narrow_before, narrow_after
):
    """Three-way tables: the groups' sums reach the threshold, but the totals taken
    together still bound some small counts below it (12 of 65 before step 3, 4 after,
    in the first table; 108 of 111, then 20, in the sparse second). The exact protection
    (a linear programme per cell) is not computed: see the module's docs."""
    cells = _table(sizes, seed, missing)
    _, before = _narrow_small_counts(cells, threshold_given=False)
    _, after = _narrow_small_counts(cells, threshold_given=True)
    assert set(after) < set(before)
    assert (len(before), len(after)) == (narrow_before, narrow_after)  # the docs' figures


def test_two_small_counts_that_hide_each_other_get_a_third_cell():
    """A month's wards: 1 and 2 suppressed, each the other's complement, show that both
    are at most 3; the smallest cell that brings the group to 5 joins them."""
    counts = [1.0, 2.0, 9.0, 40.0, 12.0]
    coordinates = [["W1"], ["W2"], ["W3"], ["W4"], ["W5"]]
    keys = [["2026-03"]] * 5  # one group: the month's total along the wards
    primary = [True, True, False, False, False]
    ids = [0, 1, 2, 3, 4]
    assert suppressed_cells(ids, primary, counts, coordinates, keys, 8) == [0, 1]
    assert suppressed_cells(ids, primary, counts, coordinates, keys, 8, 5) == [0, 1, 2]
    # the one cell that gets the sum to 20 (40), rather than two smaller ones (9 + 12)
    assert suppressed_cells(ids, primary, counts, coordinates, keys, 8, 20) == [0, 1, 3]
    # none gets it to 60 alone: the largest, then on, until the sum is there
    assert suppressed_cells(ids, primary, counts, coordinates, keys, 8, 60) == [0, 1, 2, 3, 4]


def test_the_first_call_made_ahead_loads_what_duckdb_loads_at_a_first_call():
    """The dbt process started ahead makes the function's first call while it waits
    (cli/dbt_process.py, PythonFunctionsAhead), and hides a failure from the build: a
    change of the function's arguments would silently bring the imports back to the
    build's critical path. In a process of its own (pytest's has pandas loaded): the call
    runs, and leaves loaded what DuckDB imports at a first call (should a DuckDB release
    stop importing them, the warm-up is no longer needed)."""
    pytest.importorskip("dbt.adapters.duckdb.plugins")
    check = (
        "import sys\n"
        "from dagster_project.lib.small_cell_protection_plugin import prepare_first_call\n"
        "assert 'pandas' not in sys.modules and 'pyarrow' not in sys.modules\n"
        "prepare_first_call()\n"
        "print(sorted(m for m in ('pandas', 'pyarrow', 'numpy') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['numpy', 'pandas', 'pyarrow']"
