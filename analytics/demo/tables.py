"""The public entry point: ``demo_tables`` builds every replica's numbers
(analytics.demo.replica) and then the contract's tables, one function per table, the
strings once for all replicas (pyarrow ``cast``, ``take``, ``binary_join_element_wise``).

The replicas' arrays (``parts``, one dict per replica) are popped as soon as a table no
longer needs them, so that a large scale's peak memory stays near one copy of the data."""

from __future__ import annotations

import datetime
import math
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics import contract as C
from analytics.config import load_config
from analytics.demo.arrays import int_str, large_str, str_array, take_str
from analytics.demo.calibration import DEMO_AS_OF, FIRST_YEAR, NY, WATER_UNKNOWN_BIT, YEARS
from analytics.demo.geography import Geography, load_geography
from analytics.demo.people import ID_CHECK_CHARACTERS
from analytics.demo.pools import COUNTY_UNITS, UPPER_UNITS, name_strings
from analytics.demo.replica import replica_arrays
from analytics.demo.scale import county_code, replica_list

#: degrees between replicas on the map (grid_offset): more than Tongwei's extent, 0.85° of
#: longitude by 0.58° of latitude, so that the replicas' (moved) shapes never overlap
GRID_STEP_LON = 0.9
GRID_STEP_LAT = 0.7


def grid_columns(replicas: int) -> int:
    """Columns of the replicas' grid on the map: as square as it goes, ⌈√n⌉ for n replicas
    (4 for 10 counties, 10 for 100), so that a province of replicas looks like one."""
    return max(1, math.ceil(math.sqrt(replicas)))


def grid_offset(k: int, columns: int) -> tuple[float, float]:
    """(latitude, longitude) shift of replica ``k`` in degrees: one GRID_STEP_LON east per
    column (k mod columns), one GRID_STEP_LAT north per row (k div columns); replica 0 is
    Tongwei."""
    row, column = divmod(k, columns)
    return row * GRID_STEP_LAT, column * GRID_STEP_LON


def demo_as_of() -> datetime.date:
    """The "as of" date of the demo data: the end of its last year (2020-12-31)."""
    return DEMO_AS_OF


def demo_tables(
    scale: float = 1.0,
    seed: int = 2015,
    progress: Callable[[str], None] | None = None,
    replicas: slice | None = None,
) -> dict[str, pd.DataFrame]:
    """Generate the demo dataset: one DataFrame per contract table, contract column order.

    ``scale`` 1 = Tongwei county (≈27,000 households, 2014–2020); < 1 thins households;
    > 1 adds county replicas (see the package docstring).  The same ``seed`` always gives
    identical frames.  ``progress(msg)`` receives short step messages. ``replicas`` (a
    slice of the replica list) builds only those counties: the parts of a scale that does
    not fit in memory at once, each self-contained and disjoint from the others.
    """
    say = progress or (lambda _msg: None)
    cfg = load_config()
    geo = load_geography()
    every = replica_list(scale)
    reps = every[replicas] if replicas is not None else every
    R = len(reps)
    columns = grid_columns(len(every))  # of the whole scale: a part sits where it belongs

    say("townships")
    townships = _townships(geo, reps, columns)

    parts: list[dict] = []
    said = [-1]
    for i, (k, f) in enumerate(reps):
        def report(frac, i=i):
            pct = int(100 * (i + frac) / R)
            if pct != said[0]:
                said[0] = pct
                say(f"households {pct}%")
        parts.append(replica_arrays(k, f, seed, geo, cfg, report))
        report(1.0)

    say("villages")
    v_code_all = np.concatenate([county_code(k) * 10**6 + geo.v_code % 10**6 for k, _ in reps])
    v_code_arr = int_str(v_code_all)
    villages = _villages(geo, reps, parts, v_code_all, v_code_arr, columns)
    say("village_years")
    village_years = _village_years(parts, v_code_arr)
    say("cadres")
    cadres, cadre_ids, c_off = _cadres(reps, parts, list(townships["name"]), len(geo.t_code))
    say("village_support")
    village_support = _village_support(parts, v_code_arr, len(geo.v_code))
    say("households")
    households, hid_arr, h_off = _households(parts, v_code_all, v_code_arr, cadre_ids, c_off, len(geo.v_code))
    del cadre_ids
    say("household_years")
    household_years = _household_years(parts, hid_arr, h_off)
    say("household_measures")
    household_measures = _household_measures(parts, hid_arr, h_off)
    parts.clear()  # the replicas' arrays go

    out = {
        "townships": townships,
        "villages": villages,
        "village_years": village_years,
        "village_support": village_support,
        "households": households,
        "household_years": household_years,
        "cadres": cadres,
        "household_measures": household_measures,
    }
    for name, df in out.items():
        assert list(df.columns) == C.TABLES[name].column_names, name
    say("done")
    return out


