"""防返贫监测: who is a 监测对象, how they are ranked for the visit list, and every text the
screens show about it (docs/glossary.md, section 返贫监测).

**Candidates**: the households exited at the end of the year, or that relapsed in it (the
``household_risk_factors`` table, built at load time). Six rules, thresholds in config
``[risk]`` and ``[early_warning]`` (defaults in brackets); a missing value meets no rule:

| rule | holds when | points |
|---|---|---|
| low_income | income < ``income_line_multiple`` [1.5] × the poverty line (below 监测线) | 2 |
| income_drop | 收入骤降: income < (1 − ``income_drop_pct`` [30] %) × last year's (last year's > 0) | 3 |
| illness_or_disaster | 因病因灾: relapsed for 因病/因灾, or 基本医疗 not secured | 3 |
| dibao | on 低保 (一类/二类) | 1 |
| dependants | ≥ 5 persons and wage income < 20 % of income (many dependants, few workers) | 2 |
| unstable_wage | wage share moved by > 25 percentage points on the year | 1 |

**监测对象** (one rule, after 国家乡村振兴局 2021《关于健全防止返贫动态监测和帮扶机制的指导
意见》: income below the monitoring line *and* a risk event) = low_income AND (income_drop
OR illness_or_disaster) — the ``EVENTS``.

**Score and levels** rank the 监测对象, nothing else: score = Σ points of the rules met;
level 高 (score ≥ ``high_level``), 中 (≥ ``medium_level``), 低 (below). A candidate that
is not a 监测对象 has no level, so on every screen 高 + 中 + 低 = 监测对象 and 高 ≤ 监测对象.
With the default points a 监测对象 scores at least 5 (2 + 3), so it is at least 中.

**Visit list** (走访名单) = every 监测对象, by village, highest score first, with the
responsible cadre; its rows carry the same flags the counts count (收入骤降 in a count =
the listed households flagged 收入骤降).

One home for the rules: the macro ``risk_scored`` (queries/macros.sql), read by
``risk_level_counts``, ``visit_list_top``, ``monitored_village_counts`` (and
``households.at_risk_*``, the same lists under their older names). The pandas
**reference implementation** (``risk_flags``, ``risk_scores``, ``visit_list``,
``risk_counts``), the tests' independent check over queries/risk_factors.sql (from
``household_facts``), lives in tests/reference.py; no screen reads it.

Every threshold a screen shows is formatted from the configuration by
``monitoring_labels`` (the one place that builds these texts).
"""

from __future__ import annotations

import pandas as pd

from analytics.config import load_config

RULES = ("low_income", "income_drop", "illness_or_disaster", "dibao", "dependants",
         "unstable_wage")
# The risk events: a household below 监测线 with one of them is a 监测对象.
EVENTS = ("income_drop", "illness_or_disaster")
# The rules' names (the glossary's terms, no thresholds: those are in monitoring_labels).
RULE_NAMES = {
    "low_income": "收入低于监测线",
    "income_drop": "收入骤降",
    "illness_or_disaster": "因病因灾",
    "dibao": "低保户",
    "dependants": "人口多劳力少",
    "unstable_wage": "务工收入不稳",
}
LEVELS = ("高", "中", "低")

# The visit list on a page: enough rows for any county, bounded for a province.
VISIT_LIST_LIMIT = 1000


def _g(value) -> str:
    return f"{float(value):g}"


