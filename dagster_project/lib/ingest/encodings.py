"""Which encoding a text extract is in, decided strictly so no value changes meaning.

A byte-order mark decides. Otherwise each declared encoding is tried in order over the
whole file. A file that is UTF-8 apart from some invalid bytes is *not* read as the next
declared encoding (cp1252 would turn every "café" into "cafÃ©"): it is refused with the
byte offset, so the department can fix or re-export it. Nor is a file that is UTF-8 text
throughout read as a code page the contract declares (cp1252, latin-1): it is refused
until the contract declares utf-8 too.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from .errors import UnreadableFile

BOMS = [
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    # DuckDB reads "utf-16" as little-endian: a big-endian file (its own mark) is read
    # from a UTF-8 copy (csv_reader.TRANSCODED); read as "utf-16" it was one garbled line
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]
SINGLE_BYTE = ("latin-1",)  # every byte is a character: nothing to check
CHUNK = 1 << 22


def detect_bom(path: Path) -> str | None:
    with path.open("rb") as handle:
        head = handle.read(4)
    return next((encoding for bom, encoding in BOMS if head.startswith(bom)), None)


def _utf16_shaped(path: Path) -> bool:
    """Most bytes at even or at odd places of the file's head are 0: UTF-16 text of
    Latin letters (which is valid UTF-8 too: a 0 byte is a character, so it decoded)."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    even, odd = (head[0::2], head[1::2])
    if len(head) < 8:
        return False

    def share_of_zeros(half: bytes) -> float:
        return half.count(0) / len(half)

    # one half nearly all 0, the other nearly none (NUL padding makes both halves 0)
    return (share_of_zeros(even) > 0.8 > 0.2 > share_of_zeros(odd)) or (
        share_of_zeros(odd) > 0.8 > 0.2 > share_of_zeros(even)
    )


def _first_invalid(path: Path, encoding: str) -> tuple[int, bool] | None:
    """(byte offset of the first invalid sequence, whether valid non-ASCII text came
    before it), or None when the whole file decodes."""
    decoder = codecs.getincrementaldecoder(encoding)()
    consumed, non_ascii_before = 0, False
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                offset = consumed + error.start
                non_ascii_before = non_ascii_before or not chunk[: error.start].isascii()
                return offset, non_ascii_before
            non_ascii_before = non_ascii_before or not chunk.isascii()
            consumed += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return consumed, non_ascii_before
    return None


# Two-byte UTF-8 letters and punctuation (é, à, ç, a non-breaking space, dashes and
# curly quotes), which in a single-byte encoding read as "Ã©", "Â ", "â€”": text that
# another export wrote in UTF-8
UTF8_TEXT = re.compile(rb"[\xc2\xc3][\x80-\xbf]|\xe2\x80[\x90-\xbf]")
C1_BYTES = re.compile(rb"[\x80-\x9f]")


def _utf8_text_at(path: Path, pattern: re.Pattern = UTF8_TEXT) -> int | None:
    """The byte offset of the first UTF-8 letter (``pattern``) in the file, or None: in
    a file that is not UTF-8 as a whole, two exports joined, one of them UTF-8."""
    consumed, tail = 0, b""
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            block = tail + chunk
            if found := pattern.search(block):
                return consumed - len(tail) + found.start()
            consumed += len(chunk)
            tail = chunk[-3:]
    return None


def _refuse_mixed(path: Path, encoding: str) -> None:
    """A file that is not UTF-8 but holds UTF-8 text (``UTF8_TEXT``) mixes encodings:
    read as one, the other's characters change (the UTF-8 lines' "é" became "Ã©")."""
    if (utf8 := _utf8_text_at(path)) is not None:
        raise UnreadableFile(
            f"it mixes encodings: UTF-8 text at byte offset {utf8:,} (read as {encoding} "
            f"it would be garbled, 'é' as 'Ã©') and bytes that are not UTF-8 at byte "
            f"offset {_first_invalid(path, 'utf-8')[0]:,}: ask the department for an "
            "export in one encoding"
        )


