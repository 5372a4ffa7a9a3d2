"""By-law Enforcement: the legacy parking system's monthly fixed-width file (``parking_tickets``).

One file per month, ``PKT<YYYYMM>.TXT``: ASCII, CRLF, one 112-character record per
ticket (record type ``TKT``) and a trailer record last (``TRL`` and the count of ticket
records). Values are padded to their width: descriptions and locations in upper case
("123 MAIN ST"), the set fine in implied cents (``00007500`` is $75.00). Mess at low
rates: a blank issue time (written by hand, keyed later), an issue date of zeros, a
location of ``N/A``, intersections instead of a house number, and a ticket record keyed
twice. Plates are personal, officers' badge numbers confidential.

Vectorised: each field is a (rows x width) byte matrix, the records their side-by-side
concatenation, so 400,000 tickets (scale 20) take well under a second.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import addresses, pick, some, timestamps
from .vocabulary import STREET_SUFFIXES, STREETS

SYSTEM = "parking_tickets"
FOLDER = "parking_tickets"
TICKETS = 20_000
RNG_NUMBER = 16

# (name, 1-based start, width): the contract's layout (data_dictionary/sources/)
LAYOUT = [
    ("record_type", 1, 3),
    ("ticket_number", 4, 10),
    ("issue_date", 14, 8),
    ("issue_time", 22, 4),
    ("plate", 26, 8),
    ("plate_province", 34, 2),
    ("infraction_code", 36, 4),
    ("infraction_description", 40, 30),
    ("set_fine", 70, 8),
    ("location", 78, 30),
    ("officer_badge", 108, 5),
]
RECORD_WIDTH = 112
# code -> (weight, description as the legacy table holds it, set fine in cents)
INFRACTIONS = {
    "0001": (20, "PARK PROHIBITED TIME/DAY", 5000),
    "0002": (24, "PARK OVER TIME LIMIT", 4000),
    "0003": (18, "PARK EXPIRED METER", 4000),
    "0005": (8, "STOP PROHIBITED AREA", 7500),
    "0008": (4, "PARK IN FIRE ROUTE", 10000),
    "0009": (4, "PARK WITHIN 3M OF HYDRANT", 10000),
    "0012": (2, "PARK ACCESSIBLE SPACE NO PERMIT", 45000),
    "0015": (6, "PARK ON BOULEVARD", 4000),
    "0021": (7, "PARK OVERNIGHT WINTER BAN", 5000),
    "0027": (3, "PARK IN BICYCLE LANE", 15000),
    "0030": (4, "PARK OBSTRUCTING DRIVEWAY", 5000),
}
PROVINCES = ["ON", "QC", "NY", "MI", "AB", "BC"]
PROVINCE_WEIGHTS = [90, 6, 1.5, 1, 0.8, 0.7]


def tickets_table(rng: np.random.Generator, rows: int) -> dict[str, np.ndarray]:
    """One entry per ticket, sorted by issue time."""
    issued = np.sort(timestamps(rng, rows)).astype("datetime64[m]")
    codes = list(INFRACTIONS)
    index = rng.choice(len(codes), rows, p=_weights([INFRACTIONS[c][0] for c in codes]))
    letters = rng.integers(65, 91, (rows, 4), dtype=np.uint8)
    digits = rng.integers(48, 58, (rows, 3), dtype=np.uint8)
    corner = pick(rng, STREETS, rows) + " " + pick(rng, STREET_SUFFIXES, rows)
    cross = pick(rng, STREETS, rows) + " " + pick(rng, STREET_SUFFIXES, rows)
    location = np.where(some(rng, rows, 0.08), corner + " & " + cross, addresses(rng, rows))
    location = np.where(some(rng, rows, 0.005), "N/A", location)
    badly_dated = some(rng, rows, 0.001)
    badly_dated[rows // 3] = True  # at least one, whatever the scale
    return {
        "number": np.arange(rows) + 1,
        "issued": issued,
        "time_blank": some(rng, rows, 0.02),
        "date_zero": badly_dated,
        "plate": np.hstack([letters, digits]).view("S7").ravel(),
        "province": pick(rng, PROVINCES, rows, PROVINCE_WEIGHTS),
        "code": np.array(codes, dtype="S4")[index],
        "description": np.array([INFRACTIONS[c][1] for c in codes], dtype="S30")[index],
        "fine": np.array([INFRACTIONS[c][2] for c in codes])[index],
        "location": np.char.upper(location.astype(str)),
        "badge": rng.integers(0, 40, rows) * 37 + 10_021,  # 40 officers' badge numbers
        "keyed_twice": some(rng, rows, 0.003),
    }


def _weights(weights: list[float]) -> np.ndarray:
    return np.asarray(weights, float) / np.sum(weights)


def _text(values: np.ndarray, width: int) -> np.ndarray:
    """Left-justified, space-padded (and cut) to ``width``: a (rows x width) byte matrix."""
    fixed = np.asarray(values).astype(f"S{width}")
    matrix = fixed.view(np.uint8).reshape(len(fixed), width).copy()
    matrix[matrix == 0] = ord(" ")
    return matrix


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded numbers, right-justified in ``width``: arithmetic, no string formatting."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((np.asarray(values, dtype=np.int64)[:, None] // powers) % 10 + 48).astype(np.uint8)


def records(table: dict[str, np.ndarray]) -> np.ndarray:
    """The ticket records, one row of RECORD_WIDTH bytes (plus CRLF) each."""
    rows = len(table["number"])
    day = table["issued"].astype("datetime64[D]")
    ymd = np.datetime_as_string(day, unit="D").astype("S10")
    date = np.char.replace(ymd, b"-", b"")
    date = np.where(table["date_zero"], b"00000000", date)
    minutes = (table["issued"] - day).astype(int)
    time = _digits(minutes // 60 * 100 + minutes % 60, 4)
    time[table["time_blank"]] = ord(" ")
    fields = [
        _text(np.full(rows, b"TKT"), 3),
        np.hstack([_text(np.full(rows, b"PK"), 2), _digits(table["number"], 8)]),
        _text(date, 8),
        time,
        _text(table["plate"], 8),
        _text(table["province"].astype("S2"), 2),
        _text(table["code"], 4),
        _text(table["description"], 30),
        _digits(table["fine"], 8),
        _text(table["location"], 30),
        _digits(table["badge"], 5),
        _text(np.full(rows, b"\r\n"), 2),
    ]
    lines = np.hstack(fields)
    assert lines.shape[1] == RECORD_WIDTH + 2
    return np.repeat(lines, np.where(table["keyed_twice"], 2, 1), axis=0)


def write_extracts(out_dir: Path, scale: float, seed: int, force: bool) -> list[tuple[Path, int]]:
    """``PKT<YYYYMM>.TXT`` per month; existing files are kept unless ``force``."""
    folder = Path(out_dir) / FOLDER
    table = tickets_table(np.random.default_rng([seed, RNG_NUMBER]), max(int(TICKETS * scale), 50))
    month = table["issued"].astype("datetime64[M]")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for value in np.unique(month):
        path = folder / f"PKT{str(value).replace('-', '')}.TXT"
        if path.exists() and not force:
            continue
        lines = records({k: v[month == value] for k, v in table.items()})
        trailer = b"TRL" + str(len(lines)).zfill(10).encode() + b"\r\n"
        path.write_bytes(lines.tobytes() + trailer)
        written.append((path, len(lines) + 1))  # ticket records plus the trailer
    return written
