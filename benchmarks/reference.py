"""The plain-DuckDB reference: the platform's work on the sample city, without the platform.

    .venv/bin/python benchmarks/reference.py --landing data/bench-20/data/landing \
        --out /tmp/reference --compare data/bench-20/data/exports

One DuckDB connection, one process, no Dagster, dbt, Great Expectations or CKAN. It does
what a careful data engineer would write by hand to get the same four files out of the
same landing folder.

It covers the city's three original systems only, the 311 CRM (``crm311``), building
permits (``permits``) and payments (``payments``), and the four datasets built from them
alone: service_requests, building_permits, service_request_performance and
digital_adoption. The other systems' contracts and datasets are not read (their files,
if the landing folder holds any, are ignored): ``benchmarks/pipeline.py`` generates only
these three systems, so both sides do the same work. It handles every contract feature
those three use (encodings, header aliases, sentinels, formats, an Excel header row and
drop rule, min/max windows) and fails on none of the others because it never reads them.

1. reads every extract the three contracts name (CSV in its encoding, the Excel report from its
   header row, JSON Lines), maps headers by the contracts' aliases, trims, nulls the
   sentinels, types every value by the contract's formats and drops the rows that break
   the contract (a missing required value, a value that does not parse, a wall-clock time
   the city's clocks skipped, a value outside its plausible window, a dropped-row rule
   such as the report's total line);
2. keeps the latest version of each record (later file, later row);
3. builds the published tables with the same SQL as the dbt models (copied here, seeds
   read from ``dbt/seeds``): the two KPI tables on the scorecard's definitions (the 311
   rows of core.fct_service_transactions, the formulas of data_dictionary/metrics.yml as
   the dbt macro kpi_metric writes them) and the response-time table's small-cell
   suppression (the dbt macro's algorithm, with the rules the dictionary declares, and
   its last step, the platform's own hypercube function);
4. runs the same quality rules (required, unique, accepted values, pattern, min/max from
   the dataset entries) and the privacy rules (no value of a personal source column in a
   published text column, whole or as a run of 2-4 words; no e-mail, phone or SIN shape);
5. writes each dataset as CSV and Parquet, ordered by its key, with the platform's COPY
   options;
6. with ``--compare``, checks that every CSV holds the same rows as the platform's export
   (byte-identical, or else the same rows as a multiset) and exits non-zero if not.

It reads the dictionary YAML (contracts and dataset entries) rather than repeating it, so
both sides apply the same rules. What it leaves out is what the platform adds around the
work: the ledger and quarantine tables, lineage, file hashes, the Dagster event log, the
Data Docs, the portal. Its last line is one JSON object with the seconds per step.
"""

from __future__ import annotations

import argparse
import codecs
import json
import sys
import time
from pathlib import Path

import duckdb
import duckdb_ext  # the excel and encodings extensions, offline (as the platform)
import yaml

from dagster_project.lib.small_cell_protection import (
    protecting_complements,
    widening_complements,
)

PROJECT = Path(__file__).resolve().parents[1]
DICTIONARY = PROJECT / "data_dictionary"
SEEDS = PROJECT / "dbt" / "seeds"
# the small-cell rules as `make dictionary-generate` hands them to dbt (defaults filled in)
OPEN_DATA_MODELS = PROJECT / "dbt" / "models" / "marts" / "open_data" / "_open_data__models.yml"
# What it covers: the three original systems and the four datasets built from them only.
SYSTEMS = ("crm311", "permits", "payments")
DATASETS = (
    "service_requests", "building_permits", "service_request_performance", "digital_adoption",
)  # fmt: skip
ENCODINGS = ("utf-8", "cp1252")
DATE_WINDOW = ("DATE '1900-01-02'", "current_date + INTERVAL 10 YEAR")
MAX_TEXT = 10_000
IDENTIFYING_MAX_RECORDS, MIN_VALUE_LENGTH = 20, 3


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


# ---- 1. read and type ---------------------------------------------------------------


def decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 24), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def read_text(conn, path: Path, files: dict) -> str:
    """A SELECT of the file's rows as text, with ``_row`` (data row number)."""
    source, fmt = lit(path), files["format"]
    if fmt == "csv":
        encoding = next(e for e in ENCODINGS if decodes(path, e))
        return (
            f"SELECT *, row_number() OVER () AS _row FROM read_csv({source}, all_varchar=true, "
            f"header=true, encoding={lit(encoding)}, ignore_errors=true, strict_mode=true)"
        )
    if fmt == "xlsx":
        start = files.get("header_row", 1)
        return (
            f"SELECT *, row_number() OVER () AS _row FROM read_xlsx({source}, "
            f"sheet={lit(files['sheet'])}, header=true, all_varchar=true, "
            f"stop_at_empty=false, range='A{start}:Z1048576')"
        )
    return (
        f"SELECT *, row_number() OVER () AS _row FROM read_json({source}, "
        "format='newline_delimited', ignore_errors=true, columns={"
        + ", ".join(f"{lit(c['name'])}: 'VARCHAR'" for c in files["_columns"])
        + "})"
    )


CITY_TIMEZONE = yaml.safe_load((DICTIONARY / "city.yml").read_text())["city"]["timezone"]


def typed(text: str, column: dict, workbook: bool) -> str:
    kind = column["type"]
    if kind == "money":
        digits = f"regexp_replace({text}, '[$,()\\s]', '', 'g')"
        sign = f"CASE WHEN regexp_matches({text}, '^\\(.*\\)$') THEN -1 ELSE 1 END"
        return f"({sign} * TRY_CAST({digits} AS DECIMAL(18,2)))"
    if kind in ("date", "timestamp"):
        target = "DATE" if kind == "date" else "TIMESTAMP"
        tries = [f"TRY_CAST({text} AS {target})"] + [
            f"TRY_CAST(try_strptime({text}, {lit(f)}) AS {target})"
            for f in column.get("formats", [])
        ]
        if workbook:  # Excel day serials
            tries.append(
                f"CASE WHEN regexp_matches({text}, '^\\d{{5}}(\\.\\d+)?$') THEN CAST("
                f"TIMESTAMP '1899-12-30' + to_milliseconds(CAST(round(TRY_CAST({text} AS "
                f"DOUBLE) * 86400000) AS BIGINT)) AS {target}) END"
            )
        value = f"coalesce({', '.join(tries)})"
        if kind == "timestamp":  # a time the city's clocks skipped (02:30 the night they
            # go forward) never happened: no value, the row quarantined
            zone = lit(column.get("timezone") or CITY_TIMEZONE)
            back = f"timezone({zone}, timezone({zone}, {value}))"
            value = f"CASE WHEN hour({value}) BETWEEN 5 AND 20 OR {back} = {value} THEN {value} END"
        return value
    if kind == "varchar":
        return text
    return f"TRY_CAST({text} AS {kind.upper()})"


def broken(text: str, value: str, column: dict) -> list[str]:
    """Conditions under which the row breaks the contract on this column."""
    conditions = []
    if column.get("required"):
        conditions.append(f"{text} IS NULL")
    if column["type"] == "varchar":
        conditions.append(f"length({text}) > {int(column.get('max_length', MAX_TEXT))}")
        return conditions
    conditions.append(f"({text} IS NOT NULL AND {value} IS NULL)")
    low, high = column.get("min"), column.get("max")
    if column["type"] in ("date", "timestamp") and low is None and high is None:
        low, high = DATE_WINDOW
    if column.get("on_out_of_range") != "flag":
        for bound, op in ((low, "<"), (high, ">")):
            if bound is not None:
                conditions.append(f"coalesce({value} {op} {bound}, false)")
    return conditions


