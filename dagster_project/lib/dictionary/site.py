"""A browsable, searchable data dictionary: static HTML, no server needed.

``python -m dagster_project.lib.dictionary_site`` (``make docs``) writes ``data/docs/``:
an index with a search over every dataset and column, one page per dataset (meaning,
owner, steward, classification, freshness, lineage from source columns through the dbt
models), and the analysts' guide. Built from the dictionary, dbt's manifest and the
pipeline's gate reports; each portal dataset links to its page.
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

from dagster_project.settings import DBT_PROJECT_DIR, PROJECT_DIR, get_settings

from .dictionary import Dataset, Dictionary, load_dictionary

STYLE = """body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;
color:#1d2733}a{color:#0b5cab}table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border:1px solid #ccd5de;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eef2f6}.tag{display:inline-block;padding:0 .4rem;border-radius:.3rem;
background:#e3ecf5;margin-right:.3rem}.public{background:#dff3e4}.personal{background:#fde2e1}
.confidential{background:#fff1cc}input{font-size:1.1rem;padding:.4rem;width:100%}
pre{background:#f4f6f8;padding:.75rem;overflow-x:auto}"""


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


def column_sources(dictionary: Dictionary, dataset: Dataset, column) -> list[str]:
    declared = column.spec.get("source_columns")
    if declared:
        return declared
    return [
        f"{system}.{column.name}"
        for system in dataset["source_systems"]
        if system in dictionary.sources
        and column.name in {c.name for c in dictionary.sources[system].columns}
    ]


def dataset_page(
    dictionary: Dictionary, dataset: Dataset, manifest: dict, report: dict, portal_url: str
) -> str:
    spec = dataset.spec
    division = dictionary.divisions[spec["owner_division"]]
    rows = []
    for column in dataset.columns:
        sources = column_sources(dictionary, dataset, column)
        lineage = ", ".join(sources) if sources else "computed in the warehouse (dbt)"
        rows.append(
            f"<tr id='col-{column.name}'><td><code>{column.name}</code></td>"
            f"<td>{column.type}</td><td>{html.escape(column.description)}</td>"
            f"<td><span class='tag {column.classification}'>{column.classification}"
            f"</span></td><td class='lineage'>{html.escape(lineage)}</td></tr>"
        )
    chain = "".join(
        f"<li>{html.escape(step)}</li>" for step in model_chain(manifest, dataset.model)
    )
    published = report.get("published_at", "not yet published")
    gates = "; ".join(
        f"{gate.replace('_', ' ')}: {'passed' if r['passed'] else 'FAILED'}"
        for gate, r in report.items()
        if gate.endswith("_gate")
    )
    portal = f"{portal_url}/dataset/{dataset.id.replace('_', '-')}"
    body = f"""<h1>{html.escape(spec["title"])}</h1>
<p>{html.escape(spec["description"])}</p>
<table>
<tr><th>Grain</th><td>{html.escape(spec["grain"])}</td></tr>
<tr><th>Owner</th><td>{html.escape(division["name"])}; steward
 {html.escape(division["steward"]["name"])} ({html.escape(division["steward"]["email"])})</td></tr>
<tr><th>Publication</th><td>{spec["publication"]["status"]}; licence {spec["licence"]};
 <a href='{portal}'>on the portal</a></td></tr>
<tr><th>Updated</th><td>{spec["update_frequency"]}; last published {published}</td></tr>
<tr><th>Gates</th><td>{gates or "not run yet"}</td></tr>
<tr><th>Keywords</th><td>{", ".join(html.escape(k) for k in spec["keywords"])}</td></tr>
<tr><th>Limitations</th><td>{html.escape(spec.get("limitations", "none stated"))}</td></tr>
</table>
<h2>Columns</h2>
<table><tr><th>Column</th><th>Type</th><th>Meaning</th><th>Classification</th>
<th>Lineage (source columns)</th></tr>{"".join(rows)}</table>
<h2>Lineage</h2><p>Built in the warehouse from (nearest first):</p>
<ul class='chain'>{chain}</ul>"""
    return _page(spec["title"], body, depth=1)


def index_page(dictionary: Dictionary) -> str:
    entries = [
        {
            "dataset": d.id,
            "title": d["title"],
            "column": c.name,
            "meaning": c.description,
            "classification": c.classification,
            "url": f"datasets/{d.id}.html#col-{c.name}",
        }
        for d in dictionary.datasets.values()
        for c in d.columns
    ]
    listing = "".join(
        f"<tr><td><a href='datasets/{d.id}.html'>{html.escape(d['title'])}</a></td>"
        f"<td>{html.escape(dictionary.divisions[d['owner_division']]['name'])}</td>"
        f"<td>{d.status}</td><td>{d['update_frequency']}</td></tr>"
        for d in sorted(dictionary.datasets.values(), key=lambda d: d["title"])
    )
    body = f"""<h1>City data dictionary</h1>
<p>What every open dataset and column means, who owns it, how it is classified and where
it comes from. For querying the warehouse, see the <a href='analysts.html'>analysts'
guide</a>.</p>
<input id='search' type='search' placeholder='Search datasets and columns, e.g. ward'>
<table id='results'><tr><th>Dataset</th><th>Column</th><th>Meaning</th><th>Classification</th>
</tr></table>
<h2>Datasets</h2><table><tr><th>Dataset</th><th>Owner</th><th>Status</th><th>Updated</th></tr>
{listing}</table>
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


def markdown_page(text: str, title: str) -> str:
    """Just enough Markdown for the guide: headings, code blocks, paragraphs."""
    parts, in_code = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            parts.append("</code></pre>" if in_code else "<pre><code>")
            in_code = not in_code
        elif in_code:
            parts.append(html.escape(line) + "\n")
        elif match := re.match(r"^(#+) (.*)", line):
            level = len(match.group(1))
            parts.append(f"<h{level}>{html.escape(match.group(2))}</h{level}>")
        elif line.strip():
            parts.append(f"<p>{html.escape(line)}</p>")
    return _page(title, "".join(parts))


def build_site(out_dir: Path) -> list[Path]:
    dictionary = load_dictionary()
    settings = get_settings()
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    from publish.ckan_connection import portal_connection

    portal_url = portal_connection().url
    (out_dir / "datasets").mkdir(parents=True, exist_ok=True)
    written = [out_dir / "index.html", out_dir / "analysts.html"]
    written[0].write_text(index_page(dictionary))
    written[1].write_text(
        markdown_page((PROJECT_DIR / "docs" / "analysts.md").read_text(), "Analysts' guide")
    )
    for dataset in dictionary.datasets.values():
        report_file = settings.gate_reports_dir / f"{dataset.id}.json"
        report = json.loads(report_file.read_text()) if report_file.exists() else {}
        path = out_dir / "datasets" / f"{dataset.id}.html"
        path.write_text(dataset_page(dictionary, dataset, manifest, report, portal_url))
        written.append(path)
    return written


if __name__ == "__main__":
    target = get_settings().docs_dir
    pages = build_site(target)
    print(f"Wrote {len(pages)} pages: open {target / 'index.html'} in a browser.")
    sys.exit(0)
