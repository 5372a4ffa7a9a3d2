"""Dataset search without Solr (ckanext-pgsearch), through CKAN's real API and pages."""

from __future__ import annotations

import ckanapi
import pytest
import requests

pytestmark = pytest.mark.portal

CATALOGUE = [
    # name suffix, title, tags, formats, licence, frequency extra
    (
        "bike-lanes",
        "Bike lanes",
        ["transportation", "cycling"],
        ["CSV", "GeoJSON"],
        "odc-by",
        "monthly",
    ),
    (
        "parking-tickets",
        "Parking tickets issued",
        ["transportation", "parking"],
        ["CSV"],
        "odc-by",
        "daily",
    ),
    ("park-inventory", "Parks and green spaces", ["parks"], ["CSV", "XLSX"], "cc-by", "yearly"),
    ("sparkling-water", "Water quality sampling", ["water"], ["JSON"], "cc-by", "weekly"),
    (
        "service-requests",
        "311 service requests",
        ["311", "service-requests"],
        ["CSV", "Parquet"],
        "odc-by",
        "daily",
    ),
    ("building-permits", "Building permits", ["permits"], ["CSV", "Parquet"], "odc-by", "daily"),
    ("ward-boundaries", "Ward boundaries", ["wards", "boundaries"], ["GeoJSON"], "cc-by", "yearly"),
]


@pytest.fixture(scope="module")
def organization(make_organization):
    """The catalogue's own organization, so other tests' datasets do not change counts."""
    return make_organization("search", "Search Test Division")


@pytest.fixture(scope="module")
def catalogue(sysadmin, organization, run_id):
    """Seven public datasets and one private one in this session's organization."""
    names = {}
    for suffix, title, tags, formats, licence, frequency in CATALOGUE:
        dataset = sysadmin.action.package_create(
            name=f"{suffix}-{run_id}",
            title=title,
            owner_org=organization["id"],
            notes=f"{title} for the whole city.",
            license_id=licence,
            tags=[{"name": tag} for tag in tags],
            extras=[{"key": "update_frequency", "value": frequency}],
            resources=[
                {
                    "name": f"{title} ({fmt})",
                    "format": fmt,
                    "url": f"http://127.0.0.1/{suffix}.{fmt.lower()}",
                }
                for fmt in formats
            ],
        )
        names[suffix] = dataset["name"]
    sysadmin.action.package_create(
        name=f"secret-plans-{run_id}",
        title="Bike lanes plan (not yet public)",
        private=True,
        owner_org=organization["id"],
        tags=[{"name": "cycling"}],
    )
    sysadmin.action.package_create(
        name=f"half-written-{run_id}",
        title="Bike counts (draft)",
        state="draft",
        owner_org=organization["id"],
    )
    return names


def search(client, organization, **params):
    fq = f'owner_org:"{organization["id"]}"'
    if params.get("fq"):
        fq += " " + params.pop("fq")
    return client.action.package_search(fq=fq, **params)


def test_q_matches_title_notes_and_tags_at_word_starts(anonymous, organization, catalogue):
    names = {d["name"] for d in search(anonymous, organization, q="park", rows=50)["results"]}
    # "park" starts words in "Parking" and "Parks"; "sparkling" must not match.
    assert names == {catalogue["parking-tickets"], catalogue["park-inventory"]}
    result = search(anonymous, organization, q="cycling")
    assert [d["name"] for d in result["results"]] == [catalogue["bike-lanes"]]
    assert search(anonymous, organization, q='"service requests"')["count"] == 1
    assert search(anonymous, organization, q="bike -parking")["count"] == 1


def test_fq_on_organization_tags_format_licence_and_extras(anonymous, organization, catalogue):
    def count(fq):
        return search(anonymous, organization, fq=fq)["count"]

    assert count(f'organization:"{organization["name"]}"') == 7
    assert count("tags:transportation") == 2
    assert count('res_format:"Parquet"') == 2
    assert count("res_format:geojson") == 2  # formats compare case-insensitively
    assert count("license_id:cc-by") == 3
    assert count("extras_update_frequency:daily") == 3
    assert count("tags:transportation -tags:parking") == 1
    assert count("+tags:(parks OR wards)") == 2


def test_facets_count_what_the_search_matched(anonymous, organization, catalogue):
    result = search(
        anonymous,
        organization,
        rows=0,
        **{"facet.field": '["organization", "tags", "res_format", "license_id"]'},
    )
    facets = result["facets"]
    assert facets["organization"] == {organization["name"]: 7}
    assert facets["res_format"]["CSV"] == 5
    assert facets["license_id"] == {"odc-by": 4, "cc-by": 3}
    assert facets["tags"]["transportation"] == 2
    items = {item["name"]: item for item in result["search_facets"]["organization"]["items"]}
    assert items[organization["name"]]["display_name"] == organization["title"]
    limited = search(
        anonymous, organization, rows=0, **{"facet.field": '["tags"]', "facet.limit": 1}
    )
    assert limited["facets"]["tags"] == {"transportation": 2}