def load_source(conn, contract: dict, landing: Path) -> int:
    files, columns = contract["files"], contract["columns"]
    files["_columns"] = columns
    workbook = files["format"] == "xlsx"
    sentinels = ", ".join(lit(v) for v in sorted({"", *contract.get("null_values", [])}))
    parts = []
    for order, path in enumerate(sorted((landing / files["folder"]).glob(files["pattern"]))):
        text = read_text(conn, path, files)  # once: for a CSV it decodes the whole file
        names = [r[0] for r in conn.execute(f"DESCRIBE {text}").fetchall()]
        aliases = {
            a.strip().lower(): c["name"]
            for c in columns
            for a in [c["name"], *c.get("aliases", [])]
        }
        cleaned = ", ".join(
            f"CASE WHEN trim(replace({q(n)}, chr(160), ' ')) IN ({sentinels}) THEN NULL "
            f"ELSE trim(replace({q(n)}, chr(160), ' ')) END AS {q(aliases[n.strip().lower()])}"
            for n in names
            if n.strip().lower() in aliases
        )
        parts.append(f"SELECT {cleaned}, {order} AS _file, _row FROM ({text})")
    name = contract["raw_table"]
    conn.execute(f"CREATE TABLE text_{name} AS " + " UNION ALL BY NAME ".join(parts))
    for rule in contract.get("drop_rows", []):
        if "where" in rule:
            condition = rule["where"]
        elif "equals" in rule:
            listed = ", ".join(lit(v.lower()) for v in rule["equals"])
            condition = f"lower({q(rule['column'])}) IN ({listed})"
        elif "starts_with" in rule:
            condition = " OR ".join(
                f"starts_with(lower({q(rule['column'])}), {lit(v.lower())})"
                for v in rule["starts_with"]
            )
        else:
            condition = " AND ".join(f"{q(c)} IS NULL" for c in rule["all_empty"])
        conn.execute(f"DELETE FROM text_{name} WHERE {condition}")
    values = ", ".join(f"{typed(q(c['name']), c, workbook)} AS {q(c['name'])}" for c in columns)
    conditions = " OR ".join(
        f"coalesce({cond}, false)"
        for c in columns
        for cond in broken(q(c["name"]), typed(q(c["name"]), c, workbook), c)
    )
    conn.execute(
        f"CREATE TABLE {name} AS SELECT {values}, _file, _row FROM text_{name} "
        f"WHERE NOT ({conditions})"
    )
    conn.execute(f"DROP TABLE text_{name}")
    return conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0]


# ---- 2-3. dedupe and model ------------------------------------------------------------

ADDRESS = (
    "^([0-9]+)[A-Za-z]?[ ]+((?:[A-Z0-9][A-Za-z0-9''.-]*[ ]+){1,4}?)([A-Za-z]+)[.]?"
    "([ ]+(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West))?$"
)


def address_block(column: str) -> str:
    a, p = f"trim({column})", lit(ADDRESS)
    return (
        f"CASE WHEN regexp_matches({a}, {p}) AND lower(regexp_extract({a}, {p}, 3)) IN "
        f"(SELECT street_type FROM street_types) THEN CAST(CAST(regexp_extract({a}, {p}, 1) "
        f"AS BIGINT) // 100 * 100 AS VARCHAR) || ' block of ' || trim(regexp_extract({a}, "
        f"{p}, 2)) || ' ' || regexp_extract({a}, {p}, 3) || coalesce(regexp_extract({a}, "
        f"{p}, 4), '') END"
    )


def ward(column: str) -> str:
    number = f"try_cast(regexp_extract(CAST({column} AS VARCHAR), '([0-9]+)', 1) AS INTEGER)"
    return f"CASE WHEN {number} IN (SELECT ward_number FROM wards) THEN {number} END"


def status(column: str, labels: list[str]) -> str:
    whens = " ".join(f"WHEN {lit(label.lower())} THEN {lit(label)}" for label in labels)
    return f"CASE lower(trim({column})) {whens} WHEN 'canceled' THEN 'Cancelled' ELSE 'Unknown' END"


def shared(column: str) -> str:
    return (
        f"CASE WHEN {column} IS NULL THEN NULL WHEN count(*) OVER (PARTITION BY {column}) "
        f">= 5 THEN {column} ELSE 'Other' END"
    )


LATEST = "QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY _file DESC, _row DESC) = 1"


