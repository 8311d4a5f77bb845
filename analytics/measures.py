"""Poverty and inequality measures on plain arrays (numpy), one function each.

These are the reference implementations: the store computes the same figures in
SQL for every scope at once (queries/build_figures.sql), and the tests hold the two
to each other and to published values (../shared/reference/poverty_measures.md).
Incomes y are per person; weights w are persons (household members).
"""

from __future__ import annotations

import numpy as np


def _arrays(y, w):
    y = np.asarray(y, dtype="float64")
    w = np.ones_like(y) if w is None else np.asarray(w, dtype="float64")
    return y, w


def fgt(y, z: float, alpha: int, w=None) -> float | None:
    """Foster–Greer–Thorbecke P_α = (1/N) Σ w·((z − y)/z)^α · [y < z], y bottom-coded at 0.

    N = Σ w; poor means strictly below the line. None when N = 0.
    """
    y, w = _arrays(y, w)
    n = w.sum()
    if n == 0:
        return None
    y = np.maximum(y, 0.0)
    poor = y < z
    return float((w[poor] * ((z - y[poor]) / z) ** alpha).sum() / n)


def watts(y, z: float, w=None) -> tuple[float | None, float]:
    """Watts index (1/N⁺) Σ_{0<y<z} w·ln(z/y), N⁺ = Σ w over y > 0.

    Returns (index, persons left out because y ≤ 0). Index None when N⁺ = 0.
    """
    y, w = _arrays(y, w)
    positive = y > 0
    excluded = float(w[~positive].sum())
    n = w[positive].sum()
    if n == 0:
        return None, excluded
    poor = positive & (y < z)
    return float((w[poor] * np.log(z / y[poor])).sum() / n), excluded


def gini(y, w=None) -> float | None:
    """Weighted Gini, no small-sample correction, y bottom-coded at 0.

    G = Σ_i w_i y_i (2 C_i + w_i − W) / (W · Σ w_i y_i), incomes sorted ascending,
    C_i = Σ_{j<i} w_j, W = Σ w; equal to the plain Gini of the data expanded to one
    row per person. None when W or Σ w·y is 0.
    """
    y, w = _arrays(y, w)
    y = np.maximum(y, 0.0)
    order = np.argsort(y, kind="stable")
    y, w = y[order], w[order]
    total_w = w.sum()
    total_wy = (w * y).sum()
    if total_w == 0 or total_wy == 0:
        return None
    before = np.cumsum(w) - w
    return float((w * y * (2 * before + w - total_w)).sum() / (total_w * total_wy))
