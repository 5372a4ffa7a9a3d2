"""Taxes (Finance and Revenue): the property tax system's annual tax roll (CSV).

One file per tax year, ``tax_roll/TaxRoll_<YYYY>.csv``: every property with its MPAC roll
number, owners, mailing and property addresses, ward, MPAC property tax class (``RT``,
``RTEP``...), current value assessment, the year's tax rates, levy and year-end arrears.
The two vintages come from two versions of the tax software, with the mess real rolls have:

- 2024: cp1252 (accented owner names), upper-case headers (``ROLL_NO``...), roll numbers
  formatted ``4711 010 001 00100 0000``; 2025: UTF-8, spelled-out headers, plain digits;
- class codes in mixed case (``rtep``); an assessment typed 1,000 times too large;
- null sentinels (``N/A`` arrears, ``NULL`` mailing address, ``-`` ward);
- a few properties exported twice (the same roll number repeated);
- a grand-total row last (``TOTAL`` in the roll number column).

The property population (and how each property pays its instalments) is drawn here from
this system's own random stream, so ``tax_instalments`` bills the same properties.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from .common import addresses, pick, some
from .vocabulary import COMPANY_KINDS, COMPANY_WORDS, FIRST_NAMES, LAST_NAMES, WARD_WEIGHTS

SYSTEM = "tax_roll"
FOLDER = "tax_roll"
RNG_NUMBER = 23
YEARS = (2024, 2025)
PROPERTIES = 12_000  # at scale 1

# MPAC class -> (share of properties, median assessment, municipal tax ratio, education rate)
CLASSES = {
    "RT": (0.875, 420_000, 1.00, 0.00153),
    "MT": (0.020, 3_200_000, 1.75, 0.00153),
    "CT": (0.065, 1_600_000, 1.90, 0.00880),
    "IT": (0.020, 2_400_000, 2.40, 0.00880),
    "FT": (0.017, 950_000, 0.25, 0.000383),
    "PT": (0.003, 4_500_000, 1.60, 0.00980),
}
# Qualifiers MPAC appends: school support (EP English public, ES English separate, FP/FS
# French) on residential and farm; N (new construction) on commercial and industrial.
QUALIFIERS = {
    "RT": (["", "EP", "ES", "FP", "FS"], [10, 60, 22, 5, 3]),
    "FT": (["", "EP", "ES"], [40, 40, 20]),
    "CT": (["", "N"], [90, 10]),
    "IT": (["", "N"], [90, 10]),
}
# How a property usually pays -> (share of properties, share of instalments paid late):
# a pre-authorized debit is drawn on the due date (late only when it bounced), a mortgage
# company remits ahead; cheques in the mail and counter payments run late most often.
PAYMENT_CHANNELS = {
    "pre_authorized_debit": (34, 0.004),
    "online_banking": (26, 0.07),
    "mortgage_company": (22, 0.01),
    "walk_in": (8, 0.14),
    "mail": (7, 0.12),
    "drop_box": (3, 0.09),
}
RESIDENTIAL_MUNICIPAL_RATE = {2024: 0.0089172, 2025: 0.0092292}
INSTALMENT_DUE = ("02-28", "04-30", "06-28", "09-30")  # interim x2, final x2
BILL_DATES = ("01-15", "01-15", "05-15", "05-15")
MONTHLY_INTEREST = 0.0125  # Municipal Act, 2001, s. 345: up to 1.25% a month
MAX_PLAUSIBLE_ASSESSMENT = 100_000_000  # the contract's max; a typo multiplies by 1,000

OLD_HEADER = [
    "ROLL_NO", "TAX_YR", "OWNER_NAME", "MAIL_ADDR", "PROP_ADDR", "WARD", "TAX_CLASS",
    "CVA", "MUNI_RATE", "EDUC_RATE", "TOTAL_LEVY", "ARREARS",
]  # fmt: skip
NEW_HEADER = [
    "Roll Number", "Tax Year", "Owner Name(s)", "Mailing Address", "Property Address", "Ward",
    "Property Class", "Assessment (CVA)", "Municipal Rate", "Education Rate", "Total Levy",
    "Arrears",
]  # fmt: skip


def _upper(values: np.ndarray) -> np.ndarray:
    return np.char.upper(values.astype(str)).astype(object)


def _owners(rng: np.random.Generator, n: int, company: np.ndarray) -> np.ndarray:
    """Roll style owner names: "SMITH JOHN & SMITH MARY", or a company."""
    last = _upper(np.array(LAST_NAMES, dtype=object)[rng.integers(0, len(LAST_NAMES), n)])
    first = _upper(np.array(FIRST_NAMES, dtype=object)[rng.integers(0, len(FIRST_NAMES), n)])
    second = _upper(np.array(FIRST_NAMES, dtype=object)[rng.integers(0, len(FIRST_NAMES), n)])
    other_last = _upper(np.array(LAST_NAMES, dtype=object)[rng.integers(0, len(LAST_NAMES), n)])
    couple_last = np.where(some(rng, n, 0.7), last, other_last)
    people = np.where(
        some(rng, n, 0.55), last + " " + first + " & " + couple_last + " " + second,
        last + " " + first,
    )  # fmt: skip
    firms = _upper(pick(rng, COMPANY_WORDS, n) + " " + pick(rng, COMPANY_KINDS, n))
    return np.where(company, firms, people)


def properties(seed: int, scale: float) -> dict[str, np.ndarray]:
    """The roll of both years, one entry per property and year, with how the property
    pays (the instalments system bills the same properties). Deterministic for a seed."""
    rng = np.random.default_rng([seed, RNG_NUMBER])
    n = max(int(PROPERTIES * scale), 20)
    # unique roll numbers: map area = ward, then increasing parcel numbers with gaps
    ward = pick(rng, list(range(1, 16)), n, WARD_WEIGHTS).astype(int)
    parcel = np.cumsum(rng.integers(1, 60, n))
    condo = np.where(some(rng, n, 0.06), rng.integers(1, 300, n), 0)
    area = np.char.zfill((ward * 10).astype(str), 3).astype(object)
    division = np.char.zfill((parcel // 100_000 + 1).astype(str), 3).astype(object)
    lot = np.char.zfill((parcel % 100_000).astype(str), 5).astype(object)
    unit = np.char.zfill(condo.astype(str), 4).astype(object)
    roll = "4711" + area + division + lot + unit
    roll_printed = "4711 " + area + " " + division + " " + lot + " " + unit
    codes = list(CLASSES)
    klass = pick(rng, codes, n, [CLASSES[c][0] for c in codes])
    qualifier = np.full(n, "", dtype=object)
    for code, (options, weights) in QUALIFIERS.items():
        mask = klass == code
        qualifier[mask] = pick(rng, options, int(mask.sum()), weights)
    median = np.array([CLASSES[c][1] for c in klass], float)
    cva = np.clip(np.round(rng.lognormal(np.log(median), 0.45), -3), 60_000, 60_000_000)
    company = ((klass != "RT") & (klass != "FT")) | some(rng, n, 0.02)
    property_address = addresses(rng, n)
    absentee = some(rng, n, 0.12)
    mailing = np.where(
        absentee, addresses(rng, n) + ", " + pick(rng, ["Toronto ON", "Ottawa ON"], n),
        property_address + ", Riverton ON",
    )  # fmt: skip
    # added and removed properties: severances and new builds appear in 2025, a few
    # parcels merged or demolished leave the roll after 2024
    added = some(rng, n, 0.005)
    removed = some(rng, n, 0.003) & ~added
    appeal = some(rng, n, 0.01)  # an assessment review board decision lowers the value
    cva_2025 = np.where(appeal, np.round(cva * 0.92, -3), cva)
    owners = _owners(rng, n, company)
    channel = pick(rng, list(PAYMENT_CHANNELS), n, [w for w, _ in PAYMENT_CHANNELS.values()])
    paying = _payment_behaviour(rng, channel)
    years = []
    for year, present, value in ((2024, ~added, cva), (2025, ~removed, cva_2025)):
        municipal_ratio = np.array([CLASSES[c][2] for c in klass])
        municipal = np.round(RESIDENTIAL_MUNICIPAL_RATE[year] * municipal_ratio, 8)
        education = np.array([CLASSES[c][3] for c in klass])
        levy = np.round(value * (municipal + education), 2)
        years.append(
            {
                "year": np.full(n, year),
                "present": present,
                "roll": roll,
                "roll_printed": roll_printed,
                "owners": owners,
                "mailing": mailing,
                "address": property_address,
                "ward": ward,
                "class": np.char.add(klass.astype(str), qualifier.astype(str)).astype(object),
                "cva": value,
                "municipal": municipal,
                "education": education,
                "levy": levy,
                "channel": channel,
                **{k: v[year - 2024] for k, v in paying.items()},
            }
        )
    table = {k: np.concatenate([y[k] for y in years]) for k in years[0]}
    keep = table.pop("present")
    table = {k: v[keep] for k, v in table.items()}
    table.update(_instalments(table))
    return table


def _payment_behaviour(rng: np.random.Generator, channel: np.ndarray) -> dict[str, np.ndarray]:
    """Per property and year, per instalment (4 columns): paid fraction and days late
    (negative: paid early). Most pay in full on time; some late, some in part, a few not."""
    shape = (2, len(channel), 4)
    state = rng.random(shape)
    paid_fraction = np.select(
        [state < 0.015, state < 0.035], [0.0, rng.uniform(0.4, 0.9, shape)], default=1.0
    )
    late_rate = np.array([PAYMENT_CHANNELS[c][1] for c in channel])
    late = rng.random(shape) < late_rate[None, :, None]
    days = np.where(late, rng.integers(1, 75, shape), -rng.integers(0, 20, shape))
    return {"paid_fraction": paid_fraction, "days_late": days}


def _instalments(table: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Amounts billed (interim: half of last year's levy, in two; final: the rest, in
    two), amounts paid, penalty and interest, and the arrears they leave at year end."""
    levy = table["levy"]
    # last year's levy: 2025 has 2024's; 2024 bills its interim on the 2023 levy (~3% less)
    interim_total = np.round(levy / np.where(table["year"] == 2024, 1.03, 1.035) / 2, 2)
    first = np.round(interim_total / 2, 2)
    final_total = levy - 2 * first
    third = np.round(final_total / 2, 2)
    billed = np.stack([first, first, third, final_total - third], axis=1)
    paid = np.round(billed * table["paid_fraction"], 2)
    late_days = np.where(table["paid_fraction"] > 0, np.maximum(table["days_late"], 0), 0)
    # 1.25% a month (or part) on the amount paid late; unpaid amounts accrue to Dec 31
    late_months = np.ceil(late_days / 30)
    due_day_of_year = np.array([59, 120, 179, 273])
    unpaid_months = np.ceil((365 - due_day_of_year) / 30)
    penalty = (
        np.round(
            paid * late_months * MONTHLY_INTEREST
            + (billed - paid) * unpaid_months * MONTHLY_INTEREST,
            2,
        )
        + 0.0
    )  # no "-0.00"
    arrears = np.round((billed - paid + penalty).sum(axis=1), 2) + 0.0  # no "-0.00"
    return {"billed": billed, "paid": paid, "penalty": penalty, "arrears": arrears}


