"""A dataset taken back from approved to draft, on the real local CKAN: the next run
makes its package private with the reason, make publish-plan says so first, approving
it again publishes it again; a hand-made package of the same name is left alone."""

from __future__ import annotations

import dataclasses

import ckanapi
import dagster as dg
import pytest

from dagster_project.defs.open_data import publish as publish_defs
from dagster_project.defs.resources import PortalResource
from dagster_project.lib.dictionary import load_dictionary
from dagster_project.lib.dictionary.entries import Publication, PublicationEvent
from publish.ckan.mapping import organization_dict, package_dict, package_facts
from publish.ckan.plan import render
from publish.ckan.publisher import CkanPublisher
from publish.ckan.withdrawal import plan_withdrawals, withdraw_draft, withdrawal_reason

pytestmark = pytest.mark.portal

REASON = "approval withdrawn by Data Governance Group on 2026-12-03: figures under review"


def drafted(dataset):
    """The dataset with its approval withdrawn, as the group writes it in the dictionary."""
    event = PublicationEvent("draft", "Data Governance Group", "2026-12-03", "figures under review")
    history = (*dataset.publication.history, event)
    return dataclasses.replace(dataset, publication=Publication("draft", history))


@pytest.fixture
def published(sysadmin, run_id):
    """One of the sample datasets, under a name of this session's, approved and public."""
    dictionary = load_dictionary()
    dataset = dataclasses.replace(dictionary.datasets["digital_adoption"], id=f"withdrawn_{run_id}")
    division = dictionary.divisions[dataset.owner_division]
    publisher = CkanPublisher(sysadmin)
    publisher.ensure_organization(organization_dict(division))
    package, _ = publisher.upsert_package(package_dict(dataset, division))
    assert not package["private"]
    yield dictionary, dataset, division, package
    sysadmin.action.dataset_purge(id=package["id"])


def test_the_plan_says_it_and_the_run_makes_it_private_with_the_reason(
    published, sysadmin, anonymous
):
    dictionary, dataset, division, package = published
    draft = drafted(dataset)
    assert withdrawal_reason(draft) == REASON
    publisher = CkanPublisher(sysadmin)
    with_draft = dataclasses.replace(dictionary, datasets={draft.id: draft})

    plans = plan_withdrawals(publisher, with_draft)
    text = render(plans, [])
    assert f"{draft.id}:\n  make it private (withdrawn from the portal: {REASON})" in text
    assert "1 dataset(s) would change" in text

    assert withdraw_draft(publisher, draft) == "withdrawn"
    shown = sysadmin.action.package_show(id=package["id"])
    assert shown["private"] and shown["state"] == "active"  # kept for the city's staff
    assert package_facts(shown)["publication_status"] == "withdrawn"
    assert package_facts(shown)["withdrawn_reason"] == REASON
    with pytest.raises(ckanapi.NotAuthorized):  # residents no longer see it
        anonymous.action.package_show(id=package["id"])
    found = anonymous.action.package_search(q=package["name"])["results"]
    assert package["id"] not in [p["id"] for p in found]

    assert withdraw_draft(publisher, draft) == "already withdrawn"
    assert render(plan_withdrawals(publisher, with_draft), []) == "no changes"

    # approved again: the next publication makes it public, without the withdrawal
    again, action = publisher.upsert_package(package_dict(dataset, division))
    assert action == "updated" and not again["private"]
    assert package_facts(again)["publication_status"] == "approved"
    assert "withdrawn_reason" not in package_facts(again)


def test_the_draft_asset_of_a_run_withdraws_it(published, sysadmin, monkeypatch):
    dictionary, dataset, _division, package = published
    draft = drafted(dataset)
    monkeypatch.setattr(  # the run reads the dictionary the group just edited
        publish_defs,
        "load_dictionary",
        lambda strict=False: dataclasses.replace(dictionary, datasets={draft.id: draft}),
    )
    result = dg.materialize(
        [publish_defs.build_withdraw_asset(draft)], resources={"portal": PortalResource()}
    )
    assert result.success
    [event] = result.get_asset_materialization_events()
    assert event.materialization.metadata["action"].value == "withdrawn"
    assert sysadmin.action.package_show(id=package["id"])["private"]


def test_a_package_made_by_hand_is_never_withdrawn(sysadmin, run_id, organization):
    dictionary = load_dictionary()
    dataset = dataclasses.replace(dictionary.datasets["digital_adoption"], id=f"by_hand_{run_id}")
    by_hand = sysadmin.action.package_create(
        name=f"by-hand-{run_id}", title="Made by hand", owner_org=organization["id"]
    )
    try:
        assert withdraw_draft(CkanPublisher(sysadmin), drafted(dataset)) == (
            "not ours (left alone)"
        )
        assert not sysadmin.action.package_show(id=by_hand["id"])["private"]
        assert (
            withdraw_draft(
                CkanPublisher(sysadmin), drafted(dataclasses.replace(dataset, id=f"never_{run_id}"))
            )
            == "never published"
        )
    finally:
        sysadmin.action.dataset_purge(id=by_hand["id"])


def test_a_package_the_privacy_gate_made_private_is_marked_withdrawn_too(published, sysadmin):
    dictionary, dataset, _division, package = published
    publisher = CkanPublisher(sysadmin)
    assert publisher.withdraw_package(package["name"]) == "withdrawn"  # the privacy gate's
    draft = drafted(dataset)
    text = render(
        plan_withdrawals(publisher, dataclasses.replace(dictionary, datasets={draft.id: draft})), []
    )
    assert f"mark it withdrawn (already private) (withdrawn from the portal: {REASON})" in text
    assert withdraw_draft(publisher, draft) == "withdrawn"
    shown = sysadmin.action.package_show(id=package["id"])
    assert shown["private"] and package_facts(shown)["withdrawn_reason"] == REASON
