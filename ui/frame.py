"""The frame every page calls first: page setup, navigation, shared filters in the URL.

Each page file starts with ``filters = page_frame("标题")``. The filters (year,
townships, villages) are widgets bound to the URL's query parameters, so a link
reproduces exactly what someone saw; the navigation links carry them from page to
page.
"""

from __future__ import annotations

import html
import threading
from dataclasses import dataclass, field

import streamlit as st

from analytics import audit
from analytics.access import PAGES
from analytics.config import load_config
from analytics.counties import county_name, county_of, unique_labels
from analytics.plans import scope_targets
from analytics.store import OutdatedDatabase, UnreadableDatabase, default_db_path
from analytics.verdicts import default_year
from ui import data, signin
from ui.format import source_label
from ui.print_style import print_style

APP_TITLE = data.PRODUCT_NAME

# (page file, label, icon) — emoji icons make no network request.

_build_lock = threading.Lock()


@dataclass(frozen=True)
class Filters:
    year: int
    townships: tuple[str, ...] = ()
    villages: tuple[str, ...] = ()
    years: tuple[int, ...] = field(default=(), compare=False)
    labels: dict = field(default_factory=dict, compare=False, hash=False)
    #: The county chosen (a province's data: more than one county loaded), else None.
    county: str | None = None
    #: What nothing chosen shows: 全省 (more than one county visible) or 全县.
    top_label: str = field(default="全县", compare=False)

    def query_params(self) -> dict:
        """The filters as the URL carries them (labels, as the bound widgets write them)."""
        params: dict = {"year": str(self.year)}
        if self.county:
            params["county"] = self.labels.get(self.county, self.county)
        if self.townships:
            params["township"] = [self.labels.get(c, c) for c in self.townships]
        if self.villages:
            params["village"] = [self.labels.get(c, c) for c in self.villages]
        return params

    @property
    def whole(self) -> str:
        """What the page's scope belongs to: 全县 (one county visible, or one chosen), or
        全省 (several counties, none chosen)."""
        return "全县" if self.county else self.top_label

    @property
    def at_province(self) -> bool:
        """True when the page shows a province: several counties, none chosen, no township
        (judged against the province's targets, ``plans.scope_targets``)."""
        return self.whole == "全省" and not self.townships and not self.villages

    @property
    def targets(self) -> dict:
        """The targets this scope is judged against (``plans.scope_targets``): the
        county's (owner 县), or the province's at province scope (owner 省)."""
        return scope_targets(self.at_province)

    @property
    def counties_shown(self) -> bool:
        """Whether the page shows more than one county (全省, none chosen): its lists then
        name each row's county (``analytics.counties.with_county``)."""
        return self.county is None and self.top_label == "全省"

    @property
    def scope_label(self) -> str:
        if self.villages:
            names = data.villages().set_index("village_code")["name"]
            return "、".join(names.get(v, v) for v in self.villages[:3]) + (
                f"等{len(self.villages)}个村" if len(self.villages) > 3 else "")
        if self.townships:
            names = data.township_labels()
            return "、".join(names.get(t, t) for t in self.townships[:3]) + (
                f"等{len(self.townships)}个乡镇" if len(self.townships) > 3 else "")
        if self.county:
            return self.labels.get(self.county, self.county)
        return data.dataset_name()  # the one county's name (a file named 全县_… says nothing once shared), or 全省

    @property
    def row_names(self) -> dict[str, str]:
        """The name of each township's row in a table by township (``scope_code``): the
        township's name, or — when villages are chosen, so that the row holds only their
        figures — the villages' names with their township's, 马营村（马营镇）."""
        towns = data.township_labels()
        if not self.villages:
            return towns
        vills = data.villages().set_index("village_code")
        chosen: dict[str, list[str]] = {}
        for code in self.villages:
            if code in vills.index:
                chosen.setdefault(vills.at[code, "township_code"], []).append(vills.at[code, "name"])
        return {**towns, **{t: "、".join(v[:3]) + (f"等{len(v)}个村" if len(v) > 3 else "")
                            + f"（{towns.get(t, t)}）" for t, v in chosen.items()}}


def progress_bar(expected_steps: int):
    """A progress bar and the callback that advances it one step per message."""
    bar = st.progress(0.0)
    steps = {"n": 0}

    def say(message: str) -> None:
        steps["n"] += 1
        bar.progress(min(steps["n"] / expected_steps, 1.0), text=message)

    return say


FIRST_RUN_SOURCE = "demo scale=1 seed=2015"


