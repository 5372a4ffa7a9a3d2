"""A workbook's text columns as the sheet shows them, not as its cells store them.

A cell keeps a number and a display format. Read as text, every reader (DuckDB's among
them) gives the number: an id typed as 000123 into a cell formatted ``000000`` (Excel
drops the zeros of a typed number; the format shows them) loaded as "123", and a date
typed into a text column (a note, a reference, a date the contract keeps as text) as
Excel's day number "45356.60416666666". For the contract's text columns, such cells load
as the sheet shows them: "000123", "2024-03-05 14:30:00" (ISO, in the workbook's date
system). Typed columns are unchanged: a number or date column reads the stored number.

Cells merged down a column (a ward shown beside three rows, kept in the first cell
only) give each row the value as shown (``fill_merged_down``, after the formats).

Found in the sheet's XML without reading every cell: the styles whose format pads with
zeros or shows a date or a time first (``xl/styles.xml``), then one search of the
sheet's text for the cells of the text columns with one of those styles. A cell is
found as Excel and most writers write it (``<c r="B12" s="5">``, or ``t="n"`` beside);
a writer that puts the style before the reference is not searched for (those cells load
their number, as before). Elapsed-time formats (``[h]:mm``), which show a duration, are
left as numbers.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections import defaultdict
from pathlib import Path

import duckdb

from ..warehouse import quote
from .workbook_xml import _P, ATTRIBUTE, CHUNK_BYTES, EXCEL_EPOCH_1900, _sheets

# The built-in formats (ECMA-376 18.8.30) that show a date or a time (no code in the
# file). Not the East Asian ones (27-36, 50-58): dates or times depending on the locale.
BUILT_IN = {
    **dict.fromkeys((14, 15, 16, 17), "date"),
    **dict.fromkeys((18, 19, 20, 21, 45, 47), "time"),
    22: "datetime",
}
SHOWN_AS = {"date": "%Y-%m-%d", "datetime": "%Y-%m-%d %H:%M:%S", "time": "%H:%M:%S"}
_NUM_FMT = re.compile(r"<(?:\w+:)?numFmt\b([^>]*)/?>")
_CELL_XFS = re.compile(r"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", re.S)
_XF = re.compile(r"<(?:\w+:)?xf\b([^>]*)>")


def format_kind(code: str) -> tuple[str, int] | None:
    """(``date`` | ``datetime`` | ``time`` | ``zeros``, the zeros' width) for a format
    code that shows a number otherwise than its digits; None for any other. Zeros only
    for a code of zeros alone (``000000``): with literal text (``00000\\-0000``,
    ``"ID-"000``) or a condition (``[>=100]000;0``) the digits are left as they are
    rather than shown half right."""
    if re.fullmatch(r"0{2,}", code):
        return "zeros", len(code)
    # literal text, escaped characters, spacing and fill characters say nothing
    section = re.sub(r'"[^"]*"|\\.|_.|\*.', "", code.split(";")[0])
    if re.search(r"\[(h+|m+|s+)\]", section, re.IGNORECASE):
        return None  # elapsed time: a duration
    section = re.sub(r"\[[^\]]*\]", "", section).lower()  # colours, locales, conditions
    if "general" in section or re.fullmatch(r"[0#?.,%\s]*", section):
        return None
    section = section.replace("am/pm", "").replace("a/p", "")
    shows_date = any(c in section for c in "yd") or (
        "m" in section and not any(c in section for c in "hs")
    )
    shows_time = any(c in section for c in "hs")
    if shows_date and shows_time:
        return "datetime", 0
    if shows_date:
        return "date", 0
    return ("time", 0) if shows_time else None


def _styles(book: zipfile.ZipFile) -> dict[int, tuple[str, int]]:
    """Style index (a cell's ``s``) -> what its format shows, for those that matter."""
    try:
        styles = book.read("xl/styles.xml").decode("utf-8", "replace")
    except KeyError:
        return {}
    codes = {}
    for attributes in _NUM_FMT.findall(styles):
        values = dict(ATTRIBUTE.findall(attributes))
        if values.get("numFmtId", "").isdigit():
            # (the code as written: "&quot;" is a quote, not a section's end)
            codes[int(values["numFmtId"])] = html.unescape(values.get("formatCode", ""))
    cell_xfs = _CELL_XFS.search(styles)
    found = {}
    for index, attributes in enumerate(_XF.findall(cell_xfs.group(1) if cell_xfs else "")):
        number_format = dict(ATTRIBUTE.findall(attributes)).get("numFmtId", "0")
        if not number_format.isdigit():
            continue
        number_format = int(number_format)
        kind = (
            format_kind(codes[number_format])
            if number_format in codes
            else ((BUILT_IN[number_format], 0) if number_format in BUILT_IN else None)
        )
        if kind is not None:
            found[index] = kind
    return found


def displayed_cells(
    path: Path, sheet: str | None, letters: list[str]
) -> dict[tuple[str, str, int], list[int]]:
    """(column letter, kind, width) -> the sheet rows of the number cells in those
    columns whose format shows them otherwise than their digits."""
    if not letters:
        return {}
    try:
        with zipfile.ZipFile(path) as book:
            styles = _styles(book)
            listed = [s for s in _sheets(book) if sheet is None or s.name == sheet]
            if not styles or not listed or listed[0].member is None:
                return {}
            return _search(book, listed[0].member, styles, letters)
    except (zipfile.BadZipFile, KeyError, OSError, UnicodeDecodeError):
        return {}  # (the reader says what is wrong with the file)


def _search(book, member: str, styles: dict[int, tuple[str, int]], letters: list[str]):
    found: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    pending, cell = b"", None
    with book.open(member) as xml:
        while True:
            chunk = xml.read(CHUNK_BYTES)
            if cell is None:  # the cell tag as this sheet writes it ("<c", "<x:c"): a
                # pattern starting with it is searched three times faster
                tag = _CELL_TAG.search(pending + chunk)
                if tag is None and chunk:
                    pending += chunk
                    continue
                cell = _cells_pattern(tag.group(1) if tag else b"", styles, letters)
            block = pending + chunk
            # whole rows only (a cell never spans rows); the rest goes with the next chunk
            end = len(block) if not chunk else block.rfind(b"row>") + len(b"row>")
            if chunk and end < len(b"row>"):
                pending = block
                continue
            for letter, row, style in cell.findall(block, 0, end):
                kind, width = styles[int(style)]
                found[(letter.decode(), kind, width)].append(int(row))
            pending = block[end:]
            if not chunk:
                return dict(found)


_CELL_TAG = re.compile(rb"<(" + _P + rb")c r=")


def _cells_pattern(prefix: bytes, styles, letters: list[str]) -> re.Pattern:
    # a number cell: no type, or t="n" (text, a boolean, an error, an ISO date are other)
    number = rb'(?: t="n")?'
    return re.compile(
        b"<" + re.escape(prefix) + rb'c r="(' + "|".join(letters).encode() + rb')([0-9]+)"'
        + number + rb' s="(' + "|".join(str(s) for s in styles).encode() + rb')"' + number
        + rb'(?![^>]*\st=")[\s/>]'
    )  # fmt: skip


def show_as_displayed(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    path: Path,
    sheet: str | None,
    columns: dict[str, str],
    header_row: int,
    epoch: str,
) -> int:
    """Set the text of ``table``'s columns (column letter -> column name; the read
    table's ``_source_row`` is the sheet row less ``header_row``) to what the sheet shows
    for their cells formatted as dates, times or zero-padded numbers; return how many
    cells changed. ``epoch``: the day the workbook's serials count from."""
    changed = 0
    for (letter, kind, width), rows in displayed_cells(path, sheet, list(columns)).items():
        column = quote(columns[letter])
        if kind == "zeros":
            shown = (
                f"CASE WHEN regexp_full_match({column}, '[0-9]+') THEN "
                f"lpad({column}, CAST(greatest(length({column}), {width}) AS INTEGER), '0') "
                f"ELSE {column} END"
            )
        else:
            serial = f"TRY_CAST({column} AS DOUBLE)"
            # a date shows its day (the serial's whole part); a time its nearest second
            instant = (
                f"TIMESTAMP '{epoch}' + to_days(CAST(floor({serial}) AS INTEGER))"
                if kind == "date"
                else f"TIMESTAMP '{epoch}' + to_seconds(CAST(round({serial} * 86400) AS BIGINT))"
            )
            # Excel's 1900 system counts a 29 February 1900 that was not: its dates before
            # March 1900 (serials under 61) are left as numbers
            first = 0 if kind == "time" or epoch != EXCEL_EPOCH_1900 else 61
            shown = (
                f"CASE WHEN {serial} >= {first} AND {serial} < 2958466 THEN "
                f"strftime({instant}, '{SHOWN_AS[kind]}') ELSE {column} END"
            )
        (count,) = conn.execute(
            f"UPDATE {quote(table)} SET {column} = {shown} WHERE _source_row IN "
            f"(SELECT unnest(?::BIGINT[]) - {int(header_row)}) AND {column} IS DISTINCT FROM "
            f"{shown}",
            [rows],
        ).fetchone()
        changed += count
    return changed


def fill_merged_down(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    merged: tuple[str, ...],
    header_row: int,
    columns: list[str],
) -> str | None:
    """Give each row of a cell merged down a column (``B5:B10``: one value shown beside
    six rows, kept in the first cell only; read, the other five were empty) the first
    cell's value; return a note for the ledger, or None when no merged cell was among
    the rows. (Rows blank but for such a cell were deleted by the reader before: a
    spacer stays no record.) ``columns``: the read table's columns, from the sheet's column A;
    ``_source_row`` is the sheet row less ``header_row``. A cell merged across columns
    (``C7:E7``: one value over three fields) is not copied into the others: which field
    it belongs to is the first's, and the others stay empty (the note says so)."""
    from openpyxl.utils.cell import range_boundaries  # (openpyxl: only for merged cells)

    down: dict[str, list[tuple[int, int]]] = {}
    across = []
    for reference in merged:
        left, top, right, bottom = range_boundaries(reference)
        if bottom <= header_row or left > len(columns):
            continue  # a title above the header, or beyond the columns read
        if left != right:
            across.append(reference)
        if bottom > top:  # (a block merged across and down: down its first column)
            first = max(top, header_row + 1) - header_row
            down.setdefault(columns[left - 1], []).append((first, bottom - header_row))
    filled, target = 0, quote(table)
    for column, spans in down.items():
        # ranges that overlap (no Excel saves them; other writers may): the first kept
        kept: list[tuple[int, int]] = []
        for first, last in sorted(spans):
            if not kept or first > kept[-1][1]:
                kept.append((first, last))
        spans[:] = kept
        values = ", ".join(f"({first}, {last})" for first, last in spans)
        (count,) = conn.execute(
            f"UPDATE {target} SET {quote(column)} = merged.value FROM (SELECT "
            f"spans.first, spans.last, source.{quote(column)} AS value FROM (VALUES {values}) "
            f"AS spans(first, last) JOIN {target} AS source ON source._source_row = "
            f"spans.first) AS merged WHERE {target}._source_row > merged.first AND "
            f"{target}._source_row <= merged.last AND {target}.{quote(column)} IS NULL AND "
            "merged.value IS NOT NULL"
        ).fetchone()
        filled += count
    notes = []
    if filled:
        ranges = sum(len(spans) for spans in down.values())
        notes.append(
            f"merged cells: {filled:,} cell(s) of {ranges:,} range(s) merged down a column "
            "take the value the sheet shows beside them (their range's first cell)"
        )
    if across:
        notes.append(
            f"{len(across):,} range(s) merged across columns (e.g. {across[0]}): the value "
            "is the first column's (and its rows', when merged down too), the others are "
            "empty"
        )
    return "; ".join(notes) or None
