"""Ingest every new file of one source system into ``raw.<raw_table>``, per its contract.

For each file, in one transaction: hash it; skip it if already loaded (or flag it when the
same content arrived under another name); read it as text; map headers to contract names
(aliases cover vintages; unknown columns are kept, never dropped); quarantine the whole
file when it cannot be read or lacks required columns; drop rows by named rules; type
every value and quarantine rows that break the contract; insert the rest with lineage
columns; record the reconciliation  rows read = loaded + quarantined + dropped.
A corrected re-delivery (same file name, new content) supersedes the earlier rows.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatchcase
from pathlib import Path

import duckdb

from ..dictionary.vocabulary import SYSTEMS_WITHOUT_EXTRACTS
from ..files import FileHashes, file_sha256
from ..warehouse import literal, quote
from . import ledger
from .contract_columns import DRIFT_MARK, sync_with_contract
from .contract_sql import (
    SENTINEL_PREFIX,
    WALL_CLOCK_PREFIX,
    cleaned_text,
    column_sentinel,
    column_type,
    header_mapping,
    is_wall_clock,
    marks_wall_clock,
    may_hold_nul,
    trimmed,
    typed,
)
from .coordinates import add_coordinates
from .errors import UnreadableFile, safe_message, stop_on_platform_fault
from .readers import ReadResult, column_letter, columns_of, drop_relation, read_into
from .row_checks import apply_null_rules, collect_failures, record_flags, report_key_conflicts
from .workbook_formats import fill_merged_down, show_as_displayed
from .workbook_xml import epoch_of

log = logging.getLogger(__name__)

# A file the platform's reader failed on (not the file's fault, as far as known): kept in
# the landing folder and read again by the next run (ledger.seen and the run plan do not
# count it as seen)
FAILED = "failed"

LINEAGE = {
    "_source_file": "VARCHAR",
    "_source_sha256": "VARCHAR",
    "_source_row": "BIGINT",
    "_loaded_at": "TIMESTAMPTZ",
}


class ReconciliationError(RuntimeError):
    """Rows read did not equal rows loaded + quarantined + dropped: never let that pass."""


@dataclass
class FileResult:
    file_name: str
    status: str  # loaded | skipped | duplicate | withdrawn | quarantined
    sha256: str = ""
    encoding: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_dropped: int = 0
    drift: str | None = None
    reason: str | None = None
    top_reasons: list[dict] = field(default_factory=list)
    values_flagged: int = 0  # loaded, but outside their plausible window (raw._flagged_values)
    keys_repeated: int = 0  # primary keys twice in this file (raw._key_conflicts)
    keys_changed: int = 0  # keys loaded before from another file, now with other values
    # columns the contract does not list: loaded as text, in no published model until
    # the contract lists and classifies them
    unlisted_columns: list[str] = field(default_factory=list)


def ingest_source(
    conn: duckdb.DuckDBPyConnection,
    source,
    landing_dir: Path,
    quarantine_dir: Path,
    hashes: FileHashes | None = None,
) -> list[FileResult]:
    """Load the new files of ``source`` (a dictionary Source) found in the landing folder.

    The raw table exists from the first run on, empty while the department has not
    delivered a file yet: what is built on it builds (empty) instead of failing, and a
    system waiting for its first delivery stops nothing else. ``hashes``: the landing
    files' hashes remembered from earlier runs (each file is otherwise read to hash it).
    """
    ledger.ensure(conn)
    _ensure_table(conn, source, f"raw.{quote(source.raw_table)}", [])
    # a contract that gained a column: the table made under the old one gets it (in
    # transactions of its own, so before any file's)
    sync_with_contract(conn, source, "raw", source.raw_table)
    paths = landing_files(source, landing_dir)
    sha256 = hashes.sha256 if hashes else file_sha256
    results = [_ingest_file(conn, source, path, sha256(path), quarantine_dir) for path in paths]
    if hashes:
        hashes.save()
    return results


def landing_files(source, landing_dir: Path) -> list[Path]:
    """The files of the system's landing folder its contract's pattern names, in order:
    what its ingest step reads (and the run plan, the publish plan and the landing
    sensor look at)."""
    folder = landing_dir / source.files["folder"]
    if not folder.exists():
        return []
    pattern = source.files["pattern"]
    return sorted(p for p in folder.iterdir() if matches_pattern(p.name, pattern))


def matches_pattern(name: str, pattern: str) -> bool:
    """Whether a landing file's name is one the contract's ``pattern`` names: its stem as
    the contract spells it (a glob, case as written), its extension in any case.

    A system that exports ``EXPORT_2025.CSV`` for ``*.csv`` (or ``.XLSX``, ``.JSONL``)
    sent a file that a case-sensitive match neither loaded nor refused: it lay in the
    landing folder unseen. The case of an extension says nothing about the file."""
    stem, dot, extension = pattern.rpartition(".")
    if not (dot and stem and extension) or any(c in extension for c in "*?[]"):
        return fnmatchcase(name, pattern)
    suffix = dot + extension
    return (
        len(name) > len(suffix)
        and name[-len(suffix) :].lower() == suffix.lower()
        and fnmatchcase(name[: -len(suffix)], stem)
    )


def systems_waiting(conn: duckdb.DuckDBPyConnection, systems: list[str]) -> list[str]:
    """The systems that have never delivered a file that loaded (read-only safe)."""
    if not ledger.exists(conn):
        return [system for system in systems if system not in SYSTEMS_WITHOUT_EXTRACTS]
    loaded = {
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT system FROM raw._ingest_files WHERE status IN ('loaded', 'superseded')"
        ).fetchall()
    }
    # the platform's own measurements and the dictionary deliver no file: never waited for
    return [s for s in systems if s not in loaded and s not in SYSTEMS_WITHOUT_EXTRACTS]


def datasets_waiting(conn: duckdb.DuckDBPyConnection, datasets) -> dict[str, list[str]]:
    """The datasets with a source system that has never delivered (dataset id -> those
    systems): what the publish step leaves alone, and the run report and the publish
    plan say (one query for them all)."""
    systems = sorted({system for dataset in datasets for system in dataset.source_systems})
    silent = set(systems_waiting(conn, systems))
    return {
        d.id: [s for s in d.source_systems if s in silent]
        for d in datasets
        if silent & set(d.source_systems)
    }


def _ingest_file(conn, source, path: Path, sha: str, quarantine_dir: Path) -> FileResult:
    system = source.system
    earlier = ledger.seen(conn, system, sha)
    if earlier is not None:
        return _seen_before(conn, system, path, sha, *earlier)
    try:
        # Read and stage outside the transaction: a failed read attempt (the wrong
        # encoding before the right one) must not abort it.
        staged = _stage(conn, source, path)
    except (UnreadableFile, duckdb.Error) as problem:
        return _refuse(conn, system, path, sha, quarantine_dir, problem)
    except PLATFORM_BUGS as fault:
        return _failed(conn, system, path, sha, fault)
    conn.execute("BEGIN TRANSACTION")
    try:
        result = _load(conn, source, path, sha, staged)
        ledger.forget_failures(conn, system, path.name, sha)  # read now: no longer failed
        conn.execute("COMMIT")
    except (duckdb.Error, ReconciliationError) as problem:
        conn.execute("ROLLBACK")  # nothing of the file stays; the other files go on
        return _refuse(conn, system, path, sha, quarantine_dir, problem)
    except PLATFORM_BUGS as fault:
        conn.execute("ROLLBACK")
        return _failed(conn, system, path, sha, fault)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return result


# What the platform's own code raises when it fails in a way no one foresaw on a file's
# content (a blank header row once raised ValueError in the reader)
PLATFORM_BUGS = (ValueError, TypeError, LookupError, ArithmeticError)


def _failed(conn, system: str, path: Path, sha: str, fault: BaseException) -> FileResult:
    """A fault of the platform until shown otherwise, not the department's: the file
    stays in the landing folder, recorded "failed" once (which neither the ledger's
    ``seen`` nor the run plan counts as seen: the next run reads it again, once the code
    is fixed), the system's other files still load, and the run is reported as not a
    success (``run_report.FILES_FAILED``). The traceback goes to the log."""
    log.error(f"{system}: reading {path.name} failed in the platform", exc_info=fault)
    reason = (
        f"the platform failed on it ({type(fault).__name__}: {safe_message(fault)}); the "
        "file stays in the landing folder and is read again by the next run; the "
        "traceback is in the run's log"
    )
    if not ledger.recorded(conn, system, path.name, sha, FAILED):  # once, not per run
        ledger.record(conn, system, path.name, sha, FAILED, reason=reason)
    return FileResult(path.name, FAILED, sha, reason=reason)


def _seen_before(conn, system: str, path: Path, sha: str, name: str, status: str) -> FileResult:
    """Content the ledger knows: never loaded twice, and never back once withdrawn."""
    if status == "superseded":
        reason = (
            f"same content as {name}, which a corrected delivery replaced: withdrawn "
            "data is not loaded again (send it under its original name to restore it)"
        )
        status_here = "withdrawn"
    elif name == path.name:
        return FileResult(path.name, "skipped", sha, reason="already loaded")
    else:
        reason, status_here = f"same content as {name}, which was already processed", "duplicate"
    if not ledger.recorded(conn, system, path.name, sha, status_here):  # flag it once
        ledger.record(conn, system, path.name, sha, status_here, reason=reason)
    return FileResult(path.name, status_here, sha, reason=reason)


def _refuse(
    conn, system: str, path: Path, sha: str, quarantine_dir: Path, problem: BaseException
) -> FileResult:
    """Quarantine the whole file with a reason that quotes none of its values."""
    stop_on_platform_fault(problem, path.name)
    reason = (
        str(problem)
        if isinstance(problem, UnreadableFile | ReconciliationError)
        else f"it could not be loaded ({safe_message(problem)})"
    )
    ledger.forget_failures(conn, system, path.name, sha)  # read now, and refused
    ledger.record(conn, system, path.name, sha, "quarantined", reason=reason)
    _quarantine_file(path, quarantine_dir / system, reason)
    return FileResult(path.name, "quarantined", sha, reason=reason)


@dataclass
class _Staged:
    read: ReadResult
    headers: list[str]
    mapping: dict[str, str]
    contract: dict[str, dict]
    may_hold_nul: bool = False


def _stage(conn, source, path: Path) -> _Staged:
    """Read the file and build ``_staged``: per column its cleaned text under the
    contract name, for typed columns also ``__typed__<name>``, and ``_source_row``.

    One parallel pass: read, trim, nulls and typing in a single CREATE TABLE. The row
    number comes from the table's insertion-ordered rowid rather than a window function,
    which would make DuckDB number (and so process) rows on one thread.
    """
    # (first: a JSON Lines reader asks next whether its NUL separator is in the file,
    # which this search has answered)
    nul = may_hold_nul(path, source.files["format"])
    with ExitStack() as cleanup:  # a transcoded copy lives until the rows are staged
        read = read_into(
            conn,
            path,
            source.files,
            "_incoming",
            fast=True,
            cleanup=cleanup,
            columns=source.column_specs,
        )
        headers = [c for c in columns_of(conn, "_incoming") if c != "_source_row"]
        mapping = header_mapping(headers, source.column_specs)
        _check_columns(source, mapping)
        contract = {c["name"]: c for c in source.column_specs if c["name"] in mapping.values()}
        _excel_errors(conn, source, read, headers, mapping, contract)
        read = _as_the_sheet_shows(conn, source, path, read, headers, mapping, contract)
        try:
            _build_staged(conn, source, read.encoding, mapping, contract, nul)
        except duckdb.Error as error:
            stop_on_platform_fault(error, path.name)
            # The fast path reads the file lazily and strictly; a malformed row makes it
            # fail. Read it the careful way (row by row, malformed rows set aside) and
            # stage again.
            read = read_into(
                conn,
                path,
                source.files,
                "_incoming",
                fast=False,
                cleanup=cleanup,
                columns=source.column_specs,
            )
            read = _as_the_sheet_shows(conn, source, path, read, headers, mapping, contract)
            _build_staged(conn, source, read.encoding, mapping, contract, nul)
        drop_relation(conn, "_incoming")  # a view of it reads the copy about to go
    return _Staged(read, headers, mapping, contract, nul)


EXCEL_ERROR_RULE = (
    "the sheet shows an Excel error ({error}) in {column}: the formula failed in the "
    "system that made the file"
)


def _excel_errors(
    conn, source, read: ReadResult, headers: list[str], mapping: dict[str, str],
    contract: dict[str, dict],
) -> None:  # fmt: skip
    """``_cell_failures``: a row per workbook cell holding an Excel error (#N/A, #REF!,
    #DIV/0!...) in a column the contract reads. Every reader gives such a cell as the
    error's text, so "#N/A" loaded as a name or a code; the row is quarantined instead,
    by the rule ``EXCEL_ERROR_RULE``. (Empty for other files.)"""
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE _cell_failures (_source_row BIGINT, column_name "
        "VARCHAR, rule VARCHAR, raw_value VARCHAR)"
    )
    if source.files["format"] != "xlsx" or not read.errors:
        return
    header_row = int(source.files.get("header_row", 1))
    # (the read table's columns are the sheet's, from column A; its rows are numbered
    # from the one below the header)
    read_by_contract = {
        column_letter(i): mapping[h]
        for i, h in enumerate(headers, start=1)
        if mapping.get(h) in contract
    }
    rows = [
        (row - header_row, name, EXCEL_ERROR_RULE.format(error=error, column=name), error)
        for letters, row, error in read.errors
        if (name := read_by_contract.get(letters)) is not None and row > header_row
    ]
    if rows:
        conn.executemany("INSERT INTO _cell_failures VALUES (?, ?, ?, ?)", rows)


def _as_the_sheet_shows(
    conn, source, path: Path, read: ReadResult, headers: list[str], mapping: dict[str, str],
    contract: dict[str, dict],
) -> ReadResult:  # fmt: skip
    """A workbook's text columns (the contract's, and new ones) as the sheet shows their
    cells formatted as dates or zero-padded numbers, then its cells merged down a column
    given to each row beside them, as shown (workbook_formats.py); the read result,
    with the note on merged cells."""
    if source.files["format"] != "xlsx":
        return read
    text = {
        h for h, n in mapping.items() if contract.get(n, {}).get("type", "varchar") == "varchar"
    }
    header_row = int(source.files.get("header_row", 1))
    # (the read table's columns are the sheet's, from column A)
    letters = {column_letter(i): h for i, h in enumerate(headers, start=1) if h in text}
    show_as_displayed(
        conn,
        "_incoming",
        path,
        read.sheet,
        letters,
        header_row,
        epoch_of(read.encoding),
    )
    merged = fill_merged_down(conn, "_incoming", read.merged, header_row, headers)
    return dataclasses.replace(read, note="; ".join(n for n in (read.note, merged) if n) or None)


def _build_staged(
    conn, source, encoding: str, mapping: dict[str, str], contract: dict[str, dict], nul: bool
) -> None:
    numbered = "_source_row" in columns_of(conn, "_incoming")
    keep_row = "_source_row, " if numbered else ""
    null_values = source.spec.get("null_values", [])
    # (a workbook: the day its serials count from, 1899-12-30 or 1904-01-01)
    workbook = epoch_of(encoding) if source.files["format"] == "xlsx" else False
    trims = ", ".join(f"{trimmed(h, nul)} AS {quote(n)}" for h, n in mapping.items())
    nulls = ", ".join(
        f"{cleaned_text(n, contract.get(n), null_values, workbook)} AS {quote(n)}"
        for n in mapping.values()
    )
    nulls += "".join(
        f", {column_sentinel(n, contract[n])} AS {quote(SENTINEL_PREFIX + n)}"
        for n in mapping.values()
        if contract.get(n, {}).get("null_values")
    )
    typings = "".join(
        f", {typed(quote(n), c, workbook)} AS {quote('__typed__' + n)}"
        for n, c in contract.items()
        if c["type"] != "varchar"
    )
    typings += "".join(
        f", {is_wall_clock(quote(n))} AS {quote(WALL_CLOCK_PREFIX + n)}"
        for n, c in contract.items()
        if marks_wall_clock(c)
    )
    _drop_staged(conn)
    conn.execute(
        f"CREATE TEMP TABLE _staged_data AS SELECT *{typings} FROM ("
        f"SELECT {keep_row}{nulls} FROM (SELECT {keep_row}{trims} FROM _incoming))"
    )
    _staged_view(conn)


def _staged_view(conn) -> None:
    """``_staged``: ``_staged_data`` with ``_source_row`` (made again when columns are
    added to the table: a DuckDB view does not follow its table's new columns)."""
    numbered = "_source_row" in columns_of(conn, "_staged_data")
    row = "_source_row" if numbered else "rowid + 1 AS _source_row"
    conn.execute(
        f"CREATE OR REPLACE TEMP VIEW _staged AS SELECT {row}, * "
        f"{'EXCLUDE (_source_row) ' if numbered else ''}FROM _staged_data"
    )


def _drop_staged(conn) -> None:
    conn.execute("DROP VIEW IF EXISTS _staged")
    conn.execute("DROP TABLE IF EXISTS _staged_data")


def _load(conn, source, path: Path, sha: str, staged: _Staged) -> FileResult:
    system, table = source.system, f"raw.{quote(source.raw_table)}"
    mapping, contract = staged.mapping, staged.contract
    drift = _drift(ledger.last_header(conn, system), source.column_specs, mapping)
    rows_read = conn.execute("SELECT count(*) FROM _staged").fetchone()[0] + staged.read.rejected
    rows_dropped = _drop_repeated_headers(conn, source, mapping, path.name, sha)
    rows_dropped += _apply_drop_rules(conn, source, list(mapping.values()), path.name, sha)

    repeated_quarantined = source.spec.get("repeated_keys") == "quarantine"
    row_rules = source.spec.get("row_rules")
    collect_failures(
        conn,
        contract,
        list(source.primary_key) if repeated_quarantined else None,
        row_rules,
        # text columns (typed ones fail their cast): a NUL inside a value
        [n for n in mapping.values() if contract.get(n, {}).get("type", "varchar") == "varchar"]
        if staged.may_hold_nul
        else None,
        decimal_comma_file=source.files.get("delimiter") == ";"
        and source.files.get("thousands_separator") != ",",
    )
    # The whole record beside the failing value (as received, trimmed and with the null
    # markers as nulls, under contract names): the department can be told which record
    # to fix, and by its id. A row the reader could not split has no record; its raw
    # line is the value.
    record = _record_json(list(mapping.values()), "s")
    conn.execute(
        f"INSERT INTO raw._quarantined_rows (system, file_name, sha256, source_row, "
        f"column_name, rule, raw_value, record) SELECT {literal(system)}, "
        f"{literal(path.name)}, {literal(sha)}, f._source_row, f.column_name, f.rule, "
        f"f.raw_value, CASE WHEN s._source_row IS NOT NULL THEN {record} END "
        f"FROM _failures AS f LEFT JOIN _staged AS s USING (_source_row)"
    )
    rows_quarantined = conn.execute("SELECT count(DISTINCT _source_row) FROM _failures").fetchone()[
        0
    ]

    previous = ledger.previous_version(conn, system, path.name)
    _ensure_table(conn, source, table, [n for n in mapping.values() if n not in contract])
    if previous is not None:  # a corrected re-delivery replaces the rows it corrects
        conn.execute(f"DELETE FROM {table} WHERE _source_sha256 = ?", [previous])
        ledger.mark_superseded(conn, system, previous)
    flagged = record_flags(conn, system, path.name, sha)
    apply_null_rules(conn, row_rules, contract)  # after the originals were listed
    converted = add_coordinates(conn, source.spec.get("coordinates", []), contract)
    if converted:
        _staged_view(conn)
    repeated, changed = report_key_conflicts(
        conn, source, table, path.name, sha, list(mapping.values())
    )
    selects = [
        f"{quote('__typed__' + n)} AS {quote(n)}"
        if n in contract and contract[n]["type"] != "varchar"
        else quote(n)
        for n in mapping.values()
    ] + [quote(n) for n in converted if n not in mapping.values()]
    loaded_at = _next_load_time(conn, table)
    conn.execute(
        f"INSERT INTO {table} BY NAME SELECT {', '.join(selects)}, "
        f"{literal(path.name)} AS _source_file, {literal(sha)} AS _source_sha256, "
        f"_source_row, CAST({literal(loaded_at)} AS TIMESTAMPTZ) AS _loaded_at FROM _staged "
        f"WHERE _source_row NOT IN (SELECT _source_row FROM _failures)"
    )
    rows_loaded = conn.execute(
        f"SELECT count(*) FROM {table} WHERE _source_sha256 = ?", [sha]
    ).fetchone()[0]
    if rows_read != rows_loaded + rows_quarantined + rows_dropped:
        raise ReconciliationError(
            f"{path.name}: read {rows_read} rows but loaded {rows_loaded}, quarantined "
            f"{rows_quarantined} and dropped {rows_dropped}"
        )
    ledger.record(
        conn,
        system,
        path.name,
        sha,
        "loaded",
        encoding=staged.read.encoding,
        rows_read=rows_read,
        rows_loaded=rows_loaded,
        rows_quarantined=rows_quarantined,
        rows_dropped=rows_dropped,
        header=staged.headers,
        drift=drift,
        reason=staged.read.note,
    )
    return FileResult(
        path.name,
        "loaded",
        sha,
        staged.read.encoding,
        rows_read,
        rows_loaded,
        rows_quarantined,
        rows_dropped,
        drift,
        reason=staged.read.note,
        top_reasons=ledger.top_reasons(conn, system, sha),
        values_flagged=flagged,
        keys_repeated=repeated,
        keys_changed=changed,
        unlisted_columns=[n for n in mapping.values() if n not in contract],
    )


def _next_load_time(conn, table: str) -> str:
    """Now, or just after the table's latest load if the clock stands behind it (an NTP
    correction): the incremental models take the rows loaded after their last build by
    ``_loaded_at``, so it must only ever grow."""
    latest = conn.execute(f"SELECT max(_loaded_at) FROM {table}").fetchone()[0]
    now = datetime.now(UTC)
    if latest is not None and latest >= now:
        now = latest + timedelta(microseconds=1)
    return now.isoformat()


def _check_columns(source, mapping: dict[str, str]) -> None:
    names = list(mapping.values())
    doubled = sorted({n for n in names if names.count(n) > 1})
    if doubled:
        raise UnreadableFile(f"several headers map to the same column: {', '.join(doubled)}")
    missing = [
        c["name"] for c in source.column_specs if c.get("required") and c["name"] not in names
    ]
    if missing:
        raise UnreadableFile(
            f"required columns are missing: {', '.join(missing)} "
            f"(the file's header is: {', '.join(mapping)})"
        )


def _drift(last: list[str] | None, columns: list[dict], mapping: dict[str, str]) -> str | None:
    """Plain words on how this file's columns differ from the last loaded vintage's.

    Compared by contract name: "SRNumber" and "srnumber" are the same column (an alias),
    so a change of spelling alone is mentioned, not reported as drift.
    """
    if last is None:
        return None
    previous = header_mapping(last, columns)
    before, now = set(previous.values()), set(mapping.values())
    parts = []
    if added := sorted(now - before):
        parts.append(f"new column(s) {', '.join(added)} (kept)")
    if removed := sorted(before - now):
        parts.append(f"column(s) no longer sent: {', '.join(removed)}")
    respelled = sorted(set(mapping) - set(previous) - {h for h, n in mapping.items() if n in added})
    if not parts and not respelled:
        return None
    if respelled:
        parts.append(
            f"{len(respelled)} header(s) spelled differently, matched by the "
            f"contract (e.g. {respelled[0]!r})"
        )
    return "Compared with the previous file: " + "; ".join(parts) + "."


REPEATED_HEADER_RULE = "repeated_header"
REPEATED_HEADER_REASON = (
    "the file's header row again among its records (two exports joined into one file, "
    "or a report's page header): not a record"
)


def _drop_repeated_headers(conn, source, mapping: dict[str, str], file_name: str, sha: str) -> int:
    """Drop (by the named rule ``repeated_header``, each kept in raw._dropped_rows) the
    rows that are the header again: every value is empty or its column's header, as
    this file writes it or as the contract names it (any alias: the joined file may be
    of another vintage), in any case, at least two of them (a file of two columns or
    more with a header row: CSV and workbooks).
    Such a row otherwise fails typing as a record and is quarantined as a bad one."""
    if source.files["format"] in ("json", "jsonl", "fixed_width") or len(mapping) < 2:
        return 0  # (no header row; a one-column file's header is a value like another)
    names = {c["name"]: c for c in source.column_specs}
    tests = []
    for header, name in mapping.items():
        spellings = {header, name, *names.get(name, {}).get("aliases", [])}
        listed = ", ".join(literal(h.strip().lower()) for h in sorted(spellings))
        tests.append(f"lower(replace({quote(name)}, chr(65279), '')) IN ({listed})")
    first, columns = tests[0], list(mapping.values())
    # (the first column's test first: one cheap comparison for the rows that are records)
    matches = " + ".join(f"coalesce({t}, false)::INT" for t in tests)
    empty_or_header = " AND ".join(
        f"({quote(n)} IS NULL OR {t})" for n, t in zip(columns, tests, strict=True)
    )
    condition = f"({first} AND {empty_or_header} AND {matches} >= 2)"
    dropped = (REPEATED_HEADER_RULE, REPEATED_HEADER_REASON, condition)
    return _drop(conn, source, columns, file_name, sha, *dropped)


def _apply_drop_rules(conn, source, columns: list[str], file_name: str, sha: str) -> int:
    return sum(
        _drop(
            conn,
            source,
            columns,
            file_name,
            sha,
            rule["rule"],
            rule["reason"],
            drop_condition(rule),
        )  # fmt: skip
        for rule in source.spec.get("drop_rows", [])
    )


def _record_json(columns: list[str], alias: str) -> str:
    """A staged row as received (trimmed, null markers as nulls), under contract names,
    as JSON: the record kept beside a quarantined or dropped row (not staging's own
    columns: the typed values, sentinels, whether a time stated its offset)."""
    return (
        "to_json(struct_pack("
        + ", ".join(f"{quote(n)} := {alias}.{quote(n)}" for n in columns)
        + "))"
    )


def _drop(
    conn, source, columns: list[str], file_name: str, sha: str, rule: str, reason: str,
    condition: str,
) -> int:  # fmt: skip
    """Drop the staged rows of ``condition`` by the named rule, each kept whole in
    raw._dropped_rows; return how many (a count first: most rules drop nothing)."""
    (dropped,) = conn.execute(f"SELECT count(*) FROM _staged WHERE {condition}").fetchone()
    if dropped:
        conn.execute(
            f"INSERT INTO raw._dropped_rows (system, file_name, sha256, source_row, rule, "
            f"reason, record) SELECT {literal(source.system)}, {literal(file_name)}, "
            f"{literal(sha)}, _source_row, {literal(rule)}, {literal(reason)}, "
            f"{_record_json(columns, 'c')} FROM _staged c WHERE {condition}"
        )
        conn.execute(f"DELETE FROM _staged_data WHERE {condition}")
    return dropped


def drop_condition(rule: dict) -> str:
    """A drop rule as SQL: its ``where``, or the declarative forms (no SQL to write)."""
    if "where" in rule:
        return f"({rule['where']})"
    if "equals" in rule:
        values = ", ".join(literal(v.lower()) for v in rule["equals"])
        return f"(lower({quote(rule['column'])}) IN ({values}))"
    if "starts_with" in rule:
        prefixes = ", ".join(literal(v.lower()) for v in rule["starts_with"])
        column = f"lower({quote(rule['column'])})"
        return f"(list_bool_or([starts_with({column}, p) FOR p IN [{prefixes}]]))"
    return "(" + " AND ".join(f"{quote(c)} IS NULL" for c in rule["all_empty"]) + ")"


def _ensure_table(conn, source, table: str, extra_columns: list[str]) -> None:
    conn.execute("CREATE SCHEMA IF NOT EXISTS raw")
    definitions = [f"{quote(c['name'])} {column_type(c)}" for c in source.column_specs]
    definitions += [f"{quote(name)} {kind}" for name, kind in LINEAGE.items()]
    conn.execute(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(definitions)})")
    if not extra_columns:
        return
    existing = {
        row[0]
        for row in conn.execute(f"SELECT name FROM pragma_table_info({literal(table)})").fetchall()
    }
    for name in extra_columns:  # schema drift: keep what the department started sending
        if name in existing:  # (kept before, or a column a contract once named: as it is)
            continue
        conn.execute(f"ALTER TABLE {table} ADD COLUMN {quote(name)} VARCHAR")
        # marked, so a contract that later names it reads its text again (contract_columns)
        conn.execute(f"COMMENT ON COLUMN {table}.{quote(name)} IS {literal(DRIFT_MARK)}")


def _quarantine_file(path: Path, folder: Path, reason: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    shutil.move(str(path), target)
    (folder / f"{path.name}.reason.txt").write_text(
        f"File: {path.name}\nQuarantined: {datetime.now(UTC).isoformat()}\n"
        f"Why: {reason}\nWhat to do: fix the file (or its contract in "
        f"data_dictionary/sources/) and put it back in the landing folder.\n"
    )
