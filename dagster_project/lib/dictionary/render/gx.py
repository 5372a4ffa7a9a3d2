"""Great Expectations: the publication gate's suite for one published dataset.

The gate enforces each column's value rules; column names and types are the dbt
contract's, and contact-detail shapes the privacy gate's (no rule is checked twice).
``lib/gates/gx_project.py`` writes these suites into ``expectations/``.
"""

from __future__ import annotations

from typing import Any

from ..entries import Dataset
from ..rules import Rule, render


def _expectation(kind: str, rule: Rule, **kwargs: Any) -> dict[str, Any]:
    return {"type": kind, "kwargs": {"column": rule.column, **kwargs}}


EXPECTATIONS = {
    "required": lambda r: _expectation("expect_column_values_to_not_be_null", r),
    "unique": lambda r: _expectation("expect_column_values_to_be_unique", r),
    "accepted_values": lambda r: _expectation(
        "expect_column_values_to_be_in_set", r, value_set=r.arguments["values"]
    ),
    "range": lambda r: _expectation(
        "expect_column_values_to_be_between",
        r,
        min_value=r.arguments["min"],
        max_value=r.arguments["max"],
    ),
    "lookup": lambda r: _expectation(
        "expect_column_values_to_be_in_set", r, value_set=r.arguments["values"]
    ),
    "pattern": lambda r: _expectation(
        "expect_column_values_to_match_regex", r, regex=r.arguments["regex"]
    ),
}


def expectation_configs(dataset: Dataset) -> list[dict[str, Any]]:
    """The suite as (type, kwargs) pairs: stable, comparable, and what the tests check."""
    table_rules = [{"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}}]
    return table_rules + render(dataset.rules, EXPECTATIONS, target="Great Expectations")


def suite_name(dataset: Dataset) -> str:
    return dataset.model
