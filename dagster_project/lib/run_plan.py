"""What a run must do, decided before it starts.

Every step of a Dagster run costs a tenth of a second or more even when it does nothing
(its events go to the run's log one by one), and the city's job has about 120 steps and
500 planned assets and checks: a run with no new file spent half a minute saying
"unchanged". So the command line (and the daily schedule) first work out, from the same
versions the steps themselves compare (``lib/incremental.py``), which steps have
something to do, and run those only:

- **ingest** of a system: a file in its landing folder that the ledger does not know (by
  name and content), or no raw table yet;
- **the warehouse** (dbt, whole): new files anywhere, or the build the last successful
  one recorded differs from now (a changed project, a build that failed or was killed);
- **a dataset's gates and publication**: its model is built on a system with new files
  (or the whole warehouse is rebuilt), or its model's rows or the rules (dictionary,
  suites, code) differ from what its gates passed and the portal received, or the portal
  no longer shows it publicly, or a superseded file is past its retention;
- **every dataset's privacy gate** after new files anywhere: the personal values it looks
  for come from every system's raw rows;
- always: what depends on the clock or on the portal alone (delivery freshness, the
  quality score and its dataset, retired and withdrawn datasets, datasets removed from
  the dictionary) and the site pages (catalog, dictionary, quality reports: they send
  only what changed).

A city's first run (no warehouse or ledger yet) ingests every system and builds the whole
warehouse, but leaves out the gates and publication of the datasets built on a system
with no file in its landing folder: each of those steps would only say "waiting" (with
20 systems of which 3 deliver, 74 of a first run's 103 steps, 10 s).

The plan only leaves out steps that would have said "unchanged" or "waiting": each step
still checks for itself, so a plan that includes too much costs time, never correctness.
Any doubt (another run writing, a portal that does not answer) plans everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from .files import FileHashes, file_sha256
from .gates.results import GATES, GateResults
from .incremental import BuildPlan, descendants, gate_version, plan_build, published_version
from .ingest import ledger
from .ingest.contract_columns import behind_contract, table_catalog, table_columns
from .ingest.loader import landing_files, systems_waiting
from .versions import VersionHistory, expired_archives


@dataclass(frozen=True)
class RunPlan:
    """``whole``: the whole job (no plan could be made)."""

    reason: str
    whole: bool = False
    ingest: list[str] = field(default_factory=list)  # systems with something to load
    build: BuildPlan | None = None  # what the warehouse step would build
    # the dbt nodes (models, seeds, snapshots, tests) the build may make, and the datasets
    # whose model is one of them (None: every one)
    built: frozenset[str] | None = None
    rebuilt: frozenset[str] | None = frozenset()
    refresh: dict[str, str] = field(default_factory=dict)  # dataset -> why it is re-checked
    current: dict[str, str] = field(default_factory=dict)  # dataset -> as it stands
    # new raw files change the personal values every privacy gate looks for: the privacy
    # gates of the current datasets run too (and withdraw one that now shows them)
    recheck_privacy: bool = False

    @property
    def warehouse(self) -> bool:
        """The warehouse step runs dbt."""
        return self.whole or bool(self.ingest) or not (self.build and self.build.nothing)

    def summary(self) -> str:
        if self.whole:
            return f"every step ({self.reason})"
        checked = (
            sorted(self.refresh) if self.rebuilt is None else sorted({*self.rebuilt, *self.refresh})
        )
        if self.warehouse:
            what = "every dataset's" if self.rebuilt is None else f"{len(checked)} datasets'"
            privacy = (
                f", the privacy gates of the {len(self.current)} others"
                if self.recheck_privacy and self.current
                else ""
            )
            return f"{self.reason}: the warehouse, {what} gates and portal{privacy}"
        if not self.refresh:
            return (
                f"{self.reason}: every dataset is as its gates passed it and the portal has "
                "it; only deliveries' freshness, the quality scores, retirements and the "
                "site pages are checked"
            )
        return f"{self.reason}: gates and portal of {', '.join(checked)}"


def everything(reason: str) -> RunPlan:
    return RunPlan(reason, whole=True)


def first_run(dictionary, landing_dir: Path, reason: str) -> RunPlan:
    """Before the first ingest: every system's ingest (one with no file yet still makes
    its empty raw table, which dbt's sources need), the whole warehouse, and the gates
    and publication of every dataset whose source systems all have a file to load."""
    silent = {s.system for s in dictionary.sources.values() if not landing_files(s, landing_dir)}
    ready = {d.id for d in dictionary.approved_datasets if not silent & set(d.source_systems)}
    return RunPlan(reason, ingest=sorted(dictionary.sources), built=None, rebuilt=frozenset(ready))


def plan_run(
    conn: duckdb.DuckDBPyConnection,
    dictionary,
    settings,
    previous_build,
    current_build,
    manifest: dict,
    packages: dict[str, dict | None],
    now: datetime,
) -> RunPlan:
    """The plan, from a read-only connection to the warehouse.

    ``previous_build`` / ``current_build``: the warehouse step's BuildStates (its state
    file, and now); ``manifest``: dbt's; ``packages``: each approved dataset's package on
    the portal (None: not there), as the publisher would see it."""
    if not ledger.exists(conn):
        return first_run(dictionary, settings.landing_dir, "a first run: no ingest ledger yet")
    hashes = FileHashes(settings.landing_hashes_file)
    raw_tables, raw_drift = table_catalog(conn, "raw")
    ingest = _systems_with_new_files(
        conn, dictionary.sources.values(), settings.landing_dir, hashes.sha256, raw_tables
    )
    hashes.save()
    behind = _systems_behind_contract(raw_tables, raw_drift, dictionary.sources.values())
    build = plan_build(previous_build, current_build)
    reasons = [f"new files from {', '.join(ingest)}"] if ingest else []
    if behind:
        reasons.append(f"contracts with a new column: {', '.join(behind)}")
        ingest = sorted({*ingest, *behind})
    reason = "; ".join(reasons) if reasons else build.reason
    if build.changed is None:  # the whole warehouse: every dataset
        return RunPlan(reason, ingest=ingest, build=build, rebuilt=None)
    built = _built_nodes(manifest, sorted({*build.changed, *ingest}))
    rebuilt = {d.id for d in dictionary.approved_datasets if d.model in built}
    waiting = set(systems_waiting(conn, list(dictionary.sources)))
    refresh, current = {}, {}
    results = GateResults(settings.gate_reports_dir)
    retention = timedelta(days=dictionary.city.previous_versions_retention_days)
    # after new files, the privacy gates' version changes anyway: compare the others'
    gates = ("quality_gate",) if ingest else GATES
    for dataset in dictionary.approved_datasets:
        if dataset.id in rebuilt:
            continue  # new rows: its gates and publication run
        if waiting & set(dataset.source_systems):
            continue  # the report says "waiting"; its steps would only say so too
        record = results.get(dataset.id)
        why = _why_refresh(conn, dataset, record, packages.get(dataset.id), gates)
        if why is None and _archives_due(settings.versions_dir, dataset.id, retention, now):
            why = "a superseded file is past its retention"
        if why:
            refresh[dataset.id] = why
        else:
            current[dataset.id] = _as_published(record)
    if not ingest and build.nothing:
        reason = "no new files and nothing to rebuild"
    return RunPlan(
        reason,
        ingest=ingest,
        build=build,
        built=frozenset(built),
        rebuilt=frozenset(rebuilt),
        refresh=refresh,
        current=current,
        recheck_privacy=bool(ingest),
    )


def _built_nodes(manifest: dict, systems: list[str]) -> set[str]:
    """The names of the dbt nodes built on these systems' sources."""
    nodes = manifest["nodes"]  # (the child map also names metrics and semantic models)
    return {nodes[uid]["name"] for uid in descendants(manifest, systems) if uid in nodes}


