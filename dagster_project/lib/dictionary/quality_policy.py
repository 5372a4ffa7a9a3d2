"""The quality score's policy: weights, grade thresholds and measuring parameters, read
from ``data_dictionary/quality_score.yml`` (validated by its JSON Schema). The data
governance group owns it; the code owns only the way each dimension is measured."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .validation import read_validated

DIMENSIONS = ("gates", "freshness", "metadata", "completeness", "accessibility")
BRONZE, NOT_RATED = "Bronze", "Not rated"
GRADE_ORDER = ("Gold", "Silver", BRONZE)  # best first
POLICY_FILE = "quality_score.yml"


@dataclass(frozen=True)
class QualityPolicy:
    weights: dict[str, float]
    grades: tuple[tuple[str, float], ...]  # (grade, min_score), best first
    failed_gate_grade: str
    zero_after_periods: float
    min_description_chars: int
    optional_fields: tuple[str, ...]
    formats: tuple[str, ...]

    def grade(self, total: float) -> str:
        for grade, min_score in self.grades:
            if total >= min_score:
                return grade
        return BRONZE


def policy_from_spec(spec: dict[str, Any]) -> QualityPolicy:
    grades = sorted(
        ((g["grade"], float(g["min_score"])) for g in spec["grades"]),
        key=lambda g: -g[1],
    )
    return QualityPolicy(
        weights={d: float(spec["dimensions"][d]["weight"]) for d in DIMENSIONS},
        grades=tuple(grades),
        failed_gate_grade=spec["failed_gate_grade"],
        zero_after_periods=float(spec["freshness"]["zero_after_periods"]),
        min_description_chars=int(spec["metadata"]["min_description_chars"]),
        optional_fields=tuple(spec["metadata"]["optional_fields"]),
        formats=tuple(spec["accessibility"]["formats"]),
    )


def load_quality_policy(root: Path, problems: list[str]) -> QualityPolicy | None:
    """The policy, or None with its problems added (file, line, field, what to do)."""
    from dagster_project.settings import DICTIONARY_DIR  # one place decides paths

    path = root / POLICY_FILE
    if not path.exists():  # a new city's dictionary: the platform's policy until it has one
        path = DICTIONARY_DIR / POLICY_FILE
    spec = read_validated(path, "quality_score", problems)
    if spec is None:
        return None
    policy = policy_from_spec(spec)
    if not any(policy.weights.values()):
        problems.append(f"{POLICY_FILE}: every dimension weighs 0; give one a weight")
        return None
    order = [g for g, _ in policy.grades]
    if order != [g for g in GRADE_ORDER if g in order]:
        problems.append(f"{POLICY_FILE}: Gold's min_score must be above Silver's")
        return None
    return policy
