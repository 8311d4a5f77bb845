"""The battle-map screen's layout: tiles, the rotating panel, the legend.

Kept out of the page file so the page stays a few lines; everything drawn is an
aggregate from analytics (no personal data reaches this module).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import streamlit as st

from analytics import charts, maps
from analytics.config import load_config
from analytics.plans import scope_targets
from analytics.verdicts import (
    campaign_finished,
    days_left_in_year,
    default_year,
    number,
    target_judgement,
    verdict_counts,
    verdict_groups,
)
from ui import data
from ui.charts import figure
from ui.format import fmt_int, fmt_pct
from ui.frame import _one_code, unique_labels
from ui.township_map import area_deck, map_level, shapes_note, townships_drawn_note, village_key

PANELS = ("map", "exits", "relapse", "income")
#: Once the campaign is over (analytics.verdicts.campaign_finished): the final result.
FINAL_PANELS = ("map", "exits", "exit_years", "relapse_record")
PANEL_TITLES = {"map": "乡镇作战图", "county_map": "各县作战图", "exits": "脱贫人数：实际与计划",
                "relapse": "各乡镇返贫率", "income": "各乡镇收入目标进度", "exit_years": "各乡镇摘帽：计划与实际",
                "relapse_record": "历年返贫率"}
MIN_ROTATE = 5
#: The map's view of a Tongwei-sized county: the whole county in the smallest panel
#: (1280×720); a larger screen shows it larger around the same centre only if zoomed, so
#: this is the floor of sizes. Another county, or the province's counties, are shown as
#: this shows Tongwei (``maps.fitted_view``).
MAP_VIEW = {"latitude": 35.205, "longitude": 105.222, "zoom": 8.95}


@dataclass(frozen=True)
class ScreenParams:
    kiosk: bool
    rotate: int
    metric: str
    year: int | None
    #: the charts' and map's size on a screen of more pixels than the system scales
    #: (``?scale=2`` on 3840×2160 at 100 %); the page's own text follows the screen alone
    scale: float = 1.0
    #: ``?county=`` as the address gives it (a county's name or code; ``choose_county``
    #: keeps it only when it names a county the viewer may see), else None: the province
    county: str | None = None
    #: the address gave a ``?year=`` that is not a year (the screen says it ignored it)
    year_unreadable: bool = False


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
    year_unreadable = False
    try:
        year = int(query_params["year"]) if "year" in query_params else None
    except ValueError:
        year, year_unreadable = None, True
    try:
        scale = float(query_params.get("scale", "1"))
    except ValueError:
        scale = 1.0
    # 1 (a screen the system scales) to 3; smaller would shrink the text below 20 px
    scale = min(max(scale, 1.0), 3.0) if math.isfinite(scale) else 1.0
    return ScreenParams(kiosk, rotate, metric, year, scale, query_params.get("county") or None,
                        year_unreadable)


def choose_county(params: ScreenParams) -> str:
    """In the kiosk (no filters), narrow the screen to the county of ``?county=`` (a name
    or a code of one the viewer may see; anything else: the province), as the pages' 县
    filter does (``st.session_state["county"]``, read by ``ui.data.current_scope``).
    Framed (``?kiosk=0``), the frame's filter has read the address already. Returns what
    the screen says when ``?county=`` names no county it may show ('' when it does)."""
    if not params.kiosk:
        return ""
    counties = data.counties()
    labels = unique_labels(counties["county_code"], counties["name"])
    named = _one_code(labels)([params.county]) if params.county else None
    st.session_state["county"] = named if len(labels) > 1 else None
    if params.county and named is None:  # never echo the address's text on the screen
        return "链接中的县无法显示"
    return ""


def scope_name() -> str:
    """What the screen shows: the county chosen, the one county the viewer sees, or 全省."""
    counties = data.counties()
    names = unique_labels(counties["county_code"], counties["name"])
    chosen = st.session_state.get("county")
    if chosen in names:
        return names[chosen]
    return next(iter(names.values())) if len(names) == 1 else data.top_label()


def _tile(label: str, value: str, note: str = "", tone: str = "") -> str:
    return (f'<div class="bm-tile {tone}"><div class="bm-label">{label}</div>'
            f'<div class="bm-value">{value}</div><div class="bm-note">{note}</div></div>')


def _keys(pairs, shape: str = "") -> str:
    out = []
    for label, c in pairs:
        colour = f"rgba({c[0]},{c[1]},{c[2]},{c[3] / 255:.2f})"
        if label.startswith("紫红框"):  # an outline, not a fill
            out.append(f'<span class="bm-key"><i class="ring" style="border-color: {colour}"></i>'
                       f'{label.removeprefix("紫红框：")}</span>')
        else:
            out.append(f'<span class="bm-key"><i class="{shape}" style="background: {colour}"></i>'
                       f'{label}</span>')
    return "".join(out)


def _legend(metric: str, towns, year: int, level: str = "township") -> str:
    """The map's key for ``metric``: the townships' (or at province scope the counties')
    colours and the outline over the relapse cap, then the villages' dots, which show
    their verdict whatever the metric (or why there are none: ``township_map.village_key``)."""
    partial = townships_drawn_note(year, level)
    unit = "县" if level == "county" else "乡镇"
    return (f'<div class="bm-legend">{unit}{maps.METRICS[metric]}：{_keys(maps.map_legend(metric, towns))}'
            f'<br>{village_key(year, lambda label, c: _keys([(label, c)], "dot"), level)}'
            + (f'<div class="bm-note">{partial}</div>' if partial else "") + '</div>')


def _panel(panel: str, year: int, towns, vills, county, params: ScreenParams, cap: float,
           threshold: float) -> None:
    """One panel's map or chart, filling the panel (``height="stretch"``)."""
    if panel == "map":
        level = map_level()
        view = {**MAP_VIEW, "zoom": MAP_VIEW["zoom"] + math.log2(params.scale)}
        deck = area_deck(year, params.metric, level, dark=True, label_size=round(26 * params.scale),
                         height=None, view=view)
        st.pydeck_chart(deck, height="stretch", key="bm_map")
        areas = data.county_map_values(year) if level == "county" else towns
        note = shapes_note(level)
        st.markdown(_legend(params.metric, areas, year, level)
                    + (f'<div class="bm-note">{note}</div>' if note else ""), unsafe_allow_html=True)
        return
    baseline = year <= int(load_config().targets["baseline_year"])
    if map_level() == "county":  # 全省: a bar per county (180 townships' bars cannot be read across a room)
        towns, unit = data.county_map_values(year).rename(columns={"county_code": "scope_code"}), "县"
    else:
        unit = "乡镇"
    if panel == "exits":
        exits = data.exits_against_plan()
        fig = figure(charts.build_exits_vs_plan, exits[exits["year"] <= year], dark=True, height=None,
                     empty_note=f"{year} 年为基线年，尚无脱贫数据" if baseline else None)
    elif panel == "relapse":
        fig = figure(charts.build_relapse_by_township, towns, cap,
                     f"{year}年各{unit}返贫率（上限{number(cap)}%）", dark=True, height=None,
                     empty_note=f"{year} 年尚无已脱贫人口，返贫率无从计算", x_title=unit)
    elif panel == "income":
        fig = figure(charts.build_income_progress_by_township, towns, year, dark=True, height=None,
                     empty_note=f"{year} 年为基线年：收入目标进度从此起算" if baseline else None, unit=unit)
    elif panel == "exit_years":
        fig = figure(charts.build_exit_years_by_township, towns, threshold, dark=True, height=None, unit=unit)
    else:
        fig = figure(charts.build_trend, county[county["year"] <= year], "relapse_rate_pct",
                     f"{data.top_label()}返贫率", "返贫率（%）", targets=[(cap, f"上限 {number(cap)}%")],
                     series_name=f"{data.top_label()}返贫率", dark=True, height=None)
    # no Plotly toolbar: nobody clicks the screen, and it covered the panel's number
    st.plotly_chart(charts.scaled(fig, params.scale), height="stretch", theme=None,
                    key=f"bm_{panel}", config={"displayModeBar": False})


def _tiles(year: int, row, towns, vills, county, finished: bool, high_risk: int, t: dict,
           townships_ever_over: int = 0) -> str:
    """The right-hand tiles: progress during the campaign, the final result after it; ``t``
    the targets of the scope shown (``plans.scope_targets``: the province's at 全省);
    ``townships_ever_over`` the townships over the relapse cap in any year up to ``year``
    (the final result's 返贫率记录 is the scope's own, which can hide them)."""
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
             "warn" if counts["behind"] else
             "" if counts["on_track"] + counts["met"] == 0 else "good")  # the baseline: no verdict, no colour
    if finished:
        seen = county[county["year"] <= year]
        rates = seen["relapse_rate_pct"].dropna()
        within = int((rates <= cap).sum())
        tiles += [
            _tile("乡镇摘帽结果", groups, f"共 {len(towns)} 个乡镇", worst),
            _tile("累计脱贫人数", f"{fmt_int(seen['exited_persons'].sum())}<small>人</small>",
                  f"{int(seen['year'].min())}–{year}年"),
            _tile("返贫率记录", f"{within}/{len(rates)}<small>年</small>",
                  f"{scope_name()}在{cap:g}%上限以内 · {year}年 {fmt_pct(row['relapse_rate_pct'])}"
                  + (f" · {townships_ever_over} 个乡镇曾超限" if townships_ever_over else ""),
                  "bad" if within < len(rates) else "warn" if townships_ever_over else "good"),
        ]
    else:
        due_now = counts["met"] + counts["missed"] + counts["missed_late"]
        no_relapse = row["relapse_rate_pct"] != row["relapse_rate_pct"]  # no exited stock yet
        below_line = row["poverty_incidence_pct"] < threshold  # not "还需脱贫 0 人"
        tiles += [
            _tile(f"距{number(threshold)}%退出线" if below_line else f"距{number(threshold)}%退出线还需脱贫",
                  "已低于退出线" if below_line else f"{fmt_int(row['persons_to_threshold'])}<small>人</small>",
                  f"高于{number(threshold)}%：{village_counts['above_threshold']:,} 村、"
                  f"{counts['above_threshold']} 乡镇", "good" if below_line else "warn"),
            _tile("乡镇摘帽进度", groups,
                  f"共 {len(towns)} 个乡镇 · " + (f"{due_now} 个已到计划摘帽年份" if due_now
                                               else "均未到计划摘帽年份"), worst),
            _tile("返贫率", fmt_pct(row["relapse_rate_pct"]),
                  "尚无已脱贫人口，不计返贫率" if no_relapse else
                  f"上限 {cap:g}% · {'超限' if over_cap else '未超限'} · {counts['over_cap']} 个乡镇超限",
                  "" if no_relapse else "bad" if over_cap or counts["over_cap"] else "good"),
        ]
    days_left = days_left_in_year(year, date.today())
    # 本月需走访 only while the year shown is running; a past year's count is its year-end's
    tiles.append(_tile("高风险监测对象", f"{fmt_int(high_risk)}<small>户</small>",
                       "防返贫监测 · 本月需走访" if days_left is not None else f"防返贫监测 · {year}年末",
                       "bad" if high_risk else "good"))
    if days_left is not None and not finished:
        tiles.append(_tile(f"{year}年剩余", f"{days_left}<small>天</small>", f"至{year}年12月31日"))
    return "".join(tiles)


