"""Read a CSV extract into an all-text table, one bad row costing one row.

The header is read here (Python's csv module on the first record), and DuckDB then reads
the file with exactly those columns and the contract's delimiter and quote: no sniffing,
so no sample-dependent guess and no sniffer failure on a malformed or 10 MB line.

Two ways, the same result:
- ``csv_view``: a lazy, parallel view the loader stages in one pass (the fast path). It
  is strict: any malformed row makes the staging query fail;
- ``read_csv_rows``: the careful path after such a failure. Single-threaded, it keeps
  every well-formed row and moves each malformed one (too many or too few fields, an
  unclosed quote, a line over 16 MB) to ``_rejected`` with its data row number, the rule
  it broke and its raw text, to be quarantined.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import shutil
import tempfile
from contextlib import ExitStack
from pathlib import Path

import duckdb

from ..warehouse import literal, quote
from . import csv_over_wide  # (the module: it reads this one's names when called)
from .errors import UnreadableFile, safe_message, stop_on_platform_fault

DUCKDB_ENCODING = {"utf-8": "utf-8", "utf-16": "utf-16", "cp1252": "cp1252", "latin-1": "latin-1"}
PYTHON_ENCODING = {
    "utf-8": "utf-8-sig",
    "utf-16": "utf-16",
    "utf-16-be": "utf-16",  # (the mark says big-endian; Python's "utf-16" reads it so)
    "cp1252": "cp1252",
    "latin-1": "latin-1",
}
# DuckDB decodes cp1252 (encodings extension) on one thread: 5.8 s for a 500,000-row
# export here; and its latin-1 refuses bytes 0x80-0x9F. Such a file is read from a UTF-8
# copy instead (Python transcodes 130 MB in 0.3 s), after detect_encoding has decoded it
# strictly: the same characters, read in parallel.
TRANSCODED = ("cp1252", "latin-1", "utf-16-be")
MAX_LINE_BYTES = 16 * 1024 * 1024
REJECTED_RULES = {
    "TOO MANY COLUMNS": "row: more fields than the header (an unquoted delimiter in a value?)",
    "MISSING COLUMNS": "row: fewer fields than the header (a value cut by a line break?)",
    "UNQUOTED VALUE": "row: a quote is not closed or stray quote characters",
    "LINE SIZE OVER MAXIMUM": "row: longer than 16 MB",
    "INVALID ENCODING": "row: bytes that are not valid in the file's encoding",
    "INVALID STATE": "row: not well-formed CSV",
}
SPANNING_RULE = (
    "row: a line of a malformed record that runs over several lines (a quote opened in a "
    "value and closed lines later: a stray quote?): each line kept here, none loaded"
)
RAW_VALUE_CHARS = 2000  # the quarantine keeps the start of a rejected line, not megabytes


# Characters a file's whole lines are read with as the field separator (a JSON Lines
# file, a fixed-width one): the first that does not occur in the file. DuckDB's reader,
# told one column, drops whatever follows a separator in a line: a fixed-width line
# holding the one it was given lost its last fields without a word.
LINE_SEPARATORS = ("\x1f", "\x1e", "\x1d", "\x1c", "\x00", "\x01", "\x02", "\x03")


def line_separator(
    path: Path, preferred: tuple[str, ...] = LINE_SEPARATORS, encoding: str = "utf-8"
) -> str:
    """The first of ``preferred`` that is not in the file, as the file writes it
    (``encoding``: a UTF-16 file read as it is holds each as two bytes). The first is
    nearly always absent: one search of the file (``found_in_file``). A file holding
    them all is no text file."""
    wide = encoding.lower().replace("_", "-").startswith("utf-16")
    codec = "utf-16-be" if encoding.lower().endswith("be") else "utf-16-le"
    for separator in preferred:
        if not found_in_file(path, separator.encode(codec if wide else "utf-8")):
            return separator
    raise UnreadableFile(
        "it holds every control character a line can be read with: not a text file"
    )


def found_in_file(path: Path, *needles: bytes) -> bool:
    """Whether any of ``needles`` occurs in the file. The file is read once for all the
    needles asked together (~0.013 s per 100 MB from the page cache; not mapped in
    memory: a file cut short while mapped kills the process), and what was found is
    remembered for the file as it is (its size and time): the loader and the reader
    ask about one file in turn."""
    known = _facts_of(path)
    unknown = [n for n in needles if n not in known]
    if unknown:
        known.update(_search(path, unknown))
    return any(known[n] for n in needles)


def _facts_of(path: Path) -> dict:
    """What was found in the file as it is now (its size and time): the needles
    ``found_in_file`` looked for, the counts ``_counts`` made."""
    stat = path.stat()
    facts = _FACTS.setdefault((str(path), stat.st_size, stat.st_mtime_ns), {})
    if len(_FACTS) > 64:  # (one file at a time is asked about; keep a few)
        _FACTS.pop(next(iter(_FACTS)))
    return facts


_FACTS: dict[tuple, dict] = {}


def _search(path: Path, needles: list[bytes]) -> dict[bytes, bool]:
    """Read into one 4 MB buffer (a new 16 MB bytes object per read cost twice as much),
    its last bytes carried to the next read's front (a needle across two reads)."""
    keep = max(len(n) for n in needles) - 1
    buffer = bytearray(SEARCH_BUFFER_BYTES + keep)
    view = memoryview(buffer)
    found = dict.fromkeys(needles, False)
    carried = 0
    with open(path, "rb", buffering=0) as handle:
        while read := handle.readinto(view[carried : carried + SEARCH_BUFFER_BYTES]):
            end = carried + read
            for needle in needles:
                found[needle] = found[needle] or buffer.find(needle, 0, end) >= 0
            if all(found.values()):
                break
            carried = min(keep, end)
            buffer[:carried] = buffer[end - carried : end]
    return found


