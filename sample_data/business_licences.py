"""Licensing division, business licences system: its quarterly CSV snapshots.

Every quarter the licensing system exports every licence it holds (a full snapshot), so
the same licence comes back in each later file with its status and expiry moved on:
keys repeat across files and the latest file wins. The 2024 files come from the old
system (cp1252, CRLF, short category codes in any case, day-month-name dates, its own
headers); from 2025 the new one (UTF-8, ISO dates, other headers, category labels in
mixed case, and the application's date, which the old one did not keep). The mess, each
at a low rate: "Ward 3"/"N/A" wards, "-" and "$1,234.00" fees, a status with a trailing
";", a row exported twice in one file, a TOTAL row last, an issue year typed 2204. Sole
proprietors trade under their own name, and taxi drivers and short-term rentals (a person
and a home) are licensed in a person's name.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .common import START, addresses, people, pick
from .vocabulary import COMPANY_WORDS, WARD_WEIGHTS

SYSTEM = "business_licences"
FOLDER = "business_licences"
RNG_NUMBER = 21
LICENCES = 4_000  # distinct licences at scale 1

# category -> (weight, old system's code, annual fee, trade nouns for the business name)
CATEGORIES = {
    "Food Premises": (30, "FOOD", 350.0, ["Bakery", "Cafe", "Catering", "Deli", "Grill"]),
    "Taxi/Rideshare Driver": (20, "TAXI", 180.0, []),
    "Contractor": (18, "CONTR", 450.0, ["Roofing", "Paving", "Electric", "Masonry"]),
    "Second-hand Goods": (8, "SHG", 275.0, ["Antiques", "Resale", "Pawn", "Vintage"]),
    "Short-term Rental": (14, "STR", 150.0, []),
    "Pet Shop": (4, "PET", 300.0, ["Pet Supply", "Aquarium", "Pet Centre"]),
    "Body Art": (6, "BODY", 250.0, ["Tattoo", "Piercing", "Ink Studio"]),
}
PERSON_CATEGORIES = ("Taxi/Rideshare Driver", "Short-term Rental")
SUFFIXES = ["Inc.", "Ltd.", "Co.", ""]
SNAPSHOTS = pd.date_range("2024-03-31", "2025-12-31", freq="QE").values.astype("datetime64[D]")
NEW_SYSTEM_FROM = np.datetime64("2025-01-01")

OLD_HEADER = [
    "Licence No", "Business Name", "Operating As", "Owner Name", "Owner Phone", "Category",
    "Business Address", "Ward", "Issue Date", "Expiry Date", "Status", "Fee",
]  # fmt: skip
# The new system also records the day the application was received (the old one did
# not): a licence in a 2025 snapshot has it, one that left the system in 2024 never will.
NEW_HEADER = [
    "LicenceNumber", "LegalName", "OperatingName", "OwnerName", "OwnerPhone",
    "LicenceCategory", "Address", "Ward", "ApplicationDate", "IssuedDate", "ExpiryDate",
    "LicenceStatus", "FeeAmount",
]  # fmt: skip


def _few(rng: np.random.Generator, size: int, rate: float) -> np.ndarray:
    """A mask of about ``rate`` of the rows, never empty: every mess shows at any scale."""
    mask = np.zeros(size, bool)
    if size == 0:
        return mask
    mask[rng.choice(size, max(1, round(size * rate)), replace=False)] = True
    return mask


def licences(rng: np.random.Generator, count: int) -> pd.DataFrame:
    """One row per licence: what never changes between snapshots, and its life events."""
    names = list(CATEGORIES)
    category = pick(rng, names, count, [CATEGORIES[c][0] for c in names])
    applied = START.astype("datetime64[D]") + rng.integers(0, 700, count)
    issued = applied + rng.integers(3, 45, count)
    owner, phone, _ = people(rng, count)
    surname = np.array([n.split(" ")[-1] for n in owner], dtype=object)

    # Business names: a company's trade name, a sole proprietor's own name, or (for
    # drivers and rentals) the person the licence is issued to.
    noun = np.empty(count, dtype=object)
    for name, (_, _, _, nouns) in CATEGORIES.items():
        mask = category == name
        noun[mask] = pick(rng, nouns or ["Services"], int(mask.sum()))
    company = pick(rng, COMPANY_WORDS, count) + " " + noun + " " + pick(rng, SUFFIXES, count)
    company = np.char.strip(company.astype(str)).astype(object)
    style = rng.random(count)
    business = np.where(style < 0.25, owner + " " + noun, company)  # sole proprietor
    business = np.where((style >= 0.25) & (style < 0.32), surname + " " + noun, business)
    is_person = np.isin(category, PERSON_CATEGORIES)
    business = np.where(is_person, owner, business)
    operating = np.where(rng.random(count) < 0.6, business, pick(rng, COMPANY_WORDS, count))
    operating = np.where(
        is_person & (category == "Taxi/Rideshare Driver"), "Riverton Rides", operating
    )
    operating = np.where(is_person & (category == "Short-term Rental"), "", operating)

    years = issued.astype("datetime64[Y]").astype(int) + 1970
    order = np.lexsort((np.arange(count), issued))
    sequence = np.empty(count, int)
    sequence[order] = np.arange(count) + 1
    sequence -= np.searchsorted(np.sort(years), years)  # numbered from 1 each year
    number = (
        "BL-"
        + years.astype(str).astype(object)
        + "-"
        + np.char.zfill(sequence.astype(str), 5).astype(object)
    )
    event = rng.random(count)
    return pd.DataFrame(
        {
            "number": number,
            "business": business,
            "operating": operating,
            "owner": owner,
            "phone": phone,
            "category": category,
            "address": addresses(rng, count),
            "ward": pick(rng, list(range(1, 16)), count, WARD_WEIGHTS),
            "applied": applied,
            "issued": issued,
            "renews": rng.random(count) < 0.7,
            # Suspended or revoked some months after issue (a failed inspection...)
            "event": np.select([event < 0.03, event < 0.05], ["Suspended", "Revoked"], ""),
            "event_date": issued + rng.integers(30, 300, count),
            "fee": np.array([CATEGORIES[c][2] for c in category]),
        }
    )


def snapshot_rows(table: pd.DataFrame, day: np.datetime64) -> pd.DataFrame:
    """The licences the system holds on ``day`` (applied by then), as of that day."""
    rows = table[table["applied"] <= day].copy()
    # pandas keeps dates in seconds: back to days, so "+ 365" means days
    issued = rows["issued"].to_numpy().astype("datetime64[D]")
    renewed = rows["renews"].to_numpy() & (day >= issued + 335)
    expiry = issued + np.where(renewed, 730, 365)
    status = np.select(
        [
            day < issued,
            (rows["event"].to_numpy() != "")
            & (day >= rows["event_date"].to_numpy().astype("datetime64[D]")),
            day > expiry,
        ],
        ["Pending", rows["event"].to_numpy(), "Expired"],
        default="Active",
    )
    rows["status"] = status
    rows["expiry"] = expiry
    rows["has_dates"] = status != "Pending"
    # an expired licence that is not renewed drops out of the system a year later, a
    # revoked one after 90 days (so some of 2024's are only ever in the old system's files)
    revoked_at = rows["event_date"].to_numpy().astype("datetime64[D]")
    gone = ((status == "Expired") & (day > expiry + 365)) | (
        (status == "Revoked") & (day > revoked_at + 90)
    )
    return rows[~gone]


def write_snapshot(
    rng: np.random.Generator, rows: pd.DataFrame, day: np.datetime64, path: Path
) -> int:
    """One snapshot file, old or new layout by date; returns its rows (data and total)."""
    old = day < NEW_SYSTEM_FROM
    n = len(rows)
    if old:
        codes = np.array([CATEGORIES[c][1] for c in rows["category"]], dtype=object)
        case = rng.random(n)
        category = np.where(case < 0.1, np.char.lower(codes.astype(str)), codes)
        category = np.where(
            (case >= 0.1) & (case < 0.15), np.char.title(codes.astype(str)), category
        )
        date_format, header = "%d-%b-%Y", OLD_HEADER
    else:
        labels = rows["category"].to_numpy().astype(str)
        category = np.where(rng.random(n) < 0.08, np.char.upper(labels), labels)
        date_format, header = "%Y-%m-%d", NEW_HEADER

    def dates(values: np.ndarray) -> np.ndarray:
        text = pd.to_datetime(values).strftime(date_format).to_numpy(dtype=object)
        return np.where(rows["has_dates"].to_numpy(), text, "")

    issued = dates(rows["issued"].to_numpy())
    typo = _few(rng, n, 0.001) & rows["has_dates"].to_numpy()  # 2024 -> 2204 by hand
    issued[typo] = [v.replace("202", "220", 1) for v in issued[typo]]
    ward = rows["ward"].to_numpy().astype(str).astype(object)
    ward = ("Ward " + ward) if old else ward
    ward = np.where(_few(rng, n, 0.01), "N/A", ward)
    fee = np.char.mod("%.2f", rows["fee"].to_numpy()).astype(object)
    fee = np.where(_few(rng, n, 0.02), "$" + fee, fee)
    fee = np.where(_few(rng, n, 0.01), "-", fee)
    status = rows["status"].to_numpy().astype(object)
    status = np.where(_few(rng, n, 0.01), status + ";", status)
    status = np.where(_few(rng, n, 0.02), np.char.upper(status.astype(str)), status)
    columns = [
        rows["number"], rows["business"], rows["operating"], rows["owner"], rows["phone"],
        category, rows["address"], ward, issued, dates(rows["expiry"].to_numpy()), status,
        fee,
    ]  # fmt: skip
    if not old:  # received: known for a pending application too
        applied = pd.to_datetime(rows["applied"].to_numpy()).strftime(date_format)
        columns.insert(header.index("ApplicationDate"), applied.to_numpy(dtype=object))
    frame = pd.DataFrame(dict(zip(header, columns, strict=True)))
    twice = np.flatnonzero(_few(rng, n, 0.003))  # exported twice in one file
    frame = pd.concat([frame, frame.iloc[twice]]).sort_index(kind="stable")
    total = pd.DataFrame([["TOTAL", f"{n} licences"] + [""] * (len(header) - 2)], columns=header)
    frame = pd.concat([frame, total], ignore_index=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    if old:
        frame.to_csv(path, index=False, encoding="cp1252", lineterminator="\r\n")
    else:
        frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return len(frame)


def write_extracts(out_dir: Path, scale: float, seed: int, force: bool) -> list[tuple[Path, int]]:
    """The eight quarterly snapshots of 2024-2025; existing files are kept unless ``force``."""
    folder = Path(out_dir) / FOLDER
    paths = [folder / f"BusinessLicences_{str(d).replace('-', '')}.csv" for d in SNAPSHOTS]
    if not force and all(p.exists() for p in paths):
        return []
    rng = np.random.default_rng([seed, RNG_NUMBER])
    table = licences(rng, max(int(LICENCES * scale), 20))
    written = []
    for day, path in zip(SNAPSHOTS, paths, strict=True):
        rows = snapshot_rows(table, day)
        count = write_snapshot(rng, rows, day, path)
        written.append((path, count))
    return written
