"""Great Expectations suites derived from the data dictionary, one per published dataset.

The dictionary states each column's rules once (required, unique, accepted values, range,
type); this module turns them into GX expectations. ``gate_setup`` writes them into the GX
project in ``expectations/`` (suites, validation definitions, checkpoints), and
``quality_gate`` runs the checkpoint on the published model's rows.
"""

from __future__ import annotations

from typing import Any

from .dictionary import Dataset

# Published text must never look like contact details, whatever the column.
EMAIL_PATTERN = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
PHONE_PATTERN = r"\(?\b[2-9][0-9]{2}\)?[-. ][0-9]{3}[-. ][0-9]{4}\b"

PANDAS_TYPES = {
    "varchar": "object",
    "integer": "Int32",
    "bigint": "Int64",
    "double": "float64",
    "boolean": "bool",
    "date": "object",
    "timestamp": "datetime64[us]",
}


def expectation_configs(dataset: Dataset) -> list[dict[str, Any]]:
    """The suite as (type, kwargs) pairs: stable, comparable, and what the tests check."""
    configs: list[dict[str, Any]] = [
        {
            "type": "expect_table_columns_to_match_ordered_list",
            "kwargs": {"column_list": [c.name for c in dataset.columns]},
        },
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
    ]
    for column in dataset.columns:
        spec, name = column.spec, column.name
        if spec.get("required"):
            configs.append(
                {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": name}}
            )
        if spec.get("unique"):
            configs.append(
                {"type": "expect_column_values_to_be_unique", "kwargs": {"column": name}}
            )
        if "accepted_values" in spec:
            configs.append(
                {
                    "type": "expect_column_values_to_be_in_set",
                    "kwargs": {"column": name, "value_set": spec["accepted_values"]},
                }
            )
        if "min" in spec or "max" in spec:
            configs.append(
                {
                    "type": "expect_column_values_to_be_between",
                    "kwargs": {
                        "column": name,
                        "min_value": spec.get("min"),
                        "max_value": spec.get("max"),
                    },
                }
            )
        if column.type == "varchar":
            for pattern in (EMAIL_PATTERN, PHONE_PATTERN):
                configs.append(
                    {
                        "type": "expect_column_values_to_not_match_regex",
                        "kwargs": {"column": name, "regex": pattern},
                    }
                )
    return configs


def suite_name(dataset: Dataset) -> str:
    return dataset.model
