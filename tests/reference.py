"""Reference implementations that only the tests use: the pages read SQL aggregates, and
these pandas twins over detail rows hold them to account (issue 17, point 4)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.config import load_config
from analytics.contract import RANK_QUOTA
from analytics.early_warning import EVENTS, LEVELS, RULES, _masked, _scope, risk_reasons
from analytics.households import lists_of


def cadre_quota(store) -> pd.DataFrame:
    """Each cadre's paired households per year against the "8741" quota of their rank.

    quota = 8 正县级, 7 副县级, 4 科级, 1 一般干部; over_quota = households > quota.
    """
    frame = store.query("cadre_load")
    frame["quota"] = frame["rank"].map(RANK_QUOTA)
    frame["over_quota"] = frame["households"] > frame["quota"]
    return frame


def household_incomes(store, year: int, townships=(), villages=()) -> pd.DataFrame:
    """Per-capita income, members and status of every registered household (no personal data)."""
    return store.query("household_incomes", year=year, **lists_of(townships, villages))


# --- 防返贫监测: the rules written again in pandas over the detail rows of
# queries/risk_factors.sql (from household_facts, not household_risk_factors).
# tests/test_early_warning.py and tests/test_monitoring.py hold the SQL macro risk_scored
# equal to it.

def risk_flags(frame: pd.DataFrame) -> pd.DataFrame:
    """Reference: the six rule flags (booleans) for rows of the ``risk_factors`` query."""
    config = load_config()
    risk, warn = config.risk, config.early_warning
    wage_share = frame["wage_share_pct"]
    prev_income = frame["prev_income"].astype("float64").fillna(0.0)  # no last year: no fall
    return pd.DataFrame({  # a missing value never meets a rule (fillna below)
        "low_income": frame["income"] < risk["income_line_multiple"] * frame["poverty_line"],
        "income_drop": (prev_income > 0)
                       & (frame["income"] < prev_income * (1 - risk["income_drop_pct"] / 100)),
        "illness_or_disaster": (frame["is_relapse"].fillna(False).astype(bool)
                                & frame["relapse_cause"].isin(["因病", "因灾"]))
                               | (frame["medical_secure"] == False),  # noqa: E712 (nullable)
        "dibao": frame["dibao_class"].notna(),
        "dependants": (frame["members"] >= warn["dependants_members"])
                      & (wage_share.fillna(0) < warn["dependants_wage_share_pct"]),
        "unstable_wage": (wage_share - frame["prev_wage_share_pct"]).abs().fillna(0)
                         > warn["unstable_wage_share_points"],
    }, index=frame.index).fillna(False).astype(bool)


def is_monitored(flags: pd.DataFrame) -> pd.Series:
    """Reference: 监测对象 = below 监测线 and at least one risk event (``EVENTS``)."""
    return flags["low_income"] & flags[list(EVENTS)].any(axis=1)


def risk_level(score: pd.Series, monitored: pd.Series) -> pd.Series:
    """Reference: 高 / 中 / 低 for a 监测对象 from its score and the configured levels;
    missing (NaN) for a household that is not one."""
    warn = load_config().early_warning
    level = np.select([score >= warn["high_level"], score >= warn["medium_level"]],
                      LEVELS[:2], default=LEVELS[2]).astype(object)
    return pd.Series(np.where(monitored, level, None), index=score.index, dtype="str")


def risk_scores(store, year: int, townships=(), villages=(), *, unmasked: bool = False) -> pd.DataFrame:
    """Reference: every candidate in ``year`` with its flags, monitored, score, level
    and reasons."""
    warn = load_config().early_warning
    frame = store.query("risk_factors", year=year, **_scope(townships, villages))
    flags = risk_flags(frame)
    points = pd.Series({rule: warn[f"{rule}_points"] for rule in RULES})
    frame = pd.concat([frame, flags], axis=1)
    frame["monitored"] = is_monitored(flags)
    frame["score"] = (flags[list(RULES)] * points).sum(axis=1).astype("int64")
    frame["level"] = risk_level(frame["score"], frame["monitored"])
    frame["reasons"] = risk_reasons(flags)
    return _masked(frame, unmasked, events_shown=True)  # a reference: the events are its subject


def visit_list(scores: pd.DataFrame) -> pd.DataFrame:
    """Reference: the visit list — the 监测对象, by village, highest score first."""
    listing = scores[scores["monitored"]]
    return listing.sort_values(["village_code", "score", "household_id"],
                               ascending=[True, False, True]).reset_index(drop=True)


COUNT_COLUMNS = ("monitored", "persons", "high", "medium", "low", "high_persons", *EVENTS)


def risk_counts(scores: pd.DataFrame, by: str = "township_code") -> pd.DataFrame:
    """Reference: the columns of ``risk_level_counts`` per township (or village) from the
    rows of ``risk_scores``, most 高 first."""
    listed = scores[scores["monitored"]]
    if listed.empty:
        return pd.DataFrame(columns=[by, *COUNT_COLUMNS])
    listed = listed.assign(one=1, high=listed["level"] == "高", medium=listed["level"] == "中",
                           low=listed["level"] == "低")
    listed["high_persons"] = listed["members"].where(listed["high"], 0)
    counts = listed.groupby(by).agg(
        monitored=("one", "sum"), persons=("members", "sum"), high=("high", "sum"),
        medium=("medium", "sum"), low=("low", "sum"), high_persons=("high_persons", "sum"),
        **{e: (e, "sum") for e in EVENTS}).astype("int64")
    return (counts.reset_index()
            .sort_values(["high", "medium", by], ascending=[False, False, True])
            .reset_index(drop=True))
