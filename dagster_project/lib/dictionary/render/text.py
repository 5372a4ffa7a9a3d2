"""Rules in words, for people: the dictionary site's column table."""

from __future__ import annotations

from ..rules import Rule, render


def _range(rule: Rule) -> str:
    low, high = rule.arguments["min"], rule.arguments["max"]
    if low is not None and high is not None:
        return f"between {low} and {high}"
    return f"at least {low}" if low is not None else f"at most {high}"


WORDS = {
    "required": lambda r: "always filled",
    "unique": lambda r: "unique",
    "accepted_values": lambda r: "one of " + ", ".join(map(str, r.arguments["values"])),
    "range": _range,
    "lookup": lambda r: f"one of the city's {r.arguments['lookup']}",
    "pattern": lambda r: f"in the format {r.arguments['regex']}",
}


def describe(rules: list[Rule] | tuple[Rule, ...]) -> str:
    return "; ".join(render(rules, WORDS, target="text"))
