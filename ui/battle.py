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
from analytics.status import status_counts
from ui import data
from ui.charts import figure
from ui.format import fmt_int, fmt_pct
from ui.township_map import township_deck

PANELS = ("map", "exits", "relapse", "income")
PANEL_TITLES = {"map": "乡镇作战图", "exits": "脱贫人数：实际与计划", "relapse": "各乡镇返贫率",
                "income": "各乡镇收入目标进度"}
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


def _legend(metric: str) -> str:
    items = "".join(
        f'<span class="bm-key"><i style="background: rgba({c[0]},{c[1]},{c[2]},{c[3] / 255:.2f})"></i>'
        f"{label}</span>" for label, c in maps.map_legend(metric))
    return f'<div class="bm-legend">{maps.METRICS[metric]}：{items}</div>'


def render_screen(params: ScreenParams) -> None:
    """Draw one frame of the screen; called again by the fragment every ``rotate`` s."""
    config = load_config()
    t = config.targets
    meta = data.dataset_meta()
    last_year = int(meta["last_year"])
    year = params.year if params.year and int(meta["first_year"]) <= params.year <= last_year else last_year
    tick = st.session_state.get("bm_tick", -1) + 1
    st.session_state["bm_tick"] = tick
    panel = PANELS[tick % len(PANELS)]

    county = data.selection_figures()
    row = county[county["year"] == year].iloc[0]
    towns = data.township_map_values(year)
    vills = data.village_map_points(year)
    town_counts = status_counts(towns)
    village_counts = status_counts(vills)
    high_risk = int(data.risk_level_counts(year)["high"].sum())
    today = date.today()
    days_left = (date(today.year, 12, 31) - today).days
    cap = float(t["relapse_cap_pct"])
    over_cap = row["relapse_rate_pct"] == row["relapse_rate_pct"] and row["relapse_rate_pct"] > cap

    st.markdown(
        f'<div class="bm-head"><span class="bm-title">通渭县脱贫攻坚挂图作战 · {year}年</span>'
        f'<span class="bm-asof">数据截至 {meta.get("as_of", "—")} · 第 {tick % len(PANELS) + 1}/'
        f'{len(PANELS)} 屏 · 每 {params.rotate} 秒轮换</span></div>', unsafe_allow_html=True)
    left, right = st.columns([63, 37], gap="medium")
    with left:
        st.markdown(f'<div class="bm-panel-title">{PANEL_TITLES[panel]}</div>', unsafe_allow_html=True)
        if panel == "map":
            _, schematic = township_polygons()
            deck = township_deck(year, params.metric, dark=True, label_size=30, height=760,
                                 view={"latitude": 35.205, "longitude": 105.222, "zoom": 9.5})
            st.pydeck_chart(deck, height=760, key=f"bm_map_{tick}")
            st.markdown(_legend(params.metric) + (
                '<div class="bm-note">示意图：乡镇范围按乡镇驻地划分，非法定行政边界</div>'
                if schematic else ""), unsafe_allow_html=True)
        elif panel == "exits":
            st.plotly_chart(figure(charts.build_exits_vs_plan, data.exits_against_plan(),
                                   dark=True, height=800), key=f"bm_exits_{tick}")
        elif panel == "relapse":
            st.plotly_chart(figure(charts.build_relapse_by_township, towns, cap,
                                   f"{year}年各乡镇返贫率（上限{cap:g}%）", dark=True, height=800),
                            key=f"bm_relapse_{tick}")
        else:
            st.plotly_chart(figure(charts.build_income_progress_by_township, towns, year,
                                   dark=True, height=800), key=f"bm_income_{tick}")
    with right:
        st.markdown(
            _tile("剩余贫困人口", f"{fmt_int(row['poor_persons'])}<small>人</small>",
                  f"贫困发生率 {fmt_pct(row['poverty_incidence_pct'])}")
            + _tile("距3%退出线还需脱贫", f"{fmt_int(row['persons_to_threshold'])}<small>人</small>",
                    "全县口径", "warn" if row["persons_to_threshold"] > 0 else "good")
            + _tile("高于3%的村 / 乡镇",
                    f"{village_counts['above_threshold']}<small>村</small> "
                    f"{town_counts['above_threshold']}<small>乡镇</small>",
                    f"共 {len(vills)} 村、{len(towns)} 乡镇")
            + _tile("返贫率", fmt_pct(row["relapse_rate_pct"]),
                    f"上限 {cap:g}% · {'超限' if over_cap else '未超限'} · "
                    f"{town_counts.get('over_cap', 0)} 个乡镇超限",
                    "bad" if over_cap or town_counts.get("over_cap", 0) else "good")
            + _tile("高风险监测户", f"{fmt_int(high_risk)}<small>户</small>",
                    "防返贫预警 · 本月需走访", "bad" if high_risk else "good")
            + _tile("今年剩余", f"{days_left}<small>天</small>", f"{today.isoformat()}"),
            unsafe_allow_html=True)


KIOSK_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header,
[data-testid="stToolbar"], [data-testid="stDecoration"], footer { display: none !important; }
.stApp, [data-testid="stAppViewContainer"] { background: #0b1320 !important; color: #f2f4f8; }
.block-container { padding: 1.0rem 1.6rem 0 1.6rem !important; max-width: 100% !important; }
h1 { display: none; }
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
.bm-note { font-size: 19px; color: #aab4c3; }
.bm-legend { font-size: 22px; color: #f2f4f8; margin-top: 6px; }
.bm-key { margin-right: 22px; white-space: nowrap; }
.bm-key i { display: inline-block; width: 22px; height: 22px; border-radius: 4px; margin: 0 6px -3px 8px; }
</style>
"""