def monitoring_labels(year: int | None = None) -> dict[str, str]:
    """Every 返贫监测 text a screen shows (captions, tile and column help), thresholds,
    points and levels formatted from ``load_config()``; never typed in elsewhere.

    Keys: the ``RULES`` (each rule's definition), ``line`` (监测线, with its amount in
    ``year`` when given), ``monitored`` (监测对象), ``persons``, ``high``, ``medium``,
    ``low``, ``high_persons``, ``score`` (the points), ``levels``, ``visit_list``,
    ``reasons``.
    """
    config = load_config()
    risk, warn = config.risk, config.early_warning
    multiple, drop = _g(risk["income_line_multiple"]), _g(risk["income_drop_pct"])
    high, medium = int(warn["high_level"]), int(warn["medium_level"])
    line = f"监测线 = 当年贫困线 × {multiple}"
    if year is not None and int(year) in config.poverty_line:
        amount = float(risk["income_line_multiple"]) * float(config.poverty_line[int(year)])
        line += f"（{int(year)}年 {amount:,.0f} 元/人）"
    definitions = {
        "low_income": f"人均纯收入低于监测线（当年贫困线的 {multiple} 倍）",
        "income_drop": f"人均纯收入比上年下降超过 {drop}%",
        "illness_or_disaster": "当年因病或因灾返贫，或基本医疗未保障",
        "dibao": "享受一类或二类低保",
        "dependants": (f"家庭人口 ≥{int(warn['dependants_members'])} 人且工资性收入占比低于 "
                       f"{_g(warn['dependants_wage_share_pct'])}%"),
        "unstable_wage": (f"工资性收入占比比上年变动超过 "
                          f"{_g(warn['unstable_wage_share_points'])} 个百分点"),
    }
    rules = {r: f"{RULE_NAMES[r]}：{definitions[r]}" for r in RULES}
    monitored = (f"监测对象：已脱贫户和当年返贫户中，{definitions['low_income']}，且有下列风险之一的户："
                 + "；".join(f"{RULE_NAMES[e]}（{definitions[e]}）" for e in EVENTS) + "。")
    points = "、".join(f"{RULE_NAMES[r]} {int(warn[f'{r}_points'])}" for r in RULES)
    return {
        **rules,
        "line": line,
        "monitored": monitored,
        "persons": "监测对象的家庭人口之和",
        "high": f"高风险：风险分 ≥{high} 的监测对象，优先走访",
        "medium": f"中风险：风险分 ≥{medium}、<{high} 的监测对象",
        "low": f"低风险：风险分 <{medium} 的监测对象",
        "high_persons": "高风险监测对象的家庭人口之和",
        "score": f"风险分 = 所符合各项的分值之和：{points}",
        "levels": (f"监测对象按风险分分级：≥{high} 高风险，≥{medium} 中风险，其余低风险；"
                   "高、中、低风险户数之和即监测对象户数"),
        "visit_list": "走访名单：全部监测对象，按村排列，同村风险分高者在前",
        "reasons": "该户符合的各项：" + "；".join(rules[r] for r in RULES),
    }


def rule_params() -> dict:
    """The configured thresholds, points and levels, as the ``risk_scored`` macro takes them."""
    config = load_config()
    risk, warn = config.risk, config.early_warning
    params = {"line_multiple": float(risk["income_line_multiple"]),
              "drop_pct": float(risk["income_drop_pct"]),
              "dependants_members": int(warn["dependants_members"]),
              "dependants_wage_share_pct": float(warn["dependants_wage_share_pct"]),
              "unstable_wage_share_points": float(warn["unstable_wage_share_points"]),
              "high_level": int(warn["high_level"]), "medium_level": int(warn["medium_level"])}
    params.update({f"{rule}_points": int(warn[f"{rule}_points"]) for rule in RULES})
    return params


def risk_reasons(flags: pd.DataFrame) -> pd.Series:
    """The names of the rules each row meets, joined with 、 (in ``RULES`` order)."""
    return pd.Series(["、".join(RULE_NAMES[r] for r in RULES if row[r])
                      for row in flags[list(RULES)].fillna(False).astype(bool).to_dict("records")],
                     index=flags.index, dtype="str")


def _scope(townships, villages) -> dict:
    from analytics.households import lists_of  # households imports this module
    return lists_of(townships, villages)


#: What a household's risk event reads as when its events are not shown: one neutral
#: category for both, so that neither 因病 nor 因灾 (health and hardship are personal
#: data, as causes are) can be read off a list, nor inferred from the other event.
NEUTRAL_EVENT = "风险事件"


