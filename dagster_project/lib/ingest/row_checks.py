"""The contract's checks on each staged row, and the reports they leave in the ledger.

- ``_failures`` (quarantine): a row the reader could not split, a required value
  missing, a text value over its ``max_length`` (default 10,000 characters), a value
  that does not parse as its type, an amount with more decimals than its column keeps
  (it would be rounded), a value outside the plausible
  window when the contract says ``on_out_of_range: quarantine`` (the default), a NUL
  character inside a text, a number written with dots between groups of three digits in
  a column that writes decimals with a comma elsewhere;
- ``_flags``: values outside the window under ``on_out_of_range: flag``, and dates two
  of the contract's formats read differently: loaded as they are (by the first format),
  and listed in ``raw._flagged_values`` for the department;
- key conflicts (``raw._key_conflicts``): two rows of one file with the same primary key,
  or a key already loaded from another file with other values. Staging keeps the latest
  version; the report shows both versions of each column that differs.
"""

from __future__ import annotations

import re

from ..warehouse import literal, quote
from .contract_sql import (
    SENTINEL_PREFIX,
    WALL_CLOCK_PREFIX,
    ambiguous_wall_clock,
    invalid_value,
    money_rounded,
    money_scale,
    out_of_range,
)
from .readers import columns_of

# A text value longer than this is a broken export (a whole file in one cell), not data.
MAX_TEXT_LENGTH = 10_000
EMPTY = (
    "SELECT NULL::BIGINT AS _source_row, NULL AS column_name, NULL AS rule, "
    "NULL AS raw_value WHERE false"
)


NUL_RULE = (
    "value: holds a NUL character (binary or corrupted data; the portal's database "
    "refuses it), shown as \\0"
)


NUMBER_TYPES = ("money", "integer", "bigint", "double")
# A number written with dots between groups of three digits ("1.500", "12.345.678"): in
# a file that writes decimals with a comma ("1.234,56", "12,50": quarantined as no
# number) it is fifteen hundred, where the cast reads one and a half
DOT_GROUPS = r"\s*[+-]?\s*\$?\s*[0-9]{1,3}([.][0-9]{3})+\s*\$?\s*"
DECIMAL_COMMA = r"\s*[+-]?\s*\$?\s*([0-9]{1,3}([.][0-9]{3})+,[0-9]*|[0-9]+,[0-9]{1,2})\s*\$?\s*"
EUROPEAN_GROUPS_RULE = (
    "number: dots between groups of three digits in a column that writes decimals with a "
    "comma elsewhere (1.234,56): a thousands group or a decimal point? not guessed"
)
# A number written with commas between groups of three digits and no decimal point
# ("1,250"): one thousand two hundred and fifty, or 1.25 written with a decimal comma?
# Not guessed where decimal commas are written: in a column that writes one elsewhere
# ("12,50"), or in a file whose fields are separated by ";" (the decimal-comma
# countries' CSV, a Quebec system's), unless the contract says its thousands are
# grouped with commas (files: thousands_separator: ",")
COMMA_GROUPS = r"\s*[+-]?\s*\$?\s*[1-9][0-9]{0,2}(,[0-9]{3})+\s*\$?\s*"
COMMA_GROUPS_RULE = (
    "number: a comma between groups of three digits where decimals are written with a "
    "comma (1,250: twelve hundred and fifty, or 1.25?): not guessed"
)


