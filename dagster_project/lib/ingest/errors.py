"""What the ingest says when a file or a row cannot be read, in words that never repeat a
resident's data: DuckDB's own messages quote the offending line ("Original Line: ...")
or value, so only their first sentence is kept and quoted text is masked."""

from __future__ import annotations

import re


class UnreadableFile(Exception):
    """The file cannot be read at all; the message says why in plain words."""


_QUOTED = re.compile(r"""(['"]).*?\1""")
_CUT_AT = ("Original Line", "Input:", " at line ", "LINE 1:")


def safe_message(error: BaseException) -> str:
    """The first line of an engine's error, without quoted values or the input line."""
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    for marker in _CUT_AT:
        message = message.split(marker)[0]
    return _QUOTED.sub("'…'", message).strip().rstrip(":")
