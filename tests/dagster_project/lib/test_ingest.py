"""Contract-driven ingest on small files made here: every row loaded, quarantined or dropped."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import tempfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from dagster_project.lib.dictionary import source_from_spec
from dagster_project.lib.ingest import ingest_source
from dagster_project.lib.warehouse import connect

REQUESTS = {
    "system": "crm",
    "raw_table": "crm_requests",
    "title": "t",
    "owner_division": "x",
    "description": "d",
    "primary_key": ["request_id"],
    "files": {
        "folder": "crm",
        "pattern": "*.csv",
        "format": "csv",
        "encodings": ["utf-8", "cp1252"],
    },
    "null_values": ["N/A", "-"],
    "columns": [
        {
            "name": "request_id",
            "type": "varchar",
            "required": True,
            "aliases": ["SR Number"],
            "classification": "public",
            "description": "id",
        },
        {
            "name": "created_at",
            "type": "timestamp",
            "required": True,
            "aliases": ["Created Date"],
            "formats": ["%m/%d/%Y %I:%M:%S %p"],
            "classification": "public",
            "description": "when",
        },
        {"name": "fee", "type": "money", "classification": "public", "description": "fee"},
        {
            "name": "caller_name",
            "type": "varchar",
            "aliases": ["Caller"],
            "classification": "personal",
            "description": "who",
        },
    ],
}


@pytest.fixture
def landing(tmp_path):
    (tmp_path / "landing" / "crm").mkdir(parents=True)
    return tmp_path


def run(tmp_path, spec=REQUESTS):
    conn = connect(tmp_path / "wh.duckdb")
    results = ingest_source(
        conn, source_from_spec(spec, Path("crm.yml")), tmp_path / "landing", tmp_path / "quarantine"
    )
    return conn, results


def write(landing, name, text, encoding="utf-8"):
    path = landing / "landing" / "crm" / name
    path.write_bytes(text.encode(encoding))
    return path


def test_rows_are_loaded_quarantined_and_reconciled(landing):
    write(
        landing,
        "a.csv",
        "SR Number,Created Date,fee,Caller,Extra Col\n"
        "SR-1,03/07/2024 02:15:09 PM,$1,381.12 ,Zoë,x\n"
        "SR-2,not a date,(8.02),N/A,y\n"
        "-,03/08/2024 09:00:00 AM,75,Ann,z\n"
        "SR-4,2024-03-09T10:00:00,  ,Bob,w\n".replace("$1,381.12 ", '"$1,381.12 "'),
    )
    conn, [result] = run(landing)
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_quarantined) == (
        "loaded",
        4,
        2,
        2,
    )
    rows = conn.execute(
        "SELECT request_id, created_at, fee, caller_name, extra_col, "
        "_source_row FROM raw.crm_requests ORDER BY 1"
    ).fetchall()
    assert rows[0] == (
        "SR-1",
        dt.datetime(2024, 3, 7, 14, 15, 9),
        Decimal("1381.12"),
        "Zoë",
        "x",
        1,
    )
    assert rows[1][0] == "SR-4" and rows[1][2] is None  # blank money is null, not an error
    assert result.unlisted_columns == ["extra_col"]  # loaded as text, and said so
    reasons = conn.execute(
        "SELECT source_row, column_name, rule, raw_value FROM raw._quarantined_rows ORDER BY 1"
    ).fetchall()
    assert reasons == [
        (2, "created_at", "type: not a valid timestamp", "not a date"),
        (3, "request_id", "required: value is missing", None),
    ]
    # the whole record is kept beside the failing value: which request, what else it said
    records = conn.execute(
        "SELECT source_row, record->>'request_id', record->>'fee', record->>'caller_name' "
        "FROM raw._quarantined_rows ORDER BY 1"
    ).fetchall()
    assert records == [(2, "SR-2", "(8.02)", None), (3, None, "75", "Ann")]


def test_a_file_mixing_two_encodings_is_refused_not_garbled(landing):
    """A cp1252 line and a UTF-8 line in one file (two exports joined): UTF-8 fails, and
    read as cp1252 the UTF-8 line's "Café —" loaded as "CafÃ© â€”". Refused, saying
    where each encoding is."""
    path = write(landing, "a.csv", "")
    path.write_bytes(
        b"request_id,created_at,Caller\nSR-1,2024-01-01,Caf\xe9\n"
        b"SR-2,2024-01-02,Caf\xc3\xa9 \xe2\x80\x94\n"
    )
    conn, [result] = run(landing)
    assert result.status == "quarantined"
    assert "mixes encodings" in result.reason and "byte offset 69" in result.reason


def test_latin1_declared_and_cp1252_sent_reads_the_quotes(landing):
    """Bytes 0x80-0x9F are control characters in latin-1, which no text uses, and curly
    quotes and the euro in cp1252: they loaded as control characters. Such a file is read
    as cp1252 (the ledger says so); one with bytes cp1252 does not define is refused."""
    spec = {**REQUESTS, "files": {**REQUESTS["files"], "encodings": ["latin-1"]}}
    path = write(landing, "a.csv", "")
    path.write_bytes(b"request_id,created_at,Caller\nSR-1,2024-01-01,\x93Quoted\x94 \x80\n")
    conn, [result] = run(landing, spec)
    assert (result.status, result.encoding) == ("loaded", "cp1252")
    assert conn.execute("SELECT caller_name FROM raw.crm_requests").fetchall() == [
        ("\u201cQuoted\u201d \u20ac",)
    ]


@pytest.mark.parametrize("declared", [["cp1252"], ["latin-1"]])
def test_utf8_text_sent_to_a_code_page_contract_is_refused_not_garbled(landing, declared):
    """A system upgraded to UTF-8 exports, its contract still declaring cp1252 (as
    fire_inspections and burn_permits do): "Café Ré" loaded as "CafÃ© RÃ©". Refused,
    naming the encoding found and what to change; with utf-8 declared too it reads,
    and the code page's own files and ASCII ones still read as before."""
    spec = {**REQUESTS, "files": {**REQUESTS["files"], "encodings": declared}}
    write(landing, "a.csv", "request_id,created_at,Caller\nSR-1,2024-01-01,Café Ré – L’Érable\n")
    write(landing, "b.csv", "request_id,created_at,Caller\nSR-2,2024-01-02,Renée\n", "cp1252")
    write(landing, "c.csv", "request_id,created_at,Caller\nSR-3,2024-01-03,Ann\n")
    # code-page text that is valid UTF-8 by chance ("É" and a no-break space, C9 A0)
    write(landing, "d.csv", "request_id,created_at,Caller\nSR-4,2024-01-04,CAFÉ\u00a0DU COIN\n",
          "cp1252")  # fmt: skip
    conn, results = run(landing, spec)
    assert [(r.file_name, r.status) for r in results] == [
        ("a.csv", "quarantined"), ("b.csv", "loaded"), ("c.csv", "loaded"), ("d.csv", "loaded")
    ]  # fmt: skip
    assert "it is UTF-8 text" in results[0].reason
    assert "add utf-8 to the contract's encodings" in results[0].reason
    assert (landing / "quarantine" / "crm" / "a.csv").exists()
    assert conn.execute("SELECT caller_name FROM raw.crm_requests ORDER BY 1").fetchall() == [
        ("Ann",), ("CAFÉ DU COIN",), ("Renée",)  # (a no-break space loads as a space)
    ]  # fmt: skip
    spec["files"]["encodings"] = [*declared, "utf-8"]
    again = landing / "again"
    (again / "landing" / "crm").mkdir(parents=True)
    write(again, "a.csv", "request_id,created_at,Caller\nSR-1,2024-01-01,Café Ré – L’Érable\n")
    conn, results = run(again, spec)
    assert [(r.file_name, r.status, r.encoding) for r in results] == [("a.csv", "loaded", "utf-8")]
    assert conn.execute(
        "SELECT caller_name FROM raw.crm_requests WHERE request_id = 'SR-1'"
    ).fetchone() == ("Café Ré – L’Érable",)


def test_cp1252_is_detected_and_reloading_adds_nothing(landing):
    write(
        landing,
        "old.csv",
        'SR Number,Created Date\r\n"SR-9","01/02/2024 08:00:00 AM"\r\n'
        '"SR-10","01/02/2024 08:00:00 AM"\r\n',
        encoding="cp1252",
    )
    write(
        landing,
        "names.csv",
        "SR Number,Created Date,Caller\nSR-11,2024-01-02,Renée\n",
        encoding="cp1252",
    )
    conn, results = run(landing)
    assert {r.file_name: r.encoding for r in results} == {"names.csv": "cp1252", "old.csv": "utf-8"}
    assert conn.execute(
        "SELECT caller_name FROM raw.crm_requests WHERE request_id = 'SR-11'"
    ).fetchone() == ("Renée",)
    conn.close()
    conn, again = run(landing)
    assert [r.status for r in again] == ["skipped", "skipped"]
    assert conn.execute("SELECT count(*) FROM raw.crm_requests").fetchone() == (3,)


def test_same_content_under_another_name_is_flagged(landing):
    body = "request_id,created_at\nSR-1,2024-01-01\n"
    write(landing, "a.csv", body)
    write(landing, "b.csv", body)
    conn, results = run(landing)
    assert [(r.file_name, r.status) for r in results] == [
        ("a.csv", "loaded"),
        ("b.csv", "duplicate"),
    ]
    conn.close()
    conn, again = run(landing)
    assert [r.status for r in again] == ["skipped", "duplicate"]
    assert conn.execute(
        "SELECT count(*) FROM raw._ingest_files WHERE status = 'duplicate'"
    ).fetchone() == (1,)  # flagged once, not at every run


def test_corrected_redelivery_supersedes(landing):
    write(landing, "a.csv", "request_id,created_at\nSR-1,2024-01-01\nSR-2,2024-01-01\n")
    conn, _ = run(landing)
    conn.close()
    write(landing, "a.csv", "request_id,created_at\nSR-1,2024-01-05\n")
    conn, [result] = run(landing)
    assert result.status == "loaded"
    assert conn.execute("SELECT request_id, created_at::DATE FROM raw.crm_requests").fetchall() == [
        ("SR-1", dt.date(2024, 1, 5))
    ]
    statuses = conn.execute("SELECT status FROM raw._ingest_files ORDER BY ingested_at").fetchall()
    assert statuses == [("superseded",), ("loaded",)]


@pytest.mark.parametrize(
    "content, why",
    [
        ("", "empty"),
        ("caller\nAnn\n", "required columns are missing: request_id, created_at"),
    ],
)
def test_unreadable_files_are_moved_to_quarantine_with_a_reason(landing, content, why):
    write(landing, "bad.csv", content)
    conn, [result] = run(landing)
    assert result.status == "quarantined" and why in result.reason
    quarantined = landing / "quarantine" / "crm"
    assert (quarantined / "bad.csv").exists()
    assert why in (quarantined / "bad.csv.reason.txt").read_text()
    assert not (landing / "landing" / "crm" / "bad.csv").exists()


def test_a_refused_file_put_back_after_its_contract_is_fixed_is_read_again(landing):
    """The reason file says: fix the file or its contract and put it back. Put back
    unchanged after a contract fix, it was skipped as "already loaded" (the ledger knew
    its content), and its rows never came."""
    import copy
    import shutil

    write(landing, "a.csv", "SR Number,Opened\nSR-1,2024-01-01\n")
    conn, [refused] = run(landing)
    assert refused.status == "quarantined" and "created_at" in refused.reason
    conn.close()
    fixed = copy.deepcopy(REQUESTS)
    fixed["columns"][1]["aliases"].append("Opened")
    shutil.move(landing / "quarantine" / "crm" / "a.csv", landing / "landing" / "crm" / "a.csv")
    conn, [again] = run(landing, fixed)
    assert again.status == "loaded" and again.rows_loaded == 1
    assert conn.execute("SELECT request_id FROM raw.crm_requests").fetchall() == [("SR-1",)]


def test_a_percent_header_is_not_the_column_without_it(landing):
    """ "Fee %" was read as the contract's money column `fee` (snake_case dropped the %):
    15 (percent) loaded as $15.00. It is a column of its own, reported as drift (only
    then: "Rate %" with no contract column "rate" keeps its name, "rate", as before)."""
    write(landing, "a.csv", "request_id,created_at,Fee %,Rate %\nSR-1,2024-01-01,15,3\n")
    conn, [result] = run(landing)
    assert result.unlisted_columns == ["fee_pct", "rate"]
    assert conn.execute("SELECT fee, fee_pct FROM raw.crm_requests").fetchall() == [(None, "15")]


def test_header_drift_is_reported(landing):
    write(landing, "a.csv", "request_id,created_at\nSR-1,2024-01-01\n")
    write(landing, "b.csv", "request_id,created_at,priority\nSR-2,2024-01-01,high\n")
    conn, results = run(landing)
    assert "new column(s) priority (kept)" in results[1].drift
    assert conn.execute(
        "SELECT priority FROM raw.crm_requests WHERE request_id = 'SR-2'"
    ).fetchone() == ("high",)


# The contract gains a column the department's new system sends: "Closed On" (an alias)
# or "ClosedOn" were loaded as drift text before, under closed_on or closedon.
CLOSED_ON = {"name": "closed_on", "type": "date", "aliases": ["Closed On", "ClosedOn"],
             "formats": ["%Y-%m-%d", "%d/%m/%Y"], "classification": "public",
             "description": "when it was closed"}  # fmt: skip


@pytest.mark.parametrize("header", ["Closed On", "ClosedOn"])
def test_a_contract_that_gains_a_column_takes_the_values_loaded_as_drift(landing, header):
    write(landing, "a.csv", "request_id,created_at\nSR-1,2024-01-01\n")
    write(
        landing,
        "b.csv",
        f"request_id,created_at,{header}\nSR-2,2024-01-01,05/01/2024\n"
        "SR-3,2024-01-01,N/A\nSR-4,2024-01-01,soon\n",
    )
    conn, _ = run(landing)  # the old contract: the header is drift, loaded as text
    conn.close()
    write(landing, "c.csv", f"request_id,created_at,{header}\nSR-5,2024-01-01,2024-01-09\n")
    spec = {**REQUESTS, "columns": [*REQUESTS["columns"], CLOSED_ON]}
    conn, results = run(landing, spec)
    assert [r.rows_loaded for r in results] == [0, 0, 1]  # a.csv and b.csv: loaded already
    assert conn.execute(
        "SELECT request_id, closed_on FROM raw.crm_requests ORDER BY 1"
    ).fetchall() == [
        ("SR-1", None),  # sent before the field existed
        ("SR-2", dt.date(2024, 1, 5)),  # read by the contract's formats
        ("SR-3", None),  # a null sentinel
        ("SR-4", None),  # does not read: flagged with its text, below
        ("SR-5", dt.date(2024, 1, 9)),
    ]
    assert conn.execute(
        "SELECT file_name, source_row, column_name, rule, raw_value FROM raw._flagged_values"
    ).fetchall() == [("b.csv", 3, "closed_on", "contract_column_added", "soon")]
    kind = conn.execute(
        "SELECT data_type FROM duckdb_columns() WHERE table_name = 'crm_requests' "
        "AND column_name = 'closed_on'"
    ).fetchone()
    assert kind == ("DATE",)


def test_a_column_added_to_the_contract_is_checked_as_a_load_checks_it(landing):
    """Values loaded as drift before the contract had the column meet its checks when
    they are taken in: what breaks one is flagged with the rule's words; what the
    contract would have quarantined is left empty, the row (loaded before) kept."""
    write(
        landing,
        "b.csv",
        "request_id,created_at,Closed On,Channel Code\nSR-2,2024-01-01,05/01/2024,web\n"
        "SR-3,2024-01-01,05/01/2019,fax\n",
    )
    run(landing)[0].close()  # the old contract: both headers are drift
    windowed = {**CLOSED_ON, "min": "2020-01-01"}  # out of the window: quarantine (default)
    channel = {"name": "channel", "type": "varchar", "aliases": ["Channel Code"],
               "accepted_values": ["web", "phone"], "classification": "public",
               "description": "how it came in"}  # fmt: skip
    spec = {**REQUESTS, "columns": [*REQUESTS["columns"], windowed, channel]}
    write(landing, "c.csv", "request_id,created_at\nSR-4,2024-01-02\n")
    conn, _ = run(landing, spec)
    assert conn.execute(
        "SELECT request_id, closed_on, channel FROM raw.crm_requests ORDER BY 1"
    ).fetchall() == [
        ("SR-2", dt.date(2024, 1, 5), "web"),
        ("SR-3", None, "fax"),  # the date withheld; a value outside the list flagged, kept
        ("SR-4", None, None),
    ]
    flags = conn.execute(
        "SELECT source_row, column_name, rule, raw_value FROM raw._flagged_values ORDER BY 2"
    ).fetchall()
    assert flags == [
        (2, "channel", "contract_column_added: value: not one of web, phone", "fax"),
        (
            2,
            "closed_on",
            "contract_column_added: range: outside the plausible window 2020-01-01 to … "
            "(the contract quarantines such rows: this one loaded before, value left empty)",
            "05/01/2019",
        ),
    ]


