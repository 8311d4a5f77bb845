"""Village tables, household lists, the household file and the 防返贫监测 lists (监测对象).

Personal columns (names, ID numbers, poverty and relapse causes) leave this module
masked unless the caller passes ``unmasked=True`` because the viewer's role allows
it. ``townships`` restricts every query to those townships (a township analyst's
scope); an empty tuple means the whole county.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics import early_warning
from analytics.config import load_config
from analytics.contract import mask_id_number, mask_name
from analytics.metrics import persons_to_exit_threshold
from analytics.store import Store

CAUSE_COLUMNS = ("poverty_cause", "relapse_cause")
INFRASTRUCTURE_LABELS = {
    "cement_road": "水泥路", "safe_water": "安全饮水", "power_grid": "动力电", "clinic": "卫生室",
    "kindergarten": "幼儿园", "broadband": "宽带",
}
# The 防返贫监测 risk events counted per 监测对象 list (their names; definitions with the
# configured thresholds: early_warning.monitoring_labels).
RISK_LABELS = {event: early_warning.RULE_NAMES[event] for event in early_warning.EVENTS}


def mask_frame(frame: pd.DataFrame, *, hide_causes: bool = True) -> pd.DataFrame:
    """Names → 张*, ID numbers → 6211**********123X, causes → ＊ (when hidden); a missing
    value stays missing (a household without a cadre shows — under 帮扶责任人, as under 级别)."""
    frame = frame.copy()
    for column, mask in (("head_name", mask_name), ("cadre_name", mask_name),
                         ("head_id_number", mask_id_number)):
        if column in frame:
            frame[column] = frame[column].map(mask).where(frame[column].notna(), None)
    if hide_causes:
        for column in CAUSE_COLUMNS:
            if column in frame:
                frame[column] = frame[column].where(frame[column].isna(), "＊")
    return frame


def lists_of(townships, villages) -> dict:
    """The township and village filters as a query binds them (empty list = all)."""
    return {"townships": list(townships or []), "villages": list(villages or [])}


def household_counts(store: Store, townships=(), villages=()) -> pd.DataFrame:
    """The 建档立卡 counts behind the plan's household commitments, by township and year
    and for the whole selection (``scope_code`` 'total'): one row per (scope_code, year)
    with the columns of ``village_year_households`` summed (households and persons, the
    两不愁三保障 met / unmet / unknown persons, 低保, cadres, measures, 新识别 and 自然减少,
    and the terms of the change in poor persons). Built per import by
    queries/build_village_year_households.sql, where each column is defined; read by
    analytics.assistance, .guarantees, .pairing and .register_changes."""
    return store.query("household_counts", **lists_of(townships, villages))


def village_table(store: Store, year: int, townships=(), villages=()) -> pd.DataFrame:
    """Every village of the selection in ``year``: figures, the exit gap, the checklist.

    persons_to_threshold = max(0, poor − (⌈3 % × population⌉ − 1)); infrastructure
    items_done = number of the six checklist items in place (null counts as not).
    """
    frame = store.query("village_table", year=year, **lists_of(townships, villages))
    for column in ("planned_exit_year", "exit_year"):
        frame[column] = frame[column].astype("Int64")
    frame["persons_to_threshold"] = persons_to_exit_threshold(
        frame["poor_persons"], frame["registered_population"],
        load_config().targets["exit_threshold_pct"])
    items = frame[list(INFRASTRUCTURE_LABELS)].fillna(False).astype(bool)
    frame["items_done"] = items.sum(axis=1)
    return frame


def most_behind_villages(villages: pd.DataFrame, limit: int) -> pd.DataFrame:
    """``villages`` (``village_table``'s rows) whole when they are at most ``limit``;
    otherwise the ``limit`` furthest from the exit line — most persons_to_threshold, then
    highest poverty_incidence_pct, then village_code — in their original order. Used
    where a province's tens of thousands of villages are too many to send to a browser
    (config ``[pages] max_villages_listed``)."""
    if len(villages) <= limit:
        return villages
    ranked = villages.sort_values(["persons_to_threshold", "poverty_incidence_pct", "village_code"],
                                  ascending=[False, False, True], na_position="last")
    return villages.loc[villages.index.isin(ranked.index[:limit])]


def poverty_cause_breakdown(store: Store, year: int, townships=(), villages=()) -> pd.DataFrame:
    """Registered and poor persons by main poverty cause; share_pct = 100 × poor / Σ poor."""
    frame = store.query("poverty_causes", year=year, **lists_of(townships, villages))
    total = frame["poor_persons"].sum()
    frame["share_pct"] = 100.0 * frame["poor_persons"] / total if total else float("nan")
    return frame


def household_list(store: Store, year: int, villages, townships=(), *,
                   unmasked: bool = False) -> pd.DataFrame:
    """The registered households of ``villages`` in ``year``, masked unless allowed."""
    frame = store.query("household_list", year=year, **lists_of(townships, villages))
    return frame if unmasked else mask_frame(frame)


@dataclass(frozen=True)
class HouseholdFile:
    head: dict
    years: pd.DataFrame
    measures: pd.DataFrame


def household_file(store: Store, household_id: str, townships=(), *,
                   unmasked: bool = False) -> HouseholdFile | None:
    """一户一档: registration, every year (income against the line, status, 三保障), measures.

    None when the household does not exist or lies outside ``townships``.
    """
    scope = {"household_id": household_id, "townships": list(townships or [])}
    head = store.query("household_head", **scope)
    if head.empty:
        return None
    if not unmasked:
        head = mask_frame(head, hide_causes=False)
    years = store.query("household_years_of", **scope)
    if not unmasked:
        years = mask_frame(years)
    measures = store.query("household_measures_of", **scope)
    return HouseholdFile(head.iloc[0].to_dict(), years, measures)


def at_risk_households(store: Store, year: int, townships=(), villages=(), *,
                       unmasked: bool = False, events_shown: bool = False) -> pd.DataFrame:
    """防返贫监测: the 监测对象 of ``year`` (rule in analytics/early_warning.py: exited or
    relapsed, income below 监测线 and a risk event), all of them, as the visit list
    (``early_warning.visit_list_top`` without a limit): by village, highest score first,
    with the flags, score, level and ``reasons``; masked unless allowed (names and IDs:
    ``unmasked``; the risk events: ``events_shown``)."""
    return early_warning.visit_list_top(store, year, townships, villages, limit=None,
                                        unmasked=unmasked, events_shown=events_shown)


def at_risk_village_counts(store: Store, year: int, townships=(), villages=()) -> pd.DataFrame:
    """Per village with 监测对象 in ``year`` (by township, then village code): the counts
    of ``early_warning.risk_level_counts`` (monitored, persons, high, medium, low,
    high_persons, income_drop, illness_or_disaster) without fetching the rows."""
    return early_warning.monitored_village_counts(store, year, townships, villages)


def income_band_width(poverty_line: float) -> float:
    """The income histogram's band width: 1/20 of the poverty line, at least 1 yuan
    (the bin size charts.build_income_histogram gives its bars)."""
    return max(poverty_line / 20, 1)


def household_income_bands(store: Store, year: int, poverty_line: float, townships=(),
                           villages=()) -> pd.DataFrame:
    """Registered persons by per-capita income band in ``year``: band k of width
    w = ``income_band_width(poverty_line)`` holds the households with k·w ≤ income <
    (k+1)·w; persons = Σ members, households = their number. ``income`` = the band's
    midpoint (k + ½)·w and ``members`` = persons, so a histogram of bin size w summing
    ``members`` over ``income`` draws the bars of every household's income in a few rows."""
    width = income_band_width(poverty_line)
    frame = store.query("household_income_bands", year=year, bin_width=float(width),
                        **lists_of(townships, villages))
    frame["income"] = (frame["band"] + 0.5) * width
    frame["members"] = frame["persons"]
    return frame
