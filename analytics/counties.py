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


def unique_labels(codes: Iterable[str], names: Iterable[str]) -> dict[str, str]:
    """code → label, unique among ``codes``: the name; where two share a name, the name
    with its county's, 城关镇（通渭县）, when their counties differ (township names repeat
    across counties), else with its code, 城关镇（621121101）.

    ``codes``: township, village or county codes (a county's own code gets its code).
    The one labelling rule of rows, bars and filter options keyed by code: two places
    that share a name are never merged or confused (the filters write these labels into
    the address, so they must be unique)."""
    codes, names = [str(c) for c in codes], [str(n) for n in names]
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    first = {c: n if counts[n] == 1 or len(c) <= COUNTY_DIGITS else f"{n}（{county_name(county_of(c))}）"
             for c, n in zip(codes, names)}
    again: dict[str, int] = {}
    for label in first.values():
        again[label] = again.get(label, 0) + 1
    return {c: (first[c] if counts[n] == 1 or again[first[c]] == 1 else f"{n}（{c}）")
            for c, n in zip(codes, names)}


def keyed_labels(frame) -> tuple:
    """(``frame`` with ``_code`` and ``_label``, code → label) for a chart's bars by
    township or county: keyed by ``scope_code`` (a figures frame), else ``township_code``,
    never by name — two counties' 城关镇 are two bars — labelled ``unique_labels``."""
    codes = (frame["scope_code"] if "scope_code" in frame else frame["township_code"]).astype(str)
    labels = unique_labels(codes, frame["name"].fillna(codes))
    return frame.assign(_code=codes.values, _label=codes.map(labels).values), labels


#: The county column of a list (its title, in every table and export that has one).
COUNTY_COLUMN = "county_name"
COUNTY_TITLE = "县"


def with_county(frame, code_column: str, labels: dict[str, str] | None = None, *, shown: bool):
    """``frame`` with the county's name (``COUNTY_COLUMN``, from the first six digits of
    ``code_column``: a township, village or household code) as its first column when
    ``shown`` (more than one county visible), else as it is; and ``labels`` (column →
    title) with 县 first when shown. Returns (frame, labels). Pure: a copy, never in place.

    A list (villages, households, the visit list, gap lists, the league table) names its
    county when the viewer sees more than one, so that two 城关镇 are told apart; with
    one county the list looks as it always did."""
    labels = dict(labels or {})
    if not shown or code_column not in frame.columns:
        return frame, labels
    names = {code: county_name(code) for code in {county_of(c) for c in frame[code_column].dropna()}}
    out = frame.copy()
    out.insert(0, COUNTY_COLUMN, [names.get(county_of(c)) if isinstance(c, str) else None
                                  for c in frame[code_column]])
    return out, {COUNTY_COLUMN: COUNTY_TITLE, **labels}