SEARCH_BUFFER_BYTES = 1 << 22


def header_names(path: Path, files: dict, encoding: str) -> list[str]:
    """The file's column names (unique, never empty), from its header record."""
    skip = int(files.get("header_row", 1)) - 1
    delimiter, quotechar = files.get("delimiter", ","), files.get("quote", '"')
    with path.open(encoding=PYTHON_ENCODING[encoding], newline="") as handle:
        above = [handle.readline() for _ in range(skip)]
        head = handle.read(1 << 20)  # a header longer than 1 MB is not a header
    # The lines above the header are skipped as lines here and by DuckDB's `skip`; a
    # quoted line break in a title line makes DuckDB skip a record instead, and the
    # first data row was lost (read 1 of 2, in silence)
    if any(line.count(quotechar) % 2 for line in above):
        raise UnreadableFile(
            f"a line above the header (row {skip + 1} is the header, as the contract says) "
            "holds a quote that it does not close (a title with a line break in quotes?): "
            "where the header starts cannot be told; ask for an export without it"
        )
    # newline=None: a header ended by CR alone (old Mac exports) is still one record
    record = next(
        csv.reader(io.StringIO(head, newline=None), delimiter=delimiter, quotechar=quotechar),
        None,
    )
    if not record:
        raise UnreadableFile("it holds no header row where the contract expects one")
    if not files.get("header", True):
        return [f"column{i}" for i in range(len(record))]
    names: list[str] = []
    for index, raw in enumerate(record):
        name = raw.strip() or f"column{index}"
        twin = next((n for n in names if n.lower() == name.lower()), None)
        if twin is not None:  # DuckDB (like SQL) does not tell "Status" from "status"
            raise UnreadableFile(
                f"the header names one column twice ({twin!r} and {name!r}): which one holds "
                "the data is unclear; ask for an export with distinct headers"
            )
        names.append(name)
    return names


def check_quotes_closed(path: Path, files: dict, encoding: str) -> None:
    """Refuse a file whose quotes do not pair up because one is never closed.

    In well-formed CSV quote characters come in pairs (enclosing pairs, doubled escapes),
    so an even count needs no further look. An odd count is parsed with Python's strict
    csv reader: a quote still open at the end of the file would swallow every later row
    into one value (DuckDB then drops them without an error), so the file is refused
    with the data row where the quote opens. A stray quote inside an unquoted value is
    left to the reader, which sets that one row aside.
    """
    quote_char = files.get("quote", '"')
    if _counts(path, encoding, quote_char, files.get("delimiter", ","))[0] % 2 == 0:
        return
    skip = int(files.get("header_row", 1)) - 1 + (1 if files.get("header", True) else 0)
    with path.open(encoding=PYTHON_ENCODING[encoding], newline="") as handle:
        reader = csv.reader(
            handle, delimiter=files.get("delimiter", ","), quotechar=quote_char, strict=True
        )
        records = 0
        try:
            for _record in reader:
                records += 1
        except csv.Error as error:
            if "unexpected end of data" in str(error) or "EOF" in str(error):
                raise UnreadableFile(
                    f"a quote opened in data row {records + 1 - skip} is never closed: "
                    "every row after it would be read as part of one value; ask for a "
                    "corrected export"
                ) from None