def _current_or_outdated() -> OutdatedDatabase | None:
    """None when the app's database is readable by this version, else why not."""
    try:
        data.get_store().verify()
    except OutdatedDatabase as outdated:
        return outdated
    return None


def _on_each_recheck(check) -> None:
    """Call ``check()`` now and every ``[pages] recheck_database_seconds`` in a fragment of
    the page (so a check costs one file check, not a page); what it draws is the
    fragment's."""
    @st.fragment(run_every=int(load_config().pages["recheck_database_seconds"]))
    def recheck() -> None:
        check()

    recheck()


def _rerun_once(changed) -> None:
    """Rerun the page once ``changed()`` returns True (checked as ``_on_each_recheck``)."""
    def check() -> None:
        if changed():
            st.rerun()

    _on_each_recheck(check)


def _readable() -> bool:
    try:
        return _current_or_outdated() is None
    except UnreadableDatabase:
        return False


def _reopen_when_readable() -> None:
    """Rerun the page once the database can be read: a page left open on the
    meeting-room screen comes back by itself after the administrator has imported the
    data again."""
    _rerun_once(_readable)


def rerun_on_new_data() -> None:
    """Rerun the page once other data has been swapped in (an import): the meeting-room
    screen shows it within ``[pages] recheck_database_seconds``, not only at its next
    cycle."""
    drawn = data.get_store().generation
    _rerun_once(lambda: data.get_store().generation != drawn)


def notice_new_data() -> None:
    """Once other data has been imported after the page was drawn, say so and offer to
    redraw it with the same filters. An analyst's page is not redrawn under their eyes, as
    the meeting-room screen is (``rerun_on_new_data``), but neither does it go on showing
    the old figures without a word (a newcomer saw 总览 unchanged 81 s after an import).
    Checked every ``[pages] recheck_database_seconds``."""
    drawn = data.get_store().generation

    def check() -> None:
        if data.get_store().generation != drawn:
            st.warning("已导入新数据：本页显示的是导入前的数字。")
            if st.button("刷新本页", key="redraw_new_data", icon=":material/refresh:"):
                st.rerun()

    _on_each_recheck(check)


def _stop_unreadable(unreadable: UnreadableDatabase) -> None:
    """A page in Chinese saying the database cannot be read and what to do; stops the run."""
    st.title(APP_TITLE)
    st.error(f"**数据库无法读取**：{unreadable.reason}。")
    st.markdown(
        "现有数据没有被改动，仪表板暂时无法显示任何数据。请管理员：\n\n"
        f"1. 从备份恢复数据库文件 `{unreadable.path}`；或\n"
        f"2. 重新导入数据：`python -m analytics import 数据目录 --db {unreadable.path}`"
        f"（演示数据可用 `python -m analytics build-demo --db {unreadable.path}` 重新生成）。\n\n"
        "恢复或导入完成后，本页会自动恢复显示。")
    _reopen_when_readable()
    st.stop()


def ensure_database() -> bool:
    """Build the demo database on the very first run, with visible progress; rebuild it
    when this version changed the derived tables. Any other outdated database is
    explained (it has to be imported again), never read half-way; an unreadable one
    (damaged, cut short) gets a page saying so and what to do."""
    path = default_db_path()
    try:
        if path.exists() and _current_or_outdated() is None:
            return True
    except UnreadableDatabase as unreadable:
        _stop_unreadable(unreadable)
    with _build_lock:
        outdated = _current_or_outdated() if path.exists() else None
        if path.exists() and outdated is None:
            return True
        if outdated is not None and outdated.source != FIRST_RUN_SOURCE:
            st.title(APP_TITLE)
            st.error(f"**数据库由{outdated.writer()}生成**，本版本无法读取。")
            st.markdown(
                "现有数据没有被改动，仪表板暂时无法显示任何数据。请管理员在服务器上重新导入：\n\n"
                f"{outdated.remedy()}。\n\n导入完成后，本页会自动恢复显示。")
            _reopen_when_readable()
            st.stop()
        from analytics.demo import demo_as_of, demo_tables
        from analytics.store import write_dataset

        label = "数据库版本已更新：正在重新生成演示数据…" if outdated else "首次运行：正在生成通渭县演示数据…"
        with st.status(label, expanded=True) as status:
            say = progress_bar(expected_steps=20)
            tables = demo_tables(scale=1.0, seed=2015, progress=say)
            counts = write_dataset(tables, path, source=FIRST_RUN_SOURCE,
                                   as_of=demo_as_of(), progress=say)
            audit.record("first-run", "county", "build_demo", "scale=1 seed=2015",
                         sum(counts.values()))
            status.update(label="演示数据已生成", state="complete")
    return True


