"""One ingest asset per departmental system, made from its contract in the dictionary.

Onboarding a system is a new file in ``data_dictionary/sources/``: this factory turns it
into the asset ``raw/<raw_table>``, which dbt's sources of the same name build on.
"""

import dagster as dg

from dagster_project.lib.dictionary import Source, load_dictionary
from dagster_project.lib.files import FileHashes
from dagster_project.lib.ingest import FileResult, ingest_source
from dagster_project.lib.ingest.department_report import write_report
from dagster_project.lib.ingest.loader import FAILED, systems_waiting
from dagster_project.lib.run_report import FILES_FAILED
from dagster_project.settings import get_settings

from ..blocked import blocked_asset
from ..resources import WarehouseResource


def _file_table(results: list[FileResult]) -> str:
    lines = [
        "| file | status | read | loaded | quarantined | dropped | flagged | keys repeated "
        "/ re-sent | note |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        reasons = ", ".join(f"{t['rows']}× {t['column']}: {t['rule']}" for t in r.top_reasons[:3])
        # (a loaded file's note on its form, its new columns and its rows' reasons: all)
        note = "; ".join(part for part in (r.reason, r.drift, reasons) if part)
        lines.append(
            f"| {r.file_name} | {r.status} | {r.rows_read} | {r.rows_loaded} | "
            f"{r.rows_quarantined} | {r.rows_dropped} | {r.values_flagged} | "
            f"{r.keys_repeated} / {r.keys_changed} | {note or ''} |"
        )
    return "\n".join(lines)


def build_ingest_asset(source: Source) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["raw", source.raw_table]),
        group_name="ingest",
        kinds={"duckdb"},
        description=f"{source.title}: {source.description}",
        metadata={
            "system": source.system,
            "owner_division": source.owner_division,
            "contract": f"data_dictionary/sources/{source.path.name}",
        },
        tags={"system": source.system},
    )
    def ingest(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        settings = get_settings()
        with warehouse.connection() as conn:
            results = ingest_source(
                conn,
                source,
                settings.landing_dir,
                settings.quarantine_dir,
                FileHashes(settings.landing_hashes_file),
            )
            total = conn.execute(f'SELECT count(*) FROM raw."{source.raw_table}"').fetchone()[0]
            waiting = bool(systems_waiting(conn, [source.system]))
            report = write_report(  # the rows the department must fix, as a workbook
                conn,
                source.system,
                [
                    r.sha256
                    for r in results
                    if r.status == "loaded" and (r.rows_quarantined or r.rows_dropped)
                ],
                settings.department_reports_dir / source.system,
            )
        for result in results:  # counts and rules only: never a resident's values
            if result.status in ("quarantined", "withdrawn"):
                context.log.warning(f"{result.file_name} {result.status}: {result.reason}")
            if result.drift:
                context.log.warning(f"{result.file_name}: {result.drift}")
            if result.unlisted_columns:
                context.log.warning(
                    f"{result.file_name}: column(s) the contract does not list, loaded as "
                    f"text and kept out of published data until it lists and classifies "
                    f"them: {', '.join(result.unlisted_columns)}"
                )
        loaded = [r for r in results if r.status == "loaded"]
        with_repeats = [r for r in loaded if r.keys_repeated or r.keys_changed]
        if with_repeats:  # one line for the run, not one per file (a month per file...)
            context.log.warning(
                f"{len(with_repeats)} file(s) with repeated keys: "
                f"{sum(r.keys_repeated for r in with_repeats)} repeated within a file, "
                f"{sum(r.keys_changed for r in with_repeats)} re-sent with other values "
                "(per file in the asset's files table; rows in raw._key_conflicts)"
            )
        failed = [r for r in results if r.status == FAILED]
        for result in failed:  # the platform's to fix: the run report and alert say so
            context.log.error(f"{result.file_name} failed: {result.reason}")
        return dg.MaterializeResult(
            metadata={
                "state": "waiting for its first delivery" if waiting else "receiving deliveries",
                "files_loaded": len(loaded),
                "files_skipped": sum(r.status == "skipped" for r in results),
                "files_quarantined": sum(r.status == "quarantined" for r in results),
                "files_duplicate": sum(r.status == "duplicate" for r in results),
                "files_withdrawn": sum(r.status == "withdrawn" for r in results),
                # (a step that failed would stop every system's models: dbt is one step)
                FILES_FAILED: len(failed),
                "rows_read": sum(r.rows_read for r in loaded),
                "rows_loaded": sum(r.rows_loaded for r in loaded),
                "rows_quarantined": sum(r.rows_quarantined for r in loaded),
                "rows_dropped": sum(r.rows_dropped for r in loaded),
                "values_flagged": sum(r.values_flagged for r in loaded),
                "keys_repeated_in_a_file": sum(r.keys_repeated for r in loaded),
                "keys_resent_with_other_values": sum(r.keys_changed for r in loaded),
                "columns_not_in_contract": sorted({c for r in loaded for c in r.unlisted_columns}),
                "table_rows": total,
                "files": dg.MetadataValue.md(_file_table(results)),
                "rows_to_fix_report": str(report) if report else "none",
            }
        )

    return ingest


@dg.definitions
def ingest_assets() -> dg.Definitions:
    dictionary = load_dictionary(strict=False)
    return dg.Definitions(
        assets=[
            *[build_ingest_asset(source) for source in dictionary.sources.values()],
            *[
                blocked_asset(
                    dg.AssetKey(["raw", f"invalid_contract_{system}"]),
                    "ingest",
                    "duckdb",
                    f"{system} (its files are not loaded)",
                    problems,
                )
                for system, problems in dictionary.invalid_sources.items()
            ],
        ]
    )
