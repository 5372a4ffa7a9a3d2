"""Full-text ``q`` search on big DataStore tables is refused, with a clear message.

Why (CKAN 2.12, ``ckanext/datastore/backend/postgres.py``): ``datastore_search`` with
``q`` runs ``... FROM "<table>", plainto_tsquery('english', :q) query WHERE
_full_text @@ query ORDER BY ts_rank(_full_text, query, 32) DESC LIMIT n`` and then
``SELECT count(*)`` over the same match. The index on ``_full_text`` (GiST by default,
GIN with ``ckan.datastore.default_fts_index_method = gin``) finds the matching rows, but
ranking and counting must read *every* match's ``_full_text`` from the table: a common
word in a 1M-row table means hundreds of thousands of rows read twice per request.
``include_total=false`` drops the count but the rank sort stays, and a caller can always
ask for the total. Measured on this 2-core machine (``benchmarks/datastore_search.py``,
README "DataStore full-text search"), that cannot be kept under 2 s p95, so above
``ckanext.pgsearch.datastore_fts_max_rows`` rows (default 100,000; 0 disables the
guard) ``q``/``full_text`` are refused with HTTP 409 saying what to use instead:
``filters`` (exact column values, served by the table's indexes), or the downloadable
file. Small tables keep full-text search.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as toolkit
import sqlalchemy as sa

CONFIG_KEY = "ckanext.pgsearch.datastore_fts_max_rows"
DEFAULT_MAX_ROWS = 100_000


def max_rows() -> int:
    return toolkit.asint(toolkit.config.get(CONFIG_KEY, DEFAULT_MAX_ROWS) or 0)


def _estimated_rows(resource_id: str) -> int | None:
    """PostgreSQL's row estimate for the resource's table (cheap: no count(*))."""
    from ckanext.datastore.backend.postgres import DatastorePostgresqlBackend

    backend = DatastorePostgresqlBackend.get_active_backend()
    engine = backend._get_read_engine()  # noqa: SLF001 (the DataStore's own read engine)
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT greatest(c.reltuples::bigint, 0) FROM pg_class c "
                "WHERE c.oid = to_regclass(:table)"
            ),
            {"table": '"' + resource_id.replace('"', '""') + '"'},
        ).fetchone()
    return None if row is None else int(row[0])


def _wants_full_text(data_dict: dict[str, Any]) -> bool:
    return bool(data_dict.get("q")) or bool(data_dict.get("full_text"))


@toolkit.chained_action
@toolkit.side_effect_free
def datastore_search(original: Any, context: dict[str, Any], data_dict: dict[str, Any]):
    limit = max_rows()
    resource_id = data_dict.get("resource_id") or data_dict.get("id")
    if limit > 0 and resource_id and _wants_full_text(data_dict):
        # Access first, so a private table's size is never revealed to outsiders.
        toolkit.check_access("datastore_search", context, dict(data_dict))
        rows = _estimated_rows(str(resource_id))
        if rows is not None and rows > limit:
            raise toolkit.ValidationError(
                {
                    "q": [
                        f"Full-text search (q / full_text) is turned off for tables of "
                        f"more than {limit:,} rows: this table has about {rows:,}, and "
                        "ranking and counting every match is too slow to answer. Use "
                        '"filters" on column values instead (for example '
                        'filters={"ward": "7"}), or download the whole file from the '
                        "resource page."
                    ]
                }
            )
    return original(context, data_dict)


def actions() -> dict[str, Any]:
    return {"datastore_search": datastore_search}
