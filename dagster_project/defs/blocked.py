"""An asset that stands for a dictionary entry with errors: it fails with the entry's
problems, so the entry blocks only what it feeds and the code location still loads.
(A helper for defs/ingest and defs/open_data; it defines nothing on its own.)"""

import dagster as dg


def blocked_asset(
    key: dg.AssetKey, group: str, kind: str, what: str, problems: list[str]
) -> dg.AssetsDefinition:
    @dg.asset(
        key=key,
        group_name=group,
        kinds={kind},
        description=f"{what}: its dictionary entry is invalid; fix it to run.",
    )
    def blocked() -> None:
        raise dg.Failure(
            description=f"{what}: its dictionary entry has problems (run `make dictionary-check`)",
            metadata={"problems": "\n".join(problems)},
        )

    return blocked
