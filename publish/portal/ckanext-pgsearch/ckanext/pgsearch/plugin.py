"""The ``pgsearch`` CKAN plugin: a Solr-free portal for a city-sized catalogue.

CKAN 2.12 needs Solr for dataset search. A small city's portal (hundreds of datasets)
does not need a second search server to run and patch: this plugin, at configure time,
swaps CKAN's package index for a no-op (the database *is* the index) and its package
query class for :class:`~ckanext.pgsearch.query.PostgresPackageSearchQuery`.

It also shows each DataStore table's data dictionary on the dataset page, so residents
see what every column means without opening each resource.

Pinned to ``ckan==2.12.0``: it replaces entries of ``ckan.lib.search._INDICES`` /
``_QUERIES`` and the module attribute ``PackageSearchQuery`` (used directly by
``model_dictize`` for group and organization dataset counts). Re-check those when
upgrading CKAN.
"""

from __future__ import annotations

import logging

import ckan.lib.search as ckan_search
import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit

from . import access, datastore_copy, datastore_limits, resource_copy
from .query import NoSolrIndex, PostgresPackageSearchQuery

log = logging.getLogger(__name__)


def install_postgres_search() -> None:
    """Route every CKAN dataset search and index call to PostgreSQL."""
    ckan_search._INDICES["package"] = NoSolrIndex
    ckan_search._QUERIES["package"] = PostgresPackageSearchQuery
    ckan_search.PackageSearchQuery = PostgresPackageSearchQuery  # type: ignore[misc]
    # CKAN checks the Solr schema at every start and logs a connection traceback
    # when there is no Solr; there is none by design.
    ckan_search.check_solr_schema_version = _no_solr_schema  # type: ignore[assignment]


def _no_solr_schema(schema_file: str | None = None) -> bool:
    log.info("pgsearch: dataset search runs on PostgreSQL; no Solr schema to check")
    return False


class PgSearchPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.IConfigurable)
    plugins.implements(plugins.IAuthFunctions)
    plugins.implements(plugins.IActions)

    def update_config(self, config: toolkit.CKANConfig) -> None:
        # Runs before CKAN's start-up Solr check, so the swap is in place for it.
        install_postgres_search()
        toolkit.add_template_directory(config, "templates")

    def configure(self, config: toolkit.CKANConfig) -> None:
        install_postgres_search()

    # Visibility fixes (see access.py), the DataStore full-text guard (see
    # datastore_limits.py) and the COPY loader (see datastore_copy.py).
    def get_auth_functions(self) -> dict:
        return access.auth_functions()

    def get_actions(self) -> dict:
        return {
            **access.actions(),
            **datastore_limits.actions(),
            **datastore_copy.actions(),
            **resource_copy.actions(),
        }