def _columns_with_decimal_commas(conn, contract: dict[str, dict]) -> set[str]:
    """The number columns some value of which (in this file) has a decimal comma: one
    scan of them all for a comma, and a closer look at the columns that hold one. Only
    values that did not type are looked at: no number type reads a decimal comma
    ("12,50", "1.234,56"), and the untyped values are a few (the scan of every value
    of four columns cost a storm's pings 0.016 s; of the few, under a millisecond)."""
    numbers = [n for n, c in contract.items() if c["type"] in NUMBER_TYPES]
    if not numbers:
        return set()
    untyped = {n: f"{quote('__typed__' + n)} IS NULL" for n in numbers}
    commas = conn.execute(
        "SELECT "
        + ", ".join(
            f"bool_or(contains({quote(n)}, ',')) FILTER (WHERE {untyped[n]})" for n in numbers
        )
        + f" FROM _staged WHERE {' OR '.join(untyped.values())}"
    ).fetchone()
    found = set()
    for name in (n for n, has in zip(numbers, commas, strict=True) if has):
        (yes,) = conn.execute(
            f"SELECT bool_or(regexp_full_match({quote(name)}, {literal(DECIMAL_COMMA)})) "
            f"FROM _staged WHERE {untyped[name]} AND contains({quote(name)}, ',')"
        ).fetchone()
        if yes:
            found.add(name)
    return found


SUB_MICROSECOND_RULE = (
    "time: more precise than a microsecond; loaded to the microsecond (the digits after "
    "the sixth dropped)"
)
FORMATS_DISAGREE_RULE = (
    "date: two of the contract's formats read it as different times (03/04/2024: "
    "March 4th or April 3rd?); read by the first"
)


def _formats_disagree(column_sql: str, column: dict) -> str | None:
    """SQL true when two of the column's formats both read the value, differently: a
    contract that lists "%m/%d/%Y" and "%d/%m/%Y" reads 03/04/2024 as March 4th and
    13/04/2024 as April 13th, and the first choice was silent."""
    formats = column.get("formats", [])
    if column["type"] not in ("date", "timestamp", "timestamptz") or len(formats) < 2:
        return None
    # Only formats of one shape can both read a text ("%m/%d/%Y" and "%d/%m/%Y"; not
    # "%Y-%m-%d" and "%m/%d/%Y"): the others cost two parses a value for nothing (0.8 s
    # on a million 311 requests)
    pairs = [
        (a, b)
        for i, a in enumerate(formats)
        for b in formats[i + 1 :]
        if re.sub("%[a-zA-Z]", "%", a) == re.sub("%[a-zA-Z]", "%", b)
    ]
    if not pairs:
        return None

    def reading(fmt: str) -> str:
        return f"try_strptime({column_sql}, {literal(fmt)})"

    return " OR ".join(
        f"({reading(a)} IS NOT NULL AND {reading(b)} IS NOT NULL AND {reading(a)} <> {reading(b)})"
        for a, b in pairs
    )


