"""CKAN's configuration, databases, DataStore, sysadmin and the pipeline's API token.

Secrets (database passwords, the sysadmin's password) are generated once into
``secrets.json`` and the API token into ``api_token``, both mode 0600 in the portal's
data folder. Nothing here prints a secret.
"""

from __future__ import annotations

import json
import os
import secrets

from . import city_files
from .errors import PortalError
from .processes import run
from .services import Ckan, Postgres, write_private
from .settings import HOST, PortalSettings

CKAN_DB = "ckan_default"
DATASTORE_DB = "datastore_default"
CKAN_DB_USER = "ckan_default"
DATASTORE_READ_USER = "datastore_default"
ADMIN_USER = "city_admin"
TOKEN_NAME = "city-data-pipeline"  # noqa: S105 (a label, not a secret)
# city_theme first: its templates win over the other plugins' (see its theme.py)
PLUGINS = (
    "city_theme pgsearch activity datastore datatables_view text_view image_view "
    "scheming_datasets charts_view"
)
# A file's upload limit: a big city's full extract is large (10M service requests: a
# 1.6 GB CSV), and CKAN refuses a bigger file with "File upload too large". Uploads are
# streamed by the publisher and written to storage in blocks by CKAN, in neither
# process's memory (publish/ckan/multipart.py).
MAX_RESOURCE_SIZE_MB = 8192
# The catalog endpoints: our site files (/data.json, /dictionary/, /quality-reports/)
# and ckanext-dcat's RDF (/catalog.ttl, /dataset/<name>.jsonld, ...), with our profile
# after DCAT-AP 3's so the dictionary's facts appear in it (ckanext-pgsearch).
CATALOG_PLUGINS = "city_site dcat"
DCAT_PROFILES = "euro_dcat_ap_3 city_dcat"


SECRET_LENGTHS = {
    "ckan_db_password": 24,
    "datastore_read_password": 24,
    "admin_password": 18,
    # Redis's requirepass; CKAN gets it inside ckan.redis.url (ckan.ini, 0600).
    "redis_password": 32,
}


def load_secrets(settings: PortalSettings) -> dict[str, str]:
    """The portal's secrets; any missing one (a portal from an older version) is added."""
    values: dict[str, str] = {}
    if settings.secrets_file.exists():
        values = json.loads(settings.secrets_file.read_text())
    missing = {name: n for name, n in SECRET_LENGTHS.items() if not values.get(name)}
    if missing or not settings.secrets_file.exists():
        # token_urlsafe: letters, digits, - and _, safe inside a URL's userinfo
        values.update({name: secrets.token_urlsafe(n) for name, n in missing.items()})
        write_private(settings.secrets_file, json.dumps(values, indent=2))
    os.chmod(settings.secrets_file, 0o600)
    return values


