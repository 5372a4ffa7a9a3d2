"""Finance: the financial system's general-ledger actuals export (``general_ledger``).

One CSV per fiscal month, ``general_ledger/GL_Actuals_<YYYY>-<MM>.csv`` (2024-2025, the
fiscal year is the calendar year): the month's actuals by cost centre and object account
(salaries, benefits, contracted services, materials, IT, facilities), one line per
cost centre and account plus the month's journal entries, and a total row. About 40
cost centres: the divisions that deliver the services of the service inventory (the 311
contact centre, permits intake, plans examination, inspections, planning, FOI...), a few
that deliver none (Council, Audit, Treasury...) and Animal Services, which the cost
allocation forgot. The ledger's size does not grow with the city: ``scale`` is ignored.
The mess:

- 2024 from the old system (JD Edwards style): its own headers (``Business Unit``,
  ``Object Account``), periods as ``P03 FY2024``, cp1252 (an en dash in a name),
  negatives in accounting parentheses ``(1,234.56)``; 2025 (SAP style): ``Cost Center``,
  ``G/L Account``, periods ``2025-03``, UTF-8, negatives ``-1,234.56``; every amount
  with thousands separators;
- credits (materials returned, recoveries) and a journal entry posted to the wrong cost
  centre in September 2024, reversed the same month and posted again to the right one;
- July 2024 went through a spreadsheet: cost centres lost their leading zero (``410``);
- a total row at the end of every file;
- June 2025 was re-sent after a late journal entry: one line appears twice.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .tax_roll import _csv

SYSTEM = "general_ledger"
FOLDER = "general_ledger"
RNG_NUMBER = 26
YEARS = (2024, 2025)

# (cost centre, name, annual budget in $ thousands). Codes keep four digits, some with a
# leading zero (the general government block 0xxx).
COST_CENTRES = [
    ("0110", "Mayor and Council", 1_450),
    ("0120", "Internal Audit", 620),
    ("0130", "City Manager's Office", 1_900),
    ("0150", "Legal Services", 2_300),
    ("0410", "Clerk – FOI and Privacy", 780),
    ("0420", "Clerk – Council and Committee Services", 1_100),
    ("1100", "Building Permits Intake", 1_650),
    ("1110", "Plans Examination", 2_400),
    ("1120", "Building Inspections", 3_100),
    ("1300", "Planning Applications", 2_750),
    ("1310", "Policy Planning", 1_800),
    ("2100", "Licensing", 1_250),
    ("2110", "Animal Services", 1_400),
    ("2300", "Recreation Registration", 900),
    ("2320", "Recreation Programs", 6_800),
    ("2400", "By-law Enforcement", 2_600),
    ("2500", "Fire Prevention", 2_200),
    ("2510", "Fire Suppression", 24_000),
    ("2520", "Emergency Management", 650),
    ("2600", "Winter Control", 9_500),
    ("2610", "Roads Maintenance", 11_000),
    ("2620", "Solid Waste Collection", 8_200),
    ("2630", "Parks Operations", 7_400),
    ("2640", "Water Distribution", 9_800),
    ("2650", "Transit Operations", 21_000),
    ("3100", "Revenue – Tax Billing", 1_700),
    ("3110", "Cashiering", 850),
    ("3120", "Parking Administration", 1_300),
    ("3130", "Water Billing", 1_100),
    ("3200", "Corporate Accounting", 2_100),
    ("3210", "Treasury", 1_200),
    ("3220", "Procurement", 1_350),
    ("4100", "311 Contact Centre", 2_900),
    ("4110", "311 Web and App Platform", 1_150),
    ("4200", "Digital Services", 3_400),
    ("5100", "HR Recruitment", 980),
    ("5110", "HR Labour Relations", 1_050),
    ("5200", "IT Infrastructure", 5_600),
    ("5300", "Facilities – City Hall", 3_300),
]
# (object account, description, share of a cost centre's budget)
ACCOUNTS = [
    ("5110", "Salaries and wages", 0.58),
    ("5120", "Employee benefits", 0.16),
    ("6210", "Contracted services", 0.09),
    ("6310", "Materials and supplies", 0.07),
    ("6410", "Information technology", 0.05),
    ("6510", "Facilities and occupancy", 0.05),
]
# winter control spends its contracts and salt from December to March
WINTER = np.array([3.2, 3.0, 2.0, 0.5, 0.05, 0.05, 0.05, 0.05, 0.05, 0.3, 1.0, 2.6])
OLD_HEADER = [
    "Period", "Business Unit", "BU Description", "Object Account", "Object Description",
    "Doc No", "Amount",
]  # fmt: skip
NEW_HEADER = [
    "Fiscal Period", "Cost Center", "Cost Center Name", "G/L Account", "G/L Account Name",
    "Document Number", "Amount (CAD)",
]  # fmt: skip
# the misposted journal entry of September 2024: to parking instead of winter control
MISPOSTED = {"month": (2024, 9), "wrong": "3120", "right": "2600", "account": "6210",
             "cents": 4_825_000, "document": "JE24-0917"}  # fmt: skip
NO_LEADING_ZERO = (2024, 7)
RESENT = (2025, 6)


def ledger_lines(seed: int) -> dict[str, np.ndarray]:
    """Every month's summary lines (cost centre x account), amounts in cents."""
    rng = np.random.default_rng([seed, RNG_NUMBER])
    n_cc, n_acc, n_month = len(COST_CENTRES), len(ACCOUNTS), 12 * len(YEARS)
    budget = np.array([b for _, _, b in COST_CENTRES], float) * 1000
    share = np.array([s for _, _, s in ACCOUNTS])
    # some cost centres charge nothing to some accounts (no contracts, no own premises)
    present = rng.random((n_cc, n_acc)) < np.array([1, 1, 0.8, 0.95, 0.85, 0.7])
    monthly = budget[:, None, None] * share[None, :, None] / 12
    monthly = monthly * rng.lognormal(0, 0.08, (n_cc, n_acc, n_month))
    winter = [c for c, *_ in COST_CENTRES].index("2600")
    month_of_year = np.arange(n_month) % 12
    monthly[winter, 2:4, :] *= WINTER[month_of_year]
    cents = np.round(monthly * 100).astype(np.int64)
    # a credit larger than the month's purchases: materials returned, a recovery
    credit = rng.random(cents.shape) < 0.02
    credit[:, :2, :] = False  # never on payroll
    cents[credit] = -np.round(cents[credit] * 0.35).astype(np.int64)
    cc_index, account_index, month_index = np.nonzero(present[:, :, None] & np.ones(n_month, bool))
    order = np.lexsort((account_index, cc_index, month_index))
    cc_index, account_index, month_index = cc_index[order], account_index[order], month_index[order]
    return {
        "cc": cc_index,
        "account": account_index,
        "month": month_index,
        "cents": cents[cc_index, account_index, month_index],
    }


