"""Reference implementations that only the tests use: the pages read SQL aggregates, and
these pandas twins over detail rows hold them to account (issue 17, point 4)."""

from __future__ import annotations

import pandas as pd

from analytics.contract import RANK_QUOTA
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
