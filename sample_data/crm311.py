"""311 / customer service CRM exports (CSV), as the city's two CRMs write them.

2024 comes from the old CRM: cp1252, CRLF, every field quoted, US-style timestamps,
"Ward 3", its own column names. 2025 comes from the new CRM: UTF-8, LF, ISO timestamps,
snake_case names. Both carry the mess real exports have, at low rates.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from .common import END, addresses, people, pick, some, timestamps
from .vocabulary import SERVICE_CATEGORIES, WARD_WEIGHTS

OLD_HEADER = {
    "request_id": "SR Number",
    "created_at": "Created Date",
    "closed_at": "Closed Date",
    "status": "Status",
    "service_category": "Category",
    "service_type": "Request Type",
    "intake_channel": "Channel",
    "ward": "Ward",
    "street_address": "Address",
    "caller_name": "Caller Name",
    "caller_phone": "Caller Phone",
    "caller_email": "Caller Email",
    "description": "Description",
}
NEW_COLUMNS = list(OLD_HEADER)


def requests_table(rng: np.random.Generator, rows: int) -> pa.Table:
    """All service requests of the two years, created_at ascending, mess included."""
    created = np.sort(timestamps(rng, rows))
    categories = list(SERVICE_CATEGORIES)
    category = pick(rng, categories, rows, [SERVICE_CATEGORIES[c][0] for c in categories])
    months = created.astype("datetime64[M]").astype(int) % 12 + 1
    off_season = (category == "Snow") & (months >= 4) & (months <= 10)
    non_snow = [c for c in categories if c != "Snow"]
    category[off_season] = pick(
        rng, non_snow, int(off_season.sum()), [SERVICE_CATEGORIES[c][0] for c in non_snow]
    )

    service_type = np.empty(rows, dtype=object)
    median_hours = np.empty(rows)
    phrase = np.empty(rows, dtype=object)
    for name, (_, types) in SERVICE_CATEGORIES.items():
        mask = category == name
        chosen = rng.integers(0, len(types), int(mask.sum()))
        service_type[mask] = np.array([t[0] for t in types], dtype=object)[chosen]
        median_hours[mask] = np.array([t[1] for t in types])[chosen]
        phrase[mask] = np.array([t[2] for t in types], dtype=object)[chosen]

    # Online channels grow from ~30% to ~50% of requests over the two years.
    progress = (created - created.min()) / max(created.max() - created.min(), 1)
    online = rng.random(rows) < 0.30 + 0.20 * progress.astype(float)
    channel = np.where(
        online,
        pick(rng, ["Web", "Mobile App"], rows, [55, 45]),
        pick(rng, ["Phone", "Walk-in", "Email"], rows, [70, 10, 20]),
    )

    age_days = (END - created) / np.timedelta64(1, "D")
    closed = rng.random(rows) < np.clip(0.55 + age_days / 120, 0, 0.97)
    cancelled = some(rng, rows, 0.04)
    status = np.where(
        cancelled,
        "Cancelled",
        np.where(closed, "Closed", np.where(rng.random(rows) < 0.5, "Open", "In Progress")),
    ).astype(object)
    hours = rng.lognormal(np.log(median_hours), 0.8)
    hours = np.where(status == "Cancelled", rng.uniform(0.2, 48, rows), hours)
    closed_at = created + (hours * 3600).astype("timedelta64[s]")
    has_close = np.isin(status, ["Closed", "Cancelled"])
    backwards = has_close & some(rng, rows, 0.003)  # the CRM's clock problems
    closed_at[backwards] = created[backwards] - (
        rng.uniform(1, 72, int(backwards.sum())) * 3600
    ).astype("timedelta64[s]")

    ward = pick(rng, list(range(1, 16)), rows, WARD_WEIGHTS).astype(int)
    address = addresses(rng, rows)
    name, phone, email = people(rng, rows)
    anonymous = some(rng, rows, 0.15)
    description = phrase + " near " + address + "."
    call_back = some(rng, rows, 0.10) & ~anonymous
    description[call_back] = (
        description[call_back] + " Please call back at " + phone[call_back] + "."
    )

    table = pa.table(
        {
            "created_at": pa.array(created),
            "closed_at": pa.array(closed_at, mask=~has_close),
            "status": _messy_status(rng, status),
            "service_category": _trailing_spaces(rng, category),
            "service_type": service_type,
            "intake_channel": channel,
            "ward": pa.array(ward, mask=some(rng, rows, 0.01)),
            "street_address": address,
            "caller_name": pa.array(name, mask=anonymous),
            "caller_phone": pa.array(phone, mask=anonymous),
            "caller_email": pa.array(email, mask=anonymous),
            "description": description,
        }
    )
    return _with_duplicates(rng, table, rate=0.005)


def _messy_status(rng, status: np.ndarray) -> np.ndarray:
    status = status.copy()
    messy = some(rng, len(status), 0.02)
    variants = {
        "Closed": ["CLOSED", "closed", "Closed "],
        "In Progress": ["in progress"],
        "Open": ["OPEN", "open "],
        "Cancelled": ["CANCELLED"],
    }
    for clean, spellings in variants.items():
        mask = messy & (status == clean)
        status[mask] = pick(rng, spellings, int(mask.sum()))
    return status


def _trailing_spaces(rng, values: np.ndarray) -> np.ndarray:
    values = values.copy()
    mask = some(rng, len(values), 0.02)
    values[mask] = values[mask] + " "
    return values


def _with_duplicates(rng, table: pa.Table, rate: float) -> pa.Table:
    """Repeat ~rate of the rows right after themselves, as a CRM re-export does."""
    repeat = 1 + some(rng, table.num_rows, rate).astype(int)
    return table.take(np.repeat(np.arange(table.num_rows), repeat))


def write_vintages(table: pa.Table, folder: Path) -> list[tuple[Path, int]]:
    """SR_EXPORT_2024.csv (old CRM) and SR_EXPORT_2025.csv (new CRM)."""
    folder.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect()
    conn.register("requests", table)
    conn.execute("""CREATE TEMP TABLE numbered AS SELECT *, year(created_at) AS year,
        'SR-' || year(created_at) || '-' || lpad(CAST(dense_rank() OVER (
            PARTITION BY year(created_at) ORDER BY created_at, street_address, service_type)
            AS VARCHAR), 7, '0') AS request_id FROM requests""")
    written = []
    old_columns = ", ".join(
        f'CAST({_old_value(column)} AS VARCHAR) AS "{header}"'
        for column, header in OLD_HEADER.items()
    )
    old = conn.execute(
        f"SELECT {old_columns} FROM numbered WHERE year = 2024 ORDER BY created_at"
    ).fetch_arrow_table()
    written.append(_write_old(old, folder / "SR_EXPORT_2024.csv"))
    new_columns = ", ".join(
        f"CAST({_new_value(column)} AS VARCHAR) AS {column}" for column in NEW_COLUMNS
    )
    path = folder / "SR_EXPORT_2025.csv"
    conn.execute(
        f"COPY (SELECT {new_columns} FROM numbered WHERE year = 2025 "
        f"ORDER BY created_at) TO '{path}' (FORMAT csv, HEADER true)"
    )
    written.append(
        (path, conn.execute("SELECT count(*) FROM numbered WHERE year = 2025").fetchone()[0])
    )
    return written


def write_big_csv(table: pa.Table, path: Path) -> int:
    """The whole table in the new CRM's layout (benchmarks)."""
    conn = duckdb.connect()
    conn.register("requests", table)
    conn.execute(
        "CREATE TEMP TABLE numbered AS SELECT *, 'SR-' || year(created_at) || '-' "
        "|| lpad(CAST(row_number() OVER () AS VARCHAR), 9, '0') AS request_id "
        "FROM requests"
    )
    columns = ", ".join(f"CAST({_new_value(c)} AS VARCHAR) AS {c}" for c in NEW_COLUMNS)
    conn.execute(f"COPY (SELECT {columns} FROM numbered) TO '{path}' (FORMAT csv, HEADER true)")
    return table.num_rows


