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