def test_columns_gained_anywhere_in_the_contract_are_synced_once(landing):
    """The contract gains one column the files hold as drift and one no file has sent
    yet, both ahead of columns the table has: each is added, the others left as they
    are, and a second run has nothing to do."""
    write(landing, "b.csv", "request_id,created_at,Closed On\nSR-2,2024-01-01,05/01/2024\n")
    run(landing)[0].close()
    unsent = {"name": "priority", "type": "varchar", "classification": "public",
              "description": "how urgent"}  # fmt: skip
    first, *others = REQUESTS["columns"]
    spec = {**REQUESTS, "columns": [first, unsent, CLOSED_ON, *others]}
    for _ in range(2):
        conn, _ = run(landing, spec)
        assert conn.execute(
            "SELECT request_id, created_at, closed_on, priority FROM raw.crm_requests"
        ).fetchall() == [("SR-2", dt.datetime(2024, 1, 1), dt.date(2024, 1, 5), None)]
        conn.close()


def test_a_column_the_contract_dropped_is_not_marked_as_drift(landing):
    """A typed column the contract stops naming while files still send it is kept as it
    is, not marked as drift text: named again, it needs no reading again."""
    from dagster_project.lib.ingest.contract_columns import table_catalog

    spec = {**REQUESTS, "columns": [*REQUESTS["columns"], CLOSED_ON]}
    write(landing, "a.csv", "request_id,created_at,Closed On\nSR-1,2024-01-01,05/01/2024\n")
    run(landing, spec)[0].close()
    write(landing, "b.csv", "request_id,created_at,Closed On\nSR-2,2024-01-01,2024-01-06\n")
    conn, _ = run(landing)  # the contract without it: the file's value kept as drift
    assert table_catalog(conn, "raw")[1] == {}
    conn.close()
    conn, _ = run(landing, spec)  # named again
    assert conn.execute("SELECT closed_on FROM raw.crm_requests ORDER BY 1").fetchall()[0] == (
        dt.date(2024, 1, 5),
    )


def test_typing_drift_text_in_place_resumes_after_a_run_stopped_halfway(landing):
    # the first of its two transactions committed (the typed column is there, filled),
    # the second did not (the text column is still there): the next run finishes it
    write(landing, "b.csv", "request_id,created_at,Closed On\nSR-2,2024-01-01,05/01/2024\n")
    conn, _ = run(landing)
    conn.execute('ALTER TABLE raw.crm_requests ADD COLUMN "__typed__" DATE')
    conn.execute(
        "INSERT INTO raw._flagged_values (system, file_name, sha256, source_row, column_name, "
        "rule, raw_value) VALUES ('crm', 'b.csv', 'x', 1, 'closed_on', "
        "'contract_column_added', 'left from the stopped run')"
    )
    conn.close()
    spec = {**REQUESTS, "columns": [*REQUESTS["columns"], CLOSED_ON]}
    conn, _ = run(landing, spec)
    assert conn.execute("SELECT request_id, closed_on FROM raw.crm_requests").fetchall() == [
        ("SR-2", dt.date(2024, 1, 5))
    ]
    columns = [r[0] for r in conn.execute("DESCRIBE raw.crm_requests").fetchall()]
    assert "__typed__" not in columns
    assert conn.execute("SELECT count(*) FROM raw._flagged_values").fetchone() == (0,)


def test_the_run_plan_sends_a_system_behind_its_contract_to_the_ingest(landing):
    from dagster_project.lib.ingest.contract_columns import table_columns
    from dagster_project.lib.run_plan import _systems_behind_contract, _systems_with_new_files

    write(landing, "a.csv", "request_id,created_at\nSR-1,2024-01-01\n")
    conn, _ = run(landing)
    old = source_from_spec(REQUESTS, Path("crm.yml"))
    new = source_from_spec(
        {**REQUESTS, "columns": [*REQUESTS["columns"], CLOSED_ON]}, Path("crm.yml")
    )
    assert _systems_with_new_files(conn, [old], landing / "landing") == []
    raw_tables = table_columns(conn, "raw")
    assert _systems_behind_contract(raw_tables, {}, [old]) == []
    assert _systems_behind_contract(raw_tables, {}, [new]) == ["crm"]


def test_text_kept_as_drift_is_read_again_when_the_contract_names_its_column(landing):
    """A header sent before the contract had it is kept as text under its own name,
    untrimmed, unmapped, unchecked. When the contract names that very column (text too,
    so no type tells), the loader's drift mark does: its values are read again by the
    contract's cleaning and checks, once."""
    from dagster_project.lib.ingest.contract_columns import table_catalog
    from dagster_project.lib.run_plan import _systems_behind_contract

    write(landing, "b.csv", "request_id,created_at,channel\nSR-2,2024-01-01, WEB \n"
          "SR-3,2024-01-01,fax\nSR-4,2024-01-01,N/A\n")  # fmt: skip
    run(landing)[0].close()  # the old contract: channel is drift, kept as it came
    channel = {"name": "channel", "type": "varchar", "value_map": {"WEB": "web"},
               "accepted_values": ["web", "phone"], "classification": "public",
               "description": "how it came in"}  # fmt: skip
    spec = {**REQUESTS, "columns": [*REQUESTS["columns"], channel]}
    new = source_from_spec(spec, Path("crm.yml"))
    conn, _ = run(landing)  # still the old contract: a second look changes nothing
    assert _systems_behind_contract(*table_catalog(conn, "raw"), [new])
    conn.close()
    conn, _ = run(landing, spec)
    loaded = conn.execute("SELECT request_id, channel FROM raw.crm_requests ORDER BY 1")
    assert loaded.fetchall() == [
        ("SR-2", "web"),  # trimmed and mapped
        ("SR-3", "fax"),  # outside the list: flagged below, kept
        ("SR-4", None),  # the contract's null sentinel
    ]
    assert conn.execute(
        "SELECT source_row, rule, raw_value FROM raw._flagged_values"
    ).fetchall() == [(2, "contract_column_added: value: not one of web, phone", "fax")]
    assert table_catalog(conn, "raw")[1] == {}  # read by the contract now: done once
    assert _systems_behind_contract(*table_catalog(conn, "raw"), [new]) == []


@pytest.mark.parametrize(
    "rows",
    [
        [b'SR-1,2024-01-01,"a\nb"\n', b"SR-2,2024-01-02,x\r\n"],
        [b"SR-1,2024-01-01,x\r\n", b'SR-2,2024-01-02,"a\nb"\n', b"SR-3,2024-01-03,x\r\n",
         b"SR-4,2024-01-04,x\r\n"],
        [b"SR-1,2024-01-01,x\r\n", b"SR-2,2024-01-02,x\n", b"SR-3,2024-01-03,x\r\n"],
        [b'SR-1,2024-01-01,"a\r\nb"\n', b"SR-2,2024-01-02,x\r\n"],  # a CR LF in a value
    ],
)  # fmt: skip
def test_lines_that_end_in_two_ways_are_each_a_record(landing, rows):
    """CR LF and LF alone in one file (a row edited on another system): DuckDB reads one
    kind of line end, so a record ended by the other ran into the next one: two records
    counted as one malformed row (one lost while the counts agreed), or the whole file
    refused. Each line is its record; a quoted line break stays in its value."""
    (landing / "landing" / "crm" / "a.csv").write_bytes(
        b"request_id,created_at,caller_name\r\n" + b"".join(rows)
    )
    conn, [result] = run(landing)
    assert (result.status, result.rows_read, result.rows_loaded) == ("loaded", len(rows), len(rows))
    names = conn.execute("SELECT list(caller_name) FROM raw.crm_requests").fetchone()[0]
    quoted = [row.split(b'"')[1].decode() for row in rows if b'"' in row]
    assert all(value in names for value in quoted)  # as written, whatever the line ends


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_stray_quote_pair_loses_no_line(landing, newline):
    """Two stray quotes 199 lines apart: DuckDB read the lines between as one malformed
    record, kept by its first 2,000 characters; 198 rows vanished while read = loaded +
    quarantined still held, and the rows after it were numbered as if they had not been
    there. Each line of such a record is now a quarantined row of its own, kept whole."""
    rows = ["request_id,created_at,Caller", 'SR-1,"2024-01-01,x']
    rows += [f"SR-{i},2024-01-02,caller {i}" for i in range(2, 200)]
    rows += ['SR-200,2024-01-03" x,z', "SR-201,2024-01-04,fine"]
    write(landing, "a.csv", newline.join(rows) + newline)
    conn, [result] = run(landing)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (201, 1, 200)
    assert conn.execute("SELECT request_id, _source_row FROM raw.crm_requests").fetchall() == [
        ("SR-201", 201)
    ]
    kept = conn.execute(
        "SELECT source_row, raw_value FROM raw._quarantined_rows ORDER BY 1"
    ).fetchall()
    assert kept[0] == (1, 'SR-1,"2024-01-01,x') and kept[150] == (
        151,
        "SR-151,2024-01-02,caller 151",
    )
    assert kept[-1] == (200, 'SR-200,2024-01-03" x,z')


def test_a_lone_cr_among_other_line_ends_refuses_the_file_saying_why(landing):
    """A CR alone in a file whose lines end in LF (a value's stray CR, or a row ended the
    old Mac way): which CR ends a row cannot be told. The file was refused with DuckDB's
    "state machine reached an invalid state"; it still is, saying what to ask for."""
    (landing / "landing" / "crm" / "a.csv").write_bytes(
        b"request_id,created_at,caller_name\nSR-1,2024-01-01,a\rb\nSR-2,2024-01-02,x\n"
    )
    _, [result] = run(landing)
    assert result.status == "quarantined"
    assert "a CR alone among them" in result.reason


def test_a_big_endian_utf16_file_is_read_whole(landing):
    """A UTF-16 file whose byte-order mark says big-endian: DuckDB's "utf-16" is
    little-endian and read it as one garbled line (0 of its rows, status "loaded")."""
    text = "\r\n".join(["SR Number,Created Date,Caller", "SR-1,2024-01-02,Renée",
                        "SR-2,2024-01-03,Zoë", ""])  # fmt: skip
    (landing / "landing" / "crm" / "a.csv").write_bytes(
        codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    )
    conn, [result] = run(landing)
    assert (result.status, result.encoding, result.rows_loaded) == ("loaded", "utf-16-be", 2)
    rows = conn.execute("SELECT request_id, caller_name FROM raw.crm_requests ORDER BY 1")
    assert rows.fetchall() == [("SR-1", "Renée"), ("SR-2", "Zoë")]


def test_a_utf16_file_without_its_mark_is_refused_saying_so(landing):
    """UTF-16 without a byte-order mark is valid UTF-8 (a 0 byte is a character): it was
    refused with DuckDB's "unterminated quoted string", which tells no one what to do."""
    text = "request_id,created_at\r\nSR-1,2024-01-02\r\n"
    (landing / "landing" / "crm" / "a.csv").write_bytes(text.encode("utf-16-le"))
    _, [result] = run(landing)
    assert result.status == "quarantined"
    assert "looks like UTF-16 without a byte-order mark" in result.reason
    # NUL padding at a file's end is not UTF-16 (both halves are zeros); (the first file
    # went to the quarantine folder)
    write(landing, "b.csv", "request_id,created_at\nSR-1,2024-01-02\n" + "\0" * 200)
    _, results = run(landing)
    assert "UTF-16" not in (results[-1].reason or "")


def test_a_json_file_in_utf16_is_refused_not_misread(tmp_path):
    spec = {**REQUESTS, "files": {"folder": "crm", "pattern": "*.jsonl", "format": "jsonl"}}
    folder = tmp_path / "landing" / "crm"
    folder.mkdir(parents=True)
    (folder / "a.jsonl").write_bytes(
        '{"request_id": "SR-1", "created_at": "2024-01-02"}\n'.encode("utf-16")
    )
    _, [result] = run(tmp_path, spec)
    assert result.status == "quarantined"
    assert "JSON must be UTF-8, and this file is utf-16" in result.reason


def test_a_workbook_whose_header_row_is_blank_is_quarantined_and_the_next_loads(tmp_path):
    """A title line pushed the header down: the contract's header row is blank. That
    stopped the ingest (ValueError), this file unrecorded and every later file of the
    system unloaded, on every run."""
    spec = {**REQUESTS, "files": {"folder": "crm", "pattern": "*.xlsx", "format": "xlsx"}}
    folder = tmp_path / "landing" / "crm"
    folder.mkdir(parents=True)
    for name, rows in (
        ("a_titled.xlsx", [[None, None], ["SR Number", "Created Date"], ["SR-1", "2024-01-01"]]),
        ("b_plain.xlsx", [["SR Number", "Created Date"], ["SR-2", "2024-01-02"]]),
    ):
        book = openpyxl.Workbook()
        sheet = book.active
        for row in rows:
            sheet.append(row)
        if rows[0] == [None, None]:
            sheet["C1"] = ""  # a cell with empty text where the header should be
        book.save(folder / name)
    conn, results = run(tmp_path, spec)
    assert [(r.file_name, r.status) for r in results] == [
        ("a_titled.xlsx", "quarantined"), ("b_plain.xlsx", "loaded")
    ]  # fmt: skip
    assert "row 1 (the header row, as the contract says) is empty" in results[0].reason


def test_a_file_the_reader_fails_on_stays_to_be_read_again_and_the_others_load(
    landing, monkeypatch
):
    """A reader's own error on a file's content (a fault no test foresaw, caused here):
    the file is recorded "failed", left in the landing folder, and read again by the next
    run once the reader is fixed (not skipped as seen, not quarantined as the
    department's fault); the next file loads."""
    from dagster_project.lib.ingest import readers

    read_csv = readers.csv_view

    def fails_on_a(conn, path, *args, **kwargs):
        if path.name == "a.csv":
            raise ValueError("max() arg is an empty sequence")
        return read_csv(conn, path, *args, **kwargs)

    monkeypatch.setattr(readers, "csv_view", fails_on_a)
    write(landing, "a.csv", "request_id,created_at\nSR-1,2024-01-01\n")
    write(landing, "b.csv", "request_id,created_at\nSR-2,2024-01-02\n")
    conn, results = run(landing)
    assert [(r.file_name, r.status) for r in results] == [
        ("a.csv", "failed"), ("b.csv", "loaded")
    ]  # fmt: skip
    assert "the platform failed on it (ValueError" in results[0].reason
    assert (landing / "landing" / "crm" / "a.csv").exists()  # left where it landed
    run(landing)  # fails again: still one ledger row for the file's failure
    failures = "SELECT count(*) FROM raw._ingest_files WHERE status = 'failed'"
    assert conn.execute(failures).fetchone() == (1,)
    monkeypatch.undo()  # the reader fixed: the next run reads the file
    again = ingest_source(
        conn, source_from_spec(REQUESTS, Path("crm.yml")), landing / "landing",
        landing / "quarantine",
    )  # fmt: skip
    assert [(r.file_name, r.status) for r in again] == [("a.csv", "loaded"), ("b.csv", "skipped")]
    assert conn.execute(failures).fetchone() == (0,)  # read now: no longer failed


def test_a_workbook_whose_formulas_were_never_computed_is_refused(tmp_path):
    """A workbook written by a program that does not compute formulas keeps them with no
    value, and DuckDB reads those cells empty: the amounts would load as nothing. The
    file is refused, naming the first cell; a computed empty result ("<v></v>") is a
    value and loads."""
    spec = {**REQUESTS, "files": {"folder": "crm", "pattern": "*.xlsx", "format": "xlsx"}}
    folder = tmp_path / "landing" / "crm"
    folder.mkdir(parents=True)
    book = openpyxl.Workbook()
    for row in [["request_id", "created_at", "fee"], ["SR-1", "2024-01-01", 5],
                ["SR-2", "2024-01-02", "=C2*2"]]:  # fmt: skip
        book.active.append(row)
    book.save(folder / "scripted.xlsx")
    conn, [result] = run(tmp_path, spec)
    assert result.status == "quarantined"
    assert "1 formula cell(s)" in result.reason and "C3" in result.reason
    # the same sheet as Excel saves it: each formula with its computed value
    import zipfile

    computed = folder / "saved.xlsx"
    with zipfile.ZipFile(tmp_path / "quarantine" / "crm" / "scripted.xlsx") as source:
        with zipfile.ZipFile(computed, "w") as target:
            for item in source.infolist():
                data = source.read(item.filename)
                if item.filename == "xl/worksheets/sheet1.xml":
                    data = data.replace(b"<f>C2*2</f><v />", b"<f>C2*2</f><v>10</v>")
                    assert b"<v>10</v>" in data
                target.writestr(item, data)
    conn.close()
    conn, [result] = run(tmp_path, spec)
    assert (result.status, result.rows_loaded) == ("loaded", 2)
    assert conn.execute("SELECT fee FROM raw.crm_requests ORDER BY 1").fetchall() == [
        (Decimal("5.00"),),
        (Decimal("10.00"),),
    ]


