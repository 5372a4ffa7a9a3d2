"""``python -m dagster_project.cli.dictionary check|generate|site``: the governance group's tool.

check     validate every dictionary file, report generated files that drifted, published
          columns without a description, failed gates and missed update frequencies
generate  (re)write the files generated from the dictionary (dbt YAML, seeds, GX suites)
site      write the browsable data dictionary into the data folder: docs/ for staff
          (drafts included; make docs) and docs_public/ (what the portal serves)
"""

from __future__ import annotations

import argparse
import sys

from dagster_project.lib.dictionary import Dictionary, DictionaryError, load_dictionary
from dagster_project.lib.dictionary.generated import drifted, write_generated
from dagster_project.lib.dictionary.governance import column_coverage, gate_and_freshness
from dagster_project.lib.gates.gx_project import drifted_suites, sync_project
from dagster_project.lib.gates.results import GateResults
from dagster_project.settings import get_settings
from publish.portal.theme_files import drifted_portal_files, write_portal_files


def generate(dictionary: Dictionary) -> int:
    """Into the city's folder: its dbt/ (sources, published models' YAML, lookups) and its
    expectations/ (Great Expectations suites)."""
    settings = get_settings()
    for path in write_generated(dictionary, settings.city_dbt_dir):
        print(f"wrote {path.relative_to(settings.city_dir)}")
    for change in sync_project(dictionary, settings.expectations_dir):
        print(f"wrote Great Expectations {change}")
    for path in write_portal_files(dictionary, settings.city_dir):
        print(f"wrote {path.relative_to(settings.city_dir)}")
    return 0


def check(dictionary: Dictionary) -> int:
    settings = get_settings()
    stale = [
        str(path.relative_to(settings.city_dir))
        for path in drifted(dictionary, settings.city_dbt_dir)
    ]
    stale += [
        f"expectations/ suite {name}"
        for name in drifted_suites(dictionary, settings.expectations_dir)
    ]
    stale += [
        str(path.relative_to(settings.city_dir))
        for path in drifted_portal_files(dictionary, settings.city_dir)
    ]
    if stale:
        print(
            "The dictionary is valid, but these files generated from it are out of date (a "
            "new or edited contract or dataset): run `make dictionary-generate` and commit "
            "them:",
            file=sys.stderr,
        )
        for item in stale:
            print(f"  - {item}", file=sys.stderr)
        return 1
    findings = column_coverage(dictionary, settings.warehouse_path) + gate_and_freshness(
        dictionary, GateResults(settings.gate_reports_dir)
    )
    for finding in findings:
        print(
            f"{finding.severity.upper():8} {finding.dataset}: {finding.message}",
            file=sys.stderr if finding.severity == "error" else sys.stdout,
        )
    if any(f.severity == "error" for f in findings):
        return 1
    approved = [d.id for d in dictionary.approved_datasets]
    print(
        f"The data dictionary is valid: {len(dictionary.sources)} source systems, "
        f"{len(dictionary.datasets)} datasets ({len(approved)} approved: "
        f"{', '.join(approved)}); generated files are up to date."
    )
    return 0


def site(dictionary: Dictionary) -> int:
    from dagster_project.defs.open_data.site import write_dictionary_site
    from publish.portal.connection import portal_connection

    portal_url = portal_connection().url
    settings = get_settings()
    pages = write_dictionary_site(dictionary, portal_url)
    public = write_dictionary_site(dictionary, portal_url, public=True)
    print(
        f"Wrote {len(pages)} pages for staff to {settings.docs_dir} (drafts included) and "
        f"{len(public)} public pages to {settings.public_docs_dir}, which the pipeline's "
        f"portal/dictionary_site asset publishes at {portal_url}/dictionary/"
    )
    return 0


COMMANDS = {"check": check, "generate": generate, "site": site}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=sorted(COMMANDS))
    args = parser.parse_args(argv)
    try:
        dictionary = load_dictionary()
    except DictionaryError as error:
        print(error, file=sys.stderr)
        return 1
    return COMMANDS[args.command](dictionary)


if __name__ == "__main__":
    sys.exit(main())
