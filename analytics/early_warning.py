"""防返贫监测 early warning: a transparent risk score per monitored household.

Monitored: households exited at the end of the year, or that relapsed in it. Each rule
that holds adds its points (config ``[early_warning]``, thresholds in ``[risk]``):

| rule | holds when | points |
|---|---|---|
| low_income | income < 1.5 × the poverty line | 2 |
| income_drop | income < (1 − 30 %) × last year's income (last year's > 0) | 3 |
| illness_or_disaster | relapsed for 因病/因灾, or 基本医疗 not secured | 3 |
| dibao | on 低保 (一类/二类) | 1 |
| dependants | ≥ 5 persons and wage income < 20 % of income (many dependants, few workers) | 2 |
| unstable_wage | wage share moved by > 25 percentage points on the year | 1 |

score = Σ points; level 高 (≥ 6), 中 (≥ 4), 低 (≥ 1), 无 (0). The monthly visit list
holds the 高 and 中 households, highest score first, with the responsible cadre.

Two implementations of the same rules: ``risk_scores`` (pandas, over the detail rows
of queries/risk_factors.sql) is the reference; the pages read ``risk_level_counts`` and
``visit_list_top``, which score in SQL (macro ``risk_scored`` over the
``household_risk_factors`` table built at load time) and fetch only counts and a bounded
list, whatever the number of households. tests/test_early_warning.py holds them equal.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.config import load_config
from analytics.households import lists_of, mask_frame

RULE_LABELS = {
    "low_income": "收入低于1.5倍贫困线",
    "income_drop": "收入骤降超过30%",
    "illness_or_disaster": "因病因灾",
    "dibao": "低保户",
    "dependants": "人口多劳力少",
    "unstable_wage": "务工收入不稳",
}
LEVELS = ("高", "中", "低", "无")


def risk_flags(frame: pd.DataFrame) -> pd.DataFrame:
    """The six rule flags (booleans) for rows of the ``risk_factors`` query."""
    config = load_config()
    risk, warn = config.risk, config.early_warning
    wage_share = frame["wage_share_pct"]
    prev_income = frame["prev_income"].astype("float64").fillna(0.0)  # no last year: no fall
    return pd.DataFrame({  # a missing value never meets a rule (fillna below)
        "low_income": frame["income"] < risk["income_line_multiple"] * frame["poverty_line"],
        "income_drop": (prev_income > 0)
                       & (frame["income"] < prev_income * (1 - risk["income_drop_pct"] / 100)),
        "illness_or_disaster": (frame["is_relapse"] & frame["relapse_cause"].isin(["因病", "因灾"]))
                               | (frame["medical_secure"] == False),  # noqa: E712 (nullable)
        "dibao": frame["dibao_class"].notna(),
        "dependants": (frame["members"] >= warn["dependants_members"])
                      & (wage_share.fillna(0) < warn["dependants_wage_share_pct"]),
        "unstable_wage": (wage_share - frame["prev_wage_share_pct"]).abs().fillna(0)
                         > warn["unstable_wage_share_points"],
    }, index=frame.index).fillna(False).astype(bool)


def risk_level(score: pd.Series) -> pd.Series:
    """高 / 中 / 低 / 无 from the score and the configured levels."""
    warn = load_config().early_warning
    return pd.Series(np.select([score >= warn["high_level"], score >= warn["medium_level"],
                                score >= 1], LEVELS[:3], default=LEVELS[3]), index=score.index)


def risk_scores(store, year: int, townships=(), villages=(), *, unmasked: bool = False) -> pd.DataFrame:
    """Every monitored household in ``year`` with its flags, score, level and reasons."""
    warn = load_config().early_warning
    frame = store.query("risk_factors", year=year, townships=list(townships or []),
                        villages=list(villages or []))
    flags = risk_flags(frame)
    points = pd.Series({rule: warn[f"{rule}_points"] for rule in RULE_LABELS})
    frame = pd.concat([frame, flags], axis=1)
    frame["score"] = (flags * points).sum(axis=1).astype("int64")
    frame["level"] = risk_level(frame["score"])
    frame["reasons"] = risk_reasons(flags)
    return frame if unmasked else mask_frame(frame)


def risk_reasons(flags: pd.DataFrame) -> list[str]:
    """The labels of the rules each row meets, joined with 、 (in RULE_LABELS order)."""
    return ["、".join(RULE_LABELS[r] for r in RULE_LABELS if row[r])
            for row in flags[list(RULE_LABELS)].to_dict("records")]


def visit_list(scores: pd.DataFrame) -> pd.DataFrame:
    """The monthly visit list: 高 and 中 households, by village, highest score first."""
    listing = scores[scores["level"].isin(LEVELS[:2])]
    return listing.sort_values(["village_code", "score", "household_id"],
                               ascending=[True, False, True]).reset_index(drop=True)


def risk_counts(scores: pd.DataFrame, by: str = "township_code") -> pd.DataFrame:
    """Monitored, 高 and 中 households (and 高-risk persons) per township or village."""
    if scores.empty:
        return pd.DataFrame(columns=[by, "monitored", "high", "medium", "high_persons"])
    grouped = scores.groupby(by)
    counts = pd.DataFrame({
        "monitored": grouped.size(),
        "high": grouped["level"].apply(lambda s: int((s == "高").sum())),
        "medium": grouped["level"].apply(lambda s: int((s == "中").sum())),
        "high_persons": grouped.apply(lambda g: int(g.loc[g["level"] == "高", "members"].sum()),
                                      include_groups=False),
    })
    return counts.reset_index().sort_values(["high", "medium"], ascending=False)


# The visit list on a page: enough rows for any county, bounded for a province.
VISIT_LIST_LIMIT = 1000


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
    params.update({f"{rule}_points": int(warn[f"{rule}_points"]) for rule in RULE_LABELS})
    return params


def risk_level_counts(store, year: int, townships=(), villages=()) -> pd.DataFrame:
    """Per township in ``year``: monitored = monitored households, high / medium = those
    at level 高 / 中, high_persons = Σ members of the 高 households (as ``risk_counts`` of
    ``risk_scores``), most 高 first; computed in SQL whatever the number of households."""
    return store.query("risk_level_counts", year=year, **rule_params(),
                       **lists_of(townships, villages))


def visit_list_top(store, year: int, townships=(), villages=(), *, limit: int = VISIT_LIST_LIMIT,
                   unmasked: bool = False) -> pd.DataFrame:
    """The first ``limit`` rows of the visit list (as ``visit_list`` of ``risk_scores``:
    高 and 中 households by village, highest score first) with their reasons, masked
    unless allowed. The list's length is Σ high + medium of ``risk_level_counts``."""
    frame = store.query("visit_list_top", year=year, limit=int(limit), **rule_params(),
                        **lists_of(townships, villages))
    frame["reasons"] = risk_reasons(frame)
    return frame if unmasked else mask_frame(frame)