def collect_failures(
    conn,
    contract: dict[str, dict],
    quarantined_keys: list[str] | None = None,
    row_rules: list[dict] | None = None,
    nul_columns: list[str] | None = None,
    decimal_comma_file: bool = False,
) -> None:
    """Build ``_failures`` and ``_flags``: one row per (row, column) that breaks the
    contract. Cheap scans of ``_staged``: the typing was already done there.
    ``decimal_comma_file``: the file may write decimals with a comma (``COMMA_GROUPS``).
    ``quarantined_keys``: the primary key, when the contract says rows whose key repeats
    within the file are quarantined (``repeated_keys: quarantine``). ``row_rules``: the
    contract's rules between two columns of a row (quarantine, flag or null).
    ``nul_columns``: the text columns to look in for a NUL character (the file may hold
    one: contract_sql.may_hold_nul); one inside a value quarantines the row."""
    # rows the reader could not split into fields: the whole row, with its raw text
    failures = ["SELECT _source_row, NULL AS column_name, rule, raw_value FROM _rejected"]
    # values the reader read, but that say the system making the file failed on them
    # (a workbook's Excel errors: loader._excel_errors), in rows still staged: a totals
    # row a drop_rows rule dropped may show #DIV/0! (counted dropped, not quarantined too)
    failures.append(
        "SELECT _source_row, column_name, rule, raw_value FROM _cell_failures "
        "WHERE _source_row IN (SELECT _source_row FROM _staged)"
    )
    if quarantined_keys:
        keys = ", ".join(quote(k) for k in quarantined_keys)
        shown = " || '|' || ".join(f"coalesce({quote(k)}, '')" for k in quarantined_keys)
        failures.append(
            f"SELECT _source_row, {literal(', '.join(quarantined_keys))}, "
            "'key: repeated in this file (the contract quarantines repeated keys)', "
            f"{shown} FROM _staged WHERE ({keys}) IN (SELECT ({keys}) FROM _staged "
            f"WHERE {' AND '.join(f'{quote(k)} IS NOT NULL' for k in quarantined_keys)} "
            f"GROUP BY {keys} HAVING count(*) > 1)"
        )
    for name in nul_columns or []:
        failures.append(
            f"SELECT _source_row, {literal(name)}, {literal(NUL_RULE)}, "
            f"replace(left({quote(name)}, 200), chr(0), '\\0') FROM _staged "
            f"WHERE contains({quote(name)}, chr(0))"
        )
    flags = [EMPTY]
    decimal_commas = _columns_with_decimal_commas(conn, contract)
    for name, column in contract.items():
        column_sql, typed_sql = quote(name), quote("__typed__" + name)
        if column.get("required"):
            failures.append(
                f"SELECT _source_row, {literal(name)}, 'required: value is missing', "
                f"NULL FROM _staged WHERE {column_sql} IS NULL"
            )
        if (rule := invalid_value(column_sql, column)) is not None:
            condition, words = rule
            target = failures if column.get("on_invalid") == "quarantine" else flags
            target.append(
                f"SELECT _source_row, {literal(name)}, {literal(words)}, {column_sql} "
                f"FROM _staged WHERE {condition}"
            )
        if column["type"] == "varchar":
            limit = int(column.get("max_length", MAX_TEXT_LENGTH))
            failures.append(
                f"SELECT _source_row, {literal(name)}, "
                f"{literal(f'length: over {limit:,} characters')}, left({column_sql}, 200) "
                f"FROM _staged WHERE length({column_sql}) > {limit}"
            )
            continue
        failures.append(
            f"SELECT _source_row, {literal(name)}, "
            f"{literal('type: not a valid ' + column['type'])}, {column_sql} "
            f"FROM _staged WHERE {column_sql} IS NOT NULL AND {typed_sql} IS NULL"
        )
        if name in decimal_commas:  # "1.500": 1.5, or 1,500 written the European way?
            failures.append(
                f"SELECT _source_row, {literal(name)}, {literal(EUROPEAN_GROUPS_RULE)}, "
                f"{column_sql} FROM _staged WHERE {typed_sql} IS NOT NULL AND "
                f"contains({column_sql}, '.') AND "
                f"regexp_full_match({column_sql}, {literal(DOT_GROUPS)})"
            )
        if column["type"] in NUMBER_TYPES and (name in decimal_commas or decimal_comma_file):
            failures.append(  # "1,250": 1250, or 1.25 written with a decimal comma?
                f"SELECT _source_row, {literal(name)}, {literal(COMMA_GROUPS_RULE)}, "
                f"{column_sql} FROM _staged WHERE {typed_sql} IS NOT NULL AND "
                f"contains({column_sql}, ',') AND "
                f"regexp_full_match({column_sql}, {literal(COMMA_GROUPS)})"
            )
        if column["type"] == "money":  # never round an amount in silence
            words = (
                f"money: more than {money_scale(column)} decimals; loading it would round "
                "it (the contract's scale: says how many the source keeps)"
            )
            failures.append(
                f"SELECT _source_row, {literal(name)}, {literal(words)}, {column_sql} "
                f"FROM _staged WHERE {typed_sql} IS NOT NULL AND "
                f"{money_rounded(column_sql, column)}"
            )
        if column["type"] in ("timestamp", "timestamptz"):
            # a time past the microsecond ("10:00:00.1234567", SQL Server's and .NET's
            # default): loaded to the microsecond, the digits after it dropped, said so
            flags.append(
                f"SELECT _source_row, {literal(name)}, {literal(SUB_MICROSECOND_RULE)}, "
                f"{column_sql} FROM _staged WHERE {typed_sql} IS NOT NULL AND "
                f"contains({column_sql}, '.') AND "
                # (a clock time's seconds: a workbook's day serial, 45292.41666666666, is
                # no time written past the microsecond)
                f"regexp_matches({column_sql}, ':[0-9]{{2}}[.][0-9]{{6}}[0-9]*[1-9]')"
            )
        if (two_readings := _formats_disagree(column_sql, column)) is not None:
            flags.append(
                f"SELECT _source_row, {literal(name)}, {literal(FORMATS_DISAGREE_RULE)}, "
                f"{column_sql} FROM _staged WHERE {two_readings}"
            )
        # (staging kept whether each such value stated no offset: loader._build_staged)
        if twice := ambiguous_wall_clock(
            column_sql, typed_sql, column, wall_clock_sql=quote(WALL_CLOCK_PREFIX + name)
        ):
            condition, words = twice
            flags.append(
                f"SELECT _source_row, {literal(name)}, {literal(words)}, {column_sql} "
                f"FROM _staged WHERE {condition}"
            )
        if (window := out_of_range(typed_sql, column)) is not None:
            condition, words = window
            target = flags if column.get("on_out_of_range") == "flag" else failures
            target.append(
                f"SELECT _source_row, {literal(name)}, {literal(words)}, {column_sql} "
                f"FROM _staged WHERE {typed_sql} IS NOT NULL AND {condition}"
            )
    for name, column in contract.items():  # the column's own "no value" markers
        if column.get("null_values"):
            flags.append(
                f"SELECT _source_row, {literal(name)}, 'null sentinel: a value the contract "
                f"says stands for no value (loaded empty)', {quote(SENTINEL_PREFIX + name)} "
                f"FROM _staged WHERE {quote(SENTINEL_PREFIX + name)} IS NOT NULL"
            )
    for rule in rules_for_file(row_rules, contract):
        broken, words = row_rule_condition(rule, contract)
        target = failures if rule["action"] == "quarantine" else flags
        if rule["action"] == "null":
            words += f" ({rule['column']} loaded empty)"
        target.append(
            f"SELECT _source_row, {literal(rule['column'])}, {literal(words)}, "
            f"CAST({quote(rule['column'])} AS VARCHAR) FROM _staged WHERE {broken}"
        )
    conn.execute("CREATE OR REPLACE TEMP TABLE _failures AS " + " UNION ALL ".join(failures))
    conn.execute("CREATE OR REPLACE TEMP TABLE _flags AS " + " UNION ALL ".join(flags))
    # An Excel error's text also fails the column's type, its format...: the error is
    # what happened, the rest only follows from it
    for table in ("_failures", "_flags"):
        conn.execute(
            f"DELETE FROM {table} AS t WHERE EXISTS (SELECT 1 FROM _cell_failures AS c WHERE "
            "c._source_row = t._source_row AND c.column_name = t.column_name "
            "AND c.rule IS DISTINCT FROM t.rule)"
        )


