"""Human Resources, job postings: the applicant-tracking system's monthly JSON export.

One file per month, ``postings_<YYYY-MM>.json``, holding a JSON array of the postings
exported that month. The mess it reproduces: a re-posted job appears again in a later
month with a changed status and applicant count (a repeated key: the latest counts);
divisions spelled the ATS's way, several ways (``Parks & Recreation``, ``PARKS,
FORESTRY AND RECREATION``); statuses and pay bases in mixed case; salaries sometimes as
text (``"$72,500.00"``); ``N/A`` for a closing date of a job open until filled (a null
sentinel); from July 2025 the title's key renamed (``jobTitle`` -> ``postingTitle``, an
alias); descriptions in HTML with entities (``&amp;``, ``&nbsp;``), some naming the hiring
manager, an acting manager or the manager's e-mail. The hiring manager's name and e-mail
are personal. No applicant data is in the export, only their count.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .common import DAYS, END, START, people, pick, some

SYSTEM = "job_postings"
FOLDER = "job_postings"
POSTINGS = 400  # at scale 1
MANAGERS = 60  # each manager posts a handful of jobs over two years
RENAMED_TITLE_FROM = np.datetime64("2025-07", "M")  # the ATS upgrade renamed jobTitle

# division id -> (how the ATS spells it, the jobs it posts)
DIVISIONS = {
    "parks-recreation": (
        ["Parks & Recreation", "PARKS, FORESTRY AND RECREATION", "Parks Forestry & Rec"],
        ["Recreation Programmer", "Arborist", "Lifeguard", "Park Maintenance Worker"],
    ),
    "transportation": (
        ["Transportation Services", "Roads & Transportation", "TRANSPORTATION"],
        ["Equipment Operator", "Traffic Technologist", "Road Patroller"],
    ),
    "building-services": (
        ["Building Services", "Building Dept."],
        ["Building Inspector", "Plans Examiner", "Permit Clerk"],
    ),
    "bylaw-enforcement": (["By-law Enforcement", "Bylaw Services"], ["By-law Officer"]),
    "fire-services": (["Fire Services", "Fire Dept"], ["Firefighter", "Fire Prevention Officer"]),
    "finance": (["Finance & Revenue", "Finance"], ["Accounts Payable Clerk", "Tax Analyst"]),
    "clerk": (["City Clerk", "Clerk's Office"], ["Council Coordinator", "FOI Analyst"]),
    "human-resources": (["Human Resources", "HR"], ["HR Advisor", "Payroll Specialist"]),
    "digital-services": (
        ["Digital Services", "IT / Digital Services"],
        ["Data Engineer", "Service Desk Analyst", "Web Developer"],
    ),
    "planning": (["Planning & Development"], ["Planner", "Planning Technician"]),
    "solid-waste": (["Solid Waste", "Waste Management"], ["Waste Collector"]),
    "water": (["Water Services", "Water & Wastewater"], ["Water Operator", "Meter Technician"]),
    "transit": (["Transit", "Riverton Transit"], ["Bus Operator", "Transit Mechanic"]),
    "customer-service": (["311 Customer Service"], ["311 Customer Service Representative"]),
}
EMPLOYMENT_TYPES = ["Full-time", "Part-time", "Temporary", "Seasonal", "Casual"]
EMPLOYMENT_WEIGHTS = [50, 15, 12, 15, 8]
UNIONS = ["CUPE Local 503", "CUPE Local 2204", "ATU Local 279", "IAFF Local 162", "Non-union"]
FINAL_STATUSES = ["Filled", "Closed", "Cancelled"]
DUTIES = [
    "Deliver services to residents &amp; businesses",
    "Keep accurate records in the city&#39;s systems",
    "Work safely under the Occupational Health &amp; Safety Act",
    "Support colleagues across the division",
    "Respond to inquiries within service standards",
]


def postings_columns(rng: np.random.Generator, rows: int) -> dict[str, np.ndarray]:
    """One entry per posting: its first export and, for some, a later re-export."""
    division = pick(rng, list(DIVISIONS), rows)
    spelled = np.empty(rows, dtype=object)
    title = np.empty(rows, dtype=object)
    for key, (spellings, jobs) in DIVISIONS.items():
        mask = division == key
        spelled[mask] = pick(rng, spellings, int(mask.sum()))
        title[mask] = pick(rng, jobs, int(mask.sum()))
    posted = np.sort(START.astype("datetime64[D]") + rng.integers(0, DAYS - 20, rows))
    kind = pick(rng, EMPLOYMENT_TYPES, rows, EMPLOYMENT_WEIGHTS)
    annual = (kind == "Full-time") | ((kind == "Temporary") & some(rng, rows, 0.5))
    low = np.where(
        annual,
        np.round(rng.lognormal(np.log(68_000), 0.25, rows), -2),
        np.round(rng.lognormal(np.log(24), 0.25, rows), 2),
    )
    high = np.where(annual, np.round(low * 1.2, -2), np.round(low * 1.12, 2))
    basis = np.where(annual, "Annual", "Hourly").astype(object)
    typed_lower = some(rng, rows, 0.05)
    basis[typed_lower] = np.char.lower(basis[typed_lower].astype(str))
    managers, _, manager_emails = people(rng, MANAGERS)
    manager = rng.integers(0, MANAGERS, rows)
    # Re-posted: exported again 1-4 months later with its outcome, when still in 2024-25.
    later = posted.astype("datetime64[M]") + rng.integers(1, 5, rows)
    reposted = some(rng, rows, 0.6) & (later < END.astype("datetime64[M]"))
    acting, _, _ = people(rng, rows)
    return {
        "id": np.char.add("JOB-", np.char.zfill((np.arange(rows) + 1001).astype(str), 5)),
        "title": title,
        "division": spelled,
        "kind": kind,
        "union": pick(rng, UNIONS, rows, [40, 20, 10, 5, 25]),
        "low": low,
        "high": high,
        "basis": basis,
        "money_text": some(rng, rows, 0.03),
        "posted": posted,
        "closing": posted + rng.integers(14, 31, rows),
        "until_filled": some(rng, rows, 0.05),
        "first_status": np.where(some(rng, rows, 0.9), "Open", "Closed").astype(object),
        "final_status": pick(rng, FINAL_STATUSES, rows, [75, 15, 10]),
        "status_case": pick(rng, ["as is", "lower", "upper"], rows, [90, 5, 5]),
        "positions": 1 + rng.poisson(0.4, rows),
        "applicants": rng.poisson(rng.lognormal(np.log(25), 0.6, rows)),
        "reposted": reposted,
        "later": later,
        "manager": managers[manager],
        "manager_email": manager_emails[manager],
        # What the description says beyond the job: the manager by name, their e-mail,
        # or an acting manager (a person the ATS's personal fields do not hold).
        "names_manager": some(rng, rows, 0.12),
        "gives_email": some(rng, rows, 0.04),
        "names_acting": some(rng, rows, 0.03),
        "acting": acting,
        "duties": rng.integers(0, len(DUTIES), (rows, 2)),
    }


def _description(c: dict, i: int) -> str:
    duties = "".join(f"<li>{DUTIES[d]}</li>" for d in sorted(set(c["duties"][i])))
    parts = [
        f"<p>The City of Riverton&nbsp;is hiring: <strong>{c['title'][i]}</strong>.</p>",
        f"<ul>{duties}</ul>",
        f"<p>Salary &amp; benefits: {c['union'][i]}.</p>",
    ]
    if c["names_manager"][i]:
        parts.append(f"<p>Reporting to {c['manager'][i]}, Manager.</p>")
    if c["names_acting"][i]:
        parts.append(f"<p>Reporting to {c['acting'][i]} (acting).</p>")
    if c["gives_email"][i]:
        parts.append(f"<p>Questions: {c['manager_email'][i]}</p>")
    return "".join(parts)


def _record(c: dict, i: int, month: np.datetime64, final: bool) -> dict:
    def money(value: float) -> float | str:
        return f"${value:,.2f}" if c["money_text"][i] else float(value)

    status = c["final_status"][i] if final else c["first_status"][i]
    status = {"lower": status.lower(), "upper": status.upper()}.get(c["status_case"][i], status)
    title_key = "postingTitle" if month >= RENAMED_TITLE_FROM else "jobTitle"
    applicants = int(c["applicants"][i]) if final else int(c["applicants"][i]) // 2
    return {
        "postingId": c["id"][i],
        title_key: c["title"][i],
        "department": c["division"][i],
        "employmentType": c["kind"][i],
        "union": c["union"][i],
        "salaryMin": money(c["low"][i]),
        "salaryMax": money(c["high"][i]),
        "payBasis": c["basis"][i],
        "postedDate": str(c["posted"][i]),
        "closingDate": "N/A" if c["until_filled"][i] else str(c["closing"][i]),
        "status": status,
        "positions": int(c["positions"][i]),
        "applicants": applicants,
        "hiringManager": c["manager"][i],
        "hiringManagerEmail": c["manager_email"][i],
        "descriptionHtml": _description(c, i),
    }


def write_extracts(
    out_dir: Path, scale: float = 1.0, seed: int = 42, force: bool = False
) -> list[tuple[Path, int]]:
    c = postings_columns(np.random.default_rng([seed, 12]), max(int(POSTINGS * scale), 1))
    first = c["posted"].astype("datetime64[M]")
    exports = [(first[i], i, False) for i in range(len(first))]
    exports += [(c["later"][i], i, True) for i in np.flatnonzero(c["reposted"])]
    # 400 postings: a record at a time is simple and fast enough here.
    folder = Path(out_dir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for month in sorted({m for m, _, _ in exports}):
        records = [_record(c, i, month, final) for m, i, final in exports if m == month]
        path = folder / f"postings_{month}.json"
        if force or not path.exists():
            path.write_text(json.dumps(records, indent=1, ensure_ascii=False) + "\n", "utf-8")
        written.append((path, len(records)))
    return written
