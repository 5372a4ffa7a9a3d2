"""Fire Services: the fire records system's (FDM/Firehouse-style RMS) inspection export.

One CSV per quarter, ``fire_inspections/FireInspections_<YYYY>Q<n>.csv``: one row per fire
code inspection. The mess it reproduces, each at a low rate: cp1252 text with accented
names and curly apostrophes (O’Malley’s Pub); the 2024 files from the old RMS version
with other headers, US dates and "Ward 3"; occupancy codes typed many ways (``GRP A``,
``Group-A``, ``grp a``, ``A``); inspection types and results in mixed case; a `;` left
after some lines' last value; ``N/A`` and ``-`` for nothing; a TOTAL line at the end;
rows exported twice in a file and inspections re-sent in the next quarter's file with
their later result; re-inspection dates before the inspection; a year typed 22xx. From
2025 the upgraded RMS also sends the day a requested or complaint inspection was asked
for (empty for the city's own routine, licensing and re-inspections); the old one did not.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import START, addresses, people, pick, some, timestamps
from .fire_records import owner_names, some_at_least_one, text_dates, write_csv
from .vocabulary import WARD_WEIGHTS

SYSTEM = "fire_inspections"
FOLDER = "fire_inspections"
RNG_NUMBER = 13
INSPECTIONS = 3_000  # at scale 1

OLD_HEADER = [  # the RMS before its 2025 upgrade
    "Insp #",
    "Insp Date",
    "Insp Type",
    "Occ Group",
    "Address",
    "Ward",
    "Occupant",
    "Phone",
    "Inspector",
    "Violations",
    "Reinsp Date",
    "Result",
]
NEW_HEADER = [
    "Inspection Number",
    "Inspection Date",
    "Inspection Type",
    "Occupancy Type",
    "Property Address",
    "Ward",
    "Occupant/Owner Name",
    "Contact Phone",
    "Inspector",
    "Violation Count",
    "Next Re-inspection",
    "Result",
    "Request Received",  # the upgraded RMS logs when a request or complaint came in
]
# Ontario Building Code major occupancy groups A-F, as the fire code inspects them.
GROUPS = {"A": 14, "B": 6, "C": 38, "D": 14, "E": 16, "F": 12}
TYPES = {"Routine": 50, "Complaint": 15, "Request": 12, "Re-inspection": 18, "Licensing": 5}
RESULTS = {"Compliant": 45, "Violations Found": 35, "Order Issued": 12, "Closed - No Access": 8}
INSPECTORS = [
    "Capt. R. Bélanger",
    "FPO M. Dubé",
    "FPO S. Côté",
    "FPO J. O’Neil",
    "FPO A. Gagné",
    "FPO K. Lévesque",
    "Capt. D. Smith",
    "FPO L. Martin",
]


def inspection_columns(rng: np.random.Generator, rows: int) -> dict[str, np.ndarray]:
    """The inspections as the RMS holds them (clean), one array per field."""
    date = np.sort(timestamps(rng, rows).astype("datetime64[D]"))
    year = date.astype("datetime64[Y]").astype(int) + 1970
    number = np.char.add(
        np.char.add("FI-", year.astype(str)),
        np.char.add("-", np.char.zfill((np.arange(rows) + 1).astype(str), 5)),
    ).astype(object)
    result = pick(rng, list(RESULTS), rows, list(RESULTS.values()))
    violations = np.select(
        [result == "Violations Found", result == "Order Issued"],
        [1 + rng.poisson(2, rows), 2 + rng.poisson(4, rows)],
        0,
    )
    follow_up = np.isin(result, ["Violations Found", "Order Issued"])
    reinspection = np.where(
        follow_up, date + rng.integers(14, 61, rows), np.datetime64("NaT")
    ).astype("datetime64[D]")
    names, phones, _ = people(rng, rows)
    return {
        "number": number,
        "date": date,
        "type": pick(rng, list(TYPES), rows, list(TYPES.values())),
        "group": pick(rng, list(GROUPS), rows, list(GROUPS.values())),
        "address": addresses(rng, rows),
        "ward": pick(rng, list(range(1, 16)), rows, WARD_WEIGHTS).astype(str).astype(object),
        "occupant": owner_names(rng, names, business_rate=0.35),
        "phone": phones,
        "inspector": pick(rng, INSPECTORS, rows),
        "violations": violations.astype(str).astype(object),
        "reinspection": reinspection,
        "result": result,
    }


def messy(rng: np.random.Generator, c: dict[str, np.ndarray], old: bool) -> list[np.ndarray]:
    """The columns as one vintage of the RMS writes them, in its header's order."""
    rows = len(c["number"])
    occupancy = np.where(old, "GRP " + c["group"], "Group-" + c["group"])
    occupancy = np.where(some(rng, rows, 0.04), np.char.lower(occupancy.astype(str)), occupancy)
    occupancy = np.where(some(rng, rows, 0.03), c["group"], occupancy)
    kind = np.where(some(rng, rows, 0.04), np.char.upper(c["type"].astype(str)), c["type"])
    result = np.where(some(rng, rows, 0.03), np.char.upper(c["result"].astype(str)), c["result"])
    result = np.where(
        some_at_least_one(rng, rows, 0.01), result + ";", result
    )  # trailing separator
    date_format = "us" if old else "iso"
    date = text_dates(c["date"], date_format)
    typo = np.zeros(rows, bool)  # one a file: 2024 typed 2204, outside the contract's window
    typo[rng.integers(0, rows)] = True
    date = np.where(typo, np.char.replace(date.astype(str), "202", "220"), date)
    reinspection_days = c["reinspection"].copy()
    early = some(rng, rows, 0.01) & ~np.isnat(reinspection_days)
    reinspection_days[early] = c["date"][early] - rng.integers(1, 30, int(early.sum()))
    reinspection = text_dates(reinspection_days, date_format)
    requested = text_dates(c["requested"], date_format)
    reinspection = np.where(reinspection == "", pick(rng, ["N/A", "-", ""], rows), reinspection)
    no_access = c["result"] == "Closed - No Access"
    violations = np.where(no_access, pick(rng, ["N/A", "-"], rows), c["violations"])
    ward = np.where(old, "Ward " + c["ward"], c["ward"])
    ward = np.where(some(rng, rows, 0.01), "-", ward)
    phone = np.where(some(rng, rows, 0.04), "N/A", c["phone"])
    return [
        c["number"],
        date,
        kind,
        occupancy,
        c["address"],
        ward,
        c["occupant"],
        phone,
        c["inspector"],
        violations,
        reinspection,
        result,
    ] + ([] if old else [requested])


