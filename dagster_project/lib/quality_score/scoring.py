"""Score one published dataset from measured facts: five dimensions, each 0-1 with a
reason a resident can read, a total 0-100 and a grade (Gold, Silver, Bronze).

Pure: the facts are gathered by :mod:`.facts` (warehouse, gate results, portal); tests
hand-work the answers. Weights and thresholds are the governance group's
(``data_dictionary/quality_score.yml``, :mod:`.policy`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dagster_project.lib.dictionary.quality_policy import (
    DIMENSIONS,
    GRADE_ORDER,
    NOT_RATED,
    QualityPolicy,
)

LABELS = {
    "gates": "Checks passed",
    "freshness": "Freshness",
    "metadata": "Metadata",
    "completeness": "Completeness",
    "accessibility": "Accessibility",
}
GATE_WORDS = {"quality_gate": "quality", "privacy_gate": "privacy"}


@dataclass(frozen=True)
class DatasetFacts:
    """What was measured about one dataset at ``measured_at`` (all times in UTC)."""

    dataset_id: str
    measured_at: datetime
    published_at: datetime | None  # None: never published
    gates: dict[str, bool]  # gate -> passed on its latest check; absent: never checked
    frequency: str  # the promise, in the dictionary's words ("daily", "as needed")
    grace: timedelta | None  # how old the data may be and still be on time; None: no promise
    last_arrival: datetime | None  # the newest source file that loaded
    columns_total: int
    undescribed_columns: tuple[str, ...]
    optional_fields: dict[str, bool]  # the policy's optional dataset fields -> filled
    rows: int
    key_columns: tuple[str, ...]
    empty_key_cells: dict[str, int]  # key column -> empty values in the published model
    formats_offered: tuple[str, ...]


@dataclass(frozen=True)
class Dimension:
    score: float | None  # None: does not apply to this dataset
    reason: str


@dataclass(frozen=True)
class QualityScore:
    dataset_id: str
    measured_at: datetime
    grade: str  # Gold | Silver | Bronze | Not rated
    total: int | None  # 0-100; None when not rated
    dimensions: dict[str, Dimension] = field(default_factory=dict)
    note: str | None = None  # why the grade is not what the total alone gives

    def reasons_markdown(self) -> str:
        if not self.dimensions:
            return f"- {self.note}"
        lines = [f"- {self.note}"] if self.note else []
        for name, dim in self.dimensions.items():
            value = "n/a" if dim.score is None else f"{round(dim.score * 100)}%"
            lines.append(f"- **{LABELS[name]} {value}:** {dim.reason}")
        return "\n".join(lines)

    def extras(self) -> dict[str, str]:
        """The shared contract's keys for the portal's package extras."""
        return {
            "quality_score": self.grade,
            "quality_score_value": "" if self.total is None else str(self.total),
            "quality_reasons": self.reasons_markdown(),
            "quality_measured_at": self.measured_at.isoformat(timespec="seconds"),
        }


def score_dataset(facts: DatasetFacts, policy: QualityPolicy) -> QualityScore:
    if facts.published_at is None:
        return QualityScore(
            facts.dataset_id,
            facts.measured_at,
            NOT_RATED,
            None,
            # measured after each publication: true on a page published since, too
            note="Not rated yet: it had not been published when quality was last measured.",
        )
    dimensions = {
        "gates": gates_dimension(facts),
        "freshness": freshness_dimension(facts, policy),
        "metadata": metadata_dimension(facts),
        "completeness": completeness_dimension(facts),
        "accessibility": accessibility_dimension(facts, policy),
    }
    total = weighted_total(dimensions, policy)
    grade, note = policy.grade(total), None
    if any(not passed for passed in facts.gates.values()):
        capped = worse_grade(grade, policy.failed_gate_grade)
        if capped != grade:
            grade = capped
            note = f"Graded {capped} at best: the latest rows failed one of the city's checks."
    return QualityScore(facts.dataset_id, facts.measured_at, grade, total, dimensions, note)


def weighted_total(dimensions: dict[str, Dimension], policy: QualityPolicy) -> int:
    """Weighted mean of the dimensions that apply, 0-100, rounded half up."""
    applying = [d for d in DIMENSIONS if dimensions[d].score is not None]
    weight = sum(policy.weights[d] for d in applying)
    if not weight:
        return 0
    mean = sum(policy.weights[d] * dimensions[d].score for d in applying) / weight
    return int(mean * 100 + 0.5)


def worse_grade(a: str, b: str) -> str:
    return max(a, b, key=GRADE_ORDER.index)


def gates_dimension(facts: DatasetFacts) -> Dimension:
    """Each of the two gates counts half: passed on the latest rows, or not."""
    passed = [GATE_WORDS[g] for g in GATE_WORDS if facts.gates.get(g) is True]
    failed = [GATE_WORDS[g] for g in GATE_WORDS if facts.gates.get(g) is False]
    unchecked = [GATE_WORDS[g] for g in GATE_WORDS if g not in facts.gates]
    parts = []
    if passed:
        parts.append(f"the {' and '.join(passed)} checks passed on the latest rows")
    if failed:
        parts.append(f"the {' and '.join(failed)} check{'s' * (len(failed) > 1)} failed")
    if unchecked:
        parts.append(f"the {' and '.join(unchecked)} check has not run yet")
    return Dimension(len(passed) / len(GATE_WORDS), "; ".join(parts))


def freshness_dimension(facts: DatasetFacts, policy: QualityPolicy) -> Dimension:
    """On time while the data is no older than its frequency allows; then falls linearly
    to 0 at ``zero_after_periods`` more such periods late."""
    if facts.last_arrival is None:
        return Dimension(0.0, f"no source data has arrived yet; promised {facts.frequency}")
    age = max(facts.measured_at - facts.last_arrival, timedelta(0))
    arrived = f"data last arrived {_ago(age)}"
    if facts.grace is None:
        return Dimension(None, f"{arrived}; updated as needed, no schedule is promised")
    late = age - facts.grace
    if late <= timedelta(0):
        return Dimension(1.0, f"{arrived}; promised {facts.frequency}")
    score = max(0.0, 1 - late / (facts.grace * policy.zero_after_periods))
    return Dimension(
        round(score, 4), f"{arrived}; promised {facts.frequency}, so {_span(late)} late"
    )


def metadata_dimension(facts: DatasetFacts) -> Dimension:
    """Half: the share of columns with a real description; half: optional fields filled."""
    total = max(facts.columns_total, 1)
    described = facts.columns_total - len(facts.undescribed_columns)
    column_share = described / total
    reason = f"{described} of {facts.columns_total} columns described"
    if facts.undescribed_columns:
        reason += f" (not: {', '.join(facts.undescribed_columns[:5])})"
    if not facts.optional_fields:
        return Dimension(round(column_share, 4), reason)
    missing = [
        name.replace("_", " ") for name, filled in facts.optional_fields.items() if not filled
    ]
    field_share = 1 - len(missing) / len(facts.optional_fields)
    reason += f"; no {', '.join(missing)} given" if missing else "; limitations and context given"
    return Dimension(round((column_share + field_share) / 2, 4), reason)


def completeness_dimension(facts: DatasetFacts) -> Dimension:
    """The share of key-column values that are filled, counted on the published rows."""
    if facts.rows == 0:
        return Dimension(0.0, "the published table has no rows")
    cells = facts.rows * max(len(facts.key_columns), 1)
    empty = sum(facts.empty_key_cells.values())
    share = 1 - empty / cells
    keys = ", ".join(facts.key_columns)
    if not empty:
        return Dimension(1.0, f"every key value ({keys}) is filled in all {facts.rows:,} rows")
    worst = max(facts.empty_key_cells, key=facts.empty_key_cells.get)
    return Dimension(
        round(share, 4),
        f"{share:.1%} of key values ({keys}) filled; {worst} is empty in "
        f"{facts.empty_key_cells[worst]:,} of {facts.rows:,} rows",
    )


def accessibility_dimension(facts: DatasetFacts, policy: QualityPolicy) -> Dimension:
    offered = [f for f in policy.formats if f in facts.formats_offered]
    missing = [f for f in policy.formats if f not in facts.formats_offered]
    reason = f"offered as {', '.join(offered)}" if offered else "no machine-readable format"
    if missing:
        reason += f"; not as {', '.join(missing)}"
    return Dimension(round(len(offered) / len(policy.formats), 4), reason)


def _ago(age: timedelta) -> str:
    return "less than an hour ago" if age < timedelta(hours=1) else f"{_span(age)} ago"


def _span(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    if hours < 48:
        whole = max(int(hours), 1)
        return f"{whole} hour{'s' * (whole != 1)}"
    days = int(hours // 24)
    return f"{days} days"
