"""Taxes (Finance and Revenue): the property tax system's instalment billing and payments.

One CSV per tax year, ``tax_instalments/Instalments_<YYYY>.csv``: one row per roll number
and instalment (interim due end of February and April, final end of June and September),
with the amount billed, the amount paid, when, through which channel, and the penalty and
interest charged (1.25% a month, Municipal Act, 2001, s. 345). The properties and their
payment behaviour are the tax roll's (``tax_roll.properties``). The mess:

- 2024 from the old software: its own headers (``INST_NO``...), US dates, channel codes
  (``PAD``, ``OLB``, ``MTG``) and a trailing ``;`` a legacy export leaves on some, a few
  amounts as text (``"$1,234.56"``), ``N/A`` for an unpaid instalment's date and channel;
  2025: spelled-out headers, ISO dates, channel names in mixed spellings and case;
- roll numbers printed with spaces in 2024, plain digits in 2025;
- late, partial and missing payments; a few paid dates keyed a year early (before the bill);
- a few instalments re-sent at the end of the file when a later payment was posted.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import pick, some
from .tax_roll import BILL_DATES, INSTALMENT_DUE, YEARS, _csv, _money, properties

SYSTEM = "tax_instalments"
FOLDER = "tax_instalments"
RNG_NUMBER = 24

# channel -> (spellings of the 2024 software, spellings of 2025); how many properties use
# each, and how often late, is the roll's tax_roll.PAYMENT_CHANNELS
CHANNELS = {
    "pre_authorized_debit": (["PAD", "pad", "P.A.D."],
                             ["Pre-authorized debit", "Pre-Authorized Debit",
                              "PREAUTHORIZED DEBIT"]),
    "online_banking": (["OLB", "Online Banking"],
                       ["Online banking", "ONLINE BANKING", "Telephone/online banking"]),
    "mortgage_company": (["MTG", "Mortgage Co"],
                         ["Mortgage company", "Mortgage Co.", "MORTGAGE COMPANY"]),
    "walk_in": (["CTR", "Counter"], ["Counter", "In person", "COUNTER"]),
    "mail": (["MAIL", "CHQ"], ["Mail/cheque", "Cheque", "mail"]),
    "drop_box": (["DROP", "Drop Box"], ["Drop box", "Dropbox"]),
}  # fmt: skip
OLD_HEADER = [
    "ROLL_NO", "TAX_YR", "INST_NO", "BILL_DT", "DUE_DT", "AMT_BILLED", "AMT_PAID", "PAID_DT",
    "PAY_METHOD", "PEN_INT",
]  # fmt: skip
NEW_HEADER = [
    "Roll Number", "Tax Year", "Instalment", "Bill Date", "Due Date", "Amount Billed",
    "Amount Paid", "Paid Date", "Payment Channel", "Penalty/Interest",
]  # fmt: skip


def _dates(days: np.ndarray, us: bool) -> np.ndarray:
    """datetime64[D] -> "2024-02-28" or the old software's "02/28/2024"."""
    iso = days.astype("datetime64[D]").astype(str).astype(object)
    if not us:
        return iso
    year = days.astype("datetime64[Y]").astype(int) + 1970
    month = days.astype("datetime64[M]").astype(int) % 12 + 1
    day = (days - days.astype("datetime64[M]")).astype(int) + 1
    pad = lambda v: np.char.zfill(v.astype(str), 2).astype(object)  # noqa: E731
    return pad(month) + "/" + pad(day) + "/" + year.astype(str).astype(object)