def _style() -> None:
    st.html(  # style only: st.html gives it no room on the page (st.markdown takes 16 px)
        """<style>
        [data-testid="stMetricValue"] { font-size: 2.0rem; }
        /* a tile's value, label and delta wrap rather than end in "…" in a narrow column
           (饮水安全's 未达标 373 人，未记录 4,497 人 at 1366 px) */
        [data-testid="stMetricValue"], [data-testid="stMetricValue"] *, [data-testid="stMetricLabel"],
        [data-testid="stMetricLabel"] *, [data-testid="stMetricDelta"],
        [data-testid="stMetricDelta"] * { white-space: normal !important;
            overflow: visible !important; text-overflow: clip !important; overflow-wrap: anywhere; }
        /* a delta breaks between its phrases (after ，), not inside 未记录 */
        [data-testid="stMetricDelta"] p { word-break: keep-all; }
        /* the tables' own "Download as CSV" is neither audited nor labelled: the pages'
           导出 buttons are the way out (Streamlit 1.67 has no option to turn it off) */
        button[data-testid="stBaseButton-elementToolbar"][aria-label="Download as CSV"] {
            display: none !important; }
        .block-container { padding-top: 2.2rem; }
        /* Plotly's own tool bar speaks English ("Download plot as PNG", "Autoscale") and
           this build has no Chinese locale: hidden; drag zooms, a double click resets */
        .modebar-container { display: none !important; }
        </style>""")
    print_style()


FILTER_KEYS = ("year", "county", "township", "village")


#: The filters' names, for what a page says about a link it could not follow.
FILTER_NOUNS = {"year": ("个年份", "年份"), "county": ("个县", "县"), "township": ("个乡镇", "乡镇"),
                "village": ("个村", "村")}


def _from_address_or_kept(key: str, parse) -> None:
    """``st.session_state[key]`` from the address (``parse`` of its values, or None when
    they name nothing valid), else the value kept from the previous page, else unset.
    Values of the address that name nothing the viewer may see are counted in
    ``st.session_state["link_ignored"]`` (``ignored_link_note`` says so on the page)."""
    if key in st.query_params:
        given = st.query_params.get_all(key)
        value = parse(given)
        kept = 0 if value is None else len(value) if isinstance(value, list) else 1
        expected = len(dict.fromkeys(given)) if key in ("township", "village") else 1
        if kept < expected:
            st.session_state.setdefault("link_ignored", {})[key] = expected - kept
        if value is not None:
            st.session_state[key] = value
            return
    if f"kept_{key}" in st.session_state:
        st.session_state[key] = st.session_state[f"kept_{key}"]
    else:
        st.session_state.pop(key, None)


def _year(years: tuple[int, ...]):
    """A parser of the address's year into one of ``years`` (None: not one of them)."""
    return lambda values: int(values[-1]) if values[-1].isdigit() and int(values[-1]) in years else None


def _codes(labels: dict[str, str]):
    """A parser of the address's labels (or codes) into the codes among ``labels``: a
    label of another scope's list ('城关镇（621121100）', ``unique_labels``) is read by its
    code, so a link made at 全省 opens within the county, and the other way round."""
    by_label = {label: code for code, label in labels.items()}

    def code_of(value: str) -> str:
        if value in by_label:
            return by_label[value]
        if value.endswith("）") and "（" in value:  # 城关镇（621121100）, 城关镇（通渭县）
            name, inner = value[:value.rindex("（")], value[value.rindex("（") + 1:-1]
            if inner.isdigit():
                return inner
            code = by_label.get(name, value)  # the name alone here, if it is that county's
            return code if county_name(county_of(code)) == inner else value
        return value

    def parse(values: list[str]) -> list[str]:
        return list(dict.fromkeys(c for c in map(code_of, values) if c in labels))

    return parse


def _one_code(labels: dict[str, str]):
    """A parser of the address's label (or code) into one code among ``labels``, else None."""
    return lambda values: next(iter(_codes(labels)(values[-1:])), None)


def _choose_county(first_run: bool) -> tuple[str | None, dict[str, str], str]:
    """The county filter: (the county chosen or None, code → label, the label of nothing
    chosen). Shown only when the viewer may see more than one county (a province's data);
    the choice narrows every query of the page (``ui.data.current_scope``)."""
    counties = data.counties()
    labels = unique_labels(counties["county_code"], counties["name"])
    if len(labels) <= 1:
        st.session_state["county"] = None
        if first_run and "county" in st.query_params:  # another county's link: said, not followed
            _from_address_or_kept("county", _one_code(labels))
            st.session_state["county"] = None
        return None, labels, data.top_label()
    if first_run:
        _from_address_or_kept("county", _one_code(labels))
    if st.session_state.get("county") not in labels:
        st.session_state["county"] = None
    if st.session_state["county"] is None:  # a township chosen (a link, the map) names its county
        st.session_state["county"] = _county_of_townships(first_run, labels)
    county = st.selectbox("县", list(labels), key="county", format_func=lambda c: labels.get(c, c),
                          index=None, placeholder=f"全省（{len(labels)} 个县）", on_change=_county_changed)
    return county, labels, data.top_label()


