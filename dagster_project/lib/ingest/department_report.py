"""The rows a department must fix, as a workbook it can open: one sheet per rule.

For each file of a source that had rows quarantined (or dropped by a named rule), the
workbook lists file, data row, column, rule, the raw value as received and what to do.
It is kept in the data folder (``reports/<system>/``, readable by the platform's user
only: the raw values can be personal) and attached to the alert sent to the owners.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb

WHAT_TO_DO = [  # (start of the rule's words, what the department should do)
    ("required", "Fill in the value, or tell the data team the field may be empty."),
    ("type", "Correct the value to the expected type (a date, a number...) in the system."),
    ("range", "Check the value: it is outside what is plausible for this field."),
    ("length", "The value is far too long: check the export (a whole note in one cell?)."),
    ("row:", "The row is malformed in the file (fields, quotes or JSON): re-export it."),
]
HEADER = ["file", "row", "column", "rule", "value as received", "what to do", "whole record"]
MAX_ROWS_PER_SHEET = 1_000_000  # below the worksheet limit; the rest is counted


def _advice(rule: str) -> str:
    return next(
        (text for start, text in WHAT_TO_DO if rule.startswith(start)),
        "Check the value in the source system.",
    )


def _sheet_name(rule: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", rule)[:28].strip() or "rule"
    name, n = base, 2
    while name in taken:
        name, n = f"{base[:25]} {n}", n + 1
    taken.add(name)
    return name


def write_report(
    conn: duckdb.DuckDBPyConnection, system: str, sha256s: list[str], folder: Path
) -> Path | None:
    """A workbook of this run's quarantined and dropped rows of ``system``; None when
    there are none."""
    if not sha256s:
        return None
    rows = conn.execute(
        "SELECT rule, file_name, source_row, coalesce(column_name, ''), "
        "coalesce(raw_value, ''), left(coalesce(CAST(record AS VARCHAR), ''), 2000) "
        "FROM raw._quarantined_rows WHERE system = ? AND list_contains(?, sha256) UNION ALL "
        "SELECT 'dropped: ' || rule, file_name, source_row, '', left(CAST(record AS VARCHAR), "
        "2000), '' FROM raw._dropped_rows WHERE system = ? AND list_contains(?, sha256) "
        "ORDER BY 1, 2, 3",
        [system, sha256s, system, sha256s],
    ).fetchall()
    if not rows:
        return None
    # openpyxl here, for a report to write: ~0.12 s of the start of every run otherwise
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook(write_only=True)
    taken: set[str] = set()
    by_rule: dict[str, list] = {}
    for rule, *rest in rows:
        by_rule.setdefault(rule, []).append(rest)
    for rule, entries in by_rule.items():
        sheet = book.create_sheet(_sheet_name(rule, taken))
        header = [openpyxl.cell.WriteOnlyCell(sheet, value=h) for h in HEADER]
        for cell in header:
            cell.font = Font(bold=True)
        sheet.append(header)
        for file_name, row, column, value, record in entries[:MAX_ROWS_PER_SHEET]:
            sheet.append(
                [
                    _cell_text(file_name),
                    row,
                    column,
                    rule,
                    _cell_text(value),
                    "Dropped on purpose by the contract; nothing to do."
                    if rule.startswith("dropped")
                    else _advice(rule),
                    _cell_text(record),
                ]
            )
        if len(entries) > MAX_ROWS_PER_SHEET:
            sheet.append([f"... and {len(entries) - MAX_ROWS_PER_SHEET:,} more rows"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{datetime.now(UTC):%Y-%m-%dT%H%M%SZ}-{system}-rows-to-fix.xlsx"
    book.save(path)
    return path


# The control characters a worksheet refuses (openpyxl's ILLEGAL_CHARACTERS_RE, here so
# that a run without a report never imports openpyxl)
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def _cell_text(value):
    """A value as a worksheet cell can hold it: the control characters a worksheet
    refuses (a NUL in a quarantined value stopped the report being written) shown as
    ``\\x00``."""
    if not isinstance(value, str):
        return value
    return ILLEGAL_CHARACTERS.sub(lambda found: f"\\x{ord(found.group()):02x}", value)