def line_ends(path: Path, encoding: str, files: dict) -> tuple[bool, bool, bool]:
    """(the file's lines end both with CR LF and with LF alone (``utf8_copy``), it holds
    a CR alone besides other line ends, its lines end in CR alone: old Mac exports)."""
    _, crlf, lf, cr, _ = _counts(
        path, encoding, files.get("quote", '"'), files.get("delimiter", ",")
    )
    return 0 < crlf < lf, cr > crlf and lf > 0, cr > 0 and lf == 0


def ends_in_delimiter(path: Path, encoding: str, files: dict) -> bool:
    """Whether a line of the file ends in the delimiter (perhaps then an empty quoted
    value): the only records DuckDB reads with more fields than the header as if they
    fit (``csv_over_wide``)."""
    return _counts(path, encoding, files.get("quote", '"'), files.get("delimiter", ","))[4]


def _counts(
    path: Path, encoding: str, quote_char: str, delimiter: str
) -> tuple[int, int, int, int, bool]:
    """(quote characters, CR LF line ends, LF characters, CR characters, whether a line
    ends in the delimiter) in the file, in one read, remembered for the file as it is
    (its size and time): the reader asks in turn."""
    facts, key = _facts_of(path), ("counts", encoding, quote_char, delimiter)
    if key not in facts:
        facts[key] = _count(path, encoding, quote_char, delimiter)
    return facts[key]


def _count(
    path: Path, encoding: str, quote_char: str, delimiter: str
) -> tuple[int, int, int, int, bool]:
    ends = [delimiter + quote_char * 2, delimiter]
    open_ends = [end + line_end for end in ends for line_end in ("\n", "\r")]
    count, crlf, lf, cr, ends_open = 0, 0, 0, 0, False
    with path.open("rb") as handle:
        if encoding.startswith("utf-16"):  # two bytes a character: count in the decoded text
            decoder = codecs.getincrementaldecoder(PYTHON_ENCODING[encoding])()
            before = ""
            for chunk in iter(lambda: handle.read(1 << 22), b""):
                text = decoder.decode(chunk)
                count += text.count(quote_char)
                crlf += (before[-1:] + text).count("\r\n")  # (one across two chunks too)
                lf += text.count("\n")
                cr += text.count("\r")
                joined = before[-3:] + text  # (an end across two chunks too)
                ends_open = ends_open or any(end in joined for end in open_ends)
                before = text or before
            last_line_open = any(before.endswith(end) for end in ends)
        else:  # ASCII-compatible: the quote is one byte, never part of another character
            needle, last = quote_char.encode("ascii"), b""
            needles = [end.encode("ascii") for end in open_ends]
            for chunk in iter(lambda: handle.read(1 << 22), b""):
                count += chunk.count(needle)
                crlf += (last[-1:] + chunk[:1]).count(b"\r\n") + chunk.count(b"\r\n")
                lf += chunk.count(b"\n")
                cr += chunk.count(b"\r")
                joined = last + chunk
                ends_open = ends_open or any(n in joined for n in needles)
                last = chunk[-3:]
            last_line_open = any(last.endswith(end.encode("ascii")) for end in ends)
    return count, crlf, lf, cr, ends_open or last_line_open


def _options(files: dict, encoding: str, names: list[str]) -> list[str]:
    columns = ", ".join(f"{literal(n)}: 'VARCHAR'" for n in names)
    quote_char = files.get("quote", '"')
    return [
        "auto_detect=false",
        f"columns={{{columns}}}",
        f"encoding={literal(DUCKDB_ENCODING[encoding])}",
        f"skip={int(files.get('header_row', 1)) - 1}",
        f"header={str(files.get('header', True)).lower()}",
        f"delim={literal(files.get('delimiter', ','))}",
        f"quote={literal(quote_char)}",
        f"escape={literal(quote_char)}",
        "strict_mode=true",
        "null_padding=false",
        f"max_line_size={MAX_LINE_BYTES}",
    ]


