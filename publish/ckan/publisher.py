"""Publish to CKAN idempotently: show, then create or patch; never a duplicate.

Typed ckanapi errors (NotFound, ValidationError, NotAuthorized) are caught where they mean
something and re-raised as :class:`PublishError` with what we were doing. Files whose
content did not change (same sha256, kept in the resource's ``content_sha256``) are not
uploaded again, and their DataStore table is left as it is.
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

import ckanapi

from dagster_project.lib.files import file_sha256

from .mapping import CKAN_CORE_FIELDS, SCHEMA_FIELD_KEYS, package_facts, with_schema_fields
from .views import view_differs

DATASTORE_CHUNK_ROWS = 10_000


class PublishError(RuntimeError):
    """Publishing failed; the message says what we were doing and what CKAN answered."""


class NoCopyAction(PublishError):
    """The portal has no ``city_datastore_load`` / ``city_resource_copy`` action (not our
    plugin's CKAN)."""


def metadata_differs(
    current: dict[str, Any], wanted: dict[str, Any], fields: Collection[str] = SCHEMA_FIELD_KEYS
) -> bool:
    """True when any field we publish differs from what the portal shows (compared in the
    portal's schema shape: its schema's ``fields`` at the top level, see
    ``with_schema_fields``)."""
    for key, value in with_schema_fields(wanted, fields).items():
        if key == "tags":
            if sorted(t["name"] for t in current.get("tags", [])) != sorted(
                t["name"] for t in value
            ):
                return True
        elif key == "extras":
            if {e["key"]: e["value"] for e in current.get("extras", [])} != {
                e["key"]: e["value"] for e in value
            }:
                return True
        elif key == "owner_org":
            if value not in (
                current.get("owner_org"),
                (current.get("organization") or {}).get("name"),
            ):
                return True
        elif current.get(key) != value:
            return True
    return False


def _with_facts_of(
    package: dict[str, Any], current: dict[str, Any], keys: Collection[str]
) -> dict[str, Any]:
    """``package`` with the facts ``keys`` as ``current`` (the portal's package) has them:
    CKAN's own fields ("version") as fields, the others as extras."""
    facts = package_facts(current)
    package = {k: v for k, v in package.items() if k not in keys}
    for key in keys:
        if key in CKAN_CORE_FIELDS and current.get(key):
            package[key] = current[key]
    extras = [e for e in package.get("extras", []) if e["key"] not in keys]
    extras += [
        {"key": k, "value": facts[k]} for k in keys if k in facts and k not in CKAN_CORE_FIELDS
    ]
    return {**package, "extras": extras}


class CkanPublisher:
    def __init__(self, client: ckanapi.RemoteCKAN, known: dict | None = None):
        """``known``: what a run's publishers share of what the portal said, asked once
        a run (the portal's dataset fields, each organization once it is as wanted): two
        calls of every dataset's publication (30 ms)."""
        self.client = client
        self.known = known if known is not None else {}
        # seconds spent loading DataStore tables (the pipeline benchmark reports rows/s)
        self.datastore_seconds = 0.0

    def beside(self) -> CkanPublisher | None:
        """A publisher for calls made on another thread while this one waits on the portal
        (its own HTTP session); None when the client cannot make one."""
        another = getattr(self.client, "another", None)
        return CkanPublisher(another(), known=self.known) if another is not None else None

    def _call(self, action: str, what: str, **data: Any) -> Any:
        try:
            # the action shortcut sends file objects (upload=...) as multipart parts
            return getattr(self.client.action, action)(**data)
        except ckanapi.ValidationError as error:
            raise PublishError(f"{what}: CKAN rejected the data: {error.error_dict}") from None
        except ckanapi.NotAuthorized as error:
            raise PublishError(
                f"{what}: the API token may not do this ({error}); check "
                "CKAN_API_TOKEN and the user's role in the organization"
            ) from None

    def call(self, action: str, what: str, **data: Any) -> Any:
        """Any action (e.g. our plugin's), with the same typed errors."""
        return self._call(action, what, **data)

    @property
    def schema_fields(self) -> frozenset[str]:
        if "schema_fields" not in self.known:
            self.known["schema_fields"] = self._schema_fields()
        return self.known["schema_fields"]

    def _schema_fields(self) -> frozenset[str]:
        """The dataset fields of the portal's ckanext-scheming schema, asked once.

        Our facts go top-level where the portal has a schema field for them (CKAN refuses
        an extra named like one) and stay extras everywhere else: a CKAN without
        ckanext-scheming drops top-level keys it does not know, so the facts (owner
        division, frequency, grain, quality...) would be lost there."""
        try:
            schema = self.client.action.scheming_dataset_schema_show(type="dataset")
        except ckanapi.NotFound:
            return frozenset()  # scheming, but no schema for the type "dataset"
        except ckanapi.CKANAPIError as error:
            if "Action name not known" not in str(error):
                raise
            return frozenset()  # no ckanext-scheming on this portal
        return frozenset(f["field_name"] for f in schema.get("dataset_fields", []))

    def _show(self, action: str, **data: Any) -> dict | None:
        try:
            return getattr(self.client.action, action)(**data)
        except ckanapi.NotFound:
            return None

    def ensure_organization(self, org: dict[str, Any]) -> dict[str, Any]:
        seen = self.known.setdefault("organizations", {})
        if org["name"] in seen and seen[org["name"]][0] == org:
            return seen[org["name"]][1]
        # (without the dataset count, members and followers CKAN adds by default: 10 ms
        # instead of 40, and only the name, title and description are compared)
        current = self._show(
            "organization_show", id=org["name"], include_dataset_count=False,
            include_users=False, include_followers=False, include_groups=False,
        )  # fmt: skip
        if current is None:
            current = self._call(
                "organization_create", f"creating organization {org['name']}", **org
            )
        elif any(current.get(k) != v for k, v in org.items()):
            current = self._call(
                "organization_patch",
                f"updating organization {org['name']}",
                id=current["id"],
                **org,
            )
        seen[org["name"]] = (dict(org), current)
        return current

    def package_exists(self, name: str) -> bool:
        return self.show_package(name) is not None

    def show_package(self, name: str) -> dict[str, Any] | None:
        return self._show("package_show", id=name)

    def withdraw_package(self, name: str) -> str:
        """Make a published dataset private (hidden from the public, kept for the city)
        until a version that passes its gates publishes it again."""
        current = self._show("package_show", id=name)
        if current is None:
            return "never published"
        if current.get("private"):
            return "already withdrawn"
        self._call("package_patch", f"withdrawing dataset {name}", id=current["id"], private=True)
        return "withdrawn"

    def upsert_package(
        self,
        package: dict[str, Any],
        keep: Collection[str] = (),
        shown: dict[str, Any] | None = None,
    ) -> tuple[dict[str, Any], str]:
        """Create the package, or patch its metadata in place (resources untouched).

        ``keep``: facts an existing package keeps as the portal has them (a publication
        sends its version's facts once, after its files: see ``dataset.publish_dataset``).
        A package published before the portal had its dataset schema (facts as extras)
        is read by the schema as the same fields, so it is patched in place too.
        ``shown``: the package as the portal showed it a moment ago, when nothing but
        its resources changed since (it is not asked for again)."""
        current = shown if shown is not None else self._show("package_show", id=package["name"])
        if current is not None and keep:
            package = _with_facts_of(package, current, keep)
        package = with_schema_fields(package, self.schema_fields)
        if current is None:
            created = self._call("package_create", f"creating dataset {package['name']}", **package)
            return created, "created"
        if current.get("state") == "deleted":
            package = {**package, "state": "active"}
        elif not metadata_differs(current, package, self.schema_fields):
            return current, "unchanged"  # keeps "last updated" meaningful for residents
        patched = self._call(
            "package_patch", f"updating dataset {package['name']}", id=current["id"], **package
        )
        return patched, "updated"

    def update_extras(self, name: str, extras: dict[str, str]) -> bool:
        """Set these extras on a package, keeping its others (the quality score, measured
        after publication); False when the package is gone or already says so."""
        current = self._show("package_show", id=name)
        if current is None or current.get("state") != "active":
            return False
        if all(package_facts(current).get(k) == v for k, v in extras.items()):
            return False
        # the other extras are sent back as they are (a patch replaces the extras list);
        # keys that are schema fields go top-level (with_schema_fields)
        kept = {e["key"]: e["value"] for e in current.get("extras", [])}
        wanted = with_schema_fields(
            {"extras": [{"key": k, "value": v} for k, v in {**kept, **extras}.items()]},
            self.schema_fields,
        )
        self._call("package_patch", f"updating dataset {name}'s facts", id=current["id"], **wanted)
        return True

    def upsert_resource(
        self, package: dict[str, Any], resource: dict[str, Any], path: Path
    ) -> tuple[dict[str, Any], str]:
        """Upload ``path`` as the package's resource named ``resource['name']``."""
        sha = file_sha256(path)
        fields = {k: v for k, v in resource.items() if k != "file_suffix"}
        existing = next(
            (r for r in package.get("resources", []) if r["name"] == resource["name"]), None
        )
        if existing is not None and existing.get("content_sha256") == sha:
            return existing, "unchanged"
        # one call creates or replaces: resource_create on the package, or resource_patch
        action, target, verb = (
            ("resource_create", {"package_id": package["id"]}, "created")
            if existing is None
            else ("resource_patch", {"id": existing["id"]}, "replaced")
        )
        with path.open("rb") as upload:
            published = self._call(
                action,
                f"uploading {path.name}",
                **target,
                upload=upload,
                content_sha256=sha,
                **fields,
            )
        return published, verb

    def load_datastore(
        self,
        resource_id: str,
        fields: list[dict[str, Any]],
        batches: Iterable[list[dict[str, Any]]],
    ) -> int:
        """Replace the resource's DataStore table: fields (with descriptions), then rows,
        through CKAN's own API (one INSERT per row: the way for a portal without COPY)."""
        started = time.monotonic()
        try:
            self.client.call_action("datastore_delete", {"resource_id": resource_id, "force": True})
        except ckanapi.NotFound:
            pass
        self._call(
            "datastore_create",
            "creating the DataStore table",
            resource_id=resource_id,
            fields=fields,
            force=True,
        )
        loaded = 0
        for records in batches:
            # json round-trip: dates, timestamps and decimals become plain JSON values
            self._call(
                "datastore_upsert",
                "loading rows into the DataStore",
                resource_id=resource_id,
                method="insert",
                force=True,
                records=json.loads(json.dumps(records, default=str)),
            )
            loaded += len(records)
        self.datastore_seconds += time.monotonic() - started
        return loaded

    def sync_datastore_fields(self, resource_id: str, fields: list[dict[str, Any]]) -> bool:
        """Update the DataStore's data dictionary (labels, descriptions) in place when the
        dictionary changed but the data did not; True if it was updated."""
        current = self._show("datastore_search", resource_id=resource_id, limit=0)
        if current is None:
            return False
        info = {f["id"]: f.get("info", {}) for f in current["fields"]}
        if all(info.get(f["id"]) == f["info"] for f in fields):
            return False
        self._call(
            "datastore_create",
            "updating the data dictionary",
            resource_id=resource_id,
            fields=fields,
            force=True,
        )
        return True

    def datastore_state(self, resource_id: str) -> dict[str, Any] | None:
        """The DataStore table's columns (ours, not CKAN's _id/_full_text) and row count."""
        result = self._show("datastore_search", resource_id=resource_id, limit=0)
        if result is None:
            return None
        columns = [f["id"] for f in result["fields"] if not f["id"].startswith("_")]
        return {"columns": columns, "rows": result["total"]}

    def copy_datastore(
        self,
        resource_id: str,
        fields: list[dict[str, Any]],
        key_columns: list[str],
        rows_csv: Path,
        method: str,
        expected_rows: int,
        delete: Path | None = None,
    ) -> dict[str, Any]:
        """Load rows (a CSV, gzip or not) with the portal's COPY action, in one transaction."""
        started = time.monotonic()
        with rows_csv.open("rb") as upload:
            files = {"upload": upload}
            if delete is not None:
                files["delete"] = delete.open("rb")
            try:
                return self._call(
                    "city_datastore_load",
                    "loading the DataStore (COPY)",
                    resource_id=resource_id,
                    fields=json.dumps(fields),
                    primary_key=json.dumps(key_columns),
                    method=method,
                    expected_rows=str(expected_rows),
                    **files,
                )
            except ckanapi.CKANAPIError as error:
                if "city_datastore_load" in str(error) and "not known" in str(error).lower():
                    raise NoCopyAction(str(error)) from None
                raise
            finally:
                if delete is not None:
                    files["delete"].close()
                self.datastore_seconds += time.monotonic() - started

    def copy_resource_file(self, source_id: str, resource: dict[str, Any]) -> dict[str, Any]:
        """A new resource of the source's dataset holding a copy of the source's uploaded
        file, copied on the portal's disk by our plugin's ``city_resource_copy``."""
        try:
            return self._call(
                "city_resource_copy", f"copying the file of {resource['name']}",
                id=source_id, **resource,
            )  # fmt: skip
        except ckanapi.CKANAPIError as error:
            if "city_resource_copy" in str(error) and "not known" in str(error).lower():
                raise NoCopyAction(str(error)) from None
            raise

    def ensure_views(self, resource_id: str, views: list[dict[str, Any]]) -> dict[str, str]:
        """Create the resource's missing views, update the changed ones (matched by type
        and title); views added by hand on the portal are left alone."""
        current = {
            (v["view_type"], v["title"]): v
            for v in self._call("resource_view_list", "listing views", id=resource_id)
        }
        actions = {}
        for view in views:
            existing = current.get((view["view_type"], view["title"]))
            if existing is None:
                what = f"creating the view {view['title']!r}"
                self._call("resource_view_create", what, resource_id=resource_id, **view)
                actions[view["title"]] = "created"
            elif view_differs(existing, view):
                what = f"updating the view {view['title']!r}"
                self._call(
                    "resource_view_update",
                    what,
                    id=existing["id"],
                    resource_id=resource_id,
                    **view,
                )
                actions[view["title"]] = "updated"
            else:
                actions[view["title"]] = "unchanged"
        return actions

    def datastore_count(self, resource_id: str) -> int | None:
        result = self._show("datastore_search", resource_id=resource_id, limit=0)
        return None if result is None else result["total"]

    def delete_resource(self, resource_id: str) -> None:
        """Delete a resource (a superseded version's file past its retention)."""
        try:
            self.client.action.resource_delete(id=resource_id)
        except ckanapi.NotFound:
            pass  # deleted by hand already: the goal is reached

    def reorder_resources(self, package_id: str, order: list[str]) -> None:
        self._call(
            "package_resource_reorder",
            "ordering the dataset's files",
            id=package_id,
            order=order,
        )

    def delete_package(self, name: str) -> None:
        """Delete a dataset (CKAN's trash: gone from the public portal, purgeable by an
        administrator) once a retired dataset's retention is over."""
        self._call("package_delete", f"deleting dataset {name}", id=name)
