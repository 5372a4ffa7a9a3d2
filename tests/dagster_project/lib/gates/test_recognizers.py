"""The phone recognizer refuses record ids and still catches phone numbers."""

from __future__ import annotations

import pytest

from dagster_project.lib.gates.privacy import _collect_values, _shape_findings
from dagster_project.lib.gates.recognizers import Recognizers
from dagster_project.lib.warehouse import connect

RECORD_IDS = [
    "INS-2024-000300",  # a building inspection
    "BP-2024-123456",  # a building permit at a big city's volume
    "ins-2024-000300",
    "FOI-2025-004112",
    "WO-2025-2024000",
]
PHONES = [  # every way tests/hardening and the gate tests plant one, and a few more
    "613-555-0142",
    "call 6135550142",
    "(613) 555-0142",
    "613.555.0142",
    "+1 613 555 0142",
    "1-613-555-0142",
    "tel:613-555-0142",
    "Tel-613-555-0142",  # a word glued to a phone number grouped as one
    "2024-123456",  # no letter prefix: ten digits are a phone number's
    "INS-2024-000300, call 613-555-0142",  # an id beside a phone number
    "INS-2024-000300 (613) 555 0142",
]


@pytest.fixture(scope="module")
def recognizers():
    return Recognizers()


@pytest.mark.parametrize("value", RECORD_IDS)
def test_a_record_id_with_a_letter_prefix_is_not_a_phone_number(recognizers, value):
    assert recognizers.find(value) == []


@pytest.mark.parametrize("value", PHONES)
def test_phone_numbers_are_still_caught(recognizers, value):
    assert "PHONE_NUMBER" in {hit.entity for hit in recognizers.find(value)}


def test_a_column_of_inspection_ids_passes_the_shape_scan(recognizers):
    """The whole-column scan (shapes sampled, all values of a frequent shape counted)
    passes 2,000 inspection ids and still fails on a phone number among them."""
    conn = connect()
    conn.execute(
        "CREATE TABLE inspections AS SELECT printf('INS-2024-%06d', i) AS inspection_id "
        "FROM range(2000) t(i)"
    )
    _collect_values(conn, "inspections", "inspection_id", None)
    assert _shape_findings(conn, "inspection_id", recognizers) == []
    conn.execute("INSERT INTO inspections VALUES ('613-555-0142')")
    _collect_values(conn, "inspections", "inspection_id", None)
    found = _shape_findings(conn, "inspection_id", recognizers)
    assert [(f["rule"], f["rows"]) for f in found] == [("holds personal data (PHONE_NUMBER)", 1)]
