"""Planning and Development: the land-management system's development-applications export.

The system (AMANDA/Accela-style) exports the status history of development applications,
one CSV per year of status date, UTF-8 with a byte-order mark, one row per status change.
The mess it reproduces, at low rates:

- the 2024 vintage names its columns differently (``Folder Number``, ``In Date``...),
  writes dates as ``14-MAR-2024``, statuses in mixed case or abbreviated (``RECD``,
  ``Circ``, ``W/D``), now and then with a trailing ``;``, wards as ``Ward 03`` or ``-``,
  and ends with an ``END OF REPORT`` trailer row;
- the 2025 export re-sends the status rows of the last two weeks of 2024 (its window
  overlaps the previous one), and both files repeat the odd row right after itself;
- a status date keyed before the application's received date in a few rows;
- the applicant (a person or a company), the assigned planner (staff) and a COMMENTS
  column of multi-line free text in quotes (commas, quotes, line breaks; now and then a
  neighbour's name and phone number).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .common import END, START, addresses, people, pick, some
from .vocabulary import COMPANY_KINDS, COMPANY_WORDS, WARD_WEIGHTS

SYSTEM = "planning"
FOLDER = "planning"
RNG_NUMBER = 10
APPLICATIONS_AT_SCALE_1 = 1_500
BOM = b"\xef\xbb\xbf"
OVERLAP_START = dt.date(2024, 12, 18)  # the 2025 export re-sends from here

# type -> (prefix, weight, legislated days, share of applicants that are companies)
TYPES = {
    "Minor Variance": ("MV", 34, 30, 0.25),
    "Site Plan": ("SPA", 20, 60, 0.85),
    "Consent": ("CON", 14, 90, 0.40),
    "Zoning By-law Amendment": ("ZBA", 16, 90, 0.85),
    "Official Plan Amendment": ("OPA", 5, 120, 0.90),
    "Plan of Subdivision": ("SUB", 11, 120, 0.95),
}
# The status sequence, in order; an application goes through a prefix of it.
STAGES = [
    "Received",
    "Deemed Complete",
    "Circulated",
    "Public Meeting",
    "Approved",
    "Refused",
    "Withdrawn",
    "Appealed to OLT",
]
NEW_HEADER = {
    "application_number": "Application Number",
    "application_type": "Application Type",
    "address": "Address",
    "ward": "Ward",
    "date_received": "Date Received",
    "status": "Status",
    "status_date": "Status Date",
    "applicant": "Applicant",
    "planner": "Assigned Planner",
    "comments": "Comments",
}
OLD_HEADER = {
    "application_number": "Folder Number",
    "application_type": "Folder Type",
    "address": "Property Address",
    "ward": "Ward No",
    "date_received": "In Date",
    "status": "Status Desc",
    "status_date": "Status Dt",
    "applicant": "Applicant Name",
    "planner": "Planner",
    "comments": "COMMENTS",
}
# How the old system's clerks keyed statuses (the contract maps them back).
OLD_SPELLINGS = {
    "Received": ["RECEIVED", "Recd", "received"],
    "Deemed Complete": ["DEEMED COMPLETE", "Deemed Cmplt"],
    "Circulated": ["CIRCULATED", "Circ"],
    "Public Meeting": ["PUBLIC MEETING", "Pub Mtg"],
    "Approved": ["APPROVED", "Appr"],
    "Refused": ["REFUSED"],
    "Withdrawn": ["W/D", "WITHDRAWN"],
    "Appealed to OLT": ["APPEALED TO OLT", "Appealed - OLT"],
}
COMMENTS = {
    "Received": ['Pre-consultation held, file "complete" per checklist.', "Fees paid."],
    "Deemed Complete": ["Deemed complete.\nNotice of complete application mailed."],
    "Circulated": ["Circulated to Engineering, Parks, Fire and the Conservation Authority."],
    "Public Meeting": ["Statutory public meeting held.\nTwo delegations; staff to report back."],
    "Approved": ["Approved with conditions (see decision letter)."],
    "Refused": ["Refused: does not maintain the intent of the Official Plan."],
    "Withdrawn": ["Applicant withdrew the application by e-mail."],
    "Appealed to OLT": ["Appeal filed with the Ontario Land Tribunal, fee received."],
}


def write_extracts(
    out_dir: Path, scale: float = 1.0, seed: int = 42, force: bool = False
) -> list[tuple[Path, int]]:
    """``DevApps_StatusHistory_2024.csv`` and ``..._2025.csv`` in ``out_dir/planning``."""
    folder = Path(out_dir) / FOLDER
    paths = {year: folder / f"DevApps_StatusHistory_{year}.csv" for year in (2024, 2025)}
    if not force and all(p.exists() for p in paths.values()):
        return []
    rng = np.random.default_rng([seed, RNG_NUMBER])
    history = status_history(rng, max(int(APPLICATIONS_AT_SCALE_1 * scale), 10))
    folder.mkdir(parents=True, exist_ok=True)
    return [
        (paths[2024], _write_old(rng, history, paths[2024])),
        (paths[2025], _write_new(rng, history, paths[2025])),
    ]


def status_history(rng: np.random.Generator, applications: int) -> pa.Table:
    """Every status change of ``applications`` applications (before the mess of a vintage)."""
    n = applications
    names = list(TYPES)
    kind = pick(rng, names, n, [TYPES[t][1] for t in names])
    legislated = np.array([TYPES[t][2] for t in kind])
    company_share = np.array([TYPES[t][3] for t in kind])
    received = START.astype("datetime64[D]") + np.sort(rng.integers(0, 730, n))
    minor = kind == "Minor Variance"
    has_meeting = ~np.isin(kind, ["Site Plan", "Consent"])

    # Days from receipt to each stage (-1: the application never reaches it).
    offset = np.full((n, len(STAGES)), -1, dtype=int)
    offset[:, 0] = 0
    offset[:, 1] = np.where(minor, rng.integers(2, 10, n), rng.integers(5, 30, n))
    offset[:, 2] = offset[:, 1] + rng.integers(2, 12, n)
    # A minor variance is heard about a month after receipt (s.45(4): within 30 days);
    # the committee decides at the hearing. Others decide around their statutory limit.
    hearing = np.maximum(offset[:, 2] + 1, np.round(rng.lognormal(np.log(26), 0.25, n)))
    decided_after = np.round(legislated * rng.lognormal(np.log(0.9), 0.35, n)).astype(int)
    decision = np.where(minor, hearing, np.maximum(decided_after, offset[:, 2] + 20))
    meeting = np.where(minor, hearing, offset[:, 2] + (decision - offset[:, 2]) // 2)
    offset[has_meeting, 3] = meeting[has_meeting]
    outcome = rng.choice(3, n, p=[0.86, 0.06, 0.08])  # approved, refused, withdrawn
    # A late application is sometimes appealed for non-decision instead of decided.
    non_decision = ~minor & (decided_after > legislated) & some(rng, n, 0.25)
    withdrawn_at = offset[:, 2] + rng.integers(5, 60, n)
    for stage, code in ((4, 0), (5, 1)):
        chosen = (outcome == code) & ~non_decision
        offset[chosen, stage] = decision[chosen]
    offset[(outcome == 2) & ~non_decision, 6] = withdrawn_at[(outcome == 2) & ~non_decision]
    offset[(outcome == 2) & ~non_decision, 3] = -1  # withdrawn before any meeting
    appealed = (outcome < 2) & some(rng, n, 0.07)  # a decision appealed within 20 days
    offset[appealed & ~non_decision, 7] = decision[appealed & ~non_decision] + rng.integers(
        5, 20, int((appealed & ~non_decision).sum())
    )
    offset[non_decision, 7] = legislated[non_decision] + rng.integers(
        5, 60, int(non_decision.sum())
    )
    offset[non_decision, 3] = -1

    app, stage = np.nonzero(offset >= 0)
    status_date = received[app] + offset[app, stage]
    keep = status_date < END.astype("datetime64[D]")  # what has happened by the extract
    app, stage, status_date = app[keep], stage[keep], status_date[keep]
    # A few dates keyed before the application was received (not the Received row).
    typo = (stage > 0) & some(rng, len(app), 0.004)
    status_date[typo] = received[app[typo]] - rng.integers(1, 20, int(typo.sum()))

    prefixes = np.array([TYPES[t][0] for t in kind], dtype=object)
    years = received.astype("datetime64[Y]").astype(int) + 1970
    number = _numbers(prefixes, years)
    person, _, _ = people(rng, n)
    companies = pick(rng, COMPANY_WORDS, n) + " " + pick(rng, COMPANY_KINDS, n)
    applicant = np.where(rng.random(n) < company_share, companies, person)
    # The planning staff: the same twelve planners whatever the seed.
    planners, _, _ = people(np.random.default_rng([RNG_NUMBER, 0]), 12)
    neighbour, neighbour_phone, _ = people(rng, len(app))
    comments = _comments(rng, stage, neighbour, neighbour_phone)
    return pa.table(
        {
            "application_number": number[app],
            "application_type": kind[app],
            "address": addresses(rng, n)[app],
            "ward": pick(rng, list(range(1, 16)), n, WARD_WEIGHTS).astype(int)[app],
            "date_received": received[app],
            "status": np.array(STAGES, dtype=object)[stage],
            "status_date": status_date,
            "applicant": applicant[app],
            "planner": pick(rng, list(planners), n)[app],
            "comments": comments,
        }
    ).sort_by([("status_date", "ascending"), ("application_number", "ascending")])


def _numbers(prefixes: np.ndarray, years: np.ndarray) -> np.ndarray:
    """ZBA-2024-0012: a sequence per type and year, in order of receipt (rows are sorted)."""
    group = prefixes + "-" + years.astype(str)
    order = np.argsort(group, kind="stable")
    sorted_groups = group[order]
    starts = np.r_[True, sorted_groups[1:] != sorted_groups[:-1]]
    first = np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))
    sequence = np.empty(len(order), dtype=int)
    sequence[order] = np.arange(len(order)) - first + 1
    return group + "-" + np.char.zfill(sequence.astype(str), 4).astype(object)


def _comments(rng, stage: np.ndarray, neighbour: np.ndarray, phone: np.ndarray) -> np.ndarray:
    """Staff notes: empty for about half the rows; a neighbour who called, now and then."""
    size = len(stage)
    text = np.empty(size, dtype=object)
    for index, status in enumerate(STAGES):
        mask = stage == index
        text[mask] = pick(rng, COMMENTS[status], int(mask.sum()))
    called = some(rng, size, 0.05)
    text[called] = (
        text[called] + "\nNeighbour " + neighbour[called] + " called, " + phone[called] + ","
        ' says "too tall for the street".'
    )
    return np.where(some(rng, size, 0.45) & ~called, None, text)


def _repeat_some(rng, table: pa.Table, rate: float) -> pa.Table:
    """Repeat ~rate of the rows right after themselves, as a re-export does."""
    repeat = 1 + some(rng, table.num_rows, rate).astype(int)
    return table.take(np.repeat(np.arange(table.num_rows), repeat))


def _write_old(rng, history: pa.Table, path: Path) -> int:
    """2024: the old vintage's header, dates, status spellings and trailer row."""
    conn = duckdb.connect()
    rows = history.filter(pc.less(pc.year(history["status_date"]), 2025))
    status = rows["status"].to_numpy(zero_copy_only=False).copy()
    messy = some(rng, len(status), 0.10)
    for clean, spellings in OLD_SPELLINGS.items():
        mask = messy & (status == clean)
        status[mask] = pick(rng, spellings, int(mask.sum()))
    trailing = some(rng, len(status), 0.01)
    status[trailing] = status[trailing] + ";"
    ward = np.char.add("Ward ", np.char.zfill(rows["ward"].to_numpy().astype(str), 2))
    ward = np.where(some(rng, len(status), 0.01), "-", ward).astype(object)
    rows = rows.set_column(rows.schema.get_field_index("status"), "status", pa.array(status))
    rows = rows.set_column(rows.schema.get_field_index("ward"), "ward", pa.array(ward))
    rows = _repeat_some(rng, rows, 0.005)
    conn.register("rows", rows)
    columns = ", ".join(
        f'{_old_value(column)} AS "{header}"' for column, header in OLD_HEADER.items()
    )
    body = _csv(conn, f"SELECT {columns} FROM rows", path)
    trailer = f'"** END OF REPORT - {rows.num_rows} ROWS **",,,,,,,,,\n'
    path.write_bytes(BOM + body + trailer.encode("utf-8"))
    return rows.num_rows + 1