def refresh_seconds(params: ScreenParams) -> int:
    """Seconds between two runs of the screen: one full cycle of its panels. The panels
    rotate in the browser (``rotation_css``); a run only brings fresh data."""
    return params.rotate * len(PANELS)


def rotation_css(count: int, rotate: int) -> str:
    """CSS that shows panel ``k`` of ``count`` (container ``bm_panel_k``) during seconds
    [k·rotate, (k+1)·rotate) of each cycle. Every panel is in the page from the start and
    draws while hidden, so a panel is never rotated in, or away, before it has drawn;
    rotating costs the server nothing."""
    cycle = count * rotate
    share = 100.0 / count
    rules = [(f"@keyframes bm-cycle {{ 0%, {share:.4f}% {{ visibility: visible; opacity: 1; }} "
              f"{share + 0.0001:.4f}%, 100% {{ visibility: hidden; opacity: 0; }} }}")]
    for k in range(count):
        # a negative delay: panel k is (count - k)·rotate seconds into its cycle at load
        rules.append(f".st-key-bm_panel_{k} {{ animation: bm-cycle {cycle}s step-end infinite; "
                     f"animation-delay: {(k - count) * rotate}s; }}")
    return "<style>\n" + "\n".join(rules) + "\n</style>"


def legend_css(scale: float) -> str:
    """CSS that draws the charts' legend swatches ``scale`` times larger (``?scale=2``):
    Plotly draws a legend's markers at most 16 px and a bar's swatch at a fixed 12 px,
    whatever the text size (``charts.scaled`` scales the text, lines and markers), so each
    swatch is scaled around its own centre; empty at scale 1."""
    if scale == 1:
        return ""
    # the swatch's group, not its path: a CSS transform on the path would replace the
    # translate() Plotly sets in its transform attribute
    return ("<style>\n.st-key-bm_stage .legend .legendpoints "
            f"{{ transform: scale({scale:g}); transform-box: fill-box; transform-origin: center; }}\n</style>")


