"""Shared pieces of the generators: the time window, random picks, people and addresses.

Everything is vectorized with numpy: one call draws a whole column, never a row at a time.
"""

from __future__ import annotations

import unicodedata

import numpy as np

from .vocabulary import FIRST_NAMES, LAST_NAMES, STREET_SUFFIXES, STREETS

START = np.datetime64("2024-01-01T00:00:00", "s")
END = np.datetime64("2026-01-01T00:00:00", "s")
DAYS = int((END - START) / np.timedelta64(1, "D"))


def pick(rng: np.random.Generator, options: list, size: int, weights=None) -> np.ndarray:
    probabilities = None if weights is None else np.asarray(weights, float) / np.sum(weights)
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=size, p=probabilities)]


def timestamps(rng: np.random.Generator, size: int) -> np.ndarray:
    """Office-hours-heavy times over the two years, weekdays busier than weekends."""
    day_numbers = np.arange(DAYS)
    weekday = (day_numbers + 0) % 7  # 2024-01-01 was a Monday
    weights = np.where(weekday >= 5, 0.55, 1.0)
    days = rng.choice(DAYS, size=size, p=weights / weights.sum())
    seconds = np.clip(rng.normal(13.5, 3.6, size), 0, 23.99) * 3600
    return START + days.astype("timedelta64[D]") + seconds.astype("timedelta64[s]")


def people(rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Full names, phone numbers (two formats) and e-mail addresses made from the names."""
    first_index = rng.integers(0, len(FIRST_NAMES), size)
    last_index = rng.integers(0, len(LAST_NAMES), size)
    names = _FIRST[first_index] + " " + _LAST[last_index]
    area = pick(rng, ["613", "343", "819"], size)
    line = np.char.zfill(rng.integers(0, 10_000, size).astype(str), 4).astype(object)
    phones = np.where(rng.random(size) < 0.5, "(" + area + ") 555-" + line, area + "-555-" + line)
    numbers = rng.integers(1, 100, size).astype(str).astype(object)
    emails = _FIRST_ASCII[first_index] + "." + _LAST_ASCII[last_index] + numbers + "@example.com"
    return names, phones.astype(object), emails


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


_FIRST = np.array(FIRST_NAMES, dtype=object)
_LAST = np.array(LAST_NAMES, dtype=object)
_FIRST_ASCII = np.array([_ascii(n) for n in FIRST_NAMES], dtype=object)
_LAST_ASCII = np.array([_ascii(n).replace(" ", "") for n in LAST_NAMES], dtype=object)


def addresses(rng: np.random.Generator, size: int) -> np.ndarray:
    numbers = rng.integers(1, 5000, size).astype(str).astype(object)
    return numbers + " " + pick(rng, STREETS, size) + " " + pick(rng, STREET_SUFFIXES, size)


def some(rng: np.random.Generator, size: int, rate: float) -> np.ndarray:
    """A boolean mask selecting about ``rate`` of the rows."""
    return rng.random(size) < rate
