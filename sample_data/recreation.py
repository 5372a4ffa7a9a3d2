"""Parks and Recreation: the recreation registration system's (ActiveNet-style) Excel export.

One workbook per year of program start, ``recreation/Registrations_<YYYY>.xlsx`` (sheet
``Registrations``): one row per registration in a program section, with the participant's
name and birth date and the guardian's phone and e-mail (personal). The mess it
reproduces: birth dates typed as text in another format (``05-Mar-2015``) in some rows,
the channel in mixed case (``Online``, ``ONLINE``, ``in person``), ``N/A`` for a missing
e-mail, registrations exported twice (the second copy sometimes with a newer status), and
a ``Total`` row at the bottom.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import openpyxl

from .common import END, START, people, pick, some
from .permits import FIXED_TIME, _fixed_zip
from .vocabulary import FIRST_NAMES, LAST_NAMES

SYSTEM = "recreation_registrations"
FOLDER = "recreation"
REGISTRATIONS = 15_000  # at scale 1, over the two years

# name -> (code, facility kind, youngest age, oldest age, places per section, fee in dollars)
PROGRAMS = {
    "Swim Lessons Level 1": ("SWIM1", "pool", 4, 7, 8, 62.0),
    "Swim Lessons Level 2": ("SWIM2", "pool", 5, 9, 8, 62.0),
    "Aquafit": ("AQFIT", "pool", 30, 80, 25, 48.0),
    "Lifeguard Training": ("LIFEG", "pool", 15, 18, 12, 245.0),
    "Day Camp": ("DCAMP", "centre", 6, 12, 30, 185.0),
    "Youth Soccer": ("YSOCC", "centre", 7, 13, 20, 95.0),
    "Pottery": ("POTTR", "centre", 18, 75, 12, 140.0),
    "Seniors Fitness": ("SNFIT", "centre", 60, 90, 20, 35.0),
    "Preschool Play": ("PSPLY", "centre", 2, 5, 12, 55.0),
    "Youth Basketball": ("YBASK", "centre", 10, 17, 16, 90.0),
}
# facility -> (kind, ward): each facility is in one of the city's wards
FACILITIES = {
    "Riverside Community Centre": ("centre", 3),
    "Maple Grove Community Centre": ("centre", 7),
    "Northview Community Centre": ("centre", 11),
    "Eastgate Pool": ("pool", 4),
    "Centennial Aquatic Centre": ("pool", 1),
}
CHANNELS = ["Online", "Phone", "In Person"]
CHANNEL_SPELLINGS = {"Online": "ONLINE", "Phone": "phone", "In Person": "in person"}
HEADER = [
    "Registration ID",
    "Program Code",
    "Program Name",
    "Facility",
    "Ward",
    "Start Date",
    "Capacity",
    "First Name",
    "Last Name",
    "Birth Date",
    "Guardian Phone",
    "Guardian Email",
    "Registration Date",
    "Channel",
    "Fee Paid",
    "Status",
]


def registration_columns(rng: np.random.Generator, rows: int) -> dict[str, np.ndarray]:
    """One entry per registration (before the export repeats some)."""
    names = list(PROGRAMS)
    sections = max(rows // 11, 1)
    program = rng.integers(0, len(names), sections)
    kinds = np.array([PROGRAMS[n][1] for n in names])[program]
    facility = np.empty(sections, dtype=object)
    for kind in ("pool", "centre"):
        options = [f for f, (k, _) in FACILITIES.items() if k == kind]
        facility[kinds == kind] = pick(rng, options, int((kinds == kind).sum()))
    span = int((END - START) / np.timedelta64(1, "D"))
    starts = START.astype("datetime64[D]") + rng.integers(14, span, sections)
    capacity = np.array([PROGRAMS[n][4] for n in names])[program]
    code = np.char.add(
        np.char.add(np.array([PROGRAMS[n][0] for n in names])[program].astype(str), "-"),
        np.char.zfill((np.arange(sections) + 1001).astype(str), 5),
    )

    # Popular sections fill up and keep a waiting list; quiet ones run with a handful.
    popularity = rng.lognormal(0, 0.8, sections)
    section = rng.choice(sections, rows, p=popularity / popularity.sum())
    registered_at = (
        starts[section].astype("datetime64[s]")
        - rng.integers(1, 60, rows).astype("timedelta64[D]")
        + (np.clip(rng.normal(13, 4, rows), 0, 23.99) * 3600).astype("timedelta64[s]")
    )
    # Places go in order of registration: the first `capacity` get one, the rest wait.
    order = np.lexsort((registered_at, section))
    first_of_section = np.searchsorted(section[order], section[order])
    rank = np.empty(rows, int)
    rank[order] = np.arange(rows) - first_of_section
    status = np.where(rank < capacity[section], "Registered", "Waitlisted").astype(object)
    dropped = rng.random(rows)
    status[(status == "Registered") & (dropped < 0.05)] = "Cancelled"
    status[(status == "Registered") & (dropped > 0.97)] = "Withdrawn"

    youngest = np.array([PROGRAMS[n][2] for n in names])[program][section]
    oldest = np.array([PROGRAMS[n][3] for n in names])[program][section]
    age_days = (rng.uniform(youngest, oldest + 1) * 365.25).astype(int)
    fee = np.array([PROGRAMS[n][5] for n in names])[program][section]
    fee = np.where(some(rng, rows, 0.08), np.round(fee / 2, 2), fee)  # fee assistance
    fee = np.where(status == "Waitlisted", 0.0, fee)
    _, phones, emails = people(rng, rows)
    channel = pick(rng, CHANNELS, rows, [0.64, 0.14, 0.22])
    for label, other in CHANNEL_SPELLINGS.items():
        channel[(channel == label) & some(rng, rows, 0.06)] = other
    return {
        "id": np.char.add("REG-", np.char.zfill((np.arange(rows) + 1).astype(str), 7)),
        "code": code[section],
        "program": np.array(names, dtype=object)[program][section],
        "facility": facility[section],
        "ward": np.array([FACILITIES[f][1] for f in facility])[section],
        "start": starts[section],
        "capacity": capacity[section],
        "first": pick(rng, FIRST_NAMES, rows),
        "last": pick(rng, LAST_NAMES, rows),
        "birth": starts[section] - age_days,
        "birth_text": some(rng, rows, 0.03),
        "phone": phones,
        "email": np.where(some(rng, rows, 0.04), "N/A", emails),
        "registered_at": registered_at,
        "channel": channel,
        "fee": fee,
        "status": status,
        "duplicate": some(rng, rows, 0.006),
        "newer_status": some(rng, rows, 0.5),
    }


def write_extracts(out_dir: Path, scale: float, seed: int, force: bool) -> list[tuple[Path, int]]:
    folder = Path(out_dir) / FOLDER
    if not force and list(folder.glob("Registrations_*.xlsx")):
        return []
    rng = np.random.default_rng([seed, 17])
    columns = registration_columns(rng, max(int(REGISTRATIONS * scale), 1))
    years = columns["start"].astype("datetime64[Y]").astype(int) + 1970
    written = []
    for year in np.unique(years):
        chosen = np.flatnonzero(years == year)
        chosen = chosen[np.argsort(columns["registered_at"][chosen], kind="stable")]
        path = folder / f"Registrations_{year}.xlsx"
        written.append((path, _write_workbook({k: v[chosen] for k, v in columns.items()}, path)))
    return written


def _write_workbook(columns: dict[str, np.ndarray], path: Path) -> int:
    book = openpyxl.Workbook(write_only=True)
    book.properties.created = book.properties.modified = FIXED_TIME
    sheet = book.create_sheet("Registrations")
    sheet.append(HEADER)
    written = 0
    # openpyxl writes a row at a time: that is its API, not our data path.
    for i in range(len(columns["id"])):
        row = _row(columns, i)
        sheet.append(row)
        written += 1
        if columns["duplicate"][i]:
            # Exported again; half the time the second copy carries a newer status.
            if columns["newer_status"][i] and row[-1] == "Registered":
                row = [*row[:-1], "Cancelled"]
            sheet.append(row)
            written += 1
    sheet.append(["Total", *[None] * 13, round(float(columns["fee"].sum()), 2), None])
    buffer = io.BytesIO()
    book.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_fixed_zip(buffer.getvalue()))
    return written + 1  # registrations plus the total row


def _row(columns: dict[str, np.ndarray], i: int) -> list:
    birth = columns["birth"][i].astype(dt.date)
    return [
        columns["id"][i],
        columns["code"][i],
        columns["program"][i],
        columns["facility"][i],
        int(columns["ward"][i]),
        columns["start"][i].astype(dt.date),
        int(columns["capacity"][i]),
        columns["first"][i],
        columns["last"][i],
        birth.strftime("%d-%b-%Y") if columns["birth_text"][i] else birth,
        columns["phone"][i],
        columns["email"][i],
        columns["registered_at"][i].astype(dt.datetime),
        columns["channel"][i],
        float(columns["fee"][i]),
        columns["status"][i],
    ]
