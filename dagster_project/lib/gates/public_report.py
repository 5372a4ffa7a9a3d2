"""Each published dataset's quality report, as the portal serves it to the public.

Why not Great Expectations' Data Docs: for our suites (``result_format`` SUMMARY) a
failed expectation's page lists up to five of the unexpected values themselves, and the
Data Docs site keeps every validation run, including the runs of datasets their gates
blocked (a personal value in a column that should not hold one is exactly such an
"unexpected value"). Data Docs are also only built when a table fits one batch and a gate
actually re-ran. So the pipeline renders its own report from what it measured: the
dictionary's rules (what is checked) and the gates' latest outcomes (passed or not, when,
on how many rows, counts per failed rule: never a value). Only datasets on the portal
get one (``render_reports``).
"""

from __future__ import annotations

import html
from pathlib import Path

from ..dictionary import Dataset, Dictionary
from ..dictionary.render.text import describe
from ..dictionary.site import STYLE
from .results import DatasetRecord

PRIVACY_RULES = (
    "Only columns the data dictionary classifies as public are published.",
    "No cell holds a personal value found in the source systems (names, phone numbers, "
    "e-mail addresses of residents and applicants).",
    "No cell is shaped like an e-mail address or a phone number.",
)
GATE_TITLES = {"quality_gate": "Quality checks", "privacy_gate": "Privacy checks"}


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)} - quality report</title><style>{STYLE}</style>"
        f"</head><body><p><a href='index.html'>Quality reports</a></p>{body}</body></html>\n"
    )


def _outcomes(record: DatasetRecord | None) -> str:
    rows = []
    for gate, title in GATE_TITLES.items():
        outcome = record.gates.get(gate) if record else None
        if outcome is None:
            rows.append(f"<tr><th>{title}</th><td>not run yet</td><td></td><td></td></tr>")
            continue
        status = "passed" if outcome.passed else "FAILED"
        rows.append(
            f"<tr><th>{title}</th><td class='{status.lower()}'>{status}</td>"
            f"<td>{html.escape(outcome.summary)}</td>"
            f"<td>{outcome.checked_at:%Y-%m-%d %H:%M} UTC</td></tr>"
        )
    return (
        "<table><tr><th>Checks</th><th>Result</th><th>What was found</th><th>Checked</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def dataset_report(
    dataset: Dataset, record: DatasetRecord | None, dataset_url: str, dictionary_url: str
) -> str:
    esc = html.escape
    rules = "".join(
        f"<tr><td><code>{c.name}</code></td><td>{esc(describe(c.rules))}</td></tr>"
        for c in dataset.columns
        if c.rules
    )
    privacy = "".join(f"<li>{esc(rule)}</li>" for rule in PRIVACY_RULES)
    published = (
        f"{record.published_at:%Y-%m-%d %H:%M} UTC" if record and record.published_at else "-"
    )
    body = f"""<h1>Quality report: {esc(dataset.title)}</h1>
<p>Before every publication the city checks this dataset automatically; a dataset that
fails a check is not published until it is fixed. Last published: {published}.
<a href='{esc(dataset_url)}'>The dataset</a> &middot;
<a href='{esc(dictionary_url)}'>its data dictionary</a>.</p>
{_outcomes(record)}
<h2>The quality rules</h2>
<p>From the data dictionary, checked with Great Expectations before each publication:</p>
<table><tr><th>Column</th><th>Rule</th></tr>{rules}</table>
<h2>The privacy rules</h2><ul>{privacy}</ul>"""
    return _page(dataset.title, body)


def index_report(titles: dict[str, str], records: dict[str, DatasetRecord | None]) -> str:
    rows = "".join(
        f"<tr><td><a href='{dataset_id}.html'>{html.escape(title)}</a></td>"
        f"<td>{_status(records.get(dataset_id))}</td></tr>"
        for dataset_id, title in sorted(titles.items(), key=lambda item: item[1])
    )
    body = f"""<h1>Quality reports</h1>
<p>The automatic quality and privacy checks of every published dataset.</p>
<table><tr><th>Dataset</th><th>Latest checks</th></tr>{rows}</table>"""
    return _page("Quality reports", body)


def _status(record: DatasetRecord | None) -> str:
    if record is None or not record.gates:
        return "not run yet"
    return "all passed" if not record.failed_gates else "a check failed"


def render_reports(
    out_dir: Path,
    dictionary: Dictionary,
    published: list[str],
    records: dict[str, DatasetRecord | None],
    dataset_url,
    dictionary_url,
) -> dict[str, Path]:
    """Write the reports of the ``published`` datasets (and an index) into ``out_dir``,
    removing any other file there; return them by path relative to it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = {f"{dataset_id}.html" for dataset_id in published} | {"index.html"}
    for stale in out_dir.glob("*.html"):
        if stale.name not in wanted:
            stale.unlink()
    files = {}
    for dataset_id in published:
        dataset = dictionary.datasets[dataset_id]
        path = out_dir / f"{dataset_id}.html"
        path.write_text(
            dataset_report(
                dataset,
                records.get(dataset_id),
                dataset_url(dataset_id),
                dictionary_url(dataset_id),
            )
        )
        files[path.name] = path
    index = out_dir / "index.html"
    index.write_text(index_report({d: dictionary.datasets[d].title for d in published}, records))
    files["index.html"] = index
    return files