def _townships(geo: Geography, reps: list, columns: int) -> pd.DataFrame:
    """The townships table: the county's townships once per replica, codes, names
    (suffixed ·k) and seats (shifted on the replicas' grid of ``columns`` columns)."""
    t_frames = []
    for k, _f in reps:
        cc = county_code(k)
        sfx = "" if k == 0 else f"·{k}"
        t_frames.append(pd.DataFrame({
            "code": cc * 1000 + geo.t_code % 1000,
            "name": [n + sfx for n in geo.t_name],
            "short_name": [n + sfx for n in geo.t_short],
            "kind": geo.t_kind,
            "planned_exit_year": geo.t_plan,
            "seat_lat": geo.t_lat + grid_offset(k, columns)[0],
            "seat_lon": geo.t_lon + grid_offset(k, columns)[1],
        }))
    tdf = pd.concat(t_frames, ignore_index=True)
    townships = pd.DataFrame({
        "township_code": str_array(int_str(tdf["code"].to_numpy())),
        "name": pd.array(tdf["name"], dtype="str"),
        "short_name": pd.array(tdf["short_name"], dtype="str"),
        "kind": pd.array(tdf["kind"], dtype="str"),
        "planned_exit_year": pd.array(
            np.where(tdf["planned_exit_year"] > 0, tdf["planned_exit_year"], 0),
            dtype="Int64"),
        "seat_lat": tdf["seat_lat"].round(5).astype("float64"),
        "seat_lon": tdf["seat_lon"].round(5).astype("float64"),
    })
    townships.loc[tdf["planned_exit_year"].to_numpy() == 0, "planned_exit_year"] = pd.NA
    return townships


