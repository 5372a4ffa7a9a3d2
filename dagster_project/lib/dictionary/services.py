"""The service inventory and finance's cost allocation: the KPIs' reference data.

``services.yml`` (owned by the data governance group): one entry per service the city
offers, who delivers it, its channels, which of its stages are online, its service
standard and its legislated timeline with the statute. ``cost_allocation.yml`` (owned by
finance): which share of each cost centre's actual costs goes to which service and
channel. Both are optional (a new city starts without them); both become dbt seeds
(``services.csv``, ``service_stages.csv``, ``cost_allocation.csv``) that the KPI models
read, and both appear on the dictionary site.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .entries import Division
from .validation import read_validated

STAGES = ("information", "application", "payment", "status_tracking", "decision")


@dataclass(frozen=True)
class RoadClassTimeline:
    road_class: int
    hours: int
    depth_cm: float  # the snow depth that starts the clock


@dataclass(frozen=True)
class Timeline:
    days: float
    description: str  # a standard's words, or the statute cited
    target_share: float | None = None  # standards only: the share aimed at
    source: str | None = None  # a link to the statute
    note: str | None = None
    # a law that sets the timeline per road class (snow clearing): days is the strictest
    by_road_class: tuple[RoadClassTimeline, ...] = ()


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    division: str
    description: str
    channels: tuple[str, ...]
    stages: dict[str, bool | None]  # None: the service has no such stage
    system: str | None = None
    standard: Timeline | None = None
    legislated: Timeline | None = None

    @property
    def online_stages(self) -> int:
        return sum(1 for online in self.stages.values() if online)

    @property
    def stages_offered(self) -> int:
        return sum(1 for online in self.stages.values() if online is not None)


@dataclass(frozen=True)
class Allocation:
    """One share of a cost centre. ``channels``: none, all of the service's channels (its
    whole cost); one, the cost centre serves that channel alone; several, it serves them
    together: one channel row for them all (kpi_service_costs), with their transactions
    counted together (a split by count would publish each channel's count in its cost)."""

    cost_centre: str
    cost_centre_name: str
    service: str
    channels: tuple[str, ...]
    share: float


@dataclass(frozen=True)
class CostAllocation:
    owner_division: str
    method: str
    allocations: tuple[Allocation, ...]


def _service(spec: dict[str, Any]) -> Service:
    standard = spec.get("standard")
    legislated = spec.get("legislated")
    return Service(
        id=spec["id"],
        name=spec["name"],
        division=spec["division"],
        description=spec["description"],
        channels=tuple(spec["channels"]),
        stages={s: (None if spec["stages"][s] == "n/a" else spec["stages"][s]) for s in STAGES},
        system=spec.get("system"),
        standard=Timeline(standard["days"], standard["description"], standard["target_share"])
        if standard
        else None,
        legislated=Timeline(
            legislated["days"],
            legislated["statute"],
            source=legislated.get("source"),
            note=legislated.get("note"),
            by_road_class=tuple(
                RoadClassTimeline(c["road_class"], c["hours"], c["depth_cm"])
                for c in legislated.get("by_road_class", ())
            ),
        )
        if legislated
        else None,
    )


def load_services(
    root: Path, divisions: dict[str, Division], systems: set[str], problems: list[str]
) -> dict[str, Service]:
    path = root / "services.yml"
    if not path.exists():
        return {}
    spec = read_validated(path, "services", problems)
    if spec is None:
        return {}
    services: dict[str, Service] = {}
    for entry in spec["services"]:
        service = _service(entry)
        if service.id in services:
            problems.append(f"services.yml: service {service.id!r} is listed twice")
        if service.division not in divisions:
            problems.append(
                f"services.yml: service {service.id!r}: division {service.division!r} is not "
                f"in divisions.yml; use one of {sorted(divisions)}"
            )
        if not service.stages_offered:  # it would leave the share of services online
            problems.append(
                f"services.yml: service {service.id!r} has no stage (all n/a): a service "
                "has at least its information or its application"
            )
        if service.system is not None and service.system not in systems:
            problems.append(
                f"services.yml: service {service.id!r}: system {service.system!r} has no "
                f"contract in sources/; use one of {sorted(systems)}"
            )
        services[service.id] = service
    _check_road_classes(services, problems)
    return services


def _check_road_classes(services: dict[str, Service], problems: list[str]) -> None:
    by_class = [s for s in services.values() if s.legislated and s.legislated.by_road_class]
    if len(by_class) > 1:
        problems.append(
            f"services.yml: {len(by_class)} services set timelines by road class "
            f"({', '.join(s.id for s in by_class)}); the road classes take one: keep one"
        )
    for service in by_class:
        timelines = service.legislated.by_road_class
        classes = [t.road_class for t in timelines]
        if len(set(classes)) != len(classes):
            problems.append(f"services.yml: service {service.id!r}: a road class is listed twice")
        strictest = min(t.hours for t in timelines) / 24
        if abs(service.legislated.days - strictest) > 0.0001:
            problems.append(
                f"services.yml: service {service.id!r}: legislated days "
                f"{service.legislated.days} is not its strictest road class's "
                f"{min(t.hours for t in timelines)} hours ({strictest:.4f} days)"
            )


def load_cost_allocation(
    root: Path, divisions: dict[str, Division], services: dict[str, Service], problems: list
) -> CostAllocation | None:
    path = root / "cost_allocation.yml"
    if not path.exists():
        return None
    spec = read_validated(path, "cost_allocation", problems)
    if spec is None:
        return None
    if spec["owner_division"] not in divisions:
        problems.append(
            f"cost_allocation.yml: owner_division {spec['owner_division']!r} is not in "
            "divisions.yml"
        )
    allocations = []
    for centre in spec["cost_centres"]:
        total = sum(a["share"] for a in centre["allocations"])
        if total > 1 + 1e-9:
            problems.append(
                f"cost_allocation.yml: cost centre {centre['cost_centre']!r} allocates "
                f"{total:.4g} of its costs; shares add up to at most 1 (the rest is "
                "reported as unallocated)"
            )
        for allocation in centre["allocations"]:
            service = services.get(allocation["service"])
            channels = tuple(
                allocation.get("channels") or filter(None, [allocation.get("channel")])
            )
            if service is None:
                problems.append(
                    f"cost_allocation.yml: cost centre {centre['cost_centre']!r}: service "
                    f"{allocation['service']!r} is not in services.yml"
                )
            elif unknown := [c for c in channels if c not in service.channels]:
                problems.append(
                    f"cost_allocation.yml: cost centre {centre['cost_centre']!r}: service "
                    f"{service.id!r} is not offered on {', '.join(unknown)} (its channels in "
                    f"services.yml: {', '.join(service.channels)})"
                )
            allocations.append(
                Allocation(
                    centre["cost_centre"],
                    centre["name"],
                    allocation["service"],
                    channels,
                    allocation["share"],
                )
            )
    return CostAllocation(spec["owner_division"], spec["method"], tuple(allocations))