def _quarter_of(days: np.ndarray) -> np.ndarray:
    month = days.astype("datetime64[M]").astype(int)
    return month // 3  # quarters since 1970


def write_extracts(
    out_dir: Path, scale: float = 1.0, seed: int = 42, force: bool = False
) -> list[tuple[Path, int]]:
    """Write one CSV per quarter; returns each file with its lines (data and TOTAL)."""
    rng = np.random.default_rng([seed, RNG_NUMBER])
    clean = inspection_columns(rng, max(int(INSPECTIONS * scale), 1))
    # Asked for (request, complaint): received 0-20 days before the visit. A generator of
    # its own, so the rest of the sample stays as it was before the RMS logged it.
    asked = np.isin(clean["type"], ["Request", "Complaint"])
    lag = np.random.default_rng([seed, RNG_NUMBER, 1]).integers(0, 21, len(asked))
    clean["requested"] = np.where(asked, clean["date"] - lag, np.datetime64("NaT")).astype(
        "datetime64[D]"
    )
    quarter = _quarter_of(clean["date"])
    # About 1% of inspections are re-sent in the next quarter's file with their later
    # state: the violations were counted again at the follow-up visit.
    resent = some(rng, len(quarter), 0.01) & (quarter < _quarter_of(np.array([START]))[0] + 7)
    later = {k: v[resent].copy() for k, v in clean.items()}
    later["violations"] = (later["violations"].astype(int) + 1).astype(str).astype(object)
    later["result"] = np.where(later["result"] == "Compliant", "Violations Found", later["result"])
    written = []
    for q in range(int(_quarter_of(np.array([START]))[0]), int(quarter.max()) + 1):
        year, number = 1970 + q // 4, q % 4 + 1
        path = Path(out_dir) / FOLDER / f"FireInspections_{year}Q{number}.csv"
        picked = {k: v[quarter == q] for k, v in clean.items()}
        carried = _quarter_of(later["date"]) == q - 1
        picked = {k: np.concatenate([v, later[k][carried]]) for k, v in picked.items()}
        twice = some(rng, len(picked["number"]), 0.005)  # the export's repeated rows
        order = np.sort(np.concatenate([np.arange(len(twice)), np.flatnonzero(twice)]))
        picked = {k: v[order] for k, v in picked.items()}
        old = year < 2025
        columns = messy(rng, picked, old)
        total = str(int(np.sum(picked["violations"].astype(int))))
        trailer = _total(total)[: len(columns)]  # the old RMS has no request column
        columns = [np.append(col, val) for col, val in zip(columns, trailer, strict=True)]
        if force or not path.exists():
            write_csv(path, OLD_HEADER if old else NEW_HEADER, columns)
        written.append((path, len(columns[0])))
    return written


def _total(violations: str) -> list[str]:
    """The report's trailer: TOTAL and the violations counted in the file."""
    return ["TOTAL", "", "", "", "", "", "", "", "", violations, "", "", ""]
