"""The Tongwei demo dataset: a synthetic but calibrated 建档立卡 panel, 2014–2020.

``demo_tables(scale, seed)`` returns one DataFrame per contract table (see
``analytics.contract.TABLES``), columns in contract order.  The geography is real
(the county's 18 townships and 332 administrative villages, official codes); every
household, person, income and measure is invented.  ``docs/demo-data.md`` describes
the model, what it is calibrated to and the planted data-quality problems, whose
exact counts ``planted_problems(scale, seed)`` returns.

Scale: 1 = the county.  Below 1 the households of every village are thinned (all
townships and villages kept, at least one household in every poor village).  Above 1
the county is replicated ``ceil(scale)`` times (a "province"): replica 0 is Tongwei,
replica k ≥ 1 gets the county code ``900000 + k`` and its own random stream; a
fractional part thins the last replica.

Each township follows a path that fits its place in the county plan: the plan's groups
(due 2016, due 2017, and the townships it does not name, due with the county in 2017) and
a few departures, each with its reason (``GROUP_PATHS``, ``TOWNSHIP_STORY``;
docs/demo-data.md, "The township story").

Everything is vectorised numpy/pyarrow: the only Python loops run over replicas,
years, townships of the plan or the handful of planted problems — never over
households — so ``scale=100`` (≈2.7 million households, ≈19 million household-years)
fits in a few minutes and a few GB.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics import contract as C
from analytics.config import DATA_DIR, load_config

__all__ = [
    "DEMO_AS_OF",
    "demo_as_of",
    "demo_tables",
    "planted_problems",
    "PLANTED_PER_COUNTY",
    "BUNCHING_TOWNSHIP_SUFFIX",
    "SHOCK_TOWNSHIPS",
]

GEO_DIR = DATA_DIR / "geo"
YEARS = tuple(range(2014, 2021))
NY = len(YEARS)
FIRST_YEAR = YEARS[0]
REAL_COUNTY = 621121
DEMO_AS_OF = datetime.date(2020, 12, 31)


def demo_as_of() -> datetime.date:
    """The "as of" date of the demo data: the end of its last year (2020-12-31)."""
    return DEMO_AS_OF


# ---------------------------------------------------------------------------
# Planted data-quality problems (per full county replica; see planted_problems).
# ---------------------------------------------------------------------------
PLANTED_PER_COUNTY = {
    # 1. 错退 suspects: exit-year row, status 已脱贫, income below the line …
    "wrong_exit_income": 40,
    # … or income above the line but one *_secure flag false.
    "wrong_exit_security": 20,
    # 3. exit-year income ≥ 3 × the previous year's (previous > 0).
    "income_jump": 8,
    # 4. pairs of heads with the same name and birth date in one township.
    "duplicate_person_pairs": 5,
    # 5. village-years with more poor persons than registered population (not scaled).
    "population_overflow": 1,
    # 6. households whose size jumps by 8 for one year (3 → 11 → 3).
    "size_jump": 6,
    # 7. relapse rows (已脱贫 → 未脱贫) with no relapse_cause.
    "relapse_without_cause": 5,
    # 8. cadres with more households than their rank's "8741" quota.
    "cadres_over_quota": 3,
    # 9. villages whose exit_year claim contradicts their incidence (2, or 1 below half scale).
    "village_exit_contradiction": 2,
}
# 2. income bunching: the township whose code ends in this suffix (什川镇 in Tongwei).
BUNCHING_TOWNSHIP_SUFFIX = "111"
BUNCHING_SHARE = 0.5   # least share of its exit rows moved into [line, 1.045 × line]
# Designed relapse shocks (township code suffix → (year, rate, main cause)).
SHOCK_TOWNSHIPS = {
    "112": (2016, 0.09, "因灾"),   # 华家岭镇: hail
    "113": (2016, 0.085, "因灾"),  # 北城铺镇: drought
    "215": (2016, 0.09, "因灾"),  # 寺子川乡: hail
    "203": (2017, 0.075, "因病"),  # 新景乡: illness cluster (its 2017 miss)
}

# ---------------------------------------------------------------------------
# The township story (docs/demo-data.md, "The township story").  A township is due in its
# planned_exit_year; one the plan does not name is due with the county
# (targets.unnamed_due_year: 2017, 整体脱贫摘帽).  Each year the generator exits enough
# poor households of a township to bring its poverty incidence at year end down to its
# path: before the due year a share of the township's own 2014 incidence, from the due
# year on an incidence in %.
# ---------------------------------------------------------------------------
GROUP_PATHS = {   # due year → {year: share of 2014 incidence (before due) | % (from due)}
    2016: {2015: 0.88, 2016: None, 2017: 2.0, 2018: 1.4, 2019: 0.7, 2020: 0.15},
    2017: {2015: 0.93, 2016: 0.78, 2017: None, 2018: 1.6, 2019: 0.8, 2020: 0.2},
}
# None: the township's own value in U(2.0, 2.8) % (met, just under the 3 % rule).
PATH_AT_DUE = (2.0, 2.8)
PATH_WOBBLE = 0.04    # s.d. of a township's shift of the shares before its due year


@dataclass(frozen=True)
class _Story:
    """How a township departs from its plan group (each departure has its reason in
    docs/demo-data.md)."""
    path: dict            # overrides of the group path, same units
    incidence: float = 1.0          # factor on its villages' 2014 incidence
    late_villages: float = 0.0      # share of its poor villages announced late
    water_and_illness: bool = False  # more 因病 and 缺水 households


TOWNSHIP_STORY = {
    "100": _Story({2015: 0.50, 2016: 0.17, 2017: 1.4}, incidence=0.6),  # 平襄镇: county seat
    "110": _Story({2015: 0.60, 2016: 0.15}),   # 襄南镇: next to the county seat
    "207": _Story({2015: 0.28}),               # 李店乡: smallest, started early
    # the three misses: remote hill townships, hit by a shock in the run-up
    "215": _Story({2016: 4.6, 2017: 2.4}, incidence=1.05, late_villages=0.5,
                  water_and_illness=True),      # 寺子川乡: 2016 hail; < 3 % in 2017
    "112": _Story({2015: 0.95, 2016: 0.85, 2017: 9.0, 2018: 4.8, 2019: 2.3},
                  incidence=1.15, late_villages=0.6,
                  water_and_illness=True),      # 华家岭镇: high ridge, no water; < 3 % in 2019
    "203": _Story({2016: 0.82, 2017: 6.0, 2018: 2.6}, incidence=1.1, late_villages=0.5,
                  water_and_illness=True),      # 新景乡: far east, 2017 illness; < 3 % in 2018
}
LATE_VILLAGES = 0.10   # share of the other townships' poor villages announced late
# Contract edge cases planted on purpose (not problems): per full replica.
EDGE_NEGATIVE_INCOME_ROWS = 30
EDGE_ON_LINE_ROWS = 20

# ---------------------------------------------------------------------------
# 驻村帮扶 (village_support, docs/demo-data.md "Village support"): every poor village from
# 2015, when the teams were sent, a 帮扶单位 and a 驻村工作队 whose days in the village a
# month the plan puts at 20 or more.  Drawn on a stream of their own
# (SeedSequence([seed, k, 2])), so the rest of the demo is what it was without them.
# Per replica (villages are not thinned below scale 1):
# ---------------------------------------------------------------------------
SUPPORT_FIRST_YEAR = 2015
SUPPORT_DAYS_MIN = 20.0           # the plan's 每月驻村不少于 20 天 (config [pairing])
SUPPORT_NO_UNIT = {2015: 2, 2016: 1}         # year → poor villages without a 帮扶单位
SUPPORT_NO_TEAM = {2015: 2, 2017: 1, 2019: 1}  # year → poor villages without a 驻村工作队
SUPPORT_DAYS_UNRECORDED = {2020: 1}          # year → teams whose days were not recorded
# the teams behind on days: remote hill townships far from the county seat (华家岭镇, 新景乡),
# each poor village-year there with this chance of 14–19.5 days; elsewhere 20–28 days
SUPPORT_SHORT_TOWNSHIPS = ("112", "203")
SUPPORT_SHORT_P = {2015: 0.5, 2016: 0.45, 2017: 0.35, 2018: 0.2, 2019: 0.15, 2020: 0.1}
SUPPORT_ROTATION_YEAR = 2018      # most teams are replaced (a new leader) that year

# ---------------------------------------------------------------------------
# Targets of the plan the demo misses a little (docs/demo-data.md, "Misses against the
# plan's targets"); drawn on a stream of their own (SeedSequence([seed, k, 3])) after
# everything else, so no other figure moves.  Per replica:
# ---------------------------------------------------------------------------
# 精准 gap: households with no 一户一策 measure at all, GAP_SHARE of the households, in a
# few villages of two townships (陇山镇, 榜罗镇): villages drawn (by size) until they hold
# the township's part ÷ GAP_IN_VILLAGE households, then that part of their households
# (about half of each village's households end up in the gap)
GAP_TOWNSHIPS = ("107", "103")
GAP_SHARE = 0.015
GAP_IN_VILLAGE = 0.7
# 危房改造 households in 2015 (plan: 3,000, [measure_plan]); × the household fraction
HOUSING_2015 = 2730
# villages planned to exit in 2015 with no 网店 at the end of 2015 (plan: one or more each)
SHOP_MISSES = 4
# poor villages without 动力电 until 2018 (plan: every poor village by 2017)
POWER_MISSES = 2
# 饮水安全 not recorded (null) for one township-year: 义岗川镇, 2018
WATER_UNRECORDED = ("105", 2018)
WATER_UNKNOWN_BIT = 5   # in SEC_FALSE (bits 0–4: a SECURITY_COLUMNS flag false)


def _planted_count(name: str, f: float) -> int:
    base = PLANTED_PER_COUNTY[name]
    if name == "population_overflow":
        return 1
    if name == "village_exit_contradiction":
        return 2 if f >= 0.5 else 1
    return max(1, int(math.floor(base * f + 0.5)))


def _replicas(scale: float) -> list[tuple[int, float]]:
    """(replica index, household fraction) for a scale."""
    if not (scale > 0) or not math.isfinite(scale):
        raise ValueError(f"scale must be a positive number, got {scale!r}")
    if scale <= 1:
        return [(0, float(scale))]
    n = math.ceil(scale)
    frac = scale - (n - 1)
    if n > 99999:
        raise ValueError("scale too large: at most 99999 county replicas")
    return [(k, 1.0) for k in range(n - 1)] + [(n - 1, float(frac))]


def _county_code(k: int) -> int:
    return REAL_COUNTY if k == 0 else 900000 + k


def planted_problems(scale: float = 1.0, seed: int = 2015) -> dict:
    """Exact counts of the planted data-quality problems of ``demo_tables(scale, seed)``.

    The counts depend on the scale only (every seed plants the same numbers).  Keys:
    ``wrong_exit_income``, ``wrong_exit_security``, ``wrong_exit`` (their sum),
    ``income_jump``, ``duplicate_person_pairs``, ``population_overflow``,
    ``size_jump``, ``relapse_without_cause``, ``cadres_over_quota``,
    ``village_exit_contradiction``; ``income_bunching_townships`` lists the township
    codes with bunched exit incomes and ``income_bunching_min_share`` the least share
    of their exit rows within [line, 1.05 × line] (every other township: 0).
    """
    del seed  # counts are fixed by design
    out = {name: 0 for name in PLANTED_PER_COUNTY}
    towns = []
    for k, f in _replicas(scale):
        for name in PLANTED_PER_COUNTY:
            out[name] += _planted_count(name, f)
        towns.append(f"{_county_code(k):06d}{BUNCHING_TOWNSHIP_SUFFIX}")
    out["wrong_exit"] = out["wrong_exit_income"] + out["wrong_exit_security"]
    out["income_bunching_townships"] = towns
    out["income_bunching_min_share"] = BUNCHING_SHARE
    return out


# ---------------------------------------------------------------------------
# Reference geography
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Geo:
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


def _load_geo() -> _Geo:
    t = pd.read_csv(GEO_DIR / "townships.csv", dtype=str, keep_default_na=False)
    v = pd.read_csv(GEO_DIR / "villages.csv", dtype=str, keep_default_na=False)
    v = v[v["kind"].str.strip() == "village"]
    t = t.sort_values("township_code", kind="stable").reset_index(drop=True)
    v = v.sort_values("village_code", kind="stable").reset_index(drop=True)
    tidx = {c: i for i, c in enumerate(t["township_code"])}
    return _Geo(
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


def _unnamed_due_year(cfg) -> int:
    """The due year of a township the plan does not name: the county's (整体脱贫摘帽)."""
    t = cfg.targets
    return int(t.get("unnamed_due_year", t.get("target_year", 2017)))


