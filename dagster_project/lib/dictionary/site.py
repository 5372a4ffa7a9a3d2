"""A browsable, searchable data dictionary: static HTML, no server needed.

``python -m dagster_project.cli.dictionary site`` (``make docs``) writes ``data/docs/``:
an index with a search over every dataset and column and the glossary, one page per
dataset (meaning, owner, steward, classification, rules, freshness, lineage from source
columns through the dbt models), and the analysts' guide rendered from Markdown. Built
from the dictionary, dbt's manifest and the gate results; each portal dataset links to
its page.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from markdown_it import MarkdownIt

from ..gates.results import WARNING_MARK, DatasetRecord, GateResults
from .entries import Column, Dataset, Dictionary
from .render.text import describe
from .site_kpis import kpi_body

STYLE = """body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;
color:#1d2733}a{color:#0b5cab}table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border:1px solid #ccd5de;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eef2f6}.tag{display:inline-block;padding:0 .4rem;border-radius:.3rem;
background:#e3ecf5;margin-right:.3rem}.public{background:#dff3e4}.personal{background:#fde2e1}
.confidential{background:#fff1cc}input{font-size:1.1rem;padding:.4rem;width:100%}
pre{background:#f4f6f8;padding:.75rem;overflow-x:auto}"""


# What a public page may show: datasets residents can find on the portal (a retired one's
# page there still links here, marked retired) and columns classified public.
PUBLIC_STATUSES = ("approved", "retired")


def listed_datasets(dictionary: Dictionary, public: bool) -> list[Dataset]:
    datasets = list(dictionary.datasets.values())
    return [d for d in datasets if d.status in PUBLIC_STATUSES] if public else datasets


def listed_columns(dataset: Dataset, public: bool) -> list[Column]:
    return [c for c in dataset.columns if c.classification == "public" or not public]


def _page(title: str, body: str, depth: int = 0) -> str:
    home = "../" * depth + "index.html"
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)} - City data dictionary</title>"
        f"<style>{STYLE}</style></head><body><p><a href='{home}'>City data dictionary"
        f"</a></p>{body}</body></html>\n"
    )


def model_chain(manifest: dict, model: str) -> list[str]:
    """The published model and everything it is built from, down to the raw tables."""
    nodes = {**manifest["nodes"], **manifest["sources"]}
    start = next((k for k, n in manifest["nodes"].items() if n.get("name") == model), None)
    chain, queue = [], [start] if start else []
    while queue:
        key = queue.pop(0)
        if key in chain or key not in nodes:
            continue
        chain.append(key)
        queue += nodes[key].get("depends_on", {}).get("nodes", [])
    labels = []
    for key in chain:
        node = nodes[key]
        if node["resource_type"] == "source":
            labels.append(f"raw.{node['name']} (source system {node['source_name']})")
        elif node["resource_type"] in ("model", "snapshot"):
            labels.append(f"{node['config'].get('schema')}.{node['name']}")
    return labels


def column_sources(dictionary: Dictionary, dataset: Dataset, column: Column) -> list[str]:
    if column.source_columns:
        return list(column.source_columns)
    return [
        f"{system}.{column.name}"
        for system in dataset.source_systems
        if system in dictionary.sources
        and column.name in {c.name for c in dictionary.sources[system].columns}
    ]


def _gates(record: DatasetRecord | None) -> str:
    if record is None or not record.gates:
        return "not run yet"
    return "; ".join(
        f"{o.gate.replace('_', ' ')}: {'passed' if o.passed else 'FAILED'}"
        # a gate that passed with a warning (privacy: suppressed cells the totals give
        # back together) says so here too; what it is, on the quality report
        + (
            " with a warning (see the quality report)"
            if o.passed and WARNING_MARK in o.summary
            else ""
        )
        for o in record.gates.values()
    )


def _small_cells_row(dataset: Dataset) -> str:
    if not dataset.small_cells:
        return ""
    return f"<tr><th>Small cells</th><td>{html.escape(dataset.small_cells.describe())}</td></tr>"


def dataset_page(
    dictionary: Dictionary,
    dataset: Dataset,
    manifest: dict,
    record: DatasetRecord | None,
    portal_url: str,
    public: bool = False,
) -> str:
    division = dictionary.divisions[dataset.owner_division]
    esc = html.escape
    rows = []
    for column in listed_columns(dataset, public):
        sources = column_sources(dictionary, dataset, column)
        lineage = ", ".join(sources) if sources else "computed in the warehouse (dbt)"
        rows.append(
            f"<tr id='col-{column.name}'><td><code>{column.name}</code></td>"
            f"<td>{column.type}</td><td>{esc(column.description)}</td>"
            f"<td><span class='tag {column.classification}'>{column.classification}"
            f"</span></td><td>{esc(describe(column.rules))}</td>"
            + ("" if public else f"<td class='lineage'>{esc(lineage)}</td>")
            + "</tr>"
        )
    published = (
        record.published_at.isoformat() if record and record.published_at else "not yet published"
    )
    portal = f"{portal_url}/dataset/{dataset.id.replace('_', '-')}"
    body = f"""<h1>{esc(dataset.title)}</h1>
<p>{esc(dataset.description)}</p>
<table>
<tr><th>Grain</th><td>{esc(dataset.grain)}</td></tr>
<tr><th>Owner</th><td>{esc(division.name)}; steward
 {esc(division.steward.name)} ({esc(division.steward.email)})</td></tr>
<tr><th>Publication</th><td>{dataset.status}; licence {dataset.licence.id};
 <a href='{portal}'>on the portal</a></td></tr>
<tr><th>Updated</th><td>{dataset.update_frequency.name}; last published {published}</td></tr>
<tr><th>Gates</th><td>{_gates(record)}</td></tr>
<tr><th>Keywords</th><td>{", ".join(esc(k) for k in dataset.keywords)}</td></tr>
<tr><th>Limitations</th><td>{esc(dataset.limitations or "none stated")}</td></tr>
<tr><th>Sources</th><td>{esc(_source_systems(dataset))}</td></tr>
{_small_cells_row(dataset)}
</table>
<h2>Columns</h2>
<table><tr><th>Column</th><th>Type</th><th>Meaning</th><th>Classification</th><th>Rules</th>
{"" if public else "<th>Lineage (source columns)</th>"}</tr>{"".join(rows)}</table>
{"" if public else _lineage_section(manifest, dataset)}"""
    return _page(dataset.title, body, depth=1)


