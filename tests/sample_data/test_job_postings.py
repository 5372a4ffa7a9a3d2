"""Human Resources' ATS export generator: same bytes for the same seed, one JSON array
per month, and the export's mess is there."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from sample_data import job_postings

SCALE = 0.5
SEED = 5


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    folder = tmp_path_factory.mktemp("postings")
    written = job_postings.write_extracts(folder, SCALE, SEED)
    records = {path.name: json.loads(path.read_text("utf-8")) for path, _ in written}
    return folder, written, records


def test_same_seed_same_bytes_and_existing_files_are_kept(export, tmp_path):
    _, written, _ = export
    again = job_postings.write_extracts(tmp_path, SCALE, SEED)
    assert [p.name for p, _ in again] == [p.name for p, _ in written]
    for (mine, _), (theirs, _) in zip(again, written, strict=True):
        assert mine.read_bytes() == theirs.read_bytes()
    first = again[0][0]
    first.write_text("[]")
    job_postings.write_extracts(tmp_path, SCALE, SEED)
    assert first.read_text() == "[]"
    job_postings.write_extracts(tmp_path, SCALE, SEED, force=True)
    assert first.read_bytes() == written[0][0].read_bytes()


def test_monthly_arrays_and_counts(export):
    _, written, records = export
    assert [p.name for p, _ in written] == sorted(p.name for p, _ in written)
    assert all(len(records[p.name]) == n for p, n in written)
    ids = {r["postingId"] for month in records.values() for r in month}
    assert len(ids) == int(job_postings.POSTINGS * SCALE)


def test_the_mess_is_there(export):
    _, _, records = export
    rows = [r for month in records.values() for r in month]
    # a re-posted job: the same key in a later month, with another status
    seen = Counter(r["postingId"] for r in rows)
    repeated = [k for k, n in seen.items() if n > 1]
    assert repeated
    statuses = {r["status"] for r in rows if r["postingId"] == repeated[0]}
    assert len(statuses) > 1 or len({s.title() for s in statuses}) > 1
    assert any(r["status"] != r["status"].title() for r in rows)  # mixed case
    assert any(r["payBasis"] == "hourly" or r["payBasis"] == "annual" for r in rows)
    assert any(isinstance(r["salaryMin"], str) for r in rows)  # "$72,500.00"
    assert any(r["closingDate"] == "N/A" for r in rows)  # null sentinel
    # the title's key renamed from July 2025 (an alias in the contract)
    assert all(
        "jobTitle" in r for name, m in records.items() if name < "postings_2025-07" for r in m
    )
    assert all(
        "postingTitle" in r for name, m in records.items() if name >= "postings_2025-07" for r in m
    )
    spellings = {r["department"] for r in rows}
    assert len(spellings) > len(job_postings.DIVISIONS)  # several spellings of a division
    html = " ".join(r["descriptionHtml"] for r in rows)
    assert "<ul><li>" in html and "&amp;" in html and "&nbsp;" in html
    assert any(r["hiringManager"] in r["descriptionHtml"] for r in rows)  # names a person
    assert any(r["hiringManagerEmail"] in r["descriptionHtml"] for r in rows)
