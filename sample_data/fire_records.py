"""Fire Services: the pieces both exports of the fire records system (an FDM/Firehouse-style
RMS) share: its Windows CSV writer (cp1252, CRLF, `;` left after some lines' last value,
fields quoted only when they hold a comma) and the names it holds with accents and curly
apostrophes. Used by ``fire_inspections`` and ``burn_permits``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import pick, some

# Occupants and owners that are businesses or institutions: the RMS stores what the
# inspector typed, accents and Word's curly apostrophe (’, cp1252 0x92) included.
BUSINESSES = [
    "Café Hélène",
    "Chez François Bistro",
    "Dépanneur Côté",
    "L’Épicerie du Coin",
    "Tim’s Auto Body",
    "St. Mary’s Care Home",
    "Rivière Daycare Centre",
    "Brasserie Gagné",
    "O’Malley’s Pub",
    "Château Apartments Inc.",
    "Boulangerie Lévesque",
    "Hôtel du Lac",
    "Garçon Pizzeria",
    "Bélanger Welding Ltd.",
]
# Owners whose surname carries the curly apostrophe.
APOSTROPHE_SURNAMES = ["O’Brien", "D’Amico", "O’Neil", "D’Souza", "L’Heureux"]


def owner_names(rng: np.random.Generator, names: np.ndarray, business_rate: float) -> np.ndarray:
    """People's names, some with an apostrophe surname, and business names mixed in."""
    size = len(names)
    first = np.char.partition(names.astype(str), " ")[:, 0].astype(object)
    with_apostrophe = first + " " + pick(rng, APOSTROPHE_SURNAMES, size)
    people = np.where(some(rng, size, 0.08), with_apostrophe, names)
    return np.where(some(rng, size, business_rate), pick(rng, BUSINESSES, size), people)


def some_at_least_one(rng: np.random.Generator, size: int, rate: float) -> np.ndarray:
    """``some`` rows, and at least one: a small extract (scale 0.2) still shows the mess."""
    mask = some(rng, size, rate)
    if size:
        mask[rng.integers(0, size)] = True
    return mask


def quoted(values: np.ndarray) -> np.ndarray:
    """CSV fields: quoted (quotes doubled) only when they hold a comma or a quote."""
    text = values.astype(str)
    needs = (np.char.find(text, ",") >= 0) | (np.char.find(text, '"') >= 0)
    return np.where(needs, '"' + np.char.replace(text, '"', '""').astype(object) + '"', text)


def write_csv(path: Path, header: list[str], columns: list[np.ndarray]) -> int:
    """One cp1252 CSV with CRLF line ends; returns the lines below the header."""
    lines = quoted(np.asarray(columns[0], dtype=object)).astype(object)
    for column in columns[1:]:
        lines = lines + "," + quoted(np.asarray(column, dtype=object))
    text = "\r\n".join([",".join(header), *lines.tolist()]) + "\r\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("cp1252"))
    return len(lines)


MONTHS = np.array(
    ["", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    dtype=object,
)


def text_dates(days: np.ndarray, fmt: str) -> np.ndarray:
    """datetime64[D] as text in one of the RMS's date formats ('' for NaT): ``iso``
    (2024-04-05), ``us`` (04/05/2024) or ``month`` ("Apr 05, 2024", quoted in the CSV)."""
    missing = np.isnat(days)
    days = np.where(missing, np.datetime64("2000-01-01"), days).astype("datetime64[D]")
    year = (days.astype("datetime64[Y]").astype(int) + 1970).astype(str).astype(object)
    month_number = days.astype("datetime64[M]").astype(int) % 12 + 1
    month = np.char.zfill(month_number.astype(str), 2).astype(object)
    day_number = (days - days.astype("datetime64[M]")).astype(int) + 1
    day = np.char.zfill(day_number.astype(str), 2).astype(object)
    if fmt == "iso":
        text = year + "-" + month + "-" + day
    elif fmt == "us":
        text = month + "/" + day + "/" + year
    else:
        text = MONTHS[month_number] + " " + day + ", " + year
    return np.where(missing, "", text)
