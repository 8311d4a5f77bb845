"""The headline figures of the data contract, the way an analyst would compute them in pandas.

    python bench/baseline_pandas.py PARQUET_DIR [--out figures.parquet]

Reads the Parquet export of a dataset (``python -m analytics export DIR --format
parquet``) with pandas, merges the household panel with its villages and townships,
and computes every headline figure of ``../shared/data-contract.md`` for the province (all that is loaded), each county,
every township and every village, every year, with plain merges and groupbys. This is
the baseline of the benchmark (bench/run.py) and an independent cross-check of the
store's SQL rollup (queries/build_figures.sql; tests/test_baseline_pandas.py).

The last line printed is JSON: ``{"elapsed_s": …, "peak_rss_mb": …, "rows": …}`` —
elapsed = reading the Parquet files and computing every figure (not the interpreter
start-up, not writing --out); peak RSS = ``resource.getrusage(RUSAGE_SELF).ru_maxrss``.

Definitions, as in the contract:
- previous-year status by a shift within the household, used only when the shifted
  row is year t−1 (a gap means no previous status);
- exited_stock_start(t) = Σ members over the t−1 rows with status 已脱贫;
- y = net income per capita bottom-coded at 0; FGT over every registered person,
  poor = y strictly below the line; Watts over y > 0 only (the members with y ≤ 0
  are reported in watts_excluded_persons);
- Gini: person-weighted, y bottom-coded at 0, by sorting, no small-sample correction.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analytics.counties import county_name  # noqa: E402 - names only, not figures

POOR, EXITED = "未脱贫", "已脱贫"
LEVELS = {  # scope level → grouping columns (besides year); a county = 6 digits of its townships
    "province": [],
    "county": ["county_code"],
    "township": ["county_code", "township_code"],
    "village": ["county_code", "township_code", "village_code"],
}
CODE_COLUMN = {"province": None, "county": "county_code", "township": "township_code",
               "village": "village_code"}
FIGURE_KEYS = (
    "registered_population", "poor_persons", "poverty_incidence_pct", "exited_persons",
    "relapsed_persons", "exited_stock_start", "relapse_rate_pct", "relapse_cap_pct",
    "rural_income_per_capita", "registered_income_per_capita", "poverty_line",
    "fgt0", "fgt1", "fgt2", "watts", "watts_excluded_persons", "gini",
)
COUNT_KEYS = ("registered_population", "poor_persons", "exited_persons", "relapsed_persons",
              "exited_stock_start", "watts_excluded_persons")


def _read(folder: Path, table: str, columns: list[str]) -> pd.DataFrame:
    return pd.read_parquet(folder / f"{table}.parquet", columns=columns)


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, null where the denominator is 0 or null."""
    return numerator / denominator.where(denominator != 0)


def _group(frame: pd.DataFrame, level: str, columns: list[str]) -> pd.DataFrame:
    """Sums of ``columns`` per scope of ``level`` and year, with scope_code."""
    keys = LEVELS[level] + ["year"]
    out = frame.groupby(keys, as_index=False, observed=True)[columns].sum(min_count=1)
    code = CODE_COLUMN[level]
    out["scope_code"] = out[code] if code else "province"
    return out[["scope_code", "year"] + columns]


def _gini(hy: pd.DataFrame, level: str) -> pd.DataFrame:
    """Person-weighted Gini per scope and year: sort by income, weight below each row.

    G = Σ w·y·(2C + w − W) / (W·Σ w·y), C = persons below the row in income order.
    """
    keys = LEVELS[level] + ["year"]
    g = hy[keys + ["members", "y0"]].sort_values(keys + ["y0"], kind="stable")
    w = g["members"].astype("float64")
    grouped = w.groupby([g[k] for k in keys], observed=True)
    before = grouped.cumsum() - w
    total = grouped.transform("sum")
    g["num"] = w * g["y0"] * (2 * before + w - total)
    g["wy"] = w * g["y0"]
    g["w"] = w
    sums = g.groupby(keys, as_index=False, observed=True)[["num", "wy", "w"]].sum()
    sums["gini"] = _ratio(sums["num"], sums["w"] * sums["wy"])
    code = CODE_COLUMN[level]
    sums["scope_code"] = sums[code] if code else "province"
    return sums[["scope_code", "year", "gini"]]