def _source_systems(dataset: Dataset) -> str:
    """The systems the data comes from, as a resident can understand them."""
    return "; ".join(dataset.source_names) or "computed by the city's data team"


def _lineage_section(manifest: dict, dataset: Dataset) -> str:
    """Staff only: the warehouse models and raw tables the dataset is built from."""
    chain = "".join(
        f"<li>{html.escape(step)}</li>" for step in model_chain(manifest, dataset.model)
    )
    return (
        "<h2>Lineage</h2><p>Built in the warehouse from (nearest first):</p>"
        f"<ul class='chain'>{chain}</ul>"
    )


def index_page(dictionary: Dictionary, public: bool = False) -> str:
    datasets = listed_datasets(dictionary, public)
    entries = [
        {
            "dataset": d.id,
            "title": d.title,
            "column": c.name,
            "meaning": c.description,
            "classification": c.classification,
            "url": f"datasets/{d.id}.html#col-{c.name}",
        }
        for d in datasets
        for c in listed_columns(d, public)
    ]
    listing = "".join(
        f"<tr><td><a href='datasets/{d.id}.html'>{html.escape(d.title)}</a></td>"
        f"<td>{html.escape(dictionary.divisions[d.owner_division].name)}</td>"
        f"<td>{d.status}</td><td>{d.update_frequency.name}</td></tr>"
        for d in sorted(datasets, key=lambda d: d.title)
    )
    guides = (
        "For the service KPIs and the service inventory, see <a href='kpis.html'>KPIs</a>."
        if public
        else "Internal edition (drafts included). For querying the warehouse, see the "
        "<a href='analysts.html'>analysts' guide</a>; for the service KPIs and the service "
        "inventory, <a href='kpis.html'>KPIs</a>."
    )
    body = f"""<h1>City data dictionary</h1>
<p>What every open dataset and column means, who owns it, how it is classified and where
it comes from. {guides}</p>
<input id='search' type='search' placeholder='Search datasets and columns, e.g. ward'>
<table id='results'><tr><th>Dataset</th><th>Column</th><th>Meaning</th><th>Classification</th>
</tr></table>
<h2>Datasets</h2><table><tr><th>Dataset</th><th>Owner</th><th>Status</th><th>Updated</th></tr>
{listing}</table>
{glossary_section(dictionary)}
<script>
const ENTRIES = {json.dumps(entries)};
const box = document.getElementById('search'), table = document.getElementById('results');
function show() {{
  const words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
  table.querySelectorAll('tr.hit').forEach(row => row.remove());
  if (!words.length) return;
  for (const e of ENTRIES) {{
    const text = (e.title + ' ' + e.column + ' ' + e.meaning).toLowerCase();
    if (!words.every(w => text.includes(w))) continue;
    const row = table.insertRow(); row.className = 'hit';
    row.innerHTML = `<td>${{e.title}}</td><td><a href="${{e.url}}">${{e.column}}</a></td>` +
      `<td>${{e.meaning}}</td><td>${{e.classification}}</td>`;
  }}
}}
box.addEventListener('input', show);
</script>"""
    return _page("Index", body)


def glossary_section(dictionary: Dictionary) -> str:
    terms = "".join(
        f"<dt id='term-{name}'>{html.escape(name.replace('_', ' '))}</dt>"
        f"<dd>{html.escape(meaning)}</dd>"
        for name, meaning in sorted(dictionary.glossary.items())
    )
    return f"<h2>Glossary</h2><dl class='glossary'>{terms}</dl>"


def markdown_page(text: str, title: str) -> str:
    """A Markdown document (CommonMark, with tables) as a page of the site."""
    return _page(title, MarkdownIt("commonmark").enable("table").render(text))


def build_site(
    out_dir: Path,
    dictionary: Dictionary,
    manifest: dict,
    results: GateResults,
    portal_url: str,
    analysts_guide: str,
    public: bool = False,
) -> list[Path]:
    """Write the site (``public``: the edition the portal serves); pages of datasets no
    longer listed (a draft again, removed) are deleted, so they are not sent either."""
    (out_dir / "datasets").mkdir(parents=True, exist_ok=True)
    written = [out_dir / "index.html", out_dir / "kpis.html"]
    written[0].write_text(index_page(dictionary, public))
    written[1].write_text(_page("Service KPIs", kpi_body(dictionary)))
    guide = out_dir / "analysts.html"
    if public:  # the warehouse's schemas and queries are for staff
        guide.unlink(missing_ok=True)
    else:
        guide.write_text(markdown_page(analysts_guide, "Analysts' guide"))
        written.append(guide)
    for dataset in listed_datasets(dictionary, public):
        path = out_dir / "datasets" / f"{dataset.id}.html"
        record = results.get(dataset.id)
        path.write_text(dataset_page(dictionary, dataset, manifest, record, portal_url, public))
        written.append(path)
    for stale in set((out_dir / "datasets").glob("*.html")) - set(written):
        stale.unlink()
    return written