def build_models(conn) -> None:
    for seed in SEEDS.glob("*.csv"):
        conn.execute(f"CREATE TABLE {seed.stem} AS SELECT * FROM read_csv({lit(seed)})")
    conn.execute(
        "CREATE TABLE channels AS SELECT a.source_label, c.channel_code, c.is_online "
        "FROM channel_aliases a JOIN intake_channels c USING (channel_code)"
    )
    conn.execute(f"""
        CREATE TABLE requests AS
        WITH latest AS (SELECT * FROM crm311_service_requests {LATEST.format(key="request_id")}),
        classified AS (
            SELECT r.request_id, r.created_at, r.closed_at,
                {status("r.status", ["Open", "In Progress", "Closed", "Cancelled"])} AS status,
                trim(r.service_category) AS service_category,
                trim(r.service_type) AS service_type,
                coalesce(ch.channel_code, 'unknown') AS intake_channel,
                coalesce(ch.is_online, false) AS is_online_request,
                {ward("r.ward")} AS ward_number,
                {address_block("r.street_address")} AS address_block,
                cat.division_id, cat.target_days,
                (r.closed_at IS NOT NULL AND r.closed_at < r.created_at) AS invalid_close
            FROM latest r
            LEFT JOIN channels ch ON ch.source_label = lower(trim(r.intake_channel))
            LEFT JOIN service_categories cat ON cat.service_category = trim(r.service_category))
        SELECT *,
            CASE WHEN status = 'Closed' AND NOT invalid_close AND closed_at IS NOT NULL
                THEN date_diff('second', created_at, closed_at) / 86400.0 END AS days_to_close,
            CASE WHEN status = 'Cancelled' THEN NULL ELSE coalesce(status = 'Closed'
                AND NOT invalid_close AND date_diff('second', created_at, closed_at) / 86400.0
                <= target_days, false) END AS within_target,
            CASE WHEN invalid_close THEN 'The CRM records a closed time before the created '
                || 'time; days_to_close is empty.' END AS note
        FROM classified""")
    conn.execute(f"""
        CREATE TABLE pub_service_requests AS SELECT
            CAST(request_id AS VARCHAR) AS request_id,
            CAST(created_at AS TIMESTAMP) AS created_at,
            CAST(closed_at AS TIMESTAMP) AS closed_at, status, service_category,
            CAST({shared("service_type")} AS VARCHAR) AS service_type,
            d.division_name AS responsible_division, intake_channel, is_online_request,
            ward_number, address_block,
            CAST(round(days_to_close, 3) AS DOUBLE) AS days_to_close,
            CAST(target_days AS INTEGER) AS target_days,
            within_target AS is_closed_within_target, note AS data_quality_note
        FROM requests LEFT JOIN divisions d USING (division_id)""")
    conn.execute(f"""
        CREATE TABLE pub_building_permits AS
        WITH latest AS (
            SELECT * FROM permits_building_permits
            {LATEST.format(key="trim(permit_number)")})
        SELECT trim(permit_number) AS permit_number, application_date, issue_date,
            completion_date, CAST({shared("trim(permit_type)")} AS VARCHAR) AS permit_type,
            trim(permit_class) AS permit_class,
            CAST(construction_value AS DECIMAL(14, 2)) AS construction_value,
            {ward("ward")} AS ward_number, {address_block("address")} AS address_block,
            {status("status", ["Applied", "Under Review", "Issued", "Completed", "Cancelled"])}
                AS status,
            CASE WHEN issue_date >= application_date
                THEN CAST(date_diff('day', application_date, issue_date) AS INTEGER) END
                AS days_to_issue
        FROM latest""")
    build_transactions(conn)
    conn.execute(f"""
        CREATE TABLE performance_cells AS SELECT month, service_category, ward_number,
            count(*) AS requests_received, count(completed_at) AS requests_closed,
            {MEDIAN} AS median_days_to_close, CAST(max(standard_days) AS INTEGER) AS target_days,
            {share("is_within_standard")} AS share_closed_within_target
        FROM transactions JOIN requests USING (request_id) GROUP BY ALL""")
    suppress_small_cells(
        conn, "pub_service_request_performance", "performance_cells", "performance_suppressed"
    )
    conn.execute("""
        CREATE TABLE pub_service_request_performance AS SELECT month, service_category,
            ward_number, requests_received, requests_closed,
            CAST(round(median_days_to_close, 3) AS DOUBLE) AS median_days_to_close,
            target_days,
            CAST(round(share_closed_within_target, 4) AS DOUBLE) AS share_closed_within_target,
            is_suppressed
        FROM performance_suppressed""")
    conn.execute(f"""
        CREATE TABLE pub_digital_adoption AS
        WITH months AS (
            SELECT DISTINCT CAST(date_trunc('month', d) AS DATE) AS month
            FROM generate_series(DATE '2024-01-01', CAST(date_trunc('year', current_date)
                + INTERVAL 2 YEAR - INTERVAL 1 DAY AS DATE), INTERVAL 1 DAY) t(d)),
        r AS (SELECT month, count(*) AS n, count(*) FILTER (WHERE is_online) AS online,
                {share("is_online")} AS share_online
              FROM transactions GROUP BY 1),
        latest AS (SELECT * FROM payments_payments {LATEST.format(key="payment_id")}),
        paid AS (SELECT CAST(date_trunc('month', p.paid_at) AS DATE) AS month, p.amount,
                -- an unrecorded channel says nothing about being online
                CASE WHEN coalesce(ch.channel_code, 'unknown') != 'unknown'
                    THEN coalesce(ch.is_online, false) END AS is_online
              FROM latest p LEFT JOIN channels ch ON ch.source_label = lower(trim(p.channel))),
        p AS (SELECT month, count(*) AS n, count(*) FILTER (WHERE is_online) AS online,
                {share("is_online")} AS share_online, sum(amount) AS amount,
                coalesce(sum(amount) FILTER (WHERE is_online), 0) AS online_amount
              FROM paid GROUP BY 1)
        SELECT months.month, coalesce(r.n, 0) AS service_requests,
            coalesce(r.online, 0) AS online_service_requests,
            CAST(round(r.share_online, 4) AS DOUBLE) AS share_service_requests_online,
            coalesce(p.n, 0) AS payments, coalesce(p.online, 0) AS online_payments,
            CAST(round(p.share_online, 4) AS DOUBLE) AS share_payments_online,
            CAST(coalesce(p.amount, 0) AS DECIMAL(18, 2)) AS payments_amount,
            CAST(coalesce(p.online_amount, 0) AS DECIMAL(18, 2)) AS online_payments_amount
        FROM months LEFT JOIN r USING (month) LEFT JOIN p USING (month)
        WHERE r.month IS NOT NULL OR p.month IS NOT NULL""")


