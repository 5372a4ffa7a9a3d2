"""The platform's fixed vocabulary: every word the dictionary may use, with what it means
to each stage that reads it. Defined here once; the JSON Schemas' enums are checked
against it (``tests/dagster_project/lib/dictionary/test_vocabulary.py``).

What a *city* chooses (its name, time zone, wards, divisions) is not here: that is data,
in ``data_dictionary/city.yml`` and ``divisions.yml``, read by :mod:`.loading`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

# The source system of what the platform measures itself (the quality scores): no
# department's extract, no contract, nothing to wait for.
PLATFORM_SYSTEM = "open_data_platform"
# The source system of what the governance group keeps in the dictionary itself (the
# service inventory, services.yml): no extract either; its data is as current as the
# dictionary the warehouse was last built from.
DICTIONARY_SYSTEM = "data_dictionary"
# Source systems that deliver no file: no contract, never waited for.
SYSTEMS_WITHOUT_EXTRACTS = frozenset({PLATFORM_SYSTEM, DICTIONARY_SYSTEM})
# ... and as a resident reads them (the dictionary site, the portal's "Source systems")
SYSTEMS_WITHOUT_EXTRACTS_NAMED = {
    PLATFORM_SYSTEM: "the open-data platform's own measurements",
    DICTIONARY_SYSTEM: "this data dictionary (kept by the data governance group)",
}


@dataclass(frozen=True)
class Frequency:
    """How often a source delivers or a dataset is updated."""

    name: str
    cron: str | None  # when the schedule fires (city local time); None: no schedule
    grace: timedelta | None  # how late a delivery/publication may be before we warn
    periodicity: str  # ISO 8601 repeating interval (DCAT-US accrualPeriodicity)


FREQUENCIES: dict[str, Frequency] = {
    f.name: f
    for f in (
        Frequency("daily", "0 6 * * *", timedelta(hours=30), "R/P1D"),
        Frequency("weekly", "0 6 * * 1", timedelta(days=8), "R/P1W"),
        Frequency("monthly", "0 6 2 * *", timedelta(days=33), "R/P1M"),
        Frequency("quarterly", "0 6 2 1,4,7,10 *", timedelta(days=95), "R/P3M"),
        Frequency("yearly", "0 6 2 1 *", timedelta(days=370), "R/P1Y"),
        Frequency("as needed", None, None, "irregular"),
    )
}


@dataclass(frozen=True)
class DataType:
    """A column type as each engine and format spells it."""

    name: str  # the dictionary's word
    duckdb: str  # the warehouse (and dbt contract) type
    datastore: str  # CKAN DataStore (PostgreSQL) type
    frictionless: str  # Frictionless Table Schema type


_TYPES = (
    DataType("varchar", "VARCHAR", "text", "string"),
    DataType("integer", "INTEGER", "int4", "integer"),
    DataType("bigint", "BIGINT", "int8", "integer"),
    DataType("double", "DOUBLE", "float8", "number"),
    DataType("boolean", "BOOLEAN", "bool", "boolean"),
    DataType("date", "DATE", "date", "date"),
    DataType("timestamp", "TIMESTAMP", "timestamp", "datetime"),
)
TYPES: dict[str, DataType] = {t.name: t for t in _TYPES}
# Source contracts also say "money" (an amount, in cents unless the column declares its
# ``scale``) and "timestamptz" (an instant: a time that states its offset keeps it).
SOURCE_TYPES: dict[str, DataType] = {
    **TYPES,
    "money": DataType("money", "DECIMAL(18,2)", "numeric", "number"),
    "timestamptz": DataType("timestamptz", "TIMESTAMPTZ", "timestamptz", "datetime"),
}
DECIMAL = re.compile(r"^decimal\((\d+),(\d+)\)$")


def data_type(name: str) -> DataType:
    """The type for a dictionary type word, including ``decimal(p,s)``."""
    if name in SOURCE_TYPES:
        return SOURCE_TYPES[name]
    if match := DECIMAL.match(name):
        return DataType(name, f"DECIMAL({match[1]},{match[2]})", "numeric", "number")
    raise KeyError(
        f"unknown column type {name!r}; use one of {sorted(SOURCE_TYPES)} "
        "or decimal(precision,scale)"
    )


@dataclass(frozen=True)
class Licence:
    id: str  # CKAN licence id
    title: str
    url: str | None


LICENCES: dict[str, Licence] = {
    licence.id: licence
    for licence in (
        Licence(
            "odc-by",
            "Open Data Commons Attribution License",
            "https://opendatacommons.org/licenses/by/1-0/",
        ),
        Licence(
            "odc-odbl",
            "Open Data Commons Open Database License (ODbL)",
            "https://opendatacommons.org/licenses/odbl/1-0/",
        ),
        Licence(
            "odc-pddl",
            "Open Data Commons Public Domain Dedication and License (PDDL)",
            "https://opendatacommons.org/licenses/pddl/1-0/",
        ),
        Licence(
            "cc-by", "Creative Commons Attribution", "https://creativecommons.org/licenses/by/4.0/"
        ),
        Licence(
            "cc-by-sa",
            "Creative Commons Attribution Share-Alike",
            "https://creativecommons.org/licenses/by-sa/4.0/",
        ),
        Licence(
            "cc-zero",
            "Creative Commons CCZero",
            "https://creativecommons.org/publicdomain/zero/1.0/",
        ),
        Licence("other-open", "Other (Open)", None),
    )
}

CLASSIFICATIONS = ("public", "personal", "confidential")
PUBLICATION_STATUSES = ("draft", "approved", "retired")

# File formats the portal offers, with their media types (DCAT-US mediaType).
MEDIA_TYPES = {
    "CSV": "text/csv",
    "Parquet": "application/vnd.apache.parquet",
    "JSON": "application/json",
}
