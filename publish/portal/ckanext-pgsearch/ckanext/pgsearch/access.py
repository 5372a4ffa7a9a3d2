"""What anonymous visitors (and users outside an organization) may list.

CKAN 2.12's ``member_list`` and ``tag_list`` read the ``member`` and ``tag`` tables
directly, without the dataset visibility rules that ``package_search`` applies, so they
revealed private and draft datasets (ids, tags). These chained functions close that:

- ``member_list`` (auth): refused for anonymous visitors. We refuse rather than filter
  because a member list also names the organization's *users* and their roles, which
  ``ckan.auth.public_user_details = false`` keeps from anonymous visitors everywhere
  else; the public datasets of an organization stay available through
  ``package_search``/``organization_show``. CKAN's pages do not call it for visitors.
- ``member_list`` (action): for logged-in users who are not sysadmins, dataset rows are
  kept only when the user may ``package_show`` that dataset (public and active, or
  visible through their organization membership / authorship).
- ``tag_list``, ``tag_search``, ``tag_autocomplete`` (actions): tags are kept only when
  at least one dataset the caller can see carries them. Visibility comes from
  ``package_search`` (our PostgreSQL query class applies CKAN's permission labels), as
  a tags facet over every dataset the caller may see, private and draft included.

``user_list`` / ``user_show`` need no code: ``ckan.auth.public_user_details = false``
(set by ``publish/portal/ckan_setup.py``) makes CKAN's own auth functions refuse
anonymous callers.
"""

from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as toolkit

TAG_ACTIONS = ("tag_list", "tag_search", "tag_autocomplete")


def _is_anonymous(context: dict[str, Any]) -> bool:
    return authz.auth_is_anon_user(context)


def _is_sysadmin(context: dict[str, Any]) -> bool:
    return bool(context.get("user")) and authz.is_sysadmin(context.get("user"))


# -- member_list ---------------------------------------------------------------------
@toolkit.chained_auth_function
@toolkit.auth_allow_anonymous_access
def member_list_auth(next_auth: Any, context: dict[str, Any], data_dict: dict[str, Any]):
    if _is_anonymous(context):
        return {
            "success": False,
            "msg": toolkit._("Log in to see the members of an organization or group"),
        }
    return next_auth(context, data_dict)


@toolkit.chained_action
@toolkit.side_effect_free
def member_list(original: Any, context: dict[str, Any], data_dict: dict[str, Any]):
    members = original(context, data_dict)
    if _is_sysadmin(context) or context.get("ignore_auth"):
        return members
    package_ids = [table_id for table_id, table_name, _ in members if table_name == "package"]
    public = set()
    if package_ids:
        rows = (
            model.Session.query(model.Package.id)
            .filter(model.Package.id.in_(package_ids))
            .filter(model.Package.state == "active")
            .filter(model.Package.private.is_(False))
        )
        public = {row[0] for row in rows}

    def visible(package_id: str) -> bool:
        if package_id in public:
            return True
        check = {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")}
        return authz.is_authorized("package_show", check, {"id": package_id}).get("success")

    return [member for member in members if member[1] != "package" or visible(member[0])]


# -- tags ------------------------------------------------------------------------------
def _visible_tags(context: dict[str, Any], vocabulary: str | None) -> set[str]:
    """Names of the tags on datasets the caller may see (private and drafts included)."""
    facet = "tags"
    if vocabulary:
        vocab = model.Vocabulary.get(vocabulary)
        if vocab is None:
            return set()
        facet = f"vocab_{vocab.name}"
    search_context = {
        "user": context.get("user"),
        "auth_user_obj": context.get("auth_user_obj"),
    }
    result = toolkit.get_action("package_search")(
        search_context,
        {
            "q": "",
            "rows": 0,
            "include_private": True,
            "include_drafts": True,
            "facet.field": [facet],
            "facet.limit": -1,
        },
    )
    return set((result.get("facets") or {}).get(facet, {}))


def _tag_name(tag: Any) -> str:
    return tag["name"] if isinstance(tag, dict) else tag


def _needs_filter(context: dict[str, Any]) -> bool:
    return not (_is_sysadmin(context) or context.get("ignore_auth"))


@toolkit.chained_action
@toolkit.side_effect_free
def tag_list(original: Any, context: dict[str, Any], data_dict: dict[str, Any]):
    tags = original(context, data_dict)
    if not _needs_filter(context) or not tags:
        return tags
    visible = _visible_tags(context, data_dict.get("vocabulary_id"))
    return [tag for tag in tags if _tag_name(tag) in visible]


@toolkit.chained_action
@toolkit.side_effect_free
def tag_search(original: Any, context: dict[str, Any], data_dict: dict[str, Any]):
    found = original(context, data_dict)
    if not _needs_filter(context) or not found.get("results"):
        return found
    visible = _visible_tags(context, data_dict.get("vocabulary_id"))
    kept = [tag for tag in found["results"] if _tag_name(tag) in visible]
    removed = len(found["results"]) - len(kept)
    return {**found, "results": kept, "count": max(found.get("count", 0) - removed, len(kept))}


@toolkit.chained_action
@toolkit.side_effect_free
def tag_autocomplete(original: Any, context: dict[str, Any], data_dict: dict[str, Any]):
    names = original(context, data_dict)
    if not _needs_filter(context) or not names:
        return names
    visible = _visible_tags(context, data_dict.get("vocabulary_id"))
    return [name for name in names if name in visible]


def auth_functions() -> dict[str, Any]:
    return {"member_list": member_list_auth}


def actions() -> dict[str, Any]:
    return {
        "member_list": member_list,
        "tag_list": tag_list,
        "tag_search": tag_search,
        "tag_autocomplete": tag_autocomplete,
    }
