"""督查简报: one township's printable briefing for the monthly supervision visit.

``township_briefing`` gathers, from the same analytics the pages use, what the visiting
team needs on a sheet or two of paper: the key figures against the county's targets, the
flags, the villages furthest from the 3 % exit line, how many households are at risk,
the county leaders paired with households in the township, and the plan's countable
commitments (帮扶与保障: analytics.briefing_commitments). ``analytics.briefing_pdf``
renders it as an A4 PDF with a Chinese font (analytics.briefing_fonts) embedded as a
subset, so it prints the same on any machine.

The briefing holds aggregates only: no household names or ID numbers; the leaders are
shown by rank and unit with their names masked (王**). Every query goes through the
caller's store restricted to the one township, so a township analyst's scoped store
cannot produce another township's briefing (``UnknownScope``). The league rank and
the data-quality findings need the whole county; for a restricted viewer they are
left out (``league_rank`` None, ``quality_checked`` False).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.briefing_commitments import PlanCommitments, plan_commitments
from analytics.briefing_commitments import plain_int as _int_or_none
from analytics.briefing_commitments import plain_number as _num
from analytics.config import load_config
from analytics.contract import CADRE_RANKS, mask_name
from analytics.counties import county_of
from analytics.households import RISK_LABELS, at_risk_households, village_table
from analytics.metrics import (
    UnknownScope, figures_by_level, income_progress, township_exit_years,
)
from analytics.scores import township_league
from analytics.verdicts import Judgement, scope_verdicts, target_judgement

TOP_RANKS = ("正县级", "副县级")
MAX_VILLAGES = 8
MAX_LEADERS = 10

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
    rule: str  # over_cap, behind_plan, exit_overdue, target:<key figure>, quality:<rule>
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
    commitments: PlanCommitments  # 帮扶与保障 (analytics.briefing_commitments)
    leaders_note: str = ""
    #: The township's county when the dataset holds more than one (``briefing_county``):
    #: the title and file name then name it, 通渭县·3 平襄镇·3; None with one county.
    county_name: str | None = None

    @property
    def place(self) -> str:
        """What the briefing is about: 平襄镇, or 通渭县·3 平襄镇·3 in a province's data."""
        return f"{self.county_name} {self.township_name}" if self.county_name else self.township_name


# --------------------------------------------------------------------------- helpers


def _township_scope(store, township_code: str):
    """(the caller's store restricted to this one township, the store restricted to its
    county when the caller sees that whole county — its league and the county plan's
    progress are read there —, else None). A restricted viewer asking for a township
    outside their own (townships, or a county's) gets ``UnknownScope`` (a LookupError),
    as for a township that does not exist."""
    allowed = tuple(getattr(store, "allowed", ()) or ())
    county = county_of(township_code)
    if allowed and township_code not in allowed and county not in allowed:
        raise UnknownScope(f"township {township_code} is not among the viewer's townships")
    base = getattr(store, "store", store)
    sees_county = not allowed or county in allowed
    return base.scoped((township_code,)), base.scoped((county,)) if sees_county else None


def briefing_county(store, township_code: str) -> str | None:
    """The name of ``township_code``'s county when the dataset behind ``store`` (a store
    or a viewer's scoped store: the whole dataset is counted) holds more than one county,
    else None — a township's name alone is then ambiguous (every county may have its
    城关镇), so the briefing's title and file name carry the county's."""
    from analytics.counties import county_name
    from analytics.metrics import counties

    base = getattr(store, "store", store)
    return county_name(county_of(township_code)) if len(counties(base)) > 1 else None


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
    scoped, county_store = _township_scope(store, township_code)
    whole_county = county_store is not None

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

    league_source = county_store if whole_county else scoped
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
    # a target judged and missed (the exit line is the verdict above)
    flags.extend(Flag(f"target:{k.key}", f"{k.label} {k.judgement.text}。")
                 for k in key_figures
                 if k.judgement is not None and k.judgement is not exit_judgement
                 and k.judgement.state == "missed")

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
        flags.extend(_quality_flags(county_store, township_code, year, cadre_ids))

    commitments = plan_commitments(county_store or store, scoped, township_code,
                                   str(town["name"]), year, whole_county=whole_county)

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
        commitments=commitments,
        leaders_note=leaders_note,
        county_name=briefing_county(store, township_code),
    )
