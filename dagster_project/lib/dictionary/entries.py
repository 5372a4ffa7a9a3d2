"""The dictionary's entries as typed objects: what every stage reads, built once by
:mod:`.loading` from the validated YAML.

``spec`` keeps each entry's YAML for the few readers that need a contract detail not
modelled here (the ingest reads ``files``, column ``formats`` and ``aliases``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .rules import Rule
from .small_cells import DEFAULT_THRESHOLD, SmallCells
from .vocabulary import DataType, Frequency, Licence, data_type


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    classification: str
    rules: tuple[Rule, ...] = ()
    source_columns: tuple[str, ...] = ()  # lineage: "<system>.<column>"
    spec: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def data_type(self) -> DataType:
        return data_type(self.type)

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()

    @property
    def is_required(self) -> bool:
        return any(rule.kind == "required" for rule in self.rules)

    @property
    def is_unique(self) -> bool:
        return any(rule.kind == "unique" for rule in self.rules)


@dataclass(frozen=True)
class Steward:
    name: str
    email: str


@dataclass(frozen=True)
class Division:
    id: str
    name: str
    description: str
    steward: Steward


@dataclass(frozen=True)
class Ward:
    number: int
    name: str


@dataclass(frozen=True)
class PublicContacts:
    """The city's own contact points, public by nature: a published text may hold them
    (a service's phone line, its general e-mail, a city building's address) and the
    privacy gate does not take them for a person's (city.yml ``public_contacts``)."""

    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    # public people and places whose names read as a person's (an elected official, a
    # park named after someone): gates/person_names.py
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class City:
    name: str
    timezone: str
    catalog_owner: str  # division id
    wards: tuple[Ward, ...]
    street_types: tuple[str, ...] = ()
    # how long a superseded version's files and a retired dataset stay on the portal
    previous_versions_retention_days: float = 365
    retired_dataset_retention_days: float = 730
    # the smallest count of people a published aggregate may show (a dataset may raise it)
    small_cell_threshold: int = DEFAULT_THRESHOLD
    public_contacts: PublicContacts = PublicContacts()

    @property
    def lookups(self) -> dict[str, list[Any]]:
        """The values a column's ``lookup`` rule may name."""
        return {"wards": [ward.number for ward in self.wards]}


@dataclass(frozen=True)
class PublicationEvent:
    status: str
    by: str
    on: str
    note: str | None = None


@dataclass(frozen=True)
class Publication:
    status: str  # draft | approved | retired
    history: tuple[PublicationEvent, ...]
    retirement_note: str | None = None

    def last(self, status: str) -> PublicationEvent | None:
        return next((e for e in reversed(self.history) if e.status == status), None)


@dataclass(frozen=True)
class Dataset:
    """An open dataset (``datasets/<id>.yml``)."""

    id: str
    title: str
    description: str
    owner_division: str
    update_frequency: Frequency
    licence: Licence
    keywords: tuple[str, ...]
    grain: str
    source_systems: tuple[str, ...]
    publication: Publication
    columns: tuple[Column, ...]
    spatial_coverage: str
    temporal_start: str | None = None
    temporal_end: str | None = None
    limitations: str | None = None
    # an aggregate's small-cell suppression (None: not an aggregate of people)
    small_cells: SmallCells | None = None
    # the KPIs of metrics.yml its columns hold (`metric:`), in metrics.yml's order
    # (metrics.Metric, not imported here; left out of == and hash: a Metric's target is a dict)
    kpis: tuple[Any, ...] = field(default=(), compare=False)
    # (system id, how a resident reads it: "311 customer service CRM – Customer Service
    # (311)", not "crm311") for the dictionary's systems, set when the dictionary loads
    system_names: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    path: Path = Path()
    spec: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def source_names(self) -> list[str]:
        """Its source systems as a resident reads them (the id where none is known)."""
        names = dict(self.system_names)
        return [names.get(system, system) for system in self.source_systems]

    @property
    def model(self) -> str:
        """The dbt model that holds what the portal gets."""
        return f"pub_{self.id}"

    @property
    def status(self) -> str:
        return self.publication.status

    @property
    def is_approved(self) -> bool:
        return self.status == "approved"

    @property
    def rules(self) -> list[Rule]:
        return [rule for column in self.columns for rule in column.rules]

    @property
    def key_columns(self) -> list[str]:
        """Columns that identify a row (unique): the export order and Table Schema key."""
        return [c.name for c in self.columns if c.is_unique]


@dataclass(frozen=True)
class Source:
    """A departmental system's contract (``sources/<system>.yml``)."""

    system: str
    title: str
    description: str
    owner_division: str
    raw_table: str
    primary_key: tuple[str, ...]
    expected_frequency: Frequency | None
    files: Mapping[str, Any]
    columns: tuple[Column, ...]
    path: Path = Path()
    spec: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def column_specs(self) -> list[Mapping[str, Any]]:
        """The contract's columns as written (formats, aliases...), for the ingest."""
        return [column.spec for column in self.columns]


@dataclass(frozen=True)
class Dictionary:
    root: Path
    city: City
    divisions: dict[str, Division]
    glossary: dict[str, str]
    sources: dict[str, Source] = field(default_factory=dict)
    datasets: dict[str, Dataset] = field(default_factory=dict)
    # Entries that failed validation, by dataset id (or file name) -> their problems. They
    # are left out above; at run time only what they feed is blocked.
    invalid_datasets: dict[str, list[str]] = field(default_factory=dict)
    invalid_sources: dict[str, list[str]] = field(default_factory=dict)
    # The KPIs' reference data (services.py); their problems block the KPI models only.
    services: dict[str, Any] = field(default_factory=dict)
    cost_allocation: Any = None
    metrics: dict[str, Any] = field(default_factory=dict)  # metrics.py
    # the quality score's weights and thresholds (quality_policy.py)
    quality_policy: Any = None
    reference_problems: list[str] = field(default_factory=list)

    @property
    def approved_datasets(self) -> list[Dataset]:
        return [d for d in self.datasets.values() if d.is_approved]

    @property
    def personal_column_names(self) -> set[str]:
        """Every column name any source classifies as personal."""
        return {
            c.name
            for s in self.sources.values()
            for c in s.columns
            if c.classification == "personal"
        }

    @property
    def problems(self) -> list[str]:
        return [
            p
            for problems in (
                *self.invalid_datasets.values(),
                *self.invalid_sources.values(),
                self.reference_problems,
            )
            for p in problems
        ]
