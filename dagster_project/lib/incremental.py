"""Do only the work that changed: what the warehouse build, the gates and the publisher
must redo, decided from versions of their inputs.

Three kinds of version, all content-based (a copied or touched file changes nothing):

- **raw versions**: per source system, a hash of the files its raw table holds (the
  ingest ledger's loaded and superseded files). Raw tables change only through ingest.
- **the project version**: a hash of the dbt project as parsed (every model's, seed's,
  snapshot's and test's checksum and config, every macro). A changed model or macro
  means a full build (rare: a deployment), never a wrong partial one.
- **data versions** of the published models: row count and a sum of row hashes, computed
  by DuckDB after the build (tens of milliseconds per million rows), and the **rules
  version**: the city's dictionary, its Great Expectations suites and the platform code
  that gates and publishes (a changed description or rule re-gates and re-publishes).

The warehouse step keeps the raw and project versions of its last build of the whole
project that succeeded (``<data>/build_state.json``). A run builds the descendants of the
systems whose raw version differs from it (``dbt build --select source:<system>+``, given
as the ``--exclude`` of everything else; in a system's job, within its part), everything
when the project changed or there is no such build yet, and nothing when nothing changed.
A build that failed or was killed leaves the reference as it was: the next run redoes the
same systems' descendants.

The big models (staging dedupe, facts) are dbt incremental models: they take only the raw
rows loaded since their last build (``loaded_since_last_build``, on ``_loaded_at``, which
the loader keeps strictly increasing per table) and replace those keys. That is right
only while raw tables grow: when a file the last build used is no longer loaded (a
corrected re-delivery superseded it) or the project changed, the plan asks for a full
refresh, and dbt rebuilds them from all raw rows. Models downstream keep `_loaded_at` to
do the same: `core.fct_service_transactions` (per source, a pre-hook deletes the rows it
recomputes, so a row now left out goes) and `intermediate.int_service_requests__published`
(behind the `pub_service_requests` view; it also recomputes the rows whose published
value depends on a count over the whole table).

The gates and the publisher record the data and rules versions they passed or published
(``GateResults``): the same versions again are not re-checked or re-sent, and the run
says "unchanged".
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import duckdb

from .warehouse import quote

STATE_FILE = "build_state.json"
# Keys of a dbt node's config that change without the node changing.
VOLATILE_CONFIG = ("created_at",)


@dataclass(frozen=True)
class BuildState:
    project: str
    raw: dict[str, str] = field(default_factory=dict)
    # per system, the files (sha256) whose rows the raw table holds; None: not recorded
    loaded: dict[str, list[str]] | None = None


def load_state(data_dir: Path) -> BuildState | None:
    try:
        document = json.loads((data_dir / STATE_FILE).read_text())
        loaded = document.get("loaded")
        return BuildState(
            project=document["project"],
            raw=dict(document["raw"]),
            loaded={k: list(v) for k, v in loaded.items()} if loaded is not None else None,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # none yet, or unreadable: build everything


def save_state(data_dir: Path, state: BuildState) -> None:
    """Atomically: a run killed while writing leaves the previous state or none."""
    handle, temporary = tempfile.mkstemp(dir=data_dir, suffix=".tmp")
    document = {"project": state.project, "raw": state.raw, "loaded": state.loaded}
    with os.fdopen(handle, "w") as out:
        json.dump(document, out, indent=2, sort_keys=True)
    os.replace(temporary, data_dir / STATE_FILE)


def raw_versions(conn: duckdb.DuckDBPyConnection, systems: list[str]) -> dict[str, str]:
    rows = dict(
        conn.execute(
            "SELECT system, sha256(string_agg(file_name || ':' || sha256 || ':' || status, ','"
            "  ORDER BY file_name, sha256, status)) "
            "FROM raw._ingest_files WHERE status IN ('loaded', 'superseded') GROUP BY system"
        ).fetchall()
    )
    return {system: rows.get(system, "none") for system in systems}


def loaded_files(conn: duckdb.DuckDBPyConnection, systems: list[str]) -> dict[str, list[str]]:
    """Per system, the files whose rows its raw table holds now."""
    rows = conn.execute(
        "SELECT system, list(DISTINCT sha256 ORDER BY sha256) FROM raw._ingest_files "
        "WHERE status = 'loaded' GROUP BY system"
    ).fetchall()
    found = dict(rows)
    return {system: list(found.get(system) or []) for system in systems}


def current_state(
    conn: duckdb.DuckDBPyConnection, manifest: dict, systems: list[str]
) -> BuildState:
    """What the warehouse step would record after a build now (the ledger's files per
    system, the project as parsed). Raises CatalogException before the first ingest."""
    return BuildState(
        project_version(manifest), raw_versions(conn, systems), loaded_files(conn, systems)
    )


def project_version(manifest: dict) -> str:
    digest = hashlib.sha256()
    for section in ("nodes", "sources", "macros", "seeds"):
        for unique_id, node in sorted(manifest.get(section, {}).items()):
            config = {k: v for k, v in node.get("config", {}).items() if k not in VOLATILE_CONFIG}
            digest.update(
                json.dumps(
                    [
                        unique_id,
                        (node.get("checksum") or {}).get("checksum"),
                        node.get("macro_sql"),
                        config,
                        node.get("columns"),
                        node.get("depends_on"),
                    ],
                    sort_keys=True,
                    default=str,
                ).encode()
            )
    return digest.hexdigest()


@dataclass(frozen=True)
class BuildPlan:
    """``changed`` None: build everything; empty: nothing; else what descends from these
    systems' sources. ``full_refresh``: rebuild the incremental models from all raw rows
    (their raw tables did not only grow, or the project changed, or there is no earlier
    build to add to)."""

    changed: list[str] | None
    reason: str
    full_refresh: bool = True

    @property
    def nothing(self) -> bool:
        return self.changed == []

    def excluded_nodes(self, manifest: dict) -> list[str]:
        """The dbt nodes (models, seeds, snapshots, tests) NOT to build: all but the
        descendants of the changed systems' sources. Given to dbt as ``--exclude``: the
        Dagster integration passes its own ``--select``, which a second one would fight."""
        if not self.changed:
            return []
        keep = descendants(manifest, self.changed)
        return sorted(
            node["name"]
            for uid, node in manifest["nodes"].items()
            if uid not in keep and node["resource_type"] in ("model", "seed", "snapshot", "test")
        )


def descendants(manifest: dict, systems: list[str]) -> set[str]:
    """The unique ids of every dbt node built on these systems' sources."""
    found: set[str] = set()
    frontier = [uid for uid, s in manifest["sources"].items() if s["source_name"] in systems]
    while frontier:
        node = frontier.pop()
        for child in manifest["child_map"].get(node, []):
            if child not in found:
                found.add(child)
                frontier.append(child)
    return found


