"""Operations (road operations, Transportation): the maintenance-management system's
work orders, as its Cityworks/Maximo-style scheduled CSV export, one file per month.

The mess it reproduces, each at a low rate: the export's header changed in July 2024 (new
column names, ISO instead of US timestamps, "7" instead of "Ward 7"); activity codes in
mixed case (``pth``, ``Pth``); a trailing ``;`` the legacy export leaves after the last
field; a TOTAL row at the bottom of every file; null sentinels (``N/A``, ``-``); money as
text (``$1,234.50``); work orders re-exported in the month they were completed (a repeated
key, the later file holds the latest version); a created date typed with its year's digits
swapped (out of range); a completion stamped before creation; requester names and phone
numbers typed into the notes field (personal).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import END, START, addresses, people, pick, some, timestamps
from .vocabulary import WARD_WEIGHTS

SYSTEM = "work_orders"
FOLDER = "work_orders"
RNG_NUMBER = 19
ROWS_AT_SCALE_1 = 8_000

# activity -> (code in the system, weight, median labour hours, median material dollars)
ACTIVITIES = {
    "Pothole Repair": ("PTH", 30, 2.0, 90.0),
    "Sidewalk Repair": ("SWK", 12, 6.0, 450.0),
    "Streetlight Repair": ("SLT", 15, 3.0, 220.0),
    "Sign Repair": ("SGN", 12, 1.5, 80.0),
    "Catch Basin Cleaning": ("CBC", 10, 2.5, 20.0),
    "Tree Trimming": ("TRT", 11, 4.0, 30.0),
    "Graffiti Removal": ("GRF", 10, 1.5, 40.0),
}
LABOUR_RATE = 68.50  # dollars per crew hour, the 2024-2025 collective agreement's blend

OLD_HEADER = (
    "WO Number,Activity Code,Priority,Date Created,Date Scheduled,Date Completed,Ward,"
    "Location,Crew,Labour Hrs,Labour Cost,Material Cost,SR Number,Notes,Status"
)
NEW_HEADER = (
    "WorkOrderID,Activity,Priority,CreatedDate,ScheduledDate,CompletedDate,Ward,Address,"
    "CrewID,LabourHours,LabourCost,MaterialCost,ServiceRequestID,Comments,Status"
)
# The export switched to the new layout with the July 2024 file.
NEW_LAYOUT_FROM = np.datetime64("2024-07", "M")
NOTES = np.array(
    [
        "Crew found more damage than reported",
        "Traffic control required",
        "Completed as scheduled",
        "Material on back order",
        "Referred to utility locate",
    ],
    dtype=object,
)


def work_order_columns(rng: np.random.Generator, rows: int) -> dict[str, np.ndarray]:
    """One entry per work order (its final state), sorted by creation time."""
    created = np.sort(timestamps(rng, rows))
    names = list(ACTIVITIES)
    activity = pick(rng, names, rows, [ACTIVITIES[a][1] for a in names])
    code = np.empty(rows, dtype=object)
    hours_median = np.empty(rows)
    material_median = np.empty(rows)
    for name, (short, _, hours, material) in ACTIVITIES.items():
        mask = activity == name
        code[mask], hours_median[mask], material_median[mask] = short, hours, material
    priority = pick(rng, [1, 2, 3, 4], rows, [10, 30, 40, 20]).astype(int)
    # urgent work is scheduled within hours, routine work within weeks
    schedule_hours = rng.exponential(np.array([4, 24, 120, 360])[priority - 1])
    scheduled = created + (schedule_hours * 3600).astype("timedelta64[s]")
    completed = scheduled + (rng.exponential(8, rows) * 3600 + 1800).astype("timedelta64[s]")
    stage = rng.random(rows)
    status = np.where(stage < 0.04, "Cancelled", "Completed").astype(object)
    open_now = completed >= END
    status[open_now] = np.where(scheduled[open_now] < END, "In Progress", "Open")
    has_completion = status == "Completed"
    labour_hours = np.round(rng.lognormal(np.log(hours_median), 0.5) * 4) / 4 + 0.25
    material = np.round(rng.lognormal(np.log(material_median), 0.8), 2)
    from_311 = some(rng, rows, 0.35)
    year = created.astype("datetime64[Y]").astype(int) + 1970
    request = np.char.add(
        np.char.add("SR-", year.astype(str)),
        np.char.add("-", np.char.zfill(rng.integers(1, 60_000, rows).astype(str), 7)),
    ).astype(object)
    requester, phone, _ = people(rng, rows)
    notes = np.where(
        from_311 & some(rng, rows, 0.6),
        "Requested by " + requester + ", call back " + phone,
        pick(rng, list(NOTES), rows),
    )
    sequence = np.arange(rows) + 1
    return {
        "id": ("WO-" + year.astype(str).astype(object) + "-")
        + np.char.zfill(sequence.astype(str), 6).astype(object),
        "code": code,
        "priority": priority,
        "created": created,
        "scheduled": scheduled,
        "completed": completed,
        "has_scheduled": status != "Cancelled",
        "has_completion": has_completion,
        "ward": pick(rng, list(range(1, 16)), rows, WARD_WEIGHTS),
        "address": addresses(rng, rows),
        "crew": "RD-CREW-" + np.char.zfill(rng.integers(1, 25, rows).astype(str), 2).astype(object),
        "hours": np.where(has_completion, labour_hours, 0.0),
        "material": np.where(has_completion, material, 0.0),
        "request": np.where(from_311, request, ""),
        "notes": notes,
        "status": status,
        # the mess, each at a low rate
        "code_case": rng.integers(0, 3, rows),  # 0 upper, 1 lower, 2 title case
        "status_upper": some(rng, rows, 0.05),
        "trailing": some(rng, rows, 0.02),
        "ward_na": some(rng, rows, 0.01),
        "material_text": some(rng, rows, 0.05),
        "year_typo": some(rng, rows, 0.002),
        "completed_before": some(rng, rows, 0.003) & has_completion,
        "re_exported": some(rng, rows, 0.03) & has_completion,
    }


def _text_time(values: np.ndarray, new_layout: np.ndarray) -> np.ndarray:
    iso = np.datetime_as_string(values, unit="s")  # 2025-03-04T13:05:00
    date, clock = np.char.partition(iso, "T")[:, 0], np.char.partition(iso, "T")[:, 2]
    parts = np.char.split(date, "-")
    us = np.array([f"{p[1]}/{p[2]}/{p[0]}" for p in parts], dtype=object)  # small: 8k rows
    return np.where(new_layout, (date.astype(object) + " ") + clock, us + " " + clock.astype(str))


def _lines(columns: dict[str, np.ndarray], rows: np.ndarray, month: np.datetime64) -> list[str]:
    """The CSV lines of ``rows`` (indexes into ``columns``) in the month's layout."""
    new = np.full(len(rows), month >= NEW_LAYOUT_FROM)

    def col(name: str) -> np.ndarray:
        return columns[name][rows]

    created = col("created").copy()
    typo = col("year_typo")
    created_text = _text_time(created, new).astype(object)
    # "2025" typed "2052": the contract's window quarantines it
    created_text[typo] = [
        t.replace("2025", "2052").replace("2024", "2042") for t in created_text[typo]
    ]
    completed = col("completed").copy()
    before = col("completed_before")
    completed[before] = created[before] - np.timedelta64(3, "h")
    code = col("code")
    code = np.select(
        [col("code_case") == 1, col("code_case") == 2],
        [np.char.lower(code.astype(str)), np.char.capitalize(code.astype(str))],
        code.astype(str),
    ).astype(object)
    ward = col("ward").astype(str).astype(object)
    ward = np.where(new, ward, "Ward " + ward)
    ward[col("ward_na")] = "N/A"
    hours = col("hours")
    labour = np.round(hours * LABOUR_RATE, 2)
    material = col("material")
    material_text = np.char.mod("%.2f", material).astype(object)
    money_like = np.array([f"${m:,.2f}" for m in material], dtype=object)
    material_text = np.where(col("material_text"), money_like, material_text)
    material_text[material == 0] = "-"
    status = col("status").copy()
    status[col("status_upper")] = np.char.upper(status[col("status_upper")].astype(str))
    status = np.where(col("trailing"), status + ";", status)
    blank = np.full(len(rows), "", dtype=object)
    fields = [
        col("id"),
        code,
        col("priority").astype(str).astype(object),
        created_text,
        np.where(col("has_scheduled"), _text_time(col("scheduled"), new), blank),
        np.where(col("has_completion"), _text_time(completed, new), blank),
        ward,
        col("address"),
        col("crew"),
        np.char.mod("%.2f", hours).astype(object),
        np.char.mod("%.2f", labour).astype(object),
        '"' + material_text + '"',
        col("request"),
        '"' + col("notes") + '"',
        status,
    ]
    line = fields[0]
    for field in fields[1:]:
        line = line + "," + field
    total = f'TOTAL,,,,,,,,,{hours.sum():.2f},{labour.sum():.2f},"{material.sum():.2f}",,,'
    return [*line.tolist(), total]


