"""The rule model: each published column's rules as one list of (kind, column, arguments).

A dictionary column says its rules in YAML words (``required: true``, ``min: 0``,
``lookup: wards``...). :data:`RULE_KINDS` is the one place that reads those words: each
kind turns a column's YAML into the arguments of a :class:`Rule`, or ``None`` when the
column has no such rule. Every target (the Great Expectations gate, Frictionless
constraints, the dictionary site, the DuckDB benchmark check) is a small renderer in
``render/`` with one entry per kind; a test fails when a kind lacks an entry in a renderer.

To add a kind of rule: one entry here, one line in each renderer of ``render/``, the
property in ``data_dictionary/schema/dataset.schema.json``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Lookups = Mapping[str, list[Any]]  # lookup name -> its allowed values (e.g. "wards")


@dataclass(frozen=True)
class Rule:
    kind: str
    column: str
    arguments: Mapping[str, Any]


def _flag(key: str) -> Callable[[Mapping[str, Any], Lookups], dict | None]:
    return lambda spec, _lookups: {} if spec.get(key) else None


def _accepted_values(spec: Mapping[str, Any], _lookups: Lookups) -> dict | None:
    return {"values": list(spec["accepted_values"])} if "accepted_values" in spec else None


def _range(spec: Mapping[str, Any], _lookups: Lookups) -> dict | None:
    if "min" not in spec and "max" not in spec:
        return None
    return {"min": spec.get("min"), "max": spec.get("max")}


def _pattern(spec: Mapping[str, Any], _lookups: Lookups) -> dict | None:
    """The format of an identifier (a regular expression every value matches whole), e.g.
    a permit number ``^BP-[0-9]{4}-[0-9]{5,7}$``. Also tells the privacy gate that values
    of this format are the city's identifiers, not phone or ID numbers."""
    return {"regex": spec["pattern"]} if "pattern" in spec else None


def _lookup(spec: Mapping[str, Any], lookups: Lookups) -> dict | None:
    """Values must be keys of one of the city's lookups in the dictionary (e.g. wards)."""
    if "lookup" not in spec:
        return None
    return {"lookup": spec["lookup"], "values": list(lookups[spec["lookup"]])}


# kind -> reader of a column's YAML. Order is the order rules are listed and checked.
RULE_KINDS: dict[str, Callable[[Mapping[str, Any], Lookups], dict | None]] = {
    "required": _flag("required"),
    "unique": _flag("unique"),
    "accepted_values": _accepted_values,
    "range": _range,
    "lookup": _lookup,
    "pattern": _pattern,
}


def column_rules(column_spec: Mapping[str, Any], lookups: Lookups) -> tuple[Rule, ...]:
    """The rules one dictionary column states, in :data:`RULE_KINDS` order."""
    rules = []
    for kind, read in RULE_KINDS.items():
        arguments = read(column_spec, lookups)
        if arguments is not None:
            rules.append(Rule(kind, column_spec["name"], arguments))
    return tuple(rules)


def render(
    rules: list[Rule] | tuple[Rule, ...], renderer: Mapping[str, Callable], *, target: str
) -> list[Any]:
    """Apply a renderer (kind -> function of a Rule) to rules; a function may return None
    when the target has nothing to say about that rule."""
    rendered = []
    for rule in rules:
        if rule.kind not in renderer:
            raise KeyError(
                f"the {target} renderer has no entry for rule kind {rule.kind!r}: "
                f"add one (see dagster_project/lib/dictionary/README.md)"
            )
        if (output := renderer[rule.kind](rule)) is not None:
            rendered.append(output)
    return rendered