def _township_paths(rng, geo: _Geo, due: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


def _village_positions(rng: np.random.Generator, geo: _Geo) -> tuple[np.ndarray, np.ndarray]:
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


# ---------------------------------------------------------------------------
# Names and pools
# ---------------------------------------------------------------------------
_SURNAMES = list("王李张刘杨陈赵马何牛魏谢常郭蔺孙周吴胡朱高冯董石苟景汪姚任潘"
                 "温岳安贾韩罗曹白袁付柴雒段侯邓文程蒲雷")
_SURNAME_W = 1.0 / (np.arange(len(_SURNAMES)) + 4.0)
_MALE_GIVEN = list("建国明军平强伟勇志海文华生成福贵忠有宝林小永万德金玉兵学东全虎"
                   "祥喜进旺堂才荣兴刚俊杰峰斌鹏辉彦锋世天振仁义存来顺保根田录银满元")
_FEMALE_GIVEN = list("秀英兰花梅芳霞桂珍凤琴莲娥玲翠香燕丽红娟")
_GIVEN_POOL = _MALE_GIVEN + _FEMALE_GIVEN + [""]
_EMPTY_GIVEN = len(_GIVEN_POOL) - 1
_COUNTY_UNITS = [
    "县委办公室", "县政府办公室", "县人大常委会办公室", "县政协办公室", "县纪委监委",
    "县委组织部", "县委宣传部", "县委统战部", "县发展和改革局", "县财政局", "县教育局",
    "县卫生健康局", "县农业农村局", "县扶贫开发办公室", "县人力资源和社会保障局",
    "县交通运输局", "县水务局", "县住房和城乡建设局", "县公安局", "县人民法院",
    "县人民检察院", "县自然资源局", "县林业和草原局", "县商务局", "县文体广电和旅游局",
    "县民政局", "县医疗保障局", "县市场监督管理局", "县应急管理局", "县统计局",
    "县审计局", "县税务局", "县人民医院", "县第一中学", "县供电公司", "县农村信用合作联社",
]
# 帮扶单位 of the village teams besides the county's units: province and city units
# (invented for the demo, in the style of the real ones)
_UPPER_UNITS = [
    "省财政厅", "省农业农村厅", "省交通运输厅", "省水利厅", "省卫生健康委员会", "省教育厅",
    "省住房和城乡建设厅", "省地方金融监督管理局", "市委组织部", "市发展和改革委员会",
    "市财政局", "市农业农村局", "市交通运输局", "市人民医院", "市第一中学", "市供电公司",
]
_CAUSE_P = np.array([0.20, 0.07, 0.09, 0.05, 0.02, 0.04, 0.17, 0.11, 0.16, 0.03, 0.04, 0.02])
_CAUSE = {c: i for i, c in enumerate(C.POVERTY_CAUSES)}
_MEASURE = {m: i for i, m in enumerate(C.MEASURES)}
_RELAPSE = {c: i for i, c in enumerate(C.RELAPSE_CAUSES)}
_MEMBERS_P = np.array([0.05, 0.11, 0.17, 0.24, 0.21, 0.13, 0.06, 0.03])  # 1..8
_MEASURE_AMOUNT = {  # yuan, (low, high)
    "产业扶持": (2000, 10000), "转移就业": (300, 2000), "易地搬迁": (40000, 90000),
    "教育资助": (1000, 5000), "健康扶贫": (1500, 20000), "危房改造": (15000, 35000),
    "低保兜底": (1500, 6000), "小额信贷": (30000, 50000), "光伏扶贫": (1000, 3000),
    "电商扶贫": (300, 2000), "其他": (200, 3000),
}
_ID_W = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_BIRTH_MIN = np.datetime64("1935-01-01")
_BIRTH_MAX = np.datetime64("1998-12-31")
_BIRTH_SPAN = int((_BIRTH_MAX - _BIRTH_MIN).astype(int)) + 1


# ---------------------------------------------------------------------------
# Vectorised helpers
# ---------------------------------------------------------------------------
def _group_starts(g_sorted: np.ndarray) -> np.ndarray:
    n = len(g_sorted)
    new = np.ones(n, dtype=bool)
    if n > 1:
        new[1:] = g_sorted[1:] != g_sorted[:-1]
    starts = np.flatnonzero(new)
    return np.repeat(starts, np.diff(np.append(starts, n)))


def _rank_in_group(group: np.ndarray, key: np.ndarray) -> np.ndarray:
    """0-based rank of each element by ``key`` within its ``group``."""
    order = np.lexsort((key, group))
    start = _group_starts(group[order])
    rank = np.empty(len(group), dtype=np.int64)
    rank[order] = np.arange(len(group)) - start
    return rank


def _cumsum_in_group(group: np.ndarray, key: np.ndarray, vals: np.ndarray) -> np.ndarray:
    """Inclusive cumulative sum of ``vals`` in ``key`` order within each ``group``."""
    order = np.lexsort((key, group))
    v = vals[order].astype(np.float64)
    cs = np.cumsum(v)
    start = _group_starts(group[order])
    before = (cs - v)[start]
    out = np.empty(len(group), dtype=np.float64)
    out[order] = cs - before
    return out


def _pick_top(rng, mask: np.ndarray, n: int, weight: np.ndarray | None = None) -> np.ndarray:
    """Indices of ``n`` elements of ``mask`` drawn without replacement (optionally weighted)."""
    idx = np.flatnonzero(mask)
    if n <= 0 or len(idx) == 0:
        return idx[:0]
    key = rng.gumbel(size=len(idx))
    if weight is not None:
        key = key + np.log(np.maximum(weight[idx], 1e-12))
    return idx[np.argsort(-key, kind="stable")[:n]]


def _yyyymmdd(day_offset: np.ndarray) -> np.ndarray:
    d = _BIRTH_MIN + day_offset.astype("timedelta64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dd = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    return y * 10000 + m * 100 + dd


def _id_check_index(base17: np.ndarray) -> np.ndarray:
    total = np.zeros(len(base17), dtype=np.int64)
    x = base17.copy()
    for i in range(16, -1, -1):
        total += (x % 10) * _ID_W[i]
        x //= 10
    return total % 11


def _str(values) -> pd.arrays.ArrowStringArray:
    """A pyarrow array/ChunkedArray as a pandas ``str`` extension array."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    if values.type != pa.large_string():
        values = values.cast(pa.large_string())
    return pd.array(values, dtype="str")


def _take_str(pool: list[str | None], idx: np.ndarray, null: np.ndarray | None = None):
    arr = pa.array(pool, type=pa.large_string())
    ind = pa.array(idx.astype(np.int32), mask=null) if null is not None else pa.array(
        idx.astype(np.int32))
    return arr.take(ind)


def _LS(text: str) -> pa.Scalar:
    return pa.scalar(text, type=pa.large_string())


def _int_str(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype(np.int64)).cast(pa.large_string())


def _names(rng, n: int, female: np.ndarray):
    """Name component indices: surname, given 1, given 2 (empty = _EMPTY_GIVEN)."""
    s = rng.choice(len(_SURNAMES), size=n, p=_SURNAME_W / _SURNAME_W.sum())
    nm, nf = len(_MALE_GIVEN), len(_FEMALE_GIVEN)
    g1 = np.where(female, nm + rng.integers(0, nf, n), rng.integers(0, nm, n))
    g2 = np.where(female, nm + rng.integers(0, nf, n), rng.integers(0, nm, n))
    g2 = np.where(rng.random(n) < 0.72, g2, _EMPTY_GIVEN)
    return s.astype(np.int16), g1.astype(np.int16), g2.astype(np.int16)


def _name_strings(s, g1, g2) -> pa.Array:
    sur = pa.array(_SURNAMES, type=pa.large_string()).take(pa.array(s.astype(np.int32)))
    gp = pa.array(_GIVEN_POOL, type=pa.large_string())
    a = gp.take(pa.array(g1.astype(np.int32)))
    b = gp.take(pa.array(g2.astype(np.int32)))
    return pc.binary_join_element_wise(sur, a, b, _LS(""))


# ---------------------------------------------------------------------------
# One county replica (numbers only; strings are built once for all replicas)
# ---------------------------------------------------------------------------
def _replica(k: int, f: float, seed: int, geo: _Geo, cfg, report) -> dict:
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), int(k)]))
    T = len(geo.t_code)
    V = len(geo.v_code)
    vt = geo.v_town
    line = np.array([cfg.line(y) for y in YEARS])
    suffix_idx = {s: i for i, s in enumerate(geo.t_suffix)}

    # ---- the township story (TOWNSHIP_STORY, docs/demo-data.md) -------------
    due_t = np.where(geo.t_plan > 0, geo.t_plan, _unnamed_due_year(cfg))
    path_rng = np.random.default_rng(np.random.SeedSequence([int(seed), int(k), 1]))
    path_share, path_pct = _township_paths(path_rng, geo, due_t)
    stories = [TOWNSHIP_STORY.get(sfx) for sfx in geo.t_suffix]
    t_incid = np.array([s.incidence if s else 1.0 for s in stories])
    t_late = np.array([s.late_villages if s else LATE_VILLAGES for s in stories])
    t_slow = np.array([bool(s and s.water_and_illness) for s in stories])
    # the year a township's path first goes below 3 % from its due year on
    below = np.where(np.isnan(path_pct), np.inf, path_pct) < 3.0
    t_reach = np.where(below.any(axis=1), np.array(YEARS)[np.argmax(below, axis=1)], YEARS[-1])

    # ---- poor villages and their plan ------------------------------------
    v_planned = np.zeros(V, dtype=np.int64)
    due_v = due_t[vt]
    plan_years = sorted(y for y in cfg.plan if cfg.plan[y].get("villages"))
    order_years = [y for y in plan_years if y != plan_years[0]] + plan_years[:1]
    for y in order_years:
        n = int(cfg.plan[y]["villages"])
        if y == plan_years[0]:
            # the first year's villages spread over the county (the 45 villages of the
            # county leaders), more where a path falls early, fewer in the county seat
            j = YEARS.index(y)
            w = t_incid[vt] * (0.5 + 3.0 * (1.0 - np.nan_to_num(path_share[vt, j], nan=1.0)))
        else:
            w = t_incid[vt] * np.where(due_v == y, 6.0, 1.0)
        chosen = _pick_top(rng, v_planned == 0, n, w)
        v_planned[chosen] = y
    is_poor_v = v_planned > 0
    # actual exit: mostly on plan; late ones mostly in the townships that miss their year,
    # which announce them when the township goes below 3 % (elsewhere 2018–2020)
    late = is_poor_v & (rng.random(V) < t_late[vt])
    late_year = rng.choice([2018, 2019, 2020], size=V, p=[0.5, 0.35, 0.15])
    late_year = np.where(t_late[vt] > LATE_VILLAGES, t_reach[vt], late_year)
    v_exit = np.where(is_poor_v, np.where(late, np.maximum(late_year, v_planned + 1),
                                          v_planned), 0)

    # ---- population and incidence ----------------------------------------
    pop = np.exp(rng.normal(np.log(1180.0), 0.35, V)) * np.where(is_poor_v, 1.1, 1.0)
    pop *= 400_000.0 * math.exp(rng.normal(0.0, 0.01)) / pop.sum()
    inc_mean = np.select([v_planned == 2015, v_planned == 2016, v_planned == 2017],
                         [0.31, 0.40, 0.47], 0.235)
    kappa = 20.0
    incid = np.clip(rng.beta(inc_mean * kappa, (1 - inc_mean) * kappa), 0.05, 0.70)
    incid = incid * t_incid[vt]     # the county seat lower, the remote hills higher
    # ≈110,000 registered poor persons in 2014 (≈27 % of the rural population)
    incid = np.clip(incid * 110_000.0 * math.exp(rng.normal(0.0, 0.015))
                    / (pop * incid).sum(), 0.03, 0.75)
    mean_members = float((_MEMBERS_P * np.arange(1, 9)).sum()) - 0.08
    n_base = np.floor(pop * incid / mean_members * f + rng.random(V)).astype(np.int64)
    n_base = np.where(is_poor_v, np.maximum(n_base, 1), n_base)
    # yearly registered population (before the consistency clamp)
    growth = rng.normal(-0.004, 0.004, (V, NY))
    growth[:, 0] = 0.0
    pop_vt = pop[:, None] * f * np.exp(np.cumsum(growth, axis=1))

    # ---- households ------------------------------------------------------
    n_new = {2015: int(math.floor(650 * f + rng.random())),
             2016: int(math.floor(300 * f + rng.random()))}
    hv_parts = [np.repeat(np.arange(V), n_base)]
    reg_parts = [np.full(int(n_base.sum()), FIRST_YEAR)]
    for y, n in n_new.items():
        w = pop * incid * np.where(v_exit == y, 0.0, 1.0)
        hv_parts.append(rng.choice(V, size=n, p=w / w.sum()))
        reg_parts.append(np.full(n, y))
    hv = np.concatenate(hv_parts)
    reg = np.concatenate(reg_parts)
    o = np.lexsort((reg, hv))
    hv, reg = hv[o], reg[o]
    H = len(hv)
    seq = _rank_in_group(hv, np.arange(H)) + 1
    if H and seq.max() > 9999:
        raise ValueError("more than 9999 households in a village")
    ht = vt[hv]
    reg_j = reg - FIRST_YEAR
    cause = rng.choice(len(C.POVERTY_CAUSES), size=H, p=_CAUSE_P / _CAUSE_P.sum())
    # townships that miss their year: more illness (因病) and no water (缺水)
    slow_h = t_slow[ht]
    slow_p = _CAUSE_P.copy()
    slow_p[_CAUSE["因病"]] *= 1.5
    slow_p[_CAUSE["缺水"]] *= 4.0
    cause[slow_h] = rng.choice(len(C.POVERTY_CAUSES), size=int(slow_h.sum()),
                               p=slow_p / slow_p.sum())
    m0 = rng.choice(np.arange(1, 9), size=H, p=_MEMBERS_P / _MEMBERS_P.sum())
    weak = np.isin(cause, [_CAUSE["缺劳力"], _CAUSE["因残"]])
    m0 = np.where(weak & (rng.random(H) < 0.5), np.maximum(m0 - 1, 1), m0)
    p_dibao = np.select(
        [cause == _CAUSE["因残"], cause == _CAUSE["缺劳力"], cause == _CAUSE["因病"]],
        [0.45, 0.40, 0.20], 0.06)
    dibao = np.where(rng.random(H) < p_dibao, np.where(rng.random(H) < 0.4, 0, 1), -1)
    leaves = rng.random(H) < 0.015
    last_j = np.where(leaves, reg_j + np.floor(rng.random(H) * (NY - 1 - reg_j)).astype(int),
                      NY - 1)
    last_j = np.minimum(np.maximum(last_j, reg_j), NY - 1)
    jj = np.arange(NY)[None, :]
    alive = (jj >= reg_j[:, None]) & (jj <= last_j[:, None])
    # members by year: ±1 drift
    drift = rng.choice([-1, 0, 1], size=(H, NY), p=[0.03, 0.94, 0.03])
    drift[:, 0] = 0
    M = np.clip(m0[:, None] + np.cumsum(drift, axis=1), 1, 9).astype(np.int64)
    used = np.zeros(H, dtype=bool)          # households carrying a planted problem
    full = (reg_j == 0) & (last_j == NY - 1)

    # planted 6: household size jumps (3 → 11 → 3)
    n6 = _planted_count("size_jump", f)
    cand6 = _pick_top(rng, full & ~used, n6)
    used[cand6] = True
    j6 = rng.integers(1, NY - 1, len(cand6))
    M[cand6, j6] = M[cand6, j6 - 1] + 8

    # planted 9: exit claims contradicting incidence (households locked poor)
    n9 = _planted_count("village_exit_contradiction", f)
    locked = np.zeros(H, dtype=bool)
    lock_until = np.zeros(H, dtype=np.int64)
    planted9_v = []
    elig_persons = np.bincount(hv, weights=np.where(full, M[:, 0], 0), minlength=V)
    ratio9 = elig_persons / np.maximum(pop_vt[:, 0], 1.0)
    for y9 in [2016, 2017][:n9]:
        ok = is_poor_v & (v_planned == y9) & (v_exit == y9) & (elig_persons > 0)
        good = ok & (ratio9 >= 0.15)
        pick = _pick_top(rng, good if good.any() else ok, 1)
        if len(pick) == 0:
            continue
        v9 = int(pick[0])
        planted9_v.append(v9)
        hh = np.flatnonzero((hv == v9) & full & ~used)
        hh = hh[rng.permutation(len(hh))]
        need = 0.08 * pop_vt[v9, y9 - FIRST_YEAR]
        cs = np.cumsum(M[hh, y9 - FIRST_YEAR])
        take = hh[: int(np.searchsorted(cs, need) + 1)]
        locked[take] = True
        lock_until[take] = y9
        used[take] = True

    # ---- status simulation -----------------------------------------------
    report(0.25)
    S = np.full((H, NY), -1, dtype=np.int8)     # -1 absent, 0 未脱贫, 1 已脱贫
    REL = np.zeros((H, NY), dtype=bool)
    RCAUSE = np.full((H, NY), -1, dtype=np.int8)
    S[alive[:, 0], 0] = 0
    ever_exited = np.zeros(H, dtype=bool)
    hard = np.isin(cause, [_CAUSE["因病"], _CAUSE["因残"], _CAUSE["缺劳力"]])
    lazy = cause == _CAUSE["自身发展动力不足"]
    no_water = cause == _CAUSE["缺水"]
    v_exit_h = v_exit[hv]
    # each township's path in persons: its population × the path's incidence
    pop_t = np.stack([np.bincount(vt, weights=pop_vt[:, j], minlength=T) for j in range(NY)], 1)
    poor0 = S[:, 0] == 0
    inc14_t = 100.0 * np.bincount(ht[poor0], weights=M[poor0, 0], minlength=T) / np.maximum(
        pop_t[:, 0], 1.0)
    base_rel = {2016: 0.012, 2017: 0.018, 2018: 0.017, 2019: 0.014, 2020: 0.006}
    shock = {suffix_idx[s]: v for s, v in SHOCK_TOWNSHIPS.items() if s in suffix_idx}
    rel_w = np.where(hard, 2.0, 1.0)
    normal_cause_p = np.array([0.45, 0.15, 0.12, 0.15, 0.13])  # 因病 因残 因学 因灾 其他
    for j in range(1, NY):
        t = YEARS[j]
        prev = S[:, j - 1]
        al = alive[:, j]
        new_reg = al & (reg_j == j)
        S[new_reg, j] = 0
        pool = al & (prev == 0)
        elig = pool & ~(locked & (lock_until >= t))
        # relapse (drawn first: a township's path counts the relapsed among its poor)
        rpool = al & (prev == 1) & (v_exit_h != t)
        rel = np.zeros(H, dtype=bool)
        ridx = np.flatnonzero(rpool)
        if len(ridx) and t in base_rel:
            rate = base_rel[t] * np.exp(rng.normal(0.0, 0.3, T))
            rate = np.minimum(rate, 0.035)
            for ti, (sy, sr, _) in shock.items():
                if sy == t:
                    rate[ti] = sr
            # persons budget per township: rate × exited persons at risk
            m_r = M[ridx, j].astype(np.float64)
            budget_t = rate * np.bincount(ht[ridx], weights=M[ridx, j - 1], minlength=T)
            key = -(rng.gumbel(size=len(ridx)) + np.log(rel_w[ridx]))
            cs = _cumsum_in_group(ht[ridx], key, m_r)
            shocked = np.zeros(T, dtype=bool)
            for ti, (sy, _, _) in shock.items():
                shocked[ti] = sy == t
            # shocked township-years reach their rate (the crossing household included)
            take = np.where(shocked[ht[ridx]], cs - m_r < budget_t[ht[ridx]],
                            cs - m_r * rng.random(len(ridx)) <= budget_t[ht[ridx]])
            rel[ridx[take]] = True
        forced = elig & (v_exit_h == t)
        # forced exits of the villages announced this year, keeping ≤1.5 % incidence
        allowance = np.floor(0.015 * pop_vt[:, j])
        fidx = np.flatnonzero(forced)
        retained = np.zeros(H, dtype=bool)
        if len(fidx):
            cs = _cumsum_in_group(hv[fidx], rng.random(len(fidx)), M[fidx, j])
            retained[fidx[cs <= allowance[hv[fidx]]]] = True
        exit_forced = forced & ~retained
        # the rest of each township's exits: down to its path at year end
        path = np.where(t < due_t, path_share[:, j] * inc14_t, path_pct[:, j])
        poor_end = pool | new_reg | rel
        need = (np.bincount(ht[poor_end], weights=M[poor_end, j], minlength=T)
                - path / 100.0 * pop_t[:, j]
                - np.bincount(ht[exit_forced], weights=M[exit_forced, j], minlength=T))
        cand = np.flatnonzero(elig & ~forced & (need[ht] > 0))
        chosen = np.zeros(H, dtype=bool)
        if len(cand):
            sc = rng.gumbel(size=len(cand))
            # a poor village's households mostly leave with their village (its exit year)
            sc -= 1.0 * ((v_planned[hv[cand]] > 0) & (v_exit_h[cand] > t))
            sc += 1.5 * ever_exited[cand] - 1.0 * hard[cand] - 0.5 * (lazy | no_water)[cand]
            sc += 3.0 * (locked[cand] & (lock_until[cand] < t))
            m = M[cand, j].astype(np.float64)
            cs = _cumsum_in_group(ht[cand], -sc, m)
            chosen[cand[(cs - m) < need[ht[cand]]]] = True   # the crossing one included
        exits = exit_forced | chosen
        S[pool, j] = 0
        S[exits, j] = 1
        ever_exited |= exits
        S[al & (prev == 1), j] = 1
        S[rel, j] = 0
        REL[:, j] = rel
        if rel.any():
            ridx = np.flatnonzero(rel)
            rc = rng.choice(5, size=len(ridx), p=normal_cause_p)
            for ti, (sy, _, main) in shock.items():
                if sy == t:
                    sel = ht[ridx] == ti
                    other = rng.choice(5, size=int(sel.sum()), p=normal_cause_p)
                    rc[sel] = np.where(rng.random(int(sel.sum())) < 0.85, _RELAPSE[main], other)
            RCAUSE[ridx, j] = rc
    # planted 7: relapses without a cause
    n7 = _planted_count("relapse_without_cause", f)
    rel_h = REL.any(axis=1)
    cand7 = _pick_top(rng, rel_h & ~used, n7)
    used[cand7] = True
    for h in cand7:  # a handful of households
        j7 = int(np.flatnonzero(REL[h])[0])
        RCAUSE[h, j7] = -1

    # ---- incomes -----------------------------------------------------------
    report(0.5)
    present = S >= 0
    exit_ev = np.zeros((H, NY), dtype=bool)
    exit_ev[:, 1:] = (S[:, 1:] == 1) & (S[:, :-1] == 0)
    b = 0.5 + 0.485 * rng.beta(2.0, 1.3, H)
    e = np.clip(np.exp(rng.normal(np.log(0.26), 0.45, H)), 0.03, 1.2)
    Y = np.zeros((H, NY))
    since = np.zeros(H)
    for j in range(NY):
        since = np.where(exit_ev[:, j], 0.0, since + 1.0)
        bt = np.clip(b * np.exp(rng.normal(0.0, 0.06, H)), 0.5, 0.985)
        bt = np.where(REL[:, j], np.clip(bt * rng.uniform(0.75, 1.0, H), 0.5, 0.985), bt)
        rt = 1.06 + e * 1.15 ** since * np.exp(rng.normal(0.0, 0.05, H))
        Y[:, j] = np.where(S[:, j] == 1, rt, bt) * line[j]
    exempt = np.zeros((H, NY), dtype=bool)
    town_bunch = suffix_idx.get(BUNCHING_TOWNSHIP_SUFFIX, -1)
    in_bunch = ht == town_bunch
    # planted 2: bunching just above the line in one township
    bh, bj = np.nonzero(exit_ev & in_bunch[:, None])
    sel = _pick_top(rng, np.ones(len(bh), dtype=bool), math.ceil(BUNCHING_SHARE * len(bh)))
    bh, bj = bh[sel], bj[sel]
    Y[bh, bj] = line[bj] * (1.0 + rng.uniform(0.0, 0.045, len(bh)))
    exempt[bh, bj] = True
    first_exit_j = np.where(exit_ev.any(axis=1), np.argmax(exit_ev, axis=1), -1)
    has_exit = first_exit_j > 0
    # planted 1a / 1b: 错退 (exited below the line, or a security flag false)
    SEC_FALSE = np.zeros((H, NY), dtype=np.uint8)   # bit i set = SECURITY_COLUMNS[i] false
    n1a = _planted_count("wrong_exit_income", f)
    c1a = _pick_top(rng, has_exit & ~used & ~in_bunch, n1a)
    used[c1a] = True
    j1a = first_exit_j[c1a]
    Y[c1a, j1a] = line[j1a] * rng.uniform(0.80, 0.97, len(c1a))
    exempt[c1a, j1a] = True
    n1b = _planted_count("wrong_exit_security", f)
    c1b = _pick_top(rng, has_exit & ~used & ~in_bunch, n1b)
    used[c1b] = True
    SEC_FALSE[c1b, first_exit_j[c1b]] = (1 << rng.integers(0, 5, len(c1b))).astype(np.uint8)
    # edge cases: negative incomes (next row poor or none), exactly on the line
    nxt_poor = np.zeros((H, NY), dtype=bool)
    nxt_poor[:, :-1] = S[:, 1:] == 0
    nxt_poor[:, -1] = True
    poor_cells = (S == 0) & ~exempt & ~used[:, None]
    nh, nj = np.nonzero(poor_cells & nxt_poor)
    pick = _pick_top(rng, np.ones(len(nh), dtype=bool),
                     max(1, int(math.floor(EDGE_NEGATIVE_INCOME_ROWS * f + 0.5))))
    Y[nh[pick], nj[pick]] = -rng.uniform(50.0, 800.0, len(pick))
    exempt[nh[pick], nj[pick]] = True
    poor_cells &= ~exempt
    oh, oj = np.nonzero(poor_cells)
    pick = _pick_top(rng, np.ones(len(oh), dtype=bool),
                     max(1, int(math.floor(EDGE_ON_LINE_ROWS * f + 0.5))))
    Y[oh[pick], oj[pick]] = line[oj[pick]]
    exempt[oh[pick], oj[pick]] = True
    # natural year-on-year cap: never ×2.9 or more (only planted 3 exceeds ×3)
    for j in range(1, NY):
        prev = Y[:, j - 1]
        ok = present[:, j] & present[:, j - 1] & (prev > 0) & ~exempt[:, j]
        Y[ok, j] = np.minimum(Y[ok, j], 2.9 * prev[ok])
    # planted 3: implausible jumps in the exit year
    n3 = _planted_count("income_jump", f)
    prev_pos = np.zeros(H, dtype=bool)
    fe = np.maximum(first_exit_j, 1)
    prev_pos[has_exit] = Y[has_exit, fe[has_exit] - 1] > 0
    c3 = _pick_top(rng, has_exit & prev_pos & ~used & ~in_bunch, n3)
    used[c3] = True
    j3 = first_exit_j[c3]
    Y[c3, j3] = Y[c3, j3 - 1] * rng.uniform(3.2, 4.0, len(c3))
    # rounding keeps poor rows strictly below the line (b ≤ 0.985) and exits ≥ 1.06 × line
    Y = np.round(Y, 2)
    # wage income share: ≈30 % (2014) → ≈50 % (2020)
    share_mean = np.array([0.31, 0.35, 0.39, 0.43, 0.46, 0.49, 0.515])
    hoff = rng.normal(0.0, 0.07, H) - 0.10 * weak
    W_share = np.clip(share_mean[None, :] + hoff[:, None] + rng.normal(0.0, 0.03, (H, NY)),
                      0.02, 0.85)
    WAGE = np.round(W_share * np.maximum(Y, 0.0), 2)
    WAGE[rng.random((H, NY)) < 0.003] = np.nan

    # ---- security flags -----------------------------------------------------
    p_false = np.array([0.03, 0.08, 0.15, 0.30, 0.20])
    decay = 0.78 ** np.arange(NY)
    latent = rng.random((H, 5))     # persistent: a household's gaps close over the years
    for i in range(5):
        bad = (S == 0) & (latent[:, i:i + 1] < p_false[i] * decay[None, :])
        SEC_FALSE |= (bad.astype(np.uint8) << i)

    # ---- village years ----------------------------------------------------------
    report(0.75)
    poor_p = np.zeros((V, NY))
    hh_cnt = np.zeros((V, NY))
    for j in range(NY):
        pj = S[:, j] == 0
        poor_p[:, j] = np.bincount(hv[pj], weights=M[pj, j], minlength=V)
        hh_cnt[:, j] = np.bincount(hv[present[:, j]], minlength=V)
    reg_pop = np.maximum(np.round(pop_vt), np.ceil(poor_p / 0.8)).astype(np.int64)
    # planted 5: more poor persons than registered population (2014)
    cand5 = np.flatnonzero((poor_p[:, 0] >= 1) & ~np.isin(np.arange(V), planted9_v))
    if len(cand5):
        incid0 = poor_p[cand5, 0] / reg_pop[cand5, 0]
        top = cand5[np.argsort(-incid0, kind="stable")[:5]]
        v5 = int(top[rng.integers(0, len(top))])
        reg_pop[v5, 0] = int(math.floor(poor_p[v5, 0] * 0.92))
        if reg_pop[v5, 0] >= poor_p[v5, 0]:
            reg_pop[v5, 0] = int(poor_p[v5, 0]) - 1
    vhh = np.maximum(np.round(reg_pop / 3.9), hh_cnt).astype(np.int64)
    # rural income per capita: county series, villages ±20 %, poor villages lower
    county_inc = np.array([4811.0, 5235.0, 5696.0, 6197.0, 6730.0, 7316.0, 7901.0])
    vf = rng.normal(0.0, 0.08, V) - 0.07 * is_poor_v
    fac = np.clip(1.0 + vf[:, None] + rng.normal(0.0, 0.02, (V, NY)), 0.8, 1.2)
    w = reg_pop.astype(float)
    wmean = (fac * w).sum(axis=0) / np.maximum(w.sum(axis=0), 1.0)
    rinc = np.round(fac / wmean[None, :] * county_inc[None, :], 0)
    rinc_null = np.zeros((V, NY), dtype=bool)
    rinc_null[_pick_top(rng, ~is_poor_v, 1), 0] = True      # edge case: one null income
    # infrastructure
    infra = []
    specs = [(0.55, 0.15, 2018), (0.60, 0.25, 2018), (0.85, 0.60, 2017),
             (0.50, 0.20, 2019), (0.25, 0.05, 2020), (0.15, 0.02, 2020)]
    for pn, pp, end in specs:
        already = rng.random(V) < np.where(is_poor_v, pp, pn)
        yr = rng.integers(2015, end + 1, V)
        yr = np.where(is_poor_v & (rng.random(V) < 0.9), np.minimum(yr, v_exit), yr)
        yr = np.where(already, 2014, yr)
        if end == 2020:
            yr = np.where(~is_poor_v & (rng.random(V) < 0.1), 9999, yr)
        infra.append(np.array(YEARS)[None, :] >= yr[:, None])
    lam = rng.gamma(2.0, 0.15, V) * np.where(is_poor_v, 0.7, 1.0)
    shops = rng.poisson(lam[:, None] * 1.55 ** np.arange(NY)[None, :])
    fund0 = np.where(is_poor_v,
                     np.where(rng.random(V) < 0.8, rng.uniform(2e5, 5e5, V), 0.0),
                     np.where(rng.random(V) < 0.4, rng.uniform(1e5, 3e5, V), 0.0))
    fund_start = np.where(fund0 > 0, 2014, np.where(is_poor_v, rng.integers(2015, 2017, V), 9999))
    fund0 = np.where(fund0 > 0, fund0, 5e5)
    yrs = np.array(YEARS)[None, :]
    fund = np.where(yrs >= fund_start[:, None],
                    fund0[:, None] * np.where(is_poor_v, 1.12, 1.06)[:, None]
                    ** np.maximum(yrs - fund_start[:, None], 0), 0.0)
    fund = np.round(fund, -3)
    coll0 = np.where(is_poor_v,
                     np.where(rng.random(V) < 0.2, rng.uniform(5e3, 3e4, V), 0.0),
                     np.where(rng.random(V) < 0.5, rng.uniform(1e4, 8e4, V), 0.0))
    coll = coll0[:, None] * 1.1 ** (yrs - 2014)
    vx = np.where(is_poor_v, v_exit, 2100)[:, None]
    boost = np.where(yrs >= vx,
                     rng.uniform(2e4, 6e4, V)[:, None] * 1.15 ** np.maximum(yrs - vx, 0), 0.0)
    nonpoor_growth = np.where(~is_poor_v[:, None] & (yrs >= 2017),
                              rng.uniform(0, 3e4, V)[:, None] * (yrs - 2016), 0.0)
    coll = np.round(coll + boost + nonpoor_growth, 0)

    # ---- measures ---------------------------------------------------------------
    mw_reg = np.ones((H, len(C.MEASURES)))
    base_w = {"产业扶持": 5, "转移就业": 2, "易地搬迁": 0.4, "教育资助": 1, "健康扶贫": 1,
              "危房改造": 1.5, "低保兜底": 0.2, "小额信贷": 2.5, "光伏扶贫": 0.5,
              "电商扶贫": 0.3, "其他": 0.3}
    for m, wv in base_w.items():
        mw_reg[:, _MEASURE[m]] = wv
    mw_reg[cause == _CAUSE["因学"], _MEASURE["教育资助"]] = 6
    mw_reg[cause == _CAUSE["因病"], _MEASURE["健康扶贫"]] = 6
    mw_reg[dibao >= 0, _MEASURE["低保兜底"]] = 5
    exit_w = {"产业扶持": 4, "转移就业": 4, "光伏扶贫": 1.5, "电商扶贫": 1.2, "小额信贷": 1,
              "其他": 0.5}
    mw_exit = np.full((H, len(C.MEASURES)), 0.2)
    for m, wv in exit_w.items():
        mw_exit[:, _MEASURE[m]] = wv
    meas_h, meas_y, meas_m = [], [], []
    for weights, nk_p, years, mask in (
        (mw_reg, [0.35, 0.45, 0.20], reg, np.ones(H, dtype=bool)),
        (mw_exit, [0.6, 0.4], first_exit_j + FIRST_YEAR, has_exit),
    ):
        keys = np.log(weights) + rng.gumbel(size=weights.shape)
        top = np.argsort(-keys, axis=1, kind="stable")[:, : len(nk_p)]
        nk = rng.choice(np.arange(1, len(nk_p) + 1), size=H, p=nk_p)
        take = (np.arange(len(nk_p))[None, :] < nk[:, None]) & mask[:, None]
        hh, col = np.nonzero(take)
        meas_h.append(hh)
        meas_y.append(years[hh])
        meas_m.append(top[hh, col])
    meas_h = np.concatenate(meas_h)
    meas_y = np.concatenate(meas_y)
    meas_m = np.concatenate(meas_m)
    o = np.lexsort((meas_m, meas_y, meas_h))
    meas_h, meas_y, meas_m = meas_h[o], meas_y[o], meas_m[o]
    lo = np.array([_MEASURE_AMOUNT[m][0] for m in C.MEASURES], dtype=float)
    hi = np.array([_MEASURE_AMOUNT[m][1] for m in C.MEASURES], dtype=float)
    amt = np.round(rng.uniform(lo[meas_m], hi[meas_m]), -1)
    amt[meas_m == _MEASURE["小额信贷"]] = np.round(amt[meas_m == _MEASURE["小额信贷"]], -4)
    amt[rng.random(len(amt)) < 0.02] = np.nan

    # ---- misses against the plan's targets (their own stream) ------------------
    miss_rng = np.random.default_rng(np.random.SeedSequence([int(seed), int(k), 3]))
    w_id = _MEASURE["危房改造"]
    # 精准 gap: the households of a few villages of GAP_TOWNSHIPS lose every measure
    gap = np.zeros(H, dtype=bool)
    hh_v = np.bincount(hv, minlength=V)
    gap_towns = [suffix_idx[sfx] for sfx in GAP_TOWNSHIPS if sfx in suffix_idx]
    n_gap = int(math.floor(GAP_SHARE * H + 0.5))
    for i, ti in enumerate(gap_towns):
        n_t = n_gap // len(gap_towns) + (1 if i < n_gap % len(gap_towns) else 0)
        cand_v = np.flatnonzero((vt == ti) & (hh_v > 0))
        order = cand_v[np.argsort(-(miss_rng.gumbel(size=len(cand_v))
                                    + np.log(hh_v[cand_v])), kind="stable")]
        nv = int(np.searchsorted(np.cumsum(hh_v[order]), n_t / GAP_IN_VILLAGE)) + 1
        gap[_pick_top(miss_rng, np.isin(hv, order[:nv]) & ~gap, n_t)] = True
    # 危房改造 in 2015: households poor at the start of 2015 (or registered in it), most
    # with an unsafe house, up to HOUSING_2015 × f in all
    j15 = 2015 - FIRST_YEAR
    has15 = np.zeros(H, dtype=bool)
    has15[meas_h[(meas_y == 2015) & (meas_m == w_id)]] = True
    has15 &= ~gap
    n_add = max(int(math.floor(HOUSING_2015 * f + 0.5)) - int(has15.sum()), 0)
    poor15 = (S[:, j15] >= 0) & ((S[:, j15 - 1] == 0) | (reg_j == j15))
    housing_bit = np.uint8(1 << C.SECURITY_COLUMNS.index("housing_secure"))
    unsafe = ((SEC_FALSE[:, j15 - 1] | SEC_FALSE[:, j15]) & housing_bit) != 0
    add = np.sort(_pick_top(miss_rng, poor15 & ~has15 & ~gap, n_add,
                            np.where(unsafe, 20.0, 1.0)))
    add_amt = np.round(miss_rng.uniform(*_MEASURE_AMOUNT["危房改造"], len(add)), -1)
    add_amt[miss_rng.random(len(add)) < 0.02] = np.nan
    meas_h = np.concatenate([meas_h, add])
    meas_y = np.concatenate([meas_y, np.full(len(add), 2015, dtype=meas_y.dtype)])
    meas_m = np.concatenate([meas_m, np.full(len(add), w_id, dtype=meas_m.dtype)])
    amt = np.concatenate([amt, add_amt])
    keep = ~gap[meas_h]
    o = np.lexsort((meas_m[keep], meas_y[keep], meas_h[keep]))
    meas_h, meas_y, meas_m, amt = (a[keep][o] for a in (meas_h, meas_y, meas_m, amt))
    # 网店: every village planned to exit in 2015 has one from 2015 on, but SHOP_MISSES
    # (their first shop opens in 2016)
    v15 = v_planned == 2015
    shops[v15, j15:] = np.maximum(shops[v15, j15:], 1 + miss_rng.poisson(0.5, (V, 1))[v15])
    shops[_pick_top(miss_rng, v15, SHOP_MISSES), j15] = 0
    # 动力电: POWER_MISSES poor villages planned for 2017 connected only in 2018
    j17 = 2017 - FIRST_YEAR
    late_power = _pick_top(miss_rng, is_poor_v & (v_planned == 2017), POWER_MISSES)
    infra[C.INFRASTRUCTURE_COLUMNS.index("power_grid")][late_power, : j17 + 1] = False
    # 饮水安全 not recorded in one township-year (bit 5: unknown); a planted 错退 row
    # there keeps the flags it was planted with
    water = C.SECURITY_COLUMNS.index("water_secure")
    if WATER_UNRECORDED[0] in suffix_idx:
        jw = WATER_UNRECORDED[1] - FIRST_YEAR
        rows = (ht == suffix_idx[WATER_UNRECORDED[0]]) & (S[:, jw] >= 0)
        rows[c1b[first_exit_j[c1b] == jw]] = False
        SEC_FALSE[rows, jw] = (SEC_FALSE[rows, jw] & np.uint8(~(1 << water) & 0xFF)) \
            | np.uint8(1 << WATER_UNKNOWN_BIT)

    # ---- heads: names, birth dates, ID numbers ----------------------------------
    female = rng.random(H) < 0.08
    s_i, g1_i, g2_i = _names(rng, H, female)
    by = np.floor(63.0 * rng.beta(2.2, 2.0, H)).astype(np.int64)     # years after 1935
    day = np.clip(np.floor((by + rng.random(H)) * 365.25), 0, _BIRTH_SPAN - 1).astype(np.int64)
    name_code = female * 1_000_000 + s_i.astype(np.int64) * 10_000 + g1_i * 100 + g2_i
    for _ in range(50):   # make (township, name, birth date) unique before planting pairs
        key = (ht.astype(np.int64) * 10_000_000 + name_code) * 30_000 + day
        _, first = np.unique(key, return_index=True)
        dup = np.ones(H, dtype=bool)
        dup[first] = False
        if not dup.any():
            break
        day[dup] = (day[dup] + 1) % _BIRTH_SPAN
    n4 = _planted_count("duplicate_person_pairs", f)
    pair_a = _pick_top(rng, ~used, n4)
    used[pair_a] = True
    for a in pair_a:   # a handful of pairs
        bidx = _pick_top(rng, (ht == ht[a]) & ~used, 1)
        if len(bidx) == 0:
            continue
        bb = int(bidx[0])
        used[bb] = True
        female[bb], s_i[bb], g1_i[bb], g2_i[bb], day[bb] = (
            female[a], s_i[a], g1_i[a], g2_i[a], day[a])
    # injective ID: region + birth date + sequence unique within (birth date, sex)
    sexbit = np.where(female, 0, 1)
    grp = day * 2 + sexbit
    rank = _rank_in_group(grp, rng.random(H))
    if H and rank.max() >= 500:
        raise ValueError("too many heads share a birth date")
    offset = ((day * 7919 + k * 13) % 500) * 2 + sexbit
    idseq = (offset + 2 * rank) % 1000
    base17 = _county_code(k) * 10**11 + _yyyymmdd(day) * 1000 + idseq
    check = _id_check_index(base17)

    # ---- cadres -------------------------------------------------------------------
    cover = rng.random(H) < rng.uniform(0.90, 0.96)
    n_cov = int(cover.sum())
    quota = np.array([C.RANK_QUOTA[r] for r in C.CADRE_RANKS])
    n_rank = [max(1, int(math.floor(b_ * f + 0.5))) for b_ in (30, 90, 4950)]
    c_rank = np.concatenate([np.full(n, i) for i, n in enumerate(n_rank)])
    load = np.where(rng.random(len(c_rank)) < 0.7, quota[c_rank],
                    rng.integers(1, quota[c_rank] + 1))
    n8 = _planted_count("cadres_over_quota", f)
    over = _pick_top(rng, c_rank <= 2, n8)
    load[over] = quota[c_rank[over]] + rng.integers(1, 4, len(over))
    n_general = max(n_cov - int(load.sum()), 0)
    c_rank = np.concatenate([c_rank, np.full(n_general, 3)])
    load = np.concatenate([load, np.ones(n_general, dtype=np.int64)])
    NC = len(c_rank)
    # planted over-quota cadres first, so truncation at tiny scales never drops them
    first = np.zeros(NC, dtype=bool)
    first[over] = True
    corder = np.concatenate([np.flatnonzero(first),
                             np.flatnonzero(~first)[rng.permutation(NC - len(over))]])
    slots = np.repeat(corder, load[corder])[:n_cov]
    cov_idx = np.flatnonzero(cover)
    cov_idx = cov_idx[np.lexsort((rng.random(n_cov), hv[cov_idx]))]
    cadre_of = np.full(H, -1, dtype=np.int64)
    cadre_of[cov_idx[: len(slots)]] = slots
    # cadres that ended up with no household are dropped; renumber the rest
    has_hh = np.bincount(slots, minlength=NC) > 0
    keep = np.flatnonzero(has_hh | first)
    renum = np.full(NC, -1, dtype=np.int64)
    renum[keep] = np.arange(len(keep))
    cadre_of = np.where(cadre_of >= 0, renum[np.maximum(cadre_of, 0)], -1)
    c_rank = c_rank[keep]
    NC = len(keep)
    # the township a cadre works in: that of its first household
    first_hh = np.full(NC, -1, dtype=np.int64)
    hidx = np.flatnonzero(cadre_of >= 0)
    first_hh[cadre_of[hidx[::-1]]] = hidx[::-1]
    c_town = np.where(first_hh >= 0, ht[np.maximum(first_hh, 0)], 0)
    town_gov = (c_rank == 3) & (rng.random(NC) < 0.5)
    c_unit = np.where(town_gov, len(_COUNTY_UNITS) + c_town,
                      rng.integers(0, len(_COUNTY_UNITS), NC))
    c_female = rng.random(NC) < 0.25
    cs_i, cg1, cg2 = _names(rng, NC, c_female)

    # villages placed at random inside their township's (schematic) map cell
    v_lat, v_lon = _village_positions(rng, geo)

    support = _village_support(seed, k, geo, is_poor_v)

    return dict(
        # geography (per village / township)
        v_planned=v_planned, v_exit=v_exit, is_poor_v=is_poor_v,
        v_lat=v_lat,
        v_lon_off=(v_lon - geo.t_lon[vt]) * np.cos(np.radians(geo.t_lat[vt])),
        reg_pop=reg_pop, vhh=vhh, rinc=rinc, rinc_null=rinc_null, infra=infra,
        shops=shops, fund=fund, coll=coll,
        # households
        hv=hv, seq=seq, reg=reg, cause=cause, cadre_of=cadre_of,
        s_i=s_i, g1_i=g1_i, g2_i=g2_i, base17=base17, check=check,
        # panel
        S=S, M=M.astype(np.int8), Y=Y, WAGE=WAGE, RCAUSE=RCAUSE, SEC_FALSE=SEC_FALSE, dibao=dibao,
        # measures
        meas_h=meas_h, meas_y=meas_y, meas_m=meas_m, amt=amt,
        # cadres
        c_rank=c_rank, c_unit=c_unit, cs_i=cs_i, cg1=cg1, cg2=cg2, c_town=c_town,
        # 驻村帮扶
        **support,
    )


def _village_support(seed: int, k: int, geo: _Geo, is_poor_v: np.ndarray) -> dict:
    """驻村帮扶 of one replica: a row per poor village and year from SUPPORT_FIRST_YEAR,
    with its unit (index into the unit pool, -1 = none), whether it has a team, the
    leader's name indices, and the days (NaN = none or not recorded). Its own stream."""
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), int(k), 2]))
    years = np.array([y for y in YEARS if y >= SUPPORT_FIRST_YEAR])
    poor = np.flatnonzero(is_poor_v)
    P, NYS = len(poor), len(years)
    sv = np.repeat(poor, NYS)
    sy = np.tile(years, P)
    n_units = len(_UPPER_UNITS) + len(_COUNTY_UNITS)
    unit = np.repeat(rng.integers(0, n_units, P), NYS)
    team = np.ones(P * NYS, dtype=bool)
    # the leader: one per village, most replaced in the rotation year
    female = rng.random(2 * P) < 0.2
    ls, lg1, lg2 = _names(rng, 2 * P, female)
    rotated = rng.random(P) < 0.7
    which = np.where((sy >= SUPPORT_ROTATION_YEAR) & np.repeat(rotated, NYS),
                     np.repeat(np.arange(P), NYS) + P, np.repeat(np.arange(P), NYS))
    days = np.clip(np.round(rng.normal(22.5, 1.8, P * NYS) * 2) / 2, SUPPORT_DAYS_MIN, 28.0)
    # the planted misses: no unit, no team, days not recorded (distinct village-years)
    free = np.ones(P * NYS, dtype=bool)
    for misses, what in ((SUPPORT_NO_UNIT, "unit"), (SUPPORT_NO_TEAM, "team"),
                         (SUPPORT_DAYS_UNRECORDED, "days")):
        for y, n in misses.items():
            pick = _pick_top(rng, free & (sy == y), n)
            free[pick] = False
            if what == "unit":
                unit[pick] = -1
            elif what == "team":
                team[pick] = False
                days[pick] = np.nan
            else:
                days[pick] = np.nan
    # the teams behind on days, in the remote townships only
    short_t = np.array([geo.t_suffix[t] in SUPPORT_SHORT_TOWNSHIPS for t in geo.v_town[sv]])
    p_short = np.array([SUPPORT_SHORT_P.get(int(y), 0.0) for y in years])[
        np.searchsorted(years, sy)]
    short = short_t & free & (rng.random(P * NYS) < p_short)
    days[short] = rng.integers(28, 40, int(short.sum())) / 2.0      # 14–19.5
    return dict(sv=sv, sy=sy, s_unit=unit, s_team=team, s_s=ls[which], s_g1=lg1[which],
                s_g2=lg2[which], s_days=days)


