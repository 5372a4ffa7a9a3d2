"""``city_resource_copy``: a new resource of the same dataset holding a copy of a
resource's uploaded file, copied on the portal's disk.

Why: when a dataset's data changes, the publisher keeps the superseded CSV as a resource
of its own ("Version 3 ..."), and the file it keeps is the one the current CSV resource
holds until the new one replaces it. Sending it again took a second upload of the whole
file (1.6 GB for a city's ten million 311 requests); the portal has it already.

Parameters: ``id`` (the resource whose uploaded file is copied) and the new resource's
fields (``name``, ``description``, ``format``, extras such as ``content_sha256``); the
dataset, URL and file are the source's. Returns the new resource. Authorisation is
``resource_create``'s on the source's dataset (CKAN's action checks it). A source with no
uploaded file (a link) is refused.

The copy is a hard link where the disk allows one (instant, whatever the file's size; a
copy took 0.25 s for the 110 MB of a 1M-request CSV): CKAN never rewrites an uploaded
file in place, it writes a new one beside it (``<path>~``) and renames it over the old
name (``ResourceUpload.upload``, CKAN 2.9-2.12), and deleting a resource removes its own
name only, so the two names keep the same bytes until one of them is replaced. Where a
link is refused (another file system, a disk that has none), the bytes are copied.
The file is linked or copied under a temporary name and renamed into place, so a
download never sees half a file; between the resource's creation and the rename (the
copy's time) its download answers 404. A copy that fails (a full disk) deletes the new
resource and the partial file before the error goes back: no version without its file
stays listed.
Only CKAN's own storage on the portal's disk is copied; with any other uploader the
action refuses and the publisher uploads the file instead.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import ckan.lib.uploader as uploader
import ckan.plugins.toolkit as toolkit

# What the copy takes from the source, not from the caller.
SOURCE_FIELDS = ("package_id", "url", "url_type", "upload", "clear_upload", "size")


def city_resource_copy(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    source_id = toolkit.get_or_bust(data_dict, "id")
    source = toolkit.get_action("resource_show")(dict(context), {"id": source_id})
    resource_uploader = uploader.get_resource_uploader(dict(source))
    source_path = (
        resource_uploader.get_path(source["id"])
        if source.get("url_type") == "upload"
        and type(resource_uploader) is uploader.ResourceUpload  # CKAN's own, on disk
        and resource_uploader.storage_path
        else None
    )
    if source_path is None or not os.path.isfile(source_path):
        raise toolkit.ValidationError({"id": ["this resource has no uploaded file to copy"]})
    fields = {k: v for k, v in data_dict.items() if k != "id" and k not in SOURCE_FIELDS}
    created = toolkit.get_action("resource_create")(
        dict(context),
        {
            **fields,
            "package_id": source["package_id"],
            "url": source["url"].rsplit("/", 1)[-1],  # the file name; CKAN adds the rest
            "url_type": "upload",
            "size": os.path.getsize(source_path),
        },
    )
    target_path = uploader.get_resource_uploader(created).get_path(created["id"])
    staged = f"{target_path}.copying"
    try:
        os.makedirs(os.path.dirname(target_path), exist_ok=True)
        _link_or_copy(source_path, staged)
        os.replace(staged, target_path)
    except BaseException:  # (a worker stopped mid-copy too)
        if os.path.exists(staged):
            os.remove(staged)
        toolkit.get_action("resource_delete")(
            {**context, "ignore_auth": True}, {"id": created["id"]}
        )
        raise
    return created


def _link_or_copy(source_path: str, staged: str) -> None:
    if os.path.exists(staged):  # left by a worker stopped mid-copy
        os.remove(staged)
    try:
        os.link(source_path, staged)
    except OSError:
        shutil.copyfile(source_path, staged)


def actions() -> dict[str, Any]:
    return {"city_resource_copy": city_resource_copy}
