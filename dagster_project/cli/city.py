"""``python -m dagster_project.cli.city new|parse``: a city's own configuration.

new FOLDER   start a city's folder from nothing: an empty data dictionary (the city,
             one division, no sources, no datasets), an empty dbt/ for its models and
             the lookups generated from the dictionary, and its Great Expectations
             project. Then set PLATFORM_CITY_DIR=FOLDER (README, "Start your own city").
parse        parse the dbt project for the configured city (make dbt-parse)

The sample city (this project's data_dictionary/, dbt/models, dbt/seeds, expectations/)
is what the demo runs on; a city created here never carries its sources, datasets or
divisions.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from dagster_project.settings import PROJECT_DIR

SAMPLE_STREET_TYPES = ["St", "Street", "Ave", "Avenue", "Rd", "Road", "Dr", "Drive", "Blvd",
                       "Boulevard", "Cres", "Crescent", "Way", "Crt", "Court", "Ln", "Lane",
                       "Pl", "Place", "Terr", "Terrace", "Trail", "Pkwy", "Parkway", "Hwy",
                       "Highway", "Line", "Sideroad", "Circle", "Gate", "Sq", "Square"]  # fmt: skip

CITY_HEADER = """\
# The city this platform serves: its name, clock and wards. Edit the placeholders;
# nothing in the platform's code names the city or counts its wards.
"""
DIVISIONS_HEADER = """\
# Divisions that own data. `id` is used by datasets' `owner_division` and becomes the
# organization's name on the open-data portal. Add one per department that publishes.
"""
GLOSSARY_HEADER = """\
# Shared terms. Column descriptions refer to them instead of repeating a definition.
"""
README = """\
# {name}: data dictionary

The governance group's single source of truth for this city's data: what each source
system delivers (`sources/<system>.yml`, one contract per system), what each open dataset
means and who may see it (`datasets/<dataset>.yml`), the divisions that own them
(`divisions.yml`), shared terms (`glossary.yml`) and the city itself (`city.yml`).

The platform's README ("Start your own city") walks through adding the first source and
dataset; the file format is the JSON Schema in the platform's `data_dictionary/schema/`,
and the sample city's dictionary (the platform's `data_dictionary/`) has full examples.
"""


def new_city(folder: Path, name: str, timezone: str, wards: int, steward_email: str) -> None:
    """Write the starter folder; refuse to touch one that already has a dictionary."""
    dictionary = folder / "data_dictionary"
    if dictionary.exists():
        raise SystemExit(f"{dictionary} exists already: nothing written")
    if folder.resolve() == PROJECT_DIR:
        raise SystemExit("the platform's own folder holds the sample city: choose another")
    for sub in ("sources", "datasets"):
        (dictionary / sub).mkdir(parents=True)
        (dictionary / sub / ".gitkeep").touch()
    city = {
        "city": {"name": name, "timezone": timezone, "catalog_owner": "data-governance"},
        "street_types": SAMPLE_STREET_TYPES,
        "wards": [{"number": n, "name": f"Ward {n}"} for n in range(1, wards + 1)],
    }
    divisions = {
        "divisions": [
            {
                "id": "data-governance",
                "name": "Data Governance",
                "description": "Maintains the data dictionary and approves publications.",
                "steward": {"name": "Data Governance Lead", "email": steward_email},
            }
        ]
    }
    _write_yaml(dictionary / "city.yml", CITY_HEADER, city)
    _write_yaml(dictionary / "divisions.yml", DIVISIONS_HEADER, divisions)
    (dictionary / "glossary.yml").write_text(GLOSSARY_HEADER + "terms: {}\n")
    (dictionary / "README.md").write_text(README.format(name=name))
    for sub in ("models/staging", "models/marts/open_data", "seeds", "snapshots"):
        (folder / "dbt" / sub).mkdir(parents=True, exist_ok=True)
        (folder / "dbt" / sub / ".gitkeep").touch()
    (folder / "expectations").mkdir(exist_ok=True)
    (folder / ".gitignore").write_text("expectations/gx/uncommitted/\ndbt/target/\n")


class _IndentedDumper(yaml.SafeDumper):
    """Lists indented under their key, as the sample city's files are written."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _write_yaml(path: Path, header: str, content: dict) -> None:
    body = yaml.dump(content, Dumper=_IndentedDumper, sort_keys=False, allow_unicode=True, width=88)
    path.write_text(header + body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    new = commands.add_parser("new", help="start a city's folder from an empty dictionary")
    new.add_argument("folder", type=Path)
    new.add_argument("--name", default="City of Example", help="the city's name")
    new.add_argument("--timezone", default="America/Toronto", help="IANA time zone")
    new.add_argument("--wards", type=int, default=1, help="how many wards (names to edit)")
    new.add_argument("--steward-email", default="data-governance@example.org")
    commands.add_parser("parse", help="parse the dbt project for the configured city")
    args = parser.parse_args(argv)
    if args.command == "parse":
        from dagster_project.defs.transform.project import parse_manifest

        print(f"dbt manifest for this city: {parse_manifest(force=True)}")
        return 0
    folder = args.folder.resolve()
    new_city(folder, args.name, args.timezone, max(args.wards, 1), args.steward_email)
    generate_for(folder)
    print(
        f"Started {args.name} in {folder}. Next:\n"
        f"  export PLATFORM_CITY_DIR={folder}   (or Environment= in the systemd unit)\n"
        "  then follow README, 'Start your own city': a source contract, a dataset entry,\n"
        "  make dictionary-check, make dictionary-generate, make pipeline."
    )
    return 0


def generate_for(folder: Path) -> None:
    """The generated lookups, GX project and portal files (its name, About text, dataset
    schema) of the new city (as make dictionary-generate)."""
    from dagster_project.lib.dictionary import load_dictionary
    from dagster_project.lib.dictionary.generated import write_generated
    from dagster_project.lib.gates.gx_project import sync_project
    from publish.portal.theme_files import write_portal_files

    dictionary = load_dictionary(folder / "data_dictionary")
    write_generated(dictionary, folder / "dbt")
    sync_project(dictionary, folder / "expectations")
    write_portal_files(dictionary, folder)


if __name__ == "__main__":
    sys.exit(main())
