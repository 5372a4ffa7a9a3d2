"""Building Services, building inspections: the permits system's second Excel report.

The same permits system (``permits.py``) prints an inspections report: a title row, a
blank row, the header on row 3, one row per inspection of an issued permit, after its
issue date. The mess it reproduces, each at a low rate: result codes typed in mixed case
or with trailing spaces (``pass``, ``PASS ``), an inspection date of ``N/A`` on cancelled
requests (a null sentinel), a year typo (``2205``) out of the plausible window, rows
printed twice (a repeated inspection id) and a total row at the bottom. The inspector is
a staff name (confidential) and the notes are free text that can name a homeowner or a
contractor (personal): neither is ever published.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import openpyxl

from . import permits
from .common import END, people, pick, some
from .vocabulary import FIRST_NAMES, LAST_NAMES

SYSTEM = "permit_inspections"
FOLDER = "permit_inspections"
FILE_NAME = "Inspections_2024-2025.xlsx"
TITLE = "City of Riverton - Building Inspections, 2024-2025"
HEADER = [
    "Inspection ID",
    "Permit Number",
    "Inspection Type",
    "Requested Date",
    "Inspection Date",
    "Result",
    "Inspector",
    "Notes",
]
# The stages of a permit's inspections, in the order the work reaches them.
INSPECTION_TYPES = [
    "Footing",
    "Foundation",
    "Framing",
    "Insulation",
    "Plumbing",
    "HVAC",
    "Fire Separation",
    "Occupancy",
    "Final",
]
RESULTS = ["PASS", "FAIL", "PART", "CANC"]
RESULT_WEIGHTS = [72, 15, 8, 5]
# Days from the request to the visit: most within the two days the Building Code allows.
DELAYS = [0, 1, 2, 3, 4, 5, 7]
DELAY_WEIGHTS = [20, 40, 25, 8, 4, 2, 1]
DEFICIENCIES = [
    "guard height below 900 mm",
    "missing anchor bolts",
    "insulation gaps at rim joist",
    "no fire stopping at penetrations",
    "vapour barrier torn",
    "stair riser height uneven",
    "smoke alarm not interconnected",
    "drain slope insufficient",
]
# Scale 1: ~15,000 inspections of 6,000 permits (those past the end of 2025 are not drawn).
INSPECTIONS_PER_PERMIT = 2.7
INSPECTORS = 24


def inspection_columns(permit: dict[str, np.ndarray], rng: np.random.Generator) -> dict:
    """One entry per inspection of an issued permit, in request order (vectorised)."""
    issued = np.flatnonzero(permit["has_issue"])
    # Only issued permits are inspected: they take all the inspections the permits average.
    mean = INSPECTIONS_PER_PERMIT * len(permit["number"]) / max(len(issued), 1)
    counts = 1 + rng.poisson(max(mean - 1, 0), len(issued))
    owner = np.repeat(issued, counts)
    rows = len(owner)
    # Stage: random, then sorted within each permit so footings come before finals.
    stage = rng.integers(0, len(INSPECTION_TYPES), rows)
    order = np.lexsort((stage, owner))
    owner, stage = owner[order], stage[order]
    gaps = rng.integers(3, 45, rows)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    cumulative = np.cumsum(gaps)
    offset = cumulative - np.repeat(cumulative[starts] - gaps[starts], counts)
    requested = permit["issued"][owner] + offset.astype("timedelta64[D]")
    delay = pick(rng, DELAYS, rows, DELAY_WEIGHTS).astype(int)
    inspected = requested + delay.astype("timedelta64[D]")
    keep = inspected < END.astype("datetime64[D]")
    owner, stage, requested, inspected = owner[keep], stage[keep], requested[keep], inspected[keep]
    rows = len(owner)

    result = pick(rng, RESULTS, rows, RESULT_WEIGHTS)
    # How clerks typed the code: some in mixed case, some with a trailing space.
    lower = some(rng, rows, 0.03)
    result[lower] = np.char.capitalize(result[lower].astype(str))
    result[some(rng, rows, 0.02)] += " "
    inspectors, _, _ = people(rng, INSPECTORS)
    inspector = pick(rng, list(inspectors), rows)
    return {
        "id": _ids(requested),
        "permit": permit["number"][owner],
        "type": np.asarray(INSPECTION_TYPES, dtype=object)[stage],
        "requested": requested,
        "inspected": inspected,
        "cancelled": np.char.upper(np.char.strip(result.astype(str))) == "CANC",
        "na_sentinel": some(rng, rows, 0.5),  # of cancelled rows: "N/A", not blank
        "year_typo": some(rng, rows, 0.001),
        "result": result,
        "inspector": inspector,
        "notes": _notes(rng, rows, result),
        "duplicate": some(rng, rows, 0.005),
    }


def _ids(requested: np.ndarray) -> np.ndarray:
    """INS-<year>-<6 digits>, numbered in request order (stable for ties)."""
    order = np.argsort(requested, kind="stable")
    sequence = np.empty(len(requested), dtype=int)
    sequence[order] = np.arange(len(requested)) + 1
    years = requested.astype("datetime64[Y]").astype(int) + 1970
    return ("INS-" + years.astype(str).astype(object) + "-") + np.char.zfill(
        sequence.astype(str), 6
    ).astype(object)


def _notes(rng: np.random.Generator, rows: int, result: np.ndarray) -> np.ndarray:
    """Free text: a deficiency on failures, and at times the name of who was on site."""
    failed = np.isin(np.char.upper(np.char.strip(result.astype(str))), ["FAIL", "PART"])
    deficiency = "Deficiency: " + pick(rng, DEFICIENCIES, rows)
    names = pick(rng, FIRST_NAMES, rows) + " " + pick(rng, LAST_NAMES, rows)
    on_site = "Met owner " + names + " on site"
    named = some(rng, rows, 0.15)
    notes = np.where(named, np.where(failed, deficiency + "; " + on_site, on_site), deficiency)
    return np.where(failed | named, notes, None).astype(object)


def write_extracts(
    out_dir: Path, scale: float = 1.0, seed: int = 42, force: bool = False
) -> list[tuple[Path, int]]:
    path = Path(out_dir) / FOLDER / FILE_NAME
    # The permits the permits report holds (the same call as sample_data.generate).
    permit = permits.permit_columns(np.random.default_rng([seed, 2]), int(6_000 * scale))
    columns = inspection_columns(permit, np.random.default_rng([seed, 11]))
    rows = len(columns["id"]) + int(columns["duplicate"].sum()) + 1  # with the total row
    if path.exists() and not force:
        return [(path, rows)]
    write_workbook(columns, path)
    return [(path, rows)]


def write_workbook(columns: dict, path: Path) -> int:
    """Write the report; byte-identical for the same columns (fixed zip timestamps)."""
    book = openpyxl.Workbook(write_only=True)
    book.properties.created = book.properties.modified = permits.FIXED_TIME
    sheet = book.create_sheet("Inspections")
    sheet.append([TITLE])
    sheet.append([])
    sheet.append(HEADER)
    written = 0
    # openpyxl writes a row at a time: that is its API, not our data path.
    for i in range(len(columns["id"])):
        row = _row(columns, i)
        for _ in range(2 if columns["duplicate"][i] else 1):
            sheet.append(row)
            written += 1
    sheet.append(["Total", f"{written} inspections", None, None, None, None, None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(permits._fixed_zip(buffer.getvalue()))
    return written + 1


def _row(columns: dict, i: int) -> list:
    def day(value: np.datetime64) -> dt.date:
        return value.astype("datetime64[D]").astype(dt.date)

    inspected = day(columns["inspected"][i])
    if columns["cancelled"][i]:
        inspected = "N/A" if columns["na_sentinel"][i] else None
    elif columns["year_typo"][i]:  # keyed by hand as text, the year mistyped: 2025 -> 2205
        inspected = inspected.replace(year=inspected.year + 180).isoformat()
    return [
        columns["id"][i],
        columns["permit"][i],
        columns["type"][i],
        day(columns["requested"][i]),
        inspected,
        columns["result"][i],
        columns["inspector"][i],
        columns["notes"][i],
    ]
