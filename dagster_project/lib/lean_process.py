"""A command's process without two of Python's costs that are no work of ours.

- While a command imports Dagster, dbt, Great Expectations and pandas (a few million
  objects that live until the end), the garbage collector, at its default first-generation
  threshold of 700, walks them again and again: ~0.7 s of a run's fixed cost, measured on
  a no-op run. Commands raise the threshold while they import, then freeze what they
  loaded (``gc.freeze``: no collection walks it again) and put the default back for their
  own work, whose cycles are collected as usual.
- Before it exits, Python frees every module and object one by one: about 1 s of the
  pipeline command, and 0.5-1 s of each dbt build. Nothing in that teardown is work of
  ours: ``end_process`` still runs the exit handlers (``atexit``: in the pipeline they
  flush logs and remove temporary folders; in dbt, cli/dbt_process.py adds one that
  closes a warehouse a stopped build left open), then exits at once.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys

GC_FIRST_GENERATION_THRESHOLD = 20_000  # while importing (Python's default: 700)


def end_process(code: int) -> None:
    """Run the exit handlers, flush the output, and exit at once with ``code``. (Only for
    a process that starts no thread that is not a daemon: those would be cut short.)"""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed pipe (| head) must not stop the exit
            stream.flush()
    os._exit(code)


def exit_status(code: object) -> int:
    """The status ``sys.exit(code)`` would give: None is 0, a number itself, anything else
    is printed and 1 (click and dbt exit with numbers)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
