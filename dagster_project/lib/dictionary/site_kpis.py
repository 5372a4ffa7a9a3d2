"""The dictionary site's KPI page: every KPI's definition (metrics.yml) and the service
inventory it is computed for (services.yml), as the governance group maintains them."""

from __future__ import annotations

import html

from .entries import Dictionary
from .services import STAGES


def _cell(text: object) -> str:
    return f"<td>{html.escape(str(text))}</td>" if text not in (None, "") else "<td></td>"


def kpi_body(dictionary: Dictionary) -> str:
    def owner(division: str) -> str:
        return dictionary.divisions[division].name if division in dictionary.divisions else division

    kpis = "".join(
        f"<tr id='kpi-{m.name}'><td><b>{html.escape(m.label)}</b><br><code>{m.name}</code></td>"
        f"{_cell(m.description)}{_cell(m.formula)}{_cell(m.unit)}{_cell(m.grain)}"
        f"{_cell(owner(m.owner))}"
        f"{_cell(m.target_words)}{_cell(m.strategy_kpi)}</tr>"
        for m in dictionary.metrics.values()
    )
    services = []
    for s in sorted(dictionary.services.values(), key=lambda s: (s.division, s.name)):
        stages = ", ".join(
            f"{stage.replace('_', ' ')}: {'online' if s.stages[stage] else 'not online'}"
            for stage in STAGES
            if s.stages[stage] is not None
        )
        law = ""
        if s.legislated:
            statute = html.escape(s.legislated.description)
            if s.legislated.source:
                statute = f"<a href='{html.escape(s.legislated.source)}'>{statute}</a>"
            law = f"{s.legislated.days:g} days: {statute}"
            if s.legislated.by_road_class:
                law += "<br>By road class: " + "; ".join(
                    f"class {t.road_class}: {t.hours} hours (from {t.depth_cm:g} cm)"
                    for t in s.legislated.by_road_class
                )
            if s.legislated.note:
                law += f" <i>({html.escape(s.legislated.note)})</i>"
        standard = (
            f"{s.standard.target_share:.0%} within {s.standard.days:g} days "
            f"({s.standard.description})"
            if s.standard
            else ""
        )
        services.append(
            f"<tr id='service-{s.id}'><td><b>{html.escape(s.name)}</b><br><code>{s.id}</code>"
            f"</td>{_cell(dictionary.divisions[s.division].name)}"
            f"{_cell(', '.join(s.channels))}{_cell(stages)}{_cell(standard)}<td>{law}</td></tr>"
        )
    return (
        "<h1>Service KPIs and the service inventory</h1>"
        "<p>Each KPI is defined once (data_dictionary/metrics.yml) and computed for every "
        "service of the inventory (data_dictionary/services.yml) in the scorecard, the dbt "
        "semantic layer and the portal's KPI datasets; the shares of services and of "
        "service stages online are computed for the inventory itself.</p>"
        "<h2>KPIs</h2><table><tr><th>KPI</th><th>Meaning</th><th>Formula</th><th>Unit</th>"
        "<th>Grain</th>"
        f"<th>Owner</th><th>Target</th><th>Strategy KPI</th></tr>{kpis}</table>"
        "<h2>Services</h2><table><tr><th>Service</th><th>Division</th><th>Channels</th>"
        "<th>Stages</th><th>Service standard</th><th>Legislated timeline</th></tr>"
        f"{''.join(services)}</table>"
    )
