"""Datasets whose publication approval was withdrawn: taken back from approved to draft.

A draft is not for the public. A package of ours that a draft dataset still has on the
portal is made **private** on the next run (the ``portal/<dataset>`` asset of a draft):
hidden from residents, search, the catalog (data.json, DCAT) and the dictionary's public
edition, kept with its files and history for the city's staff, and marked
``publication_status: withdrawn`` with the reason from the dictionary's history
(``withdrawn_reason``: "approval withdrawn by ... on ...: <note>").

Why private and not retired: *retired* means "still public, no longer updated" (the
group decided to stop a dataset, residents keep its last files). Withdrawing an approval
means the group no longer agrees the data should be public at all (a privacy concern,
figures found wrong), so nothing of it stays in view. Approving it again publishes it
again: ``package_dict`` sends ``private: false`` and the new status.
"""

from __future__ import annotations

from typing import Any

from dagster_project.lib.dictionary import Dataset, Dictionary

from .mapping import package_facts, package_name, published_by_pipeline
from .plan import DatasetPlan
from .publisher import CkanPublisher

WITHDRAWN = "withdrawn"


def withdrawal_reason(dataset: Dataset) -> str:
    event = dataset.publication.last("draft")
    if event is None:
        return "not approved for publication (a draft in the data dictionary)"
    reason = f"approval withdrawn by {event.by} on {event.on}"
    return f"{reason}: {event.note}" if event.note else reason


def _to_withdraw(package: dict[str, Any] | None) -> bool:
    """Our package, still on the portal, not yet private and marked withdrawn."""
    if package is None or package.get("state") != "active":
        return False
    if not published_by_pipeline(package):
        return False  # made by hand: not the pipeline's to hide
    withdrawn = package_facts(package).get("publication_status") == WITHDRAWN
    return not (package.get("private") and withdrawn)


def withdraw_draft(publisher: CkanPublisher, dataset: Dataset) -> str:
    """Make a draft dataset's package private, with the reason; say what was done."""
    name = package_name(dataset.id)
    current = publisher.show_package(name)
    if not _to_withdraw(current):
        if current is None or current.get("state") != "active":
            return "never published"
        return "already withdrawn" if current.get("private") else "not ours (left alone)"
    publisher.update_extras(
        name, {"publication_status": WITHDRAWN, "withdrawn_reason": withdrawal_reason(dataset)}
    )
    publisher.withdraw_package(name)
    return "withdrawn"


def plan_withdrawals(publisher: CkanPublisher, dictionary: Dictionary) -> list[DatasetPlan]:
    """``make publish-plan``: the drafts whose package the next run makes private (or, if
    already private, e.g. withdrawn by the privacy gate, marks withdrawn)."""
    plans = []
    for dataset in dictionary.datasets.values():
        if dataset.status != "draft":
            continue
        package = publisher.show_package(package_name(dataset.id))
        if not _to_withdraw(package):
            continue
        what = "mark it withdrawn (already private)" if package["private"] else "make it private"
        plans.append(
            DatasetPlan(
                dataset.id, [f"{what} (withdrawn from the portal: {withdrawal_reason(dataset)})"]
            )
        )
    return plans
