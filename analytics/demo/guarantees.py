"""两不愁三保障 of one replica (docs/demo-data.md, "How it is built", step 7): which of the
five *_secure flags are false in each household-year, as a bit mask."""

from __future__ import annotations

import numpy as np

from analytics.demo.calibration import GUARANTEE_GAP_DECAY, GUARANTEE_GAP_P, NY
from analytics.demo.incomes import HouseholdIncomes
from analytics.demo.panel import StatusPanel


def guarantee_gaps(rng, panel: StatusPanel, incomes: HouseholdIncomes) -> np.ndarray:
    """(H, NY) uint8: bit i set = contract.SECURITY_COLUMNS[i] false (bit
    calibration.WATER_UNKNOWN_BIT, set later by analytics.demo.misses: water not recorded).
    Exited rows have every flag true but the planted 错退 rows (problem 1b); poor rows
    have persistent household gaps that close over the years (GUARANTEE_GAP_P, falling
    by GUARANTEE_GAP_DECAY a year)."""
    S = panel.status
    H = len(S)
    SEC_FALSE = np.zeros((H, NY), dtype=np.uint8)
    c1b = incomes.wrong_exit_security
    SEC_FALSE[c1b, incomes.first_exit[c1b]] = incomes.wrong_exit_flags
    decay = GUARANTEE_GAP_DECAY ** np.arange(NY)
    n_flags = len(GUARANTEE_GAP_P)
    latent = rng.random((H, n_flags))     # persistent: a household's gaps close over the years
    for i in range(n_flags):
        bad = (S == 0) & (latent[:, i:i + 1] < GUARANTEE_GAP_P[i] * decay[None, :])
        SEC_FALSE |= (bad.astype(np.uint8) << i)
    return SEC_FALSE
