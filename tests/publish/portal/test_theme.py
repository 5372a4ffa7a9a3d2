"""The city's portal as a resident sees it, in headless Chromium, with screenshots.

Real parts: the dictionary's service scorecard is published by the pipeline's own
publisher (package, files, DataStore by COPY, views) to the real local portal the session
starts; only its rows are made here (a small scorecard, so the expected headline figures
can be computed by the test). The quality score and changelog keys belong to other parts
of the pipeline: the test sends them through the same publisher, as those parts will.

Screenshots go to ``data/screenshots/`` (printed by the test; ``SCREENSHOT_DIR`` chooses
another folder).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import ckanapi
import duckdb
import pytest

from dagster_project.lib.dictionary import load_dictionary
from dagster_project.settings import PROJECT_DIR
from publish.ckan.dataset import publish_dataset
from publish.ckan.mapping import package_dict, package_name
from publish.ckan.publisher import CkanPublisher
from publish.ckan.views import TABLE_PREVIEW_TITLE

pytestmark = [pytest.mark.portal, pytest.mark.browser]
StaleElementReferenceException = pytest.importorskip(
    "selenium.common.exceptions"
).StaleElementReferenceException
VIEW_TABS = ("css selector", "a.view-item")

MONTHS = ["2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01"]
# service -> (transactions in the first month, online share, share within standard)
SERVICES = {
    "311-roads": (400, 0.30, 0.80),
    "building-permit-house": (60, 0.90, 0.55),
    "foi-request": (25, None, 0.70),
}
QUALITY = {
    "quality_score": "Silver",
    "quality_score_value": "72",
    "quality_reasons": "- Passed every quality gate\n- 12 of 17 columns described in full",
    "quality_measured_at": "2026-12-02T06:10:00Z",
    "version": "3",
    "changelog": "- **2026-12-02 (version 3):** 3 rows added (September 2026)\n"
    "- **2026-11-02 (version 2):** column cost_per_transaction added",
    "previous_versions": "- [Version 2 (CSV)](http://127.0.0.1/v2.csv)",
    "data_last_updated": "2026-12-02",
}


def _scorecard_rows() -> list[dict]:
    rows = []
    for m, month in enumerate(MONTHS):
        for service, (first, online, within) in SERVICES.items():
            transactions = first + 10 * m
            rows.append(
                {
                    "service_id": service,
                    "service_name": service.replace("-", " ").title(),
                    "division_id": "strategy-performance",
                    "month": month,
                    "transactions": transactions,
                    "completed_transactions": transactions - 5,
                    "transactions_with_invalid_dates": 0,
                    "online_share": online,
                    "median_processing_days": 4.0 + m,
                    "p90_processing_days": 12.0 + m,
                    "share_within_standard": round(within + 0.02 * m, 2),
                    "share_within_legislated_timeline": None,
                    "cost_per_transaction": 31.5,
                    "web_completion_rate": 0.7,
                    "online_share_target": 0.5,
                    "share_within_standard_target": 0.8,
                    "share_within_legislated_timeline_target": None,
                    "standard_days": 10.0,
                    "legislated_days": None,
                    "is_suppressed": False,
                }
            )
    return rows


def _expected_headline(rows: list[dict]) -> dict[str, str]:
    # the last complete month: the latest one is the month in progress
    latest = [r for r in rows if r["month"] == MONTHS[-2]]

    def share(column):
        known = [r for r in latest if r[column] is not None]
        weight = sum(r["transactions"] for r in known)
        return f"{sum(r[column] * r['transactions'] for r in known) / weight:.0%}"

    return {
        "transactions": f"{sum(r['transactions'] for r in latest):,}",
        "online_share": share("online_share"),
        "share_within_standard": share("share_within_standard"),
        "service_id": str(len(SERVICES)),
    }


def _write_files(rows: list[dict], columns: list[str], folder: Path) -> dict[str, Path]:
    """CSV and Parquet as the pipeline exports them (DuckDB, dictionary column order)."""
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t AS SELECT * FROM (VALUES "
        + ", ".join(
            "(" + ", ".join("NULL" if r[c] is None else repr(r[c]) for c in columns) + ")"
            for r in rows
        )
        + f") v({', '.join(columns)})"
    )
    con.execute("ALTER TABLE t ALTER month TYPE DATE")
    files = {"csv": folder / "scorecard.csv", "parquet": folder / "scorecard.parquet"}
    con.execute(f"COPY t TO '{files['csv']}' (HEADER)")
    con.execute(f"COPY t TO '{files['parquet']}' (FORMAT parquet)")
    con.close()
    return files


@pytest.fixture(scope="module")
def screenshots() -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR", PROJECT_DIR / "data" / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def scorecard(sysadmin, tmp_path_factory):
    """The dictionary's service scorecard, published by the pipeline's publisher."""
    dictionary = load_dictionary()
    dataset = dictionary.datasets["service_scorecard"]
    division = dictionary.divisions[dataset.owner_division]
    rows = _scorecard_rows()
    columns = [c.name for c in dataset.columns]
    publisher = CkanPublisher(sysadmin)
    # from a clean slate: another test's pipeline may have published the scorecard to the
    # shared portal already (and its views), and this module checks what a first
    # publication creates
    try:
        sysadmin.action.dataset_purge(id=package_name(dataset.id))
    except ckanapi.NotFound:
        pass

    def publish(rows: list[dict]) -> tuple[dict, dict]:
        files = _write_files(rows, columns, tmp_path_factory.mktemp("scorecard"))
        return publish_dataset(publisher, dataset, division, files, len(rows), lambda: [rows])

    package, actions = publish(rows)
    # the quality and versions parts send their keys through the same package dict
    wanted = package_dict(dataset, division)
    wanted["extras"] += [{"key": k, "value": v} for k, v in QUALITY.items()]
    package, _ = publisher.upsert_package(wanted)
    return {
        "package": package,
        "rows": rows,
        "actions": actions,
        "dataset": dataset,
        "publish": publish,
    }


def _text(browser, css: str = "body") -> str:
    return browser.find_element("css selector", css).text


def _shoot(browser, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    # a view's iframe (DataTables, the chart) can scroll the page to a blank area as it
    # resizes itself: back to the top, so the screenshot shows what a resident first sees
    browser.execute_script("window.scrollTo(0, 0)")
    time.sleep(0.5)
    browser.save_screenshot(str(path))
    return path


def test_publishing_adds_a_table_preview_and_the_dictionarys_charts(sysadmin, scorecard):
    csv = next(r for r in scorecard["package"]["resources"] if r["format"] == "CSV")
    views = sysadmin.action.resource_view_list(id=csv["id"])
    titles = [(v["view_type"], v["title"]) for v in views]
    charts = scorecard["dataset"].spec["charts"]
    assert ("datatables_view", TABLE_PREVIEW_TITLE) in titles
    for chart in charts:
        assert ("charts_view", chart["title"]) in titles
    assert f"{TABLE_PREVIEW_TITLE}: " in scorecard["actions"]["views"]
    # idempotent: publishing again changes nothing and creates no second view
    _, again = scorecard["publish"](scorecard["rows"])
    assert again["package"] == "unchanged"
    assert "created" not in again["views"] and "updated" not in again["views"], again["views"]
    assert len(sysadmin.action.resource_view_list(id=csv["id"])) == len(views)


def test_home_page_is_the_citys(browser, portal, sysadmin, scorecard, screenshots):
    browser.get(f"{portal.url}/")
    page = _text(browser)
    assert "City of Riverton Open Data" in _text(browser, "header")
    assert "Welcome to CKAN" not in page
    assert browser.find_element("css selector", "form.city-search input[name=q]")
    kpis = _text(browser, "section.city-kpis")
    assert "all services, last complete month: 2026-08" in kpis
    for column, expected in _expected_headline(scorecard["rows"]).items():
        tile = browser.find_element("css selector", f".city-kpi[data-kpi={column}]").text
        assert expected in tile, (column, tile)
    assert scorecard["package"]["title"] in _text(browser, "section.city-featured")
    # latest updates: the most recently changed datasets (other tests may publish later)
    latest = sysadmin.action.package_search(sort="metadata_modified desc", rows=6)["results"]
    assert [p["title"] for p in latest] == [
        a.text for a in browser.find_elements("css selector", "section.city-latest li a")
    ]
    _shoot(browser, screenshots, "home")

    browser.get(f"{portal.url}/about")
    about = _text(browser, "article.city-about")
    for expected in (
        "What the city publishes",
        "Open Data Commons Attribution License",
        "Strategy and Performance",
        "performance@riverton.example",
    ):
        assert expected in about
    _shoot(browser, screenshots, "about")


def test_dataset_list_shows_the_quality_badge(browser, portal, scorecard, screenshots):
    browser.get(f"{portal.url}/dataset/?q=scorecard")
    item = next(
        li
        for li in browser.find_elements("css selector", "li.dataset-item")
        if scorecard["package"]["title"] in li.text
    )
    badge = item.find_element("css selector", ".city-quality-badge")
    assert "Silver (72/100)" in badge.text
    assert "city-quality-silver" in badge.get_attribute("class")
    why = item.find_element("css selector", "details.city-quality-why")
    why.find_element("css selector", "summary").click()  # folded until asked
    assert "Passed every quality gate" in why.text
    assert "12 of 17 columns described in full" in why.text
    _shoot(browser, screenshots, "dataset-list")


def test_dataset_page_shows_labelled_fields_quality_and_changelog(
    browser, portal, scorecard, screenshots
):
    browser.get(f"{portal.url}/dataset/{scorecard['package']['name']}")
    glance = _text(browser, "dl.city-at-a-glance")
    for expected in ("Owner division", "Strategy and Performance", "Update frequency", "daily"):
        assert expected in glance
    heading = _text(browser, "div.module-content h1")
    assert "Quality: Silver (72/100)" in heading
    quality = _text(browser, "section.city-quality")
    assert "Passed every quality gate" in quality
    changelog = _text(browser, "section.city-changelog")
    assert "version 3" in changelog and "3 rows added (September 2026)" in changelog
    link = browser.find_element("css selector", "section.city-previous-versions a")
    assert link.get_attribute("href") == "http://127.0.0.1/v2.csv"
    info = _text(browser, "section.additional-info")
    dataset = scorecard["dataset"]
    for label, value in (
        ("Owner division", "Strategy and Performance"),
        ("Update frequency", "daily"),
        ("Grain", dataset.grain),
        ("Data last updated", "2026-12-02"),
        ("Version", "3"),
    ):
        assert f"{label} {value}" in info, label
    assert "Limitations" in info and "calendar days" in info
    assert "Quality score" not in info  # shown as the badge, not as a raw field
    _shoot(browser, screenshots, "dataset-page")
    fields = browser.find_element("css selector", "section.additional-info")
    fields.screenshot(str(screenshots / "dataset-page-fields.png"))


def _resource_page(browser, portal, scorecard, view_title: str) -> None:
    csv = next(r for r in scorecard["package"]["resources"] if r["format"] == "CSV")
    browser.get(f"{portal.url}/dataset/{scorecard['package']['name']}/resource/{csv['id']}")
    tabs = {a.text.strip(): a.get_attribute("href") for a in browser.find_elements(*VIEW_TABS)}
    for title, href in tabs.items():
        if view_title in title:
            browser.get(href)
            return
    raise AssertionError(f"no view {view_title!r} on the resource page: {_text(browser)}")


def _wait_for(browser, css: str, seconds: float = 30) -> list:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = browser.find_elements("css selector", css)
            if found and any(e.is_displayed() for e in found):
                return found
        except StaleElementReferenceException:
            pass  # the page's scripts replaced the element: look again
        time.sleep(0.5)
    raise AssertionError(f"{css} did not appear within {seconds} s")


def test_resource_page_previews_the_table(browser, portal, scorecard, screenshots):
    _resource_page(browser, portal, scorecard, TABLE_PREVIEW_TITLE)
    # the datatables view is an iframe of the DataStore's rows
    browser.switch_to.frame(_wait_for(browser, "iframe")[0])
    try:
        _wait_for(browser, "table.dataTable tbody tr td")
        deadline = time.monotonic() + 30  # DataTables fetches the rows after the page
        while "311-roads" not in _text(browser) and time.monotonic() < deadline:
            time.sleep(0.5)
        table = _text(browser)
        # column labels from the data dictionary, rows from the DataStore
        assert "Service id" in table and "Transactions" in table
        assert "311-roads" in table and "foi-request" in table
    finally:
        browser.switch_to.default_content()
    _shoot(browser, screenshots, "resource-table-preview")


def test_kpi_chart_is_drawn(browser, portal, scorecard, screenshots):
    chart = scorecard["dataset"].spec["charts"][0]
    _resource_page(browser, portal, scorecard, chart["title"])
    plot = _wait_for(browser, ".js-plotly-plot, .plotly, svg.main-svg")
    assert plot
    page = _text(browser)
    assert chart["title"] in page
    _shoot(browser, screenshots, "kpi-chart")


def test_a_chart_follows_the_next_publication(browser, portal, scorecard):
    """ckanext-charts caches a table's rows for an hour; a load must not leave the chart
    showing the rows before it (charts_cache.py). Runs last: it changes the data."""
    chart = scorecard["dataset"].spec["charts"][0]  # 311 roads transactions by month

    def plotted() -> list[float]:
        _resource_page(browser, portal, scorecard, chart["title"])
        _wait_for(browser, ".js-plotly-plot")
        return browser.execute_script(
            "return Array.from(document.querySelector('.js-plotly-plot')._fullData[0].y)"
        )

    assert plotted() == [400, 410, 420, 430]
    rows = [
        {**r, "transactions": 4321}
        if (r["service_id"], r["month"]) == ("311-roads", MONTHS[-1])
        else r
        for r in scorecard["rows"]
    ]
    _, actions = scorecard["publish"](rows)
    assert actions["datastore"], actions
    assert plotted() == [400, 410, 420, 4321]


def test_a_chart_follows_a_datastore_write(browser, portal, sysadmin, scorecard):
    """A write to the table through CKAN's DataStore API alone (no resource update, which
    is all ckanext-charts listens to) also shows on the chart (charts_cache.py)."""
    chart = scorecard["dataset"].spec["charts"][0]
    csv = next(r for r in scorecard["package"]["resources"] if r["format"] == "CSV")

    def plotted() -> list[float]:
        _resource_page(browser, portal, scorecard, chart["title"])
        _wait_for(browser, ".js-plotly-plot")
        return browser.execute_script(
            "return Array.from(document.querySelector('.js-plotly-plot')._fullData[0].y)"
        )

    before = plotted()
    sysadmin.action.datastore_delete(
        resource_id=csv["id"],
        force=True,
        filters={"service_id": "311-roads", "month": MONTHS[0]},
    )
    assert plotted() == before[1:]