def test_a_cell_holding_an_excel_error_quarantines_its_row(tmp_path):
    """A cell holding an Excel error (t="e": #N/A, #DIV/0!, #REF!) loaded as the text
    "#N/A": its row is quarantined by a named rule saying which error in which column.
    Only in the columns the contract reads: one it does not list loads as text."""
    import re
    import zipfile

    spec = {**REQUESTS, "files": {"folder": "crm", "pattern": "*.xlsx", "format": "xlsx"}}
    folder = tmp_path / "landing" / "crm"
    folder.mkdir(parents=True)
    book = openpyxl.Workbook()
    rows = [["request_id", "created_at", "fee", "Caller", "Notes"],
            ["SR-1", "2024-01-01", 5, "Ann", "ok"], ["SR-2", "2024-01-02", 801, "Bob", "ok"],
            ["SR-3", "2024-01-03", 7, "Cy", 803], ["SR-4", "2024-01-04", 8, 804, "ok"]]  # fmt: skip
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / "book.xlsx")
    errors = {"C3": ("#DIV/0!", "<f>C2/0</f>"), "E4": ("#N/A", "<f>VLOOKUP(A4,B:B,2,0)</f>"),
              "D5": ("#REF!", ""), "D2": (None, "")}  # fmt: skip
    with zipfile.ZipFile(tmp_path / "book.xlsx") as source:
        with zipfile.ZipFile(folder / "a.xlsx", "w") as target:
            for item in source.infolist():
                data = source.read(item.filename)
                if item.filename == "xl/worksheets/sheet1.xml":
                    for ref, (error, formula) in errors.items():
                        # (an error cell without a value, self-closing: not the next cell's)
                        cell = (
                            f'<c r="{ref}" t="e"/>'
                            if error is None
                            else f'<c r="{ref}" t="e">{formula}<v>{error}</v></c>'
                        ).encode()
                        data, found = re.subn(rf'<c r="{ref}"[^>]*>.*?</c>'.encode(), cell, data)
                        assert found == 1
                target.writestr(item, data)
    conn, [result] = run(tmp_path, spec)
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_quarantined) == (
        "loaded", 4, 2, 2
    )  # fmt: skip
    # a row a drop_rows rule drops is dropped, its Excel error not counted again (the
    # file was refused: "read 4 rows but loaded 2, quarantined 3 and dropped 1")
    conn.close()
    (tmp_path / "wh.duckdb").unlink()
    dropping = {**spec, "drop_rows": [{"rule": "sr2", "reason": "a test's dropped row",
                                       "column": "request_id", "equals": ["SR-2"]}]}  # fmt: skip
    conn, [result] = run(tmp_path, dropping)
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_quarantined,
            result.rows_dropped) == ("loaded", 4, 2, 1, 1)  # fmt: skip
    conn.close()
    (tmp_path / "wh.duckdb").unlink()
    conn, [result] = run(tmp_path, spec)
    assert conn.execute(
        "SELECT source_row, column_name, rule, raw_value FROM raw._quarantined_rows ORDER BY 1"
    ).fetchall() == [
        (2, "fee", "the sheet shows an Excel error (#DIV/0!) in fee: the formula failed in "
         "the system that made the file", "#DIV/0!"),
        (4, "caller_name", "the sheet shows an Excel error (#REF!) in caller_name: the "
         "formula failed in the system that made the file", "#REF!"),
    ]  # fmt: skip
    assert conn.execute("SELECT request_id, notes FROM raw.crm_requests ORDER BY 1").fetchall() == [
        ("SR-1", "ok"),
        ("SR-3", "#N/A"),
    ]


def test_a_formula_that_computed_an_empty_text_is_a_value():
    """ "<v></v>" is a formula's computed empty result; "<v />" (or no <v>) was never
    computed. Only the latter count, also with a namespace prefix on the tags."""
    from dagster_project.lib.ingest.workbook_xml import FORMULA_WITHOUT_VALUE

    computed_empty = b'<c r="B2" t="str"><f>IF(A2,"","x")</f><v></v></c>'
    never = b'<c r="B3"><f>A3*2</f><v /></c><c r="B4"><f>A4*2</f></c>'
    prefixed = b'<x:c r="B5"><x:f>A5*2</x:f></x:c>'
    assert len(FORMULA_WITHOUT_VALUE.findall(computed_empty + never + prefixed)) == 3
    assert FORMULA_WITHOUT_VALUE.findall(computed_empty) == []


def test_a_workbook_in_the_1904_date_system_keeps_its_dates(tmp_path):
    """A workbook saved in the 1904 date system counts its day serials from 1904-01-01:
    read as the 1900 system, 2024-03-01 loaded as 2020-02-29."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    spec = {**REQUESTS, "files": {"folder": "crm", "pattern": "*.xlsx", "format": "xlsx"}}
    folder = tmp_path / "landing" / "crm"
    folder.mkdir(parents=True)
    book = openpyxl.Workbook()
    book.epoch = CALENDAR_MAC_1904
    book.active.append(["request_id", "created_at"])
    book.active.append(["SR-1", dt.datetime(2024, 3, 1, 14, 30)])
    book.save(folder / "mac.xlsx")
    conn, [result] = run(tmp_path, spec)
    assert result.rows_loaded == 1
    assert conn.execute("SELECT created_at FROM raw.crm_requests").fetchall() == [
        (dt.datetime(2024, 3, 1, 14, 30),)
    ]


@pytest.mark.parametrize("epoch", ["1900", "1904"])
def test_a_workbooks_text_columns_load_as_the_sheet_shows_them(tmp_path, epoch):
    """Read as text, a number cell gives its number: an id typed as 000123 into a cell
    formatted 000000 loaded as "123", a date in a text column as Excel's day number.
    The contract's text columns (and new ones) take what the sheet shows; typed columns
    still read the stored number (a date column its date)."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    spec = {**REQUESTS, "files": {"folder": "crm", "pattern": "*.xlsx", "format": "xlsx"}}
    folder = tmp_path / "landing" / "crm"
    folder.mkdir(parents=True)
    book = openpyxl.Workbook()
    if epoch == "1904":
        book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    sheet.append(["request_id", "created_at", "Caller", "Reference"])
    rows = [
        (123, dt.datetime(2024, 3, 1, 14, 30), dt.datetime(2024, 3, 5, 9, 15, 30), 42),
        (7, dt.datetime(2024, 3, 2), dt.date(2024, 3, 6), "007"),
        ("SR-3", dt.datetime(2024, 3, 3), dt.time(17, 45), -5),
        (1234567, dt.datetime(2024, 3, 4), "plain text", 12),
        # text and a boolean in formatted cells: as they are; a time to its nearest second
        ("123", dt.datetime(2024, 3, 5), dt.time(0, 0, 0, 600000), True),
    ]
    formats = [
        ("000000", "yyyy-mm-dd hh:mm", "m/d/yyyy h:mm:ss", "General"),
        ("000000", "yyyy-mm-dd", "d-mmm-yy", "@"),
        ("General", "yyyy-mm-dd", "h:mm AM/PM", "000"),
        ("000000", "yyyy-mm-dd", "General", "[h]:mm"),
        ("000000", "yyyy-mm-dd", 'h:mm":"ss', "yyyy-mm-dd"),
    ]
    for values, codes in zip(rows, formats, strict=True):
        sheet.append(values)
        for cell, code in zip(sheet[sheet.max_row], codes, strict=True):
            cell.number_format = code
    book.save(folder / "formats.xlsx")
    conn, [result] = run(tmp_path, spec)
    assert result.rows_loaded == 5, result
    assert conn.execute(
        "SELECT request_id, created_at, caller_name, reference FROM raw.crm_requests "
        "ORDER BY _source_row"
    ).fetchall() == [
        ("000123", dt.datetime(2024, 3, 1, 14, 30), "2024-03-05 09:15:30", "42"),
        ("000007", dt.datetime(2024, 3, 2), "2024-03-06", "007"),
        ("SR-3", dt.datetime(2024, 3, 3), "17:45:00", "-5"),  # (a negative: as stored)
        ("1234567", dt.datetime(2024, 3, 4), "plain text", "12"),  # (longer; a duration)
        ("123", dt.datetime(2024, 3, 5), "00:00:01", "1"),
    ]


def test_cells_merged_down_a_column_take_the_value_the_sheet_shows_beside_them(tmp_path):
    """A ward merged over three rows shows beside each of them, but only its first cell
    holds it: the other rows loaded without a ward, in silence. Merged down a column,
    each row takes the value; merged across columns, the value stays the first's (the
    others are other fields), and the file's note says both."""
    spec = {
        **REQUESTS,
        "files": {"folder": "crm", "pattern": "*.xlsx", "format": "xlsx", "header_row": 2},
    }
    folder = tmp_path / "landing" / "crm"
    folder.mkdir(parents=True)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["City of Riverton - requests"])
    sheet.append(["request_id", "created_at", "Caller", "Ward"])
    sheet.append(["SR-1", dt.datetime(2024, 3, 1), "Ann", "Ward 3"])
    sheet.append(["SR-2", dt.datetime(2024, 3, 2), None, None])
    sheet.append(["SR-3", None, "Bo", None])
    sheet.append(["SR-4", dt.datetime(2024, 3, 4), "a note over two", None])
    sheet.append([None, None, None, "Ward 4"])  # a row holding only a merged cell's value:
    sheet.append(["SR-5", dt.datetime(2024, 3, 5), "Cy", None])  # quarantined (no id)
    for cells in ("A1:D1", "D3:D5", "B4:B5", "C6:D6", "D7:D8"):  # (a title above too)
        sheet.merge_cells(cells)
    book.save(folder / "merged.xlsx")
    conn, [result] = run(tmp_path, spec)
    assert (result.status, result.rows_loaded, result.rows_quarantined) == ("loaded", 5, 1)
    assert conn.execute(
        "SELECT request_id, created_at, caller_name, ward FROM raw.crm_requests "
        "ORDER BY _source_row"
    ).fetchall() == [
        ("SR-1", dt.datetime(2024, 3, 1), "Ann", "Ward 3"),
        ("SR-2", dt.datetime(2024, 3, 2), None, "Ward 3"),
        ("SR-3", dt.datetime(2024, 3, 2), "Bo", "Ward 3"),
        ("SR-4", dt.datetime(2024, 3, 4), "a note over two", None),
        ("SR-5", dt.datetime(2024, 3, 5), "Cy", "Ward 4"),
    ]
    assert "4 cell(s) of 3 range(s) merged down a column" in result.reason
    assert "merged across columns (e.g. C6:D6)" in result.reason


def test_a_merged_cell_gives_each_row_what_the_sheet_shows(tmp_path):
    """The value shown over a merged range is its first cell's, formatted: a date and a
    zero-padded id merged down (their other cells unstyled, as openpyxl writes them) give
    each row the date and the padded id, not the stored numbers; a block merged across
    and down gives its rows the first column's value."""
    spec = {**REQUESTS, "files": {"folder": "crm", "pattern": "*.xlsx", "format": "xlsx"}}
    folder = tmp_path / "landing" / "crm"
    folder.mkdir(parents=True)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["request_id", "created_at", "Caller", "Reference", "Note"])
    sheet.append(["SR-1", dt.datetime(2024, 3, 1), dt.date(2024, 3, 9), 123, "a note"])
    sheet.append(["SR-2", dt.datetime(2024, 3, 2), None, None, None])
    sheet.append(["SR-3", dt.datetime(2024, 3, 3), None, None, None])
    sheet["C2"].number_format, sheet["D2"].number_format = "yyyy-mm-dd", "000000"
    for cells in ("C2:C4", "D2:D4", "E2:F3"):  # (E2:F3: across and down)
        sheet.merge_cells(cells)
    book.save(folder / "merged.xlsx")
    conn, [result] = run(tmp_path, spec)
    assert (result.status, result.rows_loaded) == ("loaded", 3), result
    assert conn.execute(
        "SELECT caller_name, reference, note FROM raw.crm_requests ORDER BY _source_row"
    ).fetchall() == [
        ("2024-03-09", "000123", "a note"),
        ("2024-03-09", "000123", "a note"),
        ("2024-03-09", "000123", None),
    ]


def test_the_sheet_read_is_the_contracts_or_the_one_visible(tmp_path):
    """DuckDB read a workbook's first sheet, hidden or not, and ignored the others: a
    hidden lookup sheet loaded instead of the data, a second year's sheet was never
    counted. Without a `sheet` in the contract the one visible sheet is read, and a
    workbook of several visible sheets is refused, naming them."""
    spec = {**REQUESTS, "files": {"folder": "crm", "pattern": "*.xlsx", "format": "xlsx"}}
    folder = tmp_path / "landing" / "crm"
    folder.mkdir(parents=True)
    book = openpyxl.Workbook()
    lookup = book.active
    lookup.title = "lookup"
    lookup.append(["request_id", "created_at"])
    lookup.append(["CODE", "meaning"])
    lookup.sheet_state = "hidden"
    data = book.create_sheet("Data")
    data.append(["request_id", "created_at"])
    data.append(["SR-1", "2024-01-01"])
    book.create_sheet("Sheet3")  # an empty sheet, as old default workbooks have, counts not
    book.active = 1
    book.save(folder / "hidden_first.xlsx")
    conn, [result] = run(tmp_path, spec)
    assert (result.status, result.rows_loaded) == ("loaded", 1)
    assert conn.execute("SELECT request_id FROM raw.crm_requests").fetchall() == [("SR-1",)]
    conn.close()
    second = book.create_sheet("2025")
    second.append(["request_id", "created_at"])
    second.append(["SR-2", "2025-01-01"])
    book.save(folder / "two_years.xlsx")
    conn, results = run(tmp_path, spec)
    [result] = [r for r in results if r.file_name == "two_years.xlsx"]
    assert result.status == "quarantined"
    assert "2 sheets (Data, 2025)" in result.reason and "`sheet`" in result.reason


def test_a_header_past_column_zz_is_read(tmp_path):
    """The header's width was looked for up to column ZZ: the 703rd column on was lost."""
    spec = {**REQUESTS, "files": {"folder": "crm", "pattern": "*.xlsx", "format": "xlsx"}}
    folder = tmp_path / "landing" / "crm"
    folder.mkdir(parents=True)
    book = openpyxl.Workbook()
    book.active.append(["request_id", "created_at", *[f"c{i}" for i in range(3, 710)]])
    book.active.append(["SR-1", "2024-01-01", *[str(i) for i in range(3, 710)]])
    book.save(folder / "wide.xlsx")
    conn, [result] = run(tmp_path, spec)
    assert result.rows_loaded == 1
    assert conn.execute("SELECT c709 FROM raw.crm_requests").fetchall() == [("709",)]


