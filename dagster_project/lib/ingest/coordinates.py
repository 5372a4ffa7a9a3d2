"""Projected coordinates (UTM, MTM, State Plane...) to longitude and latitude, at ingest.

A contract's ``coordinates`` entry names the easting and northing columns, the EPSG code
of their coordinate reference system and the two contract columns (type double) that
receive the WGS84 longitude and latitude. The conversion is pyproj's (PROJ), offline,
vectorised over the file's rows; a point it cannot convert (an empty or impossible
value) gets no longitude or latitude, and the original columns are kept as they came.
"""

from __future__ import annotations

from ..warehouse import quote
from .errors import UnreadableFile

WGS84 = "EPSG:4326"


def add_coordinates(conn, specs: list[dict], contract: dict[str, dict]) -> list[str]:
    """Add each entry's longitude and latitude columns to ``_staged_data``; return their
    names (the loader inserts them with the file's columns)."""
    # imported here: only a source with coordinates to convert needs them (~0.13 s of
    # every run's start, which imports the loader)
    import numpy as np
    import pyarrow as pa
    from pyproj import Transformer

    added: list[str] = []
    for spec in specs:
        for axis in ("x", "y"):
            if spec[axis] not in contract:
                raise UnreadableFile(f"the coordinates' {axis} column {spec[axis]!r} is missing")
        x_sql, y_sql = (_double(conn, spec[axis], contract) for axis in ("x", "y"))
        rows = conn.execute(f"SELECT rowid AS rid, {x_sql} AS x, {y_sql} AS y FROM _staged_data")
        points = rows.fetchnumpy()
        transformer = Transformer.from_crs(f"EPSG:{spec['epsg']}", WGS84, always_xy=True)
        # empty values come as masked entries: NaN, which converts to no point
        x = np.ma.asarray(points["x"], dtype="float64").filled(np.nan)
        y = np.ma.asarray(points["y"], dtype="float64").filled(np.nan)
        longitude, latitude = transformer.transform(x, y)
        valid = np.isfinite(longitude) & np.isfinite(latitude)
        converted = pa.table(
            {
                "rid": points["rid"],
                "longitude": pa.array(np.where(valid, longitude, np.nan), from_pandas=True),
                "latitude": pa.array(np.where(valid, latitude, np.nan), from_pandas=True),
            }
        )
        conn.register("_converted_points", converted)
        for name in (spec["longitude"], spec["latitude"]):
            conn.execute(f"ALTER TABLE _staged_data ADD COLUMN IF NOT EXISTS {quote(name)} DOUBLE")
        conn.execute(
            f"UPDATE _staged_data SET {quote(spec['longitude'])} = c.longitude, "
            f"{quote(spec['latitude'])} = c.latitude FROM _converted_points AS c "
            "WHERE _staged_data.rowid = c.rid"
        )
        conn.unregister("_converted_points")
        added += [spec["longitude"], spec["latitude"]]
    return added


def _double(conn, name: str, contract: dict[str, dict]) -> str:
    typed = contract[name]["type"] != "varchar"
    column = quote("__typed__" + name) if typed else quote(name)
    return f"TRY_CAST({column} AS DOUBLE)"
