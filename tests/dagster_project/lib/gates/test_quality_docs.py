"""A quality gate stores its validation and builds that validation's Data Docs page only:
rebuilding the site's index (every validation ever stored) in every gate cost more than
the check itself, and grew with every run."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.gates.gx_project import open_context
from dagster_project.lib.gates.quality import run_quality_gate
from dagster_project.settings import get_settings


def test_the_gate_links_to_its_own_validation_page_and_stores_the_result():
    dataset = load_dictionary().datasets["foi_requests"]
    context = open_context(get_settings().expectations_dir)
    stored_before = len(context.validation_results_store.list_keys())
    # the index's place, built or not (a fresh clone has no Data Docs yet)
    site = context.get_docs_sites_urls(only_if_exists=False)[0]["site_url"]
    index = Path(unquote(urlparse(site).path))
    index_before = index.stat().st_mtime_ns if index.exists() else None

    result = run_quality_gate(pd.DataFrame({"request_id": []}), dataset.model)

    assert not result.passed  # no rows, and the columns the suite names are missing
    page = Path(unquote(urlparse(result.data_docs).path))
    assert page.exists() and page.name.endswith(".html") and page != index
    assert "validations" in page.parts and dataset.model in page.parts
    assert len(context.validation_results_store.list_keys()) == stored_before + 1
    assert (index.stat().st_mtime_ns if index.exists() else None) == index_before
