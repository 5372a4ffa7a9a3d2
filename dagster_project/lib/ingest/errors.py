"""What the ingest says when a file or a row cannot be read, in words that never repeat a
resident's data: DuckDB's own messages quote the offending line ("Original Line: ...")
or value, so only their first sentence is kept and quoted text is masked."""

from __future__ import annotations

import re


class UnreadableFile(Exception):
    """The file cannot be read at all; the message says why in plain words."""


class PlatformFault(RuntimeError):
    """The platform, not the file, failed (memory, disk): the run stops, the file stays in
    the landing folder for the next run, and nothing is quarantined."""


def stop_on_platform_fault(error: BaseException, file_name: str) -> None:
    """Raise :class:`PlatformFault` when ``error`` is the machine's, not the file's."""
    import duckdb

    text = str(error).lower()
    if isinstance(error, duckdb.OutOfMemoryException) or (
        isinstance(error, duckdb.IOException) and ("no space left" in text or "quota" in text)
    ):
        raise PlatformFault(
            f"{file_name}: the platform could not load it ({safe_message(error)}); the file "
            "is left in the landing folder. Give DuckDB more memory "
            "(PLATFORM_DUCKDB_MEMORY_LIMIT) or free disk space, then run again."
        ) from None


_QUOTED = re.compile(r"""(['"]).*?\1""")
_CUT_AT = ("Original Line", "Input:", " at line ", "LINE 1:")


def safe_message(error: BaseException) -> str:
    """The first line of an engine's error, without quoted values or the input line."""
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    for marker in _CUT_AT:
        message = message.split(marker)[0]
    return _QUOTED.sub("'…'", message).strip().rstrip(":")