def utf8_copy(
    path: Path,
    encoding: str,
    cleanup: ExitStack | None,
    one_line_end: bool = False,
    quote_char: str = '"',
    without_blank_lines_after: int | None = None,
    line_end: str = "\n",
) -> tuple[Path, str]:
    """(the file DuckDB reads, in which encoding): a temporary UTF-8 copy of a file in a
    ``TRANSCODED`` encoding, removed when ``cleanup`` closes; the file itself otherwise
    (or when no ``cleanup`` is given: DuckDB then decodes it, slower).

    ``one_line_end``: the file's lines end in two ways (CR LF, and LF alone): the copy
    has each CR LF outside quotes (``quote_char``) as LF. DuckDB reads one kind of line
    end per file, and a record ended by the other kind ran into the next one: two
    records read as one malformed row (counted as one: a row lost while the counts still
    agreed), or the whole file refused ("state machine reached an invalid state"). A
    line break inside a quoted value stays as written; a CR alone is left as it is.

    ``without_blank_lines_after``: a copy without the empty lines outside quotes that
    follow the file's first that many lines (the header and the lines above it). The
    careful read (``read_csv_rows``) numbers a rejected record as DuckDB does, counting
    empty lines, and the other rows as the fast read does, not counting them: with an
    empty line among the rows, a quarantined value was reported under its neighbour's
    row number. Without the empty lines, both count records alike."""
    if (
        not one_line_end
        and without_blank_lines_after is None
        and (encoding not in TRANSCODED or (cleanup is None and encoding in DUCKDB_ENCODING))
    ):
        return path, encoding
    if cleanup is None:  # DuckDB cannot read it as it is: the caller must keep a copy
        raise ValueError(f"{path.name} is read from a UTF-8 copy: pass a cleanup")
    handle, name = tempfile.mkstemp(prefix="ingest-", suffix=".utf8.csv")
    copy = Path(name)
    cleanup.callback(copy.unlink, missing_ok=True)
    with (
        path.open(encoding=PYTHON_ENCODING.get(encoding, encoding), newline="") as source,
        os.fdopen(handle, "w", encoding="utf-8", newline="") as target,
    ):
        if not one_line_end and without_blank_lines_after is None:
            shutil.copyfileobj(source, target, 1 << 22)
        else:
            if without_blank_lines_after is not None:
                # the header and the lines above it, as they are (a header's quoted line
                # break continues it: the lines above close their quotes, header_names)
                head = "".join(source.readline() for _ in range(without_blank_lines_after))
                while quote_char and head.count(quote_char) % 2 and (line := source.readline()):
                    head += line
                target.write(head)
            _copy_outside_quotes(
                source,
                target,
                quote_char,
                one_line_end,
                without_blank_lines_after is not None,
                line_end=line_end,
            )
    return copy, "utf-8"


# A line end, then empty lines; (leading:) empty lines: lines ended by LF or CR LF, by
# LF alone once CR LF is made LF (a CR left before an LF is then a character of the line,
# "a\r\r\n": "a\r"), or by CR alone (old Mac exports)
EMPTY_LINES = {
    "\n": (re.compile(r"\n(?:\r?\n)+"), re.compile(r"^(?:\r?\n)+")),
    "lf": (re.compile(r"\n\n+"), re.compile(r"^\n+")),
    "\r": (re.compile(r"\r\r+"), re.compile(r"^\r+")),
}


def _copy_outside_quotes(
    source,
    target,
    quote_char: str,
    crlf_as_lf: bool,
    drop_blank_lines: bool,
    line_end: str = "\n",
) -> None:
    """Copy the text with, outside quotes, each CR LF as LF (``crlf_as_lf``) and the
    empty lines left out (``drop_blank_lines``; ``line_end``: "\r" for a file whose
    lines end in CR alone): a line break or an empty line inside a quoted value stays as
    it was written (the same value as in the file). Quotes are counted across chunks
    ("" inside a value counts twice)."""
    inside = False  # within a quoted value, where the text read so far ends
    held = ""  # line ends at a chunk's end, outside quotes: the next chunk may go on with them
    line_start = True  # outside quotes at the start of a line (the header is written)
    empty, leading = EMPTY_LINES["lf" if crlf_as_lf and line_end == "\n" else line_end]

    def outside(part: str) -> str:
        nonlocal line_start
        if crlf_as_lf:
            part = part.replace("\r\n", "\n")
        if drop_blank_lines:
            part = empty.sub(line_end, part)
            if line_start:
                part = leading.sub("", part)
            if part:
                line_start = part.endswith(line_end)
        return part

    for chunk in iter(lambda: source.read(1 << 22), ""):
        text, held = held + chunk, ""
        quotes = text.count(quote_char) if quote_char else 0
        if not inside ^ (quotes % 2 == 1):  # the chunk ends outside quotes
            ends = text[len(text.rstrip("\r\n")) :]
            held = ends if drop_blank_lines else ("\r" if ends.endswith("\r") else "")
            if drop_blank_lines:  # (a run of empty lines held: kept to one line end, as
                # written: CR LF is made LF later, once)
                held = EMPTY_LINES[line_end][0].sub(line_end, held)
                text = text[: len(text) - len(ends)] + held
        kept = text[: len(text) - len(held)]
        parts = kept.split(quote_char) if quote_char else [kept]
        for index, part in enumerate(parts):
            target.write(outside(part) if not inside else part)
            if index < len(parts) - 1:
                target.write(quote_char)
                inside, line_start = not inside, False
    if held:  # the file's last line ends (the empty lines after it left out)
        target.write(outside(held))


