"""Cashiering / payments system: one JSON Lines file per month, compact JSON objects.

Amounts are usually numbers but sometimes strings ("75.00"), a channel is sometimes
upper case, and a few lines are written twice: the system's known quirks.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from .common import END, START, pick, some
from .vocabulary import PAYMENT_SERVICES


def payments_table(rng: np.random.Generator, per_month: int) -> pa.Table:
    months = np.arange(START.astype("datetime64[M]"), END.astype("datetime64[M]"))
    counts = rng.poisson(per_month, len(months))
    month = np.repeat(months, counts)
    rows = len(month)
    seconds_in_month = ((month + 1).astype("datetime64[s]") - month.astype("datetime64[s]")).astype(
        int
    )
    paid_at = month.astype("datetime64[s]") + (rng.random(rows) * seconds_in_month).astype(
        "timedelta64[s]"
    )
    order = np.argsort(paid_at, kind="stable")
    paid_at, month = paid_at[order], month[order]
    services = list(PAYMENT_SERVICES)
    service = pick(rng, services, rows, [PAYMENT_SERVICES[s][0] for s in services])
    median = np.zeros(rows)
    for name, (_, typical) in PAYMENT_SERVICES.items():
        median[service == name] = typical
    amount = np.round(rng.lognormal(np.log(median), 0.45), 2)
    progress = np.linspace(0, 1, rows)
    online = rng.random(rows) < 0.45 + 0.20 * progress
    channel = np.where(
        online, "online", pick(rng, ["counter", "phone", "mail"], rows, [55, 25, 20])
    ).astype(object)
    channel[some(rng, rows, 0.005) & online] = "ONLINE"
    table = pa.table(
        {
            "month": pa.array(month.astype("datetime64[D]")),
            "paid_at": pa.array(paid_at),
            "service": service,
            "channel": channel,
            "amount": amount,
            "amount_as_text": some(rng, rows, 0.01),
        }
    )
    repeat = 1 + some(rng, rows, 0.003).astype(int)
    return table.take(np.repeat(np.arange(rows), repeat))


def write_months(table: pa.Table, folder: Path, skip_existing: bool) -> list[tuple[Path, int]]:
    folder.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect()
    conn.register("payments", table)
    conn.execute("""CREATE TEMP TABLE lines AS SELECT month, paid_at, json_object(
            'payment_id', 'PAY-' || strftime(month, '%Y-%m') || '-' || lpad(CAST(dense_rank()
                OVER (PARTITION BY month ORDER BY paid_at, service, amount) AS VARCHAR), 6, '0'),
            'paid_at', strftime(paid_at, '%Y-%m-%dT%H:%M:%SZ'),
            'service', service,
            'channel', channel,
            'amount', CASE WHEN amount_as_text THEN to_json(printf('%.2f', amount))
                           ELSE to_json(amount) END) AS line
        FROM payments""")
    written = []
    for (month,) in conn.execute("SELECT DISTINCT month FROM lines ORDER BY 1").fetchall():
        path = folder / f"payments_{month:%Y-%m}.jsonl"
        lines = (
            conn.execute("SELECT line FROM lines WHERE month = ? ORDER BY paid_at", [month])
            .fetch_arrow_table()
            .column("line")
            .to_pylist()
        )
        if not (skip_existing and path.exists()):
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append((path, len(lines)))
    return written
