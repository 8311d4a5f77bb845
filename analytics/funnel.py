"""The funnel plot of village incidence: a village's incidence against its population,
with control limits p₀ ± z·√(φ·p₀(1 − p₀)/n) around the county incidence p₀ (z from
config ``[honesty]``: 1.96 and 3.09, 95 % and 99.8 %), so that one household does not
turn a small village red: only villages outside the 99.8 % limits are flagged. φ ≥ 1 is
the overdispersion factor (Spiegelhalter 2005): the mean squared z-score of the villages
after winsorising the top and bottom 10 %, since villages differ by more than chance alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.config import load_config


def funnel_z() -> tuple[float, float]:
    """The warning and alarm z of the funnel's control limits (config ``[honesty]``)."""
    honesty = load_config().honesty
    return float(honesty["funnel_z_warning"]), float(honesty["funnel_z_alarm"])


def funnel_limits(p0: float, n, z: float, phi: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper control limits (proportions) for populations ``n`` around ``p0``:
    p₀ ± z·√(φ·p₀(1 − p₀)/n)."""
    n = np.asarray(n, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        half = z * np.sqrt(phi * p0 * (1 - p0) / n)
    return np.clip(p0 - half, 0, 1), np.clip(p0 + half, 0, 1)


def overdispersion(p, n, p0: float) -> float:
    """φ = mean of the squared z-scores after winsorising at the 10th and 90th percentiles;
    at least 1."""
    p = np.asarray(p, dtype="float64")
    n = np.asarray(n, dtype="float64")
    if len(p) == 0 or p0 <= 0 or p0 >= 1:
        return 1.0
    z = (p - p0) / np.sqrt(p0 * (1 - p0) / n)
    cut = float(load_config().honesty["overdispersion_winsor_pct"])
    low, high = np.percentile(z, [cut, 100 - cut])
    return float(max(1.0, np.mean(np.clip(z, low, high) ** 2)))


def village_funnel(villages: pd.DataFrame, county_incidence_pct: float) -> pd.DataFrame:
    """Each village's position in the funnel: 显著偏高 (above 99.8 %), 偏高 (above 95 %),
    正常, 偏低 (below 95 %) — villages with no population are left out. The frame's
    ``attrs["phi"]`` holds the overdispersion factor used."""
    frame = villages[villages["registered_population"] > 0].copy()
    p0 = county_incidence_pct / 100.0
    n = frame["registered_population"]
    p = frame["poor_persons"] / n
    phi = overdispersion(p, n, p0)
    z_warning, z_alarm = funnel_z()
    low95, high95 = funnel_limits(p0, n, z_warning, phi)
    _, high998 = funnel_limits(p0, n, z_alarm, phi)
    frame.attrs["phi"] = phi
    frame["funnel"] = np.select([p > high998, p > high95, p < low95], ["显著偏高", "偏高", "偏低"],
                                default="正常")
    return frame