def instalments(seed: int, scale: float) -> dict[str, np.ndarray]:
    """One entry per property, year and instalment (flattened), before the export's mess."""
    roll = properties(seed, scale)
    rng = np.random.default_rng([seed, RNG_NUMBER])
    n = len(roll["roll"])
    codes = list(CHANNELS)
    channel = np.repeat(roll["channel"][:, None], 4, axis=1)  # how the property usually pays
    switch = some(rng, n * 4, 0.06).reshape(n, 4)  # paid another way this time
    channel[switch] = pick(rng, codes[1:], int(switch.sum()))
    year = np.repeat(roll["year"], 4)
    number = np.tile(np.arange(1, 5), n)
    due = np.array(
        [np.datetime64(f"{y}-{INSTALMENT_DUE[i - 1]}") for y in YEARS for i in range(1, 5)]
    ).reshape(2, 4)[year - YEARS[0], number - 1]
    bill = np.array(
        [np.datetime64(f"{y}-{BILL_DATES[i - 1]}") for y in YEARS for i in range(1, 5)]
    ).reshape(2, 4)[year - YEARS[0], number - 1]
    days_late = roll["days_late"].reshape(-1)
    # pre-authorized debits are drawn on the due date; mortgage companies remit early
    flat_channel = channel.reshape(-1)
    days_late = np.where((flat_channel == "pre_authorized_debit") & (days_late < 0), 0, days_late)
    paid_amount = roll["paid"].reshape(-1)
    paid = paid_amount > 0
    return {
        "roll": np.repeat(roll["roll"], 4),
        "roll_printed": np.repeat(roll["roll_printed"], 4),
        "year": year,
        "number": number,
        "bill": bill,
        "due": due,
        "billed": roll["billed"].reshape(-1),
        "paid_amount": paid_amount,
        "paid": paid,
        "paid_date": due + days_late.astype("timedelta64[D]"),
        "channel": flat_channel,
        "penalty": roll["penalty"].reshape(-1),
    }


def _spell(rng: np.random.Generator, channel: np.ndarray, old: bool) -> np.ndarray:
    spelled = np.empty(len(channel), dtype=object)
    for code, (old_spellings, new_spellings) in CHANNELS.items():
        mask = channel == code
        options = old_spellings if old else new_spellings
        spelled[mask] = pick(rng, options, int(mask.sum()), [80] + [20] * (len(options) - 1))
    return spelled


def instalment_file(table: dict[str, np.ndarray], year: int, rng: np.random.Generator) -> bytes:
    t = {k: v[table["year"] == year] for k, v in table.items()}
    n, old = len(t["roll"]), year == 2024
    paid_date = t["paid_date"].copy()
    # a paid date keyed with last year's year: before the bill was even mailed
    early = t["paid"] & some(rng, n, 0.0015)
    paid_date[early] = paid_date[early] - np.timedelta64(365, "D")
    paid_text = np.where(t["paid"], _dates(paid_date, old), "N/A" if old else "")
    channel = np.where(t["paid"], _spell(rng, t["channel"], old), "N/A" if old else "")
    if old:  # the legacy export's trailing separator
        trailing = t["paid"] & some(rng, n, 0.01)
        channel[trailing] = channel[trailing] + ";"
    billed, paid_amount = _money(t["billed"]), _money(t["paid_amount"])
    if old:
        text = some(rng, n, 0.01)
        # the old software's report column, a few hundred values: formatted one by one
        billed[text] = np.array([f"${v:,.2f}" for v in t["billed"][text]], dtype=object)
    columns = [
        t["roll_printed"] if old else t["roll"],
        t["year"].astype(str).astype(object),
        t["number"].astype(str).astype(object),
        _dates(t["bill"], old),
        _dates(t["due"], old),
        billed,
        paid_amount,
        paid_text.astype(object),
        channel.astype(object),
        _money(t["penalty"]),
    ]
    # re-sent at the end: an instalment paid in part or not at all, once the balance came in
    owing = np.flatnonzero(t["paid_amount"] < t["billed"])
    resent = owing[some(rng, len(owing), 0.08)]
    later = t["due"][resent] + np.timedelta64(95, "D")
    extra = [c[resent].copy() for c in columns]
    extra[6] = _money(t["billed"][resent])
    extra[7] = _dates(later, old)
    extra[8] = _spell(rng, np.full(len(resent), "walk_in", dtype=object), old)
    columns = [np.concatenate([c, e]) for c, e in zip(columns, extra, strict=True)]
    return _csv(columns, OLD_HEADER if old else NEW_HEADER, "utf-8")


def write_extracts(out_dir: Path, scale: float, seed: int, force: bool) -> list[tuple[Path, int]]:
    folder = Path(out_dir) / FOLDER
    paths = [folder / f"Instalments_{year}.csv" for year in YEARS]
    if not force and all(p.exists() for p in paths):
        return []
    table = instalments(seed, scale)
    rng = np.random.default_rng([seed, RNG_NUMBER, 1])  # the export's mess, apart
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for year, path in zip(YEARS, paths, strict=True):
        content = instalment_file(table, year, rng)
        if force or not path.exists():
            path.write_bytes(content)
        written.append((path, content.count(b"\n") - 1))
    return written