def csv_view(
    conn: duckdb.DuckDBPyConnection,
    path: Path,
    files: dict,
    encoding: str,
    table: str,
    cleanup: ExitStack | None = None,
) -> bool:
    """Make ``table`` a lazy view of the file's rows; return False instead (no view) when
    DuckDB would read a record with more fields than the header as if it fit (its extra
    fields empty: csv_over_wide), which the careful read sets aside."""
    check_quotes_closed(path, files, encoding)
    names = header_names(path, files, encoding)
    readable, read_as = utf8_copy(path, encoding, cleanup)
    if ends_in_delimiter(path, encoding, files) and csv_over_wide.find_over_wide(
        conn, readable, files, read_as, len(names)
    ):
        return False
    conn.execute(
        f"CREATE OR REPLACE TEMP VIEW {quote(table)} AS SELECT * FROM read_csv("
        f"{literal(str(readable))}, {', '.join(_options(files, read_as, names))})"
    )
    return True


def _has_empty_lines(path: Path, encoding: str, cr_alone: bool = False) -> bool:
    """Whether a line of the file is empty (perhaps inside a quoted value)."""
    needles = ["\r\r"] if cr_alone else ["\n\n", "\n\r\n"]
    codecs_of = ("utf-16-le", "utf-16-be") if encoding.startswith("utf-16") else ("latin-1",)
    return found_in_file(path, *(n.encode(c) for n in needles for c in codecs_of))


