"""A new city starts from an empty dictionary and never carries the sample city.

``make new-city`` writes a city's folder; with ``PLATFORM_CITY_DIR`` pointing at it the
platform sees that city only: its divisions, its one source, its one dataset and its own
dbt models beside the platform's conformed dimensions. End to end on the real portal, the
city's first model leaks an owner's name into a public column: the privacy gate blocks it
and the run ends (no hang) with a non-zero exit; the corrected model publishes.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dagster_project.settings import PROJECT_DIR

DIVISION = """\
  - id: animal-services
    name: Animal Services
    description: Licenses pets and runs the animal shelter.
    steward:
      name: Animal Services Data Steward
      email: animal-data@testville.example
"""

SOURCE = """\
system: petlicences
title: Pet licensing system
owner_division: animal-services
description: One row per pet licence issued, exported nightly by the licensing system.
raw_table: petlicences_licences
primary_key:
- licence_id
expected_frequency: daily
files:
  folder: petlicences
  pattern: '*.csv'
  format: csv
  encodings:
  - utf-8
  header: true
columns:
- name: licence_id
  type: varchar
  required: true
  classification: public
  description: Licence number.
- name: issued_on
  type: date
  required: true
  formats:
  - '%Y-%m-%d'
  classification: public
  description: Day the licence was issued.
- name: ward
  type: integer
  classification: public
  description: Ward of the owner's address.
- name: species
  type: varchar
  classification: public
  description: Dog or cat.
- name: owner_name
  type: varchar
  classification: personal
  classification_reason: Names a resident.
  description: The owner's full name.
"""

DATASET = """\
dataset: pet_licences
title: Pet Licences by Month, Ward and Species
description: How many pet licences the town issued each month, per ward and species.
owner_division: animal-services
update_frequency: daily
licence: odc-by
keywords:
- pets
- licences
grain: one row per month, ward and species
source_systems:
- petlicences
publication:
  status: approved
  history:
  - status: approved
    by: Data Governance Group
    "on": 2026-12-01
columns:
- name: month
  type: date
  required: true
  classification: public
  description: First day of the month of issue.
- name: ward_number
  type: integer
  lookup: wards
  classification: public
  description: Ward of the owner's address.
- name: species
  type: varchar
  classification: public
  description: Dog or cat, as the system records it.
- name: licences
  type: bigint
  required: true
  min: 1
  classification: public
  description: Licences issued.
"""

STAGING = """\
-- One row per pet licence.
select
    trim(licence_id) as licence_id,
    cast(issued_on as date) as issued_on,
    {{ ward_number('ward') }} as ward_number,
    lower(trim(species)) as species,
    owner_name
from {{ source('petlicences', 'petlicences_licences') }}
"""

# The first version's mistake: the owner's name where the species belongs.
PUBLISHED = """\
-- Pet licences by month, ward and species.
select
    cast(date_trunc('month', issued_on) as date) as month,
    cast(ward_number as integer) as ward_number,
    cast({species} as varchar) as species,
    cast(count(*) as bigint) as licences
from {{{{ ref('stg_petlicences__licences') }}}}
group by all
"""


def _run(args: list[str], env: dict, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,  # a hang fails the test instead of stalling CI
    )


@pytest.fixture
def new_city(tmp_path) -> Path:
    city = tmp_path / "testville"
    created = _run(
        [
            "dagster_project.cli.city",
            "new",
            str(city),
            "--name",
            "Town of Testville",
            "--wards",
            "3",
        ],
        {**os.environ},
    )
    assert created.returncode == 0, created.stderr
    return city


def _city_env(city: Path, data_dir: Path) -> dict:
    env = {**os.environ, "PLATFORM_CITY_DIR": str(city), "PLATFORM_DATA_DIR": str(data_dir)}
    env.pop("PLATFORM_DICTIONARY_DIR", None)
    return env


def test_a_new_city_starts_empty_and_valid(new_city, tmp_path):
    env = _city_env(new_city, tmp_path / "data")
    check = _run(["dagster_project.cli.dictionary", "check"], env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "0 source systems, 0 datasets" in check.stdout
    listed = _run(
        [
            "dagster",
            "asset",
            "list",
            "-m",
            "dagster_project.definitions",
        ],
        env,
    )
    assert listed.returncode == 0, listed.stderr[-2000:]
    assets = set(listed.stdout.split())
    assert {"core/dim_wards", "core/dim_divisions", "portal/open_data_catalog"} <= assets
    # nothing of the sample city: no 311, permits or payments, no sample datasets
    assert not [a for a in assets if a.startswith(("raw/", "open_data/", "staging/"))], assets
    wards = (new_city / "dbt" / "seeds" / "wards.csv").read_text().splitlines()
    assert wards == ["ward_number,ward_name", "1,Ward 1", "2,Ward 2", "3,Ward 3"]


@pytest.fixture
def sample_city_portal_afterwards():
    """The new city's runs restart the shared test portal with its own files (its name,
    its dataset schema): afterwards the portal is the sample city's again."""
    yield
    if os.environ.get("CKAN_URL"):
        return  # a city's own CKAN: the runs did not restart it
    env = {k: v for k, v in os.environ.items() if k != "PLATFORM_CITY_DIR"}
    restored = _run(["publish.portal", "up"], env)
    assert restored.returncode == 0, restored.stderr