# The scorecard's KPI formulas (data_dictionary/metrics.yml, dbt macro kpi_metric).
MEDIAN = "CAST(quantile_cont(processing_days, 0.5) AS DOUBLE)"


def share(flag: str) -> str:
    return f"avg(CASE WHEN {flag} THEN 1e0 WHEN {flag} IS NOT NULL THEN 0e0 END)"


# 311 categories -> services of the inventory (int_service_transactions__requests).
CATEGORY_SERVICES = {
    "Roads": "311-roads", "Waste": "311-waste", "Parks": "311-parks", "Water": "311-water",
    "By-law": "311-bylaw", "Animal Services": "311-animal-services", "Snow": "311-snow",
    "Transit": "311-transit",
}  # fmt: skip


def build_transactions(conn) -> None:
    """The 311 rows of core.fct_service_transactions: cancelled requests left out."""
    mapping = ", ".join(f"({lit(c)}, {lit(s)})" for c, s in CATEGORY_SERVICES.items())
    conn.execute(f"""
        CREATE TABLE transactions AS
        WITH t AS (
            SELECT r.request_id, r.created_at AS started_at, r.closed_at AS completed_at,
                r.intake_channel AS channel_code, m.service_id
            FROM requests r JOIN (VALUES {mapping}) m(service_category, service_id)
                ON m.service_category = r.service_category
            WHERE r.status != 'Cancelled')
        SELECT t.*, CAST(date_trunc('month', started_at) AS DATE) AS month,
            CASE WHEN t.channel_code != 'unknown' THEN c.is_online END AS is_online,
            CASE WHEN completed_at >= started_at
                THEN date_diff('minute', started_at, completed_at) / 60.0 / 24.0 END
                AS processing_days,
            CAST(s.standard_days AS DOUBLE) AS standard_days,
            processing_days <= CAST(s.standard_days AS DOUBLE) AS is_within_standard
        FROM t LEFT JOIN services s USING (service_id)
        LEFT JOIN intake_channels c ON c.channel_code = t.channel_code""")


