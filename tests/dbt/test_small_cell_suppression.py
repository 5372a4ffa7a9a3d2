"""The small-cell suppression macro (dbt/macros/small_cell_suppression.sql), rendered with
Jinja as dbt would and run on DuckDB, on tables small enough to work out by hand: which
cells are suppressed (primary and complementary), what is blanked with them, and that
the privacy gate's own check (lib/gates/small_cells.py) passes what the macro made."""

from __future__ import annotations

import duckdb

from dagster_project.lib.dictionary.small_cells import parse_small_cells
from dagster_project.lib.gates.small_cells import small_cell_findings
from dagster_project.lib.small_cell_protection import register

from .small_cells_sql import suppression_sql


def _render(relation: str, declaration: dict) -> str:
    return suppression_sql(relation, parse_small_cells(declaration, city_threshold=5))


def _suppress(rows: str, declaration: dict) -> tuple[duckdb.DuckDBPyConnection, set]:
    """Run the macro over ``rows`` (a VALUES list of (r, c, n)); the suppressed cells."""
    conn = duckdb.connect()
    register(conn)  # small_cell_suppress(), as the dbt plugin registers it
    conn.execute(f"CREATE TABLE cells AS SELECT * FROM (VALUES {rows}) AS t(r, c, n)")
    conn.execute(f"CREATE TABLE published AS {_render('cells', declaration)}")
    suppressed = {
        (r, c) for r, c in conn.execute("SELECT r, c FROM published WHERE n IS NULL").fetchall()
    }
    return conn, suppressed


def _gate(conn, declaration: dict) -> list[dict]:
    return small_cell_findings(conn, "published", parse_small_cells(declaration, 5))


ALONG_C = {"dimensions": ["r", "c"], "totals_along": ["c"], "counts": [{"column": "n"}]}
BOTH = {"dimensions": ["r", "c"], "counts": [{"column": "n"}]}


def test_one_small_cell_in_a_row_takes_the_rows_smallest_other_cell_with_it():
    #        a   b   c         the row total 20 less b (10) would give a (3) back, so the
    # r1     3  10   7         smallest other cell, c (7), is suppressed with it
    # r2    20  30  40
    conn, suppressed = _suppress(
        "('r1','a',3),('r1','b',10),('r1','c',7),('r2','a',20),('r2','b',30),('r2','c',40)",
        ALONG_C,
    )
    assert suppressed == {("r1", "a"), ("r1", "c")}
    flagged = conn.execute("SELECT r, c FROM published WHERE is_suppressed").fetchall()
    assert set(flagged) == suppressed  # marked, not dropped: all 6 rows are there
    assert conn.execute("SELECT count(*) FROM published").fetchone()[0] == 6
    assert _gate(conn, ALONG_C) == []


def test_two_small_cells_in_a_row_protect_each_other():
    #        a   b   c         a + b = 6 is all the total gives: no complement needed
    # r1     2   4  50
    conn, suppressed = _suppress("('r1','a',2),('r1','b',4),('r1','c',50)", ALONG_C)
    assert suppressed == {("r1", "a"), ("r1", "b")}
    assert _gate(conn, ALONG_C) == []


def test_the_complement_is_non_zero_and_a_zero_is_published():
    #        a   b   c   d     b = 0 names no one and is published; a zero complement
    # r1     3   0   9  12     would protect nothing (a zero is often known), so c (9)
    conn, suppressed = _suppress("('r1','a',3),('r1','b',0),('r1','c',9),('r1','d',12)", ALONG_C)
    assert suppressed == {("r1", "a"), ("r1", "c")}
    assert conn.execute("SELECT n FROM published WHERE c = 'b'").fetchone()[0] == 0


def test_a_cascade_the_complement_makes_a_lone_cell_in_the_other_dimension():
    #        c1  c2  c3
    # r1      3   9  40    r1: c1 (3) is small; its row's smallest other cell c2 (9)
    # r2     12  30  50    goes with it. Column c1 then has one suppressed cell (r1):
    # r3     20  35  60    r2c1 (12) goes; column c2 too: r2c2 (30). Row r2 now has
    #                      two, every row and column two or none: a 2 x 2 rectangle.
    rows = (
        "('r1','c1',3),('r1','c2',9),('r1','c3',40),('r2','c1',12),('r2','c2',30),"
        "('r2','c3',50),('r3','c1',20),('r3','c2',35),('r3','c3',60)"
    )
    conn, suppressed = _suppress(rows, BOTH)
    assert suppressed == {("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2")}
    assert _gate(conn, BOTH) == []