# A row breaks a rule when the comparison holds (closed < created breaks not_before).
COMPARISONS = {
    "not_before": "<",
    "not_after": ">",
    "at_least": "<",
    "at_most": ">",
    "differs_from": "=",
}


def _value_sql(name: str, contract: dict[str, dict]) -> str:
    """A column's typed value in ``_staged`` (its text when the contract types it text)."""
    typed = name in contract and contract[name]["type"] != "varchar"
    return quote("__typed__" + name) if typed else quote(name)


def _comparison(rule: dict) -> str:
    """The rule's comparison (its one key of COMPARISONS: the schema requires one)."""
    return next(k for k in COMPARISONS if k in rule)


def rules_for_file(row_rules: list[dict] | None, contract: dict[str, dict]) -> list[dict]:
    """The rules whose two columns this file has (``contract``: its columns). A file
    of an older vintage without one of them (the RMS began to send the application date
    in 2025) cannot break the rule, as a row with either value empty cannot."""
    return [
        rule
        for rule in row_rules or []
        if rule["column"] in contract and rule[_comparison(rule)] in contract
    ]


def row_rule_condition(rule: dict, contract: dict[str, dict]) -> tuple[str, str]:
    """(SQL true when the row breaks the rule, the rule's words for the ledger)."""
    kind = _comparison(rule)
    column, other = _value_sql(rule["column"], contract), _value_sql(rule[kind], contract)
    condition = (
        f"({column} IS NOT NULL AND {other} IS NOT NULL AND {column} {COMPARISONS[kind]} {other})"
    )
    relation = f"{rule['column']} {kind.replace('_', ' ')} {rule[kind]}"
    words = f"row: {rule['rule']}: {relation} ({rule['reason']})"
    return condition, words


