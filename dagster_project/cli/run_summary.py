"""What a run did to each approved dataset, in one line each, read from its events.

- published: what changed on the portal (package, files, DataStore) and the row count;
- unchanged: the portal already had exactly this;
- blocked: a gate failed (which one, and its finding);
- not run: a step it depends on failed (which one, and its error) or was not reached;
- waiting: a source it is built from has not delivered its first file yet.

A run is a success for the city only when every approved dataset is published or
unchanged; :func:`all_current` says so and the CLI's exit status follows it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DatasetOutcome:
    dataset: str
    state: str  # published | unchanged | blocked | not run
    detail: str

    def line(self) -> str:
        return f"{self.dataset:32} {self.state:10} {self.detail}"


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0][:200] if (text or "").strip() else ""


def outcomes(
    events, dataset_ids: list[str], waiting: dict[str, list[str]] | None = None
) -> list[DatasetOutcome]:
    """``waiting``: dataset -> its source systems that have never delivered a file."""
    waiting = waiting or {}
    published: dict[str, dict] = {}
    blocked: dict[str, list[str]] = {}
    failed_steps: list[str] = []
    unbuilt: dict[str, str] = {}  # dataset -> why dbt did not build its model
    for event in events:
        kind = event.event_type_value
        if kind == "ASSET_MATERIALIZATION" and event.asset_key.path[0] == "portal":
            metadata = event.event_specific_data.materialization.metadata
            published[event.asset_key.path[1]] = {
                k: getattr(v, "value", v) for k, v in metadata.items()
            }
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            path = evaluation.asset_key.path
            if not evaluation.passed and path[0] == "open_data":
                blocked.setdefault(path[1].removeprefix("pub_"), []).append(
                    f"{evaluation.check_name}: {_first_line(evaluation.description)}"
                )
        elif kind == "ASSET_OBSERVATION" and event.asset_key.path[0] == "open_data":
            metadata = event.event_specific_data.asset_observation.metadata
            if "not_built" in metadata:
                unbuilt[event.asset_key.path[1].removeprefix("pub_")] = str(
                    getattr(metadata["not_built"], "value", metadata["not_built"])
                )
        elif kind == "STEP_FAILURE":
            error = event.event_specific_data.error
            failed_steps.append(f"{event.step_key} ({_first_line(error.message if error else '')})")
    result = []
    for dataset, metadata in published.items():  # the publisher held it back
        if metadata.get("waiting_for"):
            waiting.setdefault(dataset, [str(metadata["waiting_for"])])
    for dataset in dataset_ids:
        if waiting.get(dataset) and not published.get(dataset, {}).get("rows"):
            systems = ", ".join(waiting[dataset])
            result.append(
                DatasetOutcome(dataset, "waiting", f"for the first delivery from {systems}")
            )
        elif dataset in published:
            metadata = published[dataset]
            actions = {
                k.removesuffix("_action"): v for k, v in metadata.items() if k.endswith("_action")
            }
            changed = {k: v for k, v in actions.items() if v != "unchanged"}
            if changed:
                what = ", ".join(f"{k} {v}" for k, v in changed.items())
                result.append(
                    DatasetOutcome(
                        dataset, "published", f"{what}; {metadata.get('rows', '?')} rows"
                    )
                )
            else:
                result.append(
                    DatasetOutcome(
                        dataset, "unchanged", f"{metadata.get('rows', '?')} rows, as published"
                    )
                )
        elif dataset in blocked:
            result.append(DatasetOutcome(dataset, "blocked", "; ".join(blocked[dataset])))
        elif dataset in unbuilt:
            result.append(
                DatasetOutcome(dataset, "not run", f"its model was not built: {unbuilt[dataset]}")
            )
        else:
            reason = "; ".join(failed_steps) or "its steps were not reached"
            result.append(DatasetOutcome(dataset, "not run", f"upstream failed: {reason}"))
    return result


def all_current(results: list[DatasetOutcome]) -> bool:
    """Every dataset is up to date, or waits for a source's first file (not a failure)."""
    return all(r.state in ("published", "unchanged", "waiting") for r in results)