def _townships_ever_over(towns, year: int, cap: float) -> int:
    """How many of the townships shown (``towns``) had a relapse rate over ``cap`` in some
    year up to ``year``."""
    figures = data.figures_by_level("township")
    seen = figures[figures["scope_code"].isin(towns["township_code"]) & (figures["year"] <= year)]
    return int(seen.loc[seen["relapse_rate_pct"] > cap, "scope_code"].nunique())


def render_screen(params: ScreenParams) -> None:
    """Draw the screen; run again every cycle (``refresh_seconds``) for fresh data.
    Every panel is drawn at once, stacked, and the browser shows one at a time
    (``rotation_css``). During the campaign it shows progress; once the target year has
    passed (``verdicts.campaign_finished``), the final result: no forecast, no countdown."""
    ignored = choose_county(params)
    t = scope_targets(province=map_level() == "county")  # 全省 (several counties, none chosen)
    meta = data.dataset_meta()
    first_year, last_year = int(meta["first_year"]), int(meta["last_year"])
    year = params.year if params.year and first_year <= params.year <= last_year else \
        default_year(first_year, last_year)
    notes = [f"{ignored}，显示{scope_name()}"] if ignored else []
    if params.kiosk and (params.year_unreadable or (params.year and year != params.year)):
        # the framed page's own year filter says so; never echo the address
        notes.append(f"链接中的年份数据中没有，显示{year}年")
    finished = campaign_finished(year)
    panels = FINAL_PANELS if finished else PANELS

    county = data.selection_figures()
    if county[county["year"] == year].empty:  # e.g. an account for a county not loaded
        st.info(f"{year} 年没有可显示的数据：本账户可查看的范围内没有已导入的数据。")
        st.stop()
    row = county[county["year"] == year].iloc[0]
    towns = data.township_map_values(year)
    vills = data.village_map_points(year)
    high_risk = int(data.risk_level_counts(year)["high"].sum())
    title = f"{scope_name()}脱贫攻坚挂图作战 · {year}年" + (" · 攻坚结果" if finished else "")
    cap = float(t["relapse_cap_pct"])

    st.html(rotation_css(len(panels), params.rotate) + legend_css(params.scale))
    st.markdown(
        f'<div class="bm-head"><span class="bm-title">{title}</span>'
        f'<span class="bm-asof">{"；".join(notes) + " · " if notes else ""}'
        f'数据截至 {meta.get("as_of", "—")} · 每 {params.rotate} 秒轮换</span>'
        f'</div>', unsafe_allow_html=True)
    left, right = st.columns([63, 37], gap="medium")
    with left, st.container(key="bm_stage"):
        for k, panel in enumerate(panels):
            with st.container(key=f"bm_panel_{k}"):
                panel_title = PANEL_TITLES[panel] if panel != "relapse" else \
                    f"{year}年各乡镇返贫率（上限{cap:g}%）"
                if map_level() == "county":  # 全省: the panels by county
                    panel_title = panel_title.replace("各乡镇", "各县")
                if panel == "map" and map_level() == "county":
                    panel_title = PANEL_TITLES["county_map"]
                st.markdown(f'<div class="bm-panel-title">{panel_title}<span class="bm-panel-no" '
                            f'data-panel="{k + 1}">第 {k + 1}/{len(panels)} 屏</span></div>',
                            unsafe_allow_html=True)
                _panel(panel, year, towns, vills, county, params, cap, float(t["exit_threshold_pct"]))
    with right:
        st.markdown(_tiles(year, row, towns, vills, county, finished, high_risk, t,
                           _townships_ever_over(towns, year, cap) if finished else 0),
                    unsafe_allow_html=True)