def ensure_config(settings: PortalSettings, ckan: Ckan, secret: dict[str, str]) -> None:
    """Generate ckan.ini once, then (re)apply our settings so port changes take effect."""
    if not settings.ckan_ini.exists():
        ckan_bin = settings.venv_bin("ckan")
        run([ckan_bin, "generate", "config", settings.ckan_ini], what="ckan generate config")
        os.chmod(settings.ckan_ini, 0o600)
    db = f"{HOST}:{settings.postgres_port}"
    options = {
        "sqlalchemy.url": f"postgresql://{CKAN_DB_USER}:{secret['ckan_db_password']}@{db}/{CKAN_DB}",
        "ckan.datastore.write_url": f"postgresql://{CKAN_DB_USER}:{secret['ckan_db_password']}@{db}/{DATASTORE_DB}",
        "ckan.datastore.read_url": f"postgresql://{DATASTORE_READ_USER}:{secret['datastore_read_password']}@{db}/{DATASTORE_DB}",
        # No Solr here: pgsearch serves search. Port 9 (discard) on loopback refuses at
        # once, so CKAN's start-up schema check only logs a warning.
        "solr_url": f"http://{HOST}:9/solr/ckan",
        "ckan.redis.url": f"redis://:{secret['redis_password']}@{HOST}:{settings.redis_port}/0",
        "ckan.site_url": settings.site_url,
        "ckan.site_id": "city_portal",
        "ckan.site_title": "City Open Data (local portal)",
        "ckan.plugins": f"{PLUGINS} {CATALOG_PLUGINS}",
        "ckanext.dcat.rdf.profiles": DCAT_PROFILES,
        # each distribution states the dataset's licence (DCAT-AP wants it there)
        "ckanext.dcat.resource.inherit.license": "true",
        "ckan.storage_path": str(settings.storage_dir),
        "ckan.max_resource_size": str(MAX_RESOURCE_SIZE_MB),
        "ckan.auth.create_unowned_dataset": "false",
        "ckan.datastore.sqlsearch.enabled": "false",
        # Anonymous visitors get no user_list / user_show (CKAN 2.12's own auth
        # functions call restrict_anon when this is false); nobody can self-register
        # (create_user_via_web/api are false), so this cannot be bypassed by signing up.
        "ckan.auth.public_user_details": "false",
        # Full-text indexes of new DataStore tables: GIN (exact, fast lookups) instead of
        # CKAN's default GiST (lossy: every candidate row is rechecked from the heap).
        "ckan.datastore.default_fts_index_method": "gin",
        # Dataset fields as labelled fields (ckanext-scheming) and the city's name and
        # About text, from the active city's dictionary (city_files.py).
        **city_files.ckan_options(settings),
        # ckanext-charts caches chart data in CKAN's Redis (its default, made explicit).
        "ckanext.charts.cache_strategy": "redis",
    }
    settings.storage_dir.mkdir(parents=True, exist_ok=True)
    # config-tool must run without -c: with it, CKAN would load (and connect) first.
    run(
        [
            settings.venv_bin("ckan"),
            "config-tool",
            settings.ckan_ini,
            *[f"{key}={value}" for key, value in options.items()],
        ],
        what="ckan config-tool",
    )
    os.chmod(settings.ckan_ini, 0o600)


def ensure_databases(postgres: Postgres, secret: dict[str, str]) -> None:
    existing_roles = set(postgres.sql("SELECT rolname FROM pg_roles").split())
    statements = []
    if CKAN_DB_USER not in existing_roles:
        statements.append(
            f"CREATE ROLE {CKAN_DB_USER} LOGIN PASSWORD '{secret['ckan_db_password']}';"
        )
    if DATASTORE_READ_USER not in existing_roles:
        statements.append(
            f"CREATE ROLE {DATASTORE_READ_USER} LOGIN PASSWORD "
            f"'{secret['datastore_read_password']}';"
        )
    if statements:
        postgres.sql("\n".join(statements))
    existing_dbs = set(postgres.sql("SELECT datname FROM pg_database").split())
    for database in (CKAN_DB, DATASTORE_DB):
        if database not in existing_dbs:
            postgres.sql(f"CREATE DATABASE {database} OWNER {CKAN_DB_USER} ENCODING 'UTF8';")


def ensure_initialised(settings: PortalSettings, postgres: Postgres, ckan: Ckan) -> None:
    """Create CKAN's tables and the DataStore's permissions once."""
    marker = settings.portal_dir / ".initialised"
    if marker.exists():
        return
    print("  initialising CKAN's database and the DataStore ...", flush=True)
    ckan.cli("db", "init", what="ckan db init")
    permissions_sql = ckan.cli(
        "datastore", "set-permissions", what="ckan datastore set-permissions"
    )
    postgres.sql(permissions_sql, database=DATASTORE_DB)
    marker.write_text("CKAN database and DataStore initialised\n")


def ensure_sysadmin_and_token(settings: PortalSettings, ckan: Ckan, secret: dict[str, str]) -> None:
    """A sysadmin for the data team and an API token for the pipeline (0600 file)."""
    if settings.api_token_file.exists() and settings.api_token_file.read_text().strip():
        return
    users = ckan.cli("user", "list", what="ckan user list")
    if f"name={ADMIN_USER}" not in users:
        ckan.cli(
            "sysadmin",
            "add",
            ADMIN_USER,
            "--create",
            f"email={ADMIN_USER}@localhost",
            f"password={secret['admin_password']}",
            "fullname=City data team",
            what="creating the portal's sysadmin",
        )
    token = (
        ckan.cli(
            "user",
            "token",
            "add",
            ADMIN_USER,
            TOKEN_NAME,
            "--quiet",
            what="creating the pipeline's API token",
        )
        .strip()
        .splitlines()[-1]
        .strip()
    )
    if not token:
        raise PortalError("CKAN returned an empty API token")
    write_private(settings.api_token_file, token + "\n")