def _amounts(cents: np.ndarray, parentheses: bool) -> np.ndarray:
    """Cents -> "1,234.56" and "(1,234.56)" or "-1,234.56". A few thousand values a
    month-file at most: formatted one by one (numpy has no thousands separator)."""
    text = np.array([f"{abs(c) / 100:,.2f}" for c in cents.tolist()], dtype=object)
    negative = cents < 0
    if parentheses:
        text[negative] = "(" + text[negative] + ")"
    else:
        text[negative] = "-" + text[negative]
    return text


def month_file(lines: dict[str, np.ndarray], year: int, month: int) -> bytes:
    """One fiscal month as the ledger exports it."""
    index = (year - YEARS[0]) * 12 + month - 1
    rows = lines["month"] == index
    cc = np.array([c for c, *_ in COST_CENTRES], dtype=object)[lines["cc"][rows]]
    names = np.array([n for _, n, _ in COST_CENTRES], dtype=object)[lines["cc"][rows]]
    account = np.array([a for a, *_ in ACCOUNTS], dtype=object)[lines["account"][rows]]
    described = np.array([d for _, d, _ in ACCOUNTS], dtype=object)[lines["account"][rows]]
    cents = lines["cents"][rows]
    numbers = np.char.zfill(np.arange(1, len(cents) + 1).astype(str), 4).astype(object)
    document = f"AC{year % 100:02d}{month:02d}-" + numbers
    if (year, month) == MISPOSTED["month"]:
        # posted to the wrong cost centre, reversed, posted again to the right one
        names_of = dict((c, n) for c, n, _ in COST_CENTRES)
        je = MISPOSTED["document"]
        extra_cc = [MISPOSTED["wrong"], MISPOSTED["wrong"], MISPOSTED["right"]]
        cc = np.concatenate([cc, np.array(extra_cc, dtype=object)])
        names = np.concatenate([names, np.array([names_of[c] for c in extra_cc], dtype=object)])
        account = np.concatenate([account, np.full(3, MISPOSTED["account"], dtype=object)])
        described = np.concatenate([described, np.full(3, "Contracted services", dtype=object)])
        document = np.concatenate([document, np.array([je, je + "R", "JE24-0918"], dtype=object)])
        sign = np.array([1, -1, 1])
        cents = np.concatenate([cents, sign * MISPOSTED["cents"]])
    if (year, month) == RESENT:  # re-sent: one line of the first sending repeated at the end
        again = len(cents) // 3
        cc, names, account, described, document, cents = (
            np.append(v, v[again]) for v in (cc, names, account, described, document, cents)
        )
    if (year, month) == NO_LEADING_ZERO:
        cc = np.array([c.lstrip("0") for c in cc.tolist()], dtype=object)
    old = year == 2024
    period = f"P{month:02d} FY{year}" if old else f"{year}-{month:02d}"
    columns = [
        np.full(len(cents), period, dtype=object),
        cc,
        names,
        account,
        described,
        document,
        _amounts(cents, parentheses=old),
    ]
    trailer = ["", "TOTAL", "", "", "", "", _amounts(np.array([cents.sum()]), old)[0]]
    columns = [np.append(c, t) for c, t in zip(columns, trailer, strict=True)]
    return _csv(columns, OLD_HEADER if old else NEW_HEADER, "cp1252" if old else "utf-8")


def write_extracts(out_dir: Path, scale: float, seed: int, force: bool) -> list[tuple[Path, int]]:
    folder = Path(out_dir) / FOLDER
    months = [(y, m) for y in YEARS for m in range(1, 13)]
    paths = [folder / f"GL_Actuals_{y}-{m:02d}.csv" for y, m in months]
    if not force and all(p.exists() for p in paths):
        return []
    lines = ledger_lines(seed)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for (year, month), path in zip(months, paths, strict=True):
        content = month_file(lines, year, month)
        if force or not path.exists():
            path.write_bytes(content)
        written.append((path, content.count(b"\n") - 1))
    return written