@pytest.mark.portal
def test_a_new_city_onboards_its_own_system_and_publishes_only_its_own(
    new_city, tmp_path, portal, anonymous, sample_city_portal_afterwards
):
    dictionary = new_city / "data_dictionary"
    divisions = dictionary / "divisions.yml"
    divisions.write_text(divisions.read_text() + DIVISION)
    (dictionary / "sources" / "petlicences.yml").write_text(SOURCE)
    (dictionary / "datasets" / "pet_licences.yml").write_text(DATASET)
    models = new_city / "dbt" / "models"
    (models / "staging" / "petlicences").mkdir(parents=True)
    (models / "staging" / "petlicences" / "stg_petlicences__licences.sql").write_text(STAGING)
    published = models / "marts" / "open_data" / "pub_pet_licences.sql"
    published.write_text(PUBLISHED.format(species="owner_name"))

    data_dir = tmp_path / "data"
    landing = data_dir / "landing" / "petlicences"
    landing.mkdir(parents=True)
    with (landing / "licences_2026-11.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["licence_id", "issued_on", "ward", "species", "owner_name"])
        for n in range(60):
            owner = f"Owner{n:02d} Testvillian"
            writer.writerow([f"PL-{n:04d}", f"2026-{10 + n % 2:02d}-{1 + n % 27:02d}", 1 + n % 3,
                             "Dog" if n % 3 else "Cat", owner])  # fmt: skip
    env = _city_env(new_city, data_dir)
    generated = _run(["dagster_project.cli.dictionary", "generate"], env)
    assert generated.returncode == 0, generated.stderr

    blocked = _run(["dagster_project.cli.pipeline"], env, timeout=420)
    lines = _summary(blocked.stdout)
    assert list(lines) == ["pet_licences"], blocked.stdout  # the sample city is not there
    assert lines["pet_licences"].startswith("blocked"), blocked.stdout
    assert "privacy_gate" in lines["pet_licences"], blocked.stdout
    assert blocked.returncode == 1, blocked.stdout[-3000:]

    published.write_text(PUBLISHED.format(species="species"))
    fixed = _run(["dagster_project.cli.pipeline"], env, timeout=420)
    lines = _summary(fixed.stdout)
    assert lines["pet_licences"].startswith("published"), fixed.stdout
    assert fixed.returncode == 0, fixed.stdout[-3000:]

    package = anonymous.action.package_show(id="pet-licences")
    assert package["organization"]["name"] == "animal-services"
    catalog = json.loads((data_dir / "exports" / "data.json").read_text())
    assert [d["title"] for d in catalog["dataset"]] == ["Pet Licences by Month, Ward and Species"]
    csv_text = next(p for p in (data_dir / "exports" / "pet_licences").glob("*.csv")).read_text()
    assert "Testvillian" not in csv_text

    # A second dataset whose model fails in dbt: it is not run, its gates say "not
    # evaluated", and the first dataset is untouched.
    second = DATASET.replace("dataset: pet_licences", "dataset: pet_licences_by_ward").replace(
        "title: Pet Licences by Month, Ward and Species", "title: Pet Licences by Ward"
    )
    (dictionary / "datasets" / "pet_licences_by_ward.yml").write_text(second)
    broken = models / "marts" / "open_data" / "pub_pet_licences_by_ward.sql"
    broken.write_text(PUBLISHED.format(species="no_such_column"))
    assert _run(["dagster_project.cli.dictionary", "generate"], env).returncode == 0
    isolated = _run(["dagster_project.cli.pipeline"], env, timeout=420)
    lines = _summary(isolated.stdout)
    assert lines["pet_licences"].startswith("unchanged"), isolated.stdout
    assert lines["pet_licences_by_ward"].startswith("not run"), isolated.stdout
    assert "pub_pet_licences_by_ward" in lines["pet_licences_by_ward"], isolated.stdout
    assert isolated.returncode == 1
    gates = _gate_results(data_dir, "pub_pet_licences_by_ward")
    assert set(gates) == {"quality_gate", "privacy_gate"}, gates
    assert all(not passed and text.startswith("not evaluated") for passed, text in gates.values())


def _gate_results(data_dir: Path, model: str) -> dict[str, tuple[bool, str]]:
    """The last run's gate evaluations on a model, from the platform's Dagster home."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(data_dir / "dagster")) as instance:
        [last] = instance.get_run_records(limit=1)
        return {
            e.dagster_event.event_specific_data.check_name: (
                e.dagster_event.event_specific_data.passed,
                e.dagster_event.event_specific_data.description or "",
            )
            for e in instance.all_logs(last.dagster_run.run_id)
            if e.dagster_event
            and e.dagster_event.event_type_value == "ASSET_CHECK_EVALUATION"
            and e.dagster_event.event_specific_data.asset_key.path[-1] == model
        }


def _summary(stdout: str) -> dict[str, str]:
    """The run summary's dataset lines: dataset -> the rest of its line."""
    summary = stdout[stdout.index("Every approved dataset:") :].splitlines()[1:]
    lines = {}
    for line in summary:
        if line.strip().startswith(("Portal:", "Alert", "No alert", "Other steps")):
            break
        name, _, rest = line.strip().partition(" ")
        lines[name] = rest.strip()
    return lines
