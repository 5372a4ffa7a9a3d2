"""What the next publication would change on the portal, found with read-only calls.

It compares the warehouse's published models as they are now (``open_data.pub_<id>``,
exported to a temporary Parquet file) with what the portal holds:

- **rows**: against the files of the last publication (``<data>/versions/<id>/``), which
  are what the portal's files and DataStore table were loaded from; the DataStore's row
  count is checked against them, and a portal that drifted (edited by hand, reloaded) is
  reported as needing a reload;
- **metadata**: the package the publisher would send (``mapping.package_dict``) field by
  field against ``package_show``;
- **resources**: the current files, the superseded CSV that would be kept, and the
  superseded files whose retention is over;
- **datasets**: new ones, ones to mark retired (retired in the dictionary, or our
  package with no dictionary entry) and retired ones past their retention.

Only ``package_show``, ``package_search`` and ``datastore_search`` are called: the plan
never changes the portal (``tests/publish/ckan/test_plan.py`` compares it before/after).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from dagster_project.lib.dictionary import Dataset, Dictionary
from dagster_project.lib.row_changes import ChangedRow, compare_exports
from dagster_project.lib.versions import (
    VersionHistory,
    change_notes,
    entry_fingerprint,
    next_version,
)

from .mapping import package_dict, package_facts, package_name, resource_dicts, with_schema_fields
from .publisher import CkanPublisher
from .retirement import our_packages, removed_from_dictionary, retention_over
from .versions import archive_name, expired_archives, version_extras

DETAIL_ROWS = 50  # changed rows listed per dataset and kind


@dataclass
class DatasetPlan:
    dataset: str
    lines: list[str] = field(default_factory=list)
    rows: list[ChangedRow] = field(default_factory=list)

    @property
    def changes(self) -> bool:
        return bool(self.lines)


def _differing_fields(
    current: dict[str, Any], wanted: dict[str, Any], schema_fields: frozenset[str]
) -> list[str]:
    fields = []
    for key, value in with_schema_fields(wanted, schema_fields).items():
        if key == "extras":
            have = {e["key"]: e["value"] for e in current.get("extras", [])}
            want = {e["key"]: e["value"] for e in value}
            fields += [k for k in sorted(set(have) | set(want)) if have.get(k) != want.get(k)]
        elif key == "tags":
            if sorted(t["name"] for t in current.get("tags", [])) != sorted(
                t["name"] for t in value
            ):
                fields.append("tags")
        elif key == "owner_org":
            if value not in (
                current.get("owner_org"),
                (current.get("organization") or {}).get("name"),
            ):
                fields.append("owner_org")
        elif current.get(key) != value:
            fields.append(key)
    return fields


def plan_dataset(
    publisher: CkanPublisher,
    dictionary: Dictionary,
    dataset: Dataset,
    new_parquet: Path,
    history: VersionHistory,
    dictionary_page_url: str | None,
    retention: timedelta,
    now: datetime,
    quality_report_url: str | None = None,
) -> DatasetPlan:
    """What publishing ``new_parquet`` (the model now) would change for one dataset."""
    plan = DatasetPlan(dataset.id)
    division = dictionary.divisions[dataset.owner_division]
    current = publisher.show_package(package_name(dataset.id))
    versions = history.versions()
    previous = versions[-1] if versions else None
    changes = compare_exports(
        history.published_parquet if previous else None,
        new_parquet,
        dataset.key_columns,
        detail=DETAIL_ROWS,
    )
    pending = next_version(
        previous,
        changes,
        entry_fingerprint(dict(dataset.spec)),
        now.date(),
        change_notes(dict(dataset.spec), versions, now.date()),
    )
    versions = versions + ([pending] if pending else [])
    if current is None or current.get("state") == "deleted":
        plan.lines.append(f"new dataset: create it with {changes.rows:,} rows (version 1)")
        return plan
    if current.get("private"):
        plan.lines.append("withdrawn (private) on the portal: publish it again")
    if previous is None:
        plan.lines.append(
            "no version history here (published before versions were kept, or from "
            "another machine): version 1 would be recorded from all rows"
        )
    elif changes.data_changed:
        plan.lines.append(f"rows: {changes.summary()} ({changes.rows:,} rows after)")
        plan.rows = list(changes.details)
        if max(changes.added, changes.changed, changes.removed) > DETAIL_ROWS:
            plan.lines.append(f"rows listed: the first {DETAIL_ROWS} of each kind, by key")
    if pending is not None and previous is not None:
        plan.lines.append(f"new version: {pending.describe().replace('**', '')}")
    wanted = package_dict(
        dataset, division, dictionary_page_url, quality_report_url, version_extras(versions)
    )
    version_keys = {"version", "changelog", "data_last_updated", "previous_versions"}
    differing = [
        f
        for f in _differing_fields(current, wanted, publisher.schema_fields)
        if f not in version_keys
    ]
    if differing:
        plan.lines.append(f"metadata fields that differ: {', '.join(differing)}")
    plan.lines += _resource_lines(publisher, dataset, current, history, changes, retention, now)
    return plan


def _resource_lines(publisher, dataset, current, history, changes, retention, now) -> list[str]:
    lines = []
    names = {r["name"]: r for r in current.get("resources", [])}
    for resource in resource_dicts(dataset):
        if resource["name"] not in names:
            lines.append(f"resource: create {resource['name']!r}")
        elif changes.data_changed and history.latest() is not None:
            lines.append(f"resource: replace {resource['name']!r}")
    latest = history.latest()
    if changes.data_changed and latest is not None:
        lines.append(f"resource: keep the current CSV as {archive_name(dataset, latest)!r}")
    for version in expired_archives(history, retention, now):
        lines.append(f"resource: delete {archive_name(dataset, version)!r} (retention over)")
    csv = names.get(f"{dataset.title} (CSV)")
    if csv is not None and latest is not None:
        state = publisher.datastore_state(csv["id"])
        held = state["rows"] if state else 0
        if not changes.data_changed and held != latest.rows:
            lines.append(
                f"DataStore: the portal's table holds {held:,} rows, the last publication "
                f"sent {latest.rows:,}: reload it"
            )
    return lines


def plan_retirements(
    publisher: CkanPublisher, dictionary: Dictionary, retention: timedelta, now: datetime
) -> list[DatasetPlan]:
    """Datasets to mark retired or delete: retired in the dictionary, or removed from it."""
    plans = []
    for dataset in dictionary.datasets.values():
        if dataset.status != "retired":
            continue
        current = publisher.show_package(package_name(dataset.id))
        if current is None or current.get("state") == "deleted":
            continue
        retired = dataset.publication.last("retired")
        extras = package_facts(current)
        if retention_over(retired and retired.on, retention, now):
            plans.append(DatasetPlan(dataset.id, ["delete the dataset (retired, retention over)"]))
        elif extras.get("publication_status") != "retired":
            plans.append(DatasetPlan(dataset.id, ["mark it retired (retired in the dictionary)"]))
    for package in removed_from_dictionary(our_packages(publisher), dictionary):
        extras = package_facts(package)
        if extras.get("publication_status") != "retired":
            line = "mark it retired (its entry was removed from the dictionary)"
        elif retention_over(extras.get("retired_on"), retention, now):
            line = "delete the dataset (removed from the dictionary, retention over)"
        else:
            continue
        plans.append(DatasetPlan(package["name"], [line]))
    return plans


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    return repr(value) if isinstance(value, str) else str(value)


def render(plans: list[DatasetPlan], warnings: list[str]) -> str:
    """The plan as text for a person: warnings first, then each dataset that changes."""
    out = [f"warning: {w}" for w in warnings]
    changing = [p for p in plans if p.changes]
    if not changing:
        out.append("no changes")
        return "\n".join(out)
    for plan in changing:
        out.append(f"{plan.dataset}:")
        out += [f"  {line}" for line in plan.lines]
        for row in plan.rows:
            key = ", ".join(f"{k}={_shown(v)}" for k, v in row.key.items())
            values = "; ".join(
                f"{c}: {_shown(old)} -> {_shown(new)}" for c, (old, new) in row.values.items()
            )
            out.append(f"    {row.kind} {key}" + (f" ({values})" if values else ""))
    out.append(f"{len(changing)} dataset(s) would change")
    return "\n".join(out)