def test_a_column_named_later_is_read_in_its_workbooks_date_system(tmp_path):
    """A date loaded as drift text from a workbook of the 1904 date system, then named by
    the contract: it is read from 1904-01-01 as its load would have (the ledger keeps
    the workbook's date system), beside one from a 1900 workbook."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    spec = {**REQUESTS, "files": {"folder": "crm", "pattern": "*.xlsx", "format": "xlsx"}}
    folder = tmp_path / "landing" / "crm"
    folder.mkdir(parents=True)
    for name, epoch in (("mac.xlsx", CALENDAR_MAC_1904), ("pc.xlsx", None)):
        book = openpyxl.Workbook()
        if epoch is not None:
            book.epoch = epoch
        book.active.append(["request_id", "created_at", "closed_on"])
        book.active.append([f"SR-{name}", dt.datetime(2024, 3, 1), dt.datetime(2024, 3, 9)])
        book.save(folder / name)
    conn, results = run(tmp_path, spec)
    assert [r.encoding for r in results] == ["xlsx (1904 date system)", "xlsx"]
    conn.close()
    conn, _ = run(tmp_path, {**spec, "columns": [*REQUESTS["columns"], CLOSED_ON]})
    assert conn.execute("SELECT DISTINCT closed_on FROM raw.crm_requests").fetchall() == [
        (dt.date(2024, 3, 9),)
    ]


def test_excel_report_with_title_rows_and_a_total_row(tmp_path):
    spec = {
        **REQUESTS,
        "files": {
            "folder": "crm",
            "pattern": "*.xlsx",
            "format": "xlsx",
            "sheet": "Permits",
            "header_row": 3,
        },
        "drop_rows": [
            {"rule": "total_row", "reason": "report total", "where": "lower(request_id) = 'total'"}
        ],
    }
    (tmp_path / "landing" / "crm").mkdir(parents=True)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Permits"
    sheet.append(["City of Riverton - report"])
    sheet.append([])
    sheet.append(["SR Number", "Created Date", "fee"])
    sheet.append(["SR-1", dt.datetime(2024, 3, 5, 12, 0), 12.5])
    sheet.append(["SR-2", dt.date(2024, 3, 6), "$1,000.00"])
    sheet.append(["Total", None, 1012.5])
    book.save(tmp_path / "landing" / "crm" / "report.xlsx")
    conn, [result] = run(tmp_path, spec)
    assert (result.rows_read, result.rows_loaded, result.rows_dropped) == (3, 2, 1)
    assert conn.execute(
        "SELECT request_id, created_at, fee FROM raw.crm_requests ORDER BY 1"
    ).fetchall() == [
        ("SR-1", dt.datetime(2024, 3, 5, 12, 0), Decimal("12.50")),
        ("SR-2", dt.datetime(2024, 3, 6), Decimal("1000.00")),
    ]


def test_json_lines_with_mixed_types(tmp_path):
    spec = {**REQUESTS, "files": {"folder": "crm", "pattern": "*.jsonl", "format": "jsonl"}}
    (tmp_path / "landing" / "crm").mkdir(parents=True)
    (tmp_path / "landing" / "crm" / "p.jsonl").write_text(
        '{"request_id": "P-1", "created_at": "2024-01-03T15:22:01Z", "fee": 12.5}\n'
        '{"request_id": "P-2", "created_at": "2024-01-03T15:22:01Z", "fee": "75.00"}\n'
    )
    conn, [result] = run(tmp_path, spec)
    assert result.rows_loaded == 2
    assert conn.execute("SELECT sum(fee) FROM raw.crm_requests").fetchone()[0] == Decimal("87.50")


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_json_numbers_are_read_as_written_not_as_a_double_renders_them(tmp_path, fmt):
    """DuckDB reads a JSON number with a fraction or an exponent as a double: 4.10 came
    out as "4.1" (a by-law section is no number), 1E3 as "1000.0", and
    0.1000000000000000055511151231257827 as "0.1", which a money column then loaded as
    $0.10 where the value it was sent holds more than cents (quarantined, as the same
    text in a CSV is). Each is read as the file writes it; text and values that merely
    look like numbers are left alone."""
    spec = {
        **REQUESTS,
        "files": {"folder": "crm", "pattern": f"*.{fmt}", "format": fmt},
        "columns": [
            *REQUESTS["columns"],
            {"name": "section", "type": "varchar", "classification": "public", "description": "s"},
            {"name": "note", "type": "varchar", "classification": "public", "description": "n"},
        ],
    }
    (tmp_path / "landing" / "crm").mkdir(parents=True)
    records = [
        '{"request_id": "P-1", "created_at": "2024-01-03", "fee": 12.50, "section": 4.10}',
        '{"request_id": "P-2", "created_at": "2024-01-04", '
        '"fee": 0.1000000000000000055511151231257827}',
        '{"request_id": "P-3", "created_at": "2024-01-05", "section": 1E3, "note": "a: 1.50, b"}',
        '{"request_id": "P-4", "created_at": "2024-01-06", "fee": 7.25, '
        '"section": 12345678901234567890}',
        '{"request_id": "P-5", "created_at": "2024-01-07", "section": -0.50e-2, '
        '"note": {"x": 1.10}}',
    ]
    text = "\n".join(records) + "\n" if fmt == "jsonl" else "[" + ",\n".join(records) + "]"
    (tmp_path / "landing" / "crm" / f"p.{fmt}").write_text(text)
    conn, [result] = run(tmp_path, spec)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (5, 4, 1), result
    assert conn.execute(
        "SELECT request_id, fee, section, note FROM raw.crm_requests ORDER BY 1"
    ).fetchall() == [
        ("P-1", Decimal("12.50"), "4.10", None),
        ("P-3", None, "1E3", "a: 1.50, b"),
        ("P-4", Decimal("7.25"), "12345678901234567890", None),
        # (a nested value is JSON text: its numbers are JSON's, as DuckDB writes them)
        ("P-5", None, "-0.50e-2", '{"x":1.1}'),
    ]
    [(row, rule, raw)] = conn.execute(
        "SELECT source_row, rule, raw_value FROM raw._quarantined_rows"
    ).fetchall()
    assert row == 2 and "0.1000000000000000055511151231257827" in raw, (rule, raw)


def test_json_numbers_as_written_under_any_key_and_never_from_elsewhere(tmp_path):
    """Keys with spaces, brackets, quotes, accents and escapes find their own numbers; a
    key of the same name in a nested object, or a string holding a number, never gives
    its text (such a record is parsed whole); small and negative-zero numbers too."""
    from dagster_project.lib.ingest.json_reader import read_json_rows

    path = tmp_path / "odd.jsonl"
    lines = [
        r'{"Fee (CAD)": 2.50, "montant_\u00e9": 3.10, "say \"hi\"": 1e2}',
        r'{"inner": {"amount": 9.90}, "amount": 9.9000, "label": "4.10"}',
        r'{"amount": "7.50", "other": [{"amount": 7.50}]}',
        r'{"inner": {"amount": 5}, "amount": 6.10}',
        r'{"amount": 0.1000000000000000055511151231257827, "meta": {"amount": 0.10}}',
        r'{"x\"amount": 1.10, "amount": 0.00001, "label": -0}',
        r'{"montant_é": 0.50, "am\u006funt": 2.20}',
        r'{"inner": {"amount": 9.90}, "amount": 9.9}',
        r'{"am\u006funt": "4.1", "m": {"amount": 4.10}}',
        r'{"Fee (CAD)": 2.50, "montant_é": 3.10}',  # (each key once, no escape: no Python)
        r'{"inner": {"amount": 9.90}, "label": "x"}',  # (a nested field is not the record's)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    conn = connect()
    read_json_rows(conn, path, "jsonl", "t")
    rows = conn.execute(
        'SELECT "Fee (CAD)", "montant_é", "say ""hi""", amount, label FROM t ORDER BY _source_row'
    ).fetchall()
    assert rows == [
        ("2.50", "3.10", "1e2", None, None),
        (None, None, None, "9.9000", "4.10"),
        (None, None, None, "7.50", None),  # a string: as it was
        (None, None, None, "6.10", None),
        (None, None, None, "0.1000000000000000055511151231257827", None),
        (None, None, None, "0.00001", "-0"),
        (None, "0.50", None, "2.20", None),
        (None, None, None, "9.9", None),  # the nested 9.90 is not the record's
        (None, None, None, "4.1", None),  # nor is it under the key's other spelling
        ("2.50", "3.10", None, None, None),
        (None, None, None, None, "x"),
    ]


def test_json_lines_whose_records_hold_different_keys(tmp_path):
    """Every key of every record becomes a column, whichever line holds it; a line that is
    not an object is rejected under its own line number, blank lines are no records."""
    spec = {**REQUESTS, "files": {"folder": "crm", "pattern": "*.jsonl", "format": "jsonl"}}
    (tmp_path / "landing" / "crm").mkdir(parents=True)
    (tmp_path / "landing" / "crm" / "p.jsonl").write_text(
        '{"request_id": "P-1", "created_at": "2024-01-03"}\n'
        "\n"
        ' \t{"request_id": "P-2", "created_at": "2024-01-04", "fee": "5.00"}\n'
        '{"request_id": "P-3", "created_at": "2024-01-05", "caller": "x"\n'
        '{"fee": "7.00", "created_at": "2024-01-06", "request_id": "P-4"}\n'
    )
    conn, [result] = run(tmp_path, spec)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (4, 3, 1)
    assert conn.execute(
        "SELECT request_id, fee, _source_row FROM raw.crm_requests ORDER BY 1"
    ).fetchall() == [("P-1", None, 1), ("P-2", Decimal("5.00"), 3), ("P-4", Decimal("7.00"), 5)]
    assert conn.execute("SELECT source_row FROM raw._quarantined_rows").fetchall() == [(4,)]


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_a_record_naming_a_key_twice_is_quarantined_whole(tmp_path, fmt):
    """{"fee": "5.00", "fee": "7.00"}: DuckDB reads the first and drops the other in
    silence; which the system meant is not guessed. The record is quarantined whole,
    under its own number, and the other records load."""
    spec = {**REQUESTS, "files": {"folder": "crm", "pattern": f"*.{fmt}", "format": fmt}}
    (tmp_path / "landing" / "crm").mkdir(parents=True)
    records = [
        '{"request_id": "P-1", "created_at": "2024-01-03", "fee": "1.00"}',
        '{"request_id": "P-2", "created_at": "2024-01-04", "fee": "5.00", "fee": "7.00"}',
        '{"request_id": "P-3", "created_at": "2024-01-05", "fee": "3.00"}',
    ]
    text = "\n".join(records) + "\n" if fmt == "jsonl" else "[" + ",\n".join(records) + "]"
    (tmp_path / "landing" / "crm" / f"p.{fmt}").write_text(text)
    conn, [result] = run(tmp_path, spec)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (3, 2, 1), result
    assert conn.execute("SELECT request_id FROM raw.crm_requests ORDER BY 1").fetchall() == [
        ("P-1",),
        ("P-3",),
    ]
    [(row, rule, raw)] = conn.execute(
        "SELECT source_row, rule, raw_value FROM raw._quarantined_rows"
    ).fetchall()
    assert (row, rule) == (2, "row: a key appears twice in the record (which of its values is "
                               "meant is not guessed)")  # fmt: skip
    assert '"7.00"' in raw


def test_a_file_whose_every_record_names_a_key_twice_is_refused_saying_so(tmp_path):
    spec = {**REQUESTS, "files": {"folder": "crm", "pattern": "*.jsonl", "format": "jsonl"}}
    (tmp_path / "landing" / "crm").mkdir(parents=True)
    (tmp_path / "landing" / "crm" / "p.jsonl").write_text(
        '{"request_id": "P-1", "created_at": "2024-01-03", "request_id": "P-9"}\n'
        '{"request_id": "P-2", "created_at": "2024-01-04", "created_at": "2024-01-05"}\n'
    )
    _, [result] = run(tmp_path, spec)
    assert result.status == "quarantined"
    assert result.reason.startswith("each of its 2 records names a key twice"), result.reason


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_a_key_that_is_empty_loads_as_a_column_of_its_own(tmp_path, fmt):
    """{"": "x"}: DuckDB cannot name a field "" (the whole file failed); its values are
    kept under a column of their own, like any key the contract does not name."""
    spec = {**REQUESTS, "files": {"folder": "crm", "pattern": f"*.{fmt}", "format": fmt}}
    (tmp_path / "landing" / "crm").mkdir(parents=True)
    records = [
        '{"request_id": "P-1", "created_at": "2024-01-03", "": "x"}',
        '{"request_id": "P-2", "created_at": "2024-01-04", "fee": 2.50}',  # (read again)
    ]
    text = "\n".join(records) + "\n" if fmt == "jsonl" else "[" + ",".join(records) + "]"
    (tmp_path / "landing" / "crm" / f"p.{fmt}").write_text(text)
    conn, [result] = run(tmp_path, spec)
    assert (result.status, result.rows_loaded) == ("loaded", 2), result
    assert conn.execute(
        "SELECT request_id, empty_key, fee FROM raw.crm_requests ORDER BY 1"
    ).fetchall() == [("P-1", "x", None), ("P-2", None, Decimal("2.50"))]


@pytest.mark.parametrize(
    "encoding, newline",
    [
        ("utf-16", "\r\n"),  # Windows tools: UTF-16LE with a BOM
        ("utf-8-sig", "\r\n"),  # Excel's "CSV UTF-8": a BOM
        ("utf-8", "\r"),  # classic Mac line ends
        ("cp1252", "\n"),
    ],
)
def test_encodings_and_line_endings(landing, encoding, newline):
    text = newline.join(
        ["SR Number,Created Date,Caller", "SR-1,2024-01-02,Renée", "SR-2,2024-01-03,Zoë", ""]
    )
    (landing / "landing" / "crm" / "a.csv").write_bytes(text.encode(encoding))
    conn, [result] = run(landing)
    assert (result.status, result.rows_loaded) == ("loaded", 2), result
    assert conn.execute("SELECT caller_name FROM raw.crm_requests ORDER BY 1").fetchall() == [
        ("Renée",),
        ("Zoë",),
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("$75.00 ", "75.00"),
        ("(8.02)", "-8.02"),
        ("1,381.12", "1381.12"),
        ("-3", "-3.00"),
        ("$ 1,000", "1000.00"),
    ],
)
def test_money_formats(landing, text, expected):
    write(landing, "a.csv", f'request_id,created_at,fee\nSR-1,2024-01-01,"{text}"\n')
    conn, [result] = run(landing)
    assert result.rows_loaded == 1
    assert str(conn.execute("SELECT fee FROM raw.crm_requests").fetchone()[0]) == expected


@pytest.mark.parametrize(
    "kind, text",
    [
        ("money", "12,50"),  # a decimal comma: was read as 1250.00
        ("money", "1 234,56"),  # was 123456.00
        ("money", "1.5e-3"),  # was 0.00
        ("money", "TRUE"),  # was 1.00
        ("integer", "2.5"),  # was 3
        ("integer", "0x3"),  # was 3
        ("integer", "1_0"),  # was 10
        ("integer", "1.5e0"),  # was 2
        ("integer", "2147483647.0000001"),  # past a double's digits: was 2147483647
        ("money", "1,234 567"),  # two kinds of thousands groups
        ("money", "0,125"),  # a decimal comma ("0," is no thousands group): was 125.00
        ("money", "012,500"),  # ... nor a group that starts with 0
        ("double", "1_0"),  # was 10.0
        ("double", "inf"),
        ("double", "1e400"),  # past a double's range: was inf
        ("double", "1e-400"),  # was 0.0
        ("boolean", "maybe"),
        ("boolean", "2"),
        ("date", "2024-03-01 garbage"),  # was 2024-03-01
        ("timestamp", "2024-03-01 10:00:00 garbage"),
    ],
)
def test_a_value_a_cast_would_change_is_quarantined_not_loaded(landing, kind, text):
    """DuckDB's casts read each of these as some value (rounded, reinterpreted, cut);
    the contract's typing refuses them, so the row is quarantined with its value."""
    columns = [*REQUESTS["columns"], {"name": "amount", "type": kind, "classification": "public",
                                      "description": "a"}]  # fmt: skip
    write(landing, "a.csv", f'request_id,created_at,amount\nSR-1,2024-01-01,"{text}"\n')
    conn, [result] = run(landing, {**REQUESTS, "columns": columns})
    assert (result.rows_loaded, result.rows_quarantined) == (0, 1), result
    assert conn.execute(
        "SELECT column_name, rule, raw_value FROM raw._quarantined_rows"
    ).fetchall() == [("amount", f"type: not a valid {kind}", text)]


def test_comma_groups_are_not_guessed_where_decimals_are_written_with_a_comma(landing):
    """ "1,250" is 1250.00 in a file that writes decimals with a point; where decimals
    are written with a comma (a ";" file, or another value of the column: "12,50") it
    may be 1.25, and is quarantined; a contract that says its thousands are grouped
    with commas loads it. "1,250.00" (a point too) is never ambiguous."""
    spec = {**REQUESTS, "files": {**REQUESTS["files"], "delimiter": ";"}}
    write(landing, "a.csv", "request_id;created_at;fee\nSR-1;2024-01-01;1,250\n"
          "SR-2;2024-01-02;1,250.00\nSR-3;2024-01-03;7\n")  # fmt: skip
    conn, [result] = run(landing, spec)
    assert (result.rows_loaded, result.rows_quarantined) == (2, 1)
    assert conn.execute("SELECT source_row, rule FROM raw._quarantined_rows").fetchall() == [
        (1, "number: a comma between groups of three digits where decimals are written with "
         "a comma (1,250: twelve hundred and fifty, or 1.25?): not guessed")
    ]  # fmt: skip
    conn.close()
    grouped = {**spec, "files": {**spec["files"], "thousands_separator": ","}}
    again = landing / "again"
    (again / "landing" / "crm").mkdir(parents=True)
    write(again, "a.csv", "request_id;created_at;fee\nSR-1;2024-01-01;1,250\n")
    conn, [result] = run(again, grouped)
    assert conn.execute("SELECT fee FROM raw.crm_requests").fetchall() == [(Decimal("1250.00"),)]
    # a comma file: 1,250 beside a decimal comma in the same column
    other = landing / "other"
    (other / "landing" / "crm").mkdir(parents=True)
    write(other, "a.csv", 'request_id,created_at,fee\nSR-1,2024-01-01,"1,250"\n'
          'SR-2,2024-01-02,"12,50"\nSR-3,2024-01-03,"2,500.00"\n')  # fmt: skip
    conn, [result] = run(other)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 2)