def _county_changed() -> None:
    """Another county (or 全省): the townships and villages chosen were the other county's."""
    st.session_state["township"] = []
    st.session_state["village"] = []


def _county_of_townships(first_run: bool, counties: dict[str, str]) -> str | None:
    """The county of the townships chosen with no county (a link made at 全省, a township
    clicked on the map): the one county all of them are in, else None."""
    if first_run and "township" in st.query_params:
        towns = data.townships()  # no county chosen yet: every township the viewer may see
        codes = _codes(unique_labels(towns["township_code"], towns["name"]))(
            st.query_params.get_all("township"))
    else:
        codes = st.session_state.get("township") or []
    found = {county_of(code) for code in codes}
    return found.pop() if len(found) == 1 and next(iter(found)) in counties else None


def ignored_link_note() -> str:
    """What the page says when its address named filters it could not follow (another
    county's township, a village no longer in the data, a year without data): '' when
    none. Counts only: the address's own words are never echoed back."""
    ignored = st.session_state.pop("link_ignored", {})
    parts = [f"{n} {FILTER_NOUNS[key][0]}" if key in ("township", "village") else FILTER_NOUNS[key][1]
             for key, n in ignored.items() if n]
    if not parts:
        return ""
    return ("链接中的" + "、".join(parts) + "不在您可查看的范围内或数据中没有，已忽略；"
            "页面显示的是左侧筛选条件所选的范围。")


def _write_address(filters: Filters) -> None:
    """The address carries the filters shown, so that a link reproduces the view."""
    wanted = filters.query_params()
    for key in FILTER_KEYS:
        value = wanted.get(key)
        if value is None:
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get_all(key) != (value if isinstance(value, list) else [value]):
            st.query_params[key] = value


