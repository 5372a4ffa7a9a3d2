"""The only Dagster Definitions: everything under ``defs/``, plus global policy.

Adding a source system or a dataset never edits this file (they come from the data
dictionary through the factories in ``defs/``).
"""

from pathlib import Path

import dagster as dg


@dg.definitions
def definitions() -> dg.Definitions:
    # In-process: DuckDB allows one writer process per file, and a process per step
    # costs ~3.4 s here; the steps run one after another in one process.
    return dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
        dg.Definitions(executor=dg.in_process_executor),
    )
