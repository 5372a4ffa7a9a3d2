"""The privacy gate: no personal information reaches the portal, checked two ways.

1. By meaning: every column of the published model is in the dataset's dictionary entry,
   classified public, and none carries the name of a column any source classifies
   personal.
2. By value: no text value in the published model equals a value held in a personal
   source column (a caller's name, phone, e-mail or home address), and none looks like
   an e-mail address or a phone number.

Runs as one DuckDB query per column (no Python loop over rows). A failure names the
column, the rule and how many rows, with masked examples so the report leaks nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from ..dictionary import Dataset, Dictionary
from ..warehouse import literal, quote

# Published text must never look like contact details, whatever the column. (The privacy
# gate is the one engine that checks these shapes.)
EMAIL_PATTERN = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
PHONE_PATTERN = r"\(?\b[2-9][0-9]{2}\)?[-. ][0-9]{3}[-. ][0-9]{4}\b"

MIN_PERSONAL_VALUE_LENGTH = 6  # shorter values ("Ann", "12") match too much by chance


@dataclass
class PrivacyResult:
    passed: bool
    findings: list[dict] = field(default_factory=list)

    def summary(self) -> str:
        if self.passed:
            return "no personal column and no personal value found"
        return "; ".join(f"{f['column']}: {f['rule']} ({f['rows']} rows)" for f in self.findings)


def mask(value: str) -> str:
    return value[:2] + "*" * max(len(value) - 2, 0) if value else value


def _model_columns(conn, model: str) -> dict[str, str]:
    return dict(
        conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'open_data' AND table_name = ? ORDER BY ordinal_position",
            [model],
        ).fetchall()
    )


def _personal_values_sql(dictionary: Dictionary, conn) -> str | None:
    """A query of every distinct personal value held in the raw tables."""
    parts = []
    existing = {
        row[0]
        for row in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'"
        ).fetchall()
    }
    for source in dictionary.sources.values():
        if source.raw_table not in existing:
            continue
        for column in source.columns:
            if column.classification == "personal":
                parts.append(
                    f"SELECT CAST({quote(column.name)} AS VARCHAR) AS value "
                    f"FROM raw.{quote(source.raw_table)}"
                )
    if not parts:
        return None
    return (
        f"SELECT DISTINCT trim(value) AS value FROM ({' UNION ALL '.join(parts)}) "
        f"WHERE length(trim(value)) >= {MIN_PERSONAL_VALUE_LENGTH}"
    )


def check_privacy(
    conn: duckdb.DuckDBPyConnection, dataset: Dataset, dictionary: Dictionary
) -> PrivacyResult:
    findings: list[dict] = []
    columns = _model_columns(conn, dataset.model)
    documented = {c.name: c for c in dataset.columns}
    personal_names = dictionary.personal_column_names
    for name in columns:
        if name not in documented:
            findings.append({"column": name, "rule": "not in the data dictionary", "rows": 0})
        elif documented[name].classification != "public":
            findings.append(
                {"column": name, "rule": f"classified {documented[name].classification}", "rows": 0}
            )
        if name in personal_names:
            findings.append(
                {"column": name, "rule": "named like a personal source column", "rows": 0}
            )

    personal_sql = _personal_values_sql(dictionary, conn)
    if personal_sql:
        conn.execute(f"CREATE OR REPLACE TEMP TABLE _personal_values AS {personal_sql}")
    table = f"open_data.{quote(dataset.model)}"
    for name, data_type in columns.items():
        if data_type != "VARCHAR":
            continue
        column = quote(name)
        rules = [
            ("looks like an e-mail address", f"regexp_matches({column}, {literal(EMAIL_PATTERN)})"),
            ("looks like a phone number", f"regexp_matches({column}, {literal(PHONE_PATTERN)})"),
        ]
        if personal_sql:
            rules.append(
                (
                    "equals a value of a personal source column",
                    f"trim({column}) IN (SELECT value FROM _personal_values)",
                )
            )
        for rule, condition in rules:
            rows, example = conn.execute(
                f"SELECT count(*), any_value({column}) FROM {table} WHERE {condition}"
            ).fetchone()
            if rows:
                findings.append(
                    {"column": name, "rule": rule, "rows": rows, "example": mask(str(example))}
                )
    return PrivacyResult(passed=not findings, findings=findings)