def _latin1_or_cp1252(path: Path) -> str:
    """latin-1, declared: unless the file holds bytes 0x80-0x9F, control characters in
    latin-1 that no text uses, and Windows' cp1252 reads as curly quotes, dashes and the
    euro sign (an export declared latin-1 and written in cp1252 loaded "\\x93Quoted\\x94"
    as control characters). Such a file is read as cp1252 (the ledger says so); one
    holding bytes cp1252 does not define either is refused."""
    with path.open("rb") as handle:
        holds_c1 = any(C1_BYTES.search(chunk) for chunk in iter(lambda: handle.read(CHUNK), b""))
    if not holds_c1:
        return "latin-1"
    invalid = _first_invalid(path, "cp1252")
    if invalid is None:
        return "cp1252"
    raise UnreadableFile(
        f"control-character bytes at byte offset {invalid[0]:,}: neither latin-1 text "
        "(declared) nor cp1252; ask the department for a clean export"
    )


# One byte a character: any byte sequence decodes, UTF-8's two- and three-byte letters
# too, as two or three wrong characters each
CODE_PAGES = ("cp1252", "latin-1")


# What UTF-8 text holds and code-page text does not by chance: besides ``UTF8_TEXT``, a
# character of three or four bytes, or two two-byte characters in a row (Greek,
# Cyrillic). A cp1252 "CAFÉ DU COIN" is valid UTF-8 by accident ("É" and a no-break
# space are C9 A0) and holds none.
UTF8_EVIDENCE = re.compile(
    UTF8_TEXT.pattern + rb"|[\xe0-\xf4][\x80-\xbf]{2}|[\xc4-\xdf][\x80-\xbf][\xc2-\xdf][\x80-\xbf]"
)


def _is_utf8_beyond_ascii(path: Path) -> bool:
    """Whether the whole file is valid UTF-8 and holds text only UTF-8 writes so
    (``UTF8_EVIDENCE``). Text written in a code page with a few accented letters is
    mostly not valid UTF-8 at its first one: the read stops there."""
    return _first_invalid(path, "utf-8") is None and _utf8_text_at(path, UTF8_EVIDENCE) is not None


def _utf8_declared_later(encoding: str, later: list[str]) -> str:
    """A file declared in a code page (``encoding``) that is UTF-8 text: "utf-8" when the
    contract declares it after that code page, refused otherwise. Read as cp1252 or
    latin-1, each accented letter loaded as two ("Café" as "CafÃ©") without a word,
    when a system's upgrade began exporting in UTF-8."""
    if "utf-8" in later:
        return "utf-8"
    raise UnreadableFile(
        f"it is UTF-8 text (letters and quotes in UTF-8's multi-byte forms), and the contract "
        f"declares only {', '.join([encoding, *later])}: read as {encoding} every such "
        "letter would change ('é' as 'Ã©'). If the system now exports UTF-8, add utf-8 to "
        "the contract's encodings (files: encodings, first)"
    )


def detect_encoding(path: Path, declared: list[str]) -> str:
    """The encoding to read ``path`` with (see the module's docstring)."""
    bom = detect_bom(path)
    utf16_declared = any(e.lower().replace("-", "").startswith("utf16") for e in declared)
    if bom is None and not utf16_declared and _utf16_shaped(path):
        raise UnreadableFile(
            "it looks like UTF-16 without a byte-order mark (every other byte of its text "
            "is 0): ask for an export with one (for a CSV, utf-16 in the contract's "
            "encodings also reads it)"
        )
    candidates = [bom] if bom else declared or ["utf-8"]
    for position, encoding in enumerate(candidates):
        invalid = None if encoding in SINGLE_BYTE else _first_invalid(path, encoding)
        if invalid is None:
            if position and candidates[0] == "utf-8":  # (UTF-8 failed: not in part either)
                _refuse_mixed(path, encoding)
            elif encoding in CODE_PAGES and _is_utf8_beyond_ascii(path):
                return _utf8_declared_later(encoding, candidates[position + 1 :])
            return _latin1_or_cp1252(path) if encoding in SINGLE_BYTE else encoding
        offset, looked_like_it = invalid
        last = position == len(candidates) - 1
        if bom or last or (encoding == "utf-8" and looked_like_it):
            why = (
                "its byte-order mark says so"
                if bom
                else (
                    "it holds valid UTF-8 text before that point"
                    if encoding == "utf-8" and looked_like_it and not last
                    else "it is the last encoding the contract declares"
                )
            )
            raise UnreadableFile(
                f"invalid {encoding} bytes at byte offset {offset:,} (read as {encoding} "
                f"because {why}); reading it as another encoding would change its "
                "characters: ask the department for a clean export"
            )
    raise UnreadableFile("no declared encoding")  # unreachable: the loop returns or raises
