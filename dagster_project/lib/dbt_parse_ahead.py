"""The project parsed by the dbt process started ahead of a build, while it waits.

A build spends its first seconds before any model runs reading dbt's partial-parse cache
and rebuilding the manifest from it (1.0-2.2 s of the 1% delta's warehouse step, on the
critical path; measured on the scale-20 benchmark), though nothing in the project changed
since the last run. The process started ahead (lib/warm_dbt.py) waits for the run to
ingest anyway: it parses then, for the configured city, in a scratch target folder (a
copy of the project's cache), as ``dbt parse`` would, and hands the manifest to the
build (dbt's documented way to reuse a manifest: ``dbtRunner(manifest=...)``; here
through the click command's context, so the build keeps the dbt command's output, exit
status and interrupt handling).

The manifest is used only when the build would have parsed the same thing:

- the same files: every file of the dbt project and of the city's dbt folder (its link
  followed; dbt's own ``target`` and ``logs`` left out) has the stamp it had when the
  parse began (size, modification and change times, inode), and had it when it ended;
  none was written in the two seconds before;
- the same environment as far as dbt reads it: dbt reads the environment through
  ``env_var()`` and its own ``DBT_`` options. The platform's project and profile read
  only ``PLATFORM_`` variables (tests/dagster_project/test_dbt_parse_ahead.py checks
  it), a city's models' reads are in the manifest (``env_vars``), and the ``DBT_ENV_``
  variables are recorded in it: all of them must be equal, ``DBT_`` options too except
  those that say only where dbt writes and how it prints (``OUTPUT_ONLY``);
- the same project: the build runs in the platform's dbt folder, as dagster-dbt runs it;
- a plain selection: ``build`` with ``--select``, ``--exclude`` and
  ``--no-write-json`` only (``--full-refresh``, ``--vars``, another target or profile:
  the build parses itself).

Otherwise, or when the parse fails, the build parses as it always did: the cost of a
miss is the time it would have taken anyway. The parse runs on a thread, so the process
answers the build's request at once (its pid: Ctrl-C and SIGTERM reach it); the build
waits for the parse before it sets its own environment (a ``--full-refresh`` build too,
which cannot use it: at most the parse's few seconds, on a rare build). The parse opens
no connection: the warehouse stays free for the run's ingest (tested).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dagster_project.lib.dbt_environment import dbt_environment, target_dir
from dagster_project.settings import DBT_PROJECT_DIR

PARTIAL_PARSE = "partial_parse.msgpack"
# dbt's options that change where it writes and how it prints, never what it parses
OUTPUT_ONLY = frozenset(
    {
        "DBT_TARGET_PATH",
        "DBT_LOG_PATH",
        "DBT_LOG_FORMAT",
        "DBT_LOG_FORMAT_FILE",
        "DBT_LOG_LEVEL",
        "DBT_LOG_LEVEL_FILE",
        "DBT_QUIET",
        "DBT_USE_COLORS",
        "DBT_USE_COLORS_FILE",
        "DBT_PRINTER_WIDTH",
        "DBT_SEND_ANONYMOUS_USAGE_STATS",
        "DBT_WRITE_JSON",
        "DBT_DEBUG",
    }
)
READ_PREFIXES = ("DBT_", "PLATFORM_", "CITY_")
# the run's own variables under those prefixes that dbt never reads
NOT_READ_BY_DBT = frozenset({"CITY_DBT_WARM_SOCKET"})
# the options a build may carry and still use the manifest parsed ahead
PLAIN_BUILD_OPTIONS = frozenset({"--select", "-s", "--exclude", "--no-write-json"})
# Folders of dbt/ that hold no file dbt parses (its output, the staging name of the city
# link): left out at the top only, since dbt parses every subfolder of a model path.
NOT_PARSED = ("target", "logs", "dbt_packages", "city_folder/target", "city_folder/logs")
# A file written this shortly before the parse began may be written again within the
# same tick of a coarse clock (a network-mounted city folder): no manifest then.
SETTLING_NS = 2_000_000_000
# How long a build waits for the parse ahead to end (a partial parse takes 1-2 s, a
# whole one of the sample city ~15 s on the 2-core machine)
PARSE_WAIT_S = 120


@dataclass
class ParsedAhead:
    manifest: Any  # dbt's Manifest
    environment: dict[str, str]  # what the parse ran with
    files: dict[str, tuple[int, ...]]  # path -> its stamp (see project_files)
    scratch: Path  # the parse's target folder, with the cache it left

    def manifest_for(self, args: list[str], environment: Mapping[str, str]) -> Any | None:
        """The manifest, when a build of ``args`` in ``environment`` would parse the
        same (see the module's doc); otherwise None. Once: the build may change it.
        Never raises: a failed check is a miss."""
        manifest, self.manifest = self.manifest, None
        try:
            if not self._same_parse(manifest, args, environment):
                return None
            self._hand_back_cache(environment)
        except Exception:  # noqa: BLE001 (a miss: the build parses itself)
            return None
        return manifest

    def _same_parse(self, manifest, args: list[str], environment: Mapping[str, str]) -> bool:
        if manifest is None or not plain_build(args) or Path.cwd() != DBT_PROJECT_DIR:
            return False  # (dbt takes the folder it runs in for the project)
        read = dbt_read_variables(self.environment, environment, manifest)
        if any(self.environment.get(k) != environment.get(k) for k in read):
            return False
        return project_files() == self.files

    def _hand_back_cache(self, environment: Mapping[str, str]) -> None:
        """The cache the parse updated, into the build's target folder, from which the
        warehouse step keeps it for the next build (a build given a manifest writes
        none: the next run would parse the same changes again)."""
        cache, target = self.scratch / PARTIAL_PARSE, environment.get("DBT_TARGET_PATH")
        if cache.exists() and target and Path(target).is_dir() and Path(target) != self.scratch:
            shutil.copyfile(cache, Path(target) / PARTIAL_PARSE)


class ParseAhead:
    """``parse_ahead`` on a thread: the process answers its build's request (its pid, so
    Ctrl-C reaches it) while the parse runs. ``result`` waits for it; the build must call
    it before it sets its own environment and folder, which the parse sets meanwhile."""

    def __init__(self, scratch: Path):
        self._result: ParsedAhead | None = None
        self._thread = threading.Thread(target=self._run, args=(scratch,), daemon=True)
        self._thread.start()

    def _run(self, scratch: Path) -> None:
        self._result = parse_ahead(scratch)

    def result(self, timeout: float = PARSE_WAIT_S) -> ParsedAhead | None:
        """The parse's result. A parse still running after ``timeout`` raises
        TimeoutError: the build must not set its environment while it runs (the process
        then ends before the build starts, and the build runs dbt itself)."""
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError(f"the parse ahead did not end in {timeout:.0f} s")
        return self._result


def parse_ahead(scratch: Path) -> ParsedAhead | None:
    """Parse the configured city's project in ``scratch`` (made here); None when it fails
    or a file changed meanwhile. Leaves this process's environment and folder as found."""
    began = time.time_ns()
    try:
        from dbt.cli.main import dbtRunner

        scratch.mkdir(parents=True, exist_ok=True)
        cache = target_dir() / PARTIAL_PARSE
        if cache.exists():
            shutil.copyfile(cache, scratch / PARTIAL_PARSE)
        environment = {
            **os.environ,
            **dbt_environment(),
            "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),  # (as dagster-dbt tells the build)
            "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
            "DBT_TARGET_PATH": str(scratch),
            "DBT_LOG_PATH": str(scratch),
        }
        files = project_files()
        if any(stamp[1] > began - SETTLING_NS for stamp in files.values()):
            return None  # just written: may be written again unseen
        with _environment(environment), contextlib.chdir(DBT_PROJECT_DIR):
            result = dbtRunner().invoke(["parse", "--no-write-json", "--quiet"])
        if not result.success or result.result is None or project_files() != files:
            return None
    except Exception:  # noqa: BLE001 (a miss: the build parses itself)
        return None
    return ParsedAhead(result.result, environment, files, scratch)


