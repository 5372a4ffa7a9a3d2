"""Fire Services: the fire records system's (FDM/Firehouse-style RMS) open-air burn permits.

One CSV per year, ``burn_permits/OpenAirBurnPermits_<YYYY>.csv``: one row per permit,
issued mostly in spring and fall. The mess it reproduces, each at a low rate: cp1252
text with accented names and curly apostrophes; the 2024 file from the old RMS version
with other headers, "Apr 05, 2024" dates (quoted: they hold a comma) and "$25.00" fees;
burn types in mixed case or short forms (``BRUSH``, ``camp fire``); statuses in upper
case or with a `;` left after them; ``N/A`` and ``-`` for nothing (often the fee of a
free campfire permit); a Total line with the fees' sum; permits printed twice; a permit
valid until a date before it starts. From 2025 the upgraded RMS also sends the day the
application came in (a campfire permit is issued the same day, online; the others take
days), the old one did not; a few applications are dated after their permit's issue (a
typing slip).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import DAYS, END, START, addresses, people, pick, some
from .fire_records import owner_names, some_at_least_one, text_dates, write_csv
from .vocabulary import WARD_WEIGHTS

SYSTEM = "burn_permits"
FOLDER = "burn_permits"
RNG_NUMBER = 14
PERMITS = 800  # at scale 1

OLD_HEADER = [
    "Permit #",
    "Date Issued",
    "Valid From",
    "Valid To",
    "Burn Type",
    "Location",
    "Ward",
    "Applicant",
    "Phone",
    "Fee",
    "Status",
]
NEW_HEADER = [
    "Permit Number",
    "Application Date",  # the upgraded RMS logs when the application came in
    "Issued Date",
    "Valid From",
    "Valid To",
    "Type of Burn",
    "Burn Address",
    "Ward",
    "Applicant Name",
    "Applicant Phone",
    "Permit Fee",
    "Status",
]
# burn type -> (weight, fee in dollars, days the permit is valid)
BURN_TYPES = {
    "Campfire": (55, 0, 180),  # the season's campfire permit is free
    "Brush Pile": (30, 25, 14),
    "Agricultural": (10, 50, 30),
    "Special Event": (5, 75, 1),
}
# burn type -> the most days from application to issue (fire prevention looks at a brush
# pile or a farm burn first, and approves a special event with the fire chief)
DAYS_TO_ISSUE = {"Campfire": 0, "Brush Pile": 4, "Agricultural": 8, "Special Event": 21}
# Permits follow the burning seasons: spring clean-up and fall leaves.
MONTH_WEIGHTS = np.array([1, 1, 3, 9, 10, 5, 3, 3, 5, 9, 7, 1], dtype=float)
SHORT_FORMS = {"Campfire": "camp fire", "Brush Pile": "BRUSH", "Agricultural": "Ag"}


def permit_columns(rng: np.random.Generator, rows: int) -> dict[str, np.ndarray]:
    """The permits as the RMS holds them (clean), one array per field."""
    calendar = START.astype("datetime64[D]") + np.arange(DAYS)
    weights = MONTH_WEIGHTS[calendar.astype("datetime64[M]").astype(int) % 12]
    issued = np.sort(rng.choice(calendar, size=rows, p=weights / weights.sum()))
    kinds = list(BURN_TYPES)
    kind = pick(rng, kinds, rows, [BURN_TYPES[k][0] for k in kinds])
    fee = np.select([kind == k for k in kinds], [BURN_TYPES[k][1] for k in kinds], 0)
    valid_days = np.select([kind == k for k in kinds], [BURN_TYPES[k][2] for k in kinds], 1)
    valid_from = issued + rng.integers(0, 4, rows)
    valid_to = valid_from + valid_days
    year = issued.astype("datetime64[Y]").astype(int) + 1970
    extracted = (year + 1 - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    status = np.where(valid_to < extracted, "Expired", "Active").astype(object)
    status[some(rng, rows, 0.03)] = "Revoked"  # a fire ban, or a complaint
    sequence = np.zeros(rows, dtype=int)
    for y in np.unique(year):  # numbered within the year: two passes, not one per row
        sequence[year == y] = np.arange(int((year == y).sum())) + 1
    number = np.char.add(
        np.char.add("OAB-", year.astype(str)),
        np.char.add("-", np.char.zfill(sequence.astype(str), 4)),
    ).astype(object)
    names, phones, _ = people(rng, rows)
    return {
        "number": number,
        "issued": issued,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "type": kind,
        "address": addresses(rng, rows),
        "ward": pick(rng, list(range(1, 16)), rows, WARD_WEIGHTS).astype(str).astype(object),
        "applicant": owner_names(rng, names, business_rate=0.10),
        "phone": phones,
        "fee": fee,
        "status": status,
        "year": year,
    }


def messy(rng: np.random.Generator, c: dict[str, np.ndarray], old: bool) -> list[np.ndarray]:
    """The columns as one vintage of the RMS writes them, in its header's order."""
    rows = len(c["number"])
    kind = np.where(some(rng, rows, 0.04), np.char.upper(c["type"].astype(str)), c["type"])
    short = some(rng, rows, 0.03) & np.isin(c["type"], list(SHORT_FORMS))
    kind[short] = [SHORT_FORMS[k] for k in c["type"][short]]  # a handful of rows
    valid_to = c["valid_to"].copy()
    backwards = some_at_least_one(rng, rows, 0.005)  # valid until a day before it starts
    valid_to[backwards] = c["valid_from"][backwards] - rng.integers(1, 20, int(backwards.sum()))
    date_format = "month" if old else "iso"
    amount = np.char.mod("%.2f", c["fee"].astype(float)).astype(object)
    fee = ("$" + amount) if old else amount
    fee = np.where((c["fee"] == 0) & some(rng, rows, 0.5), pick(rng, ["N/A", "-"], rows), fee)
    status = np.where(some(rng, rows, 0.04), np.char.upper(c["status"].astype(str)), c["status"])
    status = np.where(
        some_at_least_one(rng, rows, 0.02), status + ";", status
    )  # trailing separator
    ward = np.where(some(rng, rows, 0.01), "N/A", c["ward"])
    phone = np.where(some(rng, rows, 0.03), "-", c["phone"])
    applied = [] if old else [text_dates(c["applied"], date_format)]
    return [
        c["number"],
        *applied,
        text_dates(c["issued"], date_format),
        text_dates(c["valid_from"], date_format),
        text_dates(valid_to, date_format),
        kind,
        c["address"],
        ward,
        c["applicant"],
        phone,
        fee,
        status,
    ]