@pytest.mark.parametrize(
    "kind, text, expected",
    [
        ("integer", "3.0", "3"),  # a workbook's whole number
        ("integer", "-4", "-4"),
        ("integer", "+4", "4"),  # not as the cast writes it back: read the careful way
        ("integer", "007", "7"),
        ("integer", "-0", "0"),
        ("integer", "1e3", "1000"),  # the same number
        ("boolean", "TRUE", "True"),  # any case
        ("boolean", "Yes", "True"),
        ("boolean", "f", "False"),
        ("boolean", "0", "False"),
        ("double", "1.5e-3", "0.0015"),
        ("double", ".5", "0.5"),
        ("money", "$ 1 000.50", "1000.50"),
        ("money", "($8.02)", "-8.02"),
        ("date", "2024/03/01", "2024-03-01"),
        ("date", "2024-03-01 14:35:00", "2024-03-01"),
    ],
)
def test_the_numbers_and_dates_the_contract_means_still_load(landing, kind, text, expected):
    columns = [*REQUESTS["columns"], {"name": "amount", "type": kind, "classification": "public",
                                      "description": "a"}]  # fmt: skip
    write(landing, "a.csv", f'request_id,created_at,amount\nSR-1,2024-01-01,"{text}"\n')
    conn, [result] = run(landing, {**REQUESTS, "columns": columns})
    assert result.rows_loaded == 1, result
    assert str(conn.execute("SELECT amount FROM raw.crm_requests").fetchone()[0]) == expected


def test_dot_groups_in_a_file_of_decimal_commas_are_not_guessed(landing):
    """A ;-delimited export writes "1.234,56" (quarantined: no amount) and "1.500": read
    as 1.50 where the file means fifteen hundred. In a column with a decimal comma
    elsewhere, dot-grouped numbers are quarantined; without one, "12.5" is 12.50."""
    spec = {**REQUESTS, "files": {**REQUESTS["files"], "delimiter": ";"}}
    write(
        landing,
        "a.csv",
        "request_id;created_at;fee\nSR-1;2024-01-01;1.500\nSR-2;2024-01-01;1.234,56\n"
        "SR-3;2024-01-01;12.5\n",
    )
    conn, [result] = run(landing, spec)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 2)
    assert (
        conn.execute("SELECT source_row, rule FROM raw._quarantined_rows ORDER BY 1")
        .fetchall()[0][1]
        .startswith("number: dots between groups of three digits")
    )


def test_null_sentinels_and_whitespace(landing):
    write(
        landing,
        "a.csv",
        "request_id,created_at,fee,Caller\n"
        "SR-1,2024-01-01,N/A,  \nSR-2,2024-01-01,-,\u00a0Ann\u00a0\n",
    )
    conn, [result] = run(landing)
    assert result.rows_loaded == 2
    assert conn.execute(
        "SELECT fee, caller_name FROM raw.crm_requests ORDER BY request_id"
    ).fetchall() == [(None, None), (None, "Ann")]


def test_truncated_files_are_quarantined_not_half_loaded(tmp_path):
    spec = {**REQUESTS, "files": {"folder": "crm", "pattern": "*.xlsx", "format": "xlsx"}}
    folder = tmp_path / "landing" / "crm"
    folder.mkdir(parents=True)
    book = openpyxl.Workbook()
    book.active.append(["request_id", "created_at"])
    book.active.append(["SR-1", "2024-01-01"])
    book.save(folder / "full.xlsx")
    content = (folder / "full.xlsx").read_bytes()
    (folder / "full.xlsx").unlink()
    (folder / "cut.xlsx").write_bytes(content[: len(content) // 2])
    conn, [result] = run(tmp_path, spec)
    assert result.status == "quarantined"
    assert "not a readable Excel workbook" in result.reason
    assert conn.execute(
        "SELECT count(*) FROM raw._ingest_files WHERE status = 'quarantined'"
    ).fetchone() == (1,)


def test_csv_report_with_title_lines_above_the_header(landing):
    spec = {**REQUESTS, "files": {**REQUESTS["files"], "header_row": 3}}
    write(
        landing,
        "a.csv",
        "Service requests report\nPrinted 2026-01-02\nSR Number,Created Date\nSR-1,2024-01-01\n",
    )
    conn, [result] = run(landing, spec)
    assert (result.status, result.rows_loaded) == ("loaded", 1)


def test_a_title_line_with_a_quoted_line_break_is_refused_not_misread(landing):
    """A title in quotes with a line break, above the header: Python skipped lines,
    DuckDB records, and the first data row was lost in silence."""
    spec = {**REQUESTS, "files": {**REQUESTS["files"], "header_row": 3}}
    write(
        landing,
        "a.csv",
        '"Report, with\nnewline"\nrequest_id,created_at\nSR-1,2024-01-01\nSR-2,2024-01-02\n',
    )
    conn, [result] = run(landing, spec)
    assert result.status == "quarantined" and "above the header" in result.reason


def test_json_array_file(tmp_path):
    spec = {**REQUESTS, "files": {"folder": "crm", "pattern": "*.json", "format": "json"}}
    (tmp_path / "landing" / "crm").mkdir(parents=True)
    (tmp_path / "landing" / "crm" / "export.json").write_text(
        '[{"request_id": "J-1", "created_at": "2024-01-01"},\n'
        ' {"request_id": "J-2", "created_at": "bad"}]'
    )
    conn, [result] = run(tmp_path, spec)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (2, 1, 1)


def test_a_time_past_the_microsecond_loads_to_it_and_says_so(landing):
    """SQL Server and .NET write seven digits of fraction: the seventh was cut without a
    word. The row loads (to the microsecond) and the value is flagged; zeros past the
    sixth digit change nothing and are not."""
    write(landing, "a.csv", "request_id,created_at\nSR-1,2024-01-01T10:00:00.1234567\n"
          "SR-2,2024-01-01T10:00:00.1234560\nSR-3,2024-01-01T10:00:00\n")  # fmt: skip
    conn, [result] = run(landing)
    assert result.rows_loaded == 3
    assert conn.execute(
        "SELECT source_row, rule FROM raw._flagged_values"
    ).fetchall() == [(1, "time: more precise than a microsecond; loaded to the microsecond "
                      "(the digits after the sixth dropped)")]  # fmt: skip
    assert str(conn.execute(
        "SELECT created_at FROM raw.crm_requests WHERE request_id = 'SR-1'"
    ).fetchone()[0]) == "2024-01-01 10:00:00.123456"  # fmt: skip
    # a workbook's times are day serials (45292.41666666666): no time past the microsecond
    spec = {**REQUESTS, "files": {"folder": "crm", "pattern": "*.xlsx", "format": "xlsx"}}
    book = openpyxl.Workbook()
    book.active.append(["request_id", "created_at"])
    book.active.append(["SR-4", dt.datetime(2024, 1, 1, 10, 0, 0)])
    book.save(landing / "landing" / "crm" / "b.xlsx")
    conn.close()
    conn, [result] = run(landing, spec)
    assert (result.rows_loaded, conn.execute("SELECT count(*) FROM raw._flagged_values "
            "WHERE file_name = 'b.xlsx'").fetchone()[0]) == (1, 0)  # fmt: skip


def test_a_json_file_that_is_not_an_array_says_what_it_is(tmp_path):
    """One object wrapping the records ({"records": [...]}, an API's answer) is refused
    naming its keys (DuckDB's words were masked to "first character is '…'"); objects
    one after the other are JSON Lines, read so with a note."""
    spec = {**REQUESTS, "files": {"folder": "crm", "pattern": "*.json", "format": "json"}}
    folder = tmp_path / "landing" / "crm"
    folder.mkdir(parents=True)
    (folder / "a.json").write_text('{"records": [{"request_id": "J-1"}], "count": 1}')
    (folder / "b.json").write_text(
        '{"request_id": "J-2", "created_at": "2024-01-01"}\n'
        '{"request_id": "J-3", "created_at": "2024-01-02"}\n'
    )
    # a record alone, and objects one per line with a broken one: JSON Lines, the
    # broken line set aside (not the whole file refused as "one object")
    (folder / "c.json").write_text('{"request_id": "J-4", "created_at": "2024-01-04"}\n')
    (folder / "d.json").write_text(
        '{"request_id": "J-5", "created_at": "2024-01-05"}\n{"request_id": \n'
    )
    conn, results = run(tmp_path, spec)
    assert [(r.file_name, r.status, r.rows_loaded, r.rows_quarantined) for r in results] == [
        ("a.json", "quarantined", 0, 0), ("b.json", "loaded", 2, 0),
        ("c.json", "loaded", 1, 0), ("d.json", "loaded", 1, 1),
    ]  # fmt: skip
    assert "one JSON object, not an array of records: its key 'records' holds a list " in (
        results[0].reason
    )


@pytest.mark.parametrize(
    "newline, encoding",
    [("\n", "utf-8"), ("\r\n", "utf-8"), ("\r\n", "utf-16"), ("\n", "cp1252")],
)
def test_empty_lines_do_not_shift_row_numbers_when_a_row_is_malformed(landing, newline, encoding):
    """A malformed row sends the file down the careful read, which numbered a rejected
    record counting empty lines and the other rows not counting them: "bad" was
    quarantined as row 2, SR-3's number. Empty lines are no rows on either read; an
    empty line inside a quoted value stays in it."""
    lines = [
        "request_id,created_at,Caller",
        "",
        'SR-1,2024-01-01,"Zoë' + newline + newline + 'Renée"',
        "",
        "",
        "SR-2,not a date,extra,fields",
        "SR-3,bad,x",
        "SR-4,2024-01-04,y",
        "",
    ]
    write(landing, "a.csv", newline.join(lines), encoding=encoding)
    conn, [result] = run(landing)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (4, 2, 2)
    assert conn.execute(
        "SELECT source_row, rule LIKE 'row: more fields%', raw_value FROM raw._quarantined_rows "
        "ORDER BY 1"
    ).fetchall() == [(2, True, "SR-2,not a date,extra,fields"), (3, False, "bad")]
    assert conn.execute(
        "SELECT request_id, _source_row, caller_name FROM raw.crm_requests ORDER BY 2"
    ).fetchall() == [("SR-1", 1, f"Zoë{newline}{newline}Renée"), ("SR-4", 4, "y")]


ONE_COLUMN = {**REQUESTS, "columns": [c for c in REQUESTS["columns"] if c["name"] == "request_id"]}


@pytest.mark.parametrize(
    "spec, text, malformed",
    [
        (REQUESTS, "request_id,created_at\nSR-1,2024-01-01\n\n\nSR-2,2024-01-02\n", "SR-X,1,2,3\n"),
        # one column: an empty line is a row with no value on both reads
        (ONE_COLUMN, 'request_id\nSR-1\n\nSR-2\n"SR-3\n\nx"\nSR-4\n', "SR-X,1,2\n"),
        # lines ended by CR alone (old Mac exports)
        (REQUESTS, "request_id,created_at\rSR-1,2024-01-01\r\rSR-2,2024-01-02\r", "SR-X,1,2,3\r"),
        # a header with a quoted line break
        (REQUESTS, 'request_id,"created\n_at",Caller\nSR-1,2024-01-01,"a\n\nb"\n\n'
                   "SR-2,2024-01-02,y\n", "SR-X,1,2,3,4\n"),
    ],
)  # fmt: skip
def test_the_careful_read_numbers_rows_as_the_fast_read_does(tmp_path, spec, text, malformed):
    """The same rows keep their numbers when a malformed row far away sends the file down
    the careful read."""
    numbers = []
    for name, body in (("fast", text), ("careful", text + malformed)):
        folder = tmp_path / name
        (folder / "landing" / "crm").mkdir(parents=True)
        write(folder, "a.csv", body)
        conn, [result] = run(folder, spec)
        assert result.status == "loaded", result
        numbers.append(
            conn.execute(
                "SELECT request_id, _source_row FROM raw.crm_requests ORDER BY 2"
            ).fetchall()
            + conn.execute(
                "SELECT raw_value, source_row FROM raw._quarantined_rows "
                "WHERE raw_value IS DISTINCT FROM ? ORDER BY 2",
                [malformed.strip()],
            ).fetchall()
        )
    assert numbers[0] == numbers[1]


def test_an_empty_line_inside_a_stray_quote_is_no_row(landing):
    """A stray quote runs over several lines: each line is quarantined as a row, but an
    empty line among them is no row (later rows kept their numbers)."""
    write(
        landing,
        "a.csv",
        'request_id,created_at,Caller\nSR-1,2024-01-01,x\nSR-2,2024-01-02,"a\n'
        'SR-3,2024-01-03,x\n\nSR-4,2024-01-04,c"d\nSR-5,2024-01-05,x\n',
    )
    conn, [result] = run(landing)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (5, 2, 3)
    assert conn.execute(
        "SELECT request_id, _source_row FROM raw.crm_requests ORDER BY 2"
    ).fetchall() == [("SR-1", 1), ("SR-5", 5)]


def test_row_numbers_survive_dropped_rows(landing):
    spec = {
        **REQUESTS,
        "drop_rows": [
            {"rule": "subtotal", "reason": "report subtotal", "where": "request_id = 'Subtotal'"}
        ],
    }
    write(
        landing,
        "a.csv",
        "request_id,created_at\nSR-1,2024-01-01\nSubtotal,\nSR-3,not a date\nSR-4,2024-01-04\n",
    )
    conn, [result] = run(landing, spec)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined, result.rows_dropped) == (
        4,
        2,
        1,
        1,
    )
    assert conn.execute("SELECT source_row FROM raw._quarantined_rows").fetchall() == [(3,)]
    assert conn.execute("SELECT source_row, rule FROM raw._dropped_rows").fetchall() == [
        (2, "subtotal")
    ]
    # the record as received under the contract's names, none of staging's own columns
    # (typed values, whether a time stated its offset)
    (record,) = conn.execute("SELECT record FROM raw._dropped_rows").fetchone()
    assert json.loads(record) == {"request_id": "Subtotal", "created_at": None}
    assert conn.execute(
        "SELECT request_id, _source_row FROM raw.crm_requests ORDER BY 2"
    ).fetchall() == [("SR-1", 1), ("SR-4", 4)]


def test_two_exports_joined_into_one_file_lose_no_row_and_keep_no_header(landing):
    """`cat` of two exports: the second one's byte-order mark and header row land among
    the records (the header of another vintage here: "SR Number" for "request_id").
    The header row is dropped by a named rule and kept; the mark does not stay in the
    first value of the next line; every record loads."""
    first = "request_id,created_at,Caller\nSR-1,2024-01-01,Ann\n"
    second = "\ufeffSR Number,Created Date,CALLER\nSR-2,2024-01-02,Bob\n"
    # (the second's header without its last name: an empty cell is no record's either)
    second = second.replace(",CALLER\n", ",\n", 1)
    write(landing, "joined.csv", first + second + "\ufeffSR-3,2024-01-03,Cy\n")
    conn, [result] = run(landing)
    counts = (result.rows_read, result.rows_loaded, result.rows_quarantined, result.rows_dropped)
    assert counts == (4, 3, 0, 1)
    assert conn.execute(
        "SELECT source_row, rule, reason LIKE '%header row again%' FROM raw._dropped_rows"
    ).fetchall() == [(2, "repeated_header", True)]
    assert conn.execute(
        "SELECT request_id, caller_name FROM raw.crm_requests ORDER BY 1"
    ).fetchall() == [("SR-1", "Ann"), ("SR-2", "Bob"), ("SR-3", "Cy")]


@pytest.mark.parametrize(
    "row",
    [
        "request_id,2024-01-01,Ann",  # one value is its header, the others are not empty
        "SR-9,created_at,Ann",  # the first column is a record's
        "request_id,,",  # one header value alone in a file of three columns
    ],
)
def test_a_record_that_only_resembles_a_header_is_not_dropped(landing, row):
    write(landing, "a.csv", f"request_id,created_at,Caller\nSR-1,2024-01-01,Ann\n{row}\n")
    conn, [result] = run(landing)
    assert result.rows_dropped == 0
    assert result.rows_read == result.rows_loaded + result.rows_quarantined == 2


def test_a_nul_character_pads_or_quarantines_never_loads(landing):
    """A NUL inside a value loaded as is, and the portal's DataStore (PostgreSQL)
    refused the whole dataset. NULs ending a value are a fixed-length field's padding
    (trimmed, as spaces are); one inside a text quarantines its row, saying so; in a
    typed value the cast refuses it."""
    write(
        landing,
        "a.csv",
        "request_id,created_at,Caller\nSR-1,2024-01-01,An\x00n\n"
        "SR-2,2024-01-02\x00,Bob\x00\x00\x00\nSR-3,2024-01\x00-03,Cy\nSR-4,2024-01-04,Di\n",
    )
    conn, [result] = run(landing)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (4, 2, 2)
    assert conn.execute(
        "SELECT request_id, caller_name FROM raw.crm_requests ORDER BY 1"
    ).fetchall() == [("SR-2", "Bob"), ("SR-4", "Di")]
    assert conn.execute(
        "SELECT source_row, column_name, rule LIKE '%NUL character%', raw_value "
        "FROM raw._quarantined_rows ORDER BY 1"
    ).fetchall() == [
        (1, "caller_name", True, "An\\0n"),
        (3, "created_at", False, "2024-01\x00-03"),
    ]


def test_a_nul_escaped_in_json_is_found_too(tmp_path):
    spec = {**REQUESTS, "files": {"folder": "crm", "pattern": "*.jsonl", "format": "jsonl"}}
    (tmp_path / "landing" / "crm").mkdir(parents=True)
    (tmp_path / "landing" / "crm" / "a.jsonl").write_text(
        '{"request_id": "J-1", "created_at": "2024-01-01", "Caller": "A\\u0000n"}\n'
        '{"request_id": "J-2", "created_at": "2024-01-02", "Caller": "Bo"}\n'
    )
    conn, [result] = run(tmp_path, spec)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (2, 1, 1)


def test_a_platform_out_of_memory_stops_the_run_and_quarantines_nothing(landing):
    """Memory or disk failing is the platform's fault, not the department's: the run
    stops with a clear error, the file stays in the landing folder for the next run."""
    from dagster_project.lib.ingest.errors import PlatformFault

    lines = ["request_id,created_at,ward,caller_name"]
    lines += [f"SR-{n},2026-01-0{1 + n % 9},Ward {1 + n % 15},Caller {n}" for n in range(60_000)]
    path = write(landing, "big.csv", "\n".join(lines) + "\n")
    conn = connect(landing / "wh.duckdb")
    conn.execute("SET memory_limit = '1MB'")
    with pytest.raises(PlatformFault, match="big.csv: the platform could not load it"):
        ingest_source(
            conn, source_from_spec(REQUESTS, Path("crm.yml")), landing / "landing",
            landing / "quarantine",
        )  # fmt: skip
    assert path.exists()
    assert not (landing / "quarantine" / "crm" / "big.csv").exists()
    conn.execute("SET memory_limit = '1GB'")
    [result] = ingest_source(
        conn, source_from_spec(REQUESTS, Path("crm.yml")), landing / "landing",
        landing / "quarantine",
    )  # fmt: skip
    assert result.status == "loaded"  # the next run, with memory, loads it


def test_cp1252_characters_above_latin1_survive_both_read_paths(landing, tmp_path, monkeypatch):
    """cp1252 is read as latin-1 and its 0x80-0x9F characters translated back: the euro
    sign and typographic quotes must come out as themselves, on the fast path and on the
    careful one (a malformed row forces it)."""
    # the transcoded copies go to a temp folder of this test's (another test worker's
    # ingest makes its own in the system's)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    name = "Ren\u00e9e \u2019O\u2019Brien \u20ac\u0160"
    text = f"SR Number,Created Date,Caller\nSR-1,2024-01-02,{name}\n"
    write(landing, "fast.csv", text, encoding="cp1252")
    write(
        landing,
        "careful.csv",
        text.replace("SR-1", "SR-2") + "SR-3,2024-01-02,a,b\n",
        encoding="cp1252",
    )
    conn, results = run(landing)
    assert {r.file_name: r.encoding for r in results} == {
        "careful.csv": "cp1252",
        "fast.csv": "cp1252",
    }
    assert [r.rows_quarantined for r in sorted(results, key=lambda r: r.file_name)] == [1, 0]
    names = conn.execute(
        "SELECT request_id, caller_name FROM raw.crm_requests ORDER BY request_id"
    ).fetchall()
    assert names == [
        ("SR-1", "Ren\u00e9e \u2019O\u2019Brien \u20ac\u0160"),
        ("SR-2", "Ren\u00e9e \u2019O\u2019Brien \u20ac\u0160"),
    ]
    conn.close()
    assert not list(scratch.glob("ingest-*.utf8.csv"))  # copies removed


def _workbook_with_rows(path: Path, data_rows: int) -> None:
    """A minimal .xlsx written directly (openpyxl takes minutes for a million rows): a
    header and ``data_rows`` rows of a request id."""
    import zipfile

    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.'
        'openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/><Override PartName='
        '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
        '"http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.'
        'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name='
        '"Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://'
        'schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in parts.items():
            book.writestr(name, text)
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr">'
                b"<is><t>request_id</t></is></c></row>"
            )
            for start in range(2, data_rows + 2, 100_000):
                stop = min(start + 100_000, data_rows + 2)
                sheet.write(
                    "".join(
                        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(start, stop)
                    ).encode()
                )
            sheet.write(b"</sheetData></worksheet>")


