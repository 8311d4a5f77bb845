"""The heads of households of one replica (docs/demo-data.md, "How it is built", step
12): names, birth dates and ID numbers (region, birth date, a sequence unique within
birth date and sex, and the MOD 11-2 check character), with planted problem 4."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics.demo.arrays import rank_in_group
from analytics.demo.calibration import BIRTH_MAX, BIRTH_MIN, BIRTH_YEAR_BETA, BIRTH_YEARS, HEAD_FEMALE_P
from analytics.demo.planted import plant_duplicate_heads
from analytics.demo.pools import draw_names
from analytics.demo.register import HouseholdRegister
from analytics.demo.scale import Replica, county_code

ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
ID_CHECK_CHARACTERS = "10X98765432"   # the check character of a weighted sum mod 11
BIRTH_SPAN = int((BIRTH_MAX - BIRTH_MIN).astype(int)) + 1   # days


@dataclass(frozen=True)
class HouseholdHeads:
    """The head of each of the H households."""
    surname: np.ndarray   # (H,) int16, index into pools.SURNAMES
    given1: np.ndarray    # (H,) int16, index into pools.GIVEN_POOL
    given2: np.ndarray    # (H,) int16, index into pools.GIVEN_POOL (pools.EMPTY_GIVEN: none)
    id_base: np.ndarray   # (H,) int64, the ID number's first 17 digits: county, yyyymmdd, sequence
    id_check: np.ndarray  # (H,) int64, index of its check character into ID_CHECK_CHARACTERS


def household_heads(rng, county: Replica, register: HouseholdRegister,
                    carries_problem: np.ndarray) -> HouseholdHeads:
    """Names and birth dates (any natural coincidence of township, name and birth date
    removed before planting the duplicate pairs of problem 4), then injective ID numbers."""
    H, ht = register.count, register.township
    female = rng.random(H) < HEAD_FEMALE_P
    s_i, g1_i, g2_i = draw_names(rng, H, female)
    by = np.floor(BIRTH_YEARS * rng.beta(*BIRTH_YEAR_BETA, H)).astype(np.int64)     # years after 1935
    day = np.clip(np.floor((by + rng.random(H)) * 365.25), 0, BIRTH_SPAN - 1).astype(np.int64)
    name_code = female * 1_000_000 + s_i.astype(np.int64) * 10_000 + g1_i * 100 + g2_i
    for _ in range(50):   # make (township, name, birth date) unique before planting pairs
        key = (ht.astype(np.int64) * 10_000_000 + name_code) * 30_000 + day
        _, first = np.unique(key, return_index=True)
        dup = np.ones(H, dtype=bool)
        dup[first] = False
        if not dup.any():
            break
        day[dup] = (day[dup] + 1) % BIRTH_SPAN
    plant_duplicate_heads(rng, county.fraction, ht, carries_problem, (female, s_i, g1_i, g2_i, day))
    base17 = _id_base(rng, county.index, female, day)
    return HouseholdHeads(surname=s_i, given1=g1_i, given2=g2_i, id_base=base17, id_check=id_check_index(base17))


def _id_base(rng, k: int, female: np.ndarray, day: np.ndarray) -> np.ndarray:
    """(H,) int64: region (the replica's county code) + birth date + a 3-digit sequence,
    odd for men and even for women, unique within (birth date, sex): injective by
    construction, not by luck."""
    H = len(day)
    sexbit = np.where(female, 0, 1)
    grp = day * 2 + sexbit
    rank = rank_in_group(grp, rng.random(H))
    if H and rank.max() >= 500:
        raise ValueError("too many heads share a birth date")
    offset = ((day * 7919 + k * 13) % 500) * 2 + sexbit
    idseq = (offset + 2 * rank) % 1000
    return county_code(k) * 10**11 + yyyymmdd(day) * 1000 + idseq


def yyyymmdd(day_offset: np.ndarray) -> np.ndarray:
    """The date ``day_offset`` days after BIRTH_MIN as the integer yyyymmdd."""
    d = BIRTH_MIN + day_offset.astype("timedelta64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dd = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    return y * 10000 + m * 100 + dd


def id_check_index(base17: np.ndarray) -> np.ndarray:
    """The MOD 11-2 check of 17-digit ID bases: an index into ID_CHECK_CHARACTERS."""
    total = np.zeros(len(base17), dtype=np.int64)
    x = base17.copy()
    for i in range(16, -1, -1):
        total += (x % 10) * ID_WEIGHTS[i]
        x //= 10
    return total % 11
