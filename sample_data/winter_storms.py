"""Operations (road operations, Transportation): winter control's storm log, a small CSV
the winter operations supervisor keeps (one row per declared storm event).

It says when snow started and stopped falling and how much fell: the clock of the
O. Reg. 239/02 snow-clearing standard starts at the end of snowfall, which the AVL
pings of ``snow_plow`` cannot know. Storm numbers match the plow files' ``storm<n>``.
Mess: the weather station missed one storm's accumulation ("-", a null sentinel), and
times are local wall-clock times without an offset.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

SYSTEM = "winter_storms"
FOLDER = "winter_storms"
FILE_NAME = "Winter_Storm_Log.csv"
RNG_NUMBER = 25
# Winter days in the sample city's window (Dec to Feb only: no daylight-saving change
# during a storm, every local time is UTC-5). Four, five and three storms per winter.
WINTERS = [
    ("2024-01-05", "2024-02-28", 4),
    ("2024-12-01", "2025-02-28", 5),
    ("2025-12-01", "2025-12-28", 3),
]
UTC_OFFSET = np.timedelta64(-5, "h")


def storm_table(seed: int) -> dict[str, np.ndarray]:
    """The storms (same for every scale: a bigger city has more roads, not more snow).
    Times are UTC ``datetime64[s]``; storm numbers count from 1 in time order."""
    rng = np.random.default_rng([seed, RNG_NUMBER])
    starts = []
    for first, last, count in WINTERS:
        days = np.arange(np.datetime64(first), np.datetime64(last))
        # storms at least four days apart: pick from every fourth day
        chosen = np.sort(rng.choice(days[::4], count, replace=False))
        starts.append(chosen.astype("datetime64[s]"))
    start = np.concatenate(starts) + (rng.integers(0, 24 * 60, 12) * 60).astype("timedelta64[s]")
    hours = rng.uniform(3, 14, len(start))
    end = start + (hours * 3600).astype("timedelta64[s]")
    return {
        "storm": np.arange(1, len(start) + 1),
        "start": start,
        "end": end,
        "accumulation": np.round(hours * rng.uniform(0.8, 2.5, len(start)), 1),
        # the storm the weather station missed
        "accumulation_missing": np.arange(len(start)) == 6,
        # how hard the clean-up went (snow plow simulation): >1 misses standards
        "severity": rng.uniform(0.45, 1.2, len(start)),
    }


def _local(values: np.ndarray) -> np.ndarray:
    text = np.datetime_as_string(values + UTC_OFFSET, unit="m")
    return np.char.replace(text, "T", " ")


def write_extracts(
    out_dir: Path, scale: float = 1.0, seed: int = 42, force: bool = False
) -> list[tuple[Path, int]]:
    path = Path(out_dir) / FOLDER / FILE_NAME
    storms = storm_table(seed)
    accumulation = np.char.mod("%.1f", storms["accumulation"]).astype(object)
    accumulation[storms["accumulation_missing"]] = "-"
    rows = [
        f"{n},{start},{end},{cm}"
        for n, start, end, cm in zip(
            storms["storm"],
            _local(storms["start"]),
            _local(storms["end"]),
            accumulation,
            strict=True,
        )
    ]
    if force or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        header = "Storm No,Snowfall Start,Snowfall End,Accumulation (cm)"
        path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return [(path, len(rows))]