def page_frame(title: str, page: str, *, show_filters: bool = True,
               kiosk: bool = False) -> Filters | None:
    """Set up the page, sign the viewer in, check they may open ``page``, draw navigation
    and the shared filters, and return the filters.

    ``kiosk``: the meeting-room screen — no sidebar, toolbar or filters, dark theme.
    """
    st.set_page_config(page_title=f"{title} · {APP_TITLE}", page_icon="📊", layout="wide",
                       initial_sidebar_state="collapsed" if kiosk else "auto")
    _style()
    viewer = signin.current_viewer()
    if viewer is None:
        st.stop()
    if not viewer.may_open(page):
        st.title(title)
        st.error("您的账户无权查看此页面。")
        allowed = [p for p in PAGES if viewer.may_open(p.key)]
        if allowed:
            st.page_link(allowed[0].path, label=f"前往{allowed[0].label}")
        st.button("退出登录", on_click=signin.sign_out, key="sign_out")
        st.stop()
    ensure_database()
    if kiosk:
        from ui.battle import KIOSK_CSS

        st.html(KIOSK_CSS)  # style only: Streamlit gives it no space on the page
        return None
    meta = data.dataset_meta()
    years = tuple(range(int(meta["first_year"]), int(meta["last_year"]) + 1))

    with st.sidebar:
        st.markdown(f"### {data.app_title()}")
        notice_new_data()  # at the top: under the filters it was out of sight at 1366×768
        if show_filters:
            # Streamlit forgets a widget's value when its page is left, and a sidebar link
            # clicked after a deep link can land without its query parameters
            # (streamlit/streamlit#7982, #8112). So the filters are not bound to the URL
            # by Streamlit: on a page's first run they come from the address (a link wins)
            # or else from the previous page, and after the widgets the address is
            # written from them.
            first_run = st.session_state.get("kept_page") != page
            opening = default_year(years[0], years[-1])
            if first_run:
                _from_address_or_kept("year", _year(years))
            if st.session_state.get("year") not in years:
                st.session_state["year"] = opening
            year = st.selectbox("年份", years, key="year", placeholder="选择年份")
            county, county_names, top_label = _choose_county(first_run)
            towns = data.townships()  # within the county chosen (ui.data.current_scope)
            town_names = unique_labels(towns["township_code"], towns["name"])
            if first_run:
                _from_address_or_kept("township", _codes(town_names))
            st.session_state["township"] = _codes(town_names)(st.session_state.get("township") or [])
            pick_county_first = len(county_names) > 1 and not county
            chosen_towns = st.multiselect(
                "乡镇", list(town_names), key="township",
                format_func=lambda c: town_names.get(c, c),
                placeholder=("先选县" if pick_county_first else "、".join(town_names.values())
                             if viewer.townships else county_names.get(county, top_label)),
                disabled=pick_county_first, help="先选县，再选乡镇" if pick_county_first else None,
                select_all=False)  # its English "Select all" would only mean what none chosen means
            vills = data.villages()  # the villages of the chosen townships (none until one is)
            vills = vills[vills["township_code"].isin(chosen_towns)]
            village_names = unique_labels(vills["village_code"], vills["name"])
            if first_run:
                _from_address_or_kept("village", _codes(village_names))
            st.session_state["village"] = _codes(village_names)(st.session_state.get("village") or [])
            chosen_villages = st.multiselect(
                "村", list(village_names), key="village",
                format_func=lambda c: village_names.get(c, c), placeholder="全部村",
                disabled=not chosen_towns, help="先选乡镇，再选村", select_all=False)
            labels = {**county_names, **town_names, **village_names}
            st.session_state["kept_page"] = page
            for key in FILTER_KEYS:
                st.session_state[f"kept_{key}"] = st.session_state[key]
            _write_address(Filters(int(year), tuple(chosen_towns), tuple(chosen_villages), years,
                                   labels, county, top_label))
            chosen_towns = list(chosen_towns) or list(viewer.townships)
            filters = Filters(int(year), tuple(chosen_towns),
                              tuple(chosen_villages) if chosen_towns else (), years, labels,
                              county, top_label)
        else:  # a page without filters: its links carry on those of the address or the previous page
            counties = data.counties()
            county_names = unique_labels(counties["county_code"], counties["name"])
            if st.session_state.get("kept_page") != page:
                if "county" in st.query_params:
                    st.session_state["kept_county"] = _one_code(county_names)(
                        st.query_params.get_all("county"))
            county = st.session_state.get("kept_county") if len(county_names) > 1 else None
            st.session_state["county"] = None  # the page shows all the viewer may see; its
            # links carry the county chosen on the other pages
            towns = data.townships()
            town_names = unique_labels(towns["township_code"], towns["name"])
            if st.session_state.get("kept_page") != page:
                for key, parse in (("year", _year(years)), ("township", _codes(town_names))):
                    if key in st.query_params and (value := parse(st.query_params.get_all(key))):
                        st.session_state[f"kept_{key}"] = value
            st.session_state["kept_page"] = page
            kept_towns = tuple(t for t in st.session_state.get("kept_township") or () if t in town_names)
            vills = data.villages()
            vills = vills[vills["township_code"].isin(kept_towns)]
            village_names = unique_labels(vills["village_code"], vills["name"])
            filters = Filters(st.session_state.get("kept_year", default_year(years[0], years[-1])),
                              kept_towns, tuple(st.session_state.get("kept_village") or ()), years,
                              {**county_names, **town_names, **village_names}, county,
                              data.top_label())
        st.divider()
        for p in PAGES:
            if viewer.may_open(p.key):
                st.page_link(p.path, label=p.label, icon=p.icon, query_params=filters.query_params())
        st.divider()
        st.caption(f"数据截至 {meta.get('as_of', '—')} · 来源：{source_label(meta.get('source'))}")
        if viewer.open_mode:
            st.warning(signin.viewer_caption(viewer))
        else:
            st.caption(signin.viewer_caption(viewer, town_names))
            st.button("退出登录", on_click=signin.sign_out, key="sign_out")
    st.title(title)
    if note := ignored_link_note():
        st.info(note)
    st.html(scope_line(filters, meta, show_filters))  # print only: every sheet says what it shows
    return filters


def scope_line(filters: Filters, meta: dict, dated_by_year: bool = True) -> str:
    """The line under the title on paper: scope, year and 数据截至 (``print-only``, hidden
    on screen, where the sidebar shows them). A page without filters (数据) shows the whole
    dataset: all its years."""
    years = (f"{filters.year} 年" if dated_by_year
             else f"{meta.get('first_year')}–{meta.get('last_year')} 年")
    scope = filters.scope_label if dated_by_year else f"{filters.top_label}（全部数据）"
    return (f'<div class="print-only print-scope">范围：{html.escape(scope)} · {years} · '
            f"数据截至 {html.escape(str(meta.get('as_of', '—')))}</div>")