def write_extracts(
    out_dir: Path, scale: float = 1.0, seed: int = 42, force: bool = False
) -> list[tuple[Path, int]]:
    """Write one CSV per year; returns each file with its lines (data and Total)."""
    rng = np.random.default_rng([seed, RNG_NUMBER])
    clean = permit_columns(rng, max(int(PERMITS * scale), 1))
    clean["applied"] = _application_dates(
        np.random.default_rng([seed, RNG_NUMBER, 1]), clean["issued"], clean["type"]
    )
    written = []
    last_year = int(END.astype("datetime64[Y]").astype(int)) + 1970 - 1
    for year in range(int(START.astype("datetime64[Y]").astype(int)) + 1970, last_year + 1):
        path = Path(out_dir) / FOLDER / f"OpenAirBurnPermits_{year}.csv"
        picked = {k: v[clean["year"] == year] for k, v in clean.items()}
        twice = some(rng, len(picked["number"]), 0.01)  # printed twice by the report
        order = np.sort(np.concatenate([np.arange(len(twice)), np.flatnonzero(twice)]))
        picked = {k: v[order] for k, v in picked.items()}
        old = year < 2025
        header = OLD_HEADER if old else NEW_HEADER
        columns = messy(rng, picked, old)
        total = f"{float(picked['fee'].sum()):.2f}"
        trailer = ["Total"] + [""] * (len(header) - 1)
        trailer[header.index("Fee" if old else "Permit Fee")] = ("$" if old else "") + total
        columns = [np.append(col, val) for col, val in zip(columns, trailer, strict=True)]
        if force or not path.exists():
            write_csv(path, header, columns)
        written.append((path, len(columns[0])))
    return written


def _application_dates(
    rng: np.random.Generator, issued: np.ndarray, kind: np.ndarray
) -> np.ndarray:
    """The day each application came in: 0 to DAYS_TO_ISSUE days before the issue, and a
    few typed after it. A generator of its own, so the rest of the sample stays as it was
    before the RMS logged it."""
    rows = len(issued)
    most = np.select([kind == k for k in DAYS_TO_ISSUE], list(DAYS_TO_ISSUE.values()), 0)
    applied = issued - np.floor(rng.random(rows) * (most + 1)).astype(int)
    # dated after the issue: in the years whose export carries the date (2025 on)
    upgraded = issued >= np.datetime64("2025-01-01")
    slipped = np.zeros(rows, dtype=bool)
    slipped[upgraded] = some_at_least_one(rng, int(upgraded.sum()), 0.005)
    applied[slipped] = issued[slipped] + rng.integers(1, 10, int(slipped.sum()))
    return applied.astype("datetime64[D]")
