"""Load the data dictionary (``data_dictionary/``) once into typed entries.

``load_dictionary()`` reads every file, validates it (:mod:`.validation`), cross-checks
the entries against each other and returns a :class:`~.entries.Dictionary`. It is cached
per folder and per content (files' sizes and modification times): the code location,
its assets and the CLIs share one load, and an edit is seen at the next call.

``strict=True`` (the CLI, CI) raises :class:`DictionaryError` listing every problem.
``strict=False`` (the Dagster code location) keeps a bad dataset or source entry out
and lists it in ``invalid_datasets``/``invalid_sources``, so one broken file blocks only
what it feeds instead of taking the whole code location down. The city, divisions and
glossary files are needed by everything: their problems always raise.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from .entries import (
    City,
    Column,
    Dataset,
    Dictionary,
    Division,
    Publication,
    PublicationEvent,
    PublicContacts,
    Source,
    Steward,
    Ward,
)
from .metrics import load_metrics
from .quality_policy import load_quality_policy
from .rules import Lookups, column_rules
from .services import load_cost_allocation, load_services
from .small_cells import (
    DEFAULT_THRESHOLD,
    parse_small_cells,
    small_cells_problems,
    with_suppression_notes,
)
from .validation import DictionaryError, read_validated
from .vocabulary import (
    FREQUENCIES,
    LICENCES,
    SYSTEMS_WITHOUT_EXTRACTS,
    SYSTEMS_WITHOUT_EXTRACTS_NAMED,
)


def load_dictionary(root: Path | None = None, *, strict: bool = True) -> Dictionary:
    """Read and validate every dictionary file (see the module's docstring)."""
    from dagster_project.settings import get_settings  # one place decides paths

    root = Path(root or get_settings().dictionary_dir).resolve()
    dictionary = _load_cached(root, _fingerprint(root))
    if strict and dictionary.problems:
        raise DictionaryError(dictionary.problems)
    return dictionary


def load_source(path: Path, city: City | None = None) -> Source:
    """One source contract, validated on its own (e.g. before onboarding a new system)."""
    problems: list[str] = []
    spec = read_validated(path, "source", problems)
    if spec is None:
        raise DictionaryError(problems)
    return source_from_spec(
        spec, path, city.lookups if city else {}, city.timezone if city else "UTC"
    )


def source_from_spec(
    spec: dict[str, Any], path: Path, lookups: Lookups | None = None, timezone: str = "UTC"
) -> Source:
    """A Source from a contract's YAML already read (e.g. one a test writes)."""
    return _source(spec, path, lookups or {}, timezone)


def _fingerprint(root: Path) -> tuple:
    return tuple(
        (str(p), p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(root.rglob("*"))
        if p.suffix in (".yml", ".json")
    )


@lru_cache(maxsize=4)
def _load_cached(root: Path, _fingerprint: tuple) -> Dictionary:
    core_problems: list[str] = []
    city_doc = read_validated(root / "city.yml", "city", core_problems)
    divisions_doc = read_validated(root / "divisions.yml", "divisions", core_problems)
    glossary_doc = read_validated(root / "glossary.yml", "glossary", core_problems)
    if core_problems:
        raise DictionaryError(core_problems)
    city = _city(city_doc)
    divisions = {d["id"]: _division(d) for d in divisions_doc["divisions"]}
    if city.catalog_owner not in divisions:
        raise DictionaryError(
            [
                f"city.yml: catalog_owner {city.catalog_owner!r} is not in "
                f"divisions.yml; use one of {sorted(divisions)}"
            ]
        )

    reference_problems: list[str] = []
    metrics = load_metrics(root, divisions, reference_problems)
    sources, invalid_sources = {}, {}
    for path in sorted((root / "sources").glob("*.yml")):
        problems: list[str] = []
        spec = read_validated(path, "source", problems)
        if spec is not None:
            source = _source(spec, path, city.lookups, city.timezone)
            problems += _owner_problems(source, path, divisions)
            problems += _key_problems(source, path)
            if not problems:
                sources[source.system] = source
        if problems:
            invalid_sources[_entry_name(spec, "system", path)] = problems

    personal = {
        c.name for s in sources.values() for c in s.columns if c.classification == "personal"
    }
    datasets, invalid_datasets = {}, {}
    for path in sorted((root / "datasets").glob("*.yml")):
        problems = []
        spec = read_validated(path, "dataset", problems)
        if spec is not None:
            dataset = _dataset(spec, path, city, metrics)
            dataset = replace(dataset, system_names=system_names(dataset, sources, divisions))
            problems += _owner_problems(dataset, path, divisions)
            problems += _dataset_problems(dataset, sources, invalid_sources, personal)
            if dataset.small_cells:
                problems += small_cells_problems(
                    path.name,
                    dataset.small_cells,
                    {c.name: c.type for c in dataset.columns},
                    city.small_cell_threshold,
                )
            problems += [
                f"{path.name}: column {c.name!r} holds KPI {c.spec['metric']!r}, which "
                f"metrics.yml does not define; use one of {sorted(metrics)}"
                for c in dataset.columns
                if "metric" in c.spec and c.spec["metric"] not in metrics
            ]
            if not problems:
                datasets[dataset.id] = dataset
        if problems:
            invalid_datasets[_entry_name(spec, "dataset", path)] = problems
    services = load_services(
        root, divisions, set(sources) | set(invalid_sources), reference_problems
    )
    cost_allocation = load_cost_allocation(root, divisions, services, reference_problems)
    quality_policy = load_quality_policy(root, reference_problems)
    return Dictionary(
        root=root,
        city=city,
        divisions=divisions,
        glossary=glossary_doc["terms"],
        sources=sources,
        datasets=datasets,
        invalid_datasets=invalid_datasets,
        invalid_sources=invalid_sources,
        services=services,
        cost_allocation=cost_allocation,
        metrics=metrics,
        quality_policy=quality_policy,
        reference_problems=reference_problems,
    )


def _entry_name(spec: dict | None, key: str, path: Path) -> str:
    """An invalid entry's id when it can be read, else its file name without .yml."""
    value = spec.get(key) if isinstance(spec, dict) else None
    return value if isinstance(value, str) and value else path.stem


# -- building typed entries from validated YAML ---------------------------------------------
RETENTION_KEYS = ("previous_versions_retention_days", "retired_dataset_retention_days")


def _city(doc: dict[str, Any]) -> City:
    spec = doc["city"]
    return City(
        name=spec["name"],
        timezone=spec["timezone"],
        catalog_owner=spec["catalog_owner"],
        wards=tuple(Ward(w["number"], w["name"]) for w in doc["wards"]),
        street_types=tuple(doc["street_types"]),
        **{k: spec[k] for k in RETENTION_KEYS if k in spec},  # else the defaults
        small_cell_threshold=spec.get("small_cell_threshold", DEFAULT_THRESHOLD),
        public_contacts=PublicContacts(
            **{k: tuple(v) for k, v in (doc.get("public_contacts") or {}).items()}
        ),
    )


def _division(spec: dict[str, Any]) -> Division:
    return Division(
        id=spec["id"],
        name=spec["name"],
        description=spec["description"],
        steward=Steward(spec["steward"]["name"], spec["steward"]["email"]),
    )


def _with_metric(spec: dict[str, Any], metrics: dict) -> dict[str, Any]:
    """A column that holds a KPI takes its description from the KPI's definition (written
    once, in metrics.yml). An unknown KPI name is reported by _dataset_problems."""
    if "metric" not in spec or "description" in spec:
        return spec
    metric = metrics.get(spec["metric"])
    description = metric.documentation() if metric else f"(unknown KPI {spec['metric']!r})"
    return {**spec, "description": description}


def _column(spec: dict[str, Any], lookups: Lookups) -> Column:
    return Column(
        name=spec["name"],
        type=spec["type"],
        description=spec["description"],
        classification=spec["classification"],
        rules=column_rules(spec, lookups),
        source_columns=tuple(spec.get("source_columns", ())),
        spec=spec,
    )


def _source(spec: dict[str, Any], path: Path, lookups: Lookups, timezone: str) -> Source:
    """Timestamp and date columns without their own ``timezone`` are in the city's (a
    date column takes the date an instant with an offset has there: without the zone,
    "2024-03-01T20:00:00-05:00" was read as UTC's March 2nd)."""
    frequency = spec.get("expected_frequency")
    spec = {
        **spec,
        "columns": [
            {"timezone": timezone, **c} if c["type"] in ("timestamp", "timestamptz", "date") else c
            for c in spec["columns"]
        ],
    }
    return Source(
        system=spec["system"],
        title=spec["title"],
        description=spec["description"],
        owner_division=spec["owner_division"],
        raw_table=spec["raw_table"],
        primary_key=tuple(spec["primary_key"]),
        expected_frequency=FREQUENCIES[frequency] if frequency else None,
        files=spec["files"],
        columns=tuple(_column(c, lookups) for c in spec["columns"]),
        path=path,
        spec=spec,
    )


def _key_problems(source: Source, path: Path) -> list[str]:
    """Every primary-key column, and every column a row rule compares, is a column of the
    contract (a check on a column that never arrives would check nothing)."""
    names = {c.name for c in source.columns}
    problems = [
        f"{path.name}, field primary_key: {key!r} is not one of the contract's columns; "
        f"use one of {sorted(names)}"
        for key in source.primary_key
        if key not in names
    ]
    for rule in source.spec.get("row_rules", []):  # the same for the rules' columns
        compared = [rule["column"]] + [
            rule[k]
            for k in ("not_before", "not_after", "at_least", "at_most", "differs_from")
            if k in rule
        ]
        problems += [
            f"{path.name}, row rule {rule['rule']}: {name!r} is not one of the contract's "
            f"columns; use one of {sorted(names)}"
            for name in compared
            if name not in names
        ]
    latest_by = source.spec.get("latest_by")
    # or the file's name, for systems whose exports are named by date (a late re-delivery
    # of an older export must not override a newer one)
    if latest_by is not None and latest_by not in names | {"_source_file"}:
        problems.append(
            f"{path.name}, field latest_by: {latest_by!r} is not one of the contract's "
            f"columns; use one of {sorted(names)}"
        )
    for point in source.spec.get("coordinates", []):  # and the coordinates' columns
        problems += [
            f"{path.name}, coordinates: {point[role]!r} ({role}) is not one of the "
            f"contract's columns; use one of {sorted(names)}"
            for role in ("x", "y", "longitude", "latitude")
            if point[role] not in names
        ]
    return problems


def _dataset(spec: dict[str, Any], path: Path, city: City, metrics: dict) -> Dataset:
    publication = spec["publication"]
    columns = tuple(_column(_with_metric(c, metrics), city.lookups) for c in spec["columns"])
    coverage = spec.get("temporal_coverage") or {}
    small_cells = parse_small_cells(spec.get("small_cells"), city.small_cell_threshold)
    columns = with_suppression_notes(columns, small_cells)
    return Dataset(
        id=spec["dataset"],
        title=spec["title"],
        description=spec["description"].strip(),
        owner_division=spec["owner_division"],
        update_frequency=FREQUENCIES[spec["update_frequency"]],
        licence=LICENCES[spec["licence"]],
        keywords=tuple(spec["keywords"]),
        grain=spec["grain"],
        source_systems=tuple(spec["source_systems"]),
        publication=Publication(
            status=publication["status"],
            history=tuple(
                PublicationEvent(h["status"], str(h["by"]), str(h["on"]), h.get("note"))
                for h in publication["history"]
            ),
            retirement_note=publication.get("retirement_note"),
        ),
        columns=columns,
        spatial_coverage=spec.get("spatial_coverage") or _default_coverage(city, columns),
        temporal_start=str(coverage["start"]) if coverage.get("start") else None,
        temporal_end=str(coverage["end"]) if coverage.get("end") else None,
        limitations=(spec.get("limitations") or "").strip() or None,
        small_cells=small_cells,
        kpis=tuple(m for name, m in metrics.items() if name in _held_kpis(columns)),
        path=path,
        spec=spec,
    )


def _held_kpis(columns: tuple[Column, ...]) -> set[str]:
    return {c.spec["metric"] for c in columns if "metric" in c.spec}


def _default_coverage(city: City, columns: tuple[Column, ...]) -> str:
    """The city, and its number of wards when the dataset is broken down by ward."""
    by_ward = any(
        r.kind == "lookup" and r.arguments["lookup"] == "wards" for c in columns for r in c.rules
    )
    return f"{city.name}, {len(city.wards)} wards" if by_ward else city.name


# -- checks across entries ------------------------------------------------------------------
def _owner_problems(
    entry: Source | Dataset, path: Path, divisions: dict[str, Division]
) -> list[str]:
    if entry.owner_division in divisions:
        return []
    return [
        f"{path.name}: owner_division {entry.owner_division!r} is not in divisions.yml; "
        f"use one of {sorted(divisions)}"
    ]


def system_names(dataset: Dataset, sources: dict, divisions: dict) -> tuple[tuple[str, str], ...]:
    """(system, as a resident reads it) for the dataset's source systems: a contract's
    title and its owner ("Building permits system – Building Services"; a dash, as
    owners' names may hold parentheses; listed with "; " between them), the
    dictionary's words for the sources that send no extract. A mapping, not a list, so a
    dataset whose systems are replaced later still names each one right."""
    named = []
    for system in dataset.source_systems:
        source = sources.get(system)
        owner = divisions.get(source.owner_division) if source else None
        if source and owner:
            named.append((system, f"{source.title} – {owner.name}"))
        elif system in SYSTEMS_WITHOUT_EXTRACTS_NAMED:
            named.append((system, SYSTEMS_WITHOUT_EXTRACTS_NAMED[system]))
    return tuple(named)


def _dataset_problems(
    dataset: Dataset,
    sources: dict[str, Source],
    invalid_sources: dict[str, list[str]],
    personal: set[str],
) -> list[str]:
    name, problems = dataset.path.name, []
    for system in dataset.source_systems:
        if system in invalid_sources:
            problems.append(
                f"{name}: its source system {system!r} has an invalid contract "
                "(see that file's problems)"
            )
        elif system not in sources and system not in SYSTEMS_WITHOUT_EXTRACTS:
            problems.append(
                f"{name}: source system {system!r} has no contract in sources/; "
                f"use one of {sorted(sources)}"
            )
    names = [c.name for c in dataset.columns]
    for duplicate in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{name}: column {duplicate!r} is listed twice")
    for column in dataset.columns:
        if column.classification != "public":
            problems.append(
                f"{name}: column {column.name!r} is classified {column.classification}; a "
                "published dataset may only hold public columns: remove it from the dataset "
                "(and its model)"
            )
        if column.name in personal:
            problems.append(
                f"{name}: column {column.name!r} has the name of a personal source column; "
                "published columns must not carry personal information"
            )
        problems += _lineage_problems(name, column, sources)
    problems += _chart_problems(name, dataset.spec.get("charts") or [], set(names))
    problems += _change_note_problems(name, dataset.spec.get("change_notes") or [])
    return problems


def _change_note_problems(name: str, notes: list[dict[str, Any]]) -> list[str]:
    """A change note's date is a day of the calendar (the schema checks its shape only:
    2026-02-30 has it), or the changelog could not place it."""
    problems = []
    for note in notes:
        try:
            date.fromisoformat(str(note["on"]))
        except ValueError:
            problems.append(f"{name}: change note dated {note['on']!r}, which is not a date")
    return problems


def _chart_problems(name: str, charts: list[dict[str, Any]], columns: set[str]) -> list[str]:
    """A chart's axes and filters name columns of its dataset (the portal charts the
    DataStore table, whose columns are the dataset's)."""
    problems = []
    for chart in charts:
        used = [chart["x"], chart["y"], *(chart.get("filter") or {})]
        for column in sorted(set(used) - columns):
            problems.append(
                f"{name}: chart {chart['title']!r} names column {column!r}, which the "
                f"dataset does not have; use one of {sorted(columns)}"
            )
    return problems


def _lineage_problems(name: str, column: Column, sources: dict[str, Source]) -> list[str]:
    """A published column derives only from columns a contract lists (and so classifies):
    a column the department's export carries but the contract does not list is loaded as
    text, unclassified, and stays out of published data until the contract lists it.

    A public column derived from a personal or confidential source column says how it
    no longer identifies anyone (``classification_reason``: "the hundred-block of the
    address, never the house number"): the governance group's record of why it may be
    published, read by whoever reviews the entry. Without it, a renamed copy of a name
    column ("contact_a" from "participant_first_name") would pass as public."""
    problems = []
    explained = column.classification != "public" or column.spec.get("classification_reason")
    for lineage in column.source_columns:
        system, _, source_column = lineage.partition(".")
        if system not in sources:
            continue  # reported above: the dataset's source system has no valid contract
        held = {c.name: c for c in sources[system].columns}
        if source_column not in held:
            problems.append(
                f"{name}: column {column.name!r} derives from {lineage!r}, which the {system} "
                "contract does not list (an unclassified column may not be published: "
                "list and classify it in the contract first)"
            )
        elif held[source_column].classification != "public" and not explained:
            problems.append(
                f"{name}: column {column.name!r} is public but derives from {lineage!r}, "
                f"which is {held[source_column].classification}: say how the column no "
                "longer identifies anyone in its classification_reason (the governance "
                "group approves it), or derive it from public columns only"
            )
    return problems
