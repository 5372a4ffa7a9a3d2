"""The ``city_theme`` CKAN plugin: the city's own portal instead of CKAN's demo.

The city's name, a home page (search, headline KPIs from the service scorecard, featured
datasets, latest updates), an About page (what the city publishes, under which licences,
whom to ask for more), and the dataset page's quality badge, changelog and previous
versions. What it says comes from ``city_portal.json`` and the dataset schema
``city_dataset.json``, both generated from the active city's data dictionary
(``publish/ckan/scheming.py``) into the city's folder (see ``city_files.py``): edit the
dictionary, not these files.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit

from . import charts_cache, extras_fields
from .city_files import city_portal
from .headline import headline_kpis

QUALITY_BADGES = {"Gold": "gold", "Silver": "silver", "Bronze": "bronze"}


def dataset_field(package: dict[str, Any], key: str) -> Any:
    """A dataset field: top level under the schema, an extra on an older package."""
    if package.get(key) not in (None, ""):
        return package[key]
    return next((e["value"] for e in package.get("extras") or [] if e["key"] == key), None)


def quality_badge_class(score: str | None) -> str:
    return QUALITY_BADGES.get(score or "", "unrated")


def featured_datasets() -> list[dict[str, Any]]:
    shown = []
    for name in city_portal()["featured"]:
        try:
            shown.append(toolkit.get_action("package_show")({}, {"id": name}))
        except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
            continue  # not published yet (or withdrawn): not featured
    return shown


def latest_datasets(limit: int = 5) -> list[dict[str, Any]]:
    result = toolkit.get_action("package_search")(
        {}, {"sort": "metadata_modified desc", "rows": limit}
    )
    return result["results"]


def home_kpis() -> dict[str, Any] | None:
    return headline_kpis(city_portal().get("kpis"))


class CityThemePlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.ITemplateHelpers)
    plugins.implements(plugins.IActions)

    def update_config(self, config: toolkit.CKANConfig) -> None:
        toolkit.add_template_directory(config, "theme_templates")
        toolkit.add_public_directory(config, "theme_public")
        config["ckan.site_title"] = city_portal()["site_title"]
        # no CKAN logo: the header shows the city's portal name instead
        config["ckan.site_logo"] = ""
        config["ckan.site_description"] = f"Open data published by the {city_portal()['city']}"

    def get_helpers(self) -> dict[str, Any]:
        return {
            "city_portal": city_portal,
            "city_dataset_field": dataset_field,
            "city_quality_badge_class": quality_badge_class,
            "city_featured_datasets": featured_datasets,
            "city_latest_datasets": latest_datasets,
            "city_home_kpis": home_kpis,
        }

    # facts sent as extras by clients from before the schema (extras_fields.py); charts
    # that follow each DataStore load (charts_cache.py)
    def get_actions(self) -> dict:
        return {**extras_fields.actions(), **charts_cache.actions()}
