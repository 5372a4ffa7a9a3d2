"""CKAN's dataset search served by PostgreSQL instead of Solr.

``PostgresPackageSearchQuery`` keeps the contract of CKAN 2.12's
``ckan.lib.search.query.PackageSearchQuery``: ``run(query, permission_labels)`` fills
``count``, ``results`` and ``facets`` exactly as the Solr one does, so ``package_search``,
the dataset and organization pages, group/organization dataset counts, ``tag_show`` and
``current_package_list_with_resources`` work unchanged.

Errors follow CKAN's mapping: an unreadable ``sort`` is a ``SearchQueryError`` (HTTP
400, as with Solr); Solr syntax this backend does not implement is a ``SearchError``,
which CKAN's API returns as HTTP 409 with our message.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import ckan.logic as logic
import ckan.model as model
from ckan.common import config
from ckan.lib.search.common import SearchError, SearchQueryError
from ckan.lib.search.index import SearchIndex
from ckan.lib.search.query import VALID_SOLR_PARAMETERS, PackageSearchQuery
from sqlalchemy import text

from . import solr_syntax
from .sql import compile_search

log = logging.getLogger(__name__)

# Result fields read straight from the matched rows (the rest come from package_show).
ROW_FIELDS = (
    "id",
    "name",
    "title",
    "owner_org",
    "license_id",
    "type",
    "state",
    "metadata_modified",
    "metadata_created",
)
DICT_FIELDS = ("validated_data_dict", "data_dict")


class UnsupportedSearchSyntax(SearchError):
    """Solr syntax this portal's PostgreSQL search does not implement (HTTP 409)."""


class NoSolrIndex(SearchIndex):
    """The package index is the database itself: indexing and clearing are no-ops.

    CKAN's own ``NoopSearchIndex`` inherits ``clear()``, which calls Solr
    (``ckan db clean`` would fail); this one never does.
    """

    def clear(self) -> None:
        log.debug("pgsearch: nothing to clear, search reads the database")

    def commit(self) -> None:
        pass

    def delete_package(self, pkg_dict: dict[str, Any]) -> None:
        pass


