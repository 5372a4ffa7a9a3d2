"""DataStore search latency on the running local portal (127.0.0.1 only).

    .venv/bin/python benchmarks/datastore_search.py --rows 1000000 --clients 200 --requests 400

Sets up (once per row count) a dataset with one DataStore table of N rows, loaded fast:
``datastore_create`` makes the table through CKAN's API, then PostgreSQL fills it with one
``INSERT ... SELECT generate_series`` as the cluster's superuser (CKAN's trigger computes
``_full_text``), then ANALYZE. Then, for each search mode, it fires ``--requests`` requests
from ``--clients`` concurrent threads at the local portal, stops by itself after
``--seconds`` per mode (requests not yet started are skipped and counted), and prints
p50/p95. ``--index gin|gist`` rebuilds the table's ``_full_text`` index first, to compare.

Modes: ``q-common`` (a word in ~12% of rows), ``q-rare`` (a word in 0.1% of rows),
``filters`` (an exact column value, the recommended alternative).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from publish.portal.ckan_setup import DATASTORE_DB  # noqa: E402
from publish.portal.services import Postgres  # noqa: E402
from publish.portal.settings import HOST, load_settings  # noqa: E402

WORDS = (
    "pothole streetlight graffiti noise parking sidewalk tree water sewer garbage "
    "recycling snow permit inspection zoning traffic signal bus bike park library "
    "fire police ambulance housing shelter tax water-main hydrant bridge road"
).split()


def api(base: str, action: str, token: str | None, payload: dict | None = None, timeout=120):
    data = json.dumps(payload or {}).encode()
    request = urllib.request.Request(  # noqa: S310 (the local portal's http URL, checked below)
        f"{base}/api/3/action/{action}",
        data=data,
        headers={"Content-Type": "application/json", **({"Authorization": token} if token else {})},
    )
    if not base.startswith(f"http://{HOST}:"):
        raise SystemExit("this benchmark only talks to the local portal on 127.0.0.1")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return json.loads(response.read())["result"]
    except urllib.error.HTTPError as error:
        return {"__error__": error.code, "body": error.read()[:300].decode(errors="replace")}


def setup_table(base: str, token: str, rows: int, postgres: Postgres) -> str:
    name = f"benchmark-datastore-{rows}"
    org = api(base, "organization_show", token, {"id": "benchmark"})
    if "__error__" in org:
        org = api(base, "organization_create", token, {"name": "benchmark", "title": "Benchmark"})
    dataset = api(base, "package_show", token, {"id": name})
    if "__error__" not in dataset and dataset.get("resources"):
        resource_id = dataset["resources"][0]["id"]
        count = postgres.sql(f'SELECT count(*) FROM "{resource_id}"', database=DATASTORE_DB).strip()
        if count == str(rows):
            print(f"table {resource_id}: {rows:,} rows already loaded")
            return resource_id
        api(base, "dataset_purge", token, {"id": name})
    dataset = api(
        base,
        "package_create",
        token,
        {"name": name, "title": f"DataStore benchmark ({rows:,} rows)", "owner_org": org["id"]},
    )
    created = api(
        base,
        "datastore_create",
        token,
        {
            "resource": {"package_id": dataset["id"], "name": "requests"},
            "fields": [
                {"id": "ward", "type": "text"},
                {"id": "category", "type": "text"},
                {"id": "description", "type": "text"},
            ],
            # what a publisher should declare for the columns people filter on
            "indexes": ["ward", "category"],
            "force": True,
        },
    )
    resource_id = created["resource_id"]
    words = "ARRAY[" + ",".join(f"'{w}'" for w in WORDS) + "]"
    started = time.monotonic()
    postgres.sql(
        f"""INSERT INTO "{resource_id}" (ward, category, description)
        SELECT (i % 25 + 1)::text,
               ({words})[i % {len(WORDS)} + 1],
               concat_ws(' ', ({words})[(i * 7) % {len(WORDS)} + 1],
                              ({words})[(i * 13) % {len(WORDS)} + 1],
                              'case' || (i % 1000)::text, 'reported near block', (i % 9973)::text)
        FROM generate_series(1, {rows}) AS i;
        ANALYZE "{resource_id}";""",
        database=DATASTORE_DB,
    )
    print(f"loaded {rows:,} rows into {resource_id} in {time.monotonic() - started:.0f} s")
    return resource_id


def rebuild_fts_index(postgres: Postgres, resource_id: str, method: str) -> None:
    existing = postgres.sql(
        "SELECT indexname FROM pg_indexes WHERE tablename = "
        f"'{resource_id}' AND indexdef LIKE '%(_full_text)%'",
        database=DATASTORE_DB,
    ).split()
    drops = "".join(f'DROP INDEX IF EXISTS "{index}";' for index in existing)
    started = time.monotonic()
    postgres.sql(
        f'{drops} CREATE INDEX "{resource_id[:20]}_fts_{method}" ON "{resource_id}" '
        f'USING {method} (_full_text); ANALYZE "{resource_id}";',
        database=DATASTORE_DB,
    )
    print(f"_full_text index rebuilt as {method} in {time.monotonic() - started:.0f} s")


def fire(base: str, payload: dict, clients: int, total: int, seconds: float) -> dict:
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def one(_: int) -> None:
        if time.monotonic() > deadline:
            with lock:
                statuses["skipped"] = statuses.get("skipped", 0) + 1
            return
        started = time.monotonic()
        result = api(base, "datastore_search", None, payload, timeout=max(seconds, 1))
        elapsed = time.monotonic() - started
        key = str(result.get("__error__", 200)) if isinstance(result, dict) else "200"
        with lock:
            latencies.append(elapsed)
            statuses[key] = statuses.get(key, 0) + 1

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, range(total)))
    latencies.sort()
    pct = (
        (lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))])
        if latencies
        else (lambda p: float("nan"))
    )
    return {
        "n": len(latencies),
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p95": pct(0.95),
        "max": latencies[-1] if latencies else float("nan"),
        "wall": time.monotonic() - started,
        "statuses": statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=120, help="time limit per mode")
    parser.add_argument("--index", choices=["gin", "gist"], help="rebuild the _full_text index")
    parser.add_argument("--modes", default="q-common,q-rare,filters")
    parser.add_argument("--include-total", choices=["true", "false"], default="true")
    args = parser.parse_args()

    settings = load_settings()
    base = settings.site_url
    token = settings.api_token_file.read_text().strip()
    postgres = Postgres(settings)
    resource_id = setup_table(base, token, args.rows, postgres)
    if args.index:
        rebuild_fts_index(postgres, resource_id, args.index)
    include_total = args.include_total == "true"
    payloads = {
        "q-common": {"q": "pothole", "limit": 10},
        "q-rare": {"q": "case517", "limit": 10},
        "filters": {"filters": {"ward": "7", "category": "pothole"}, "limit": 10},
    }
    for mode in args.modes.split(","):
        payload = {"resource_id": resource_id, "include_total": include_total, **payloads[mode]}
        single = fire(base, payload, 1, 1, args.seconds)
        result = fire(base, payload, args.clients, args.requests, args.seconds)
        print(
            f"{mode:<9} rows={args.rows:,} clients={args.clients} n={result['n']} "
            f"single={single['p50']:.2f}s p50={result['p50']:.2f}s p95={result['p95']:.2f}s "
            f"max={result['max']:.2f}s wall={result['wall']:.0f}s statuses={result['statuses']}",
            flush=True,
        )


if __name__ == "__main__":
    main()