def plan_build(previous: BuildState | None, current: BuildState) -> BuildPlan:
    if previous is None:
        return BuildPlan(None, "no earlier build that succeeded entirely: build everything")
    if previous.project != current.project:
        return BuildPlan(None, "the dbt project changed (a model, macro or seed): build everything")
    changed = sorted(s for s, v in current.raw.items() if previous.raw.get(s) != v)
    if not changed:
        return BuildPlan([], "no new files and no change to the project: nothing to build", False)
    replaced = _not_only_grown(previous, current, changed)
    if replaced:
        return BuildPlan(
            changed,
            f"new files from {', '.join(changed)}, and {', '.join(replaced)} no longer holds "
            "rows of a file the last build used (a corrected re-delivery): what depends on "
            "them, the incremental models rebuilt from all rows",
        )
    return BuildPlan(
        changed,
        f"new files from {', '.join(changed)}: what depends on them, the incremental models "
        "adding the new rows only",
        full_refresh=False,
    )


def _not_only_grown(previous: BuildState, current: BuildState, changed: list[str]) -> list[str]:
    """The changed systems whose raw table lost rows of a file since the last build (or
    whose files were not recorded then: assume it did)."""
    if previous.loaded is None or current.loaded is None:
        return list(changed)
    return [
        system
        for system in changed
        if not set(previous.loaded.get(system, [])) <= set(current.loaded.get(system, []))
    ]


def data_version(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> str | None:
    """Row count and the sum of row hashes: equal for the same rows in any order."""
    try:
        count, total = conn.execute(
            f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {quote(schema)}.{quote(table)} AS t"
        ).fetchone()
    except duckdb.CatalogException:
        return None
    return f"{count}:{total}"


@lru_cache(maxsize=8)
def _files_version(paths: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for path, _mtime, _size in paths:
        digest.update(path.encode())
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


# The platform code whose change must re-gate and re-publish (how a rule is checked, what
# the portal is sent), relative to the project.
RULE_CODE = (
    "publish/ckan",
    "publish/catalog",
    "dagster_project/lib/gates",
    "dagster_project/lib/dictionary",
    "dagster_project/lib/exports.py",
)


def rules_version(dictionary_dir: Path, expectations_dir: Path, code: list[Path]) -> str:
    """Everything a gate checks against and the publisher sends besides the rows."""
    files = [
        *sorted(dictionary_dir.rglob("*.yml")),
        *sorted((expectations_dir / "gx" / "expectations").glob("*.json")),
        *sorted(p for c in code for p in ([c] if c.is_file() else c.rglob("*.py"))),
    ]
    stats = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    return _files_version(stats)[:16]


def published_version(conn: duckdb.DuckDBPyConnection, model: str) -> str:
    """The version a gate checks and the publisher sends: the rows and the rules."""
    from dagster_project.settings import PROJECT_DIR, get_settings

    settings = get_settings()
    rules = rules_version(
        settings.dictionary_dir, settings.expectations_dir, [PROJECT_DIR / c for c in RULE_CODE]
    )
    return f"{data_version(conn, 'open_data', model)}|{rules}"


def gate_version(
    conn: duckdb.DuckDBPyConnection, model: str, gate: str, published: str | None = None
) -> str:
    """What a gate's pass is recorded against: the published version (``published``:
    already computed); for the privacy gate also every system's raw version (the personal
    values it looks for come from every system's raw rows: a new file anywhere means
    looking again)."""
    version = published or published_version(conn, model)
    return f"{version}|{personal_values_version(conn)}" if gate == "privacy_gate" else version


def personal_values_version(conn: duckdb.DuckDBPyConnection) -> str:
    """Every system's raw version at once: what the privacy gate's personal values come from."""
    try:
        (version,) = conn.execute(
            "SELECT sha256(coalesce(string_agg(system || ':' || file_name || ':' || sha256, ','"
            "  ORDER BY system, file_name, sha256), '')) FROM raw._ingest_files "
            "WHERE status IN ('loaded', 'superseded')"
        ).fetchone()
    except duckdb.CatalogException:
        return "none"
    return version[:16]
