"""A dataset's versions on the portal: changelog fields, superseded files, retention.

When a publication replaces the CSV with different rows, the CSV it replaces stays
downloadable as its own resource, "<title> (CSV, version N, YYYY-MM-DD)" (N and the date
of the version it holds), listed in the dataset's ``previous_versions`` field and after
the current files. It is deleted once it has been superseded for longer than the city's
retention (``city.yml``: ``previous_versions_retention_days``). The version history itself
is the pipeline's (``dagster_project/lib/versions.py``); this module shows it on CKAN.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dagster_project.lib.dictionary import Dataset, Division
from dagster_project.lib.files import file_sha256
from dagster_project.lib.row_changes import compare_exports
from dagster_project.lib.versions import (
    Version,
    VersionHistory,
    change_notes,
    changelog_markdown,
    data_last_updated,
    entry_fingerprint,
    expired_archives,
    next_version,
)

from .mapping import package_dict, package_facts, resource_dicts
from .publisher import CkanPublisher, NoCopyAction, PublishError

QUALITY_URL = "quality_report_url"

log = logging.getLogger(__name__)


def archive_name(dataset: Dataset, version: Version) -> str:
    return f"{dataset.title} (CSV, version {version.number}, {version.published_on})"


def version_extras(versions: list[Version]) -> dict[str, str]:
    """The shared-contract fields (``DATASET_FIELDS``) a dataset's page shows."""
    if not versions:
        return {}
    kept = [v for v in reversed(versions) if v.archived_url and not v.archive_deleted_on]
    extras = {
        "version": str(versions[-1].number),
        "changelog": changelog_markdown(versions),
        "previous_versions": "\n".join(
            f"- [Version {v.number} ({v.published_on}), CSV]({v.archived_url})" for v in kept
        )
        or "None kept.",
    }
    if updated := data_last_updated(versions):
        extras["data_last_updated"] = updated
    return extras


def archive_superseded_csv(
    publisher: CkanPublisher,
    package: dict[str, Any],
    dataset: Dataset,
    history: VersionHistory,
    superseded: Version,
) -> str:
    """Keep the last publication's CSV as the superseded version's resource. The current
    CSV resource still holds that file (it is replaced after this): the portal copies it
    on its own disk (``city_resource_copy``) when it is that very file; otherwise (a
    portal without our plugin, a resource that changed since) it is uploaded again."""
    resource = {
        "name": archive_name(dataset, superseded),
        "format": "CSV",
        "description": f"Version {superseded.number} of the data as published on "
        f"{superseded.published_on}, kept for reference; superseded by a newer version. "
        "The current data is the first CSV of this dataset.",
    }
    published, action = None, "created"
    resources = {r["name"]: r for r in package.get("resources", [])}
    current_csv = resources.get(resource_dicts(dataset)[0]["name"])
    if resource["name"] not in resources and current_csv is not None:
        sha = history.published_csv_sha256()  # (only when a copy is possible)
        if current_csv.get("content_sha256") == sha:
            try:
                published = publisher.copy_resource_file(
                    current_csv["id"], {**resource, "content_sha256": sha}
                )
            except PublishError as refused:  # no plugin, no file on its disk, a full disk
                if not isinstance(refused, NoCopyAction):
                    log.warning(f"{dataset.id}: the portal did not copy the CSV ({refused}); "
                                "uploading it")  # fmt: skip
    if published is None:
        published, action = publisher.upsert_resource(package, resource, history.published_csv)
    history.update(
        superseded.number, archived_resource=published["id"], archived_url=published["url"]
    )
    return action


def archive_before_comparing(  # noqa: PLR0913 (the publication's state, handed on)
    publisher: CkanPublisher,
    package: dict[str, Any],
    dataset: Dataset,
    versioning: Versioning | None,
    recorded: list[Version],
    new_csv: Path,
    actions: dict[str, str],
) -> bool:
    """Keep the superseded CSV before the comparison with the last publication has said
    whether the data changed, when the files say so already: the portal's CSV is the
    last version's (the kept file's SHA-256) and the new export's bytes differ from it.
    The upload can then start while the comparison runs. Exports are the same bytes for
    the same rows (``exports.export_model``), so other bytes under the same header are
    other data, except when only the writing of values changed (a DuckDB upgrade): the
    caller then drops it (``drop_archive_of_current``). Returns whether it archived;
    False leaves the decision to
    the comparison (a first version, a portal whose CSV is not the kept one, an archive
    made already by a run that stopped before it recorded its version)."""
    if versioning is None or not recorded or not versioning.history.published_csv.exists():
        return False
    resources = {r["name"]: r for r in package.get("resources", [])}
    current_csv = resources.get(resource_dicts(dataset)[0]["name"])
    if current_csv is None or archive_name(dataset, recorded[-1]) in resources:
        return False
    kept = versioning.history.published_csv_sha256()
    if current_csv.get("content_sha256") != kept or file_sha256(new_csv) == kept:
        return False
    if _header(new_csv) != _header(versioning.history.published_csv):
        return False  # columns added, removed or moved: the comparison says what it means
    actions["previous_version"] = archive_superseded_csv(
        publisher, package, dataset, versioning.history, recorded[-1]
    )
    return True