def apply_null_rules(conn, row_rules: list[dict] | None, contract: dict[str, dict]) -> None:
    """Rules whose action is ``null``: the breaking value is loaded empty (it is listed,
    as received, in ``raw._flagged_values``)."""
    for rule in rules_for_file(row_rules, contract):
        if rule["action"] != "null":
            continue
        broken, _ = row_rule_condition(rule, contract)
        targets = {quote(rule["column"]), _value_sql(rule["column"], contract)}
        assignments = ", ".join(f"{t} = NULL" for t in sorted(targets))
        conn.execute(f"UPDATE _staged_data SET {assignments} WHERE {broken}")


def record_flags(conn, system: str, file_name: str, sha: str) -> int:
    conn.execute(
        "INSERT INTO raw._flagged_values (system, file_name, sha256, source_row, column_name, "
        f"rule, raw_value) SELECT {literal(system)}, {literal(file_name)}, {literal(sha)}, * "
        "FROM _flags WHERE _source_row NOT IN (SELECT _source_row FROM _failures)"
    )
    return conn.execute(
        "SELECT count(*) FROM _flags WHERE _source_row NOT IN (SELECT _source_row FROM _failures)"
    ).fetchone()[0]


def _differences(columns: list[str], left: str, right: str) -> str:
    """JSON list of {column, values: [left, right]} for the columns whose values differ."""
    entries = ", ".join(
        f"{{'column': {literal(c)}, 'values': [CAST({left}.{quote(c)} AS VARCHAR), "
        f"CAST({right}.{quote(c)} AS VARCHAR)]}}"
        for c in columns
    )
    return f"to_json(list_filter([{entries}], e -> e['values'][1] IS DISTINCT FROM e['values'][2]))"


def _group_differences(columns: list[str]) -> str:
    """JSON list of {column, values: [every distinct value]} for the columns whose values
    differ between the rows that share a key (empty shown as "(empty)")."""
    if not columns:
        return "NULL"
    entries = ", ".join(
        f"{{'column': {literal(c)}, 'values': list(DISTINCT coalesce(CAST(s.{quote(c)} "
        f"AS VARCHAR), '(empty)') ORDER BY coalesce(CAST(s.{quote(c)} AS VARCHAR), "
        "'(empty)'))}"
        for c in columns
    )
    return f"to_json(list_filter([{entries}], e -> len(e['values']) > 1))"