def plain_build(args: list[str]) -> bool:
    if args[:1] != ["build"]:
        return False
    options = {a.split("=", 1)[0] for a in args[1:] if a.startswith("-")}
    return options <= PLAIN_BUILD_OPTIONS


def dbt_read_variables(before: Mapping[str, str], now: Mapping[str, str], manifest) -> set[str]:
    """The variables dbt's parse read or could have read, of both environments."""
    names = {
        name
        for name in {*before, *now}
        if name.startswith(READ_PREFIXES) and name not in OUTPUT_ONLY | NOT_READ_BY_DBT
    }
    return names | set(getattr(manifest, "env_vars", {}) or {})


def project_files() -> dict[str, tuple[int, ...]]:
    """Every file dbt could parse, by its stamp: the project's and, through its link
    (``dbt/city_folder``), another city's (which of them the environment says). The
    stamp is what any write changes: size, modification and change times, inode (a copy
    that keeps the modification time, ``cp -p``, still moves the change time)."""
    skipped = {str(DBT_PROJECT_DIR / folder) for folder in NOT_PARSED}
    found = {}
    for folder, subfolders, names in os.walk(DBT_PROJECT_DIR, followlinks=True):
        subfolders[:] = [
            s
            for s in subfolders
            if os.path.join(folder, s) not in skipped
            and not (folder == str(DBT_PROJECT_DIR) and s.startswith(".city_folder."))
        ]
        for name in names:
            path = os.path.join(folder, name)
            with contextlib.suppress(OSError):  # gone meanwhile: a difference anyway
                stat = os.stat(path)
                found[path] = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
    return found


@contextlib.contextmanager
def _environment(environment: Mapping[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(environment)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