def suppress_small_cells(conn, model: str, cells: str, out: str) -> None:
    """The dbt macro small_cell_suppression, with the rules the dictionary declares (as
    ``make dictionary-generate`` hands them to dbt): primary suppression of counts from 1
    to threshold - 1, then complementary suppression along each total, round after round,
    the hypercubes, and the groups widened to the threshold (the macro's steps)."""
    models = yaml.safe_load(OPEN_DATA_MODELS.read_text())["models"]
    rules = next(m for m in models if m["name"] == model)["config"]["meta"]["small_cells"]
    keys, threshold = rules["dimensions"], rules["threshold"]
    counts = [c["column"] for c in rules["counts"]]
    conn.execute(
        f"CREATE TEMP TABLE step AS SELECT row_number() OVER (ORDER BY {', '.join(keys)}) "
        f"AS cell_id, {', '.join(keys)}, "
        + ", ".join(
            f"{c} AS count_{i}, coalesce({c} BETWEEN 1 AND {threshold - 1}, false) AS s_{i}"
            for i, c in enumerate(counts)
        )
        + f" FROM {cells}"
    )
    for i in range(len(counts)):
        # the rounds, the hypercubes, and the groups widened to the threshold, until a
        # pass widens none (the function's loop: lib/small_cell_protection.py)
        while True:
            _complement_rounds(conn, keys, rules, i)
            _protect_with_hypercubes(conn, keys, rules["totals_along"], i)
            if not _widen_to_threshold(conn, keys, rules["totals_along"], i, threshold):
                break
    blanks = {}
    for i, count in enumerate(rules["counts"]):
        for column in [count["column"], *count.get("determines", [])]:
            blanks.setdefault(column, []).append(f"step.s_{i}")
    replaced = ", ".join(
        f"CASE WHEN NOT ({' OR '.join(flags)}) THEN c.{column} END AS {column}"
        for column, flags in blanks.items()
    )
    flag = " OR ".join(f"step.s_{i}" for i in range(len(counts)))
    conn.execute(
        f"CREATE TABLE {out} AS SELECT c.* EXCLUDE (cell_id) REPLACE ({replaced}), "
        f"{flag} AS {rules['flag']} FROM (SELECT row_number() OVER (ORDER BY "
        f"{', '.join(keys)}) AS cell_id, * FROM {cells}) c JOIN step USING (cell_id)"
    )


def _complement_rounds(conn, keys: list[str], rules: dict, i: int) -> None:
    """Complementary suppression of count ``i`` along each total, round after round."""
    for _ in range(rules["max_rounds"]):
        for along in rules["totals_along"]:
            group = [k for k in keys if k != along["dimension"]]
            if along.get("within"):
                group.append(along["within"])
            partition = f"PARTITION BY {', '.join(group)}" if group else ""
            in_group = f"sum(CASE WHEN s_{i} THEN 1 ELSE 0 END) OVER ({partition})"
            rank = (
                f"row_number() OVER ({partition} ORDER BY CASE WHEN s_{i} OR count_{i} "
                f"IS NULL THEN 2 WHEN count_{i} = 0 THEN 1 ELSE 0 END, count_{i}, "
                f"{', '.join(keys)})"
            )
            part = (
                f"s_{i} OR ({in_group} = 1 AND {rank} = 1 AND NOT s_{i} AND count_{i} "
                f"IS NOT NULL) AS s_{i}"
            )
            conn.execute(f"CREATE TEMP TABLE next_step AS SELECT * REPLACE ({part}) FROM step")
            conn.execute("DROP TABLE step")
            conn.execute("ALTER TABLE next_step RENAME TO step")


def _widen_to_threshold(conn, keys: list[str], totals: list[dict], i: int, threshold: int) -> bool:
    """The macro's step 3, from the platform's own function: a group holding a small
    count whose suppressed cells count less than the threshold gets more of its cells
    suppressed. True when it suppressed any."""
    group_keys = _group_keys(keys, totals)
    rows = conn.execute(
        f"SELECT cell_id, coalesce(count_{i} BETWEEN 1 AND {threshold - 1}, false), s_{i}, "
        f"CAST(count_{i} AS DOUBLE), [{group_keys}] FROM step ORDER BY cell_id"
    ).fetchall()
    if not rows:
        return False
    ids, small, hidden, amounts, cell_keys = zip(*rows, strict=True)
    added = widening_complements(small, list(hidden), amounts, cell_keys, threshold)
    if added:
        listed = ", ".join(str(ids[j]) for j in added)
        conn.execute(f"UPDATE step SET s_{i} = true WHERE cell_id IN ({listed})")
    return bool(added)


def _group_keys(keys: list[str], totals: list[dict]) -> str:
    """Each cell's group along each total, in the macro's JSON form."""
    return ", ".join(
        "to_json({"
        + "".join(f"'{k}': {k}, " for k in keys if k != t["dimension"])
        + f"'_within': {t.get('within') or 'null'}}})::VARCHAR"
        for t in totals
    )


def _protect_with_hypercubes(conn, keys: list[str], totals: list[dict], i: int) -> None:
    """The macro's last step: the complements no combination of the totals sees through,
    from the platform's own function (lib/small_cell_protection.py: the algorithm, not a
    copy), on the same lists the macro hands it (group keys in the macro's JSON form)."""
    coordinates = ", ".join(f"CAST({t['dimension']} AS VARCHAR)" for t in totals)
    group_keys = _group_keys(keys, totals)
    rows = conn.execute(
        f"SELECT cell_id, s_{i}, CAST(count_{i} AS DOUBLE), [{coordinates}], [{group_keys}] "
        "FROM step ORDER BY cell_id"
    ).fetchall()
    if not rows:
        return
    ids, hidden, amounts, cell_coordinates, cell_keys = zip(*rows, strict=True)
    extra = [ids[j] for j in protecting_complements(hidden, amounts, cell_coordinates, cell_keys)]
    if extra:
        conn.execute(
            f"UPDATE step SET s_{i} = true WHERE cell_id IN ({', '.join(map(str, extra))})"
        )


