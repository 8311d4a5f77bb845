"""督查简报: one township's printable briefing for the monthly supervision visit.

``township_briefing`` gathers, from the same analytics the pages use, what the visiting
team needs on one sheet of paper: the key figures against the county's targets, the
flags, the villages furthest from the 3 % exit line, how many households are at risk,
and the county leaders paired with households in the township. ``briefing_pdf``
renders it as an A4 PDF with a Chinese font embedded (subset), so it prints the same
on any machine.

The briefing holds aggregates only: no household names or ID numbers; the leaders are
shown by rank and unit with their names masked (王**). Every query goes through the
caller's store restricted to the one township, so a township analyst's scoped store
cannot produce another township's briefing (``UnknownScope``). The league rank and
the data-quality findings need the whole county; for a restricted viewer they are
left out (``league_rank`` None, ``quality_checked`` False).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analytics.config import load_config
from analytics.contract import CADRE_RANKS, mask_name
from analytics.households import RISK_LABELS, at_risk_households, village_table
from analytics.metrics import (
    UnknownScope, figures_by_level, income_progress, township_exit_years,
)
from analytics.scores import township_league
from analytics.verdicts import Judgement, scope_verdicts, target_judgement

TOP_RANKS = ("正县级", "副县级")
MAX_VILLAGES = 8
MAX_LEADERS = 10
CONFIDENTIAL = "内部资料 注意保密"

# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class KeyFigure:
    """One line of the key-figures table: the township's value against a target.

    ``comparison`` is how the value must relate to the target to meet it ("<", "<=",
    ">="); ``gap`` = value − target (in the value's unit; percentage points for rates).
    """

    key: str
    label: str
    value: float | None
    unit: str  # "%", "人", "元"
    target: float | None = None
    comparison: str | None = None
    target_note: str = ""
    note: str = ""
    #: For a dated target (analytics.verdicts.target_judgement or a township's exit
    #: verdict): judged in its own year, never on a later year's value.
    judgement: Judgement | None = None

    @property
    def gap(self) -> float | None:
        if self.value is None or self.target is None:
            return None
        return self.value - self.target

    @property
    def met(self) -> bool | None:
        """Met or not; None with nothing to compare, or while a dated target is ahead."""
        if self.judgement is not None:
            return None if self.judgement.state == "pending" else self.judgement.state == "met"
        if self.value is None or self.target is None or self.comparison is None:
            return None
        return {"<": self.value < self.target, "<=": self.value <= self.target,
                ">=": self.value >= self.target}[self.comparison]


@dataclass(frozen=True)
class Flag:
    rule: str  # over_cap, behind_plan, exit_overdue, quality:<rule>
    text: str


@dataclass(frozen=True)
class VillageBehind:
    village_code: str
    name: str
    is_poor_village: bool
    planned_exit_year: int | None
    registered_population: int
    poor_persons: int
    poverty_incidence_pct: float | None
    persons_to_threshold: int
    relapse_rate_pct: float | None
    items_done: int


@dataclass(frozen=True)
class Leader:
    """A cadre paired with households of the township; the name is masked."""

    rank: str
    unit: str
    masked_name: str
    households: int

    @property
    def label(self) -> str:
        return f"{self.rank} · {self.unit} {self.masked_name}"


@dataclass(frozen=True)
class Briefing:
    township_code: str
    township_name: str
    year: int
    as_of: str
    registered_population: int
    poor_persons: int
    poverty_incidence_pct: float | None
    persons_to_threshold: int
    exited_persons: int
    relapse_rate_pct: float | None
    relapse_cap_pct: float
    registered_income_per_capita: float | None
    rural_income_per_capita: float | None
    registered_income_progress_pct: float | None
    rural_income_progress_pct: float | None
    key_figures: tuple[KeyFigure, ...]
    league_rank: int | None  # None when the viewer cannot see the whole county
    league_size: int | None
    score: float | None  # None outside the campaign years (analytics.scores)
    grade: str | None
    light: str
    verdict: str  # analytics.verdicts.scope_verdicts, as on every screen
    verdict_text: str
    projected_pct: float | None  # before the due year: incidence projected to it
    planned_exit_year: int | None
    due_year: int  # the planned exit year, or the county's when the plan names none
    exit_year: int | None  # first year below 3 %
    flags: tuple[Flag, ...]
    quality_checked: bool
    villages_behind: tuple[VillageBehind, ...]
    villages_total: int
    villages_above_threshold: int
    at_risk_households: int
    at_risk_persons: int
    at_risk_by_reason: tuple[tuple[str, int], ...]
    leaders: tuple[Leader, ...]
    leaders_total: int
    leaders_note: str = ""


# --------------------------------------------------------------------------- helpers


def _num(value):
    """A plain Python number, or None for null/NaN."""
    if value is None or value is pd.NA:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        value = value.item()
    return value


def _int_or_none(value) -> int | None:
    value = _num(value)
    return None if value is None else int(value)


def _township_scope(store, township_code: str):
    """The caller's store restricted to this one township, and whether the caller sees
    the whole county. A restricted viewer asking for a township outside their own gets
    ``UnknownScope`` (a LookupError), as for a township that does not exist."""
    allowed = tuple(getattr(store, "allowed", ()) or ())
    if allowed and township_code not in allowed:
        raise UnknownScope(f"township {township_code} is not among the viewer's townships")
    base = getattr(store, "store", store)
    return base.scoped((township_code,)), not allowed


def _quality_flags(store, township_code: str, year: int, cadre_ids: set[str]) -> list[Flag]:
    """The data-quality findings that fall in this township (and this year, where the
    finding has a year): one flag per rule with its count."""
    from analytics.quality import Finding, quality_findings

    flags = []
    for finding in quality_findings(store):
        rows = finding.rows
        if finding.rule == "cadre_over_quota":
            rows = rows[(rows["year"] == year) & rows["cadre_id"].isin(cadre_ids)]
            unit = "名干部（结对本乡镇农户）"
        elif "township_code" in rows:
            rows = rows[rows["township_code"] == township_code]
            if "year" in rows:
                rows = rows[rows["year"] == year]
            elif "exit_year" in rows:
                rows = rows[rows["exit_year"] == year]
            unit = "条"
        else:
            continue
        count = Finding(finding.rule, finding.title, finding.explanation, rows, finding.key).count
        if count:
            flags.append(Flag(f"quality:{finding.rule}", f"数据质量：{finding.title} {count} {unit}"))
    return flags


def _leaders(scoped, year: int, limit: int):
    """The 正县级/副县级 cadres paired with households of the township in ``year`` (or,
    when there are none, the cadres of the highest rank that is paired there)."""
    load = scoped.query("cadre_load")
    load = load[load["year"] == year]
    if load.empty:
        return (), 0, "本乡镇农户当年没有登记帮扶责任人。", set()
    chosen = load[load["rank"].isin(TOP_RANKS)]
    note = ""
    if chosen.empty:
        best = min(load["rank"], key=CADRE_RANKS.index)
        chosen = load[load["rank"] == best]
        note = f"本乡镇农户无县级领导结对，以下为结对干部中级别最高的{best}干部。"
    chosen = chosen.assign(_order=chosen["rank"].map(CADRE_RANKS.index)).sort_values(
        ["_order", "households", "unit", "cadre_id"], ascending=[True, False, True, True])
    shown = chosen.head(limit)
    leaders = tuple(
        Leader(row.rank, row.unit, mask_name(row.cadre_name) or "（姓名待核）", int(row.households))
        for row in shown.itertuples())
    return leaders, len(chosen), note, set(load["cadre_id"])


# --------------------------------------------------------------------------- briefing


def township_briefing(store, township_code: str, year: int, *,
                      max_villages: int = MAX_VILLAGES,
                      max_leaders: int = MAX_LEADERS) -> Briefing:
    """Everything the township's 督查 briefing shows, as plain data.

    Raises ``UnknownScope`` (a LookupError) for a township that does not exist or is
    outside the viewer's townships, and for a year without data.
    """
    config = load_config()
    t = config.targets
    threshold = float(t["exit_threshold_pct"])
    cap = float(t["relapse_cap_pct"])
    scoped, whole_county = _township_scope(store, township_code)

    towns = scoped.query("townships")
    towns = towns[towns["township_code"] == township_code]
    if towns.empty:
        raise UnknownScope(f"unknown township {township_code}")
    town = towns.iloc[0]

    figures = figures_by_level(scoped, "township")
    figures = figures[figures["scope_code"] == township_code]
    now = figures[figures["year"] == year]
    if now.empty:
        years = ", ".join(map(str, figures["year"]))
        raise UnknownScope(f"no data for {township_code} in {year} (years: {years})")
    row = now.iloc[0]

    progress = income_progress(figures)
    progress = progress[progress["year"] == year].iloc[0]
    planned = towns.set_index("township_code")["planned_exit_year"]
    verdict = scope_verdicts(figures, planned, year).iloc[0]
    exit_year = _int_or_none(township_exit_years(figures, threshold).get(township_code))
    planned_exit_year = _int_or_none(town["planned_exit_year"])

    league_source = store if whole_county else scoped
    league = township_league(figures_by_level(league_source, "township"),
                             league_source.query("townships"), year)
    mine = league[league["township_code"] == township_code].iloc[0]

    incidence = _num(row["poverty_incidence_pct"])
    relapse = _num(row["relapse_rate_pct"])
    to_exit = int(row["persons_to_threshold"])
    reg_income = _num(row["registered_income_per_capita"])
    rural_income = _num(row["rural_income_per_capita"])
    reg_progress = _num(progress["registered_income_per_capita_progress_pct"])
    rural_progress = _num(progress["rural_income_per_capita_progress_pct"])
    base_year, target_year = int(t["baseline_year"]), int(t["target_year"])
    schedule = 100.0 * min(max((year - base_year) / (target_year - base_year), 0.0), 1.0)

    def progress_note(value):
        if value is None:
            return ""
        return f"完成进度 {value:.0f}%（时间进度 {schedule:.0f}%）"

    def judged(column: str, key: str, comparison: str, unit: str, decimals: int) -> Judgement:
        return target_judgement(figures, column, float(t[key]), comparison, target_year, year,
                                unit, decimals)

    due_year = int(verdict["due_year"])
    exit_state = {"met": "met", "missed": "missed", "missed_late": "missed"}.get(verdict["verdict"], "pending")
    exit_judgement = Judgement(due_year, exit_state, None, _int_or_none(verdict["reached_year"]),
                               str(verdict["verdict_text"]))
    key_figures = (
        KeyFigure("incidence_target", "贫困发生率（县定目标）", incidence, "%",
                  float(t["incidence_pct"]), "<", f"{target_year}年 <{t['incidence_pct']:g}%",
                  judgement=judged("poverty_incidence_pct", "incidence_pct", "<", "%", 2)),
        KeyFigure("incidence_exit", "贫困发生率（退出线）", incidence, "%", threshold, "<",
                  f"{due_year}年 <{threshold:g}%（摘帽）", judgement=exit_judgement),
        KeyFigure("persons_to_threshold", f"距{threshold:g}%尚需脱贫人数", to_exit, "人", 0.0, "<=",
                  "0 人", judgement=exit_judgement),
        KeyFigure("exited_persons", f"{year}年脱贫人数", int(row["exited_persons"]), "人"),
        KeyFigure("relapse_rate", "返贫率", relapse, "%", cap, "<=", f"≤{cap:g}%（上限）"),
        KeyFigure("registered_income", "建档立卡户人均纯收入", reg_income, "元",
                  float(t["registered_income_yuan"]), ">=",
                  f"{target_year}年 ≥{t['registered_income_yuan']:g}元",
                  progress_note(reg_progress) if year < target_year else "",
                  judgement=judged("registered_income_per_capita", "registered_income_yuan", ">=", "元", 0)),
        KeyFigure("rural_income", "农村居民人均可支配收入", rural_income, "元",
                  float(t["rural_income_yuan"]), ">=",
                  f"{target_year}年 ≥{t['rural_income_yuan']:g}元",
                  progress_note(rural_progress) if year < target_year else "",
                  judgement=judged("rural_income_per_capita", "rural_income_yuan", ">=", "元", 0)),
    )

    # flags
    flags: list[Flag] = []
    if relapse is not None and relapse > cap:
        flags.append(Flag("over_cap", f"返贫率 {relapse:.2f}% 超过 {cap:g}% 上限"
                                      f"（返贫 {int(row['relapsed_persons'])} 人）。"))
    if verdict["verdict"] == "missed":
        flags.append(Flag("exit_overdue", f"{verdict['verdict_text']}：{year}年贫困发生率 "
                                          f"{incidence:.2f}%，尚需脱贫 {to_exit} 人。"))
    elif verdict["verdict"] == "behind":
        flags.append(Flag("behind_plan", f"落后于计划：按趋势{due_year}年贫困发生率约 "
                                         f"{verdict['projected_pct']:.2f}%（90%区间 "
                                         f"{verdict['projected_low_pct']:.2f}–{verdict['projected_high_pct']:.2f}%），"
                                         f"高于{threshold:g}%（尚需脱贫 {to_exit} 人）。"))

    # villages
    villages = village_table(scoped, year, townships=(township_code,))
    behind = villages[villages["persons_to_threshold"] > 0].sort_values(
        ["persons_to_threshold", "poverty_incidence_pct", "village_code"],
        ascending=[False, False, True]).head(max_villages)
    villages_behind = tuple(
        VillageBehind(v.village_code, v.village_name, bool(v.is_poor_village),
                      _int_or_none(v.planned_exit_year), int(v.registered_population),
                      int(v.poor_persons), _num(v.poverty_incidence_pct),
                      int(v.persons_to_threshold), _num(v.relapse_rate_pct), int(v.items_done))
        for v in behind.itertuples())

    # households at risk (counts only)
    risk = at_risk_households(scoped, year, townships=(township_code,), events_shown=True)
    by_reason = tuple((label, int(risk[column].fillna(False).astype(bool).sum()))
                      for column, label in RISK_LABELS.items()) if not risk.empty else tuple(
        (label, 0) for label in RISK_LABELS.values())

    leaders, leaders_total, leaders_note, cadre_ids = _leaders(scoped, year, max_leaders)

    quality_checked = whole_county
    if whole_county:
        flags.extend(_quality_flags(store, township_code, year, cadre_ids))

    meta = scoped.meta()
    return Briefing(
        township_code=township_code,
        township_name=str(town["name"]),
        year=int(year),
        as_of=meta.get("as_of", ""),
        registered_population=int(row["registered_population"]),
        poor_persons=int(row["poor_persons"]),
        poverty_incidence_pct=incidence,
        persons_to_threshold=to_exit,
        exited_persons=int(row["exited_persons"]),
        relapse_rate_pct=relapse,
        relapse_cap_pct=cap,
        registered_income_per_capita=reg_income,
        rural_income_per_capita=rural_income,
        registered_income_progress_pct=reg_progress,
        rural_income_progress_pct=rural_progress,
        key_figures=key_figures,
        league_rank=_int_or_none(mine["rank"]) if whole_county else None,
        league_size=len(league) if whole_county and pd.notna(mine["rank"]) else None,
        score=_num(mine["score"]),
        grade=None if mine["grade"] is None or pd.isna(mine["grade"]) else str(mine["grade"]),
        light=str(mine["light"]),
        verdict=str(verdict["verdict"]),
        verdict_text=str(verdict["verdict_text"]),
        projected_pct=_num(verdict["projected_pct"]),
        planned_exit_year=planned_exit_year,
        due_year=due_year,
        exit_year=exit_year,
        flags=tuple(flags),
        quality_checked=quality_checked,
        villages_behind=villages_behind,
        villages_total=len(villages),
        villages_above_threshold=int((villages["persons_to_threshold"] > 0).sum()),
        at_risk_households=len(risk),
        at_risk_persons=int(risk["members"].sum()) if not risk.empty else 0,
        at_risk_by_reason=by_reason,
        leaders=leaders,
        leaders_total=leaders_total,
        leaders_note=leaders_note,
    )


# --------------------------------------------------------------------------- fonts

# (regular, bold or None, Debian package) in order of preference. .ttc collections are
# embedded face by face (fpdf2's collection_font_number); the Simplified Chinese face
# is picked by name.
FONT_CANDIDATES: tuple[tuple[str, str | None, str], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
     "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", "fonts-noto-cjk"),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
     "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", "fonts-noto-cjk"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", None, "fonts-wqy-zenhei"),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", None, "fonts-wqy-microhei"),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", None, "fonts-droid-fallback"),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", None, "fonts-arphic-uming"),
    ("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf", None, "fonts-arphic-gbsn00lp"),
)
FONT_ENV = "TONGWEI_CJK_FONT"
FONT_PACKAGE = "fonts-noto-cjk"


class CJKFontMissing(RuntimeError):
    """No Chinese font to embed in the PDF."""


@dataclass(frozen=True)
class CJKFont:
    regular: Path
    regular_index: int
    bold: Path | None
    bold_index: int
    package: str


@lru_cache(maxsize=None)
def _collection_index(path: Path) -> int:
    """The Simplified Chinese face of a font collection (0 for a single font)."""
    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    try:
        from fontTools.ttLib import TTCollection  # installed with fpdf2

        collection = TTCollection(str(path), lazy=True)
        try:
            for index, font in enumerate(collection.fonts):
                name = font["name"].getDebugName(4) or ""
                if name.endswith(" SC") or " SC " in name or "GB" in name:
                    return index
        finally:
            collection.close()
    except Exception:  # a collection fontTools cannot read: its first face
        return 0
    return 0


def _fontconfig_font() -> CJKFont | None:
    """A Simplified Chinese font fontconfig knows of (fonts installed elsewhere than
    Debian's paths), preferring a regular, proportional SC/CN face; None without one."""
    import shutil
    import subprocess

    if not shutil.which("fc-list"):
        return None
    try:
        listing = subprocess.run(
            ["fc-list", ":lang=zh-cn", "-f", "%{file}|%{index}|%{family[0]}|%{style[0]}\\n"],
            capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    best = None
    for line in listing.splitlines():
        parts = line.split("|")
        if len(parts) != 4 or Path(parts[0]).suffix.lower() not in (".ttf", ".otf", ".ttc", ".otc"):
            continue
        file, index, family, style = parts
        rank = (("SC" in family or "CN" in family or "GB" in family),
                "Mono" not in family, style in ("Regular", "Book", "Normal"), "Sans" in family,
                -int(index or 0))
        if best is None or rank > best[0]:
            best = (rank, file, int(index or 0))
    if best is None:
        return None
    return CJKFont(Path(best[1]), best[2], None, 0, "fontconfig")


def find_cjk_font(candidates: tuple[tuple[str, str | None, str], ...] = FONT_CANDIDATES, *,
                  use_fontconfig: bool = True) -> CJKFont:
    """The first CJK font present: ``$TONGWEI_CJK_FONT`` if set, else ``candidates`` in
    order, else (``use_fontconfig``) what ``fc-list :lang=zh-cn`` offers.

    Raises ``CJKFontMissing`` naming the Debian package to install.
    """
    override = os.environ.get(FONT_ENV)
    if override:
        path = Path(override)
        if not path.is_file():
            raise CJKFontMissing(f"{FONT_ENV}={override} is not a font file")
        return CJKFont(path, _collection_index(path), None, 0, "")
    for regular, bold, package in candidates:
        path = Path(regular)
        if path.is_file():
            bold_path = Path(bold) if bold and Path(bold).is_file() else None
            return CJKFont(path, _collection_index(path), bold_path,
                           _collection_index(bold_path) if bold_path else 0, package)
    found = _fontconfig_font() if use_fontconfig else None
    if found is not None:
        return found
    looked = ", ".join(c[0] for c in candidates)
    raise CJKFontMissing(
        "No Chinese (CJK) font found for the PDF briefing (looked for " + looked + "). "
        f"Install the Debian package {FONT_PACKAGE} (apt-get install {FONT_PACKAGE}), "
        f"or set {FONT_ENV} to a .ttf/.otf/.ttc file.")


# --------------------------------------------------------------------------- PDF

FAMILY = "cjk"
RED = (192, 41, 30)
GREEN = (30, 120, 60)
GREY = (110, 110, 110)
HEAD_FILL = (232, 236, 241)


def _fmt(value, unit: str, signed: bool = False) -> str:
    if value is None:
        return "—"
    sign = "+" if signed and value != 0 else ""
    if unit == "%":
        return f"{value:{sign}.2f}" + (" 个百分点" if signed else "%")
    if unit == "元":
        return f"{value:{sign},.0f} 元"
    return f"{value:{sign},.0f} {unit}"


def _mark(k: KeyFigure, year: int) -> str:
    """达标 / 未达标; for a dated target, ``2017年评判`` before its year and ``2017年未达标``
    after it (the row's value is this year's, the verdict its own year's)."""
    if k.judgement is not None and k.judgement.state == "pending":
        return f"{k.judgement.target_year}年评判"
    if k.met is None:
        return "—"
    word = "达标" if k.met else "未达标"
    if k.judgement is not None and k.judgement.target_year != year:
        return f"{k.judgement.target_year}年{word}"
    return word


def _pdf_class():
    from fpdf import FPDF

    class BriefingPDF(FPDF):
        footer_text = ""

        def footer(self):
            self.set_y(-13)
            self.set_font(FAMILY, "", 8)
            self.set_text_color(*GREY)
            self.cell(0, 5, f"{self.footer_text}　　第 {self.page_no()}/{{nb}} 页", align="C")

    return BriefingPDF


def render_pdf(briefing: Briefing, font: CJKFont | None = None) -> bytes:
    """The briefing as an A4 PDF (bytes), the CJK font embedded as a subset."""
    from fpdf.enums import WrapMode
    from fpdf.fonts import FontFace

    font = font or find_cjk_font()
    b = briefing
    pdf = _pdf_class()(orientation="P", unit="mm", format="A4")
    pdf.footer_text = f"数据截至 {b.as_of}　·　{CONFIDENTIAL}"
    pdf.add_font(FAMILY, "", str(font.regular), collection_font_number=font.regular_index)
    pdf.add_font(FAMILY, "B", str(font.bold or font.regular),
                 collection_font_number=font.bold_index if font.bold else font.regular_index)
    title = f"{b.township_name} 精准扶贫督查简报（{b.year}年）"
    pdf.set_title(title)
    pdf.set_subject("精准扶贫督查简报")
    pdf.set_creator("通渭县精准扶贫监测")
    pdf.set_lang("zh-CN")
    pdf.set_margins(16, 14, 16)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    width = pdf.epw

    # confidentiality mark and title
    pdf.set_font(FAMILY, "B", 9)
    pdf.set_text_color(*RED)
    pdf.cell(0, 5, CONFIDENTIAL, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.set_font(FAMILY, "B", 17)
    pdf.cell(0, 10, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 9)
    pdf.set_text_color(*GREY)
    pdf.cell(0, 5, f"数据截至 {b.as_of}　·　乡镇代码 {b.township_code}", align="C",
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(2)

    # summary line
    threshold = load_config().targets["exit_threshold_pct"]
    rank = f"全县第 {b.league_rank}/{b.league_size} 名　" if b.league_rank else ""
    score = f"综合得分 {b.score:.1f}（{b.grade}）　" if b.score is not None else ""
    if b.exit_year is not None and b.exit_year <= b.year:
        exit_text = f"{b.exit_year}年贫困发生率首次降至{threshold:g}%以下"
    elif b.planned_exit_year:
        exit_text = f"计划{b.planned_exit_year}年摘帽"
    else:
        exit_text = f"计划未列明，随全县{b.due_year}年摘帽"
    pdf.set_font(FAMILY, "", 10.5)
    pdf.multi_cell(
        width, 6,
        f"摘帽判断：{b.verdict_text}　{rank}{score}{exit_text}\n"
        f"户籍人口 {b.registered_population:,} 人，贫困人口 {b.poor_persons:,} 人，"
        f"{b.year}年脱贫 {b.exited_persons:,} 人。",
        new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
    pdf.ln(2)

    def section(text: str) -> None:
        pdf.ln(2)
        pdf.set_font(FAMILY, "B", 12.5)
        pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "", 10)

    heading = FontFace(emphasis="BOLD", fill_color=HEAD_FILL)

    # 1. key figures
    section("一、主要指标与目标")
    with pdf.table(col_widths=(46, 26, 38, 30, 38), text_align=("LEFT", "RIGHT", "CENTER",
                   "RIGHT", "CENTER"), headings_style=heading, line_height=5.6,
                   wrapmode=WrapMode.CHAR, width=width) as table:
        header = table.row()
        for text in ("指标", "本乡镇", "目标", "差距", "是否达标"):
            header.cell(text)
        for k in b.key_figures:
            r = table.row()
            r.cell(k.label)
            r.cell(_fmt(k.value, k.unit))
            r.cell(k.target_note or "—")
            r.cell(_fmt(k.gap, k.unit, signed=True))
            colour = None if k.met is None else (GREEN if k.met else RED)
            r.cell(_mark(k, b.year), style=FontFace(color=colour, emphasis="BOLD") if colour else None)
    pdf.set_font(FAMILY, "", 8.5)
    pdf.set_text_color(*GREY)
    notes = ["差距 = 本乡镇 − 目标（比率为百分点）。"]
    notes += [f"{k.label}：{k.note}，目标按{k.target_note}。" for k in b.key_figures if k.note]
    notes += [f"{k.label}：{k.judgement.text}（按目标年份的数据评判）。" for k in b.key_figures
              if k.judgement is not None and k.judgement.state != "pending" and b.year > k.judgement.target_year]
    for i, note in enumerate(notes):
        pdf.multi_cell(width, 4.4, ("注：" if i == 0 else "　　") + note,
                       new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
    pdf.set_text_color(0)

    # 2. flags
    section("二、需关注事项")
    items = [f.text for f in b.flags] or ["未发现返贫超限、进度落后或数据质量问题。"]
    if not b.quality_checked:
        items.append("数据质量核查结果仅县级用户可见，本简报未列入。")
    for text in items:
        pdf.set_x(pdf.l_margin)
        pdf.multi_cell(width, 5.8, f"•  {text}", new_x="LMARGIN", new_y="NEXT",
                       wrapmode=WrapMode.CHAR)

    # 3. villages
    section(f"三、距退出线最远的村（{b.villages_above_threshold} 个村贫困发生率不低于 {threshold:g}%，"
            f"共 {b.villages_total} 个村）")
    if b.villages_behind:
        with pdf.table(col_widths=(40, 18, 22, 26, 28, 22, 24), text_align=(
                "LEFT", "CENTER", "CENTER", "RIGHT", "RIGHT", "RIGHT", "CENTER"),
                headings_style=heading, line_height=5.6, wrapmode=WrapMode.CHAR,
                width=width) as table:
            header = table.row()
            for text in ("村", "贫困村", "计划退出", "贫困发生率", "尚需脱贫人数", "返贫率", "基础设施"):
                header.cell(text)
            for v in b.villages_behind:
                r = table.row()
                r.cell(v.name)
                r.cell("是" if v.is_poor_village else "否")
                r.cell(str(v.planned_exit_year) if v.planned_exit_year else "—")
                r.cell(_fmt(v.poverty_incidence_pct, "%"))
                r.cell(f"{v.persons_to_threshold} 人")
                over = v.relapse_rate_pct is not None and v.relapse_rate_pct > b.relapse_cap_pct
                r.cell(_fmt(v.relapse_rate_pct, "%"),
                       style=FontFace(color=RED, emphasis="BOLD") if over else None)
                r.cell(f"{v.items_done}/6 项")
        rest = b.villages_above_threshold - len(b.villages_behind)
        if rest > 0:
            pdf.set_font(FAMILY, "", 8.5)
            pdf.multi_cell(width, 4.4, f"另有 {rest} 个村未列出，见系统“乡镇”页。", new_x="LMARGIN",
                           new_y="NEXT")
            pdf.set_font(FAMILY, "", 10)
    else:
        pdf.multi_cell(width, 5.8, f"各村贫困发生率均已低于 {threshold:g}%。", new_x="LMARGIN",
                       new_y="NEXT")

    # 4. at risk
    section("四、防返贫监测")
    reasons = "；".join(f"{label} {n} 户" for label, n in b.at_risk_by_reason)
    pdf.multi_cell(width, 5.8,
                   f"监测对象 {b.at_risk_households} 户 {b.at_risk_persons} 人（{reasons}）。",
                   new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
    pdf.set_font(FAMILY, "", 8.5)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(width, 4.4, "监测对象走访名单见系统“返贫监测”页；本简报不含个人信息。",
                   new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)
    pdf.set_text_color(0)

    # 5. leaders
    section("五、结对帮扶责任领导")
    pdf.set_font(FAMILY, "", 10)
    if b.leaders_note:
        pdf.set_text_color(*GREY)
        pdf.multi_cell(width, 5.4, b.leaders_note, new_x="LMARGIN", new_y="NEXT",
                       wrapmode=WrapMode.CHAR)
        pdf.set_text_color(0)
    entries = [f"•  {leader.label}（结对 {leader.households} 户）" for leader in b.leaders]
    if len(entries) <= 4:
        for entry in entries:
            pdf.multi_cell(width, 5.8, entry, new_x="LMARGIN", new_y="NEXT",
                           wrapmode=WrapMode.CHAR)
    else:  # two columns keep a long list on the page
        pdf.set_font(FAMILY, "", 9.5)
        with pdf.table(borders_layout="NONE", first_row_as_headings=False, line_height=5.4,
                       wrapmode=WrapMode.CHAR, width=width, padding=(0.5, 0)) as table:
            for i in range(0, len(entries), 2):
                r = table.row()
                r.cell(entries[i])
                r.cell(entries[i + 1] if i + 1 < len(entries) else "")
        pdf.set_font(FAMILY, "", 10)
    if b.leaders_total > len(b.leaders):
        pdf.multi_cell(width, 5.8, f"另有 {b.leaders_total - len(b.leaders)} 名，略。",
                       new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def briefing_pdf(store, township_code: str, year: int) -> bytes:
    """One township's 督查简报 as A4 PDF bytes (see ``township_briefing``)."""
    return render_pdf(township_briefing(store, township_code, year))


def briefing_file_name(township_name: str, year: int) -> str:
    return f"督查简报_{township_name}_{year}.pdf"
