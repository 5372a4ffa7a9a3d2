"""Real municipal extracts (../shared/realdata) ingest through contracts alone.

Each contract in ``contracts/`` is plain YAML validated by the same schema as the city's
own systems, and the files go through the production ingest path. For every file the
suite prints rows read / loaded / quarantined / dropped and the top quarantine reasons,
and fails on any unexplained row. A user's machine has no ../shared: the suite skips.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dagster_project.lib.dictionary import load_source
from dagster_project.lib.ingest import ingest_source
from dagster_project.lib.warehouse import connect
from dagster_project.settings import PROJECT_DIR

REALDATA = PROJECT_DIR.parent / "shared" / "realdata"
CONTRACTS = Path(__file__).parent / "contracts"
FILES = {
    "myla311": [
        "la_myla311/MyLA311_2017_subset.csv",
        "la_myla311/MyLA311_2018_mini.csv",
        "la_myla311/MyLA311_2020_seed_requests.csv",
    ],
    "pli_violations": ["pittsburgh_pli_violations_utf16.csv"],
    "esquimalt_assessment": ["property_tax/esquimalt_bc_2023_assessment_roll.xlsx"],
    "calgary_permits": ["calgary_building_permits.csv"],
    "rentsafeto": ["toronto_rentsafeto_apartment_building_evaluation.csv"],
}

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(
        not REALDATA.is_dir(),
        reason=f"no real extracts at {REALDATA}: this "
        "suite needs ../shared/realdata beside the project (CI has it)",
    ),
]


def test_every_real_file_has_a_contract():
    covered = {f for files in FILES.values() for f in files}
    present = {
        str(p.relative_to(REALDATA))
        for p in REALDATA.rglob("*")
        if p.is_file() and p.suffix in (".csv", ".xlsx")
    }
    assert present == covered


@pytest.mark.parametrize("system", sorted(FILES))
def test_real_extracts_ingest_with_every_row_explained(system, tmp_path, capsys):
    source = load_source(CONTRACTS / f"{system}.yml")
    folder = tmp_path / "landing" / source.files["folder"]
    folder.mkdir(parents=True)
    for name in FILES[system]:
        shutil.copy(REALDATA / name, folder / Path(name).name)
    conn = connect(tmp_path / "warehouse.duckdb")
    results = ingest_source(conn, source, tmp_path / "landing", tmp_path / "quarantine")

    with capsys.disabled():
        print(f"\n[{system}]")
        for r in results:
            print(
                f"  {r.file_name}: {r.status}, encoding {r.encoding}; read {r.rows_read}, "
                f"loaded {r.rows_loaded}, quarantined {r.rows_quarantined}, "
                f"dropped {r.rows_dropped}"
            )
            for reason in r.top_reasons:
                print(
                    f"    {reason['rows']:>6} x {reason['column']}: {reason['rule']} "
                    f"(e.g. {reason['example']!r})"
                )
            if r.drift:
                print(f"    drift: {r.drift}")
    assert [r.status for r in results] == ["loaded"] * len(FILES[system]), results
    for r in results:
        assert r.rows_read == r.rows_loaded + r.rows_quarantined + r.rows_dropped
        assert r.rows_loaded > 0
        unexplained = conn.execute(
            "SELECT count(*) FROM raw._quarantined_rows WHERE sha256 = ? AND rule IS NULL",
            [r.sha256],
        ).fetchone()[0]
        assert unexplained == 0
    conn.close()


def test_real_mtm_coordinates_convert_to_the_citys_own_longitude_latitude(tmp_path):
    """RentSafeTO gives each building in Toronto's legacy grid, NAD27(76) / MTM zone 10
    (X, Y: EPSG:2019), and in WGS84. The contract's conversion (pyproj, at ingest) lands
    within about 20 m of Toronto's own longitude and latitude for half the buildings and
    within about 45 m for 95%: the datum shift without NTv2 grid files (a download, not
    available offline) is approximate, and the city's points are geocoded separately.
    Reading the same X, Y as NAD83 (EPSG:2952) is off by 200 m: the EPSG code matters."""
    import yaml

    spec = yaml.safe_load((CONTRACTS / "rentsafeto.yml").read_text())
    spec["columns"] += [
        {"name": "x", "type": "double", "classification": "public", "description": "MTM x"},
        {"name": "y", "type": "double", "classification": "public", "description": "MTM y"},
        {"name": "converted_longitude", "type": "double", "classification": "public",
         "description": "from x, y"},
        {"name": "converted_latitude", "type": "double", "classification": "public",
         "description": "from x, y"},
    ]  # fmt: skip
    spec["coordinates"] = [
        {"x": "x", "y": "y", "epsg": 2019, "longitude": "converted_longitude",
         "latitude": "converted_latitude"}
    ]  # fmt: skip
    contract = tmp_path / "rentsafeto.yml"
    contract.write_text(yaml.safe_dump(spec))
    source = load_source(contract)
    folder = tmp_path / "landing" / source.files["folder"]
    folder.mkdir(parents=True)
    shutil.copy(REALDATA / FILES["rentsafeto"][0], folder)
    conn = connect(tmp_path / "warehouse.duckdb")
    [result] = ingest_source(conn, source, tmp_path / "landing", tmp_path / "quarantine")
    assert result.status == "loaded"
    compared, median, p95 = conn.execute(
        "SELECT count(*), median(d), quantile_cont(d, 0.95) FROM (SELECT greatest("
        "abs(converted_longitude - longitude), abs(converted_latitude - latitude)) AS d "
        f"FROM raw.{source.raw_table} WHERE longitude IS NOT NULL AND x IS NOT NULL)"
    ).fetchone()
    print(f"\n[rentsafeto] {compared} points: median {median:.6f}, p95 {p95:.6f} degrees off")
    assert compared > 10_000
    assert median < 0.0003 and p95 < 0.0006  # degrees: ~20 m and ~60 m
    conn.close()


def test_real_repeated_keys_are_counted_and_kept_for_review(tmp_path):
    """The real extracts repeat keys (the same case and violation in Pittsburgh's export):
    every repeat is counted in the ledger with the rows it is on, none is lost."""
    source = load_source(CONTRACTS / "pli_violations.yml")
    folder = tmp_path / "landing" / source.files["folder"]
    folder.mkdir(parents=True)
    shutil.copy(REALDATA / FILES["pli_violations"][0], folder)
    conn = connect(tmp_path / "warehouse.duckdb")
    [result] = ingest_source(conn, source, tmp_path / "landing", tmp_path / "quarantine")
    listed = conn.execute(
        "SELECT count(*), coalesce(sum(len(source_rows)), 0) FROM raw._key_conflicts "
        "WHERE kind = 'in file'"
    ).fetchone()
    assert listed[0] == result.keys_repeated > 0
    assert listed[1] >= 2 * listed[0]  # each repeat lists every row it is on
    print(f"\n[pli_violations] {result.keys_repeated} keys repeated, on {listed[1]} rows")
    assert result.rows_read == result.rows_loaded + result.rows_quarantined + result.rows_dropped
    conn.close()


def test_real_null_sentinels_and_placeholder_times_are_counted_not_silent(tmp_path):
    """Los Angeles 2020 writes ZIP code 0 for "not known" (the contract's column sentinel:
    loaded empty, listed); in all three vintages some requests are closed at the very
    second they were created (a `differs_from` rule: flagged for the department)."""
    source = load_source(CONTRACTS / "myla311.yml")
    folder = tmp_path / "landing" / source.files["folder"]
    folder.mkdir(parents=True)
    for name in FILES["myla311"]:
        shutil.copy(REALDATA / name, folder)
    conn = connect(tmp_path / "warehouse.duckdb")
    ingest_source(conn, source, tmp_path / "landing", tmp_path / "quarantine")
    flagged = dict(
        conn.execute(
            "SELECT CASE WHEN rule LIKE 'null sentinel%' THEN 'sentinel' ELSE 'same second' "
            "END, count(*) FROM raw._flagged_values GROUP BY 1"
        ).fetchall()
    )
    zero_zips = conn.execute(
        "SELECT count(*) FROM raw.myla311_service_requests WHERE zip_code = '0'"
    ).fetchone()[0]
    print(f"\n[myla311] {flagged} flagged; ZIP 0 left in the table: {zero_zips}")
    assert flagged["sentinel"] == 1 and zero_zips == 0  # counted with duckdb by hand
    assert flagged["same second"] == 1_490 + 12 + 19  # closed rows per vintage, by hand
    conn.close()