# ---- 4. quality and privacy -----------------------------------------------------------


def quality_failures(conn, table: str, entry: dict) -> list[str]:
    failures = []
    for column in entry["columns"]:
        c = q(column["name"])
        checks = []
        if column.get("required"):
            checks.append(("required", f"count(*) FILTER (WHERE {c} IS NULL)"))
        if column.get("unique"):
            checks.append(("unique", f"count({c}) - count(DISTINCT {c})"))
        if values := column.get("accepted_values"):
            listed = ", ".join(lit(v) for v in values)
            checks.append(("accepted", f"count(*) FILTER (WHERE {c} NOT IN ({listed}))"))
        if pattern := column.get("pattern"):
            checks.append(
                ("pattern", f"count(*) FILTER (WHERE NOT regexp_full_match({c}, {lit(pattern)}))")
            )
        for bound, op in (("min", "<"), ("max", ">")):
            if column.get(bound) is not None:
                value = column[bound]  # a number, or a date written as text
                value = value if isinstance(value, int | float) else lit(value)
                checks.append((bound, f"count(*) FILTER (WHERE {c} {op} {value})"))
        if checks:
            counts = conn.execute(
                f"SELECT {', '.join(sql for _, sql in checks)} FROM {table}"
            ).fetchone()
            failures += [
                f"{column['name']}: {r}" for (r, _), n in zip(checks, counts, strict=True) if n
            ]
    return failures


# (with the platform's fast path for a value already in normal form: the same text)
_WORD = "[a-z0-9@+'']([a-z0-9@.+''-]*[a-z0-9@+''])?"
NORMALISED = (
    f"CASE WHEN regexp_full_match(lower(CAST({{0}} AS VARCHAR)), '{_WORD}( {_WORD})*') "
    "THEN lower(CAST({0} AS VARCHAR)) ELSE "
    "trim(regexp_replace(lower(CAST({0} AS VARCHAR)), '[^[:alnum:]@.+''-]+', ' ', 'g'), ' .-') "
    "END"
)
SHAPES = {
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
    "phone": r"(\(?\b[2-9][0-9]{2}\)?[ .-]?[2-9][0-9]{2}[ .-]?[0-9]{4}\b)",
    "sin": r"\b[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{3}\b",
}


def personal_values(conn, contracts: list[dict]) -> None:
    parts = [
        f"SELECT {NORMALISED.format(q(c['name']))} AS value FROM {s['raw_table']}"
        for s in contracts
        for c in s["columns"]
        if c.get("classification") == "personal"
    ]
    conn.execute(
        f"CREATE TABLE personal_values AS SELECT value FROM ({' UNION ALL '.join(parts)}) "
        f"WHERE length(value) >= {MIN_VALUE_LENGTH} GROUP BY value "
        f"HAVING count(*) <= {IDENTIFYING_MAX_RECORDS}"
    )


def privacy_failures(conn, table: str, entry: dict) -> list[str]:
    failures = []
    text_columns = [r[0] for r in conn.execute(f"DESCRIBE {table}").fetchall() if r[1] == "VARCHAR"]
    patterns = {c["name"]: c.get("pattern") for c in entry["columns"]}
    for name in text_columns:
        c = q(name)
        conn.execute(
            f"CREATE OR REPLACE TEMP TABLE distinct_values AS SELECT {c} AS v, count(*) AS n "
            f"FROM {table} WHERE {c} IS NOT NULL GROUP BY {c}"
        )
        words = f"string_split({NORMALISED.format('v')}, ' ')"
        grams = (
            f"list_concat([{NORMALISED.format('v')}], flatten(list_transform([2, 3, 4], k -> "
            f"list_transform(range(1, len({words}) - k + 2), "
            f"i -> array_to_string({words}[i:i + k - 1], ' ')))))"
        )
        hits = conn.execute(
            f"SELECT count(*) FROM (SELECT DISTINCT v FROM (SELECT v, unnest({grams}) AS g "
            "FROM distinct_values) JOIN personal_values ON g = value)"
        ).fetchone()[0]
        if hits:
            failures.append(f"{name}: personal value")
        own = f" AND NOT regexp_full_match(v, {lit(patterns[name])})" if patterns.get(name) else ""
        for shape, regex in SHAPES.items():
            found = conn.execute(
                f"SELECT count(*) FROM distinct_values WHERE regexp_matches(v, {lit(regex)}){own}"
            ).fetchone()[0]
            if found:
                failures.append(f"{name}: {shape}")
    return failures