def test_a_sheet_filled_to_the_worksheet_limit_is_refused_not_truncated(tmp_path):
    """A sheet whose last row is the worksheet's last (1,048,576) was likely cut off at
    export: the file is quarantined with a reason, none of its rows loaded. One row
    fewer loads in full."""
    from dagster_project.lib.ingest.readers import WORKSHEET_ROWS

    spec = {
        **REQUESTS,
        "files": {"folder": "crm", "pattern": "*.xlsx", "format": "xlsx"},
        "columns": [{**REQUESTS["columns"][0]}],
    }
    folder = tmp_path / "landing" / "crm"
    folder.mkdir(parents=True)
    _workbook_with_rows(folder / "a_full.xlsx", WORKSHEET_ROWS - 1)  # + header = the limit
    _workbook_with_rows(folder / "b_fits.xlsx", WORKSHEET_ROWS - 2)
    conn, results = run(tmp_path, spec)
    full, fits = results
    assert full.status == "quarantined" and "the sheet is full" in full.reason
    assert list((tmp_path / "quarantine").rglob("a_full.xlsx"))  # kept, with its reason
    assert (fits.status, fits.rows_loaded) == ("loaded", WORKSHEET_ROWS - 2)
    assert conn.execute("SELECT count(*) FROM raw.crm_requests").fetchone() == (WORKSHEET_ROWS - 2,)
    conn.close()


def test_a_value_of_line_breaks_and_tabs_only_is_empty(landing):
    """Trimming takes tabs and line breaks too: a cell holding only CR/LF is null, and a
    required column holding one is quarantined, not loaded as a non-null value."""
    write(
        landing,
        "a.csv",
        'request_id,created_at,Caller\nSR-1,2024-01-01,"\r\n"\nSR-2,2024-01-01,"\tAnn \r\n"\n'
        '"\r\n",2024-01-01,Bob\n',
    )
    conn, [result] = run(landing)
    assert (result.rows_loaded, result.rows_quarantined) == (2, 1)
    assert conn.execute(
        "SELECT request_id, caller_name FROM raw.crm_requests ORDER BY request_id"
    ).fetchall() == [("SR-1", None), ("SR-2", "Ann")]


def test_an_amount_is_never_rounded_in_silence(landing):
    """Money keeps two decimals unless the contract's ``scale`` says more: 1123.913418
    is quarantined (it would become 1123.91), 12.340 is 12.34; with scale 6 both load
    exactly."""
    write(landing, "a.csv", "request_id,created_at,fee\nSR-1,2024-01-01,1123.913418\n"
          "SR-2,2024-01-01,12.340\n")  # fmt: skip
    conn, [result] = run(landing)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    assert conn.execute("SELECT rule, raw_value FROM raw._quarantined_rows").fetchone() == (
        "money: more than 2 decimals; loading it would round it (the contract's scale: "
        "says how many the source keeps)",
        "1123.913418",
    )
    conn.close()
    columns = [{**c, "scale": 6} if c["name"] == "fee" else c for c in REQUESTS["columns"]]
    other = landing / "six"
    (other / "landing" / "crm").mkdir(parents=True)
    write(other, "a.csv", "request_id,created_at,fee\nSR-1,2024-01-01,1123.913418\n")
    conn, [result] = run(other, {**REQUESTS, "columns": columns})
    assert result.rows_loaded == 1
    assert str(conn.execute("SELECT fee FROM raw.crm_requests").fetchone()[0]) == "1123.913418"


def created_at_as(**changes) -> list[dict]:
    """The contract's columns with ``created_at`` changed (its type, zone, formats)."""
    return [{**c, **changes} if c["name"] == "created_at" else c for c in REQUESTS["columns"]]


def test_timestamptz_keeps_the_instant_a_value_states(landing):
    """A ``timestamptz`` column keeps the instant: "+0000", "Z" and "-05:00" are honoured,
    a time without an offset is a wall-clock time in the column's zone."""
    columns = created_at_as(type="timestamptz", timezone="America/Toronto", formats=[])
    write(
        landing,
        "a.csv",
        "request_id,created_at\nSR-1,2024-07-01T14:00:00+0000\nSR-2,2024-07-01T14:00:00Z\n"
        "SR-3,2024-07-01T10:00:00-05:00\nSR-4,2024-07-01 10:00:00\n",
    )
    conn, [result] = run(landing, {**REQUESTS, "columns": columns})
    assert result.rows_loaded == 4
    conn.execute("SET TimeZone = 'UTC'")
    instants = conn.execute(
        "SELECT request_id, CAST(created_at AS VARCHAR) FROM raw.crm_requests ORDER BY 1"
    ).fetchall()
    assert instants == [
        ("SR-1", "2024-07-01 14:00:00+00"),
        ("SR-2", "2024-07-01 14:00:00+00"),
        ("SR-3", "2024-07-01 15:00:00+00"),
        ("SR-4", "2024-07-01 14:00:00+00"),  # 10:00 in Toronto (EDT)
    ]


def test_timestamptz_reads_an_offset_or_zone_in_the_contracts_own_format(landing):
    """A contract format with %z or %Z reads an instant, kept as stated: "-0500" in a
    day-first format is not refused for not being ISO, and "UTC" is not taken for a
    Toronto wall-clock time (which would move it by 4 or 5 hours in silence)."""
    formats = ["%d/%m/%Y %H:%M %z", "%d/%m/%Y %H:%M %Z", "%d/%m/%Y %H:%M"]
    columns = created_at_as(type="timestamptz", timezone="America/Toronto", formats=formats)
    write(
        landing,
        "a.csv",
        "request_id,created_at\nSR-1,01/07/2024 10:00 -0500\nSR-2,01/07/2024 14:00 UTC\n"
        "SR-3,01/07/2024 10:00\nSR-4,2024-07-01T14:00:00Z\n",
    )
    conn, [result] = run(landing, {**REQUESTS, "columns": columns})
    assert (result.rows_loaded, result.rows_quarantined) == (4, 0)
    conn.execute("SET TimeZone = 'UTC'")
    assert conn.execute(
        "SELECT request_id, CAST(created_at AS VARCHAR) FROM raw.crm_requests ORDER BY 1"
    ).fetchall() == [
        ("SR-1", "2024-07-01 15:00:00+00"),
        ("SR-2", "2024-07-01 14:00:00+00"),
        ("SR-3", "2024-07-01 14:00:00+00"),  # 10:00 in Toronto (EDT)
        ("SR-4", "2024-07-01 14:00:00+00"),
    ]


def _created_at_loaded(folder: Path, kind: str, body: str, formats: list[str]):
    """Load ``body`` with created_at typed ``kind`` in Toronto's zone: the file's result
    and the values loaded, as text in UTC, in request order."""
    (folder / "landing" / "crm").mkdir(parents=True)
    write(folder, "a.csv", body)
    typed = created_at_as(type=kind, timezone="America/Toronto", formats=formats)
    conn, [result] = run(folder, {**REQUESTS, "columns": typed})
    conn.execute("SET TimeZone = 'UTC'")
    loaded = conn.execute(
        "SELECT list(CAST(created_at AS VARCHAR) ORDER BY request_id) FROM raw.crm_requests"
    ).fetchone()[0]
    conn.close()
    return result, loaded


@pytest.mark.parametrize(
    "text",
    ["2024-03-01 10:00:00 -0500", "2024-03-01T10:00:00z", "2024-03-01 10:00 EST",
     "2024-03-01 23:59:60"],
)  # fmt: skip
def test_a_date_column_reads_the_date_before_a_time_the_casts_do_not(landing, text):
    """An export's time after the date in forms DuckDB's casts refuse (an offset after a
    space, a lower-case z, a zone's letters, a leap second): the date as written."""
    result, loaded = _created_at_loaded(landing / "d", "date", f"request_id,created_at\n"
                                        f"SR-1,{text}\n", formats=[])  # fmt: skip
    assert (result.rows_loaded, loaded) == (1, ["2024-03-01"])


def test_an_offset_or_zone_the_cast_understands_is_honoured_in_every_column(landing):
    """ " UTC", "+05:00:00" and a zone name state the instant: a timestamptz keeps it, a
    timestamp (wall clock) shows it in the column's zone. The cast to TIMESTAMP dropped
    them (10:00 UTC loaded as 10:00 in Toronto)."""
    body = (
        "request_id,created_at\nSR-1,2024-03-01 10:00:00 UTC\nSR-2,2024-03-01T10:00:00+05:00:00\n"
        "SR-3,2024-03-01 10:00:00 America/Vancouver\nSR-4,2024-03-02T03:00:00Z\n"
        "SR-5,2024-03-02T00:00:00Z\n"
    )
    for kind, expected in (
        ("timestamptz", ["2024-03-01 10:00:00+00", "2024-03-01 05:00:00+00",
                         "2024-03-01 18:00:00+00", "2024-03-02 03:00:00+00",
                         "2024-03-02 00:00:00+00"]),
        ("timestamp", ["2024-03-01 05:00:00", "2024-03-01 00:00:00", "2024-03-01 13:00:00",
                       "2024-03-01 22:00:00", "2024-03-01 19:00:00"]),
        # a date column: an instant's date in Toronto, but a date written as midnight
        # UTC is that day (not the evening before in Toronto)
        ("date", ["2024-03-01", "2024-03-01", "2024-03-01", "2024-03-01", "2024-03-02"]),
    ):  # fmt: skip
        result, loaded = _created_at_loaded(landing / kind, kind, body, formats=[])
        assert (result.rows_loaded, result.rows_quarantined, loaded) == (5, 0, expected), kind


def test_a_date_column_of_a_city_contract_takes_the_citys_date_of_an_instant(tmp_path):
    """A date column of a contract loaded with the city's zone: an instant stated with
    its offset is dated in the city (the zone was given to timestamp columns only, and
    "2024-03-01T20:00:00-05:00" was dated March 2nd, UTC's)."""
    spec = {**REQUESTS, "columns": created_at_as(type="date", formats=[])}
    source = source_from_spec(spec, Path("crm.yml"), timezone="America/Toronto")
    folder = tmp_path / "landing" / "crm"
    folder.mkdir(parents=True)
    (folder / "a.csv").write_text(
        "request_id,created_at\nSR-1,2024-03-01T20:00:00-05:00\nSR-2,2024-03-01 23:30:00 -05:00\n"
    )
    conn = connect(tmp_path / "wh.duckdb")
    [result] = ingest_source(conn, source, tmp_path / "landing", tmp_path / "quarantine")
    assert result.rows_loaded == 2
    assert conn.execute("SELECT DISTINCT created_at FROM raw.crm_requests").fetchall() == [
        (dt.date(2024, 3, 1),)
    ]


