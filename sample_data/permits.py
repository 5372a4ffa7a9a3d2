"""Building permits system: the report writer's Excel export.

A title row, a blank row, the header on row 3, real Excel date cells, a construction
value that is sometimes text ("$12,500.00"), and a grand-total row at the bottom.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl

from .common import END, START, addresses, people, pick, some
from .vocabulary import COMPANY_KINDS, COMPANY_WORDS, PERMIT_CLASSES, PERMIT_TYPES, WARD_WEIGHTS

HEADER = [
    "Permit Number",
    "Application Date",
    "Issue Date",
    "Completion Date",
    "Permit Type",
    "Permit Class",
    "Construction Value",
    "Applicant Name",
    "Address",
    "Ward",
    "Status",
]
TITLE = "City of Riverton - Building Permits Issued and Applied, 2024-2025"
FIXED_TIME = dt.datetime(2026, 1, 2, 6, 0, 0)


def permit_columns(rng: np.random.Generator, rows: int) -> dict[str, np.ndarray]:
    span = int((END - START) / np.timedelta64(1, "D"))
    applied = np.sort(START.astype("datetime64[D]") + rng.integers(0, span, rows))
    kinds = list(PERMIT_TYPES)
    permit_type = pick(rng, kinds, rows, [PERMIT_TYPES[k][0] for k in kinds])
    permit_class = np.empty(rows, dtype=object)
    value = np.empty(rows)
    for kind, (_, median, class_weights) in PERMIT_TYPES.items():
        mask = permit_type == kind
        permit_class[mask] = pick(rng, PERMIT_CLASSES, int(mask.sum()), class_weights)
        value[mask] = np.round(rng.lognormal(np.log(median), 0.7, int(mask.sum())), -2)

    age = (END.astype("datetime64[D]") - applied).astype(int)
    stage = rng.random(rows)
    status = np.select(
        [stage < 0.03, age < 20, (age < 60) & (stage < 0.5), age > 300],
        ["Cancelled", "Under Review", "Applied", "Completed"],
        default="Issued",
    ).astype(object)
    issued = applied + rng.integers(5, 60, rows)
    completed = issued + rng.integers(60, 400, rows)
    has_issue = np.isin(status, ["Issued", "Completed"])
    has_completion = (status == "Completed") & (completed < END.astype("datetime64[D]"))
    status[(status == "Completed") & ~has_completion] = "Issued"

    names, _, _ = people(rng, rows)
    companies = pick(rng, COMPANY_WORDS, rows) + " " + pick(rng, COMPANY_KINDS, rows)
    applicant = np.where(some(rng, rows, 0.30), companies, names)
    years = applied.astype("datetime64[Y]").astype(int) + 1970
    sequence = np.arange(rows) + 1
    number = np.char.add(
        np.char.add("BP-", years.astype(str)),
        np.char.add("-", np.char.zfill(sequence.astype(str), 5)),
    )
    return {
        "number": number.astype(object),
        "applied": applied,
        "issued": issued,
        "completed": completed,
        "has_issue": has_issue,
        "has_completion": has_completion,
        "type": permit_type,
        "class": permit_class,
        "value": value,
        "value_blank": some(rng, rows, 0.03),
        "value_text": some(rng, rows, 0.02),
        "applicant": applicant,
        "address": addresses(rng, rows),
        "ward": pick(rng, list(range(1, 16)), rows, WARD_WEIGHTS),
        "ward_blank": some(rng, rows, 0.01),
        "status": status,
        "duplicate": some(rng, rows, 0.005),
        "trailing": some(rng, rows, 0.01),
    }


# A worksheet holds 1,048,576 rows. The permits system exports at most this many permits
# per report (duplicated rows, 0.5%, and the title, header and total rows stay below the
# limit); a bigger city gets several reports, as a real system's export would split them.
PERMITS_PER_WORKBOOK = 1_000_000


def write_workbooks(columns: dict[str, np.ndarray], path: Path) -> list[tuple[Path, int]]:
    """One report at ``path``, or parts ``<stem>_part1of3.xlsx``... when the permits would
    not fit a worksheet. Returns each file with its rows."""
    count = len(columns["number"])
    parts = max(1, -(-count // PERMITS_PER_WORKBOOK))
    if parts == 1:
        return [(path, write_workbook(columns, path))]
    written = []
    for part in range(parts):
        piece = slice(part * PERMITS_PER_WORKBOOK, (part + 1) * PERMITS_PER_WORKBOOK)
        part_path = path.with_name(f"{path.stem}_part{part + 1}of{parts}{path.suffix}")
        written.append(
            (part_path, write_workbook({k: v[piece] for k, v in columns.items()}, part_path))
        )
    return written


def write_workbook(columns: dict[str, np.ndarray], path: Path) -> int:
    """Write the report; byte-identical for the same columns (fixed zip timestamps)."""
    book = openpyxl.Workbook(write_only=True)
    book.properties.created = book.properties.modified = FIXED_TIME
    sheet = book.create_sheet("Permits")
    sheet.append([TITLE])
    sheet.append([])
    sheet.append(HEADER)
    total, written = 0.0, 0
    # openpyxl writes a row at a time: that is its API, not our data path.
    for i in range(len(columns["number"])):
        row = _row(columns, i)
        total += columns["value"][i] if not columns["value_blank"][i] else 0
        for _ in range(2 if columns["duplicate"][i] else 1):
            sheet.append(row)
            written += 1
    sheet.append(["Total", None, None, None, None, None, round(total, 2), None, None, None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_fixed_zip(buffer.getvalue()))
    return written + 1  # data rows plus the total row


def _row(columns: dict[str, np.ndarray], i: int) -> list:
    def day(value: np.datetime64) -> dt.date:
        return value.astype("datetime64[D]").astype(dt.date)

    value = None if columns["value_blank"][i] else float(columns["value"][i])
    if value is not None and columns["value_text"][i]:
        value = f"${value:,.2f}"
    status = columns["status"][i] + (" " if columns["trailing"][i] else "")
    return [
        columns["number"][i],
        day(columns["applied"][i]),
        day(columns["issued"][i]) if columns["has_issue"][i] else None,
        day(columns["completed"][i]) if columns["has_completion"][i] else None,
        columns["type"][i],
        columns["class"][i],
        value,
        columns["applicant"][i],
        columns["address"][i],
        None if columns["ward_blank"][i] else int(columns["ward"][i]),
        status,
    ]


def _fixed_zip(content: bytes) -> bytes:
    """Re-pack the xlsx with fixed entry timestamps so the same data gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(content))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 2, 6, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" on save
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-02T06:00:00Z", data
                )
            target.writestr(fixed, data)
    return output.getvalue()