def _as_int(value: Any, name: str, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SearchQueryError(f'Invalid "{name}" parameter: {value!r}') from None


def _field_list(fl: Any) -> list[str]:
    if isinstance(fl, (list, tuple)):
        fl = " ".join(fl)
    return [name for name in re.split(r"[\s,]+", fl or "name") if name]


class PostgresPackageSearchQuery(PackageSearchQuery):
    """Dataset search over CKAN's tables: see ``sql.py`` for the matching rules."""

    facets: dict[str, Any]

    def __init__(self) -> None:
        super().__init__()
        self.facets = {}

    def get_all_entity_ids(self, max_results: int = 1000) -> list[str]:
        rows = model.Session.execute(
            text("SELECT id FROM package WHERE state = 'active' ORDER BY id LIMIT :n"),
            {"n": max_results},
        )
        return [row[0] for row in rows]

    def get_index(self, reference: str) -> dict[str, Any]:
        # package_show asks the index for a cached dict first; there is none, so it
        # falls back to the database, which is what we want.
        raise SearchError(f"pgsearch keeps no index copy of {reference!r}")

    def run(
        self, query: dict[str, Any], permission_labels: list[str] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        unknown = set(query.keys()) - VALID_SOLR_PARAMETERS
        if unknown:
            raise SearchQueryError(f"Invalid search parameters: {sorted(unknown)}")

        filters = [query["fq"]] if query.get("fq") else []
        filters += list(query.get("fq_list") or [])
        # CKAN's Solr query adds +state:active unless the caller chose states itself.
        if not any("+state:" in item for item in filters):
            filters.append("+state:active")
        try:
            search = compile_search(
                solr_syntax.parse_lenient(query.get("q")),
                [solr_syntax.parse(item) for item in filters],
                permission_labels,
                site_id=config.get("ckan.site_id"),
            )
        except solr_syntax.UnsupportedSyntax as error:
            raise UnsupportedSearchSyntax(f"Unsupported search syntax: {error}") from None
        try:
            page_sql = search.page_sql(
                solr_syntax.parse_sort(
                    query.get("sort") or config.get("ckan.search.default_package_sort")
                )
            )
        except ValueError:
            raise SearchQueryError('Invalid "sort" parameter') from None
        rows = _as_int(query.get("rows"), "rows", 10)
        start = _as_int(query.get("start"), "start", 0)

        session = model.Session
        self.count = session.execute(text(search.count_sql()), search.params).scalar() or 0
        page = session.execute(
            text(page_sql), {**search.params, "rows": max(rows, 0), "start": max(start, 0)}
        )
        fields = _field_list(query.get("fl"))
        self.results = [self._result(row._mapping, fields) for row in page]
        if query.get("fl") in ("id", "name"):
            self.results = [result.get(query["fl"]) for result in self.results]

        self.facets = {}
        if str(query.get("facet", "true")).lower() != "false":
            self.facets = self._facets(search, query)
        return {"results": self.results, "count": self.count}

    def _facets(self, search: Any, query: dict[str, Any]) -> dict[str, dict[str, int]]:
        facet_fields = query.get("facet.field") or []
        if isinstance(facet_fields, str):
            facet_fields = [facet_fields]
        limit = _as_int(
            query.get("facet.limit", config.get("search.facets.limit")), "facet.limit", 50
        )
        mincount = _as_int(query.get("facet.mincount"), "facet.mincount", 1)
        facets: dict[str, dict[str, int]] = {}
        for facet_field in facet_fields:
            sql, extra = search.facet_sql(facet_field, limit, mincount)
            if not sql:
                facets[facet_field] = {}
                continue
            rows = model.Session.execute(text(sql), {**search.params, **extra})
            facets[facet_field] = {str(value): int(count) for value, count in rows}
        return facets

    def _result(self, row: Any, fields: list[str]) -> dict[str, Any]:
        wanted = set(fields)
        if "*" in wanted:
            wanted = set(ROW_FIELDS) | set(DICT_FIELDS)
        result: dict[str, Any] = {"id": row["id"]}
        for name in wanted & set(ROW_FIELDS):
            value = row[name]
            result[name] = value.isoformat() if hasattr(value, "isoformat") else value
        for name in wanted:
            if name.startswith("extras_"):
                result[name] = (row["extras"] or {}).get(name[len("extras_") :])
        dict_fields = wanted & set(DICT_FIELDS)
        needs_dataset = dict_fields or wanted & {"groups", "organization", "tags", "res_format"}
        if needs_dataset:
            dataset = _package_show(row["id"], default_schema=False)
            if "validated_data_dict" in wanted:
                result["validated_data_dict"] = json.dumps(dataset, default=str)
            if "data_dict" in wanted:
                default_dataset = _package_show(row["id"], default_schema=True)
                result["data_dict"] = json.dumps(default_dataset, default=str)
            if "groups" in wanted:
                result["groups"] = [group["name"] for group in dataset.get("groups", [])]
            if "organization" in wanted:
                result["organization"] = (dataset.get("organization") or {}).get("name")
            if "tags" in wanted:
                result["tags"] = [tag["name"] for tag in dataset.get("tags", [])]
            if "res_format" in wanted:
                result["res_format"] = [res.get("format") for res in dataset.get("resources", [])]
        return result


def _package_show(package_id: str, default_schema: bool) -> dict[str, Any]:
    """The dataset as package_show returns it; visibility was already checked in SQL."""
    context = {"ignore_auth": True, "use_cache": False}
    data_dict: dict[str, Any] = {"id": package_id}
    if default_schema:
        data_dict["use_default_schema"] = True
    return logic.get_action("package_show")(context, data_dict)
