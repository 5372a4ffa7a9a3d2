"""A quality gate stores its validation and builds that validation's Data Docs page only:
rebuilding the site's index (every validation ever stored) in every gate cost more than
the check itself, and grew with every run. It keeps the suite's newest results only: GX
lists every stored result to build even one page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd
import pytest

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.gates.gx_project import open_context
from dagster_project.lib.gates.quality import KEPT_RESULTS, run_quality_gate
from dagster_project.settings import get_settings


# counts the suite's stored results: another worker's pipeline may store one meanwhile
# (the sample city's GX project, expectations/, is the repository's, shared by workers)
@pytest.mark.serial
def test_the_gate_links_to_its_own_validation_page_and_stores_the_result():
    dataset = load_dictionary().datasets["foi_requests"]
    context = open_context(get_settings().expectations_dir)

    def stored() -> set[str]:
        return {
            str(key.run_id.run_time)
            for key in context.validation_results_store.list_keys()
            if key.expectation_suite_identifier.name == dataset.model
        }

    stored_before = stored()
    # the index's place, built or not (a fresh clone has no Data Docs yet)
    site = context.get_docs_sites_urls(only_if_exists=False)[0]["site_url"]
    index = Path(unquote(urlparse(site).path))
    index_before = index.stat().st_mtime_ns if index.exists() else None

    result = run_quality_gate(pd.DataFrame({"request_id": []}), dataset.model)

    assert not result.passed  # no rows, and the columns the suite names are missing
    page = Path(unquote(urlparse(result.data_docs).path))
    assert page.exists() and page.name.endswith(".html") and page != index
    assert "validations" in page.parts and dataset.model in page.parts
    # stored, beside the suite's newest before it (the older ones deleted, pages too)
    new = stored() - stored_before
    assert len(new) == 1 and len(stored()) <= KEPT_RESULTS
    assert len(list(page.parent.parent.iterdir())) <= KEPT_RESULTS
    assert (index.stat().st_mtime_ns if index.exists() else None) == index_before
