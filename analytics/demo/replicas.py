"""The county replicas of a scale: replica 0 is Tongwei, replica k ≥ 1 the county
900000 + k; below scale 1 one thinned replica, a fractional part thins the last one."""

from __future__ import annotations

import math

REAL_COUNTY = 621121


def replica_list(scale: float) -> list[tuple[int, float]]:
    """(replica index, household fraction) for a scale."""
    if not (scale > 0) or not math.isfinite(scale):
        raise ValueError(f"scale must be a positive number, got {scale!r}")
    if scale <= 1:
        return [(0, float(scale))]
    n = math.ceil(scale)
    frac = scale - (n - 1)
    if n > 99999:
        raise ValueError("scale too large: at most 99999 county replicas")
    return [(k, 1.0) for k in range(n - 1)] + [(n - 1, float(frac))]


def county_code(k: int) -> int:
    return REAL_COUNTY if k == 0 else 900000 + k


def replica_count(scale: float) -> int:
    """How many county replicas a scale has (1 up to scale 1)."""
    return len(replica_list(scale))