def test_paging_and_sorting(anonymous, organization, catalogue):
    by_name = search(anonymous, organization, sort="name asc", rows=3)
    assert by_name["count"] == 7
    all_names = sorted(catalogue.values())
    assert [d["name"] for d in by_name["results"]] == all_names[:3]
    page_three = search(anonymous, organization, sort="name asc", rows=3, start=6)
    assert [d["name"] for d in page_three["results"]] == all_names[6:]
    newest = search(anonymous, organization, sort="metadata_modified desc", rows=1)
    assert newest["results"][0]["name"] == catalogue["ward-boundaries"]
    by_title = search(anonymous, organization, sort="title_string desc", rows=1)
    assert by_title["results"][0]["title"] == "Water quality sampling"


def test_relevance_puts_title_matches_first(anonymous, organization, catalogue):
    result = search(anonymous, organization, q="parking")
    assert result["results"][0]["name"] == catalogue["parking-tickets"]


def test_results_are_full_datasets(anonymous, organization, catalogue):
    dataset = search(anonymous, organization, q="ward boundaries")["results"][0]
    assert dataset["organization"]["name"] == organization["name"]
    assert [r["format"] for r in dataset["resources"]] == ["GeoJSON"]
    assert {t["name"] for t in dataset["tags"]} == {"wards", "boundaries"}


def test_private_dataset_hidden_from_public_search(anonymous, sysadmin, organization, catalogue):
    def titles(client):
        return {
            d["title"]
            for d in search(client, organization, q="bike", include_private=True, rows=50)[
                "results"
            ]
        }

    assert "Bike lanes plan (not yet public)" not in titles(anonymous)
    assert "Bike lanes plan (not yet public)" in titles(sysadmin)


def test_drafts_only_for_those_who_may_see_them(anonymous, sysadmin, organization, catalogue):
    def titles(client, **params):
        return {
            d["title"] for d in search(client, organization, q="bike", rows=50, **params)["results"]
        }

    assert "Bike counts (draft)" not in titles(sysadmin)  # drafts are opt-in
    assert "Bike counts (draft)" in titles(sysadmin, include_drafts=True)
    assert "Bike counts (draft)" not in titles(anonymous, include_drafts=True)


def test_unsupported_solr_syntax_is_a_clear_409(portal, organization, catalogue):
    response = requests.get(
        f"{portal.url}/api/3/action/package_search", params={"q": "title:[a TO z]"}, timeout=30
    )
    assert response.status_code == 409
    assert "ranges" in response.json()["error"]["message"]
    with pytest.raises(ckanapi.SearchError):
        ckanapi.RemoteCKAN(portal.url).action.package_search(fq="title:bike~2")
    bad_sort = requests.get(
        f"{portal.url}/api/3/action/package_search", params={"sort": "nonsense desc"}, timeout=30
    )
    assert bad_sort.status_code == 400


def test_core_features_that_use_search(anonymous, sysadmin, organization, catalogue):
    org = anonymous.action.organization_show(id=organization["name"], include_datasets=True)
    assert org["package_count"] == 7
    orgs = {o["name"]: o for o in anonymous.action.organization_list(all_fields=True)}
    assert orgs[organization["name"]]["package_count"] == 7
    tag = anonymous.action.package_search(fq="tags:wards")
    assert catalogue["ward-boundaries"] in {d["name"] for d in tag["results"]}
    recent = sysadmin.action.current_package_list_with_resources(limit=50)
    assert catalogue["ward-boundaries"] in {d["name"] for d in recent}
    suggestions = anonymous.action.package_autocomplete(q="ward-boun")
    assert catalogue["ward-boundaries"] in {s["name"] for s in suggestions}


def test_portal_pages_render_search(portal, organization, catalogue):
    for path in (
        "/",
        "/dataset/",
        "/dataset/?q=bike&tags=cycling",
        f"/organization/{organization['name']}",
        "/organization/",
        "/group/",
    ):
        response = requests.get(portal.url + path, timeout=30)
        assert response.status_code == 200, path
    listing = requests.get(
        f"{portal.url}/dataset/",
        params={"q": "parking", "organization": organization["name"]},
        timeout=30,
    ).text
    assert "Parking tickets issued" in listing
    assert "Water quality sampling" not in listing
