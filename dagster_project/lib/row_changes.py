"""What changed between two exports of a published model: rows and columns.

DuckDB compares the Parquet file of the last publication with the new export, so the cost
is one scan of each file, never a Python loop over rows. Rows are matched by the
dataset's key (``Dataset.key_columns``): a key only in the new file is added, only in
the old one removed, in both with a different value in a column both files have is
changed. A dataset without a key is compared by whole rows (a multiset difference): an
edited row counts as one removed and one added, since nothing says it is "the same" row.
Columns added or removed are reported apart and do not make every row "changed".

The portal's DataStore load needs the same difference as files (the rows to upsert, the
keys to delete). When both exports have the same columns, :func:`key_difference` makes
them once and remembers them for the two files (by inode, size and modification time):
the version's counts and the DataStore's delta of one publication are one comparison,
not two (each a scan of both files: 10M rows, several seconds). The last publication's
export is kept as hard links (``files.keep_as``), so "the same old file" is a fact the
file system tells.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from .warehouse import connect, literal, quote


@dataclass(frozen=True)
class ChangedRow:
    """One row that the next publication adds, changes or removes."""

    kind: str  # added | changed | removed
    key: dict[str, Any]  # the key columns' values (every column when there is no key)
    values: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # column: (old, new)


@dataclass(frozen=True)
class RowChanges:
    added: int
    changed: int
    removed: int
    rows: int  # in the new export
    columns_added: tuple[str, ...] = ()
    columns_removed: tuple[str, ...] = ()
    # the first ``detail`` changed rows, when asked for (publish-plan lists them)
    details: tuple[ChangedRow, ...] = ()

    @property
    def data_changed(self) -> bool:
        return bool(self.added or self.changed or self.removed) or self.columns_changed

    @property
    def columns_changed(self) -> bool:
        return bool(self.columns_added or self.columns_removed)

    def summary(self) -> str:
        text = f"+{self.added} added, ~{self.changed} changed, -{self.removed} removed"
        if self.columns_added:
            text += f"; columns added: {', '.join(self.columns_added)}"
        if self.columns_removed:
            text += f"; columns removed: {', '.join(self.columns_removed)}"
        return text


@dataclass(frozen=True)
class KeyDifference:
    """Rows of ``new`` not in ``old`` (added or changed, whole), and keys gone."""

    added: int
    changed: int
    removed: int
    upserts: Path  # Parquet: the added and changed rows, as in the new export
    deletes: Path  # Parquet: the keys removed

    @property
    def size(self) -> int:
        return self.added + self.changed + self.removed


_KEY_DIFFERENCES: dict[tuple, KeyDifference] = {}
# One difference made at a time: a publication compares on one thread (the version)
# while its DataStore load asks on another; the second waits and takes the first's. The
# load holds it until it has sent the files (``difference_files_held``): a comparison
# against another old file (after a version that only changed the dictionary) writes
# the same file names.
_MAKING = threading.RLock()


def difference_files_held():
    """Hold the difference files (``key_difference``'s upserts and deletes) for as long
    as they are read: no other thread's comparison rewrites them meanwhile."""
    return _MAKING


def _identity(path: Path) -> tuple:
    stat = path.stat()
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def key_difference(old: Path, new: Path, keys: list[str], work_dir: Path) -> KeyDifference:
    """Rows added, changed and removed from ``old`` to ``new`` (Parquet files with the
    same columns), by ``keys`` (unique and never null in both); the upserts and deletes
    written in ``work_dir`` as Parquet (fast to write; the DataStore load makes its CSV
    only when it sends them). Asked again for the same two files (the DataStore after
    the version), the answer is the one already made, while its files are still there."""
    with _MAKING:
        return _key_difference(old, new, keys, work_dir)


def _key_difference(old: Path, new: Path, keys: list[str], work_dir: Path) -> KeyDifference:
    memo_key = (_identity(old), _identity(new), tuple(keys), str(work_dir))
    known = _KEY_DIFFERENCES.get(memo_key)
    if known is not None and known.upserts.exists() and known.deletes.exists():
        return known
    conn = connect()
    try:
        key_list = ", ".join(quote(c) for c in keys)
        conn.execute(f"CREATE VIEW new AS SELECT * FROM read_parquet({literal(str(new))})")
        conn.execute(f"CREATE VIEW old AS SELECT * FROM read_parquet({literal(str(old))})")
        conn.execute("CREATE TABLE upserts AS SELECT * FROM new EXCEPT SELECT * FROM old")
        conn.execute(
            f"CREATE TABLE deletes AS SELECT {key_list} FROM old EXCEPT SELECT {key_list} FROM new"
        )
        (added,) = conn.execute(
            f"SELECT count(*) FROM (SELECT {key_list} FROM upserts "
            f"EXCEPT SELECT {key_list} FROM old)"
        ).fetchone()
        (upserted,) = conn.execute("SELECT count(*) FROM upserts").fetchone()
        (removed,) = conn.execute("SELECT count(*) FROM deletes").fetchone()
        upserts, deletes = work_dir / "delta_upserts.parquet", work_dir / "delta_deletes.parquet"
        for table, path in (("upserts", upserts), ("deletes", deletes)):
            conn.execute(f"COPY {table} TO {literal(str(path))} (FORMAT parquet)")
    finally:
        conn.close()
    difference = KeyDifference(added, upserted - added, removed, upserts, deletes)
    _KEY_DIFFERENCES.clear()  # one publication at a time: keep the last only
    _KEY_DIFFERENCES[memo_key] = difference
    return difference


def has_empty_key(conn, keys: list[str], views: tuple[str, ...]) -> bool:
    """Whether a key column is empty in a row of any of ``views`` (tables or views).
    Each key column is unique (the quality gate checks it before anything publishes), so
    with no empty key a key names one row, and the whole-row difference counts what the
    by-key join counts. (The quality gate asks it too, before it compares on the key.)"""
    empty = " OR ".join(f"{quote(k)} IS NULL" for k in keys)
    return any(
        conn.execute(f"SELECT count(*) FROM {view} WHERE {empty}").fetchone()[0] for view in views
    )


def _columns(conn: duckdb.DuckDBPyConnection, view: str) -> dict[str, str]:
    """Column name -> type, in order."""
    return {row[0]: row[1] for row in conn.execute(f"DESCRIBE {view}").fetchall()}


def _as_text_where_retyped(conn, old: dict[str, str], new: dict[str, str]) -> None:
    """A column whose type changed (a code that became text) is compared as text on
    both sides: comparing an integer with a string would fail, and 7 and '7' are equal."""
    retyped = [c for c in new if c in old and old[c] != new[c]]
    for view in ("old", "new"):
        replace = ", ".join(f"{quote(c)}::VARCHAR AS {quote(c)}" for c in retyped)
        select = f"SELECT * REPLACE ({replace})" if retyped else "SELECT *"
        conn.execute(f"CREATE VIEW {view} AS {select} FROM {view}_file")


def compare_exports(
    old: Path | None, new: Path, key_columns: list[str], detail: int = 0
) -> RowChanges:
    """Rows and columns of ``new`` (Parquet) against ``old`` (None: a first publication,
    every row added). ``detail``: how many changed rows to return with their values."""
    conn = connect()
    try:
        conn.execute(f"CREATE VIEW new_file AS SELECT * FROM read_parquet({literal(str(new))})")
        new_columns = _columns(conn, "new_file")
        (rows,) = conn.execute("SELECT count(*) FROM new_file").fetchone()
        if old is None or not old.exists():
            return RowChanges(added=rows, changed=0, removed=0, rows=rows)
        conn.execute(f"CREATE VIEW old_file AS SELECT * FROM read_parquet({literal(str(old))})")
        old_columns = _columns(conn, "old_file")
        keys = [c for c in key_columns if c in new_columns and c in old_columns]
        same_columns = list(old_columns.items()) == list(new_columns.items())  # and order
        if (
            not detail
            and keys
            and keys == list(key_columns)
            and same_columns
            and not has_empty_key(conn, keys, ("old_file", "new_file"))
        ):
            # the common case: one comparison, which the DataStore's load reuses
            found = key_difference(old, new, keys, new.parent)
            return RowChanges(found.added, found.changed, found.removed, rows=rows)
        _as_text_where_retyped(conn, old_columns, new_columns)
        common = [c for c in new_columns if c in old_columns]
        counts, details = (
            _by_key(conn, keys, common, detail)
            if keys and len(keys) == len(key_columns)
            else _by_row(conn, common, detail)
        )
        return RowChanges(
            *counts,
            rows=rows,
            columns_added=tuple(c for c in new_columns if c not in old_columns),
            columns_removed=tuple(c for c in old_columns if c not in new_columns),
            details=tuple(details),
        )
    finally:
        conn.close()


def _by_key(conn, keys: list[str], common: list[str], detail: int):
    on = " AND ".join(f"o.{quote(k)} = n.{quote(k)}" for k in keys)
    values = [c for c in common if c not in keys]
    differs = " OR ".join(f"o.{quote(c)} IS DISTINCT FROM n.{quote(c)}" for c in values) or "false"
    key_list = ", ".join(quote(k) for k in keys)
    conn.execute(
        f"CREATE TEMP TABLE gone AS SELECT {key_list} FROM old EXCEPT SELECT {key_list} FROM new"
    )
    conn.execute(
        f"CREATE TEMP TABLE came AS SELECT {key_list} FROM new EXCEPT SELECT {key_list} FROM old"
    )
    old_select = ", ".join(f"o.{quote(c)}" for c in common)
    new_select = ", ".join(f"n.{quote(c)}" for c in common)
    conn.execute(
        f"CREATE TEMP TABLE edited AS SELECT {old_select}, {new_select} "
        f"FROM old o JOIN new n ON {on} WHERE {differs}"
    )
    (added,) = conn.execute("SELECT count(*) FROM came").fetchone()
    (removed,) = conn.execute("SELECT count(*) FROM gone").fetchone()
    (changed,) = conn.execute("SELECT count(*) FROM edited").fetchone()
    details: list[ChangedRow] = []
    if detail:
        order = key_list
        for kind, table in (("added", "came"), ("removed", "gone")):
            for row in conn.execute(
                f"SELECT * FROM {table} ORDER BY {order} LIMIT {detail}"
            ).fetchall():
                details.append(ChangedRow(kind, dict(zip(keys, row, strict=True))))
        width = len(common)
        for row in conn.execute(f"SELECT * FROM edited ORDER BY {order} LIMIT {detail}").fetchall():
            before, after = (
                dict(zip(common, row[:width], strict=True)),
                dict(zip(common, row[width:], strict=True)),
            )
            details.append(
                ChangedRow(
                    "changed",
                    {k: after[k] for k in keys},
                    {c: (before[c], after[c]) for c in values if before[c] != after[c]},
                )
            )
    return (added, changed, removed), details


def _by_row(conn, common: list[str], detail: int):
    columns = ", ".join(quote(c) for c in common)
    conn.execute(
        f"CREATE TEMP TABLE came AS SELECT {columns} FROM new EXCEPT ALL SELECT {columns} FROM old"
    )
    conn.execute(
        f"CREATE TEMP TABLE gone AS SELECT {columns} FROM old EXCEPT ALL SELECT {columns} FROM new"
    )
    (added,) = conn.execute("SELECT count(*) FROM came").fetchone()
    (removed,) = conn.execute("SELECT count(*) FROM gone").fetchone()
    details: list[ChangedRow] = []
    if detail:
        for kind, table in (("added", "came"), ("removed", "gone")):
            for row in conn.execute(
                f"SELECT * FROM {table} ORDER BY ALL LIMIT {detail}"
            ).fetchall():
                details.append(ChangedRow(kind, dict(zip(common, row, strict=True))))
    return (added, 0, removed), details