def report_key_conflicts(
    conn, source, table: str, file_name: str, sha: str, loaded_columns: list[str]
) -> tuple[int, int]:
    """(keys repeated within the file, keys already loaded from another file with other
    values); both written to ``raw._key_conflicts``."""
    keys = [k for k in source.primary_key if k in loaded_columns]
    if len(keys) != len(source.primary_key):
        return 0, 0
    if not keys:  # no key: a hash of the whole row identifies it (repeats in the file)
        return _identical_rows(conn, source, file_name, sha, loaded_columns), 0
    key_json = f"to_json(struct_pack({', '.join(f'{quote(k)} := s.{quote(k)}' for k in keys)}))"
    values = [c for c in loaded_columns if c not in keys]
    staged = set(columns_of(conn, "_staged_data"))
    typed = ", ".join(
        f"{quote('__typed__' + c)} AS {quote(c)}" if f"__typed__{c}" in staged else quote(c)
        for c in loaded_columns
    )
    # A view, not a copy: the two queries below read only the columns they name.
    conn.execute(
        f"CREATE OR REPLACE TEMP VIEW _good_rows AS SELECT _source_row, {typed} "
        "FROM _staged WHERE _source_row NOT IN (SELECT _source_row FROM _failures)"
    )
    group = ", ".join(f"s.{quote(k)}" for k in keys)
    key_hash = f"hash({group})"
    complete = " AND ".join(f"s.{quote(k)} IS NOT NULL" for k in keys)
    # The keys whose hash repeats first (a count per 64-bit number, cheaper than per
    # text and timestamp), then the rows of those hashes grouped by the key itself (a
    # key that shares its hash with another but appears once is dropped there), and the
    # differences of those keys only: describing every key's values before filtering
    # cost seconds per file.
    conn.execute(
        "INSERT INTO raw._key_conflicts (system, file_name, sha256, kind, key, source_rows, "
        f"other_file, differences) SELECT {literal(source.system)}, {literal(file_name)}, "
        f"{literal(sha)}, 'in file', {key_json}, list(s._source_row ORDER BY s._source_row), "
        f"NULL, {_group_differences(values)} FROM _good_rows s WHERE {complete} AND "
        f"{key_hash} IN (SELECT {key_hash} AS _key_hash FROM _good_rows s WHERE {complete} "
        f"GROUP BY _key_hash HAVING count(*) > 1) GROUP BY {group} HAVING count(*) > 1"
    )
    in_file = conn.execute(
        "SELECT count(*) FROM raw._key_conflicts WHERE sha256 = ? AND kind = 'in file'", [sha]
    ).fetchone()[0]
    on = " AND ".join(f"r.{quote(k)} = s.{quote(k)}" for k in keys)
    differs = " OR ".join(f"r.{quote(c)} IS DISTINCT FROM s.{quote(c)}" for c in values) or "false"
    conn.execute(
        "INSERT INTO raw._key_conflicts (system, file_name, sha256, kind, key, source_rows, "
        f"other_file, differences) SELECT {literal(source.system)}, {literal(file_name)}, "
        f"{literal(sha)}, 'across files', {key_json}, [s._source_row], r._source_file, "
        f"{_differences(values, 'r', 's')} FROM _good_rows s JOIN {table} r ON {on} "
        f"WHERE r._source_sha256 <> {literal(sha)} AND ({differs})"
    )
    across = conn.execute(
        "SELECT count(*) FROM raw._key_conflicts WHERE sha256 = ? AND kind = 'across files'", [sha]
    ).fetchone()[0]
    conn.execute("DROP VIEW _good_rows")
    return in_file, across


def _identical_rows(conn, source, file_name: str, sha: str, columns: list[str]) -> int:
    """For a source with no key: rows repeated whole within the file, reported like keys
    (the key is the row's hash); staging decides whether they count once."""
    values = ", ".join(f"{quote(c)} := {quote(c)}" for c in columns)
    conn.execute(
        "INSERT INTO raw._key_conflicts (system, file_name, sha256, kind, key, source_rows, "
        f"other_file, differences) SELECT {literal(source.system)}, {literal(file_name)}, "
        f"{literal(sha)}, 'in file', to_json(struct_pack(row_hash := md5(to_json("
        f"struct_pack({values}))))), list(_source_row ORDER BY _source_row), NULL, NULL "
        "FROM _staged WHERE _source_row NOT IN (SELECT _source_row FROM _failures) "
        f"GROUP BY md5(to_json(struct_pack({values}))) HAVING count(*) > 1"
    )
    return conn.execute(
        "SELECT count(*) FROM raw._key_conflicts WHERE sha256 = ? AND kind = 'in file'", [sha]
    ).fetchone()[0]
