"""One verdict per township (or village) and year, and each county target judged in its own year.

Every screen that says whether a township is meeting its exit target (the league table,
the maps, the battle map, the briefing, the outlook) reads ``scope_verdicts``; every tile
that compares a county figure with a dated target reads ``target_judgement``. Rules
(issue 13; docs/glossary.md):

**The exit target of a scope.** Its due year P is its ``planned_exit_year``; a scope the
plan does not name is due when the county is (``targets.unnamed_due_year``, 2017:
整体脱贫摘帽). Met means poverty incidence strictly below ``targets.exit_threshold_pct``
(3 %), compared unrounded (data contract, "exit rule").

For view year t:

==================  ==========================================================
t = baseline year    ``baseline`` 基线: no verdict.
t < P                ``on_track`` when the incidence is already below the threshold
                     or the log-linear trend of the years ≤ t (analytics.projections),
                     projected to P, is below it; ``behind`` otherwise. The 90 %
                     band of the projection is reported, never of zero width.
t = P                ``met`` or ``missed``.
t > P                ``met`` (met in P), ``missed_late`` (missed in P, below the
                     threshold by ``reached_year`` ≤ t) or ``missed`` (still above).
no incidence         ``no_data``.
==================  ==========================================================

Relapse over the cap (``relapse_rate_pct > targets.relapse_cap_pct``) is its own flag,
``over_cap``, beside the verdict and never hides it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.config import load_config
from analytics.projections import projection_band

#: Verdict codes in the order of a legend, with the short label of a map key.
VERDICTS = {
    "baseline": "基线",
    "on_track": "按期推进",
    "behind": "落后于计划",
    "met": "按期达标",
    "missed_late": "逾期达标",
    "missed": "未达标",
    "no_data": "无数据",
}
#: RGBA, readable on the dark meeting-room screen and on white: the one palette of the
#: verdicts (maps, legends, charts). The three warning colours differ in lightness as
#: well as hue, so they stay apart for colour-blind viewers: 落后于计划 a light yellow,
#: 逾期达标 amber, 未达标 a dark red (relative luminance ≈ 0.72, 0.43, 0.10).
VERDICT_COLORS = {
    "baseline": [149, 165, 166, 200],
    "on_track": [52, 152, 219, 220],
    "behind": [247, 220, 111, 230],
    "met": [39, 174, 96, 220],
    "missed_late": [243, 156, 18, 235],
    "missed": [176, 30, 30, 240],
    "no_data": [127, 140, 141, 120],
}


def verdict_rgb(code: str) -> str:
    """The verdict's colour (``VERDICT_COLORS``) as a CSS/Plotly ``rgb(...)`` string."""
    r, g, b, _ = VERDICT_COLORS.get(code, VERDICT_COLORS["no_data"])
    return f"rgb({r},{g},{b})"


#: The league table's traffic light of each verdict (over the relapse cap: always red).
VERDICT_LIGHTS = {"baseline": "none", "on_track": "green", "met": "green", "behind": "amber",
                  "missed_late": "amber", "missed": "red", "no_data": "none"}


def due_years(planned_exit_year: pd.Series) -> pd.Series:
    """Each scope's due year: its planned exit year, else ``targets.unnamed_due_year``."""
    default = int(load_config().targets["unnamed_due_year"])
    return planned_exit_year.astype("Float64").fillna(default).astype("int64")


def verdict_text(verdict: str, due_year: int, reached_year: int | None, threshold: float,
                 year: int) -> str:
    """The verdict as a sentence that starts with its label (``VERDICTS``), the word the
    maps' legends use: ``逾期达标：2016年摘帽目标未达到 · 2018年降至3%以下``."""
    label = VERDICTS[verdict]
    if verdict == "met":
        return f"{label}：{due_year}年摘帽目标达到"
    if verdict == "missed_late":
        return f"{label}：{due_year}年摘帽目标未达到 · {reached_year}年降至{threshold:g}%以下"
    if verdict == "missed":
        still = f" · 至{year}年仍高于{threshold:g}%" if year > due_year else ""
        return f"{label}：{due_year}年摘帽目标未达到{still}"
    if verdict in ("on_track", "behind"):
        return f"{label}（{due_year}年摘帽）"
    return label


