"""The portal's site pages, published after the datasets: the data dictionary site and
each published dataset's quality report.

Each dataset on the portal links to both (``data_dictionary_url``,
``quality_report_url``); the portal serves them over HTTP at ``/dictionary/`` and
``/quality-reports/`` (our plugin's site files). Only changed files are sent, so a run
with nothing new sends nothing; a dataset that left the portal loses its report.
"""

import json
from pathlib import Path

import dagster as dg

from dagster_project.lib.dictionary import Dictionary, load_dictionary
from dagster_project.lib.dictionary.site import build_site
from dagster_project.lib.gates.public_report import render_reports
from dagster_project.lib.gates.results import GateResults
from dagster_project.settings import PROJECT_DIR, get_settings
from publish.ckan.mapping import package_name
from publish.ckan.retirement import approved_packages
from publish.ckan.site_files import folder_files, site_url, sync_site_files

from ..resources import PortalResource
from ..transform.project import parse_manifest

GROUP = "open_data_portal"
DICTIONARY_SITE = dg.AssetKey(["portal", "dictionary_site"])
QUALITY_REPORTS = dg.AssetKey(["portal", "quality_reports"])


def dictionary_page_url(portal_url: str, dataset_id: str) -> str:
    """A dataset's page of the dictionary: on the portal unless the city hosts it."""
    base = get_settings().dictionary_site_url or site_url(portal_url, "dictionary").rstrip("/")
    return f"{base}/datasets/{dataset_id}.html"


def quality_report_url(portal_url: str, dataset_id: str) -> str:
    return site_url(portal_url, "quality-reports", f"{dataset_id}.html")


def write_dictionary_site(
    dictionary: Dictionary, portal_url: str, public: bool = False
) -> list[Path]:
    """The site from the dictionary, dbt's manifest and the gate results; its pages link
    to the datasets on ``portal_url``. ``make docs``: the staff's edition in ``docs_dir``
    (drafts included); ``public``: the edition the portal serves, in ``public_docs_dir``
    (see lib/dictionary/site.py for what it leaves out)."""
    settings = get_settings()
    return build_site(
        settings.public_docs_dir if public else settings.docs_dir,
        dictionary,
        json.loads(parse_manifest().read_text()),
        GateResults(settings.gate_reports_dir),
        portal_url,
        (PROJECT_DIR / "docs" / "analysts.md").read_text(),
        public=public,
    )


def build_dictionary_site_asset(deps: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=DICTIONARY_SITE,
        deps=deps,
        group_name=GROUP,
        kinds={"ckan"},
        description="The data dictionary site's public edition (published datasets, their "
        "public columns, the glossary; no drafts), served by the portal at /dictionary/; "
        "rebuilt after the datasets published (it shows their gates).",
    )
    def dictionary_site(portal: PortalResource) -> dg.MaterializeResult:
        settings = get_settings()
        write_dictionary_site(load_dictionary(strict=False), portal.url(), public=True)
        sync = sync_site_files(
            portal.publisher(), "dictionary", folder_files(settings.public_docs_dir)
        )
        return dg.MaterializeResult(
            metadata={
                "url": dg.MetadataValue.url(site_url(portal.url(), "dictionary")),
                "files": sync.summary(),
            }
        )

    return dictionary_site


def build_quality_reports_asset(deps: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=QUALITY_REPORTS,
        deps=deps,
        group_name=GROUP,
        kinds={"ckan"},
        description="Each published dataset's quality report (its quality and privacy "
        "gates, counts only, never a value), served by the portal at /quality-reports/.",
    )
    def quality_reports(portal: PortalResource) -> dg.MaterializeResult:
        settings = get_settings()
        dictionary = load_dictionary(strict=False)
        publisher, url = portal.publisher(), portal.url()
        packages = approved_packages(publisher, dictionary)
        published = [d.id for d in dictionary.approved_datasets if _public(packages[d.id])]
        results = GateResults(settings.gate_reports_dir)
        files = render_reports(
            settings.data_dir / "quality_reports",
            dictionary,
            published,
            {dataset_id: results.get(dataset_id) for dataset_id in published},
            lambda dataset_id: f"{url}/dataset/{package_name(dataset_id)}",
            lambda dataset_id: dictionary_page_url(url, dataset_id),
        )
        sync = sync_site_files(publisher, "quality-reports", files)
        return dg.MaterializeResult(
            metadata={
                "url": dg.MetadataValue.url(site_url(url, "quality-reports")),
                "datasets": len(published),
                "files": sync.summary(),
            }
        )

    return quality_reports


def _public(package: dict | None) -> bool:
    return bool(package) and not package.get("private") and package.get("state") == "active"