# ---- 5-6. write and compare -----------------------------------------------------------


def write(conn, table: str, keys: list[str], out: Path) -> Path:
    order = ", ".join(q(k) for k in keys) if keys else "ALL"
    query = f"SELECT * FROM {table} ORDER BY {order}"
    csv_path = out / f"{table}.csv"
    conn.execute(
        f"COPY ({query}) TO {lit(csv_path)} (FORMAT csv, HEADER true, DATEFORMAT '%Y-%m-%d', "
        "TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%S')"
    )
    conn.execute(
        f"COPY ({query}) TO {lit(out / f'{table}.parquet')} (FORMAT parquet, COMPRESSION zstd)"
    )
    return csv_path


def same_rows(conn, ours: Path, theirs: Path) -> str:
    if ours.read_bytes() == theirs.read_bytes():
        return "byte-identical"
    options = "all_varchar=true, header=true"
    missing, extra = conn.execute(
        f"SELECT (SELECT count(*) FROM (FROM read_csv({lit(ours)}, {options}) EXCEPT ALL "
        f"FROM read_csv({lit(theirs)}, {options}))), (SELECT count(*) FROM (FROM "
        f"read_csv({lit(theirs)}, {options}) EXCEPT ALL FROM read_csv({lit(ours)}, {options})))"
    ).fetchone()
    if missing or extra:
        return f"DIFFERENT: {missing} rows only here, {extra} only in the platform's file"
    return "same rows (in another order or spelling)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--compare", type=Path, help="the platform's exports folder")
    parser.add_argument(
        "--memory-limit", help="DuckDB's memory_limit (default: DuckDB's own, 80%% of RAM)"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    database = args.out / "reference.duckdb"
    database.unlink(missing_ok=True)
    seconds: dict[str, float] = {}
    started = time.monotonic()

    def lap(step: str) -> None:
        nonlocal started
        seconds[step] = round(time.monotonic() - started, 2)
        started = time.monotonic()

    extensions = Path(next(iter(duckdb_ext.__path__))) / "extensions"
    conn = duckdb.connect(str(database), config={"extension_directory": str(extensions)})
    if args.memory_limit:
        conn.execute(f"SET memory_limit = {lit(args.memory_limit)}")
    contracts = [
        contract
        for p in sorted((DICTIONARY / "sources").glob("*.yml"))
        if (contract := yaml.safe_load(p.read_text()))["system"] in SYSTEMS
    ]
    entries = {
        d: yaml.safe_load((DICTIONARY / "datasets" / f"{d}.yml").read_text()) for d in DATASETS
    }
    for contract in contracts:
        load_source(conn, contract, args.landing)
    lap("read_and_type")
    build_models(conn)
    lap("models")
    problems = {}
    for dataset, entry in entries.items():
        problems[dataset] = quality_failures(conn, f"pub_{dataset}", entry)
    lap("quality")
    personal_values(conn, contracts)
    for dataset, entry in entries.items():
        problems[dataset] += privacy_failures(conn, f"pub_{dataset}", entry)
    lap("privacy")
    written = {}
    for dataset, entry in entries.items():
        keys = [c["name"] for c in entry["columns"] if c.get("unique")]
        if not problems[dataset]:
            written[dataset] = write(conn, f"pub_{dataset}", keys, args.out)
    lap("write")
    total = sum(seconds.values())
    for dataset in entries:
        print(f"{dataset}: {'; '.join(problems[dataset]) or 'passed'}", flush=True)
    differing = 0
    if args.compare:
        for dataset, path in written.items():
            verdict = same_rows(conn, path, args.compare / dataset / f"pub_{dataset}.csv")
            differing += verdict.startswith("DIFFERENT")
            print(f"{dataset}: {verdict}")
    conn.close()
    print(json.dumps({"reference_s": round(total, 1), **seconds, "differing": differing}))
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