def test_zone_abbreviations_are_north_americas_or_not_read(landing):
    """DuckDB read "BST" as Dhaka's zone, "AST" as Alaska's, "NST" as Auckland's: the
    instants were hours off. North American abbreviations are their offsets; another
    one names zones that differ and its value is quarantined; an offset after a space
    ("10:00:00 -0500", refused before) is read."""
    body = (
        "request_id,created_at\nSR-1,2024-01-15 10:00:00 AST\nSR-2,2024-01-15 10:00:00 NST\n"
        "SR-3,2024-01-15 10:00:00 CST\nSR-4,2024-07-15 10:00:00 EDT\n"
        "SR-5,2024-03-01 10:00:00 -0500\nSR-6,2024-06-01 10:00:00 BST\n"
    )
    result, loaded = _created_at_loaded(landing / "z", "timestamptz", body, formats=[])
    assert (result.rows_loaded, result.rows_quarantined) == (5, 1)
    assert loaded == [
        "2024-01-15 14:00:00+00", "2024-01-15 13:30:00+00", "2024-01-15 16:00:00+00",
        "2024-07-15 14:00:00+00", "2024-03-01 15:00:00+00",
    ]  # fmt: skip


def test_zone_letters_read_by_a_contract_format_are_north_americas_too(landing):
    body = (
        "request_id,created_at\nSR-1,Jan 15 2024 10:00 AM AST\nSR-2,Jan 15 2024 10:00 AM UTC\n"
        "SR-3,Jan 15 2024 10:00 AM BST\n"
    )
    result, loaded = _created_at_loaded(
        landing / "f", "timestamptz", body, formats=["%b %d %Y %I:%M %p %Z"]
    )
    assert (result.rows_loaded, result.rows_quarantined) == (2, 1)
    assert loaded == ["2024-01-15 14:00:00+00", "2024-01-15 10:00:00+00"]


def test_a_date_column_takes_a_time_without_offset_as_written(landing):
    """ "2024-03-01 02:30:00" states no offset: its date is March 1st (cast as an instant
    in the session's zone, it was February 29th in Toronto)."""
    body = "request_id,created_at\nSR-1,2024-03-01 02:30:00\nSR-2,2024-03-01 23:59\n"
    result, loaded = _created_at_loaded(landing / "d", "date", body, formats=[])
    assert loaded == ["2024-03-01", "2024-03-01"]


def test_a_date_two_formats_read_differently_is_flagged(landing):
    """A contract listing "%m/%d/%Y" and "%d/%m/%Y" read 03/04/2024 as March 4th without a
    word (and 13/04/2024 as April 13th): the first format still reads it, flagged."""
    columns = created_at_as(type="date", formats=["%m/%d/%Y", "%d/%m/%Y"])
    write(landing, "a.csv", "request_id,created_at\nSR-1,03/04/2024\nSR-2,13/04/2024\n"
          "SR-3,04/04/2024\n")  # fmt: skip
    conn, [result] = run(landing, {**REQUESTS, "columns": columns})
    assert result.rows_loaded == 3
    assert conn.execute(
        "SELECT source_row, rule LIKE 'date: two of the contract%' FROM raw._flagged_values"
    ).fetchall() == [(1, True)]


def test_a_local_time_the_clocks_skip_is_quarantined(landing):
    """02:30 on 2024-03-10 never happened in Toronto (the clocks went from 02:00 to 03:00):
    DuckDB read it as 03:30 in silence; the contract refuses it. 01:30 on 2024-11-03
    happened twice and loads (as standard time, DuckDB's reading), flagged."""
    columns = created_at_as(type="timestamptz", timezone="America/Toronto", formats=[])
    write(
        landing,
        "a.csv",
        "request_id,created_at\nSR-1,2024-03-10 02:30:00\nSR-2,2024-03-10 03:30:00\n"
        "SR-3,2024-11-03 01:30:00\n",
    )
    conn, [result] = run(landing, {**REQUESTS, "columns": columns})
    assert (result.rows_loaded, result.rows_quarantined) == (2, 1), result
    assert conn.execute("SELECT source_row, raw_value FROM raw._quarantined_rows").fetchall() == [
        (1, "2024-03-10 02:30:00")
    ]
    # the time that happened twice loads, flagged (the choice of standard time not silent)
    assert conn.execute("SELECT source_row, rule FROM raw._flagged_values").fetchall() == [
        (3, "time: happened twice in America/Toronto (the clocks went back); read as "
            "standard time")
    ]  # fmt: skip


def test_a_date_alone_is_no_offset_in_a_column_of_the_citys_zone(landing):
    """ "2024-07-01" ends like an offset ("-01") but states none: in a timestamp or
    timestamptz column of Toronto's zone it is midnight in Toronto (it was read as
    midnight UTC: 20:00 the day before), and "01-07-2024" is read by the contract's
    day-first format (it was refused as an unreadable instant)."""
    body = "request_id,created_at\nSR-1,2024-07-01\nSR-2,01-07-2024\nSR-3,2024-07-01T14:00:00Z\n"
    for kind, expected in (
        ("timestamp", ["2024-07-01 00:00:00", "2024-07-01 00:00:00", "2024-07-01 10:00:00"]),
        ("timestamptz", ["2024-07-01 04:00:00+00", "2024-07-01 04:00:00+00",
                         "2024-07-01 14:00:00+00"]),
    ):  # fmt: skip
        result, loaded = _created_at_loaded(landing / kind, kind, body, formats=["%d-%m-%Y"])
        assert (result.rows_loaded, result.rows_quarantined, loaded) == (3, 0, expected), kind


def test_a_source_without_a_key_reports_rows_repeated_whole(landing):
    """No primary key: nothing is refused, and rows repeated whole within a file are
    reported (by the row's hash) like a repeated key."""
    write(
        landing,
        "a.csv",
        "request_id,created_at,Caller\nSR-1,2024-01-01,Ann\nSR-1,2024-01-01,Ann\n"
        "SR-1,2024-01-01,Bob\n",
    )
    conn, [result] = run(landing, {**REQUESTS, "primary_key": []})
    assert (result.rows_loaded, result.keys_repeated) == (3, 1)
    assert conn.execute("SELECT source_rows FROM raw._key_conflicts").fetchone() == ([1, 2],)


def test_a_primary_key_that_is_not_a_column_is_refused(tmp_path):
    import shutil

    from dagster_project.lib.dictionary import DictionaryError, load_dictionary
    from dagster_project.settings import DICTIONARY_DIR

    copy = tmp_path / "dd"
    shutil.copytree(DICTIONARY_DIR, copy)
    path = copy / "sources" / "payments.yml"
    path.write_text(path.read_text().replace("primary_key: [payment_id]", "primary_key: [pay_id]"))
    with pytest.raises(DictionaryError, match="'pay_id' is not one of the contract's columns"):
        load_dictionary(copy)


def test_the_contract_can_quarantine_repeated_keys(landing):
    """``repeated_keys: quarantine``: every row of a key repeated in the file goes to the
    quarantine with its record; the other rows load."""
    write(
        landing,
        "a.csv",
        "request_id,created_at,Caller\nSR-1,2024-01-01,Ann\nSR-2,2024-01-01,Bob\n"
        "SR-1,2024-01-02,Ann B.\n",
    )
    conn, [result] = run(landing, {**REQUESTS, "repeated_keys": "quarantine"})
    assert (result.rows_loaded, result.rows_quarantined) == (1, 2)
    assert conn.execute(
        "SELECT source_row, rule, record->>'caller_name' FROM raw._quarantined_rows ORDER BY 1"
    ).fetchall() == [
        (1, "key: repeated in this file (the contract quarantines repeated keys)", "Ann"),
        (3, "key: repeated in this file (the contract quarantines repeated keys)", "Ann B."),
    ]
    assert conn.execute("SELECT request_id FROM raw.crm_requests").fetchall() == [("SR-2",)]


# A closed time beside REQUESTS' created time, for the rules between the two
CLOSED_AT = {"name": "closed_at", "type": "timestamp", "classification": "public",
             "description": "closed", "formats": []}  # fmt: skip


def _closed_after_created(action: str) -> dict:
    """The 311 contract with a closed time and the rule "not closed before it was
    created", doing ``action`` with a row that breaks it."""
    columns = [*REQUESTS["columns"], CLOSED_AT]
    rule = {
        "rule": "closed_before_created",
        "reason": "a request is closed after it is created",
        "column": "closed_at",
        "not_before": "created_at",
        "action": action,
    }
    return {**REQUESTS, "columns": columns, "row_rules": [rule]}


@pytest.mark.parametrize(
    ("action", "loaded", "quarantined", "flagged", "closed_of_sr1"),
    [
        ("quarantine", 1, 1, 0, None),
        ("flag", 2, 0, 1, dt.datetime(2024, 1, 1, 9, 0)),
        ("null", 2, 0, 1, None),
    ],
)
def test_a_rule_between_two_columns_does_what_the_contract_says(
    landing, action, loaded, quarantined, flagged, closed_of_sr1
):
    """ "Not closed before it was created": quarantine the row, flag it (loaded as is), or
    load the closed time empty (the original listed with the flags)."""
    write(
        landing,
        "a.csv",
        "request_id,created_at,closed_at\nSR-1,2024-01-02T10:00:00,2024-01-01T09:00:00\n"
        "SR-2,2024-01-02T10:00:00,2024-01-03T09:00:00\n",
    )
    conn, [result] = run(landing, _closed_after_created(action))
    assert (result.rows_loaded, result.rows_quarantined, result.values_flagged) == (
        loaded,
        quarantined,
        flagged,
    )
    if loaded == 2:
        assert conn.execute(
            "SELECT closed_at FROM raw.crm_requests WHERE request_id = 'SR-1'"
        ).fetchone() == (closed_of_sr1,)
        assert conn.execute("SELECT raw_value FROM raw._flagged_values").fetchone() == (
            "2024-01-01T09:00:00",
        )


@pytest.mark.parametrize("action", ["quarantine", "flag", "null"])
def test_a_file_without_a_rules_column_loads_and_the_rule_checks_the_files_with_it(landing, action):
    """An older vintage lacks the column a row rule compares (the RMS began to send it
    later): its rows cannot break the rule and load; the newer file is checked."""
    write(landing, "a.csv", "request_id,created_at\nSR-1,2024-01-02T10:00:00\n")
    write(
        landing,
        "b.csv",
        "request_id,created_at,closed_at\nSR-2,2024-01-02T10:00:00,2024-01-01T09:00:00\n",
    )
    conn, results = run(landing, _closed_after_created(action))
    old, new = sorted(results, key=lambda r: r.file_name)
    assert (old.status, old.rows_loaded, old.rows_quarantined, old.values_flagged) == (
        "loaded",
        1,
        0,
        0,
    )
    broken = (0, 1, 0) if action == "quarantine" else (1, 0, 1)
    assert (new.rows_loaded, new.rows_quarantined, new.values_flagged) == broken


def test_value_rules_fold_map_and_report_what_the_contract_does_not_accept(landing):
    """CANCEL, Cancel; and cancel become one label through case folding and a value map;
    a trailing separator is stripped; a value outside accepted_values is flagged (loaded)
    or quarantined, as on_invalid says; a pattern is checked in full."""
    columns = [
        *REQUESTS["columns"],
        {"name": "status", "type": "varchar", "classification": "public",
         "description": "status", "strip_trailing": ";", "case": "upper",
         "value_map": {"CANCEL": "Cancelled", "CANC": "Cancelled", "OPEN": "Open"},
         "accepted_values": ["Open", "Cancelled"]},
        {"name": "ward", "type": "varchar", "classification": "public",
         "description": "ward", "pattern": "[0-9]{1,2}", "on_invalid": "quarantine"},
    ]  # fmt: skip
    write(
        landing,
        "a.csv",
        "request_id,created_at,status,ward\nSR-1,2024-01-01,CANCEL,1\n"
        "SR-2,2024-01-01,Cancel;,2\nSR-3,2024-01-01,canc,3\nSR-4,2024-01-01,open;,4\n"
        "SR-5,2024-01-01,Reopened,5\nSR-6,2024-01-01,open,Ward 6\n",
    )
    conn, [result] = run(landing, {**REQUESTS, "columns": columns})
    assert (result.rows_loaded, result.rows_quarantined, result.values_flagged) == (5, 1, 1)
    assert conn.execute(
        "SELECT request_id, status FROM raw.crm_requests ORDER BY 1"
    ).fetchall() == [
        ("SR-1", "Cancelled"),
        ("SR-2", "Cancelled"),
        ("SR-3", "Cancelled"),
        ("SR-4", "Open"),
        ("SR-5", "REOPENED"),  # loaded (flagged): not in the map, not accepted
    ]
    assert conn.execute("SELECT rule, raw_value FROM raw._flagged_values").fetchone() == (
        "value: not one of Open, Cancelled",
        "REOPENED",
    )
    assert conn.execute("SELECT rule, raw_value FROM raw._quarantined_rows").fetchone() == (
        "value: not the form [0-9]{1,2}",
        "Ward 6",
    )


def test_drop_rules_without_sql(landing):
    """The declarative drop rules: a column equal to one of some values (any case), or a
    set of columns all empty."""
    spec = {
        **REQUESTS,
        "drop_rows": [
            {"rule": "totals", "reason": "report totals", "column": "request_id",
             "equals": ["total", "grand total"]},
            {"rule": "trailer", "reason": "the report's end line counts its rows",
             "column": "request_id", "starts_with": ["end of report"]},
            {"rule": "spacers", "reason": "blank lines of the report (after the trailer: "
             "rules apply in order)", "all_empty": ["created_at", "caller_name"]},
        ],
    }  # fmt: skip
    write(
        landing,
        "a.csv",
        "request_id,created_at,Caller\nSR-1,2024-01-01,Ann\nTOTAL,,\nGrand Total,2,\nSR-2,,\n"
        "End of Report (4 rows),,\n",
    )
    conn, [result] = run(landing, spec)
    assert (result.rows_loaded, result.rows_dropped, result.rows_quarantined) == (1, 4, 0)
    assert conn.execute("SELECT source_row, rule FROM raw._dropped_rows ORDER BY 1").fetchall() == [
        (2, "totals"),
        (3, "totals"),
        (4, "spacers"),
        (5, "trailer"),
    ]


def test_a_fixed_width_file_is_cut_by_the_contract_positions(landing):
    """A legacy system's fixed-width report (cp1252, a title line): columns cut by their
    start and width, padded values trimmed, a short line's missing field empty, a blank
    line no record, and each row numbered as its line."""
    spec = {
        **REQUESTS,
        "files": {"folder": "crm", "pattern": "*.txt", "format": "fixed_width",
                  "encodings": ["utf-8", "cp1252"], "header_row": 2},
        "columns": [
            {**REQUESTS["columns"][0], "start": 1, "width": 8},
            {**REQUESTS["columns"][1], "start": 9, "width": 19, "formats": []},
            {"name": "caller_name", "type": "varchar", "classification": "personal",
             "description": "who", "start": 28, "width": 12},
        ],
    }  # fmt: skip
    text = (
        "PARKING TICKETS REPORT 2026-01-02\n"
        "T-1     2026-01-02T10:00:00Renée Côté  \n"
        "\n"
        "T-2     2026-01-02T11:30:00\n"
        "T-3     not a time         Bob\n"
    )
    write(landing, "tickets.txt", text, encoding="cp1252")
    conn, [result] = run(landing, spec)
    assert (result.encoding, result.rows_loaded, result.rows_quarantined) == ("cp1252", 2, 1)
    assert conn.execute(
        "SELECT request_id, created_at, caller_name, _source_row FROM raw.crm_requests ORDER BY 1"
    ).fetchall() == [
        ("T-1", dt.datetime(2026, 1, 2, 10, 0), "Renée Côté", 1),
        ("T-2", dt.datetime(2026, 1, 2, 11, 30), None, 3),
    ]
    assert conn.execute("SELECT source_row FROM raw._quarantined_rows").fetchall() == [(4,)]


def test_a_fixed_width_line_holding_a_control_character_is_read_whole(landing):
    """The lines were read with the unit separator as the field separator, and DuckDB
    dropped what followed one: a line holding it lost its last fields in silence. Now
    the separator is a character the file does not hold; NULs padding a field are
    trimmed as spaces are."""
    spec = {
        **REQUESTS,
        "files": {"folder": "crm", "pattern": "*.txt", "format": "fixed_width"},
        "columns": [
            {**REQUESTS["columns"][0], "start": 1, "width": 8},
            {**REQUESTS["columns"][1], "start": 9, "width": 10, "formats": []},
            {"name": "caller_name", "type": "varchar", "classification": "personal",
             "description": "who", "start": 19, "width": 6},
        ],
    }  # fmt: skip
    text = "T-1\x1f    2026-01-02Ann\x00\x00\x00\nT-2\x1e\x1d\x1c  2026-01-03Bob   \n"
    write(landing, "tickets.txt", text)
    conn, [result] = run(landing, spec)
    assert (result.rows_loaded, result.rows_quarantined) == (2, 0)
    assert conn.execute(
        "SELECT created_at, caller_name FROM raw.crm_requests ORDER BY _source_row"
    ).fetchall() == [(dt.datetime(2026, 1, 2), "Ann"), (dt.datetime(2026, 1, 3), "Bob")]


