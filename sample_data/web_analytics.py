"""Digital Services: the web-analytics tool's exports of the city website's service pages.

One CSV per day, ``web_analytics/analytics_<YYYY-MM-DD>.csv``, for October-December 2025,
and the vendor's bulk backfill ``analytics_backfill_2024-01-01_2025-09-30.csv`` for the
days before: one row per day, service page and device category (sessions, service starts,
service completions). The mess it reproduces: the backfill spells the headers its own way
(``Page Path``, ``Starts``), writes dates as ``20240131`` and starts with a byte-order
mark; device categories in mixed case (``Mobile``, ``DESKTOP``); ``(not set)`` for a
service name the tool lost; more completions than starts on a few rows (a session that
started the day before); an ``(other)`` row for the long tail of pages and a ``Totals``
row in every file; and one day the bulk export repeated (its paging overlapped).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import some

SYSTEM = "web_analytics"
FOLDER = "web_analytics"
DAILY_FROM = np.datetime64("2025-10-01")
DAILY_TO = np.datetime64("2026-01-01")  # exclusive
BACKFILL = "analytics_backfill_2024-01-01_2025-09-30.csv"
HEADER = "date,page_path,service_name,device_category,sessions,service_starts,service_completions"
BACKFILL_HEADER = "Date,Page Path,Service,Device Category,Sessions,Starts,Completions"

# page path -> (service name, sessions a day at scale 1, share who start, share who finish)
# Names follow the city's payment services (payment_services seed) and 311 categories
# (service_categories seed); the last four exist only on the web.
SERVICES = {
    "/services/pay-property-tax": ("Property tax", 420, 0.55, 0.82),
    "/services/pay-water-bill": ("Water bill", 380, 0.60, 0.85),
    "/services/pay-parking-ticket": ("Parking ticket", 300, 0.70, 0.78),
    "/services/pay-building-permit-fee": ("Building permit fee", 60, 0.50, 0.74),
    "/services/buy-animal-licence": ("Animal licence", 90, 0.45, 0.80),
    "/services/renew-business-licence": ("Business licence", 70, 0.50, 0.76),
    "/services/recreation-payments": ("Recreation registration", 150, 0.40, 0.88),
    "/services/report-pothole": ("Roads", 140, 0.35, 0.70),
    "/services/missed-garbage-pickup": ("Waste", 210, 0.40, 0.75),
    "/services/park-maintenance": ("Parks", 60, 0.30, 0.66),
    "/services/water-main-break": ("Water", 40, 0.45, 0.72),
    "/services/bylaw-complaint": ("By-law", 110, 0.30, 0.60),
    "/services/stray-animal": ("Animal Services", 45, 0.35, 0.70),
    "/services/snow-clearing": ("Snow", 80, 0.30, 0.68),
    "/services/transit-feedback": ("Transit", 55, 0.25, 0.64),
    "/services/register-recreation-program": ("Register for a recreation program", 520, 0.45, 0.72),
    "/services/apply-business-licence": ("Apply for a business licence", 65, 0.40, 0.52),
    "/services/burn-permit": ("Request a burn permit", 35, 0.55, 0.81),
    "/services/foi-request": ("Submit an FOI request", 20, 0.50, 0.63),
}
DEVICES = {"desktop": 0.46, "mobile": 0.47, "tablet": 0.07}
DEVICE_SPELLINGS = {"desktop": "DESKTOP", "mobile": "Mobile", "tablet": "Tablet"}


def analytics_table(rng: np.random.Generator, scale: float) -> dict[str, np.ndarray]:
    """One row per day, service page and device over 2024-2025 (the whole window)."""
    days = np.arange(np.datetime64("2024-01-01"), DAILY_TO)
    pages = np.array(list(SERVICES), dtype=object)
    devices = np.array(list(DEVICES), dtype=object)
    day, page, device = (
        a.ravel()
        for a in np.meshgrid(
            np.arange(len(days)), np.arange(len(pages)), np.arange(len(devices)), indexing="ij"
        )
    )
    rows = len(day)
    base = np.array([SERVICES[p][1] for p in pages])[page] * scale
    weekday = (day + 0) % 7  # 2024-01-01 was a Monday
    share = np.array(list(DEVICES.values()))[device]
    expected = base * share * np.where(weekday >= 5, 0.6, 1.0) * rng.lognormal(0, 0.25, rows)
    sessions = rng.poisson(expected)
    starts = rng.binomial(sessions, np.array([SERVICES[p][2] for p in pages])[page])
    completions = rng.binomial(starts, np.array([SERVICES[p][3] for p in pages])[page])
    # The tool counts a completion on the day it happens: a session started the day
    # before can finish today, so a few rows have more completions than starts.
    spill = some(rng, rows, 0.004)
    completions = np.where(spill, starts + rng.integers(1, 4, rows), completions)
    device_label = devices[device]
    for label, other in DEVICE_SPELLINGS.items():
        device_label = np.where(
            (device_label == label) & some(rng, rows, 0.05), other, device_label
        )
    service = np.array([SERVICES[p][0] for p in pages], dtype=object)[page]
    return {
        "date": days[day],
        "page": pages[page],
        "service": np.where(some(rng, rows, 0.01), "(not set)", service),
        "device": device_label,
        "sessions": sessions,
        "starts": starts,
        "completions": completions,
        # the long tail of pages, summed by the tool into one row a day
        "other": rng.poisson(300 * scale, len(days)),
    }


def write_extracts(out_dir: Path, scale: float, seed: int, force: bool) -> list[tuple[Path, int]]:
    folder = Path(out_dir) / FOLDER
    table = analytics_table(np.random.default_rng([seed, 18]), scale)
    days = np.unique(table["date"])
    written = []
    backfill = folder / BACKFILL
    if force or not backfill.exists():
        chosen = table["date"] < DAILY_FROM
        # The bulk export's paging overlapped: one day's rows were written twice.
        repeated = np.flatnonzero(table["date"] == np.datetime64("2025-03-14"))
        order = np.concatenate([np.flatnonzero(chosen), repeated])
        order = np.sort(order, kind="stable")
        text = _csv(table, order, days[days < DAILY_FROM], BACKFILL_HEADER, "%Y%m%d")
        written.append((backfill, _write(backfill, "\ufeff" + text, text)))
    for day in days[days >= DAILY_FROM]:
        path = folder / f"analytics_{day}.csv"
        if force or not path.exists():
            text = _csv(table, np.flatnonzero(table["date"] == day), [day], HEADER, "%Y-%m-%d")
            written.append((path, _write(path, text, text)))
    return written


def _write(path: Path, content: str, text: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8"))
    return text.count("\n") - 1  # data rows: every line but the header


def _csv(table: dict, rows: np.ndarray, days, header: str, date_format: str) -> str:
    """The tool's CSV: the rows, one ``(other)`` row per day, and a ``Totals`` row."""
    compact = date_format == "%Y%m%d"

    def date_text(values: np.ndarray) -> np.ndarray:
        text = np.datetime_as_string(values, unit="D").astype(object)
        return np.char.replace(text.astype(str), "-", "").astype(object) if compact else text

    numbers = [
        table[k][rows].astype(str).astype(object) for k in ("sessions", "starts", "completions")
    ]
    lines = (
        date_text(table["date"][rows])
        + ","
        + table["page"][rows]
        + ","
        + table["service"][rows]
        + ","
        + table["device"][rows]
        + ","
        + numbers[0]
        + ","
        + numbers[1]
        + ","
        + numbers[2]
    )
    day_index = (np.asarray(days, "datetime64[D]") - np.datetime64("2024-01-01")).astype(int)
    other = table["other"][day_index].astype(str).astype(object)
    other_lines = (
        date_text(np.asarray(days, "datetime64[D]")) + ",(other),(other),," + other + ",0,0"
    )
    totals = (
        f"Totals,,,,{int(table['sessions'][rows].sum() + table['other'][day_index].sum())},"
        f"{int(table['starts'][rows].sum())},{int(table['completions'][rows].sum())}"
    )
    return "\n".join([header, *lines, *other_lines, totals]) + "\n"