def _write_new(rng, history: pa.Table, path: Path) -> int:
    """2025: today's header and ISO dates; re-sends the last two weeks of 2024."""
    conn = duckdb.connect()
    rows = history.filter(
        pc.greater_equal(history["status_date"], pa.scalar(OVERLAP_START, pa.date32()))
    )
    rows = _repeat_some(rng, rows, 0.005)
    conn.register("rows", rows)
    columns = ", ".join(
        f'CAST({column} AS VARCHAR) AS "{header}"' for column, header in NEW_HEADER.items()
    )
    path.write_bytes(BOM + _csv(conn, f"SELECT {columns} FROM rows", path))
    return rows.num_rows


def _old_value(column: str) -> str:
    if column in ("date_received", "status_date"):
        return f"upper(strftime({column}, '%d-%b-%Y'))"
    return f"CAST({column} AS VARCHAR)"


def _csv(conn, query: str, path: Path) -> bytes:
    """The query as CSV bytes (quotes only where a value needs them: commas, quotes,
    line breaks), in row order; DuckDB writes it through a scratch file beside ``path``."""
    scratch = path.with_suffix(".tmp")
    conn.execute(f"COPY ({query}) TO '{scratch}' (FORMAT csv, HEADER true)")
    data = scratch.read_bytes()
    scratch.unlink()
    return data