def _money(values: np.ndarray, decimals: int = 2) -> np.ndarray:
    return np.char.mod(f"%.{decimals}f", values.astype(float)).astype(object)


def roll_file(table: dict[str, np.ndarray], year: int, rng: np.random.Generator) -> bytes:
    """One year's roll as the tax software exports it."""
    rows = table["year"] == year
    t = {k: v[rows] for k, v in table.items()}
    n = int(rows.sum())
    old = year == 2024
    cva = t["cva"].copy()
    # a clerk's typo: the assessment entered in dollars-thousands x 1000
    typo = some(rng, n, 0.0012) & (cva >= 150_000) & (cva <= 2_000_000)
    cva[typo] = cva[typo] * 1000
    klass = t["class"].copy()
    lower = some(rng, n, 0.02)
    klass[lower] = np.char.lower(klass[lower].astype(str)).astype(object)
    arrears = _money(t["arrears"])
    arrears[some(rng, n, 0.004)] = "N/A"
    mailing = t["mailing"].copy()
    mailing[some(rng, n, 0.004)] = "NULL"
    ward = t["ward"].astype(str).astype(object)
    ward[some(rng, n, 0.004)] = "-"
    columns = [
        t["roll_printed"] if old else t["roll"],
        t["year"].astype(str).astype(object),
        t["owners"],
        mailing,
        t["address"],
        ward,
        klass,
        np.char.mod("%d", cva).astype(object),
        _money(t["municipal"], 8),
        _money(t["education"], 8),
        _money(t["levy"]),
        arrears,
    ]
    # a few properties exported twice (the report joins a second owner record)
    order = np.sort(np.concatenate([np.arange(n), np.flatnonzero(some(rng, n, 0.002))]))
    columns = [c[order] for c in columns]
    total = ["TOTAL", str(year), "", "", "", "", "", "", "", "", f"{t['levy'].sum():.2f}", ""]
    columns = [np.append(c, v).astype(object) for c, v in zip(columns, total, strict=True)]
    header = OLD_HEADER if old else NEW_HEADER
    return _csv(columns, header, "cp1252" if old else "utf-8")


def _csv(columns: list[np.ndarray], header: list[str], encoding: str) -> bytes:
    table = pa.table({h: pa.array(c, pa.string()) for h, c in zip(header, columns, strict=True)})
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer, pacsv.WriteOptions(quoting_style="needed"))
    return buffer.getvalue().decode("utf-8").encode(encoding)


def write_extracts(out_dir: Path, scale: float, seed: int, force: bool) -> list[tuple[Path, int]]:
    folder = Path(out_dir) / FOLDER
    paths = [folder / f"TaxRoll_{year}.csv" for year in YEARS]
    if not force and all(p.exists() for p in paths):
        return []
    table = properties(seed, scale)
    rng = np.random.default_rng([seed, RNG_NUMBER, 1])  # the export's mess, apart
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for year, path in zip(YEARS, paths, strict=True):
        content = roll_file(table, year, rng)
        if force or not path.exists():
            path.write_bytes(content)
        written.append((path, content.count(b"\n") - 1))
    return written