def drop_archive_of_current(
    publisher: CkanPublisher, history: VersionHistory, actions: dict[str, str]
) -> None:
    """After a comparison that found the same data: a CSV kept as the latest version's
    archive while nothing superseded that version (``archive_before_comparing``'s, or
    one a run that stopped before recording its version left) is deleted, and the
    version is the current one again, not listed among the previous files. (A version
    a publication superseded has ``superseded_at``: ``VersionHistory.record``.)"""
    latest = history.latest()
    if latest is None or not latest.archived_resource or latest.superseded_at:
        return
    publisher.delete_resource(latest.archived_resource)
    history.update(latest.number, archived_resource=None, archived_url=None)
    actions["previous_version"] = "not kept: the data did not change"


def _header(csv: Path) -> bytes:
    with csv.open("rb") as handle:
        return handle.readline()


def delete_expired_archives(
    publisher: CkanPublisher, history: VersionHistory, retention: timedelta, now: datetime
) -> list[int]:
    """Delete the superseded files kept longer than the retention; their version numbers."""
    deleted = []
    for version in expired_archives(history, retention, now):
        publisher.delete_resource(version.archived_resource)
        history.update(version.number, archive_deleted_on=now.date().isoformat())
        deleted.append(version.number)
    return deleted


def current_files_first(publisher: CkanPublisher, package_id: str, archived_ids: set[str]) -> dict:
    """Keep the current files (CSV, Parquet, data package) at the top of the dataset's
    list, then the superseded ones, newest first (CKAN lists resources in creation
    order, so a newly archived file would otherwise sit among them). Returns the
    package as shown before (its resources in their old order, all else as it is)."""
    shown = publisher.show_package(package_id)
    resources = shown["resources"]
    current = [r["id"] for r in resources if r["id"] not in archived_ids]
    archived = [r for r in resources if r["id"] in archived_ids]
    archived.sort(key=lambda r: r.get("created") or "", reverse=True)
    order = current + [r["id"] for r in archived]
    if order != [r["id"] for r in resources]:
        publisher.reorder_resources(package_id, order)
    return shown


@dataclass(frozen=True)
class Versioning:
    """Where a dataset's versions are kept and how long superseded files stay."""

    history: VersionHistory
    retention: timedelta
    now: datetime | None = None  # tests set the clock

    def clock(self) -> datetime:
        return self.now or datetime.now(UTC)


def pending_version(
    dataset: Dataset, files: dict[str, Path], versioning: Versioning | None
) -> tuple[Version | None, list[Version]]:
    """The version this publication will record (None: nothing changed), and the
    history with it, for the changelog the package shows."""
    if versioning is None:
        return None, []
    history = versioning.history
    versions = history.versions()
    previous = versions[-1] if versions else None
    changes = compare_exports(
        history.published_parquet if previous else None, files["parquet"], dataset.key_columns
    )
    fingerprint, today = entry_fingerprint(dict(dataset.spec)), versioning.clock().date()
    notes = change_notes(dict(dataset.spec), versions, today)
    pending = next_version(previous, changes, fingerprint, today, notes)
    return pending, versions + ([pending] if pending else [])


def finish_version(  # noqa: PLR0913 (the publication's state, handed on)
    publisher, package, dataset, division, dictionary_page_url, files, versioning, pending, actions
) -> dict:
    """After the files: record the version, then tidy the superseded files."""
    if pending is not None:
        versioning.history.record(pending, files, versioning.clock())
        actions["version"] = str(pending.number)
    return tidy_previous_versions(
        publisher, package, dataset, division, dictionary_page_url, versioning, actions
    )


def tidy_previous_versions(
    publisher: CkanPublisher,
    package: dict,
    dataset: Dataset,
    division: Division,
    dictionary_page_url: str | None,
    versioning: Versioning,
    actions: dict[str, str],
) -> dict:
    """Delete superseded files past the retention, keep the current files first, and
    show the versions (and the links of the files kept) on the package."""
    history = versioning.history
    if deleted := delete_expired_archives(
        publisher, history, versioning.retention, versioning.clock()
    ):
        actions["previous_versions_deleted"] = ", ".join(map(str, deleted))
    versions = history.versions()
    archived = {v.archived_resource for v in versions if v.archived_resource}
    shown = current_files_first(publisher, package["id"], archived)
    # the quality facts and report link the publication sent, as the portal holds them
    # (top level with its dataset schema, extras without: a tidy-up changes neither)
    facts = package_facts(package)
    quality = {k: v for k, v in facts.items() if k.startswith("quality_") and k != QUALITY_URL}
    package, action = publisher.upsert_package(
        package_dict(
            dataset,
            division,
            dictionary_page_url,
            facts.get(QUALITY_URL),
            version_extras(versions),
            quality=quality or None,
        ),
        shown=shown,  # (its metadata as they are: a reorder moves resources only)
    )
    if action != "unchanged" and actions.get("package") == "unchanged":
        actions["package"] = action  # (the version's facts, sent here)
    return package
