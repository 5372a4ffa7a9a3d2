"""What a workbook's XML says that its cells' text does not: its sheets and which are
hidden, formula cells without their computed value, and the date system its day serials
count in.

An .xlsx file keeps each formula with the value Excel last computed for it (``<v>``). A
workbook written by a program that does not compute formulas (a script, a reporting
library: openpyxl writes ``<v />``) keeps none, and every reader, DuckDB's among them,
reads those cells as empty: an amount, a total or a date computed in the department's
sheet would load as nothing, with no error. Such a file is refused, saying which cell,
until it is opened and saved in Excel (or exported as values).

An empty ``<v></v>`` is a computed value (a formula that gave ""), not a missing one.
The sheet's XML is read in chunks and searched only where it holds a formula at all; the
same read lists its merged ranges (workbook_formats.fill_merged_down fills them down) and
its cells holding an Excel error (``t="e"``: #N/A, #REF!...), which every reader gives as
the error's text: the loader quarantines their rows.
"""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

CHUNK_BYTES = 1 << 24
# (tags may carry a namespace prefix, "<x:sheet>", as some writers put them)
_P = rb"(?:\w+:)?"
# a cell whose content is a formula and no value, or a self-closing (never computed) one
FORMULA_WITHOUT_VALUE = re.compile(
    rb"<" + _P + rb"c\b([^>]*)>\s*<" + _P + rb"f\b[^>]*(?:/>|>[^<]*</" + _P + rb"f>)\s*"
    rb"(?:<" + _P + rb"v\s*/>\s*)?</" + _P + rb"c>"
)
CELL_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
# a cell holding an Excel error (t="e": #N/A, #REF!, #DIV/0!...), its shown text in <v>
# (an attribute in single quotes too: XML allows it, and a few writers use it)
# (within its own cell: not a self-closing one, and no further than its "</c>" or the
# next "<c": an error cell without a value took the next cell's)
ERROR_CELL = re.compile(
    rb"<"
    + _P
    + rb"c\b([^>]*\bt=[\"']e[\"'][^>]*)(?<!/)>(?:(?!</"
    + _P
    + rb"c>|<"
    + _P
    + rb"c\b).)*?<"
    + _P
    + rb"v>([^<]*)</"
    + _P
    + rb"v>",
    re.S,
)
ERROR_CELL_REF = re.compile(rb"\br=[\"']([A-Z]+)([0-9]+)[\"']")
ANY_CELL = re.compile(rb"<" + _P + rb"c\b")
SHEET_TAG = re.compile(r"<(?:\w+:)?sheet\b([^>]*)/?>")
RELATIONSHIP_TAG = re.compile(r"<(?:\w+:)?Relationship\b([^>]*)/?>")
ATTRIBUTE = re.compile(r'([\w:]+)="([^"]*)"')
SHEET_HEAD_BYTES = 1 << 20  # where a sheet's first cell is, when it has one


@dataclass(frozen=True)
class Sheet:
    name: str
    visible: bool  # not hidden ("hidden", "veryHidden")
    member: str | None  # its XML in the workbook's zip; None: not a worksheet (a chart)


def sheets(path: Path) -> list[Sheet]:
    """The workbook's sheets in its order; [] when it cannot be told here (the reader
    then says what is wrong with the file)."""
    try:
        with zipfile.ZipFile(path) as book:
            return _sheets(book)
    except (zipfile.BadZipFile, KeyError, OSError, UnicodeDecodeError):
        return []


def sheets_with_cells(path: Path) -> list[str]:
    """The visible worksheets that hold a cell (not a chart sheet, not the empty Sheet2
    and Sheet3 of an old default workbook), by name."""
    try:
        with zipfile.ZipFile(path) as book:
            found = []
            for sheet in _sheets(book):
                if sheet.visible and sheet.member is not None:
                    with book.open(sheet.member) as xml:
                        if ANY_CELL.search(xml.read(SHEET_HEAD_BYTES)):
                            found.append(sheet.name)
            return found
    except (zipfile.BadZipFile, KeyError, OSError, UnicodeDecodeError):
        return []


def _sheets(book: zipfile.ZipFile) -> list[Sheet]:
    relations = {
        attrs.get("Id"): attrs
        for attrs in (
            dict(ATTRIBUTE.findall(a))
            for a in RELATIONSHIP_TAG.findall(
                book.read("xl/_rels/workbook.xml.rels").decode("utf-8")
            )
        )
    }
    found = []
    for attrs in SHEET_TAG.findall(book.read("xl/workbook.xml").decode("utf-8")):
        values = dict(ATTRIBUTE.findall(attrs))
        relation = relations.get(next((v for k, v in values.items() if k.endswith(":id")), None))
        member = None
        if relation and relation.get("Type", "").endswith("/worksheet"):
            target = relation.get("Target", "")
            # relative to xl/ ("worksheets/sheet1.xml") or absolute ("/xl/...")
            member = (
                target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl", target))
            )
        name = html.unescape(values.get("name", ""))
        found.append(Sheet(name, values.get("state", "visible") == "visible", member))
    return found


