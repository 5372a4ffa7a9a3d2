"""Gate results and publications, kept for the governance group: the one owner of
``data/gate_reports/<dataset>.json``.

Dagster's event log has every run's checks, but the governance group's tools (``make
dictionary-check``, the dictionary site) must work without a Dagster instance and after
the event log was pruned; this small store keeps the latest outcome per dataset. The
gates and the publisher write through :class:`GateResults`; nothing else touches the files.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

GATES = ("quality_gate", "privacy_gate")
# How a gate's summary marks what it passed with but warns of (privacy: suppressed cells
# the declared totals give back together); the site and the run's summary look for it.
WARNING_MARK = "WARNING: "


@dataclass(frozen=True)
class GateOutcome:
    gate: str
    passed: bool
    summary: str
    checked_at: datetime
    # the data and rules versions checked (lib/incremental.py); None: recorded before
    version: str | None = None
    # the privacy gate's: the personal values it checked against (privacy.py's mark)
    personal_values: str | None = None


@dataclass(frozen=True)
class DatasetRecord:
    """The latest known state of one dataset: its gates and its last publication."""

    dataset: str
    gates: dict[str, GateOutcome] = field(default_factory=dict)
    published_at: datetime | None = None
    portal_url: str | None = None
    published_version: str | None = None

    def passed(self, gate: str, version: str) -> GateOutcome | None:
        """The gate's last outcome if it passed these very data and rules."""
        outcome = self.gates.get(gate)
        return outcome if outcome and outcome.passed and outcome.version == version else None

    @property
    def failed_gates(self) -> list[GateOutcome]:
        return [outcome for outcome in self.gates.values() if not outcome.passed]


class GateResults:
    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, dataset_id: str) -> Path:
        return self.folder / f"{dataset_id}.json"

    def _read(self, dataset_id: str) -> dict:
        path = self._path(dataset_id)
        return json.loads(path.read_text()) if path.exists() else {}

    def _write(self, dataset_id: str, document: dict) -> None:
        """Atomically (a killed run never leaves half a file)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        with os.fdopen(handle, "w") as out:
            out.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
        os.replace(temporary, self._path(dataset_id))

    def record_gate(
        self,
        dataset_id: str,
        gate: str,
        passed: bool,
        summary: str,
        when: datetime | None = None,
        version: str | None = None,
        personal_values: str | None = None,
    ) -> None:
        if gate not in GATES:
            raise ValueError(f"unknown gate {gate!r}; use one of {GATES}")
        document = self._read(dataset_id)
        document[gate] = {
            "passed": passed,
            "summary": summary,
            "checked_at": (when or datetime.now(UTC)).isoformat(),
            "version": version,
        }
        if personal_values is not None:
            document[gate]["personal_values"] = personal_values
        self._write(dataset_id, document)

    def record_publication(
        self,
        dataset_id: str,
        portal_url: str,
        when: datetime | None = None,
        version: str | None = None,
    ) -> None:
        document = self._read(dataset_id)
        document.update(
            published_at=(when or datetime.now(UTC)).isoformat(),
            portal_url=portal_url,
            published_version=version,
        )
        self._write(dataset_id, document)

    def passed_at(self, dataset_id: str, gate: str, version: str) -> GateOutcome | None:
        """The gate's last outcome if it passed these very data and rules."""
        record = self.get(dataset_id)
        return record.passed(gate, version) if record else None

    def get(self, dataset_id: str) -> DatasetRecord | None:
        document = self._read(dataset_id)
        if not document:
            return None
        gates = {
            gate: GateOutcome(
                gate,
                document[gate]["passed"],
                document[gate]["summary"],
                datetime.fromisoformat(document[gate]["checked_at"]),
                document[gate].get("version"),
                document[gate].get("personal_values"),
            )
            for gate in GATES
            if gate in document
        }
        published = document.get("published_at")
        return DatasetRecord(
            dataset_id,
            gates,
            datetime.fromisoformat(published) if published else None,
            document.get("portal_url"),
            document.get("published_version"),
        )


def mask(value: str) -> str:
    """A value as a gate's report shows it: its first two characters."""
    return value[:2] + "*" * max(len(value) - 2, 0) if value else value
