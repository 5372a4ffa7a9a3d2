"""Digital Services' web-analytics exports (sample_data.web_analytics): one CSV a day for
October-December 2025 and the bulk backfill, deterministic, with their mess."""

from __future__ import annotations

import duckdb
import pytest

from sample_data import web_analytics


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("web")
    return folder / "web_analytics", web_analytics.write_extracts(folder, 0.1, 5, force=False)


def test_same_seed_same_bytes_one_file_a_day(written, tmp_path):
    folder, files = written
    names = [p.name for p, _ in files]
    assert names[0] == web_analytics.BACKFILL
    assert len(names) == 1 + 92 and names[1] == "analytics_2025-10-01.csv"
    assert names[-1] == "analytics_2025-12-31.csv"
    for path, _ in web_analytics.write_extracts(tmp_path, 0.1, 5, force=False):
        assert path.read_bytes() == (folder / path.name).read_bytes(), path.name
    assert web_analytics.write_extracts(tmp_path, 0.1, 5, force=False) == []


def test_the_mess_is_there(written):
    folder, files = written
    backfill = (folder / web_analytics.BACKFILL).read_bytes()
    assert backfill.startswith(b"\xef\xbb\xbfDate,Page Path,Service,Device Category,")
    daily = (folder / "analytics_2025-11-03.csv").read_text().splitlines()
    assert daily[0] == web_analytics.HEADER
    assert daily[-1].startswith("Totals,") and daily[-2].split(",")[1] == "(other)"
    conn = duckdb.connect()
    counts = conn.execute(f"""
        SELECT count(*) FILTER (WHERE "Device Category" NOT IN ('desktop', 'mobile', 'tablet')),
               count(*) FILTER (WHERE "Service" = '(not set)'),
               count(*) FILTER (WHERE try_cast("Completions" AS int) > try_cast("Starts" AS int)),
               count(*) - count(DISTINCT ("Date", "Page Path", "Device Category"))
        FROM read_csv('{folder / web_analytics.BACKFILL}', all_varchar=true)""").fetchone()
    assert all(c > 0 for c in counts), counts
    assert files[0][1] == backfill.count(b"\n") - 1
