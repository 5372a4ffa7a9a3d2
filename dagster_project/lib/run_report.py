"""What a run did to each approved dataset, in one line each, read from its events; and
the alert when it did not bring every one up to date.

Used by ``make pipeline`` (which prints the summary and sends the alert itself) and by the
``run_outcome_alert`` sensors for the runs the daemon launches (schedules, the landing
sensor, a click in the UI), so every run is reported the same way, whoever started it.

- published: what changed on the portal (package, files, DataStore) and the row count;
- unchanged: the portal already had exactly this;
- blocked: a gate failed (which one, and its finding);
- not run: a step it depends on failed (which one, and its error) or was not reached;
- waiting: a source it is built from has not delivered its first file yet.

A run is a success for the city only when every approved dataset is published or
unchanged; :func:`all_current` says so and the CLI's exit status follows it. A run of one
system's job is reported on the datasets it planned to publish, not on every dataset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .gates.results import WARNING_MARK

GATE_STEP_SUFFIXES = ("_quality_gate", "_privacy_gate")
# An ingest asset's count of files the platform's reader failed on (left in the landing
# folder, read again next run): the run is not a success while there are any.
FILES_FAILED = "files_failed"
# A run whose launcher sends its own alert (the command line) carries this tag, so the
# daemon's alert sensor does not send a second one.
ALERTED_BY_TAG = "city/alerted_by"


@dataclass(frozen=True)
class DatasetOutcome:
    dataset: str
    state: str  # published | unchanged | blocked | not run
    detail: str

    def line(self) -> str:
        return f"{self.dataset:32} {self.state:10} {self.detail}"


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0][:200] if (text or "").strip() else ""


def _root_cause(error) -> str:
    """The first line of what went wrong, under Dagster's "Error occurred while executing"."""
    while error is not None and error.cause is not None:
        error = error.cause
    return _first_line(error.message if error else "")


def outcomes(
    events, dataset_ids: list[str], waiting: dict[str, list[str]] | None = None
) -> list[DatasetOutcome]:
    """``waiting``: dataset -> its source systems that have never delivered a file."""
    waiting = waiting or {}
    published: dict[str, dict] = {}
    blocked: dict[str, list[str]] = {}
    warned: dict[str, list[str]] = {}  # gates that passed with a warning (privacy: solved cells)
    failed_steps: list[str] = []
    unbuilt: dict[str, str] = {}  # dataset -> why dbt did not build its model
    planned: set[str] | None = None  # None: the events do not say (no planning events)
    for event in events:
        kind = event.event_type_value
        if kind == "ASSET_MATERIALIZATION_PLANNED":
            planned = planned or set()
            if event.asset_key.path[0] == "portal":
                planned.add(event.asset_key.path[1])
        elif kind == "ASSET_MATERIALIZATION" and event.asset_key.path[0] == "portal":
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
            elif WARNING_MARK in (evaluation.description or "") and path[0] == "open_data":
                # (whole: the summary says each warning in a few words)
                warning = evaluation.description.split(WARNING_MARK, 1)[1].strip()
                warned.setdefault(path[1].removeprefix("pub_"), []).append(
                    f"{evaluation.check_name} WARNING: {warning}"
                )
        elif kind == "ASSET_OBSERVATION" and event.asset_key.path[0] == "open_data":
            metadata = event.event_specific_data.asset_observation.metadata
            if "not_built" in metadata:
                unbuilt[event.asset_key.path[1].removeprefix("pub_")] = str(
                    getattr(metadata["not_built"], "value", metadata["not_built"])
                )
        elif kind == "STEP_FAILURE":
            failed_steps.append(
                f"{event.step_key} ({_root_cause(event.event_specific_data.error)})"
            )
    if planned is not None:  # a run of one system's job or a planned run: only what it set
        # out to publish, and any dataset whose gate failed in it (a planned run re-checks
        # the privacy of datasets it does not publish, and may withdraw one)
        dataset_ids = [d for d in dataset_ids if d in planned or d in blocked]
    for dataset, metadata in published.items():  # the publisher held it back
        if metadata.get("waiting_for"):
            waiting.setdefault(dataset, [str(metadata["waiting_for"])])
    found = _outcomes_of(dataset_ids, waiting, published, unbuilt, blocked, failed_steps)
    return [_with_warnings(outcome, warned) for outcome in found]


def _with_warnings(outcome: DatasetOutcome, warned: dict[str, list[str]]) -> DatasetOutcome:
    """A published or unchanged dataset whose gate passed with a warning says so on its
    line: the data team reads the run's summary, not every check's page."""
    if outcome.dataset not in warned or outcome.state not in ("published", "unchanged"):
        return outcome
    detail = "; ".join([outcome.detail, *warned[outcome.dataset]])
    return DatasetOutcome(outcome.dataset, outcome.state, detail)


def _outcomes_of(dataset_ids, waiting, published, unbuilt, blocked, failed_steps):
    """Each dataset's state from what the run's events said (``outcomes``)."""
    result = []
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
        elif dataset in unbuilt:  # (its gates report "not evaluated" too: the cause is here)
            result.append(
                DatasetOutcome(dataset, "not run", f"its model was not built: {unbuilt[dataset]}")
            )
        elif dataset in blocked:
            result.append(DatasetOutcome(dataset, "blocked", "; ".join(blocked[dataset])))
        else:
            reason = "; ".join(failed_steps) or "its steps were not reached"
            result.append(DatasetOutcome(dataset, "not run", f"upstream failed: {reason}"))
    return result


