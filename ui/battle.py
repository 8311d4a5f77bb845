"""The battle-map screen's layout: tiles, the rotating panel, the legend.

Kept out of the page file so the page stays a few lines; everything drawn is an
aggregate from analytics (no personal data reaches this module).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from analytics import charts, maps
from analytics.config import load_config
from analytics.geo import township_polygons
from analytics.verdicts import (
    campaign_finished,
    days_left_in_year,
    default_year,
    target_judgement,
    verdict_counts,
    verdict_groups,
)
from ui import data
from ui.charts import figure
from ui.format import fmt_int, fmt_pct
from ui.township_map import township_deck

PANELS = ("map", "exits", "relapse", "income")
#: Once the campaign is over (analytics.verdicts.campaign_finished): the final result.
FINAL_PANELS = ("map", "exits", "exit_years", "relapse_record")
PANEL_TITLES = {"map": "乡镇作战图", "exits": "脱贫人数：实际与计划", "relapse": "各乡镇返贫率",
                "income": "各乡镇收入目标进度", "exit_years": "各乡镇摘帽：计划与实际",
                "relapse_record": "历年返贫率"}
MIN_ROTATE = 5


@dataclass(frozen=True)
class ScreenParams:
    kiosk: bool
    rotate: int
    metric: str
    year: int | None


def screen_params(query_params) -> ScreenParams:
    """Read the screen's settings from the URL, falling back to safe defaults."""
    kiosk = query_params.get("kiosk", "1") not in ("0", "false", "no")
    try:
        rotate = max(int(query_params.get("rotate", "30")), MIN_ROTATE)
    except ValueError:
        rotate = 30
    metric = query_params.get("metric", "status")
    if metric not in maps.METRICS:
        metric = "status"
    try:
        year = int(query_params["year"]) if "year" in query_params else None
    except ValueError:
        year = None
    return ScreenParams(kiosk, rotate, metric, year)


def _tile(label: str, value: str, note: str = "", tone: str = "") -> str:
    return (f'<div class="bm-tile {tone}"><div class="bm-label">{label}</div>'
            f'<div class="bm-value">{value}</div><div class="bm-note">{note}</div></div>')


def _legend(metric: str, towns) -> str:
    items = "".join(
        f'<span class="bm-key"><i style="background: rgba({c[0]},{c[1]},{c[2]},{c[3] / 255:.2f})"></i>'
        f"{label}</span>" for label, c in maps.map_legend(metric, towns))
    return f'<div class="bm-legend">{maps.METRICS[metric]}：{items}</div>'


def _panel(panel: str, year: int, towns, county, params: ScreenParams, cap: float,
           threshold: float, tick: int) -> None:
    if panel == "map":
        _, schematic = township_polygons()
        deck = township_deck(year, params.metric, dark=True, label_size=30, height=760,
                             view={"latitude": 35.205, "longitude": 105.222, "zoom": 9.5})
        st.pydeck_chart(deck, height=760, key=f"bm_map_{tick}")
        st.markdown(_legend(params.metric, towns) + (
            '<div class="bm-note">示意图：乡镇范围按乡镇驻地划分，非法定行政边界</div>'
            if schematic else ""), unsafe_allow_html=True)
    elif panel == "exits":
        exits = data.exits_against_plan()
        st.plotly_chart(figure(charts.build_exits_vs_plan, exits[exits["year"] <= year],
                               dark=True, height=800), theme=None, key=f"bm_exits_{tick}")
    elif panel == "relapse":
        st.plotly_chart(figure(charts.build_relapse_by_township, towns, cap,
                               f"{year}年各乡镇返贫率（上限{cap:g}%）", dark=True, height=800),
                        theme=None, key=f"bm_relapse_{tick}")
    elif panel == "income":
        st.plotly_chart(figure(charts.build_income_progress_by_township, towns, year,
                               dark=True, height=800), theme=None, key=f"bm_income_{tick}")
    elif panel == "exit_years":
        st.plotly_chart(figure(charts.build_exit_years_by_township, towns, threshold,
                               dark=True, height=800), theme=None, key=f"bm_exit_years_{tick}")
    else:
        st.plotly_chart(figure(charts.build_trend, county[county["year"] <= year], "relapse_rate_pct",
                               "全县返贫率", "返贫率（%）", targets=[(cap, f"上限 {cap:g}%")],
                               dark=True, height=800), theme=None, key=f"bm_relapse_record_{tick}")


