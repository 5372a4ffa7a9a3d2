"""Versions of each published dataset: what each publication changed, kept for good.

A publication that changes a dataset's rows, columns or dictionary entry records a new
version: its number, date, rows added / changed / removed (``row_changes.py``), columns
added / removed and the fields of the dictionary entry that changed. The history lives
in ``<data>/versions/<dataset>/history.json`` (the pipeline's own record, like the gate
results: it survives Dagster's event-log pruning and needs no portal to be read), beside
the Parquet and CSV files of the last publication, which the next one is compared with
and whose CSV is kept on the portal as the superseded version's file.

The portal shows the history as the dataset's changelog (``changelog_markdown``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from .files import FileHashes, file_sha256, keep_as
from .row_changes import RowChanges


def entry_fingerprint(spec: dict[str, Any]) -> dict[str, str]:
    """A short hash per field of a dictionary entry (per column for ``columns``): two
    fingerprints tell which fields changed without keeping the entry's text."""

    def digest(value: Any) -> str:
        return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[
            :12
        ]

    # (change notes explain a version; adding one is not itself a change to the data)
    prints = {k: digest(v) for k, v in spec.items() if k not in ("columns", "change_notes")}
    for column in spec.get("columns") or []:
        prints[f"columns.{column.get('name')}"] = digest(column)
    return prints


def dictionary_changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The entry's fields that changed, in words a reader of the changelog follows."""
    changes = []
    for name in sorted(set(before) | set(after)):
        if before.get(name) == after.get(name):
            continue
        label = f"column {name.split('.', 1)[1]}" if name.startswith("columns.") else name
        verb = "added" if name not in before else "removed" if name not in after else "changed"
        changes.append(f"{label} {verb}")
    return changes


@dataclass(frozen=True)
class Version:
    number: int
    published_on: str  # ISO date
    rows: int
    added: int
    changed: int
    removed: int
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    dictionary_changes: list[str] = field(default_factory=list)
    data_changed: bool = True
    fingerprint: dict[str, str] = field(default_factory=dict)
    # the superseded CSV kept on the portal: its resource id, and when it was deleted
    archived_resource: str | None = None
    archived_url: str | None = None
    archive_deleted_on: str | None = None
    superseded_at: str | None = None  # ISO timestamp: the retention counts from it
    notes: list[str] = field(default_factory=list)  # the governance group's: why it changed

    def describe(self) -> str:
        """One changelog line."""
        if self.number == 1:
            parts = [f"first publication, {_rows(self.rows)}"]
        else:
            parts = []
            if self.data_changed:
                parts.append(
                    f"{_rows(self.added)} added, {self.changed:,} changed, "
                    f"{self.removed:,} removed ({_rows(self.rows)})"
                )
            if self.columns_added:
                parts.append(f"columns added: {', '.join(self.columns_added)}")
            if self.columns_removed:
                parts.append(f"columns removed: {', '.join(self.columns_removed)}")
            if self.dictionary_changes:
                parts.append(f"data dictionary: {', '.join(self.dictionary_changes)}")
        line = f"**Version {self.number}** ({self.published_on}): " + "; ".join(parts) + "."
        return " ".join([line, *(f"*Why:* {note}" for note in self.notes)])


def change_notes(spec: dict[str, Any], history: list[Version], today: date) -> list[str]:
    """The entry's ``change_notes`` the version published ``today`` carries: dated from
    the day of the last version to today, and not shown by a version yet (a note written
    ahead of its change waits for it; one written after a version published the same
    day goes with the next). None on a first publication, which changes nothing."""
    if not history:
        return []
    since = date.fromisoformat(max(history, key=lambda v: v.number).published_on)
    shown = {note for version in history for note in version.notes}
    notes = []
    for entry in spec.get("change_notes") or []:
        note = " ".join(str(entry["note"]).split())
        if since <= date.fromisoformat(str(entry["on"])) <= today and note not in shown:
            notes.append(note)
    return notes


