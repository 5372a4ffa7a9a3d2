"""The ``city_site`` plugin: files the pipeline publishes beside the datasets, served
at fixed addresses of the portal.

Harvesters look for the DCAT-US catalog at ``/data.json``; residents follow each
dataset's links to its page of the data dictionary (``/dictionary/...``) and to its
quality report (``/quality-reports/...``). These are static files the pipeline builds
(it already builds and validates them), so the portal stores and serves them instead
of rebuilding them: one source of truth, and a catalog that is never a dataset in the
list residents browse.

Actions (sysadmin only: these files speak for the whole city):

- ``city_site_file_put``: ``area``, ``path`` (relative, e.g. ``datasets/x.html``) and
  ``upload`` (multipart); the file replaces the stored one atomically.
- ``city_site_file_list``: ``area`` -> ``{path: sha256}``, so the pipeline sends only
  what changed.
- ``city_site_file_delete``: ``area``, ``path``: e.g. the report of a dataset that is
  no longer published.

Files live under ``<ckan.storage_path>/site/<area>/``, which CKAN's user owns.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit
from flask import Blueprint, abort, redirect, send_file

# area -> the URL prefix it is served under
AREAS = {"catalog": "", "dictionary": "/dictionary", "quality-reports": "/quality-reports"}
# letters, digits, - _ . in each segment; no hidden files, no "..", no absolute paths
SAFE_PATH = re.compile(r"^(?:[A-Za-z0-9_-][A-Za-z0-9_.-]*/)*[A-Za-z0-9_-][A-Za-z0-9_.-]*$")
MAX_FILE_BYTES = 50 * 1024 * 1024
CONTENT_TYPES = {".json": "application/json", ".html": "text/html", ".css": "text/css"}


def site_root() -> Path:
    storage = toolkit.config.get("ckan.storage_path")
    if not storage:
        raise RuntimeError("city_site needs ckan.storage_path")
    return Path(storage) / "site"


def _area(data_dict: dict[str, Any]) -> str:
    area = toolkit.get_or_bust(data_dict, "area")
    if area not in AREAS:
        raise toolkit.ValidationError({"area": [f"use one of {sorted(AREAS)}"]})
    return area


def _path(data_dict: dict[str, Any]) -> str:
    path = toolkit.get_or_bust(data_dict, "path")
    if not SAFE_PATH.match(path) or ".." in path.split("/"):
        raise toolkit.ValidationError({"path": ["a relative path of letters, digits, - _ ."]})
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def city_site_file_put(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    toolkit.check_access("city_site_file_put", context, data_dict)
    area, path = _area(data_dict), _path(data_dict)
    upload = toolkit.get_or_bust(data_dict, "upload")
    stream = getattr(upload, "stream", upload)
    if not hasattr(stream, "read"):
        raise toolkit.ValidationError({"upload": ["send the file as a multipart upload"]})
    target = site_root() / area / path
    target.parent.mkdir(parents=True, exist_ok=True)
    # written beside the target, then renamed: a reader never sees half a file
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    size = 0
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                size += len(chunk)
                if size > MAX_FILE_BYTES:
                    raise toolkit.ValidationError({"upload": ["larger than 50 MB"]})
                out.write(chunk)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return {"area": area, "path": path, "size": size, "sha256": _sha256(target)}


def city_site_file_list(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, str]:
    toolkit.check_access("city_site_file_list", context, data_dict)
    folder = site_root() / _area(data_dict)
    if not folder.is_dir():
        return {}
    return {
        str(p.relative_to(folder)): _sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def city_site_file_delete(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    toolkit.check_access("city_site_file_delete", context, data_dict)
    area, path = _area(data_dict), _path(data_dict)
    target = site_root() / area / path
    existed = target.is_file()
    if existed:
        target.unlink()
        root = site_root() / area
        for folder in target.parents:  # no empty folders left behind
            if folder == root or any(folder.iterdir()):
                break
            folder.rmdir()
    return {"area": area, "path": path, "deleted": existed}


def _sysadmin_only(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    # CKAN lets sysadmins through before calling this; everyone else is refused.
    return {"success": False, "msg": "Only a sysadmin may change the portal's site files"}


def _serve(area: str, path: str):
    if not SAFE_PATH.match(path) or ".." in path.split("/"):
        abort(404)
    target = site_root() / area / path
    if not target.is_file():
        abort(404)
    kind = CONTENT_TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0]
    response = send_file(target, mimetype=kind or "application/octet-stream", max_age=300)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if target.suffix == ".json":  # harvesters and browser tools fetch it cross-origin
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _blueprint() -> Blueprint:
    site = Blueprint("city_site", __name__)
    site.add_url_rule("/data.json", "data_json", lambda: _serve("catalog", "data.json"))
    for area, prefix in AREAS.items():
        if not prefix:
            continue
        # without the slash, the index's relative links would point one level up
        site.add_url_rule(
            prefix,
            f"{area}_bare",
            lambda area=area: redirect(toolkit.url_for(f"city_site.{area}_index")),
        )
        site.add_url_rule(
            f"{prefix}/", f"{area}_index", lambda area=area: _serve(area, "index.html")
        )
        site.add_url_rule(
            f"{prefix}/<path:path>",
            f"{area}_file",
            lambda path, area=area: _serve(area, path),
        )
    return site


class CitySitePlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.IBlueprint)
    plugins.implements(plugins.IActions)
    plugins.implements(plugins.IAuthFunctions)

    def update_config(self, config: toolkit.CKANConfig) -> None:
        # the dataset page's links to its dictionary page and quality report
        toolkit.add_template_directory(config, "site_templates")

    def get_blueprint(self) -> Blueprint:
        return _blueprint()

    def get_actions(self) -> dict:
        return {
            "city_site_file_put": city_site_file_put,
            "city_site_file_list": city_site_file_list,
            "city_site_file_delete": city_site_file_delete,
        }

    def get_auth_functions(self) -> dict:
        return {
            name: _sysadmin_only
            for name in ("city_site_file_put", "city_site_file_list", "city_site_file_delete")
        }
