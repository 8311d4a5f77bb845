"""Column configs of the plan-commitment tables (帮扶措施, 保障与设施, 回头看): titles from
the analytics modules (shared with the briefing PDF), formats here."""

from __future__ import annotations

from analytics import guarantees, pairing, register_changes, village_targets
from analytics.contract import MEASURES
from ui.tables import table_config


def named(frame, names, column: str = "scope_code", total: str = "合计"):
    """``frame`` with ``name``: the township's name for its code in ``column``, ``total``
    for the selection's 'total' row, which goes last (the townships keep their order)."""
    frame = frame.assign(name=frame[column].map(lambda c: total if c == "total" else names.get(c, c)))
    return frame.sort_values(column, key=lambda codes: codes.eq("total"), kind="stable")


def ordered(labels: dict[str, str], columns) -> dict[str, str]:
    """``labels`` of ``columns``, in their order: an export's columns as the screen shows them."""
    return {c: labels[c] for c in columns if c in labels}


def _ints(*columns: str) -> dict[str, str]:
    """Counts with thousands separators (1,990)."""
    return {c: "localized" for c in columns}


def _pcts(*columns: str) -> dict[str, str]:
    return {c: "%.1f" for c in columns}


MEASURE_FORMATS = {**_ints("poor_households", "poor_households_with_measure", *MEASURES),
                   **_pcts("coverage_pct"), "amount_yuan": "localized"}
GAP_FORMATS = {"members": "%d", "registered_year": "%d"}
DIBAO_FORMATS = {**_ints("dibao1_households", "dibao1_persons", "dibao2_households", "dibao2_persons",
                         "poor_households", "poor_dibao_households"), **_pcts("poor_dibao_pct")}
CADRE_FORMATS = {**_ints("households", "households_with_cadre", "poor_households",
                         "poor_households_with_cadre"), **_pcts("coverage_pct", "poor_coverage_pct")}
OVER_QUOTA_FORMATS = _ints("households", "quota")
SUPPORT_COUNT_FORMATS = {**_ints("poor_villages", "with_unit", "with_team", "enough_days", "met"),
                         **_pcts("met_pct")}
SUPPORT_GAP_FORMATS = {"days_in_village_per_month": "%.1f"}
GUARANTEE_FORMATS = {**_ints("persons", "households_any_unmet"),
                     **_pcts(*[f"{g}_{s}_pct" for g in guarantees.GUARANTEES for s in ("met", "unknown")])}
GUARANTEE_GAP_FORMATS = {"members": "%d"}
TARGET_FORMATS = {**_ints("villages", "met", "unmet", "unknown"), **_pcts("met_pct")}
TOWNSHIP_TARGET_FORMATS = _pcts(*village_targets.ITEM_LABELS)
CHANGE_FORMATS = {"year": "%d", **_ints(*[c for c in register_changes.CHANGE_LABELS if c not in ("name", "year")])}


def config(labels: dict[str, str], formats: dict[str, str]) -> dict:
    """``table_config`` with the row's name pinned."""
    return table_config(labels, formats, pinned=("name", "township_name", "village_name"))


def cadre_config() -> dict:
    return config(pairing.CADRE_LABELS, CADRE_FORMATS)


def support_count_config() -> dict:
    return config(pairing.support_count_labels(), SUPPORT_COUNT_FORMATS)
