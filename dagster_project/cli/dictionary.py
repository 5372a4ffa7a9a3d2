"""``python -m dagster_project.lib.dictionary_cli check|generate``: the governance group's tool.

check     validate every dictionary file and report generated files that drifted
generate  (re)write the files generated from the dictionary
"""

from __future__ import annotations

import argparse
import sys

from dagster_project.settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR, PROJECT_DIR, get_settings

from .dictionary import DictionaryError, load_dictionary
from .dictionary_outputs import drifted, write_generated
from .gate_setup import drifted_suites, sync_project
from .governance_report import column_coverage, gate_and_freshness


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["check", "generate"])
    args = parser.parse_args(argv)
    try:
        dictionary = load_dictionary()
    except DictionaryError as error:
        print(error, file=sys.stderr)
        return 1
    if args.command == "generate":
        for path in write_generated(dictionary, DBT_PROJECT_DIR):
            print(f"wrote {path.relative_to(PROJECT_DIR)}")
        for change in sync_project(dictionary, EXPECTATIONS_DIR):
            print(f"wrote Great Expectations {change}")
        return 0
    stale = [str(path.relative_to(PROJECT_DIR)) for path in drifted(dictionary, DBT_PROJECT_DIR)]
    stale += [
        f"expectations/ suite {name}" for name in drifted_suites(dictionary, EXPECTATIONS_DIR)
    ]
    if stale:
        print(
            "These files are out of date with the dictionary; run `make dictionary-generate`"
            " and commit them:",
            file=sys.stderr,
        )
        for item in stale:
            print(f"  - {item}", file=sys.stderr)
        return 1
    settings = get_settings()
    findings = column_coverage(dictionary, settings.warehouse_path) + gate_and_freshness(
        dictionary, settings.gate_reports_dir
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


if __name__ == "__main__":
    sys.exit(main())
