"""The heads of households: birth dates and ID numbers (region, birth date, sequence and
the MOD 11-2 check character)."""

from __future__ import annotations

import numpy as np

ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
BIRTH_MIN = np.datetime64("1935-01-01")
BIRTH_MAX = np.datetime64("1998-12-31")
BIRTH_SPAN = int((BIRTH_MAX - BIRTH_MIN).astype(int)) + 1


def yyyymmdd(day_offset: np.ndarray) -> np.ndarray:
    d = BIRTH_MIN + day_offset.astype("timedelta64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dd = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    return y * 10000 + m * 100 + dd


def id_check_index(base17: np.ndarray) -> np.ndarray:
    total = np.zeros(len(base17), dtype=np.int64)
    x = base17.copy()
    for i in range(16, -1, -1):
        total += (x % 10) * ID_WEIGHTS[i]
        x //= 10
    return total % 11