@dataclass(frozen=True)
class SheetFacts:
    """What one read of a sheet's XML finds besides its cells' values."""

    formulas_without_value: int = 0
    first_without_value: str | None = None  # its reference ("C7")
    merged: tuple[str, ...] = ()  # merged ranges ("B5:B10")
    epoch: str = "1899-12-30"  # the day the workbook's serials count from (EXCEL_EPOCH_*)
    # cells holding an Excel error: (column letters, sheet row, the error: "#N/A")
    errors: tuple[tuple[str, int, str], ...] = ()


def sheet_facts(path: Path, sheet: str | None) -> SheetFacts:
    """The sheet named, else the workbook's first; nothing found when the sheet cannot
    be found here (the reader then says what is wrong with the file)."""
    try:
        with zipfile.ZipFile(path) as book:
            epoch = _epoch(book)
            listed = [s for s in _sheets(book) if sheet is None or s.name == sheet]
            if not listed or listed[0].member is None:
                return SheetFacts(epoch=epoch)
            return replace(_scan(book, listed[0].member), epoch=epoch)
    except (zipfile.BadZipFile, KeyError, OSError, UnicodeDecodeError):
        return SheetFacts()


MERGE_CELL = re.compile(rb"<" + _P + rb'mergeCell\b[^>]*\bref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


def _scan(book: zipfile.ZipFile, member: str) -> SheetFacts:
    """Searched a row at a time in chunks: each block ends at its last whole row (a
    cell never spans rows), the rest goes with the next chunk."""
    count, first, pending, merged, errors = 0, None, b"", [], []
    with book.open(member) as xml:
        while True:
            chunk = xml.read(CHUNK_BYTES)
            block = pending + chunk
            # (a row's closing tag, "</row>" or "</x:row>")
            end = len(block) if not chunk else block.rfind(b"row>") + len(b"row>")
            if chunk and end < len(b"row>"):  # no whole row yet: read on
                pending = block
                continue
            head = block[:end]  # (a formula's tag: "<f", or "<x:f" with a prefix)
            if b"<f" in head or b":f>" in head or b":f " in head:
                for match in FORMULA_WITHOUT_VALUE.finditer(block, 0, end):
                    count += 1
                    if first is None and (ref := CELL_REF.search(match.group(1))):
                        first = ref.group(1).decode("ascii")
            if b't="e"' in head or b"t='e'" in head:  # (a formula that failed where the
                # file was made)
                for match in ERROR_CELL.finditer(block, 0, end):
                    if ref := ERROR_CELL_REF.search(match.group(1)):
                        letters, row = ref.group(1).decode("ascii"), int(ref.group(2))
                        errors.append((letters, row, html.unescape(match.group(2).decode())))
            if b"mergeCell" in head:  # (after the cells: in the last block)
                merged += [m.decode("ascii") for m in MERGE_CELL.findall(block, 0, end)]
            pending = block[end:]
            if not chunk:
                return SheetFacts(count, first, tuple(merged), errors=tuple(errors))


# Excel's day serials count from 1899-12-30 (the 1900 date system), or from 1904-01-01
# in a workbook saved in the 1904 system (old Mac Excel; a workbook option still): read
# in the wrong one, every date moves by four years and a day, in silence.
EXCEL_EPOCH_1900 = "1899-12-30"
EXCEL_EPOCH_1904 = "1904-01-01"
WORKBOOK_1904 = "xlsx (1904 date system)"  # a workbook's "encoding" in the ledger
DATE_1904 = re.compile(r"<(?:\w+:)?workbookPr\b[^>]*\bdate1904=\"(?:1|true)\"")


def epoch_of(encoding: str) -> str:
    """The day a workbook's serials count from, by its ledger encoding (``WORKBOOK_1904``)."""
    return EXCEL_EPOCH_1904 if encoding == WORKBOOK_1904 else EXCEL_EPOCH_1900


def excel_epoch(path: Path) -> str:
    """The day the workbook's serials count from (its ``date1904`` setting)."""
    try:
        with zipfile.ZipFile(path) as book:
            return _epoch(book)
    except (zipfile.BadZipFile, KeyError, OSError):
        return EXCEL_EPOCH_1900  # (the reader says what is wrong with the file)


def _epoch(book: zipfile.ZipFile) -> str:
    workbook = book.read("xl/workbook.xml").decode("utf-8", "replace")
    return EXCEL_EPOCH_1904 if DATE_1904.search(workbook) else EXCEL_EPOCH_1900
