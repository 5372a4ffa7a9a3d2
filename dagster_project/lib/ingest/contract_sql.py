"""SQL that applies a source contract to text columns: nulls, trimming, typing.

Pure string building over quoted identifiers and literals (no data is read here), so
every rule is unit-tested. A value "fails its type" when its cleaned text is not null
but its typed value is: that row is quarantined with the raw value.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..dictionary.vocabulary import data_type
from ..warehouse import literal, quote
from .csv_reader import found_in_file
from .workbook_xml import EXCEL_EPOCH_1900


def raw_type(kind: str) -> str:
    """The warehouse type of a contract column type (the vocabulary's DuckDB spelling)."""
    return data_type(kind).duckdb


def column_type(column: dict) -> str:
    """The warehouse type of a contract column: money keeps the decimals its ``scale``
    declares (default 2, cents)."""
    if column["type"] == "money":
        return f"DECIMAL(18,{money_scale(column)})"
    return raw_type(column["type"])


def money_scale(column: dict) -> int:
    return int(column.get("scale", 2))


def money_digits(text_sql: str) -> str:
    """ "$1,381.12", " 75.00 ", "(8.02)" -> the digits and point alone."""
    return f"regexp_replace({text_sql}, '[$,()\\s]', '', 'g')"


def money_rounded(text_sql: str, column: dict) -> str:
    """True when the amount has more decimals than the column keeps (not mere zeros):
    loading it would round it, so the row is quarantined instead."""
    # a non-zero digit after the first ``scale`` decimals (a regex: casting the text to a
    # wide DECIMAL to compare costs 40x more)
    return f"regexp_matches({text_sql}, '\\.[0-9]{{{money_scale(column)}}}[0-9]*[1-9]')"


# Excel keeps numbers as binary doubles and shows them to 15 significant digits; its
# files often store the double's full expansion (79.6 as 79.59999999999999). Read as
# text, that noise would look like decimals the amount does not have (and be quarantined
# as an amount a load would round): a workbook number with more than 15 significant
# digits is read as Excel shows it. Text cells ("$79.60") are untouched.
EXCEL_NOISE = r"^-?[0-9]+\.[0-9]+$"


def excel_number(text_sql: str) -> str:
    """A workbook number cell's text as Excel displays it (15 significant digits)."""
    return (
        f"CASE WHEN regexp_matches({text_sql}, '{EXCEL_NOISE}') AND "
        f"length(regexp_replace(ltrim({text_sql}, '-0.'), '[^0-9]', '', 'g')) > 15 "
        f"THEN printf('%.15g', CAST({text_sql} AS DOUBLE)) ELSE {text_sql} END"
    )


# Excel stores dates as days since 1899-12-30 (or 1904-01-01: workbook_xml.excel_epoch);
# read as text they look like 45356(.25).
EXCEL_SERIAL = r"\d{5}(\.\d+)?"


def snake_case(header: str) -> str:
    name = re.sub(r"[^0-9a-zA-Z]+", "_", header.strip()).strip("_").lower()
    return name if name and not name[0].isdigit() else f"col_{name}"


def header_mapping(headers: list[str], columns: list[dict]) -> dict[str, str]:
    """Map each incoming header to its contract name; unknown headers keep a snake_case name."""
    lookup: dict[str, str] = {}
    for column in columns:
        for alias in [column["name"], *column.get("aliases", [])]:
            lookup[alias.strip().lower()] = column["name"]
    return {
        header: lookup.get(header.strip().lower()) or _unlisted_name(header, set(lookup.values()))
        for header in headers
    }


def _unlisted_name(header: str, contract_names: set[str]) -> str:
    """A header the contract does not name, as a column name: its snake_case; with its
    "%" as "pct" when, without it, it would be a contract column's name ("Fee %" became
    the money column fee, its 15 percent loaded as $15.00). (Only then: the drift
    columns a warehouse already has keep their names.)"""
    name = snake_case(header)
    if "%" in header and name in contract_names:
        return snake_case(header.replace("%", " pct "))
    return name


# What a value may be surrounded by and still be the same value: spaces, tabs, line
# breaks (a cell holding only CR/LF is empty) and non-breaking spaces.
WHITESPACE = "' ' || chr(9) || chr(10) || chr(13)"
# ... and at a value's start, a byte-order mark: two exports joined into one file put the
# second one's mark before its first line's first value ("\ufeffSR-2024-1")
LEADING = f"{WHITESPACE} || chr(65279)"


def trimmed(source_column: str, nul: bool = False) -> str:
    """Text without surrounding whitespace (``WHITESPACE``, and a byte-order mark before
    it); non-breaking spaces (U+00A0, which exports love) count as spaces, also inside
    the value. ``contains`` first: the replace only runs where one occurs.

    Most values need no trimming, and ``trim`` with a set of characters copies every
    value it is given (4-5x the cost of the read for a file of short values): a cheap
    look at the value's ends (``ascii`` of the first character, ``suffix`` for the
    last; ``right`` is slow) sends only the values that could change to it.

    ``nul``: the file may hold NUL characters (``may_hold_nul``); those that end a value
    are padding (a legacy system's fixed-length field), trimmed as spaces are. One inside
    a value quarantines its row (row_checks)."""
    column = quote(source_column)
    spaced = (
        f"CASE WHEN contains({column}, chr(160)) "
        f"THEN replace({column}, chr(160), ' ') ELSE {column} END"
    )
    trailing = f"{WHITESPACE} || chr(0)" if nul else WHITESPACE
    cleaned = f"rtrim(ltrim({spaced}, {LEADING}), {trailing})"
    ends = " OR ".join(
        # (a first character from U+FEFF up, rare, costs a trim that changes nothing)
        [f"NOT ascii({column}) BETWEEN 33 AND 65278"]
        + [f"suffix({column}, chr({code}))" for code in (32, 9, 10, 13, *([0] if nul else []))]
        + [f"contains({column}, chr(160))"]
    )
    return f"CASE WHEN {ends} THEN {cleaned} ELSE {column} END"


def may_hold_nul(path: Path, fmt: str) -> bool:
    """Whether a value of the file could hold a NUL character: a 0 byte in it (a UTF-16
    file has them everywhere: its values are checked), in JSON a ``\\u0000`` escape (looked
    for only when the file holds a backslash), or a workbook (whose XML may escape one).
    Found by byte searches of the file (``found_in_file``: ~0.01 s per 100 MB), so the
    files without one (nearly all) pay nothing in their SQL. A NUL loaded into a value
    made the portal's DataStore (PostgreSQL) refuse the whole dataset."""
    if fmt == "xlsx":
        return True
    if fmt not in ("json", "jsonl"):
        return found_in_file(path, b"\x00")
    # one read answers both (a backslash is found at memchr's speed, the six bytes of
    # the escape at a tenth of it: they are looked for only in a file with a backslash)
    if found_in_file(path, b"\x00", b"\\"):
        return found_in_file(path, b"\x00") or found_in_file(path, b"\\u0000")
    return False


# ``__sentinel__<name>``: the value a column's own null sentinel replaced, kept in the
# staged table so the sentinel is listed in raw._flagged_values (never loaded).
SENTINEL_PREFIX = "__sentinel__"


def column_sentinel(column: str, spec: dict) -> str:
    """The received value when it is one of the column's own ``null_values``, else NULL."""
    sentinels = ", ".join(literal(v) for v in sorted(spec["null_values"]))
    return f"CASE WHEN {quote(column)} IN ({sentinels}) THEN {quote(column)} END"


def null_if_sentinel(column: str, null_values: list[str]) -> str:
    """NULL for blank text and for the contract's null sentinels (N/A, -, NULL...)."""
    sentinels = ", ".join(literal(v) for v in sorted({"", *null_values}))
    return f"CASE WHEN {quote(column)} IN ({sentinels}) THEN NULL ELSE {quote(column)} END"


def value_rules(column_sql: str, column: dict) -> str:
    """The contract's value rules on a cleaned text value, in order: trailing separators
    stripped (``strip_trailing``), case folded (``case``), codes mapped to labels
    (``value_map``). Declared in the contract, so no value changes meaning in silence."""
    sql = column_sql
    if chars := column.get("strip_trailing"):
        sql = f"nullif(rtrim(rtrim({sql}, {literal(chars)})), '')"
    case = column.get("case")
    if case == "lower":
        sql = f"lower({sql})"
    elif case == "upper":
        sql = f"upper({sql})"
    elif case == "title":  # "in progress" -> "In Progress"
        sql = (
            f"array_to_string(list_transform(string_split(lower({sql}), ' '), "
            "w -> upper(w[1]) || w[2:]), ' ')"
        )
    if mapping := column.get("value_map"):
        whens = " ".join(
            f"WHEN {literal(k)} THEN {literal(v) if v is not None else 'NULL'}"
            for k, v in mapping.items()
        )
        sql = f"CASE {sql} {whens} ELSE {sql} END"
    return sql


def has_value_rules(column: dict) -> bool:
    return any(k in column for k in ("strip_trailing", "case", "value_map"))


def cleaned_text(name: str, column: dict | None, file_nulls: list[str], workbook: bool) -> str:
    """The trimmed text in column ``name`` as the contract cleans it before typing: the
    file's and the column's null sentinels emptied, its value rules applied, a workbook
    number read as Excel shows it. ``column``: its contract entry (None: drift)."""
    column = column or {}
    sql = null_if_sentinel(name, file_nulls + column.get("null_values", []))
    if has_value_rules(column):
        sql = value_rules(sql, column)
    if workbook and column.get("type") in ("money", "double"):
        sql = excel_number(sql)
    return sql


def invalid_value(column_sql: str, column: dict) -> tuple[str, str] | None:
    """(SQL true when the value is not one the column accepts, the rule's words), from
    ``accepted_values`` and ``pattern``; None when the column declares neither."""
    parts, words = [], []
    if values := column.get("accepted_values"):
        parts.append(f"{column_sql} NOT IN ({', '.join(literal(v) for v in values)})")
        words.append(f"one of {', '.join(values)}")
    if pattern := column.get("pattern"):
        parts.append(f"NOT regexp_full_match({column_sql}, {literal(pattern)})")
        words.append(f"the form {pattern}")
    if not parts:
        return None
    return f"({column_sql} IS NOT NULL AND ({' OR '.join(parts)}))", (
        f"value: not {' and '.join(words)}"
    )


# ISO text that states no offset or zone: a date, or a date and a wall-clock time
# ("2024-01-17", "2024/01/17", "2024-01-17T14:00", "2024-01-17 14:00:00.5"). Only such
# text is read as a wall-clock time: anything after the time ("Z", "-05:00", "+05:00:00", " UTC",
# " America/Toronto") states the instant and is read by DuckDB's TIMESTAMPTZ cast, which
# honours every one of those (its cast to TIMESTAMP dropped them in silence: 10:00 UTC
# became 10:00 in Toronto), and text with anything else after the date ("2024-03-01
# garbage", which the cast to DATE read as 2024-03-01) is no date at all. A date alone is
# no offset either: "2024-01-17" ends like "-17".
ISO_WALL_CLOCK = (
    r"[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?"
)

# An ISO date, then a time of day and perhaps an offset or a zone's letters: a date
# column reads its date as written when the casts read no instant from the rest.
DATE_THEN_TIME = (
    r"[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}[ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?"
    r" ?([zZ]|[+-][0-9]{2}(:?[0-9]{2})?|[A-Za-z]{2,5})?"
)

# The numbers the contract means: DuckDB's casts also read "2.5" as the integer 3, "0x3"
# as 3, "1_0" as 10 and "inf" as a double, each a value that changed meaning in silence.
# A double is kept when it is finite (not inf, nan, 1e400), holds no "_" and did not
# underflow to 0 (1e-400); an integer when its double equals the integer (2.5 does not;
# "3.0", a workbook's whole number, and "1e3" do). Casts and contains first, a regex
# only on the few values left: a regex over each value of a million-row column cost
# twice as much.


def _number(text_sql: str, kind: str) -> str:
    number = f"TRY_CAST({text_sql} AS {raw_type(kind)})"

    def holds(chars: str) -> str:
        return " OR ".join(f"contains({text_sql}, {literal(c)})" for c in chars)

    if kind == "double":
        # finite ("inf", "nan", "Infinity" and an exponent past the range, "1e400", cast
        # to a value that is not), no "_" ("1_0" cast to 10), and not a non-zero number
        # that underflowed to 0 ("1e-400"): the regex runs on zeros only
        return (
            f"CASE WHEN isfinite({number}) AND NOT contains({text_sql}, '_') AND "
            f"({number} <> 0 OR NOT regexp_matches({text_sql}, '[1-9][0-9.]*[eE]')) "
            f"THEN {number} END"
        )
    # An integer written as the cast writes it back ("42", "-7": most values) is kept at
    # once (half the time of the six searches next); other plain digits ("+4", "007")
    # take one cast; a point, an exponent or an "x" is looked at closer: a fraction past
    # a double's 16 digits ("2147483647.0000001") passes the comparison, so a non-zero
    # digit after the point is looked for too
    closer = (
        f"TRY_CAST({text_sql} AS DOUBLE) = {number} AND NOT contains({text_sql}, '_') AND "
        f"NOT regexp_matches({text_sql}, '[.][0-9]*[1-9]')"
    )
    return (
        f"CASE WHEN CAST({number} AS VARCHAR) = {text_sql} THEN {number} "
        f"WHEN NOT ({holds('._eExX')}) THEN {number} WHEN {closer} THEN {number} END"
    )


# An amount: a sign, "$" and accounting parentheses around digits grouped by thousands
# ("1,381.12", "1 000") or not, and a decimal point. A comma only ever separates
# three-digit groups: "12,50" (a decimal comma) was read as 1250.00 and "1 234,56" as
# 123456.00; "1.5e-3" and TRUE are no amounts either. Such values are quarantined. A
# first group is no thousands group when it is 0: "0,125" (a decimal comma) was 125.00.
_DIGITS = r"([1-9][0-9]{0,2}(,[0-9]{3})+|[1-9][0-9]{0,2}( [0-9]{3})+|[0-9]+)?([.][0-9]*)?"
_AMOUNT = rf"\s*[+-]?\s*\$?\s*[+-]?\s*{_DIGITS}\s*\$?\s*"
MONEY_TEXT = rf"({_AMOUNT}|\(\s*\$?\s*{_DIGITS}\s*\$?\s*\))"  # ("(-5)" is no amount)


def _when_form(text_sql: str, form: str, value_sql: str) -> str:
    """``value_sql`` for text of the regex ``form`` (the whole text), NULL otherwise."""
    return f"CASE WHEN regexp_full_match({text_sql}, {literal(form)}) THEN {value_sql} END"


def typed(text_sql: str, column: dict, from_workbook: bool | str = False) -> str:
    """The typed value of ``text_sql`` per the contract column, NULL when it does not parse.

    Timestamps are wall-clock times in the column's ``timezone`` (default: the city's). A
    value that states its offset or zone is converted to that zone, never read as if it
    were not there. Excel day serials ("45356.5") are dates only in a workbook: in a text
    file such a value does not parse, and its row is quarantined. ``from_workbook``: True
    (the 1900 date system) or the day its serials count from (``excel_epoch``). A local time the
    column's zone skips (02:30 on the night the clocks go forward) does not parse either.
    """
    kind = column["type"]
    if kind == "varchar":
        return text_sql
    if kind == "money":
        # "$1,381.12", " 75.00 ", "(8.02)" (accounting negative), "-8.02"
        sign = f"CASE WHEN regexp_matches({text_sql}, '^\\(.*\\)$') THEN -1 ELSE 1 END"
        amount = f"TRY_CAST({money_digits(text_sql)} AS {column_type(column)})"
        return _when_form(text_sql, MONEY_TEXT, f"({sign} * {amount})")
    if kind in ("date", "timestamp", "timestamptz"):
        return _point_in_time(text_sql, column, from_workbook)
    if kind == "boolean":  # DuckDB's cast reads any case ("TRUE", "Yes", "f")
        return f"TRY_CAST({text_sql} AS BOOLEAN)"
    if kind in ("integer", "bigint", "double"):
        return _number(text_sql, kind)
    return f"TRY_CAST({text_sql} AS {raw_type(kind)})"


def _point_in_time(text_sql: str, column: dict, from_workbook: bool | str) -> str:
    """A date, a wall-clock time (``timestamp``) or an instant (``timestamptz``).

    ISO text without an offset (``ISO_WALL_CLOCK``) is a wall-clock time of the column's
    zone. Other text is first an instant stated with its offset or zone (DuckDB's
    TIMESTAMPTZ cast), shown in the column's zone, then the contract's formats in order:
    a format with an offset or a zone name (%z, %Z) reads an instant itself ("17/01/2024
    10:00 -0500", "... UTC"), never shifted as if it were the zone's wall-clock time."""
    kind, formats = column["type"], column.get("formats", [])
    zone = literal(column.get("timezone") or "UTC")
    target = raw_type(kind)

    def from_wall_clock(wall_sql: str) -> str:
        if kind == "timestamptz":
            return _existing_instant(wall_sql, zone)
        if kind == "timestamp":  # (what the zone's clocks showed: the loader gives every
            # timestamp column a zone, the city's by default)
            return _existing_wall_clock(wall_sql, zone)
        return wall_sql

    def from_instant(instant_sql: str) -> str:
        return instant_sql if kind == "timestamptz" else f"timezone({zone}, {instant_sql})"

    wall = from_wall_clock(f"TRY_CAST({text_sql} AS TIMESTAMP)")
    stated = f"TRY_CAST({_offset_written(text_sql)} AS TIMESTAMPTZ)"
    # A date column takes the date as written when the time is midnight, whatever offset
    # follows: an export that writes a date as midnight UTC ("2024-03-01T00:00:00Z")
    # means March 1st, not the evening of February 29th in the city's zone. Another time
    # is an instant, and its date is the zone's ("2024-03-02T02:00:00Z": March 1st).
    # A time that states no offset is the date as written too (cast as an instant, it
    # was the session's zone's: "2024-03-01 02:30:00" was February 29th in Toronto).
    as_written = f"TRY_CAST({text_sql} AS TIMESTAMP)"
    written = (
        f"CASE WHEN CAST({as_written} AS TIME) = TIME '00:00:00' OR "
        f"{is_wall_clock(text_sql)} THEN {as_written} "
        f"ELSE {from_instant(stated)} END"
    )
    attempts = [written if kind == "date" else from_instant(stated)]
    for fmt in formats:
        parsed = (
            _zone_letters_parsed(text_sql, fmt)
            if "%Z" in fmt
            else f"try_strptime({text_sql}, {literal(fmt)})"
        )
        attempts.append(from_instant(parsed) if _states_instant(fmt) else from_wall_clock(parsed))
    if from_workbook:  # Excel's day serial: a wall-clock time
        epoch = from_workbook if isinstance(from_workbook, str) else EXCEL_EPOCH_1900
        serial = (
            f"TIMESTAMP {literal(epoch)} + to_milliseconds(CAST(round("
            f"TRY_CAST({text_sql} AS DOUBLE) * 86400000) AS BIGINT))"
        )
        attempts.append(_when_form(text_sql, EXCEL_SERIAL, from_wall_clock(serial)))
    others = ", ".join(f"TRY_CAST({a} AS {target})" for a in attempts)
    if kind == "date":  # no need to tell a wall-clock time apart
        # last, the date as written when what follows it is a time the casts do not read
        # ("... 10:00:00 -0500", "...T10:00:00z", "... 10:00 EST", "... 23:59:60")
        written_date = _when_form(
            text_sql, DATE_THEN_TIME, f"TRY_CAST(regexp_extract({text_sql}, "
            f"'^[0-9]{{4}}[-/][0-9]{{1,2}}[-/][0-9]{{1,2}}') AS DATE)"
        )  # fmt: skip
        return f"coalesce({others}, {written_date})"
    return (
        f"CASE WHEN {is_wall_clock(text_sql)} "
        f"THEN TRY_CAST({wall} AS {target}) ELSE coalesce({others}) END"
    )


# Zone abbreviations as a Canadian or American export writes them, and the offsets they
# stand for. DuckDB's cast read each as a zone of its choosing (BST as Dhaka's, AST as
# Alaska's, NST as Auckland's: hours off); another abbreviation after a time (IST, CET,
# BST...) names zones that differ, and such a time is not read (quarantined). UTC, GMT,
# Z and zone names ("America/Vancouver") are read as they are.
ZONE_ABBREVIATIONS = {
    "EST": "-05:00", "EDT": "-04:00", "CST": "-06:00", "CDT": "-05:00",
    "MST": "-07:00", "MDT": "-06:00", "PST": "-08:00", "PDT": "-07:00",
    "AST": "-04:00", "ADT": "-03:00", "NST": "-03:30", "NDT": "-02:30",
    "AKST": "-09:00", "AKDT": "-08:00", "HST": "-10:00",
}  # fmt: skip
# Zone letters are a word of two to five capitals ("Japan" and "Zulu", zone names, are
# read as they are); these name one zone everywhere and are read as they are too
ZONES_AS_WRITTEN = ("UTC", "GMT", "UCT", "UT", "CET", "EET", "WET", "MET")
_TRAILING_LETTERS = " [A-Z]{2,5}$"
_SPACED_OFFSET = " ([+-][0-9]{2}:?[0-9]{2})$"


def _zone_cases(letters_sql: str, as_written: str, abbreviation_read) -> str:
    """CASE over the zone letters: as written for UTC and its kin (and AM/PM, no zone),
    ``abbreviation_read(name, offset)`` for North America's, NULL for any other."""
    kept = " ".join(f"WHEN {literal(z)} THEN {as_written}" for z in (*ZONES_AS_WRITTEN, "AM", "PM"))
    mapped = " ".join(
        f"WHEN {literal(name)} THEN {abbreviation_read(name, offset)}"
        for name, offset in ZONE_ABBREVIATIONS.items()
    )
    return f"CASE {letters_sql} {kept} {mapped} END"


def _offset_written(text_sql: str) -> str:
    """The text with a zone abbreviation after its time written as its offset
    (``ZONE_ABBREVIATIONS``; NULL for one that is not there), and an offset after a
    space joined to the time ("10:00:00 -0500", which the cast refused). Only text with
    a space is looked at: ISO instants ("...T07:22:00-05:00") cost one ``contains``."""
    letters = f"regexp_extract({text_sql}, ' ([A-Z]{{2,5}})$', 1)"
    cases = _zone_cases(
        letters,
        text_sql,
        lambda name, offset: (
            f"regexp_replace({text_sql}, {literal(_TRAILING_LETTERS)}, {literal(offset)})"
        ),
    )
    return (
        f"CASE WHEN NOT contains({text_sql}, ' ') THEN {text_sql} "
        f"WHEN regexp_matches({text_sql}, {literal(_TRAILING_LETTERS)}) THEN {cases} "
        f"WHEN regexp_matches({text_sql}, {literal(_SPACED_OFFSET)}) THEN "
        f"regexp_replace({text_sql}, {literal(_SPACED_OFFSET)}, '\\1') ELSE {text_sql} END"
    )


def _word(text: str) -> str:
    return r"\b" + text + r"\b"


def _zone_letters_parsed(text_sql: str, fmt: str) -> str:
    """A contract format with ``%Z`` (a zone's name or letters), wherever the letters
    stand ("Fri Mar 01 10:00:00 AST 2024"): North America's abbreviations are read as
    their offsets (the format's %Z as %z), another abbreviation is not read; UTC and its
    kin, and zone names, as the format reads them. (DuckDB's %Z took "AST" for Alaska's
    and "NST" for Auckland's, as its cast did.)"""
    letters = (
        f"list_filter(regexp_extract_all({text_sql}, '\\b[A-Z]{{2,5}}\\b'), "
        "t -> t NOT IN ('AM', 'PM'))[1]"
    )
    with_offset = literal(fmt.replace("%Z", "%z"))
    as_is = f"try_strptime({text_sql}, {literal(fmt)})"
    cases = _zone_cases(
        letters,
        as_is,
        lambda name, offset: (
            f"try_strptime(regexp_replace({text_sql}, {literal(_word(name))}, "
            f"{literal(offset.replace(':', ''))}), {with_offset})"
        ),
    )
    return f"CASE WHEN {letters} IS NULL THEN {as_is} ELSE {cases} END"


def _existing_instant(wall_sql: str, zone: str) -> str:
    """The instant of a wall-clock time in ``zone``; NULL for a time the zone skips (the
    hour the clocks go forward: 02:30 on 2024-03-10 in Toronto, which DuckDB moved to
    03:30 in silence), so that the value is quarantined. A time the zone has twice (01:30
    when the clocks go back) is read as DuckDB reads it (standard time). Only times from
    21:00 to 04:59 are looked at twice: zones change their clocks at night (Toronto at
    02:00, Nuuk at 23:00, Easter Island at 22:00, Baku once at 04:00); the round trip on
    every value tripled the typing of a timestamp column."""
    return f"CASE WHEN {_shown_by(wall_sql, zone)} THEN timezone({zone}, {wall_sql}) END"


def _existing_wall_clock(wall_sql: str, zone: str) -> str:
    """The wall-clock time, NULL for one ``zone`` skips (02:30 on 2025-03-09 in Toronto
    never showed on its clocks: a ``timestamp`` column loaded it as it was written, a
    time that never happened), so that the value is quarantined as a ``timestamptz``
    column's is. A time the zone showed twice (01:30 when the clocks go back) is what
    the clock showed: kept. Only night times are looked at (``_existing_instant``)."""
    return f"CASE WHEN {_shown_by(wall_sql, zone)} THEN {wall_sql} END"


def _shown_by(wall_sql: str, zone: str) -> str:
    """SQL true when ``zone``'s clocks showed the wall-clock time (its round trip through
    the zone gives it back); only night times are looked at (``_existing_instant``)."""
    back = f"timezone({zone}, timezone({zone}, {wall_sql}))"
    return f"(hour({wall_sql}) BETWEEN 5 AND 20 OR {back} = {wall_sql})"


def is_wall_clock(text_sql: str) -> str:
    """SQL true when the text is ISO that states no offset (``ISO_WALL_CLOCK``)."""
    return f"regexp_full_match({text_sql}, {literal(ISO_WALL_CLOCK)})"


# Staging keeps, beside a zoned timestamp column's typed value, whether its text stated
# no offset (DuckDB computes the test once for the typing and this column), so that the
# check for times the zone had twice need not run the regex over the column again.
WALL_CLOCK_PREFIX = "__wall_clock__"


def marks_wall_clock(column: dict) -> bool:
    """Whether staging keeps the column's ``WALL_CLOCK_PREFIX`` column."""
    return column["type"] == "timestamptz" and bool(column.get("timezone"))


def ambiguous_wall_clock(
    text_sql: str, typed_sql: str, column: dict, wall_clock_sql: str | None = None
) -> tuple[str, str] | None:
    """(SQL true when a wall-clock time, stating no offset, names a time the column's zone
    had twice, the rule's words): 01:30 on the night the clocks go back is two instants an
    hour apart; it loads as standard time, and is flagged (``raw._flagged_values``) so
    that the choice is not silent. (A stated offset first, the hour next: cheap, and
    only night times are looked at further, as in ``_existing_instant``: the pings of a
    storm, all with an offset, cost the snow-plow ingest 8% before that order. Not
    flagged: a time read by a contract format or an Excel serial, and Lord Howe Island's
    half-hour overlap.) ``wall_clock_sql``: staging's answer to ``is_wall_clock``."""
    zone = column.get("timezone")
    if not marks_wall_clock(column):
        return None
    local = f"timezone({literal(zone)}, {typed_sql})"
    hour_before = f"timezone({literal(zone)}, {typed_sql} - INTERVAL 1 HOUR)"
    return (
        f"({typed_sql} IS NOT NULL AND {wall_clock_sql or is_wall_clock(text_sql)} AND "
        f"hour({local}) NOT BETWEEN 5 AND 20 AND "
        f"({hour_before} = {local} OR "
        f"timezone({literal(zone)}, {typed_sql} + INTERVAL 1 HOUR) = {local}))",
        f"time: happened twice in {zone} (the clocks went back); read as standard time",
    )


def _states_instant(fmt: str) -> bool:
    return "%z" in fmt or "%Z" in fmt


# Dates outside these bounds are sentinels or typos ("0001-01-01", "1900-01-01", "2099-12-31")
# unless a contract column states its own window (min/max).
DEFAULT_DATE_WINDOW = ("1900-01-02", "today+10 years")
_RELATIVE = re.compile(r"^today(?:\s*([+-])\s*(\d+)\s*(day|days|year|years))?$")


def _bound(value, kind: str) -> str:
    """A window bound as SQL: a number, an ISO date, ``today`` or ``today+N days|years``."""
    if isinstance(value, int | float):
        return repr(value)
    if match := _RELATIVE.match(str(value).strip()):
        sign, amount, unit = match.groups()
        base = "current_date" if kind == "date" else "CAST(current_date AS TIMESTAMP)"
        if not amount:
            return base
        return f"({base} {sign} INTERVAL {int(amount)} {'YEAR' if unit.startswith('y') else 'DAY'})"
    return f"{'DATE' if kind == 'date' else 'TIMESTAMP'} {literal(str(value))}"


def plausible_window(column: dict) -> tuple[object, object] | None:
    """The contract's (min, max) for the column, the default window for dates."""
    if "min" in column or "max" in column:
        return column.get("min"), column.get("max")
    if column["type"] in ("date", "timestamp", "timestamptz"):
        return DEFAULT_DATE_WINDOW
    return None


def out_of_range(typed_sql: str, column: dict) -> tuple[str, str] | None:
    """(SQL condition true when the typed value is outside the window, the rule's words)."""
    window = plausible_window(column)
    if window is None:
        return None
    low, high = window
    kind = {"date": "date", "timestamp": "timestamp", "timestamptz": "timestamp"}.get(
        column["type"], "number"
    )
    parts = []
    if low is not None:
        parts.append(f"{typed_sql} < {_bound(low, kind)}")
    if high is not None:
        parts.append(f"{typed_sql} > {_bound(high, kind)}")
    words = (
        f"range: outside the plausible window {low if low is not None else '…'} to "
        f"{high if high is not None else '…'}"
    )
    return f"({' OR '.join(parts)})", words