def _systems_with_new_files(
    conn, sources, landing_dir: Path, sha256=file_sha256, tables: dict | None = None
) -> list[str]:
    """The systems with a file the ledger has not seen under this name and content (what
    the ingest step would read), or no raw table yet (the step creates it, empty).
    ``tables``: the raw schema's tables (``table_columns``), read here when not given."""
    tables = table_columns(conn, "raw") if tables is None else tables
    known = set(  # (a file the reader failed on is read again: loader.FAILED; a refused
        # one put back from the quarantine too: ledger.seen)
        conn.execute(
            "SELECT system, file_name, sha256 FROM raw._ingest_files "
            "WHERE status NOT IN ('failed', 'quarantined')"
        ).fetchall()
    )

    def new_files(source) -> bool:
        return any(
            (source.system, p.name, sha256(p)) not in known
            for p in landing_files(source, landing_dir)
        )

    return [s.system for s in sources if s.raw_table not in tables or new_files(s)]


def _systems_behind_contract(
    tables: dict[str, dict[str, str]], drift: dict[str, set[str]], sources
) -> list[str]:
    """The systems whose raw table (``tables``: the raw schema's, ``table_columns``;
    ``drift``: their columns kept as schema drift) was made under an older contract and
    lacks a column the contract now names, or holds it as drift text: their ingest step
    syncs it (before dbt reads it)."""
    return [
        s.system
        for s in sources
        if s.raw_table in tables
        and behind_contract(s, tables[s.raw_table], drift.get(s.raw_table, set()))
    ]


def _why_refresh(conn, dataset, record, package, gates) -> str | None:
    """Why this dataset's gates or publication must run although its model is not
    rebuilt: ``record``, its gate results; ``gates`` whose pass to compare (all, or the
    quality gate only)."""
    if record is None or record.published_version is None:
        return "never published"
    try:
        version = published_version(conn, dataset.model)
        versions = {gate: gate_version(conn, dataset.model, gate, version) for gate in gates}
    except duckdb.Error as error:  # its model is missing or broken: let the steps say
        return f"its model could not be read ({type(error).__name__})"
    for gate, gate_version_now in versions.items():
        if not record.passed(gate, gate_version_now):
            return f"its {gate.replace('_', ' ')} has not passed these rows under these rules"
    if record.published_version != version:
        return "the portal has other rows or rules"
    if package is None or package.get("private") or package.get("state") != "active":
        return "the portal does not show it publicly"
    return None


def _archives_due(versions_dir: Path, dataset_id: str, retention: timedelta, now) -> bool:
    return bool(expired_archives(VersionHistory(versions_dir, dataset_id), retention, now))


def _as_published(record) -> str:
    rows = (record.published_version or "?").split(":", 1)[0]
    when = f" on {record.published_at:%Y-%m-%d %H:%M} UTC" if record.published_at else ""
    return f"{rows} rows, as published{when} (nothing new: not in this run)"
