"""The reference geography (data/geo: the county's townships and villages, official codes),
each township's path through the years, and a position for every village on the map."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.config import DATA_DIR
from analytics.demo.calibration import (GROUP_PATHS, NY, PATH_AT_DUE, PATH_WOBBLE, TOWNSHIP_STORY,
                                          YEARS)

GEO_DIR = DATA_DIR / "geo"


@dataclass(frozen=True)
class Geography:
    t_code: np.ndarray      # int64 9-digit codes
    t_suffix: list[str]     # last 3 digits
    t_name: list[str]
    t_short: list[str]
    t_kind: list[str]
    t_plan: np.ndarray      # planned exit year, 0 = none
    t_lat: np.ndarray
    t_lon: np.ndarray
    v_code: np.ndarray      # int64 12-digit codes
    v_town: np.ndarray      # township index
    v_name: list[str]


def load_geography() -> Geography:
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


def unnamed_due_year(cfg) -> int:
    """The due year of a township the plan does not name: the county's (整体脱贫摘帽)."""
    t = cfg.targets
    return int(t.get("unnamed_due_year", t.get("target_year", 2017)))


def township_paths(rng, geo: Geography, due: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every township's path (GROUP_PATHS with its TOWNSHIP_STORY overrides) as two
    (T, NY) arrays, NaN where the other one applies: ``share``, the share of its 2014
    incidence to reach by the end of each year before its due year, and ``pct``, the
    incidence (%) to reach from its due year on.  A due year outside GROUP_PATHS takes
    the nearest group's path, shifted."""
    T = len(due)
    share = np.full((T, NY), np.nan)
    pct = np.full((T, NY), np.nan)
    at_due = rng.uniform(*PATH_AT_DUE, T)
    wobble = rng.normal(0.0, PATH_WOBBLE, T)
    for t in range(T):   # 18 townships
        p = int(due[t])
        key = min(GROUP_PATHS, key=lambda g: (abs(g - p), g))
        group = {y + p - key: v for y, v in GROUP_PATHS[key].items()}
        story = TOWNSHIP_STORY.get(geo.t_suffix[t])
        own = story.path if story else {}
        for j in range(1, NY):
            y = YEARS[j]
            if y in own:
                v = own[y]
            elif group.get(y) is not None:
                v = group[y] + (wobble[t] if y < p else 0.0)
            elif y == p:
                v = at_due[t]
            else:   # before the shifted path starts: no progress yet; after it: hold
                v = 1.0 if y < p else pct[t, j - 1]
            if y < p:
                share[t, j] = min(v, 1.0)
            else:   # never up again after the due year
                pct[t, j] = v if y == p else min(v, pct[t, j - 1])
    return share, pct


def village_positions(rng: np.random.Generator, geo: Geography) -> tuple[np.ndarray, np.ndarray]:
    """A point inside its township's map cell for every village (rejection sampling)."""
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

