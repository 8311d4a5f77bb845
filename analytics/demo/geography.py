"""The reference geography (data/geo: the county's townships and villages, official codes)
and a position for every village on the map."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.config import DATA_DIR

GEO_DIR = DATA_DIR / "geo"


@dataclass(frozen=True)
class Geography:
    """The county's T townships (``t_*``, in code order) and V villages (``v_*``, in code
    order), as data/geo has them; the same for every replica."""
    t_code: np.ndarray      # (T,) int64, 9-digit codes
    t_suffix: list[str]     # their last 3 digits (the key of TOWNSHIP_STORY, SHOCK_TOWNSHIPS …)
    t_name: list[str]
    t_short: list[str]
    t_kind: list[str]       # 镇 or 乡
    t_plan: np.ndarray      # (T,) int, planned exit year, 0 = not named by the plan
    t_lat: np.ndarray       # (T,) float, the seat's latitude, degrees
    t_lon: np.ndarray       # (T,) float, the seat's longitude, degrees
    v_code: np.ndarray      # (V,) int64, 12-digit codes
    v_town: np.ndarray      # (V,) int, township index
    v_name: list[str]


def load_geography() -> Geography:
    """data/geo/townships.csv and villages.csv (administrative villages only), each in code
    order."""
    t = pd.read_csv(GEO_DIR / "townships.csv", dtype=str, keep_default_na=False)
    v = pd.read_csv(GEO_DIR / "villages.csv", dtype=str, keep_default_na=False)
    v = v[v["kind"].str.strip() == "village"]
    t = t.sort_values("township_code", kind="stable").reset_index(drop=True)
    v = v.sort_values("village_code", kind="stable").reset_index(drop=True)
    tidx = {c: i for i, c in enumerate(t["township_code"])}
    return Geography(
        t_code=t["township_code"].astype(np.int64).to_numpy(),
        t_suffix=[c[-3:] for c in t["township_code"]],
        t_name=list(t["name"]),
        t_short=list(t["short_name"]),
        t_kind=list(t["kind"]),
        t_plan=np.array([int(x) if x.strip() else 0 for x in t["planned_exit_year"]]),
        t_lat=t["seat_lat"].astype(float).to_numpy(),
        t_lon=t["seat_lon"].astype(float).to_numpy(),
        v_code=v["village_code"].astype(np.int64).to_numpy(),
        v_town=np.array([tidx[c] for c in v["township_code"]]),
        v_name=list(v["name"]),
    )


def village_positions(rng: np.random.Generator, geo: Geography) -> tuple[np.ndarray, np.ndarray]:
    """A point inside its township's map cell (analytics.geo, shrunk by 0.004°) for every
    village, by rejection sampling: two (V,) float arrays, latitude and longitude in
    degrees."""
    import shapely
    from shapely.geometry import shape

    from analytics.geo import township_polygons

    cells = {f["properties"]["township_code"]: shape(f["geometry"])
             for f in township_polygons()[0]["features"]}
    lat = np.empty(len(geo.v_town))
    lon = np.empty(len(geo.v_town))
    for t, code in enumerate(geo.t_code):
        members = np.flatnonzero(geo.v_town == t)
        cell = cells[str(code)].buffer(-0.004)
        x0, y0, x1, y1 = cell.bounds
        xs, ys = np.empty(0), np.empty(0)
        while len(xs) < len(members):
            x = rng.uniform(x0, x1, 4 * len(members))
            y = rng.uniform(y0, y1, 4 * len(members))
            inside = shapely.contains_xy(cell, x, y)
            xs, ys = np.concatenate([xs, x[inside]]), np.concatenate([ys, y[inside]])
        lon[members], lat[members] = xs[: len(members)], ys[: len(members)]
    return lat, lon