def next_version(
    previous: Version | None,
    changes: RowChanges,
    fingerprint: dict[str, str],
    today: date,
    notes: list[str] | None = None,
) -> Version | None:
    """The version this publication records, or None when nothing changed (``notes``:
    ``change_notes``' for it)."""
    described = dictionary_changes(previous.fingerprint, fingerprint) if previous else []
    if previous is not None and not changes.data_changed and not described:
        return None
    return Version(
        number=(previous.number + 1) if previous else 1,
        published_on=today.isoformat(),
        rows=changes.rows,
        added=changes.added,
        changed=changes.changed,
        removed=changes.removed,
        columns_added=list(changes.columns_added),
        columns_removed=list(changes.columns_removed),
        dictionary_changes=described,
        data_changed=previous is None or changes.data_changed,
        fingerprint=fingerprint,
        notes=list(notes or []),
    )


def changelog_markdown(versions: list[Version]) -> str:
    """Newest first, one bullet per version."""
    return "\n".join(f"- {v.describe()}" for v in sorted(versions, key=lambda v: -v.number))


def data_last_updated(versions: list[Version]) -> str | None:
    changed = [v for v in versions if v.data_changed]
    return max(changed, key=lambda v: v.number).published_on if changed else None


class VersionHistory:
    """The versions of one dataset and the files of its last publication."""

    def __init__(self, folder: Path, dataset_id: str):
        self.folder = folder / dataset_id
        self.dataset_id = dataset_id

    @property
    def published_parquet(self) -> Path:
        return self.folder / "published.parquet"

    @property
    def published_csv(self) -> Path:
        return self.folder / "published.csv"

    @property
    def _path(self) -> Path:
        return self.folder / "history.json"

    def versions(self) -> list[Version]:
        if not self._path.exists():
            return []
        return [Version(**v) for v in json.loads(self._path.read_text())["versions"]]

    def latest(self) -> Version | None:
        versions = self.versions()
        return versions[-1] if versions else None

    def save(self, versions: list[Version]) -> None:
        """Atomically (a killed run never leaves half a file)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        with os.fdopen(handle, "w") as out:
            document = {"dataset": self.dataset_id, "versions": [asdict(v) for v in versions]}
            out.write(json.dumps(document, indent=2) + "\n")
        os.replace(temporary, self._path)

    def record(self, version: Version, files: dict[str, Path], now: datetime) -> None:
        """After a publication succeeded: the version, and its files for the next diff."""
        versions = self.versions()
        if versions and version.data_changed:
            versions[-1] = _replace(versions[-1], superseded_at=now.isoformat())
        self.folder.mkdir(parents=True, exist_ok=True)
        # Known from its upload, as the export is now: a link moves the file's change time
        sha = file_sha256(files["csv"])
        keep_as(files["parquet"], self.published_parquet)
        keep_as(files["csv"], self.published_csv)
        self.save([*versions, version])
        hashes = self._hashes()
        hashes.remember(self.published_csv, sha)
        hashes.save()

    def published_csv_sha256(self) -> str:
        """The kept CSV's SHA-256, read once and remembered beside it for later runs
        (1.7 s for a scale-200 CSV; a memo that cannot be saved only costs that time)."""
        hashes = self._hashes()
        sha = hashes.sha256(self.published_csv)
        hashes.save()
        return sha

    def _hashes(self) -> FileHashes:
        return FileHashes(self.folder / "published_hashes.json", platform_files=True)

    def update(self, number: int, **changes: Any) -> None:
        self.save([_replace(v, **changes) if v.number == number else v for v in self.versions()])


def expired_archives(history: VersionHistory, retention: timedelta, now: datetime) -> list[Version]:
    """The superseded files kept on the portal longer than the retention."""
    return [
        v
        for v in history.versions()
        if v.archived_resource
        and not v.archive_deleted_on
        and v.superseded_at
        and now - datetime.fromisoformat(v.superseded_at) >= retention
    ]


def _replace(version: Version, **changes: Any) -> Version:
    return Version(**{**asdict(version), **changes})


def today_utc() -> date:
    return datetime.now(UTC).date()


def _rows(count: int) -> str:
    """ "1 row", "2 rows": the changelog residents read ("1 rows added" was shown)."""
    return f"{count:,} row{'' if count == 1 else 's'}"
