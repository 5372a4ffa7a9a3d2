"""Rows and columns that changed between two exports, computed by DuckDB."""

from __future__ import annotations

import duckdb

from dagster_project.lib.row_changes import compare_exports


def parquet(path, rows, columns="permit VARCHAR, value INTEGER, note VARCHAR"):
    conn = duckdb.connect()
    conn.execute(f"CREATE TABLE t ({columns})")
    if rows:
        marks = ", ".join("?" for _ in rows[0])
        conn.executemany(f"INSERT INTO t VALUES ({marks})", rows)
    conn.execute(f"COPY t TO '{path}' (FORMAT parquet)")
    conn.close()
    return path


def test_a_first_publication_adds_every_row(tmp_path):
    new = parquet(tmp_path / "new.parquet", [("A", 1, "x"), ("B", 2, None)])
    changes = compare_exports(None, new, ["permit"])
    assert (changes.added, changes.changed, changes.removed, changes.rows) == (2, 0, 0, 2)


def test_rows_added_changed_and_removed_by_key_with_their_values(tmp_path):
    old = parquet(tmp_path / "old.parquet", [("A", 1, "x"), ("B", 2, None), ("C", 3, "z")])
    new = parquet(tmp_path / "new.parquet", [("A", 1, "x"), ("B", 2, "now set"), ("D", 4, "d")])
    changes = compare_exports(old, new, ["permit"], detail=10)
    assert (changes.added, changes.changed, changes.removed) == (1, 1, 1)
    assert changes.summary() == "+1 added, ~1 changed, -1 removed"
    shown = {(r.kind, r.key["permit"]): r.values for r in changes.details}
    assert shown == {
        ("added", "D"): {},
        ("removed", "C"): {},
        ("changed", "B"): {"note": (None, "now set")},  # a null that became a value counts
    }
    assert not compare_exports(new, new, ["permit"]).data_changed


def test_a_new_column_is_reported_apart_and_does_not_change_every_row(tmp_path):
    old = parquet(tmp_path / "old.parquet", [("A", 1, "x")])
    new = parquet(
        tmp_path / "new.parquet",
        [("A", 1, 7)],
        "permit VARCHAR, value INTEGER, ward INTEGER",
    )
    changes = compare_exports(old, new, ["permit"])
    assert (changes.added, changes.changed, changes.removed) == (0, 0, 0)
    assert (changes.columns_added, changes.columns_removed) == (("ward",), ("note",))
    assert changes.data_changed


def test_without_a_key_rows_are_compared_whole_and_duplicates_count(tmp_path):
    old = parquet(tmp_path / "old.parquet", [("A", 1, "x"), ("A", 1, "x"), ("B", 2, "y")])
    new = parquet(tmp_path / "new.parquet", [("A", 1, "x"), ("B", 2, "y2"), ("C", 3, "z")])
    changes = compare_exports(old, new, [], detail=10)
    # one duplicate gone, B edited (= one removed + one added), C new
    assert (changes.added, changes.changed, changes.removed) == (2, 0, 2)
    assert sorted((r.kind, r.key["note"]) for r in changes.details) == [
        ("added", "y2"), ("added", "z"), ("removed", "x"), ("removed", "y"),
    ]  # fmt: skip


def test_a_column_whose_type_changed_is_compared_as_text(tmp_path):
    old = parquet(tmp_path / "old.parquet", [("A", 7, "x"), ("B", 8, "y")])
    new = parquet(
        tmp_path / "new.parquet",
        [("A", "7", "x"), ("B", "8b", "y")],
        "permit VARCHAR, value VARCHAR, note VARCHAR",
    )
    changes = compare_exports(old, new, ["permit"], detail=5)
    assert (changes.added, changes.changed, changes.removed) == (0, 1, 0)
    assert changes.details[0].values == {"value": ("8", "8b")}


def test_the_version_and_the_datastore_share_one_comparison(tmp_path):
    """Same columns: the version's counts (no details asked) are the key difference the
    DataStore load sends, made once for the two files (the last publication's export is
    kept as a hard link, so the DataStore's snapshot is the very same file)."""
    import os

    from dagster_project.lib.row_changes import key_difference

    old = parquet(tmp_path / "history.parquet", [("A", 1, "x"), ("B", 2, None), ("C", 3, "z")])
    os.link(old, tmp_path / "sent.parquet")
    new = parquet(tmp_path / "new.parquet", [("A", 1, "x"), ("B", 2, "now set"), ("D", 4, "d")])
    by_key = compare_exports(old, new, ["permit"], detail=10)  # the detailed comparison
    shared = compare_exports(old, new, ["permit"])
    assert (shared.added, shared.changed, shared.removed, shared.rows) == (1, 1, 1, 3)
    assert (shared.added, shared.changed, shared.removed) == (
        by_key.added,
        by_key.changed,
        by_key.removed,
    )
    first = key_difference(tmp_path / "sent.parquet", new, ["permit"], tmp_path)
    assert key_difference(old, new, ["permit"], tmp_path) is first  # not computed again
    conn = duckdb.connect()
    assert conn.execute(f"FROM '{first.upserts}' ORDER BY ALL").fetchall() == [
        ("B", 2, "now set"),
        ("D", 4, "d"),
    ]
    assert conn.execute(f"FROM '{first.deletes}'").fetchall() == [("C",)]


def test_a_key_left_empty_is_compared_by_the_join_not_the_whole_row(tmp_path):
    """An empty key names no row: the comparison of the version takes the by-key path
    (its counts are those publish-plan shows), not the shared whole-row difference."""
    old = parquet(tmp_path / "old.parquet", [("A", 1, "x"), (None, 2, "y")])
    new = parquet(tmp_path / "new.parquet", [("A", 1, "x"), (None, 3, "y")])
    from dataclasses import replace

    detailed = compare_exports(old, new, ["permit"], detail=10)
    assert compare_exports(old, new, ["permit"]) == replace(detailed, details=())
