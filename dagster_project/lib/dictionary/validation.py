"""Reading one dictionary file: YAML as a person means it, validated against its JSON
Schema, with errors that name the file, the line, the field and what to do.

A YAML syntax error is reported at its parse position, not as a schema complaint.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SCHEMAS = {
    "dataset": "dataset.schema.json",
    "source": "source.schema.json",
    "divisions": "divisions.schema.json",
    "glossary": "glossary.schema.json",
    "city": "city.schema.json",
    "services": "services.schema.json",
    "cost_allocation": "cost_allocation.schema.json",
    "metrics": "metrics.schema.json",
    "quality_score": "quality_score.schema.json",
}


class DictionaryError(ValueError):
    """The dictionary has problems; ``problems`` lists them, one sentence each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(
            "The data dictionary has problems:\n" + "\n".join(f"  - {p}" for p in problems)
        )


class GovernanceLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML as a person means it: ``on``/``yes``/``no`` stay words and dates stay text.

    Plain YAML 1.1 turns the key ``on:`` into True and ``2026-11-02`` into a date object;
    only ``true``/``false`` are booleans here. (libyaml's parser where PyYAML has it: the
    dictionary is read at the start of every run, 5x faster; the resolvers, which decide
    the types above, are Python's either way.)
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


@cache
def _schema(kind: str) -> dict[str, Any]:
    from dagster_project.settings import DICTIONARY_DIR  # one place decides paths

    return json.loads((DICTIONARY_DIR / "schema" / SCHEMAS[kind]).read_text())


def _line_of(node: yaml.Node | None, path: list[Any]) -> int | None:
    """The 1-based line in the YAML file of the value at ``path`` (jsonschema's path)."""
    node = _node_at(node, path)
    return node.start_mark.line + 1 if node is not None else None


def _node_at(node: yaml.Node | None, path: list[Any]) -> yaml.Node | None:
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
    return node


def _split_by_a_comma(error: jsonschema.ValidationError, node: yaml.Node | None) -> str | None:
    """YAML's own reading of a comma in an unquoted value of a ``{...}`` mapping: the text
    after the comma becomes a field of its own, with no value. Say that, and where,
    rather than "not allowed; check the spelling"."""
    if error.validator != "additionalProperties" or not isinstance(node, yaml.MappingNode):
        return None
    if not node.flow_style:
        return None
    allowed = set(error.schema.get("properties", {}))
    for key, value in node.value:
        if key.value not in allowed and value.tag.endswith(":null") and not value.value:
            return (
                f"{key.value!r} (column {key.start_mark.column + 1}) is read as a field of "
                "its own: the value before it holds a comma inside a {...} mapping. Put "
                'that value in quotes ("..., ...") or write the mapping one field per line'
            )
    return None


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
    not_both = isinstance(error.validator_value, dict) and error.validator_value.get("required")
    if error.validator == "not" and (keys := not_both):
        return f"{' and '.join(keys)} together: give one of them only"
    if error.validator == "minLength":
        return f"{error.instance!r} is too short: write at least {error.validator_value} characters"
    return error.message


def read_validated(path: Path, kind: str, problems: list[str]) -> dict[str, Any] | None:
    """The file's YAML when it is valid against its schema; otherwise None, with one
    sentence per problem (file, line, field, what to do) added to ``problems``."""
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.load(text, Loader=GovernanceLoader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        problem = getattr(error, "problem", None) or error
        problems.append(f"{path.name}{where}: this is not valid YAML ({problem})")
        return None
    validator = jsonschema.Draft202012Validator(_schema(kind))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    node = yaml.compose(text, Loader=GovernanceLoader) if errors else None  # for line numbers
    for error in errors:
        field_path = "/".join(str(step) for step in error.absolute_path) or "(top level)"
        at = _node_at(node, list(error.absolute_path))
        line = at.start_mark.line + 1 if at is not None else None
        advice = _split_by_a_comma(error, at) or _advice(error)
        problems.append(f"{path.name}, line {line}, field {field_path}: {advice}")
    return None if errors else data
