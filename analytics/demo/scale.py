"""A scale's county replicas: which (index, household fraction) pairs it has, their county
codes, and ``Replica``, the setting every stage of one replica is built in.

Replica 0 is Tongwei, replica k ≥ 1 the county 900000 + k; below scale 1 there is one
thinned replica, and a fractional part above 1 thins the last one."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analytics.counties import DEMO_REPLICA_BASE, TONGWEI
from analytics.demo.calibration import YEARS
from analytics.demo.geography import Geography

REAL_COUNTY = int(TONGWEI)


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
    """The 6-digit county code of replica ``k``: Tongwei's (621121) for 0, else 900000 + k."""
    return REAL_COUNTY if k == 0 else DEMO_REPLICA_BASE + k


def replica_count(scale: float) -> int:
    """How many county replicas a scale has (1 up to scale 1)."""
    return len(replica_list(scale))


@dataclass(frozen=True)
class Replica:
    """The setting of one county replica: what every stage of it reads, never changes.

    T townships and V villages (``geo``, the same for every replica); the years are
    ``calibration.YEARS`` (NY of them, 2014–2020)."""
    index: int                  # k: 0 = Tongwei, k ≥ 1 = the county 900000 + k
    fraction: float             # household fraction: the share of the county's households kept (≤ 1)
    seed: int                   # the demo's seed (each replica's streams are SeedSequence([seed, k, …]))
    geo: Geography
    poverty_line: np.ndarray    # (NY,) float, the year's poverty line, yuan per person (config)
    township_index: dict        # township code suffix (last 3 digits) → township index

    @classmethod
    def of(cls, k: int, fraction: float, seed: int, geo: Geography, cfg) -> Replica:
        """Replica ``k`` of the demo of ``seed``, its poverty lines from the configuration."""
        return cls(index=k, fraction=fraction, seed=seed, geo=geo,
                   poverty_line=np.array([cfg.line(y) for y in YEARS]),
                   township_index={s: i for i, s in enumerate(geo.t_suffix)})

    @property
    def townships(self) -> int:
        """T, the number of townships."""
        return len(self.geo.t_code)

    @property
    def villages(self) -> int:
        """V, the number of villages."""
        return len(self.geo.v_code)

    @property
    def township_of_village(self) -> np.ndarray:
        """(V,) int, each village's township index."""
        return self.geo.v_town

    def stream(self, *purpose: int) -> np.random.Generator:
        """The replica's random stream (``purpose`` empty), or one of its own streams:
        1 = the township paths, 2 = 驻村帮扶, 3 = the misses against the plan's targets."""
        return np.random.default_rng(np.random.SeedSequence([int(self.seed), int(self.index), *purpose]))