def test_determined_columns_are_blanked_with_their_count_and_other_columns_kept():
    declaration = {
        "dimensions": ["r", "c"],
        "totals_along": ["c"],
        "counts": [{"column": "n", "determines": ["rate"]}],
    }
    conn = duckdb.connect()
    register(conn)
    conn.execute(
        "CREATE TABLE cells AS SELECT * FROM (VALUES ('r1','a',3,0.3,'kept'),"
        "('r1','b',10,0.5,'kept'),('r1','c',7,0.7,'kept')) AS t(r, c, n, rate, note)"
    )
    conn.execute(f"CREATE TABLE published AS {_render('cells', declaration)}")
    rows = conn.execute("SELECT c, n, rate, note, is_suppressed FROM published ORDER BY c")
    assert rows.fetchall() == [
        ("a", None, None, "kept", True),
        ("b", 10, 0.5, "kept", False),
        ("c", None, None, "kept", True),
    ]


def test_a_group_of_one_cell_is_left_as_it_is():
    # r2 has one cell only: its total is the cell itself, nothing to pair it with
    conn, suppressed = _suppress("('r1','a',30),('r1','b',10),('r2','a',4)", ALONG_C)
    assert suppressed == {("r2", "a")}
    assert _gate(conn, ALONG_C) == []


def test_a_total_within_a_quarter_takes_its_complement_from_the_same_quarter():
    # January (3) is small. A quarterly total is published elsewhere (cost per transaction
    # by quarter), so the complement must be in January's quarter: February (10), not
    # April (6), the smallest month of the service but in another quarter.
    months = "('s1','2025-01-01',3),('s1','2025-02-01',10),('s1','2025-03-01',20),"
    months += "('s1','2025-04-01',6),('s1','2025-05-01',30),('s1','2025-06-01',40)"
    quarterly = {
        "dimensions": ["r", "c"],
        "totals_along": [{"dimension": "c", "within": "date_trunc('quarter', cast(c as date))"}],
        "counts": [{"column": "n"}],
    }
    conn, suppressed = _suppress(months, quarterly)
    assert suppressed == {("s1", "2025-01-01"), ("s1", "2025-02-01")}
    assert _gate(conn, quarterly) == []
    # the whole history as the only total: the smallest other month anywhere
    assert _suppress(months, ALONG_C | {"totals_along": ["c"]})[1] == {
        ("s1", "2025-01-01"),
        ("s1", "2025-04-01"),
    }
    # and the gate, told of quarterly totals, refuses that pattern
    conn = duckdb.connect()
    conn.execute(
        f"CREATE TABLE published AS SELECT r, c, CASE WHEN c IN ('2025-01-01', '2025-04-01') "
        f"THEN NULL ELSE n END AS n, c IN ('2025-01-01', '2025-04-01') AS is_suppressed "
        f"FROM (VALUES {months}) AS t(r, c, n)"
    )
    [finding] = _gate(conn, quarterly)
    assert "along c within date_trunc('quarter', cast(c as date))" in finding["rule"]


def test_a_three_way_table_passes_the_gates_audit_of_the_totals_taken_together():
    """Months x programs x facilities with totals along all three (as recreation
    registrations are published). The macro's rounds leave every group with two
    suppressed cells, yet the totals taken together give 4 cells of this table back; its
    last step (the hypercubes) adds 3 complements, and the gate finds nothing and warns
    of nothing."""
    import random

    from dagster_project.lib.gates.small_cells import small_cell_check

    rnd = random.Random(0)
    rows = ",".join(
        f"({m}, 'p{p}', 'f{f}', {rnd.choice([0, 1, 2, 3, 4, 9, 15, 22, 30, 41, 57, 60])})"
        for m in range(1, 13)
        for p in range(6)
        for f in range(5)
    )
    declaration = {"dimensions": ["m", "p", "f"], "counts": [{"column": "n"}]}
    rules = parse_small_cells(declaration, city_threshold=5)

    def published(protect) -> tuple[duckdb.DuckDBPyConnection, int]:
        conn = duckdb.connect()
        register(conn, hypercubes=protect)  # without: the rounds alone
        conn.execute(f"CREATE TABLE cells AS SELECT * FROM (VALUES {rows}) AS t(m, p, f, n)")
        conn.execute(f"CREATE TABLE published AS {_render('cells', declaration)}")
        hidden = conn.execute("SELECT count(*) FROM published WHERE n IS NULL").fetchone()[0]
        return conn, hidden

    rounds_only, hidden_before = published(protect=False)
    findings, warnings = small_cell_check(rounds_only, "published", rules)
    assert findings == []
    assert [w["rows"] for w in warnings] == [4]
    protected, hidden_after = published(protect=True)
    assert small_cell_check(protected, "published", rules) == ([], [])
    assert hidden_after == hidden_before + 3