# ---------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------
def replica_count(scale: float) -> int:
    """How many county replicas a scale has (1 up to scale 1)."""
    return len(_replicas(scale))


def demo_tables(
    scale: float = 1.0,
    seed: int = 2015,
    progress: Callable[[str], None] | None = None,
    replicas: slice | None = None,
) -> dict[str, pd.DataFrame]:
    """Generate the demo dataset: one DataFrame per contract table, contract column order.

    ``scale`` 1 = Tongwei county (≈27,000 households, 2014–2020); < 1 thins households;
    > 1 adds county replicas (see the module docstring).  The same ``seed`` always gives
    identical frames.  ``progress(msg)`` receives short step messages. ``replicas`` (a
    slice of the replica list) builds only those counties: the parts of a scale that does
    not fit in memory at once, each self-contained and disjoint from the others.
    """
    say = progress or (lambda _msg: None)
    cfg = load_config()
    geo = _load_geo()
    reps = _replicas(scale)[replicas] if replicas is not None else _replicas(scale)
    R = len(reps)
    T, V = len(geo.t_code), len(geo.v_code)

    say("townships")
    t_frames = []
    for k, _f in reps:
        cc = _county_code(k)
        sfx = "" if k == 0 else f"·{k}"
        t_frames.append(pd.DataFrame({
            "code": cc * 1000 + geo.t_code % 1000,
            "name": [n + sfx for n in geo.t_name],
            "short_name": [n + sfx for n in geo.t_short],
            "kind": geo.t_kind,
            "planned_exit_year": geo.t_plan,
            "seat_lat": geo.t_lat + (k // 10) * 0.7,
            "seat_lon": geo.t_lon + (k % 10) * 0.7,
        }))
    tdf = pd.concat(t_frames, ignore_index=True)
    town_names = list(tdf["name"])
    townships = pd.DataFrame({
        "township_code": _str(_int_str(tdf["code"].to_numpy())),
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
    del t_frames, tdf

    parts: list[dict] = []
    said = [-1]
    for i, (k, f) in enumerate(reps):
        def report(frac, i=i):
            pct = int(100 * (i + frac) / R)
            if pct != said[0]:
                said[0] = pct
                say(f"households {pct}%")
        parts.append(_replica(k, f, seed, geo, cfg, report))
        report(1.0)

    say("villages")
    v_code_all = np.concatenate([_county_code(k) * 10**6 + geo.v_code % 10**6 for k, _ in reps])
    v_names = [n + ("" if k == 0 else f"·{k}") for k, _ in reps for n in geo.v_name]
    lat = np.concatenate([p["v_lat"] + (k // 10) * 0.7 for p, (k, _) in zip(parts, reps)])
    lon = np.concatenate([geo.t_lon[geo.v_town] + p["v_lon_off"]
                          / np.cos(np.radians(geo.t_lat[geo.v_town])) + (k % 10) * 0.7
                          for p, (k, _) in zip(parts, reps)])
    v_planned = np.concatenate([p["v_planned"] for p in parts])
    v_exit = np.concatenate([p["v_exit"] for p in parts])
    t_code_arr = _int_str(v_code_all // 1000)
    v_code_arr = _int_str(v_code_all)
    villages = pd.DataFrame({
        "village_code": _str(v_code_arr),
        "township_code": _str(t_code_arr),
        "name": pd.array(v_names, dtype="str"),
        "is_poor_village": np.concatenate([p["is_poor_v"] for p in parts]).astype(bool),
        "planned_exit_year": pd.array(np.where(v_planned > 0, v_planned, 0), dtype="Int64"),
        "exit_year": pd.array(np.where(v_exit > 0, v_exit, 0), dtype="Int64"),
        "lat": np.round(lat, 5),
        "lon": np.round(lon, 5),
    })
    villages.loc[v_planned == 0, "planned_exit_year"] = pd.NA
    villages.loc[v_exit == 0, "exit_year"] = pd.NA
    del v_names, lat, lon

    say("village_years")
    NV = len(v_code_all)
    vy_v = np.repeat(np.arange(NV), NY)

    def vcat(key):
        return np.concatenate([p[key].reshape(-1) for p in parts])

    rinc = vcat("rinc")
    rinc[vcat("rinc_null")] = np.nan
    village_years = pd.DataFrame({
        "village_code": _str(v_code_arr.take(pa.array(vy_v.astype(np.int32)))),
        "year": np.tile(np.array(YEARS, dtype=np.int64), NV),
        "registered_population": vcat("reg_pop").astype(np.int64),
        "households": vcat("vhh").astype(np.int64),
        "rural_income_per_capita": rinc.astype(np.float64),
        **{name: pd.array(np.concatenate([p["infra"][i].reshape(-1) for p in parts]),
                          dtype="boolean")
           for i, name in enumerate(C.INFRASTRUCTURE_COLUMNS)},
        "online_shops": pd.array(vcat("shops").astype(np.int64), dtype="Int64"),
        "mutual_fund_yuan": vcat("fund").astype(np.float64),
        "collective_income_yuan": vcat("coll").astype(np.float64),
    })
    for p in parts:
        for key in ("reg_pop", "vhh", "rinc", "rinc_null", "infra", "shops", "fund", "coll",
                    "v_lat", "v_lon_off"):
            p.pop(key)

    say("cadres")
    c_off = np.cumsum([0] + [len(p["c_rank"]) for p in parts])
    c_num = np.concatenate([_county_code(k) * 10**6 + np.arange(1, len(p["c_rank"]) + 1)
                            for p, (k, _) in zip(parts, reps)])
    if any(len(p["c_rank"]) >= 10**6 for p in parts):
        raise ValueError("too many cadres in one replica")
    cadre_ids = pc.binary_join_element_wise(_LS("C"), _int_str(c_num), _LS(""))
    unit_pool = _COUNTY_UNITS + [n + "人民政府" for n in town_names]
    c_unit = np.concatenate([
        np.where(p["c_unit"] >= len(_COUNTY_UNITS), p["c_unit"] + r * T, p["c_unit"])
        for r, p in enumerate(parts)])
    cadres = pd.DataFrame({
        "cadre_id": _str(cadre_ids),
        "name": _str(_name_strings(np.concatenate([p["cs_i"] for p in parts]),
                                   np.concatenate([p["cg1"] for p in parts]),
                                   np.concatenate([p["cg2"] for p in parts]))),
        "rank": _str(_take_str(list(C.CADRE_RANKS),
                               np.concatenate([p["c_rank"] for p in parts]))),
        "unit": _str(_take_str(unit_pool, c_unit)),
    })

    say("village_support")
    sv_all = np.concatenate([p.pop("sv") + r * V for r, p in enumerate(parts)])
    s_unit = np.concatenate([p.pop("s_unit") for p in parts])
    s_team = np.concatenate([p.pop("s_team") for p in parts])
    leader = _name_strings(np.concatenate([p.pop("s_s") for p in parts]),
                           np.concatenate([p.pop("s_g1") for p in parts]),
                           np.concatenate([p.pop("s_g2") for p in parts]))
    village_support = pd.DataFrame({
        "village_code": _str(v_code_arr.take(pa.array(sv_all.astype(np.int32)))),
        "year": np.concatenate([p.pop("sy") for p in parts]).astype(np.int64),
        "unit": _str(_take_str(_UPPER_UNITS + _COUNTY_UNITS, np.maximum(s_unit, 0),
                               s_unit < 0)),
        "team_leader": _str(pc.if_else(pa.array(s_team), leader,
                                       pa.scalar(None, type=pa.large_string()))),
        "days_in_village_per_month": np.concatenate([p.pop("s_days")
                                                     for p in parts]).astype(np.float64),
    })
    del sv_all, s_unit, s_team, leader

    say("households")
    h_off = np.cumsum([0] + [len(p["hv"]) for p in parts])
    hv_all = np.concatenate([p["hv"] + r * V for r, p in enumerate(parts)])
    hid_num = v_code_all[hv_all] * 10_000 + np.concatenate([p["seq"] for p in parts])
    hid_arr = _int_str(hid_num)
    del hid_num
    cad = np.concatenate([np.where(p["cadre_of"] >= 0, p["cadre_of"] + c_off[r], 0)
                          for r, p in enumerate(parts)])
    cad_null = np.concatenate([p["cadre_of"] < 0 for p in parts])
    base17 = np.concatenate([p["base17"] for p in parts])
    idc = np.concatenate([p["check"] for p in parts])
    id_arr = pc.binary_join_element_wise(
        _int_str(base17), _take_str(list("10X98765432"), idc), _LS(""))
    del base17, idc
    households = pd.DataFrame({
        "household_id": _str(hid_arr),
        "village_code": _str(v_code_arr.take(pa.array(hv_all.astype(np.int32)))),
        "head_name": _str(_name_strings(np.concatenate([p["s_i"] for p in parts]),
                                        np.concatenate([p["g1_i"] for p in parts]),
                                        np.concatenate([p["g2_i"] for p in parts]))),
        "head_id_number": _str(id_arr),
        "registered_year": np.concatenate([p["reg"] for p in parts]).astype(np.int64),
        "poverty_cause": _str(_take_str(list(C.POVERTY_CAUSES),
                                        np.concatenate([p["cause"] for p in parts]))),
        "cadre_id": _str(cadre_ids.take(pa.array(cad.astype(np.int64), mask=cad_null))),
    })
    del hv_all, cad, cad_null, id_arr, cadre_ids
    for p in parts:
        for key in ("hv", "seq", "reg", "cause", "cadre_of", "s_i", "g1_i", "g2_i",
                    "base17", "check", "c_rank", "c_unit", "cs_i", "cg1", "cg2", "c_town"):
            p.pop(key)

    say("household_years")
    cols: dict[str, list] = {k: [] for k in ("h", "j", "m", "y", "w", "s", "rc", "db", "sec")}
    for r, p in enumerate(parts):
        S = p.pop("S")
        hh, jj = np.nonzero(S >= 0)
        cols["h"].append((hh + h_off[r]).astype(np.int32))
        cols["j"].append(jj.astype(np.int8))
        cols["s"].append(S[hh, jj])
        del S
        cols["m"].append(p.pop("M")[hh, jj].astype(np.int8))
        cols["y"].append(p.pop("Y")[hh, jj])
        cols["w"].append(p.pop("WAGE")[hh, jj])
        cols["rc"].append(p.pop("RCAUSE")[hh, jj])
        cols["db"].append(p.pop("dibao")[hh])
        cols["sec"].append(p.pop("SEC_FALSE")[hh, jj])
    cat = {k: np.concatenate(v) for k, v in cols.items()}
    del cols
    hy: dict[str, object] = {}
    hy["household_id"] = _str(hid_arr.take(pa.array(cat.pop("h"))))
    hy["year"] = cat.pop("j").astype(np.int64) + FIRST_YEAR
    hy["members"] = cat.pop("m").astype(np.int64)
    hy["net_income_per_capita"] = cat.pop("y")
    hy["wage_income_per_capita"] = cat.pop("w")
    st = cat.pop("s")
    hy["status"] = _str(_take_str([C.POOR, C.EXITED], st))
    del st
    rc = cat.pop("rc")
    hy["relapse_cause"] = _str(_take_str(list(C.RELAPSE_CAUSES), np.maximum(rc, 0), rc < 0))
    del rc
    db = cat.pop("db")
    hy["dibao_class"] = _str(_take_str(list(C.DIBAO_CLASSES), np.maximum(db, 0), db < 0))
    del db
    sec = cat.pop("sec")
    for i, name in enumerate(C.SECURITY_COLUMNS):
        hy[name] = (sec & (1 << i)) == 0
    # 饮水安全 not recorded (WATER_UNRECORDED): null, the contract's unknown
    unknown = (sec & (1 << WATER_UNKNOWN_BIT)) != 0
    hy["water_secure"] = pd.arrays.BooleanArray(hy["water_secure"], unknown)
    del sec, unknown
    household_years = pd.DataFrame(hy, copy=False)
    del hy

    say("household_measures")
    mh = np.concatenate([p.pop("meas_h") + h_off[r] for r, p in enumerate(parts)])
    household_measures = pd.DataFrame({
        "household_id": _str(hid_arr.take(pa.array(mh.astype(np.int32)))),
        "year": np.concatenate([p.pop("meas_y") for p in parts]).astype(np.int64),
        "measure": _str(_take_str(list(C.MEASURES),
                                  np.concatenate([p.pop("meas_m") for p in parts]))),
        "amount_yuan": np.concatenate([p.pop("amt") for p in parts]).astype(np.float64),
    })
    del mh
    parts.clear()  # the replicas' arrays go (a del would leave vcat's closure unbound)

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
