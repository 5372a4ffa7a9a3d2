"""Load and validate the data dictionary (``data_dictionary/``), the governance group's files.

Every stage reads the dictionary through this module. Validation errors name the file,
the line, the field and what to do, in words a governance lead understands; library code
raises :class:`DictionaryError` and the CLI prints it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SCHEMAS = {
    "dataset": "dataset.schema.json",
    "source": "source.schema.json",
    "divisions": "divisions.schema.json",
    "glossary": "glossary.schema.json",
}


class DictionaryError(ValueError):
    """The dictionary has problems; ``problems`` lists them, one sentence each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(
            "The data dictionary has problems:\n"
            + "\n".join(f"  - {problem}" for problem in problems)
        )


@dataclass(frozen=True)
class Column:
    spec: dict[str, Any]

    @property
    def name(self) -> str:
        return self.spec["name"]

    @property
    def type(self) -> str:
        return self.spec["type"]

    @property
    def description(self) -> str:
        return self.spec["description"]

    @property
    def classification(self) -> str:
        return self.spec["classification"]

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class _Entry:
    """One dictionary file: its YAML as ``spec`` (read like a dict) and where it lives."""

    spec: dict[str, Any]
    path: Path

    @cached_property
    def columns(self) -> list[Column]:
        return [Column(column) for column in self.spec["columns"]]

    def __getitem__(self, key: str) -> Any:
        return self.spec[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.spec.get(key, default)


@dataclass(frozen=True)
class Dataset(_Entry):
    """An open dataset (``datasets/<id>.yml``)."""

    @property
    def id(self) -> str:
        return self.spec["dataset"]

    @property
    def model(self) -> str:
        """The dbt model that holds what the portal gets."""
        return f"pub_{self.id}"

    @property
    def status(self) -> str:
        return self.spec["publication"]["status"]

    @property
    def is_approved(self) -> bool:
        return self.status == "approved"


@dataclass(frozen=True)
class Source(_Entry):
    """A departmental system's contract (``sources/<system>.yml``)."""

    @property
    def system(self) -> str:
        return self.spec["system"]

    @property
    def raw_table(self) -> str:
        return self.spec["raw_table"]


@dataclass(frozen=True)
class Dictionary:
    root: Path
    divisions: dict[str, dict[str, Any]]
    glossary: dict[str, str]
    sources: dict[str, Source] = field(default_factory=dict)
    datasets: dict[str, Dataset] = field(default_factory=dict)

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


# -- loading ------------------------------------------------------------------------------
class GovernanceLoader(yaml.SafeLoader):
    """YAML as a person means it: ``on``/``yes``/``no`` stay words and dates stay text.

    Plain YAML 1.1 turns the key ``on:`` into True and ``2026-11-02`` into a date object;
    only ``true``/``false`` are booleans here.
    """


GovernanceLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
GovernanceLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _schema(kind: str) -> dict[str, Any]:
    return json.loads((_schema_dir() / SCHEMAS[kind]).read_text())


def _schema_dir() -> Path:
    from dagster_project.settings import DICTIONARY_DIR  # one place decides paths

    return DICTIONARY_DIR / "schema"


def _line_of(node: yaml.Node | None, path: list[Any]) -> int | None:
    """The 1-based line in the YAML file of the value at ``path`` (jsonschema's path)."""
    for step in path:
        if isinstance(node, yaml.MappingNode):
            node = next((value for key, value in node.value if key.value == step), node)
            if node is None:
                break
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value)
        ):
            node = node.value[step]
        else:
            break
    return node.start_mark.line + 1 if node is not None else None


