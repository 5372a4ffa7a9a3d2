"""Which suppressed cells of a published aggregate its declared totals give back exactly.

An attacker who knows every declared total and the published cells has one equation per
group (the group's total less its published cells is the sum of its suppressed cells).
A suppressed cell is *solved* when every solution of those equations gives it the same
value. That is linear algebra on which cells are empty, nothing else: the privacy gate
runs it on the published table (``small_cells.py``).

The dbt macro's complements give every group two suppressed cells or none, which stops
the simplest case (a lone cell: its group's total less the others) but not all: with
totals along two or three dimensions, groups taken together can still solve a cell (a
cell that joins two otherwise protected rectangles is the classic case; sparse tables,
where a program runs at few facilities, make more). A cell alone in a group is its own
total, which no suppression protects (the macro's stated limit): its equation counts,
since knowing it may solve the cells that share its other groups, but the gate does not
list it.

The macro's last step adds the complements this would ask for
(``lib/small_cell_protection.py``: a hypercube of suppressed cells round each cell this
audit solves). Tried first (December 2026): a greedy complement per solved cell (the
smallest count sharing a group with it) took the sample city's recreation table from 326
to 470 of its 538 rows suppressed and still left 12 cells solved: in a sparse three-way
table a cell can be solved with every cell of its own groups suppressed. The hypercubes
took it to 327, none solved.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# A cell is solved when its squared distance to the row space of the equations is below
# this (the distance of a cell that is not solved is a ratio of small integers' roots, far
# above it; rounding leaves ~1e-13).
ROW_SPACE_TOLERANCE = 1e-8
# An eigenvalue of AᵀA (or A Aᵀ) below this is a direction of the null space (a singular value
# under ~3e-5; those of these 0/1 matrices are far above it, or zero).
ZERO_EIGENVALUE = 1e-9
# Cells joined in one chain of groups above this are not audited (said so in a warning):
# the row space of n cells in g groups is a min(n, g)-sided eigenproblem (2,000: ~2-5 s, 32 MB).
MAX_AUDITED_CELLS = 2_000


def independent_sets(
    cell_count: int, groups: Sequence[Sequence[int]]
) -> list[tuple[list[int], list[Sequence[int]]]]:
    """The cells joined through shared groups, each set with its groups (union-find):
    sets that share no group are solved separately, a few small matrices."""
    parent = list(range(cell_count))

    def root(cell: int) -> int:
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    for group in groups:
        for cell in group[1:]:
            parent[root(cell)] = root(group[0])
    sets: dict[int, tuple[list[int], list[Sequence[int]]]] = {}
    for cell in range(cell_count):
        sets.setdefault(root(cell), ([], []))[0].append(cell)
    for group in groups:
        if group:
            sets[root(group[0])][1].append(group)
    return list(sets.values())


def solved_in(cells: Sequence[int], equations: Sequence[Sequence[int]]) -> list[int]:
    """The cells (of one independent set) whose value the equations fix: those whose unit
    vector lies in the row space of the equations A (its distance to it is zero).

    The row space comes from the eigenproblem of the smaller of A Aᵀ (equations x
    equations) and AᵀA (cells x cells): a table's suppressed cells outnumber its groups
    (the 311 performance table at scale 0.2: 1,750 cells in 689 groups, 5 s as AᵀA, 0.6 s
    as A Aᵀ), and the eigenproblem's cost grows with the cube of its side."""
    column = {cell: i for i, cell in enumerate(cells)}
    matrix = np.zeros((max(len(equations), 1), len(cells)))
    for row, group in enumerate(equations):
        matrix[row, [column[cell] for cell in group]] = 1.0
    if matrix.shape[0] < matrix.shape[1]:
        # A Aᵀ = U Λ Uᵀ: the row space's orthonormal basis is Aᵀ U Λ^-1/2 (its nonzero
        # eigenvalues)
        values, vectors = np.linalg.eigh(matrix @ matrix.T)
        kept = values > ZERO_EIGENVALUE
        basis = (matrix.T @ vectors[:, kept]) / np.sqrt(values[kept])
    else:
        # AᵀA = V Λ Vᵀ: the eigenvectors of its nonzero eigenvalues are that basis
        values, vectors = np.linalg.eigh(matrix.T @ matrix)
        basis = vectors[:, values > ZERO_EIGENVALUE]
    # a cell's squared distance to the row space: 1 less its squared projection on it
    distance = 1.0 - np.einsum("ij,ij->i", basis, basis)
    return [cell for cell in cells if distance[column[cell]] < ROW_SPACE_TOLERANCE]


def solved_cells(
    cell_count: int, groups: Sequence[Sequence[int]], max_cells: int = MAX_AUDITED_CELLS
) -> tuple[list[int], int]:
    """(the solved cells among ``cell_count`` suppressed cells, how many cells were not
    audited: those of chains over ``max_cells``); ``groups``: each group's suppressed
    cells (indexes), one equation each."""
    solved, unaudited = [], 0
    for cells, equations in independent_sets(cell_count, groups):
        if len(cells) > max_cells:
            unaudited += len(cells)
        else:
            solved += solved_in(cells, equations)
    return sorted(solved), unaudited
