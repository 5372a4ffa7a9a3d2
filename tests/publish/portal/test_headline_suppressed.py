"""The home page's headline KPIs say what they count: when the scorecard's last complete
month has suppressed cells, the sum is "at least N" with a note, the weighted shares say
which services they leave out, and the page says why (privacy). On the real portal, with
the scorecard published by the pipeline's publisher (as test_theme.py does)."""

from __future__ import annotations

import re

import pytest
import requests

from dagster_project.lib.dictionary import load_dictionary
from publish.ckan.dataset import publish_dataset
from publish.ckan.publisher import CkanPublisher

from .test_theme import MONTHS, _scorecard_rows, _write_files

pytestmark = pytest.mark.portal
SUPPRESSED_SERVICE = "foi-request"
SCORECARD = "service-scorecard"


def _suppress(rows: list[dict]) -> list[dict]:
    """The FOI service's small counts, published empty and marked, as the dbt macro does."""
    out = []
    for row in rows:
        if row["service_id"] == SUPPRESSED_SERVICE:
            row = {**row, "is_suppressed": True, "transactions": None,
                   "completed_transactions": None, "online_share": None,
                   "share_within_standard": None}  # fmt: skip
        out.append(row)
    return out


def _publish(sysadmin, rows, folder):
    dictionary = load_dictionary()
    dataset = dictionary.datasets["service_scorecard"]
    folder.mkdir(parents=True, exist_ok=True)
    files = _write_files(rows, [c.name for c in dataset.columns], folder)
    publish_dataset(
        CkanPublisher(sysadmin),
        dataset,
        dictionary.divisions[dataset.owner_division],
        files,
        len(rows),
        lambda: [rows],
    )


def _tile(home: str, column: str) -> str:
    match = re.search(rf'data-kpi="{column}">(.*?)</div>\s*</div>', home, re.S)
    assert match, column
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).strip()


def test_a_month_with_suppressed_cells_is_a_lower_bound_and_says_so(portal, sysadmin, tmp_path):
    existed = CkanPublisher(sysadmin).show_package(SCORECARD) is not None
    rows = _suppress(_scorecard_rows())
    _publish(sysadmin, rows, tmp_path)
    try:
        home = requests.get(f"{portal.url}/", timeout=60).text
        month = [r for r in rows if r["month"] == MONTHS[-2]]
        counted = sum(r["transactions"] for r in month if r["transactions"] is not None)
        transactions = _tile(home, "transactions")
        assert f"at least {counted:,}" in transactions
        assert "1 service with small counts suppressed, not counted" in transactions
        online = _tile(home, "online_share")
        assert "leaves out 1 service with small counts suppressed" in online
        assert "services measured" in _tile(home, "service_id").lower()
        assert "3" in _tile(home, "service_id")  # the suppressed service is still measured
        assert "To protect privacy, counts below 5" in home
    finally:
        _publish(sysadmin, _scorecard_rows(), tmp_path / "restored")
    home = requests.get(f"{portal.url}/", timeout=60).text
    assert "at least" not in _tile(home, "transactions")
    assert "To protect privacy" not in home
    if not existed:  # leave the portal as found (test_theme.py publishes it afresh)
        sysadmin.action.dataset_purge(id=SCORECARD)