#: The kiosk's chrome: no sidebar, header, toolbar or page title (``?kiosk=1``, the default).
KIOSK_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header,
[data-testid="stToolbar"], [data-testid="stDecoration"], footer,
[data-testid="stElementToolbar"] { display: none !important; }
.block-container { padding: var(--bm-pad) 1.6rem 0 1.6rem !important; max-width: 100% !important; }
h1 { display: none; }
html, body, .stApp, [data-testid="stMain"] { overflow: hidden !important; }
[data-testid="stMain"] > [data-testid="stMainBlockContainer"]:has(.st-key-bm_stage) {
  padding-bottom: var(--bm-pad) !important; }
</style>
"""

#: With ``?kiosk=0`` the screen sits in the normal frame, right of the sidebar and under the
#: page's title, and still fits the window without scrolling: the header wraps in the
#: narrower main area, and the stage takes whatever height is left, through every block
#: between the main area and it (a fixed height scrolled, or clipped the map). Screen only:
#: on paper the stage keeps the print style's height.
FRAMED_CSS = """
<style>
@media screen {
  /* the main area is the window less the sidebar (about 300 px): below 1600 px wide the
     sizes of a 1366×768 screen, whatever the height, or the tiles' column runs too tall */
  @media (max-width: 1599px) { :root { --bm-s: 0.7; --bm-pad: 8px; } }
  /* the screen's own title names the page (as in the kiosk): the frame's is not repeated,
     and the content starts under Streamlit's header bar, with the kiosk's side margins */
  [data-testid="stMainBlockContainer"]:has(.st-key-bm_stage)
      [data-testid="stElementContainer"]:has(> [data-testid="stHeading"] h1) { display: none !important; }
  [data-testid="stMain"] > [data-testid="stMainBlockContainer"]:has(.st-key-bm_stage) {
    padding: 3.75rem 1.6rem var(--bm-pad) 1.6rem !important; max-width: 100% !important; }
  /* Streamlit's header bar (light theme) over the dark screen: see-through */
  [data-testid="stHeader"] { background: transparent !important; }
}
</style>
"""

#: The screen's own look, with or without the kiosk chrome (``?kiosk=0`` keeps it). Sizes
#: follow the screen's height in steps, so the whole screen fits without scrolling from
#: 1280×720 to 3840×2160: the rotating stage takes the height left under the title, and
#: each chart and the map fill their panel (``height="stretch"``). The steps' sizes are
#: those of 1920×1080 (text of 20 px and more) scaled by about the screen's height.
SCREEN_CSS = """
<style>
:root { --bm-s: 1; --bm-pad: 14px; --bm-top: 104px; }
@media (max-height: 999px) { :root { --bm-s: 0.83; --bm-pad: 10px; --bm-top: 86px; } }
@media (max-height: 820px) { :root { --bm-s: 0.7; --bm-pad: 8px; --bm-top: 74px; } }
@media (min-height: 1400px) { :root { --bm-s: 1.33; --bm-pad: 18px; --bm-top: 136px; } }
@media (min-height: 2000px) { :root { --bm-s: 2; --bm-pad: 28px; --bm-top: 204px; } }
.stApp, [data-testid="stAppViewContainer"] { background: #0b1320 !important; color: #f2f4f8; }
.bm-head { display: flex; flex-wrap: wrap; column-gap: 1em; justify-content: space-between;
           align-items: baseline; margin-bottom: calc(6px * var(--bm-s)); }
.bm-title { font-size: calc(46px * var(--bm-s)); font-weight: 800; color: #ffffff; letter-spacing: 2px; }
.bm-asof { font-size: calc(22px * var(--bm-s)); color: #aab4c3; white-space: nowrap; }
.bm-panel-title { font-size: calc(30px * var(--bm-s)); font-weight: 700; color: #ffd479; margin: 0;
                  display: flex; justify-content: space-between; align-items: baseline; }
.bm-panel-no { font-size: calc(22px * var(--bm-s)); font-weight: 400; color: #aab4c3; margin-right: 8px; }
.bm-tile { background: #15233a; border-radius: 10px; padding: calc(5px * var(--bm-s)) calc(22px * var(--bm-s));
           margin-bottom: calc(10px * var(--bm-s)); border-left: calc(10px * var(--bm-s)) solid #3498db; }
.bm-tile.warn { border-left-color: #f39c12; } .bm-tile.bad { border-left-color: #e74c3c; }
.bm-tile.good { border-left-color: #27ae60; }
.bm-label { font-size: calc(24px * var(--bm-s)); color: #cfd8e3; }
.bm-value { font-size: calc(54px * var(--bm-s)); font-weight: 800; color: #ffffff; line-height: 1.08; }
.bm-value small { font-size: calc(28px * var(--bm-s)); font-weight: 600; margin: 0 10px 0 6px; color: #cfd8e3; }
.bm-note { font-size: calc(20px * var(--bm-s)); color: #aab4c3; }
[data-testid="stMain"] h1 { color: #f2f4f8; }
.bm-legend { font-size: calc(22px * var(--bm-s)); color: #f2f4f8; line-height: 1.5; }
.bm-legend .bm-note { font-size: calc(20px * var(--bm-s)); }
.bm-key { margin-right: calc(18px * var(--bm-s)); white-space: nowrap; }
.bm-key i { display: inline-block; width: calc(22px * var(--bm-s)); height: calc(22px * var(--bm-s));
            border-radius: 4px; margin: 0 6px -3px 8px; }
.bm-key i.ring { background: transparent !important; border: 4px solid; box-sizing: border-box; }
.bm-key i.dot { border-radius: 50%; width: calc(14px * var(--bm-s)); height: calc(14px * var(--bm-s)); margin-bottom: 0; }
/* the rotating panels: stacked in one stage that takes the height left under the title;
   one shown at a time (rotation_css); in each, the chart or map takes what the title and
   legend leave */
[data-testid="stLayoutWrapper"]:has(> .st-key-bm_stage), .st-key-bm_stage {
    height: calc(100vh - var(--bm-top)) !important; flex: 0 0 auto !important; }
.st-key-bm_stage { position: relative; }
@media screen {
  /* on screen the stage takes the height the header leaves, however many lines it wraps
     to (the calc above is paper's): every block from the main area down to it fills the
     window, kiosk or framed */
  [data-testid="stMain"] > [data-testid="stMainBlockContainer"]:has(.st-key-bm_stage) {
    flex: 1 1 0; min-height: 0; display: flex; flex-direction: column; }
  [data-testid="stMain"] :is([data-testid="stVerticalBlock"], [data-testid="stLayoutWrapper"],
      [data-testid="stHorizontalBlock"]):has(.st-key-bm_stage):not(.st-key-bm_stage) {
    flex: 1 1 0 !important; min-height: 0 !important; height: auto !important; }
  [data-testid="stMain"] [data-testid="stColumn"]:has(.st-key-bm_stage) {
    align-self: stretch; display: flex; flex-direction: column; min-height: 0; }
  [data-testid="stMain"] [data-testid="stVerticalBlock"].st-key-bm_stage {
    flex: 1 1 0 !important; min-height: 0 !important; height: auto !important; }
}
[class*="st-key-bm_panel_"] { position: absolute !important; inset: 0; visibility: hidden;
                              display: flex; flex-direction: column; gap: calc(6px * var(--bm-s)) !important; }
[class*="st-key-bm_panel_"] > [data-testid="stElementContainer"] { flex: none !important; }
/* Streamlit pulls a markdown's box 1rem up (for a paragraph's margin): here its divs
   would hang out of the panel by that much */
.st-key-bm_stage [data-testid="stMarkdownContainer"] { margin-bottom: 0 !important; }
[class*="st-key-bm_panel_"] > [data-testid="stElementContainer"]:has([data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"]) {
    flex: 1 1 0 !important; min-height: 0; }
[class*="st-key-bm_panel_"] [data-testid="stPlotlyChart"], [class*="st-key-bm_panel_"] [data-testid="stDeckGlJsonChart"] {
    height: 100% !important; }
</style>
"""