def _advice(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        return error.message.replace("is a required property", "is missing: add it")
    if error.validator == "enum":
        return f"{error.instance!r} is not allowed; use one of {error.validator_value}"
    if error.validator == "additionalProperties":
        return f"{error.message}; check the spelling or remove it"
    if error.validator == "pattern":
        return f"{error.instance!r} does not have the expected form ({error.validator_value})"
    if error.validator == "type" and isinstance(error.instance, int | float):
        return f"{error.instance!r} is read as a number; write it in quotes ('{error.instance}')"
    if error.validator == "minLength":
        return f"{error.instance!r} is too short: write at least {error.validator_value} characters"
    return error.message


def _load_file(path: Path, kind: str, problems: list[str]) -> dict[str, Any] | None:
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.load(text, Loader=GovernanceLoader)  # noqa: S506 (a SafeLoader)
        node = yaml.compose(text, Loader=GovernanceLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        problem = getattr(error, "problem", None) or error
        problems.append(f"{path.name}{where}: this is not valid YAML ({problem})")
        return None
    validator = jsonschema.Draft202012Validator(_schema(kind))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    for error in errors:
        field_path = "/".join(str(step) for step in error.absolute_path) or "(top level)"
        line = _line_of(node, list(error.absolute_path))
        problems.append(f"{path.name}, line {line}, field {field_path}: {_advice(error)}")
    return None if errors else data


def load_source(path: Path) -> Source:
    """One source contract, validated on its own (e.g. before onboarding a new system)."""
    problems: list[str] = []
    spec = _load_file(path, "source", problems)
    if spec is None:
        raise DictionaryError(problems)
    return Source(spec, path)


def load_dictionary(root: Path | None = None) -> Dictionary:
    """Read and validate every dictionary file; raise DictionaryError listing all problems."""
    from dagster_project.settings import DICTIONARY_DIR

    root = root or DICTIONARY_DIR
    problems: list[str] = []
    divisions_doc = _load_file(root / "divisions.yml", "divisions", problems) or {}
    glossary_doc = _load_file(root / "glossary.yml", "glossary", problems) or {}
    sources: dict[str, Source] = {}
    for path in sorted((root / "sources").glob("*.yml")):
        if (spec := _load_file(path, "source", problems)) is not None:
            sources[spec["system"]] = Source(spec, path)
    datasets: dict[str, Dataset] = {}
    for path in sorted((root / "datasets").glob("*.yml")):
        if (spec := _load_file(path, "dataset", problems)) is not None:
            datasets[spec["dataset"]] = Dataset(spec, path)
    dictionary = Dictionary(
        root=root,
        divisions={d["id"]: d for d in divisions_doc.get("divisions", [])},
        glossary=glossary_doc.get("terms", {}),
        sources=sources,
        datasets=datasets,
    )
    problems += _cross_checks(dictionary)
    if problems:
        raise DictionaryError(problems)
    return dictionary


def _cross_checks(dictionary: Dictionary) -> list[str]:
    problems = []
    for owner in [*dictionary.sources.values(), *dictionary.datasets.values()]:
        if owner["owner_division"] not in dictionary.divisions:
            problems.append(
                f"{owner.path.name}: owner_division {owner['owner_division']!r} "
                f"is not in divisions.yml; use one of {sorted(dictionary.divisions)}"
            )
    personal = dictionary.personal_column_names
    for dataset in dictionary.datasets.values():
        for system in dataset["source_systems"]:
            if system not in dictionary.sources:
                problems.append(
                    f"{dataset.path.name}: source system {system!r} has no "
                    f"contract in sources/; use one of {sorted(dictionary.sources)}"
                )
        names = [c.name for c in dataset.columns]
        for duplicate in sorted({n for n in names if names.count(n) > 1}):
            problems.append(f"{dataset.path.name}: column {duplicate!r} is listed twice")
        for column in dataset.columns:
            if column.classification != "public":
                problems.append(
                    f"{dataset.path.name}: column {column.name!r} is classified "
                    f"{column.classification}; a published dataset may only hold public "
                    "columns: remove it from the dataset (and its model)"
                )
            if column.name in personal:
                problems.append(
                    f"{dataset.path.name}: column {column.name!r} has the name of a personal "
                    "source column; published columns must not carry personal information"
                )
    return problems