def all_current(results: list[DatasetOutcome]) -> bool:
    """Every dataset is up to date, or waits for a source's first file (not a failure)."""
    return all(r.state in ("published", "unchanged", "waiting") for r in results)


@dataclass(frozen=True)
class RunReport:
    """Everything said about one run: a line per dataset and the steps that failed."""

    run_id: str
    datasets: list[DatasetOutcome]
    other_failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        # A failed gate fails its check's step on purpose (the dataset is blocked); any
        # other failed step is a problem (the catalog not rebuilt, a resource down) even
        # when every dataset is current.
        return all_current(self.datasets) and not self.other_failures

    def lines(self) -> list[str]:
        lines = [o.line() for o in self.datasets]
        if self.other_failures:
            lines.append(f"Other steps failed: {', '.join(self.other_failures)}")
        return lines


def report_run(run_id: str, events, current: dict[str, str] | None = None) -> RunReport:
    """The report of a finished run from its Dagster events (in-process result or log).

    ``current``: the datasets the run plan left out because nothing of theirs changed
    (dataset -> as published), reported "unchanged" with the others."""
    from dagster_project.lib.dictionary import load_dictionary

    dictionary = load_dictionary(strict=False)
    approved = [d.id for d in dictionary.approved_datasets]
    events = list(events)
    # A dataset's own steps (its gates, its publication) are already on its line.
    own_steps = {f"portal__{d}" for d in approved}
    other_failures = [
        e.step_key
        for e in events
        if e.event_type_value == "STEP_FAILURE"
        and not e.step_key.endswith(GATE_STEP_SUFFIXES)
        and e.step_key not in own_steps
    ]
    other_failures += [
        f"{'/'.join(e.asset_key.path)} (the reader failed on {count} file(s): see its log)"
        for e in events
        if e.event_type_value == "ASSET_MATERIALIZATION"
        and (count := _metadata_value(e, FILES_FAILED))
    ]
    waiting = waiting_datasets(dictionary)
    if current is None:
        return RunReport(run_id, outcomes(events, approved, waiting), other_failures)
    # The plan's run: a dataset it did not publish is as published (its privacy gate
    # may have run again: a failure says "blocked")
    reported = {o.dataset: o for o in outcomes(events, approved, waiting)}
    publishing = {e.step_key for e in events if (e.step_key or "").startswith("portal__")}
    for dataset, detail in current.items():
        outcome = reported.get(dataset)
        if f"portal__{dataset}" not in publishing and (
            outcome is None or outcome.state == "not run"
        ):
            reported[dataset] = DatasetOutcome(dataset, "unchanged", detail)
    return RunReport(run_id, [reported[d] for d in approved if d in reported], other_failures)


def _metadata_value(event, name: str):
    value = event.event_specific_data.materialization.metadata.get(name)
    return getattr(value, "value", value)


def waiting_datasets(dictionary) -> dict[str, list[str]]:
    """Approved datasets whose source systems have not delivered a first file yet."""
    import duckdb

    from dagster_project.lib.ingest.loader import datasets_waiting
    from dagster_project.lib.warehouse import reader_turn
    from dagster_project.settings import get_settings

    path = get_settings().warehouse_path
    with reader_turn(path) as free:  # never in the way of a run that writes
        if not free:
            return {}
        try:
            conn = duckdb.connect(str(path), read_only=True)
        except duckdb.Error:  # no warehouse yet
            return {}
        try:
            return datasets_waiting(conn, dictionary.approved_datasets)
        except duckdb.Error:
            return {}
        finally:
            conn.close()


def alert_run(report: RunReport, started_at: float) -> str:
    """Tell the owners of the datasets that did not publish, and the platform team.

    ``started_at`` (epoch seconds): the department workbooks written since are attached.
    Returns what was done, for the caller to print or log; never raises on a mail server
    or webhook that is down (the run's summary still stands in its log).
    """
    from dagster_project.lib.alerts import AlertSettings, run_alert, send
    from dagster_project.lib.dictionary import load_dictionary
    from dagster_project.settings import get_settings

    dictionary = load_dictionary(strict=False)
    problems = {o.dataset: o.state for o in report.datasets if o.state in ("blocked", "not run")}
    if report.other_failures and not problems:
        problems = {"(platform)": "step failed"}
    stewards = [
        dictionary.divisions[dictionary.datasets[d].owner_division].steward.email
        for d in problems
        if d in dictionary.datasets
    ]
    reports_dir: Path = get_settings().department_reports_dir
    workbooks = [p for p in reports_dir.glob("*/*.xlsx") if p.stat().st_mtime >= started_at]
    settings = AlertSettings.from_environment()
    alert = run_alert(report.run_id, problems, report.lines(), stewards, settings, workbooks)
    try:
        sent = send(alert, settings)
    except OSError as error:  # the mail server or webhook is down
        return f"Alert NOT sent: {error}"
    if not sent:
        return "No alert configured (ALERT_SMTP_HOST / ALERT_WEBHOOK_URL): see .env.example"
    return f"Alert sent: {'; '.join(sent)}"
