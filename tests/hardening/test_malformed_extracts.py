"""The malformed-extract corpus: what careless departments and broken exports send.

Each case writes one bad file (beside a good one) for a real contract of the sample city,
ingests it into a fresh warehouse, and asserts the outcome: the file loaded, some rows
quarantined, or the whole file quarantined; the reason in words; reconciliation (rows in
= loaded + quarantined + dropped); the good file still loaded; and that no message the
platform writes (file reasons, quarantine rules, logs) repeats a planted personal value.

``python -m pytest tests/hardening -s`` prints the corpus table.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.ingest import ingest_source
from dagster_project.lib.warehouse import connect
from sample_data.permits import HEADER as PERMITS_HEADER

PLANTED = ["Marguerite Okonkwo", "046 454 286", "marguerite.o@example.org"]  # never echoed
CRM_HEADER = (
    "request_id,created_at,closed_at,status,service_category,service_type,"
    "intake_channel,ward,street_address,caller_name,caller_phone,caller_email,"
    "description\n"
)


def crm_row(
    n: int,
    created: str = "2025-03-01T09:00:00",
    address: str = "12 Oak St",
    service_type: str = "Pothole",
) -> str:
    return (
        f"SR-9-{n},{created},,Open,Roads,{service_type},Web,3,{address},"
        f"{PLANTED[0]},{PLANTED[1]},{PLANTED[2]},call back\n"
    )


def crm_file(rows: list[str]) -> bytes:
    return (CRM_HEADER + "".join(rows)).encode()


def payment(n: int, amount="12.50", paid="2025-03-01T10:00:00Z") -> dict:
    return {
        "payment_id": f"PAY-9-{n}",
        "paid_at": paid,
        "service": "Parking ticket",
        "channel": "online",
        "amount": amount,
    }


def jsonl(records: list) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def permits_book(rows: list[list], sheet: str = "Permits") -> Callable[[Path], None]:
    def write(path: Path) -> None:
        book = openpyxl.Workbook()
        ws = book.active
        ws.title = sheet
        ws.append(["City report"])
        ws.append([])
        ws.append(PERMITS_HEADER)  # the permits system's export header
        for row in rows:
            ws.append(row)
        book.save(path)

    return write


def permit(n: int, value="1000") -> list:
    return [
        f"BP-9-{n}",
        dt.date(2025, 3, 1),
        None,
        None,
        "Deck",
        "Residential",
        value,
        PLANTED[0],
        "12 Oak St",
        3,
        "Applied",
    ]


GOOD = {
    "crm311": ("SR_EXPORT_GOOD.csv", crm_file([crm_row(100)])),
    "payments": ("payments_good.jsonl", jsonl([payment(100)])),
    "permits": ("Building_Permits_good.xlsx", permits_book([permit(100)])),
}


@dataclass
class Case:
    name: str
    system: str
    files: list[tuple[str, bytes | Callable[[Path], None]]]
    outcome: str  # loaded | rows quarantined | file quarantined | withdrawn
    message: str = ""  # in the file's reason or a quarantine rule
    counts: tuple[int, int, int] | None = None  # read, loaded, quarantined (last file)
    check: Callable | None = None  # more assertions on (conn, result)
    extra: dict = field(default_factory=dict)


def _value(sql: str, expected):
    def check(conn, _result):
        assert conn.execute(sql).fetchone()[0] == expected, sql

    return check


CASES = [
    Case(
        "half-written quote",
        "crm311",
        [
            (
                "SR_EXPORT_A.csv",
                crm_file([crm_row(1), crm_row(2).replace(",Pothole,", ',"Pothole,'), crm_row(3)]),
            )
        ],
        "file quarantined",
        "a quote opened in data row 2 is never closed",
    ),
    Case(
        "unquoted comma in an address",
        "crm311",
        [
            (
                "SR_EXPORT_A.csv",
                crm_file([crm_row(1), crm_row(2, address="12 Oak St, Apt 4"), crm_row(3)]),
            )
        ],
        "rows quarantined",
        "more fields than the header",
        (3, 2, 1),
    ),
    Case(
        "a row cut short",
        "crm311",
        [("SR_EXPORT_A.csv", crm_file([crm_row(1), "SR-9-2,2025-03-01T09:00:00\n", crm_row(3)]))],
        "rows quarantined",
        "fewer fields than the header",
        (3, 2, 1),
    ),
    Case(
        "file truncated mid-row",
        "crm311",
        [("SR_EXPORT_A.csv", crm_file([crm_row(1), crm_row(2)])[:-60])],
        "rows quarantined",
        "fewer fields than the header",
        (2, 1, 1),
    ),
    Case(
        "a 10 MB field",
        "crm311",
        [
            (
                "SR_EXPORT_A.csv",
                crm_file([crm_row(1), crm_row(2, service_type="x" * 10_000_000), crm_row(3)]),
            )
        ],
        "rows quarantined",
        "length: over 10,000 characters",
        (3, 2, 1),
    ),
    Case(
        "a 20 MB line",
        "crm311",
        [
            (
                "SR_EXPORT_A.csv",
                crm_file([crm_row(1), crm_row(2, service_type="x" * 20_000_000), crm_row(3)]),
            )
        ],
        "rows quarantined",
        "longer than 16 MB",
        (3, 2, 1),
    ),
    Case(
        "invalid UTF-8 bytes in a UTF-8 file",
        "crm311",
        [
            (
                "SR_EXPORT_A.csv",
                crm_file([crm_row(1, address="12 Café St"), crm_row(2)]).replace(b"Oak", b"O\xe9k"),
            )
        ],
        "file quarantined",
        "invalid utf-8 bytes at byte offset",
    ),
    Case(
        "a legacy cp1252 export",
        "crm311",
        [("SR_EXPORT_A.csv", (CRM_HEADER + crm_row(1, address="12 Rue Céleste")).encode("cp1252"))],
        "loaded",
        counts=(1, 1, 0),
        check=_value(
            "SELECT street_address FROM raw.crm311_service_requests WHERE request_id='SR-9-1'",
            "12 Rue Céleste",
        ),
    ),
    Case(
        "UTF-16 with a byte-order mark",
        "crm311",
        [("SR_EXPORT_A.csv", crm_file([crm_row(1)]).decode().encode("utf-16"))],
        "loaded",
        counts=(1, 1, 0),
    ),
    Case(
        "UTF-8 with a byte-order mark",
        "crm311",
        [("SR_EXPORT_A.csv", b"\xef\xbb\xbf" + crm_file([crm_row(1)]))],
        "loaded",
        counts=(1, 1, 0),
    ),
    Case(
        "CR-only line ends",
        "crm311",
        [("SR_EXPORT_A.csv", crm_file([crm_row(1), crm_row(2)]).replace(b"\n", b"\r"))],
        "loaded",
        counts=(2, 2, 0),
    ),
    Case(
        "blank lines at the end",
        "crm311",
        [("SR_EXPORT_A.csv", crm_file([crm_row(1)]) + b"\n\n\n")],
        "loaded",
        counts=(1, 1, 0),
    ),
    Case(
        "a time-zone offset",
        "crm311",
        [("SR_EXPORT_A.csv", crm_file([crm_row(1, created="2025-03-01T15:00:00+05:00")]))],
        "loaded",
        counts=(1, 1, 0),
        check=_value(
            "SELECT created_at FROM raw.crm311_service_requests WHERE request_id='SR-9-1'",
            dt.datetime(2025, 3, 1, 5, 0),
        ),
    ),
    Case(
        "UTC 'Z' on a UTC column",
        "payments",
        [("payments_a.jsonl", jsonl([payment(1, paid="2025-03-01T23:30:00Z")]))],
        "loaded",
        counts=(1, 1, 0),
        check=_value(
            "SELECT paid_at FROM raw.payments_payments WHERE payment_id='PAY-9-1'",
            dt.datetime(2025, 3, 1, 23, 30),
        ),
    ),
    Case(
        "an Excel serial in a text file",
        "crm311",
        [("SR_EXPORT_A.csv", crm_file([crm_row(1), crm_row(2, created="45356.5")]))],
        "rows quarantined",
        "type: not a valid timestamp",
        (2, 1, 1),
    ),
    Case(
        "year 1",
        "crm311",
        [("SR_EXPORT_A.csv", crm_file([crm_row(1), crm_row(2, created="0001-01-01T00:00:00")]))],
        "rows quarantined",
        "outside the plausible window",
        (2, 1, 1),
    ),
    Case(
        "the 1900-01-01 sentinel",
        "crm311",
        [("SR_EXPORT_A.csv", crm_file([crm_row(1), crm_row(2, created="1900-01-01T00:00:00")]))],
        "rows quarantined",
        "outside the plausible window",
        (2, 1, 1),
    ),
    Case(
        "year 2099",
        "crm311",
        [("SR_EXPORT_A.csv", crm_file([crm_row(1), crm_row(2, created="2099-12-31T00:00:00")]))],
        "rows quarantined",
        "outside the plausible window",
        (2, 1, 1),
    ),
    Case(
        "a duplicate key in one file",
        "crm311",
        [("SR_EXPORT_A.csv", crm_file([crm_row(1), crm_row(1, address="14 Oak St"), crm_row(2)]))],
        "loaded",
        counts=(3, 3, 0),
        check=_value(
            "SELECT [CAST(source_rows AS VARCHAR), CAST(differences AS VARCHAR)] "
            "FROM raw._key_conflicts WHERE kind = 'in file'",
            ["[1, 2]", '[{"column":"street_address","values":["12 Oak St","14 Oak St"]}]'],
        ),
    ),
    Case(
        "a payment re-sent with a new amount",
        "payments",
        [
            ("payments_a.jsonl", jsonl([payment(1, amount="20.00")])),
            ("payments_b.jsonl", jsonl([payment(1, amount="25.00")])),
        ],
        "loaded",
        counts=(1, 1, 0),
        check=_value(
            "SELECT differences FROM raw._key_conflicts WHERE kind = 'across files'",
            '[{"column":"amount","values":["20.00","25.00"]}]',
        ),
    ),
    Case(
        "accounting negative construction value",
        "permits",
        [("Building_Permits_a.xlsx", permits_book([permit(1), permit(2, "(500.00)")]))],
        "rows quarantined",
        "outside the plausible window",
        (2, 1, 1),
    ),
    Case(
        "a -999,999,999,999 payment",
        "payments",
        [("payments_a.jsonl", jsonl([payment(1), payment(2, amount="-999999999999")]))],
        "rows quarantined",
        "outside the plausible window",
        (2, 1, 1),
    ),
    Case(
        "withdrawn content under a new name",
        "payments",
        [
            ("payments_x.jsonl", jsonl([payment(1, amount="20.00")])),
            ("payments_x.jsonl", jsonl([payment(1, amount="21.00")])),
            ("payments_y.jsonl", jsonl([payment(1, amount="20.00")])),
        ],
        "withdrawn",
        "a corrected delivery replaced",
    ),
    Case(
        "a JSON array in a .jsonl file",
        "payments",
        [("payments_a.jsonl", json.dumps([payment(1), payment(2)], indent=2).encode())],
        "loaded",
        "one JSON array, not one object per line",
        (2, 2, 0),
    ),
    Case(
        "a broken JSON line",
        "payments",
        [
            (
                "payments_a.jsonl",
                jsonl([payment(1)])
                + b'{"payment_id": "PAY-9-2", "amount": \n'
                + jsonl([payment(3)]),
            )
        ],
        "rows quarantined",
        "not a JSON object",
        (3, 2, 1),
        check=_value("SELECT source_row FROM raw._quarantined_rows", 2),
    ),
    Case(
        "a JSON line that is not an object",
        "payments",
        [("payments_a.jsonl", jsonl([payment(1), 42, payment(3)]))],
        "rows quarantined",
        "not a JSON object",
        (3, 2, 1),
    ),
    Case(
        "not JSON at all",
        "payments",
        [("payments_a.jsonl", f"name,phone\n{PLANTED[0]},{PLANTED[1]}\n".encode())],
        "file quarantined",
        "none of its 2 lines is a JSON object",
    ),
    Case(
        "an empty file",
        "crm311",
        [("SR_EXPORT_A.csv", b"")],
        "file quarantined",
        "the file is empty",
    ),
    Case(
        "a header and no rows",
        "crm311",
        [("SR_EXPORT_A.csv", CRM_HEADER.encode())],
        "loaded",
        counts=(0, 0, 0),
    ),
    Case(
        "a required column missing",
        "crm311",
        [("SR_EXPORT_A.csv", b"request_id,status\nSR-9-1,Open\n")],
        "file quarantined",
        "required columns are missing: created_at",
    ),
    Case(
        "two headers for one column",
        "crm311",
        [
            (
                "SR_EXPORT_A.csv",
                (
                    CRM_HEADER.replace("status", "status,Status")
                    + crm_row(1).replace("Open", "Open,Open")
                ).encode(),
            )
        ],
        "file quarantined",
        "the header names one column twice ('status' and 'Status')",
    ),
    Case(
        "a required value missing",
        "crm311",
        [("SR_EXPORT_A.csv", crm_file([crm_row(1), crm_row(2).replace("SR-9-2", "")]))],
        "rows quarantined",
        "required: value is missing",
        (2, 1, 1),
    ),
    Case(
        "a CSV renamed .xlsx",
        "permits",
        [("Building_Permits_a.xlsx", crm_file([crm_row(1)]))],
        "file quarantined",
        "not a readable Excel workbook",
    ),
    Case(
        "the sheet renamed",
        "permits",
        [("Building_Permits_a.xlsx", permits_book([permit(1)], sheet="Sheet1"))],
        "file quarantined",
        "no sheet named as the contract says",
    ),
    Case(
        "binary garbage",
        "crm311",
        [("SR_EXPORT_A.csv", bytes(range(256)) * 40)],
        "file quarantined",
        "invalid",
    ),
]


def _write(folder: Path, name: str, content) -> None:
    path = folder / name
    if callable(content):
        content(path)
    else:
        path.write_bytes(content)


def run_case(case: Case, tmp_path: Path):
    dictionary = load_dictionary()
    source = dictionary.sources[case.system]
    landing = tmp_path / "landing"
    folder = landing / source.files["folder"]
    folder.mkdir(parents=True)
    conn = connect(tmp_path / "warehouse.duckdb")
    good_name, good = GOOD[case.system]
    _write(folder, good_name, good)
    results = ingest_source(conn, source, landing, tmp_path / "quarantine")
    for name, content in case.files:  # one delivery after another, as they arrive
        _write(folder, name, content)
        results = ingest_source(conn, source, landing, tmp_path / "quarantine")
    return conn, {r.file_name: r for r in results}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_extract(case: Case, tmp_path, record_property):
    conn, results = run_case(case, tmp_path)
    good = results[GOOD[case.system][0]]
    assert good.status in ("loaded", "skipped")  # a bad file never costs a good one
    result = results[case.files[-1][0]]
    rules = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT rule FROM raw._quarantined_rows WHERE file_name = ?",
            [result.file_name],
        ).fetchall()
    ]
    words = " | ".join(filter(None, [result.reason, *rules]))
    status = {"loaded": "loaded", "quarantined": "file quarantined", "withdrawn": "withdrawn"}[
        result.status
    ]
    if status == "loaded" and result.rows_quarantined:
        status = "rows quarantined"
    record_property("corpus", (case.name, status, words))
    assert status == case.outcome, words
    assert case.message.lower() in words.lower()
    if result.status == "loaded":
        assert (
            result.rows_read == result.rows_loaded + result.rows_quarantined + result.rows_dropped
        )
    if case.counts:
        assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == case.counts
    if case.check:
        case.check(conn, result)
    if result.status == "quarantined":
        reason = tmp_path / "quarantine" / case.system / f"{result.file_name}.reason.txt"
        assert reason.exists() and not (folder_of(tmp_path, case) / result.file_name).exists()
    for planted in PLANTED:  # what the platform says never repeats a resident's data
        assert planted not in words


def folder_of(tmp_path: Path, case: Case) -> Path:
    return tmp_path / "landing" / load_dictionary().sources[case.system].files["folder"]


def test_the_corpus_has_at_least_thirty_cases():
    assert len(CASES) >= 30


def test_the_department_gets_a_workbook_of_the_rows_to_fix(tmp_path):
    from dagster_project.lib.ingest.department_report import write_report

    conn, results = run_case(CASES[1], tmp_path)  # an unquoted comma: one row quarantined
    conn.execute(
        "INSERT INTO raw._dropped_rows (system, file_name, sha256, source_row, rule, "
        "reason, record) VALUES ('crm311', 'x.csv', 'abc', 9, 'total_row', 'a total', "
        "'{}')"
    )
    sha = [r.sha256 for r in results.values() if r.rows_quarantined]
    path = write_report(conn, "crm311", [*sha, "abc"], tmp_path / "reports")
    book = openpyxl.load_workbook(path)
    sheet = book[next(name for name in book.sheetnames if name.startswith("row"))]
    rows = list(sheet.values)
    assert rows[0] == (
        "file", "row", "column", "rule", "value as received", "what to do", "whole record"
    )  # fmt: skip
    assert rows[1][:2] == ("SR_EXPORT_A.csv", 2) and "re-export" in rows[1][5]
    assert "12 Oak St, Apt 4" in rows[1][4]  # the department sees what it sent
    assert any(name.startswith("dropped") for name in book.sheetnames)
    assert write_report(conn, "crm311", [], tmp_path / "reports") is None


def test_the_department_report_shows_control_characters_it_cannot_hold(tmp_path):
    """A quarantined value holding a NUL (a date "2024-01\\x00-03" fails its type) made
    the worksheet refuse the cell and the report was never written."""
    from dagster_project.lib.ingest.department_report import write_report

    conn, results = run_case(CASES[1], tmp_path)
    conn.execute(
        "INSERT INTO raw._quarantined_rows (system, file_name, sha256, source_row, "
        "column_name, rule, raw_value, record) VALUES ('crm311', 'x.csv', 'abc', 3, "
        "'created_at', 'type: not a valid timestamp', '2024-01' || chr(0) || '-03', "
        '\'{"created_at": "2024-01\\\\u0000-03"}\')'
    )
    path = write_report(conn, "crm311", ["abc"], tmp_path / "reports")
    values = [row[4] for row in openpyxl.load_workbook(path).worksheets[0].values]
    assert "2024-01\\x00-03" in values