def test_text_after_a_fixed_width_layout_is_kept_and_reported(landing):
    """Text past the last column of the layout (a field the system added) was dropped in
    silence: it loads as a column of its own, reported as one the contract does not list."""
    spec = {
        **REQUESTS,
        "files": {"folder": "crm", "pattern": "*.txt", "format": "fixed_width"},
        "columns": [
            {**REQUESTS["columns"][0], "start": 1, "width": 8},
            {**REQUESTS["columns"][1], "start": 9, "width": 10, "formats": []},
        ],
    }
    write(landing, "t.txt", "T-1     2026-01-02 W3 NEWFIELD\nT-2     2026-01-03\n")
    conn, [result] = run(landing, spec)
    assert result.rows_loaded == 2
    assert result.unlisted_columns == ["text_after_the_last_column"]
    assert conn.execute(
        "SELECT text_after_the_last_column FROM raw.crm_requests ORDER BY request_id"
    ).fetchall() == [("W3 NEWFIELD",), (None,)]


def test_projected_coordinates_arrive_as_longitude_and_latitude(landing):
    """An extract in MTM zone 10 (EPSG:2952, Toronto's): longitude and latitude in WGS84
    are added at ingest; an empty point gets none; the original columns stay."""
    columns = [
        *REQUESTS["columns"],
        {"name": "easting", "type": "double", "classification": "public", "description": "x"},
        {"name": "northing", "type": "double", "classification": "public", "description": "y"},
        {"name": "longitude", "type": "double", "classification": "public", "description": "lon"},
        {"name": "latitude", "type": "double", "classification": "public", "description": "lat"},
    ]
    spec = {
        **REQUESTS,
        "columns": columns,
        "coordinates": [
            {"x": "easting", "y": "northing", "epsg": 2952, "longitude": "longitude",
             "latitude": "latitude"}
        ],
    }  # fmt: skip
    write(
        landing,
        "a.csv",
        "request_id,created_at,easting,northing\nSR-1,2024-01-01,313000,5035000\n"
        "SR-2,2024-01-01,,\n",
    )
    conn, [result] = run(landing, spec)
    assert result.rows_loaded == 2
    rows = conn.execute(
        "SELECT request_id, easting, round(longitude, 5), round(latitude, 5) "
        "FROM raw.crm_requests ORDER BY 1"
    ).fetchall()
    assert rows == [("SR-1", 313000.0, -79.39516, 45.45489), ("SR-2", None, None, None)]


def test_a_columns_own_null_sentinels_load_empty_and_are_each_listed(landing):
    """A ward of 0 and a date of 1900-01-01 mean "not known" in this column only: loaded
    empty, and every one counted in raw._flagged_values (never nulled in silence); the
    same text in another column is a value."""
    columns = [
        *REQUESTS["columns"],
        {"name": "ward", "type": "integer", "classification": "public", "description": "w",
         "null_values": ["0", "99"]},
        {"name": "closed_on", "type": "date", "classification": "public", "description": "c",
         "formats": ["%Y-%m-%d"], "null_values": ["1900-01-01"]},
        {"name": "note", "type": "varchar", "classification": "public", "description": "n"},
    ]  # fmt: skip
    write(
        landing,
        "a.csv",
        "request_id,created_at,ward,closed_on,note\n"
        "SR-1,2024-01-02T10:00:00,0,1900-01-01,0\n"
        "SR-2,2024-01-02T10:00:00,7,2024-01-05,1900-01-01\n"
        "SR-3,2024-01-02T10:00:00,99,,x\n",
    )
    conn, [result] = run(landing, {**REQUESTS, "columns": columns})
    assert (result.rows_loaded, result.rows_quarantined, result.values_flagged) == (3, 0, 3)
    assert conn.execute(
        "SELECT request_id, ward, closed_on, note FROM raw.crm_requests ORDER BY request_id"
    ).fetchall() == [
        ("SR-1", None, None, "0"),
        ("SR-2", 7, dt.date(2024, 1, 5), "1900-01-01"),
        ("SR-3", None, None, "x"),
    ]
    assert conn.execute(
        "SELECT source_row, column_name, raw_value FROM raw._flagged_values "
        "WHERE rule LIKE 'null sentinel%' ORDER BY source_row, column_name"
    ).fetchall() == [(1, "closed_on", "1900-01-01"), (1, "ward", "0"), (3, "ward", "99")]
    assert "sentinel" not in str(
        conn.execute("SELECT * FROM raw.crm_requests LIMIT 0").description
    ), "the sentinel's helper column stays out of the raw table"


def test_a_placeholder_equal_to_another_column_is_declared_and_loaded_empty(landing):
    """The trap of one real system: every open request has its closed time set to its
    created time. A row rule `differs_from` with action null loads it empty and lists it."""
    columns = [*REQUESTS["columns"], CLOSED_AT]
    rule = {
        "rule": "closed_equals_created_on_open_requests",
        "reason": "the CRM writes the created time into closed time until a request closes",
        "column": "closed_at",
        "differs_from": "created_at",
        "action": "null",
    }
    write(
        landing,
        "a.csv",
        "request_id,created_at,closed_at\nSR-1,2024-01-02T10:00:00,2024-01-02T10:00:00\n"
        "SR-2,2024-01-02T10:00:00,2024-01-03T09:00:00\n",
    )
    conn, [result] = run(landing, {**REQUESTS, "columns": columns, "row_rules": [rule]})
    assert (result.rows_loaded, result.values_flagged) == (2, 1)
    assert conn.execute(
        "SELECT request_id, closed_at FROM raw.crm_requests ORDER BY request_id"
    ).fetchall() == [("SR-1", None), ("SR-2", dt.datetime(2024, 1, 3, 9, 0))]
    (rule_words,) = conn.execute("SELECT rule FROM raw._flagged_values").fetchone()
    assert "closed_at differs from created_at" in rule_words


def test_excel_binary_noise_is_read_as_excel_shows_it_real_decimals_are_not(tmp_path):
    """Workbooks store 79.6 as the double 79.59999999999999: read as the 79.60 Excel shows
    (15 significant digits), not quarantined as an amount a load would round; an amount
    that truly has a third decimal still is."""
    spec = {
        **REQUESTS,
        "files": {"folder": "crm", "pattern": "*.xlsx", "format": "xlsx", "sheet": "Fees"},
    }
    (tmp_path / "landing" / "crm").mkdir(parents=True)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Fees"
    sheet.append(["SR Number", "Created Date", "fee"])
    sheet.append(["SR-1", dt.date(2024, 3, 5), 0.1 * 796])  # 79.60000000000001
    sheet.append(["SR-2", dt.date(2024, 3, 5), 79.59999999999999])
    sheet.append(["SR-3", dt.date(2024, 3, 5), 79.605])
    sheet.append(["SR-4", dt.date(2024, 3, 5), -1234567.125])
    book.save(tmp_path / "landing" / "crm" / "fees.xlsx")
    conn, [result] = run(tmp_path, spec)
    assert (result.rows_loaded, result.rows_quarantined) == (2, 2)
    assert conn.execute("SELECT request_id, fee FROM raw.crm_requests ORDER BY 1").fetchall() == [
        ("SR-1", Decimal("79.60")),
        ("SR-2", Decimal("79.60")),
    ]
    assert conn.execute(
        "SELECT raw_value FROM raw._quarantined_rows ORDER BY source_row"
    ).fetchall() == [("79.605",), ("-1234567.125",)]


def test_a_column_added_to_the_contract_never_rounds_an_amount_or_takes_a_broken_text(landing):
    """An amount with more decimals than the new column keeps, and a text over its
    length, are what a load quarantines: taken in from drift, each is left empty with
    its whole text in the flag (the row loaded before stays), never rounded or cut."""
    long_note = "x" * 30
    write(
        landing,
        "b.csv",
        "request_id,created_at,Surcharge,Note\nSR-2,2024-01-01,$12.50,fine\n"
        f"SR-3,2024-01-01,1123.913418,{long_note}\nSR-4,2024-01-01,7.100,ok\n",
    )
    run(landing)[0].close()  # the old contract: both headers are drift
    surcharge = {"name": "surcharge", "type": "money", "aliases": ["Surcharge"],
                 "classification": "public", "description": "a surcharge"}  # fmt: skip
    note = {"name": "note", "type": "varchar", "aliases": ["Note"], "max_length": 20,
            "classification": "public", "description": "a note"}  # fmt: skip
    spec = {**REQUESTS, "columns": [*REQUESTS["columns"], surcharge, note]}
    conn, _ = run(landing, spec)
    assert conn.execute(
        "SELECT request_id, surcharge, note FROM raw.crm_requests ORDER BY 1"
    ).fetchall() == [
        ("SR-2", Decimal("12.50"), "fine"),
        ("SR-3", None, None),  # 1123.91 would be another amount; the note a broken cell
        ("SR-4", Decimal("7.10"), "ok"),  # trailing zeros are no lost detail
    ]
    flags = conn.execute(
        "SELECT source_row, column_name, rule, raw_value FROM raw._flagged_values ORDER BY 2"
    ).fetchall()
    withheld = " (the contract quarantines such rows: this one loaded before, value left empty)"
    assert flags == [
        (2, "note", "contract_column_added: length: over 20 characters" + withheld, long_note),
        (2, "surcharge", "contract_column_added: money: more than 2 decimals; loading it would "
         "round it" + withheld, "1123.913418"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "newline, encoding", [("\n", "utf-8"), ("\r\n", "utf-8"), ("\n", "cp1252"), ("\r\n", "utf-16")]
)
def test_extra_empty_fields_are_more_fields_than_the_header_not_a_shift(landing, newline, encoding):
    """DuckDB reads a record whose fields beyond the header's are empty as if it fit:
    "Smith, John" written without quotes, the last column empty, loaded name "Smith" and
    fee "John" (the values after the comma shifted). Such a record is quarantined as
    one with extra values is; a last column legitimately empty still loads, a quoted
    comma and a quoted line break too, and the rows keep their numbers."""
    lines = [
        "request_id,created_at,caller_name,fee",
        "SR-1,2024-01-01,Smith, John,",  # one extra empty field
        'SR-2,2024-01-02,"Smith, John",',  # the last column empty: a record that fits
        "SR-3,2024-01-03,Roe,5,,",  # two extra empty fields
        "SR-4,not a date,x,5,EXTRA",  # DuckDB's own "too many" before the next
        'SR-5,2024-01-05,"Zoë' + newline + 'Renée", Jr.,',  # over a quoted line break
        'SR-6,2024-01-06,"Ann,' + newline + 'Lee",',  # a quoted comma before the break
        'SR-7,2024-01-07,Bob,""',
        'SR-8,2024-01-08,Bob,"",""',  # an extra empty quoted field
        "SR-9,2024-01-09,Eve,",
    ]
    write(landing, "a.csv", newline.join(lines) + newline, encoding=encoding)
    conn, [result] = run(landing)
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_quarantined) == (
        "loaded",
        9,
        4,
        5,
    )
    assert conn.execute(
        "SELECT request_id, _source_row, caller_name, fee FROM raw.crm_requests ORDER BY 2"
    ).fetchall() == [
        ("SR-2", 2, "Smith, John", None),
        ("SR-6", 6, f"Ann,{newline}Lee", None),
        ("SR-7", 7, "Bob", None),
        ("SR-9", 9, "Eve", None),
    ]
    quarantined = conn.execute(
        "SELECT source_row, rule, split_part(raw_value, ',', 1) FROM raw._quarantined_rows "
        "ORDER BY 1"
    ).fetchall()
    too_many = "row: more fields than the header (an unquoted delimiter in a value?)"
    assert quarantined == [
        (1, too_many, "SR-1"),
        (3, too_many, "SR-3"),
        (4, too_many, "SR-4"),
        (5, too_many, "SR-5"),
        (8, too_many, "SR-8"),
    ]


def test_a_stray_quote_inside_a_value_does_not_hide_or_make_extra_fields(landing):
    """A review found the first check counting quotes per line: an inch mark ("5\" pipe")
    made every later line look inside a quoted value, so a shifted record after it
    loaded (name "Smith", fee "John") and a good one was quarantined. DuckDB's own
    parser now decides (a quote opens a value only at a field's start)."""
    lines = [
        "request_id,created_at,caller_name,fee",
        'SR-1,2024-01-01,5" pipe,',
        "SR-2,2024-01-02,Smith, John,",
        'SR-3,2024-01-03,6" bolt,',
        "SR-4,2024-01-04,Eve,",
    ]
    write(landing, "a.csv", "\n".join(lines) + "\n")
    conn, [result] = run(landing)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (4, 3, 1)
    assert conn.execute("SELECT source_row, raw_value FROM raw._quarantined_rows").fetchall() == [
        (2, "SR-2,2024-01-02,Smith, John,")
    ]
    assert [r[0] for r in conn.execute(
        "SELECT caller_name FROM raw.crm_requests ORDER BY _source_row"
    ).fetchall()] == ['5" pipe', '6" bolt', "Eve"]  # fmt: skip


def test_a_file_without_extra_fields_is_read_on_the_fast_path(landing, monkeypatch):
    """Lines ending in the delimiter (a last column often empty) are counted, and a file
    whose records all fit stays on the fast, parallel read."""
    from dagster_project.lib.ingest import csv_reader

    def no_careful_read(*args, **kwargs):
        raise AssertionError("the careful read was not needed")

    monkeypatch.setattr(csv_reader, "read_csv_rows", no_careful_read)
    monkeypatch.setattr("dagster_project.lib.ingest.readers.read_csv_rows", no_careful_read)
    write(
        landing, "a.csv", 'request_id,created_at,Caller\nSR-1,2024-01-01,\nSR-2,2024-01-02,"a,b"\n'
    )
    conn, [result] = run(landing)
    assert (result.status, result.rows_loaded) == ("loaded", 2)


def test_an_extension_in_capitals_is_the_contracts_extension(landing):
    """``EXPORT_2025.CSV`` under the pattern ``*.csv`` lay in the landing folder neither
    loaded nor refused; the extension matches in any case, the stem as the contract
    spells it."""
    from dagster_project.lib.ingest.loader import matches_pattern

    write(landing, "EXPORT_2025.CSV", "request_id,created_at\nSR-1,2024-01-01\n")
    write(landing, "notes.CSV.bak", "not an extract")
    conn, results = run(landing)
    assert [(r.file_name, r.status, r.rows_loaded) for r in results] == [
        ("EXPORT_2025.CSV", "loaded", 1)
    ]
    assert matches_pattern("Building_Permits_2025.XLSX", "Building_Permits_*.xlsx")
    assert matches_pattern("payments_1.JsonL", "payments_*.jsonl")
    assert matches_pattern("PKT001.txt", "PKT*.TXT")
    assert not matches_pattern("building_permits_2025.xlsx", "Building_Permits_*.xlsx")
    assert not matches_pattern(".csv", "*.csv") and not matches_pattern("a.csvx", "*.csv")


def test_a_wall_clock_time_the_zone_skips_is_quarantined(landing):
    """A ``timestamp`` column (the city's wall clock) loaded "2025-03-09 02:30" in
    Toronto, a time its clocks never showed (they went from 01:59 to 03:00), which a
    ``timestamptz`` column quarantines. It does not parse now, ISO or by the contract's
    format; 01:30 on the night the clocks go back is what the clock showed: loaded."""
    columns = [
        {**c, "timezone": "America/Toronto"} if c["name"] == "created_at" else c
        for c in REQUESTS["columns"]
    ]
    write(
        landing,
        "a.csv",
        "request_id,created_at\nSR-1,2025-03-09 02:30\nSR-2,03/09/2025 02:30:00 AM\n"
        "SR-3,2025-11-02 01:30\nSR-4,2025-03-09 03:30\nSR-5,2025-03-09 01:59:59\n",
    )
    conn, [result] = run(landing, {**REQUESTS, "columns": columns})
    assert (result.rows_loaded, result.rows_quarantined) == (3, 2)
    assert conn.execute(
        "SELECT source_row, rule FROM raw._quarantined_rows ORDER BY 1"
    ).fetchall() == [(1, "type: not a valid timestamp"), (2, "type: not a valid timestamp")]
    assert conn.execute("SELECT created_at FROM raw.crm_requests ORDER BY 1").fetchall() == [
        (dt.datetime(2025, 3, 9, 1, 59, 59),),
        (dt.datetime(2025, 3, 9, 3, 30),),
        (dt.datetime(2025, 11, 2, 1, 30),),
    ]