def pandas_figures(folder: str | Path, poverty_lines: dict[int, float] | None = None,
                   relapse_cap_pct: float | None = None) -> pd.DataFrame:
    """Every headline figure for the province (when more than one county is loaded), every
    county, township and village, every year.

    One row per scope and year: ``scope``, ``code`` (null for the province), ``name``,
    ``year`` and the keys of ``FIGURE_KEYS``; ordered province, counties, townships,
    villages, then code and year (the order of ``analytics.metrics.all_headline_figures``).
    """
    folder = Path(folder)
    if poverty_lines is None or relapse_cap_pct is None:
        from analytics.config import load_config

        config = load_config()
        poverty_lines = config.poverty_line if poverty_lines is None else poverty_lines
        if relapse_cap_pct is None:
            relapse_cap_pct = float(config.targets["relapse_cap_pct"])

    townships = _read(folder, "townships", ["township_code", "name"])
    villages = _read(folder, "villages", ["village_code", "township_code", "name"])
    village_years = _read(folder, "village_years",
                          ["village_code", "year", "registered_population", "rural_income_per_capita"])
    households = _read(folder, "households", ["household_id", "village_code"])
    hy = _read(folder, "household_years",
               ["household_id", "year", "members", "net_income_per_capita", "status"])

    # --- the household panel, with place, previous year and the poverty line -------
    hy = hy.merge(households, on="household_id", how="inner")
    hy = hy.merge(villages[["village_code", "township_code"]], on="village_code", how="inner")
    hy = hy.sort_values(["household_id", "year"], kind="stable", ignore_index=True)
    by_household = hy.groupby("household_id", sort=False)
    prev_year = by_household["year"].shift()
    prev_status = by_household["status"].shift()
    has_prev = prev_year == hy["year"] - 1
    poor = hy["status"] == POOR
    exited = hy["status"] == EXITED
    members = hy["members"].astype("int64")
    income = hy["net_income_per_capita"].astype("float64")
    z = hy["year"].map(poverty_lines).astype("float64")
    y0 = income.clip(lower=0)
    below = y0 < z
    positive = income > 0
    gap = ((z - y0) / z).where(below, 0.0)

    hy = pd.DataFrame({
        "county_code": hy["township_code"].str[:6],
        "township_code": hy["township_code"],
        "village_code": hy["village_code"],
        "year": hy["year"].astype("int64"),
        "members": members,
        "y0": y0,
        "enrolled_persons": members,
        "poor_persons": members.where(poor, 0),
        "exited_persons": members.where(has_prev & (prev_status == POOR) & exited, 0),
        "relapsed_persons": members.where(has_prev & (prev_status == EXITED) & poor, 0),
        "stock": members.where(exited, 0),
        "income_weighted_sum": members * income,
        "fgt0_sum": members.where(below, 0).astype("float64"),
        "fgt1_sum": members * gap,
        "fgt2_sum": members * gap ** 2,
        "watts_persons": members.where(positive, 0),
        "watts_sum": (members * np.log(z / income.where(positive & (income < z)))).fillna(0.0),
        "watts_excluded_persons": members.where(~positive, 0),
    })
    del by_household, prev_year, prev_status, has_prev, poor, exited, members, income
    del z, y0, below, positive, gap

    vy = village_years.merge(villages[["village_code", "township_code"]], on="village_code")
    vy["county_code"] = vy["township_code"].str[:6]
    has_income = vy["rural_income_per_capita"].notna()
    vy["rural_income_weighted_sum"] = (vy["registered_population"]
                                       * vy["rural_income_per_capita"]).where(has_income)
    vy["rural_income_population"] = vy["registered_population"].where(has_income)

    hh_columns = ["enrolled_persons", "poor_persons", "exited_persons", "relapsed_persons",
                  "income_weighted_sum", "fgt0_sum", "fgt1_sum", "fgt2_sum", "watts_persons",
                  "watts_sum", "watts_excluded_persons"]
    years = sorted(set(hy["year"].unique()) | set(village_years["year"].unique()))
    frames = []
    county_codes = sorted(townships["township_code"].str[:6].unique())
    # the province only when it holds more than one county (else it is the county)
    for level in ("province", "county", "township", "village")[len(county_codes) <= 1:]:
        if level == "province":
            scopes = pd.DataFrame({"scope_code": ["province"], "name": [None]})
        elif level == "county":
            scopes = pd.DataFrame({"scope_code": county_codes,
                                   "name": [county_name(c) for c in county_codes]})
        elif level == "township":
            scopes = townships.rename(columns={"township_code": "scope_code"})
        else:
            scopes = villages[["village_code", "name"]].rename(columns={"village_code": "scope_code"})
        grid = scopes.merge(pd.DataFrame({"year": years}), how="cross")
        parts = _group(hy, level, hh_columns)
        stock = _group(hy, level, ["stock"])
        stock["year"] += 1  # the t−1 rows are the stock at the start of t
        pop = _group(vy, level, ["registered_population", "rural_income_weighted_sum",
                                 "rural_income_population"])
        gini = _gini(hy, level)
        f = (grid.merge(parts, on=["scope_code", "year"], how="left")
                 .merge(stock, on=["scope_code", "year"], how="left")
                 .merge(pop, on=["scope_code", "year"], how="left")
                 .merge(gini, on=["scope_code", "year"], how="left"))
        out = pd.DataFrame({
            "scope": level,
            "code": None if level == "province" else f["scope_code"],
            "name": f["name"],
            "year": f["year"].astype("int64"),
        })
        persons = f["enrolled_persons"]
        out["registered_population"] = f["registered_population"].fillna(0)
        out["poor_persons"] = f["poor_persons"].fillna(0)
        out["poverty_incidence_pct"] = 100.0 * _ratio(out["poor_persons"], f["registered_population"])
        out["exited_persons"] = f["exited_persons"].fillna(0)
        out["relapsed_persons"] = f["relapsed_persons"].fillna(0)
        out["exited_stock_start"] = f["stock"].fillna(0)
        out["relapse_rate_pct"] = 100.0 * _ratio(out["relapsed_persons"], out["exited_stock_start"])
        out["relapse_cap_pct"] = float(relapse_cap_pct)
        out["rural_income_per_capita"] = _ratio(f["rural_income_weighted_sum"],
                                                f["rural_income_population"])
        out["registered_income_per_capita"] = _ratio(f["income_weighted_sum"], persons)
        out["poverty_line"] = out["year"].map(poverty_lines).astype("float64")
        out["fgt0"] = _ratio(f["fgt0_sum"].fillna(0), persons)
        out["fgt1"] = _ratio(f["fgt1_sum"].fillna(0), persons)
        out["fgt2"] = _ratio(f["fgt2_sum"].fillna(0), persons)
        out["watts"] = _ratio(f["watts_sum"].fillna(0), f["watts_persons"])
        out["watts_excluded_persons"] = f["watts_excluded_persons"].fillna(0)
        out["gini"] = f["gini"]
        for key in COUNT_KEYS:
            out[key] = out[key].astype("int64")
        frames.append(out.sort_values(["code", "year"], ignore_index=True))
    return pd.concat(frames, ignore_index=True)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