def _masked(frame: pd.DataFrame, unmasked: bool, events_shown: bool = False) -> pd.DataFrame:
    """``frame`` with names and IDs masked unless ``unmasked``, and its risk events
    (``EVENTS``: the flag columns and their names in ``reasons``) replaced by
    ``NEUTRAL_EVENT`` unless ``events_shown`` or ``unmasked``."""
    from analytics.households import mask_frame
    frame = frame if unmasked else mask_frame(frame)
    if unmasked or events_shown:
        return frame
    frame = frame.copy()
    names = {RULE_NAMES[e] for e in EVENTS}
    if "reasons" in frame:
        frame["reasons"] = frame["reasons"].map(lambda text: "、".join(dict.fromkeys(
            NEUTRAL_EVENT if part in names else part for part in str(text).split("、") if part)))
    for event in EVENTS:
        if event in frame:
            frame[event] = pd.Series(pd.NA, index=frame.index, dtype="boolean")
    return frame


def risk_level_counts(store, year: int, townships=(), villages=()) -> pd.DataFrame:
    """Per township with 监测对象 in ``year`` (most 高 first): monitored = 监测对象
    households, persons = Σ their members, high / medium / low = those at level 高 / 中 /
    低 (high + medium + low = monitored), high_persons = Σ members of the 高 ones,
    income_drop / illness_or_disaster = those meeting that event; in SQL, whatever the
    number of households."""
    return store.query("risk_level_counts", year=year, **rule_params(), **_scope(townships, villages))


def relapsed_households_listed(store, year: int, townships=(), villages=()) -> tuple[int, int]:
    """(households that relapsed in ``year`` in the scope, how many of them are 监测对象 and
    so on the visit list). The rest are above the monitoring line or had no risk event
    (收入骤降, 因病因灾): the rule above, not an omission."""
    row = store.query("relapsed_households_listed", year=year, **rule_params(),
                      **_scope(townships, villages)).iloc[0]
    return int(row["relapsed"]), int(row["listed"])


def visit_list_relapse_note(year: int, relapsed: int, listed: int) -> str | None:
    """Under the visit list: how many of the year's relapsed households it holds and why not
    the others (``relapsed_households_listed``); None when it holds them all."""
    if relapsed <= listed:
        return None
    events = "、".join(RULE_NAMES[e] for e in EVENTS)
    return (f"{year}年返贫 {relapsed:,} 户，其中 {listed:,} 户是监测对象，在名单中（状态为“返贫”）；"
            f"其余 {relapsed - listed:,} 户收入不低于监测线，或没有{events}等风险事件，不列入名单。")


def monitored_village_counts(store, year: int, townships=(), villages=()) -> pd.DataFrame:
    """``risk_level_counts`` per village (with village_code and village_name), by
    township, then village code; only villages with 监测对象."""
    return store.query("at_risk_village_counts", year=year, **rule_params(),
                       **_scope(townships, villages))


def visit_list_top(store, year: int, townships=(), villages=(), *,
                   limit: int | None = VISIT_LIST_LIMIT, unmasked: bool = False,
                   events_shown: bool = False) -> pd.DataFrame:
    """The first ``limit`` rows (None: all) of the visit list — every 监测对象 of ``year``,
    by village, highest score first — with the six flags, score, level, ``reasons`` and
    the responsible cadre. Names and IDs masked unless ``unmasked``; the risk events
    (收入骤降, 因病因灾) read 风险事件 unless ``events_shown`` (a viewer who may see a
    household's file unmasked) or ``unmasked``. Its full length is Σ monitored of
    ``risk_level_counts``."""
    frame = store.query("visit_list_top", year=year, limit=None if limit is None else int(limit),
                        **rule_params(), **_scope(townships, villages))
    frame["reasons"] = risk_reasons(frame)
    return _masked(frame, unmasked, events_shown)