def _tiles(year: int, row, towns, vills, county, finished: bool, high_risk: int) -> str:
    """The right-hand tiles: progress during the campaign, the final result after it."""
    t = load_config().targets
    cap, threshold = float(t["relapse_cap_pct"]), float(t["exit_threshold_pct"])
    counts, village_counts = verdict_counts(towns), verdict_counts(vills)
    over_cap = row["relapse_rate_pct"] == row["relapse_rate_pct"] and row["relapse_rate_pct"] > cap
    incidence_goal = target_judgement(county, "poverty_incidence_pct", float(t["incidence_pct"]), "<",
                                      int(t["target_year"]), year, "%")
    tiles = [_tile("贫困发生率", fmt_pct(row["poverty_incidence_pct"]),
                   incidence_goal.text if incidence_goal.state != "pending" else
                   f"{incidence_goal.text} · 剩余贫困人口 {fmt_int(row['poor_persons'])} 人",
                   {"met": "good", "missed": "bad"}.get(incidence_goal.state, ""))]
    groups = "".join(f"{n}<small>{label}</small>" for label, n in verdict_groups(counts))
    worst = ("bad" if counts["missed"] + counts["missed_late"] else
             "warn" if counts["behind"] else "good")
    if finished:
        seen = county[county["year"] <= year]
        rates = seen["relapse_rate_pct"].dropna()
        within = int((rates <= cap).sum())
        tiles += [
            _tile("乡镇摘帽结果", groups, f"共 {len(towns)} 个乡镇", worst),
            _tile("累计脱贫人数", f"{fmt_int(seen['exited_persons'].sum())}<small>人</small>",
                  f"{int(seen['year'].min())}–{year}年"),
            _tile("返贫率记录", f"{within}/{len(rates)}<small>年</small>",
                  f"在{cap:g}%上限以内 · {year}年 {fmt_pct(row['relapse_rate_pct'])}",
                  "good" if within == len(rates) else "bad"),
        ]
    else:
        due_now = counts["met"] + counts["missed"] + counts["missed_late"]
        no_relapse = row["relapse_rate_pct"] != row["relapse_rate_pct"]  # no exited stock yet
        tiles += [
            _tile(f"距{threshold:g}%退出线还需脱贫", f"{fmt_int(row['persons_to_threshold'])}<small>人</small>",
                  f"高于{threshold:g}%：{village_counts['above_threshold']} 村、"
                  f"{counts['above_threshold']} 乡镇", "warn" if row["persons_to_threshold"] > 0 else "good"),
            _tile("乡镇摘帽进度", groups,
                  f"共 {len(towns)} 个乡镇 · " + (f"{due_now} 个已到计划摘帽年份" if due_now
                                               else "均未到计划摘帽年份"), worst),
            _tile("返贫率", fmt_pct(row["relapse_rate_pct"]),
                  "尚无已脱贫人口，不计返贫率" if no_relapse else
                  f"上限 {cap:g}% · {'超限' if over_cap else '未超限'} · {counts['over_cap']} 个乡镇超限",
                  "" if no_relapse else "bad" if over_cap or counts["over_cap"] else "good"),
        ]
    tiles.append(_tile("高风险监测对象", f"{fmt_int(high_risk)}<small>户</small>",
                       "防返贫监测 · 本月需走访", "bad" if high_risk else "good"))
    days_left = days_left_in_year(year, date.today())
    if days_left is not None and not finished:
        tiles.append(_tile(f"{year}年剩余", f"{days_left}<small>天</small>", f"至{year}年12月31日"))
    return "".join(tiles)