# --- comparison with the store (used by the test and by bench/run.py) -------------------
def _label(index_key) -> str:
    scope, code, year = index_key
    return f"{scope} {code} {int(year)}"


def compare_figures(ours: pd.DataFrame, theirs: pd.DataFrame, keys=FIGURE_KEYS,
                    rel: float = 1e-9, abs_tol: float = 1e-12) -> list[str]:
    """Differences between two figure frames (scope, code, year + ``keys``), first ones first.

    Rows are matched on (scope, code, year); a row present in one frame only is a
    difference; values must agree to ``rel`` relative (``abs_tol`` absolute near 0,
    for float noise around an exact 0), nulls only with nulls.
    """
    def keyed(frame):
        frame = frame.assign(code=frame["code"].fillna("province").astype(str),
                             year=frame["year"].astype("int64"))
        return frame.set_index(["scope", "code", "year"])

    a, b = keyed(ours), keyed(theirs)
    problems = []
    only_a = a.index.difference(b.index)
    only_b = b.index.difference(a.index)
    problems += [f"{_label(k)}: only in the first frame" for k in only_a[:20]]
    problems += [f"{_label(k)}: only in the second frame" for k in only_b[:20]]
    common = a.index.intersection(b.index, sort=False)
    a, b = a.loc[common], b.loc[common]
    for key in keys:
        av = a[key].astype("float64").to_numpy()
        bv = b[key].astype("float64").to_numpy()
        a_nan, b_nan = np.isnan(av), np.isnan(bv)
        both = ~a_nan & ~b_nan
        close = np.zeros(len(av), dtype=bool)
        close[both] = np.abs(av[both] - bv[both]) <= np.maximum(
            rel * np.maximum(np.abs(av[both]), np.abs(bv[both])), abs_tol)
        ok = (a_nan & b_nan) | close
        for i in np.flatnonzero(~ok)[:20]:
            problems.append(f"{_label(common[i])} {key}: {float(av[i])!r} != {float(bv[i])!r}")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("parquet_dir", type=Path, help="a Parquet export (TABLE.parquet files)")
    parser.add_argument("--out", type=Path, help="write the figures here (.parquet or .jsonl)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    figures = pandas_figures(args.parquet_dir)
    elapsed = time.perf_counter() - started
    peak = _peak_rss_mb()
    if args.out:
        if args.out.suffix == ".jsonl":
            args.out.write_text(figures.to_json(orient="records", lines=True, force_ascii=False),
                                encoding="utf-8")
        else:
            figures.to_parquet(args.out, index=False)
    print(f"{len(figures):,} scope-years from {args.parquet_dir}", file=sys.stderr)
    print(json.dumps({"elapsed_s": round(elapsed, 3), "peak_rss_mb": round(peak, 1),
                      "rows": len(figures)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
