"""Print what the portal publishes, as stable JSON: packages (metadata, tags, extras),
resources, each DataStore table's fields and row count, and the data packages' content.

For comparing the portal before and after a change (ids, timestamps and URLs that differ
between portals are left out):

    .venv/bin/python scripts/portal_snapshot.py > before.json   # on the old commit
    .venv/bin/python scripts/portal_snapshot.py > after.json    # on the new one
    diff before.json after.json
"""

from __future__ import annotations

import json
import re
import sys

import requests

from publish.portal.connection import portal_connection

VOLATILE = {
    "id",
    "metadata_modified",
    "metadata_created",
    "revision_id",
    "created",
    "last_modified",
    "package_id",
    "url",
    "cache_last_updated",
    "datastore_active",
    "position",
    "size",
    "num_resources",
    "num_tags",
    "creator_user_id",
    "owner_org",
    "organization",
    "mimetype",
    "datastore_contains_all_records_of_source_file",
}


def _stable(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in VOLATILE}


def _resource(ckan, resource: dict) -> dict:
    entry = _stable(resource)
    if resource.get("datastore_active"):
        table = ckan.action.datastore_search(resource_id=resource["id"], limit=0)
        entry["datastore_total"], entry["datastore_fields"] = table["total"], table["fields"]
    if resource["format"] == "JSON":  # a data package or catalog: compare its content
        body = requests.get(resource["url"], timeout=60).text
        body = re.sub(r"/dataset/[0-9a-f-]+/resource/[0-9a-f-]+/", "/dataset/ID/resource/ID/", body)
        entry["content"] = json.loads(re.sub(r'"modified": "[^"]+"', '"modified": "X"', body))
        entry.pop("content_sha256", None)
    return entry


def main() -> int:
    ckan = portal_connection().client()
    snapshot = {}
    for name in sorted(ckan.action.package_list()):
        package = ckan.action.package_show(id=name)
        entry = _stable(package)
        entry["organization_name"] = package["organization"]["name"]
        entry["extras"] = sorted((e["key"], e["value"]) for e in package.get("extras", []))
        entry["tags"] = sorted(t["name"] for t in package.get("tags", []))
        entry["resources"] = [_resource(ckan, r) for r in package["resources"]]
        snapshot[name] = entry
    json.dump(snapshot, sys.stdout, indent=1, sort_keys=True, default=str)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