def render_screen(params: ScreenParams) -> None:
    """Draw one frame of the screen; called again by the fragment every ``rotate`` s.
    During the campaign it shows progress; once the target year has passed
    (``verdicts.campaign_finished``), the final result: no forecast, no countdown."""
    t = load_config().targets
    meta = data.dataset_meta()
    first_year, last_year = int(meta["first_year"]), int(meta["last_year"])
    year = params.year if params.year and first_year <= params.year <= last_year else \
        default_year(first_year, last_year)
    finished = campaign_finished(year)
    panels = FINAL_PANELS if finished else PANELS
    tick = st.session_state.get("bm_tick", -1) + 1
    st.session_state["bm_tick"] = tick
    panel = panels[tick % len(panels)]

    county = data.selection_figures()
    row = county[county["year"] == year].iloc[0]
    towns = data.township_map_values(year)
    vills = data.village_map_points(year)
    high_risk = int(data.risk_level_counts(year)["high"].sum())
    title = f"通渭县脱贫攻坚挂图作战 · {year}年" + (" · 攻坚结果" if finished else "")

    st.markdown(
        f'<div class="bm-head"><span class="bm-title">{title}</span>'
        f'<span class="bm-asof">数据截至 {meta.get("as_of", "—")} · 第 {tick % len(panels) + 1}/'
        f'{len(panels)} 屏 · 每 {params.rotate} 秒轮换</span></div>', unsafe_allow_html=True)
    left, right = st.columns([63, 37], gap="medium")
    with left:
        panel_title = PANEL_TITLES[panel] if panel != "relapse" else \
            f"{year}年各乡镇返贫率（上限{float(t['relapse_cap_pct']):g}%）"
        st.markdown(f'<div class="bm-panel-title">{panel_title}</div>', unsafe_allow_html=True)
        _panel(panel, year, towns, county, params, float(t["relapse_cap_pct"]),
               float(t["exit_threshold_pct"]), tick)
    with right:
        st.markdown(_tiles(year, row, towns, vills, county, finished, high_risk), unsafe_allow_html=True)


#: The kiosk's chrome: no sidebar, header, toolbar or page title (``?kiosk=1``, the default).
KIOSK_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header,
[data-testid="stToolbar"], [data-testid="stDecoration"], footer { display: none !important; }
.block-container { padding: 1.0rem 1.6rem 0 1.6rem !important; max-width: 100% !important; }
h1 { display: none; }
</style>
"""

#: The screen's own look, with or without the kiosk chrome (``?kiosk=0`` keeps it).
SCREEN_CSS = """
<style>
.stApp, [data-testid="stAppViewContainer"] { background: #0b1320 !important; color: #f2f4f8; }
.bm-head { display: flex; justify-content: space-between; align-items: baseline; margin-bottom: 0.4rem; }
.bm-title { font-size: 46px; font-weight: 800; color: #ffffff; letter-spacing: 2px; }
.bm-asof { font-size: 22px; color: #aab4c3; }
.bm-panel-title { font-size: 30px; font-weight: 700; color: #ffd479; margin: 0 0 0.3rem 0; }
.bm-tile { background: #15233a; border-radius: 10px; padding: 6px 22px; margin-bottom: 10px;
           border-left: 10px solid #3498db; }
.bm-tile.warn { border-left-color: #f39c12; } .bm-tile.bad { border-left-color: #e74c3c; }
.bm-tile.good { border-left-color: #27ae60; }
.bm-label { font-size: 24px; color: #cfd8e3; }
.bm-value { font-size: 56px; font-weight: 800; color: #ffffff; line-height: 1.08; }
.bm-value small { font-size: 28px; font-weight: 600; margin: 0 10px 0 6px; color: #cfd8e3; }
.bm-note { font-size: 20px; color: #aab4c3; }
[data-testid="stMain"] h1 { color: #f2f4f8; }
.bm-legend { font-size: 22px; color: #f2f4f8; margin-top: 6px; }
.bm-key { margin-right: 22px; white-space: nowrap; }
.bm-key i { display: inline-block; width: 22px; height: 22px; border-radius: 4px; margin: 0 6px -3px 8px; }
</style>
"""
