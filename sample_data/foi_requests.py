"""City Clerk's Office, FOI request log: the Excel workbook the access team keeps by hand.

One workbook per year (``FOI_Log_<YYYY>.xlsx``, sheet ``Log``: a title on row 1, the
header on row 2). Typed by people, so: requester types in any case, with trailing spaces
and abbreviations ("Indiv.", "Govt"); some dates typed as text in several formats
instead of date cells; a decision date before the request was received on a few rows; a
request pasted twice; fees as "$25.00" text or "-"; a "Total" row under the requests.
The 2025 workbook renamed several headers. Requester names and the request summaries
(free text that names people and places) are in the log.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import openpyxl

from .common import START, addresses, people, pick
from .permits import FIXED_TIME, _fixed_zip

SYSTEM = "foi_requests"
FOLDER = "foi_requests"
RNG_NUMBER = 22
REQUESTS = 300  # requests at scale 1

REQUEST_TYPES = {"General Records": 70, "Personal Information": 25, "Correction": 5}
# requester type -> (weight, what the clerks type for it)
REQUESTER_TYPES = {
    "Individual": (40, ["Individual", "individual", "INDIVIDUAL", "Indiv.", "Individual "]),
    "Business": (18, ["Business", "business", "Bus.", "Business "]),
    "Media": (12, ["Media", "media", "MEDIA", "Media "]),
    "Academic/Researcher": (5, ["Academic/Researcher", "Researcher", "academic"]),
    "Association/Group": (7, ["Association/Group", "Assoc.", "Group"]),
    "Government": (5, ["Government", "Govt", "govt "]),
    "Lawyer": (13, ["Lawyer", "lawyer", "Law Firm"]),
}
DEPARTMENTS = [
    "Building Services", "By-law Enforcement", "Clerk's Office", "Fire Services",
    "Human Resources", "Planning and Development", "Transportation Services",
]  # fmt: skip
TOPICS = [
    "inspection reports", "complaints", "permit drawings", "e-mails", "contracts",
    "incident reports", "council correspondence",
]  # fmt: skip
# disposition -> weight among decided requests
DISPOSITIONS = {
    "All Disclosed": 28, "Disclosed in Part": 40, "Nothing Disclosed": 8,
    "No Records Exist": 12, "Withdrawn": 8, "Abandoned": 4,
}  # fmt: skip
OLD_HEADER = [
    "Request No.", "Date Received", "Request Type", "Requester Category", "Requester Name",
    "Summary of Request", "Department", "Extension (days)", "3rd Party Notice",
    "Decision Date", "Disposition", "Fees", "Appeal to IPC",
]  # fmt: skip
NEW_HEADER = [
    "Request Number", "Received", "Type", "Requester Type", "Requester", "Request Summary",
    "Responsible Department", "s.20 Extension Days", "s.21 Notice", "Date of Decision",
    "Outcome", "Fees Charged", "IPC Appeal",
]  # fmt: skip
TEXT_DATE_FORMATS = ["%Y-%m-%d", "%B %d, %Y", "%d-%b-%Y", "%Y/%m/%d"]
LAST_DAY = np.datetime64("2025-12-31")


def _few(rng: np.random.Generator, size: int, rate: float) -> np.ndarray:
    """A mask of about ``rate`` of the rows, never empty: every mess shows at any scale."""
    mask = np.zeros(size, bool)
    mask[rng.choice(size, min(size, max(1, round(size * rate))), replace=False)] = True
    return mask


def requests(rng: np.random.Generator, count: int) -> dict[str, np.ndarray]:
    """One entry per request, received ascending, with its (true) decision."""
    received = np.sort(START.astype("datetime64[D]") + rng.integers(0, 731, count))
    kind = pick(rng, list(REQUEST_TYPES), count, list(REQUEST_TYPES.values()))
    requester = pick(rng, list(REQUESTER_TYPES), count, [w for w, _ in REQUESTER_TYPES.values()])
    requester[kind != "General Records"] = "Individual"  # one's own information
    typed = np.empty(count, dtype=object)
    for label, (_, spellings) in REQUESTER_TYPES.items():
        mask = requester == label
        typed[mask] = pick(rng, spellings, int(mask.sum()))
    extension = np.where(rng.random(count) < 0.12, rng.choice([15, 30, 60], count), 0)
    notice = rng.random(count) < 0.08
    deadline = 30 + extension + np.where(notice, 30, 0)
    # Most answers come inside the deadline, one in six late
    late = rng.random(count) < 0.17
    days = np.where(
        late, deadline + rng.integers(1, 90, count), rng.integers(3, deadline + 1, count)
    )
    decided = received + days
    disposition = pick(rng, list(DISPOSITIONS), count, list(DISPOSITIONS.values()))
    names, _, _ = people(rng, count)
    summary = (
        "All " + pick(rng, TOPICS, count) + " about " + addresses(rng, count) + " (" + names + ")"
    )
    years = received.astype("datetime64[Y]").astype(int) + 1970
    prefix = np.where(kind == "General Records", "A-", "P-")
    sequence = np.arange(count) + 1 - np.searchsorted(years, years)  # from 1 each year
    fees = np.where(
        np.isin(disposition, ["All Disclosed", "Disclosed in Part"]),
        # search time at $7.50 a quarter hour plus copies, in quarters of a dollar: a
        # binary-exact amount (openpyxl writes 17 digits: 79.6 -> 79.59999999999999)
        7.5 * rng.integers(0, 6, count) + np.round(rng.gamma(1.5, 8, count) * 4) / 4,
        0.0,
    )
    return {
        "number": prefix.astype(object)
        + years.astype(str).astype(object)
        + "-"
        + np.char.zfill(sequence.astype(str), 4).astype(object),
        "received": received,
        "year": years,
        "kind": kind,
        "requester": typed,
        "name": names,
        "summary": summary,
        "department": pick(rng, DEPARTMENTS, count),
        "extension": extension,
        "notice": notice,
        "decided": decided,
        "open": decided > LAST_DAY,  # no decision yet when the log was sent
        "disposition": disposition,
        "fees": fees,
        "appeal": rng.random(count) < 0.06,
        "text_date": _few(rng, count, 0.06),
        "text_format": pick(rng, TEXT_DATE_FORMATS, count),
        "before_receipt": _few(rng, count, 0.015),
        "pasted_twice": _few(rng, count, 0.01),
        "fee_text": _few(rng, count, 0.05),
    }


def _day(value: np.datetime64, as_text: bool, text_format: str) -> dt.date | str:
    day = value.astype("datetime64[D]").astype(dt.date)
    return day.strftime(text_format) if as_text else day


def _row(log: dict[str, np.ndarray], i: int) -> list:
    text, fmt = bool(log["text_date"][i]), str(log["text_format"][i])
    decided = None
    if not log["open"][i]:
        decision = log["decided"][i]
        if log["before_receipt"][i]:  # the year or month slipped: before it was received
            decision = log["received"][i] - np.timedelta64(int(3 + i % 20), "D")
        decided = _day(decision, text, fmt)
    fee = float(log["fees"][i]) if not log["open"][i] else None
    if fee is not None and log["fee_text"][i]:
        fee = f"${fee:,.2f}" if fee else "-"
    extension = int(log["extension"][i])
    return [
        str(log["number"][i]),
        _day(log["received"][i], text, fmt),
        str(log["kind"][i]),
        str(log["requester"][i]),
        str(log["name"][i]),
        str(log["summary"][i]),
        str(log["department"][i]),
        extension if extension else None,
        "Y" if log["notice"][i] else "N",
        decided,
        None if log["open"][i] else str(log["disposition"][i]),
        fee,
        "Yes" if log["appeal"][i] and not log["open"][i] else "No",
    ]


def write_workbook(log: dict[str, np.ndarray], year: int, path: Path) -> int:
    """One year's log; byte-identical for the same entries. Returns its rows (with total)."""
    book = openpyxl.Workbook(write_only=True)
    book.properties.created = book.properties.modified = FIXED_TIME
    sheet = book.create_sheet("Log")
    sheet.append([f"Freedom of Information Requests Log - {year}"])
    sheet.append(OLD_HEADER if year < 2025 else NEW_HEADER)
    written = 0
    # openpyxl writes a row at a time: that is its API, not our data path.
    for i in np.flatnonzero(log["year"] == year):
        row = _row(log, int(i))
        for _ in range(2 if log["pasted_twice"][i] else 1):
            sheet.append(row)
            written += 1
    sheet.append(["Total", f"{int((log['year'] == year).sum())} requests"])
    buffer = io.BytesIO()
    book.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_fixed_zip(buffer.getvalue()))
    return written + 1


def write_extracts(out_dir: Path, scale: float, seed: int, force: bool) -> list[tuple[Path, int]]:
    """FOI_Log_2024.xlsx and FOI_Log_2025.xlsx; existing files are kept unless ``force``."""
    folder = Path(out_dir) / FOLDER
    paths = {year: folder / f"FOI_Log_{year}.xlsx" for year in (2024, 2025)}
    if not force and all(p.exists() for p in paths.values()):
        return []
    log = requests(np.random.default_rng([seed, RNG_NUMBER]), max(int(REQUESTS * scale), 20))
    return [(path, write_workbook(log, year, path)) for year, path in paths.items()]
