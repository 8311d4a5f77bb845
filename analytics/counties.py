"""Counties: the level between the province (all that is loaded) and the township.

A dataset may hold many counties. A township's county is the first ``COUNTY_DIGITS``
digits of its code (GB/T 2260: province 2, prefecture 2, county 2); the contract has
no county table, so names come from the reference table ``data/geo/counties.csv``
(``county_code,name``). The demo's replica counties (``DEMO_REPLICA_BASE + k``,
docs/demo-data.md) are named after Tongwei with the replica's suffix, as their townships
are (通渭县·12); any other code without a name reads 县（code）.
docs/contract-extensions.md, "Counties", describes the level.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from functools import lru_cache

from analytics.config import DATA_DIR

COUNTY_DIGITS = 6
REFERENCE = DATA_DIR / "geo" / "counties.csv"
#: Tongwei's county code, the demo's replica 0.
TONGWEI = "621121"
#: Replica k ≥ 1 of the demo is the county DEMO_REPLICA_BASE + k (not a real GB/T 2260 code).
DEMO_REPLICA_BASE = 900000


def county_of(township_code: str) -> str:
    """The county code of a township (or village) code: its first six digits."""
    return str(township_code)[:COUNTY_DIGITS]


@lru_cache(maxsize=1)
def reference_names() -> dict[str, str]:
    """county code → name, from data/geo/counties.csv."""
    with REFERENCE.open(encoding="utf-8") as f:
        return {row["county_code"].strip(): row["name"].strip() for row in csv.DictReader(f)}


def replica_of(code: str) -> str:
    """The county a demo replica copies (Tongwei for 900000 + k, docs/demo-data.md), else
    ``code`` itself."""
    return TONGWEI if _is_replica(code) else code


def _is_replica(code: str) -> bool:
    return code.isdigit() and DEMO_REPLICA_BASE < int(code) < DEMO_REPLICA_BASE + 100000


def county_name(code: str) -> str:
    """A county's name: the reference table's; a demo replica's 通渭县·k; else 县（code）."""
    names = reference_names()
    if code in names:
        return names[code]
    if _is_replica(code):
        return f"{names.get(TONGWEI, '通渭县')}·{int(code) - DEMO_REPLICA_BASE}"
    return f"县（{code}）"


def county_names(codes: Iterable[str]) -> list[tuple[str, str]]:
    """(code, name) of each distinct county code, in code order."""
    return [(code, county_name(code)) for code in sorted(set(codes))]