def read_csv_rows(
    conn: duckdb.DuckDBPyConnection,
    path: Path,
    files: dict,
    encoding: str,
    table: str,
    cleanup: ExitStack | None = None,
) -> int:
    """Materialize the well-formed rows into ``table`` (with ``_source_row``) and the
    malformed ones into ``_rejected``; return how many were rejected."""
    names = header_names(path, files, encoding)
    # (only here, where the fast read failed: CR LF rows with LF line breaks inside quoted
    # values, as Excel writes them, read well as they are and need no copy)
    mixed, lone_cr, cr_alone = line_ends(path, encoding, files)
    above_rows = int(files.get("header_row", 1)) - (0 if files.get("header", True) else 1)
    # (a file of one column: DuckDB reads an empty line as a row with no value, on both
    # reads alike, so its empty lines stay)
    without_empty = len(names) > 1 and _has_empty_lines(path, encoding, cr_alone)
    readable, read_as = utf8_copy(
        path,
        encoding,
        cleanup,
        one_line_end=mixed,
        quote_char=files.get("quote", '"'),
        without_blank_lines_after=above_rows if without_empty else None,
        line_end="\r" if cr_alone else "\n",
    )
    options = _options(files, read_as, names) + [
        "parallel=false",
        "ignore_errors=true",
        "store_rejects=true",
        "rejects_table='_csv_rejects'",
        "rejects_scan='_csv_scans'",
    ]
    conn.execute("DROP TABLE IF EXISTS _csv_rejects")
    conn.execute("DROP TABLE IF EXISTS _csv_scans")
    try:
        conn.execute(
            f"CREATE OR REPLACE TEMP TABLE _good AS SELECT row_number() OVER () AS k, "
            f"* FROM read_csv({literal(str(readable))}, {', '.join(options)})"
        )
    except duckdb.Error as error:
        stop_on_platform_fault(error, path.name)
        if lone_cr:  # (DuckDB's words: "The CSV Parser state machine reached an invalid state")
            raise UnreadableFile(
                "its lines end in more than one way, a CR alone among them: which CR ends "
                "a row and which belongs to a value cannot be told; ask for an export "
                "whose lines all end the same way"
            ) from None
        raise UnreadableFile(f"it could not be read as CSV ({safe_message(error)})") from None
    # DuckDB numbers records from the top of the file (skipped lines and header included).
    first_data_record = int(files.get("header_row", 1)) + (1 if files.get("header", True) else 0)
    # A record rejected for a quote that is not closed (a stray quote opened a value
    # that another closed 200 lines later) is each of its lines: counted, kept whole and
    # numbered as rows, none lost inside one record's first 2,000 characters. DuckDB
    # numbers records, so each later record's number moves on by the lines such records
    # added. (Another rejected record stays one row, a quoted line break and all.)
    words = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in REJECTED_RULES.items())
    split = "CAST(error_type AS VARCHAR) = 'UNQUOTED VALUE' AND contains(csv_line, chr(10))"
    # Records DuckDB let through with more fields than the header (the extra ones empty:
    # csv_over_wide) are rejected as the others with too many are, and leave _good
    if ends_in_delimiter(path, encoding, files):
        _set_aside_over_wide(conn, readable, files, read_as, len(names), first_data_record)
    else:
        csv_over_wide.none_over_wide(conn)
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE _rejected AS WITH record AS (SELECT DISTINCT ON (line) "
        f"CAST(line AS BIGINT) - {first_data_record - 1} AS first_row, "
        f"CASE WHEN {split} THEN {literal(SPANNING_RULE)} "
        f"ELSE CASE CAST(error_type AS VARCHAR) {words} ELSE 'row: not well-formed CSV' END "
        # (in a CR LF file each record's text after the first starts with its LF)
        # (an empty line inside such a record is no row, as elsewhere)
        f"END AS rule, CASE WHEN {split} THEN list_filter(string_split(ltrim(csv_line, "
        "chr(13) || chr(10)), chr(10)), piece -> rtrim(piece, chr(13)) <> '') "
        "ELSE [ltrim(csv_line, chr(13) || chr(10))] END AS lines FROM _csv_rejects "
        f"UNION ALL SELECT record, {literal(REJECTED_RULES['TOO MANY COLUMNS'])}, [raw_value] "
        f"FROM {csv_over_wide.OVER_WIDE} ORDER BY first_row), "
        "moved AS (SELECT *, coalesce(sum(len(lines) - 1) OVER (ORDER BY first_row ROWS "
        "BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS added FROM record) "
        "SELECT first_row + added + i - 1 AS _source_row, rule, "
        f"left(rtrim(lines[i], chr(13)), {RAW_VALUE_CHARS}) AS raw_value "
        "FROM moved, range(1, len(lines) + 1) AS t(i) ORDER BY _source_row"
    )
    rejected = conn.execute("SELECT count(*) FROM _rejected").fetchone()[0]
    good = conn.execute("SELECT count(*) FROM _good").fetchone()[0]
    # The k-th good row is the k-th data row that was not rejected.
    conn.execute(
        f"CREATE OR REPLACE TEMP TABLE {quote(table)} AS "
        "WITH slots AS (SELECT n, row_number() OVER (ORDER BY n) AS k "
        f"FROM range(1, {good + rejected + 1}) AS t(n) "
        "WHERE n NOT IN (SELECT _source_row FROM _rejected)) "
        "SELECT slots.n AS _source_row, _good.* EXCLUDE (k) FROM _good JOIN slots USING (k) "
        "ORDER BY _source_row"
    )
    conn.execute("DROP TABLE _good")
    return rejected


def _set_aside_over_wide(
    conn, readable: Path, files: dict, encoding: str, width: int, first_data_record: int
) -> None:
    """Fill ``_over_wide`` with the records DuckDB read though they hold more fields
    than the header (``csv_over_wide.find_over_wide``) and take them out of
    ``_good``, whose ``k`` then numbers the rows left: the k-th good row is the k-th
    record DuckDB did not reject. (A record DuckDB rejected is left to its reject.)"""
    if not csv_over_wide.find_over_wide(conn, readable, files, encoding, width):
        return
    rejected = (
        f"SELECT DISTINCT CAST(line AS BIGINT) - {first_data_record - 1} AS first_row "
        "FROM _csv_rejects"
    )
    conn.execute(f"DELETE FROM {csv_over_wide.OVER_WIDE} WHERE record IN ({rejected})")
    conn.execute(
        f"DELETE FROM _good WHERE k IN (SELECT o.record - (SELECT count(*) FROM ({rejected}) "
        f"AS r WHERE r.first_row < o.record) FROM {csv_over_wide.OVER_WIDE} AS o)"
    )
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE _good AS SELECT row_number() OVER (ORDER BY k) AS k, "
        "* EXCLUDE (k) FROM _good"
    )