def _projections(history: pd.DataFrame, target_year: pd.Series) -> pd.DataFrame:
    """``log_linear_projection`` of every scope at once (vectorised, the same formula):
    ``history`` holds scope_code, year, poverty_incidence_pct; ``target_year`` is indexed
    by scope_code. Returns projected_pct, projected_low_pct, projected_high_pct by scope."""
    z, default_se = projection_band()
    h = history[history["poverty_incidence_pct"] > 0]
    x = h["year"].astype("float64")
    y = np.log(h["poverty_incidence_pct"].astype("float64"))
    g = pd.DataFrame({"k": h["scope_code"].to_numpy(), "x": x.to_numpy(), "y": y.to_numpy()})
    by = g.groupby("k")
    n = by["x"].size()
    mx, my = by["x"].mean(), by["y"].mean()
    g["dx"] = g["x"] - g["k"].map(mx)
    g["dy"] = g["y"] - g["k"].map(my)
    g["dxx"], g["dxy"] = g["dx"] ** 2, g["dx"] * g["dy"]
    sums = g.groupby("k")[["dxx", "dxy"]].sum()
    sxx = sums["dxx"]
    slope = (sums["dxy"] / sxx.where(sxx > 0)).fillna(0.0)
    intercept = my - slope * mx
    g["r2"] = (g["y"] - g["k"].map(intercept) - g["k"].map(slope) * g["x"]) ** 2
    rss = g.groupby("k")["r2"].sum()
    s = np.sqrt(rss / (n - 2)).where(n > 2, default_se).clip(lower=default_se)
    big_t = target_year.reindex(n.index).astype("float64")
    centre = intercept + slope * big_t
    spread = z * s * np.sqrt(1 + 1 / n + (big_t - mx) ** 2 / sxx.where(sxx > 0))
    one = n == 1
    spread = spread.where(~one, z * default_se * np.sqrt(1 + (big_t - mx) ** 2))
    # an incidence is a share of the population: the band stops at 100 %
    return pd.DataFrame({"projected_pct": np.exp(centre).clip(upper=100.0),
                         "projected_low_pct": np.exp(centre - spread).clip(upper=100.0),
                         "projected_high_pct": np.exp(centre + spread).clip(upper=100.0)})


def scope_verdicts(figures: pd.DataFrame, planned_exit_year: pd.Series, year: int) -> pd.DataFrame:
    """The verdict of every scope of ``figures`` (one level, every year) in ``year``.

    ``figures``: scope_code, year, poverty_incidence_pct, relapse_rate_pct (the figures
    table); ``planned_exit_year``: indexed by scope_code (null: not named by the plan).
    Returns one row per scope with a row in ``year``, in scope_code order: scope_code,
    due_year, verdict, verdict_label (short, a map key), verdict_text (the sentence),
    light, over_cap, poverty_incidence_pct, relapse_rate_pct, reached_year (first year ≤
    ``year`` below the threshold; for ``missed_late`` the first after the due year; null
    for ``missed``), projected_pct / projected_low_pct / projected_high_pct (incidence,
    %, projected to the due year with its 90 % band; only for ``on_track``/``behind``).
    Vectorised: a province's 33,000 villages take well under a second.
    """
    t = load_config().targets
    threshold = float(t["exit_threshold_pct"])
    cap = float(t["relapse_cap_pct"])
    baseline = int(t["baseline_year"])
    if "relapse_rate_pct" not in figures:  # no relapse figures: no cap to be over
        figures = figures.assign(relapse_rate_pct=np.nan)
    seen = figures.loc[figures["year"] <= year,
                       ["scope_code", "year", "poverty_incidence_pct", "relapse_rate_pct"]]
    now = seen[seen["year"] == year].drop_duplicates("scope_code").set_index("scope_code").sort_index()
    due = due_years(planned_exit_year.reindex(now.index))
    incidence = now["poverty_incidence_pct"].astype("float64")
    relapse = now["relapse_rate_pct"].astype("float64")
    seen = seen.assign(due=seen["scope_code"].map(due))
    below = seen[seen["poverty_incidence_pct"] < threshold]
    first_below = below.groupby("scope_code")["year"].min().reindex(now.index)
    below_after_due = below[below["year"] > below["due"]].groupby("scope_code")["year"].min().reindex(now.index)
    at_due = seen[seen["year"] == seen["due"]].set_index("scope_code")["poverty_incidence_pct"]
    met_at_due = (at_due.reindex(now.index) < threshold).fillna(False).astype(bool)
    before_due = year < due
    projected = _projections(seen[seen["scope_code"].isin(now.index[before_due])], due)
    projected = projected.reindex(now.index)
    on_track = (incidence < threshold) | (projected["projected_pct"] < threshold)
    verdict = np.select(
        [incidence.isna(), pd.Series(year == baseline, index=now.index), before_due & on_track,
         before_due, met_at_due, incidence < threshold],
        ["no_data", "baseline", "on_track", "behind", "met", "missed_late"], default="missed")
    verdict = pd.Series(verdict, index=now.index)
    reached = first_below.where(verdict != "missed_late", below_after_due).where(verdict != "missed")
    forecast = verdict.isin(["on_track", "behind"])
    out = pd.DataFrame({
        "scope_code": now.index, "due_year": due.to_numpy(), "verdict": verdict.to_numpy(),
        "poverty_incidence_pct": incidence.to_numpy(), "relapse_rate_pct": relapse.to_numpy(),
        "over_cap": (relapse > cap).fillna(False).to_numpy(dtype=bool),
        "reached_year": pd.array(reached.to_numpy(), dtype="Int64"),
    })
    for column in ("projected_pct", "projected_low_pct", "projected_high_pct"):
        out[column] = projected[column].where(forecast).to_numpy()
    out["verdict_label"] = out["verdict"].map(VERDICTS)
    out["verdict_text"] = [
        verdict_text(v, d, None if pd.isna(r) else int(r), threshold, year)
        for v, d, r in zip(out["verdict"], out["due_year"], out["reached_year"])]
    out["light"] = out["verdict"].map(VERDICT_LIGHTS).where(~out["over_cap"], "red")
    return out