def _old_value(column: str) -> str:
    if column == "created_at":
        # About 1 in 4,000 rows was keyed in day-first by hand: some of those cannot be
        # read (month 13+), and the ingest quarantines them.
        return (
            "CASE WHEN hash(request_id) % 4000 = 0 "
            "THEN strftime(created_at, '%d/%m/%Y %I:%M:%S %p') "
            "ELSE strftime(created_at, '%m/%d/%Y %I:%M:%S %p') END"
        )
    if column == "closed_at":
        return f"strftime({column}, '%m/%d/%Y %I:%M:%S %p')"
    if column == "ward":
        return "CASE WHEN ward IS NOT NULL THEN 'Ward ' || ward END"
    return column


def _new_value(column: str) -> str:
    if column in ("created_at", "closed_at"):
        return f"strftime({column}, '%Y-%m-%dT%H:%M:%S')"
    return column


def _write_old(table: pa.Table, path: Path) -> tuple[Path, int]:
    """Every field quoted, CRLF line ends, cp1252: as the old CRM's export wizard wrote."""
    conn = duckdb.connect()
    conn.register("old", table)
    scratch = path.with_suffix(".utf8.tmp")
    conn.execute(f"COPY old TO '{scratch}' (FORMAT csv, HEADER true, FORCE_QUOTE *)")
    text = scratch.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(text.encode("cp1252"))
    scratch.unlink()
    return path, table.num_rows