def write_extracts(
    out_dir: Path, scale: float = 1.0, seed: int = 42, force: bool = False
) -> list[tuple[Path, int]]:
    """One CSV per month of creation; a re-exported work order also appears, completed,
    in its completion month's file (its earlier copy still In Progress)."""
    folder = Path(out_dir) / FOLDER
    rng = np.random.default_rng([seed, RNG_NUMBER])
    columns = work_order_columns(rng, max(int(ROWS_AT_SCALE_1 * scale), 1))
    created_month = columns["created"].astype("datetime64[M]")
    completed_month = columns["completed"].astype("datetime64[M]")
    re_export = columns["re_exported"] & (completed_month > created_month)
    written = []
    for month in np.arange(START.astype("datetime64[M]"), END.astype("datetime64[M]")):
        path = folder / f"WorkOrders_{month}.csv"
        first = np.flatnonzero(created_month == month)
        again = np.flatnonzero(re_export & (completed_month == month))
        header = NEW_HEADER if month >= NEW_LAYOUT_FROM else OLD_HEADER
        lines = _lines(columns, first, month)
        early = np.isin(first, np.flatnonzero(re_export))
        # the first export of a re-exported order went out before it was completed
        for index in np.flatnonzero(early):
            parts = lines[index].split(",")
            parts[5], parts[-1] = "", "In Progress"
            lines[index] = ",".join(parts)
        if len(again):
            lines = lines[:-1] + _lines(columns, again, month)[:-1] + lines[-1:]
        if force or not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(header + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
        written.append((path, len(lines)))
    return written