def verdict_counts(verdicts: pd.DataFrame) -> dict[str, int]:
    """How many scopes have each verdict (every code, zero included), how many are over
    the relapse cap (``over_cap``) and how many are at or above the exit threshold
    (``above_threshold``, incidence ≥ 3 %)."""
    threshold = float(load_config().targets["exit_threshold_pct"])
    counts = {code: int((verdicts["verdict"] == code).sum()) for code in VERDICTS}
    counts["over_cap"] = int(verdicts["over_cap"].sum())
    counts["above_threshold"] = int((verdicts["poverty_incidence_pct"] >= threshold).sum())
    return counts


def verdict_groups(counts: dict[str, int]) -> list[tuple[str, int]]:
    """The townships by verdict as a screen counts them, in the words of the map's legend:
    基线 (the baseline year: no verdict yet), 按期 (按期推进 or 按期达标), 落后 (落后于计划),
    逾期 (逾期达标), 未达标, 无数据; the groups with no township left out (按期 … 未达标
    when every one is empty), so the groups always add up to the townships counted."""
    groups = [("基线", counts["baseline"]), ("按期", counts["on_track"] + counts["met"]),
              ("落后", counts["behind"]), ("逾期", counts["missed_late"]), ("未达标", counts["missed"]),
              ("无数据", counts["no_data"])]
    shown = [(label, n) for label, n in groups if n]
    return shown or groups[1:5]


# --------------------------------------------------------------------------- county targets


@dataclass(frozen=True)
class Judgement:
    """A dated target as seen from ``year``: ``state`` is ``pending`` (before the target
    year), ``met`` or ``missed`` (in it or after); ``text`` says it in one line, e.g.
    ``2017年目标：未达标（9.09%）· 2018年降至5%以下``."""

    target_year: int
    state: str
    value_in_target_year: float | None
    reached_year: int | None
    text: str


def number(value: float) -> str:
    """A threshold or count as a label shows it: thousands separated (6,811; 20,000),
    no trailing zeros (5, 2.5), never in exponent form."""
    value = float(value)
    if value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def _passes(value, target: float, comparison: str) -> bool:
    if value is None or pd.isna(value):
        return False
    return bool(value < target) if comparison == "<" else bool(value >= target)


def target_judgement(series: pd.DataFrame, column: str, target: float, comparison: str,
                     target_year: int, year: int, unit: str, decimals: int = 2) -> Judgement:
    """Judge ``column`` of one scope's yearly ``series`` against ``target`` in its own year.

    ``comparison`` is ``"<"`` (incidence below 5 %) or ``">="`` (income at least 3700).
    Before ``target_year``: pending (the caller shows progress). From it on: met or
    missed on the target year's value, with the first later year ≤ ``year`` that passes.
    """
    goal = f"{'<' if comparison == '<' else '≥'}{number(target)}{unit}"
    if year < target_year:
        return Judgement(target_year, "pending", None, None, f"{target_year}年目标 {goal}")
    values = series.set_index("year")[column]
    value = values.get(target_year)
    value = None if value is None or pd.isna(value) else float(value)
    shown = "无数据" if value is None else f"{value:,.{decimals}f}{unit}"
    if _passes(value, target, comparison):
        return Judgement(target_year, "met", value, target_year,
                         f"{target_year}年目标：达标（{shown}）")
    later = [int(y) for y, v in values.items() if target_year < y <= year and _passes(v, target, comparison)]
    reached = min(later) if later else None
    word = "降至" if comparison == "<" else "达到"
    after = "" if year == target_year else (
        f" · {reached}年{word}{goal.lstrip('<≥')}{'以下' if comparison == '<' else ''}" if reached
        else f" · 至{year}年仍未达到")
    return Judgement(target_year, "missed", value, reached, f"{target_year}年目标：未达标（{shown}）{after}")


def campaign_finished(year: int) -> bool:
    """Whether the campaign is over as seen from ``year``: the target year (2017, every
    township due) has passed, so a screen shows results, not forecasts or countdowns."""
    return year > int(load_config().targets["target_year"])


def default_year(first_year: int, last_year: int) -> int:
    """The year a page opens on: ``targets.campaign_year`` when config names one within
    the data, else the last year with data."""
    named = load_config().targets.get("campaign_year")
    if named and first_year <= int(named) <= last_year:
        return int(named)
    return last_year


def days_left_in_year(year: int, today) -> int | None:
    """Days from ``today`` to the end of the data year ``year``; None once it is over
    (a finished year has no countdown)."""
    from datetime import date

    end = date(year, 12, 31)
    return (end - today).days if today <= end else None