def _villages(geo: Geography, reps: list, parts: list, v_code_all: np.ndarray,
              v_code_arr: pa.Array, columns: int) -> pd.DataFrame:
    """The villages table: codes, names (suffixed ·k), poor-village plan and positions."""
    v_names = [n + ("" if k == 0 else f"·{k}") for k, _ in reps for n in geo.v_name]
    lat = np.concatenate([p["village_lat"] + grid_offset(k, columns)[0] for p, (k, _) in zip(parts, reps)])
    lon = np.concatenate([geo.t_lon[geo.v_town] + p["village_lon_offset"]
                          / np.cos(np.radians(geo.t_lat[geo.v_town])) + grid_offset(k, columns)[1]
                          for p, (k, _) in zip(parts, reps)])
    v_planned = np.concatenate([p["planned_exit_year"] for p in parts])
    v_exit = np.concatenate([p["exit_year"] for p in parts])
    villages = pd.DataFrame({
        "village_code": str_array(v_code_arr),
        "township_code": str_array(int_str(v_code_all // 1000)),
        "name": pd.array(v_names, dtype="str"),
        "is_poor_village": np.concatenate([p["is_poor_village"] for p in parts]).astype(bool),
        "planned_exit_year": pd.array(np.where(v_planned > 0, v_planned, 0), dtype="Int64"),
        "exit_year": pd.array(np.where(v_exit > 0, v_exit, 0), dtype="Int64"),
        "lat": np.round(lat, 5),
        "lon": np.round(lon, 5),
    })
    villages.loc[v_planned == 0, "planned_exit_year"] = pd.NA
    villages.loc[v_exit == 0, "exit_year"] = pd.NA
    return villages


def _village_years(parts: list, v_code_arr: pa.Array) -> pd.DataFrame:
    """The village_years table (a row per village and year); pops the ledgers' arrays."""
    NV = len(v_code_arr)
    vy_v = np.repeat(np.arange(NV), NY)

    def vcat(key):
        return np.concatenate([p[key].reshape(-1) for p in parts])

    rinc = vcat("rural_income")
    rinc[vcat("rural_income_null")] = np.nan
    village_years = pd.DataFrame({
        "village_code": str_array(v_code_arr.take(pa.array(vy_v.astype(np.int32)))),
        "year": np.tile(np.array(YEARS, dtype=np.int64), NV),
        "registered_population": vcat("registered_population").astype(np.int64),
        "households": vcat("village_households").astype(np.int64),
        "rural_income_per_capita": rinc.astype(np.float64),
        **{name: pd.array(np.concatenate([p["infrastructure"][i].reshape(-1) for p in parts]),
                          dtype="boolean")
           for i, name in enumerate(C.INFRASTRUCTURE_COLUMNS)},
        "online_shops": pd.array(vcat("online_shops").astype(np.int64), dtype="Int64"),
        "mutual_fund_yuan": vcat("mutual_fund").astype(np.float64),
        "collective_income_yuan": vcat("collective_income").astype(np.float64),
    })
    for p in parts:
        for key in ("registered_population", "village_households", "rural_income", "rural_income_null",
                    "infrastructure", "online_shops", "mutual_fund", "collective_income",
                    "village_lat", "village_lon_offset"):
            p.pop(key)
    return village_years


def _cadres(reps: list, parts: list, town_names: list, T: int) -> tuple[pd.DataFrame, pa.Array, np.ndarray]:
    """The cadres table, with the cadre IDs (C + county code + 6-digit number) and each
    replica's offset into them (the households table refers to both)."""
    c_off = np.cumsum([0] + [len(p["cadre_rank"]) for p in parts])
    c_num = np.concatenate([county_code(k) * 10**6 + np.arange(1, len(p["cadre_rank"]) + 1)
                            for p, (k, _) in zip(parts, reps)])
    if any(len(p["cadre_rank"]) >= 10**6 for p in parts):
        raise ValueError("too many cadres in one replica")
    cadre_ids = pc.binary_join_element_wise(large_str("C"), int_str(c_num), large_str(""))
    unit_pool = COUNTY_UNITS + [n + "人民政府" for n in town_names]
    c_unit = np.concatenate([
        np.where(p["cadre_unit"] >= len(COUNTY_UNITS), p["cadre_unit"] + r * T, p["cadre_unit"])
        for r, p in enumerate(parts)])
    cadres = pd.DataFrame({
        "cadre_id": str_array(cadre_ids),
        "name": str_array(name_strings(np.concatenate([p["cadre_surname"] for p in parts]),
                                       np.concatenate([p["cadre_given1"] for p in parts]),
                                       np.concatenate([p["cadre_given2"] for p in parts]))),
        "rank": str_array(take_str(list(C.CADRE_RANKS),
                                   np.concatenate([p["cadre_rank"] for p in parts]))),
        "unit": str_array(take_str(unit_pool, c_unit)),
    })
    return cadres, cadre_ids, c_off


def _village_support(parts: list, v_code_arr: pa.Array, V: int) -> pd.DataFrame:
    """The village_support table (驻村帮扶); pops its arrays."""
    sv_all = np.concatenate([p.pop("support_village") + r * V for r, p in enumerate(parts)])
    s_unit = np.concatenate([p.pop("support_unit") for p in parts])
    s_team = np.concatenate([p.pop("support_has_team") for p in parts])
    leader = name_strings(np.concatenate([p.pop("leader_surname") for p in parts]),
                          np.concatenate([p.pop("leader_given1") for p in parts]),
                          np.concatenate([p.pop("leader_given2") for p in parts]))
    return pd.DataFrame({
        "village_code": str_array(v_code_arr.take(pa.array(sv_all.astype(np.int32)))),
        "year": np.concatenate([p.pop("support_year") for p in parts]).astype(np.int64),
        "unit": str_array(take_str(UPPER_UNITS + COUNTY_UNITS, np.maximum(s_unit, 0),
                                   s_unit < 0)),
        "team_leader": str_array(pc.if_else(pa.array(s_team), leader,
                                            pa.scalar(None, type=pa.large_string()))),
        "days_in_village_per_month": np.concatenate([p.pop("support_days")
                                                     for p in parts]).astype(np.float64),
    })


def _households(parts: list, v_code_all: np.ndarray, v_code_arr: pa.Array, cadre_ids: pa.Array,
                c_off: np.ndarray, V: int) -> tuple[pd.DataFrame, pa.Array, np.ndarray]:
    """The households table, with the household IDs (village code + 4-digit sequence) and
    each replica's offset into them (household_years and household_measures refer to
    both); pops the households' and cadres' arrays."""
    h_off = np.cumsum([0] + [len(p["household_village"]) for p in parts])
    hv_all = np.concatenate([p["household_village"] + r * V for r, p in enumerate(parts)])
    hid_num = v_code_all[hv_all] * 10_000 + np.concatenate([p["household_sequence"] for p in parts])
    hid_arr = int_str(hid_num)
    del hid_num
    cad = np.concatenate([np.where(p["household_cadre"] >= 0, p["household_cadre"] + c_off[r], 0)
                          for r, p in enumerate(parts)])
    cad_null = np.concatenate([p["household_cadre"] < 0 for p in parts])
    base17 = np.concatenate([p["head_id_base"] for p in parts])
    idc = np.concatenate([p["head_id_check"] for p in parts])
    id_arr = pc.binary_join_element_wise(
        int_str(base17), take_str(list(ID_CHECK_CHARACTERS), idc), large_str(""))
    del base17, idc
    households = pd.DataFrame({
        "household_id": str_array(hid_arr),
        "village_code": str_array(v_code_arr.take(pa.array(hv_all.astype(np.int32)))),
        "head_name": str_array(name_strings(np.concatenate([p["head_surname"] for p in parts]),
                                            np.concatenate([p["head_given1"] for p in parts]),
                                            np.concatenate([p["head_given2"] for p in parts]))),
        "head_id_number": str_array(id_arr),
        "registered_year": np.concatenate([p["registered_year"] for p in parts]).astype(np.int64),
        "poverty_cause": str_array(take_str(list(C.POVERTY_CAUSES),
                                            np.concatenate([p["poverty_cause"] for p in parts]))),
        "cadre_id": str_array(cadre_ids.take(pa.array(cad.astype(np.int64), mask=cad_null))),
    })
    del hv_all, cad, cad_null, id_arr
    for p in parts:
        for key in ("household_village", "household_sequence", "registered_year", "poverty_cause",
                    "household_cadre", "head_surname", "head_given1", "head_given2", "head_id_base",
                    "head_id_check", "cadre_rank", "cadre_unit", "cadre_surname", "cadre_given1",
                    "cadre_given2"):
            p.pop(key)
    return households, hid_arr, h_off


def _household_years(parts: list, hid_arr: pa.Array, h_off: np.ndarray) -> pd.DataFrame:
    """The household_years table: a row per household-year with a status; pops the
    panel's arrays."""
    cols: dict[str, list] = {k: [] for k in ("h", "j", "m", "y", "w", "s", "rc", "db", "sec")}
    for r, p in enumerate(parts):
        S = p.pop("status")
        hh, jj = np.nonzero(S >= 0)
        cols["h"].append((hh + h_off[r]).astype(np.int32))
        cols["j"].append(jj.astype(np.int8))
        cols["s"].append(S[hh, jj])
        del S
        cols["m"].append(p.pop("members")[hh, jj].astype(np.int8))
        cols["y"].append(p.pop("net_income")[hh, jj])
        cols["w"].append(p.pop("wage_income")[hh, jj])
        cols["rc"].append(p.pop("relapse_cause")[hh, jj])
        cols["db"].append(p.pop("dibao_class")[hh])
        cols["sec"].append(p.pop("guarantee_gaps")[hh, jj])
    cat = {k: np.concatenate(v) for k, v in cols.items()}
    del cols
    hy: dict[str, object] = {}
    hy["household_id"] = str_array(hid_arr.take(pa.array(cat.pop("h"))))
    hy["year"] = cat.pop("j").astype(np.int64) + FIRST_YEAR
    hy["members"] = cat.pop("m").astype(np.int64)
    hy["net_income_per_capita"] = cat.pop("y")
    hy["wage_income_per_capita"] = cat.pop("w")
    st = cat.pop("s")
    hy["status"] = str_array(take_str([C.POOR, C.EXITED], st))
    del st
    rc = cat.pop("rc")
    hy["relapse_cause"] = str_array(take_str(list(C.RELAPSE_CAUSES), np.maximum(rc, 0), rc < 0))
    del rc
    db = cat.pop("db")
    hy["dibao_class"] = str_array(take_str(list(C.DIBAO_CLASSES), np.maximum(db, 0), db < 0))
    del db
    sec = cat.pop("sec")
    for i, name in enumerate(C.SECURITY_COLUMNS):
        hy[name] = (sec & (1 << i)) == 0
    # 饮水安全 not recorded (WATER_UNRECORDED): null, the contract's unknown
    unknown = (sec & (1 << WATER_UNKNOWN_BIT)) != 0
    hy["water_secure"] = pd.arrays.BooleanArray(hy["water_secure"], unknown)
    del sec, unknown
    return pd.DataFrame(hy, copy=False)


def _household_measures(parts: list, hid_arr: pa.Array, h_off: np.ndarray) -> pd.DataFrame:
    """The household_measures table (一户一策); pops the measures' arrays."""
    mh = np.concatenate([p.pop("measure_household") + h_off[r] for r, p in enumerate(parts)])
    return pd.DataFrame({
        "household_id": str_array(hid_arr.take(pa.array(mh.astype(np.int32)))),
        "year": np.concatenate([p.pop("measure_year") for p in parts]).astype(np.int64),
        "measure": str_array(take_str(list(C.MEASURES),
                                      np.concatenate([p.pop("measure") for p in parts]))),
        "amount_yuan": np.concatenate([p.pop("measure_amount") for p in parts]).astype(np.float64),
    })
