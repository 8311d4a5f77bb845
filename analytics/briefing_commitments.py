"""The briefing's section 帮扶与保障: the plan's countable commitments for one township and
year, as plain data (issue 16), from the same analytics the pages 帮扶措施, 保障与设施 and
回头看 read:

- 一户一策 (analytics.assistance): poor households with a measure, those without, and
  this year's households by measure; the plan's count for the year is a county figure
  and is kept apart (``CountyPlan``), never judged against the township;
- 8741 (analytics.pairing.cadre_coverage): poor households with a cadre;
- 驻村帮扶 (pairing.village_support_status / _counts): poor villages meeting 两个全覆盖,
  and those that do not with what is missing (no team leader's name: the query never
  reads it);
- 低保兜底 (assistance.dibao_shares);
- 两不愁三保障 (analytics.guarantees.guarantee_shares): unknown persons apart, never met;
- 基础设施与村级资金 (analytics.village_targets): each target's verdict and the villages
  not met;
- 回头看 (analytics.register_changes): the change in poor persons in one sentence.

Everything is read through the caller's store restricted to the township (see
``analytics.briefing._township_scope``); the county's progress on a plan count only when
the viewer sees the whole county.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics import assistance, guarantees, pairing, register_changes, village_targets
from analytics.households import household_counts


def plain_number(value):
    """A plain Python number, or None for null/NaN."""
    if value is None or value is pd.NA:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        value = value.item()
    return value


def plain_int(value) -> int | None:
    value = plain_number(value)
    return None if value is None else int(value)


@dataclass(frozen=True)
class MeasureCount:
    """Households with a measure in the year (poor or exited), and its plan label."""

    measure: str
    households: int


@dataclass(frozen=True)
class CountyPlan:
    """A count the county plan gives for the year (households with a measure). It is a
    county figure, not split by township: ``county_households`` and ``county_done_pct``
    (= 100 × county households / planned) only for a viewer who sees the whole county
    (None otherwise); ``township_households`` is this township's contribution."""

    measure: str
    planned: float
    county_households: int | None
    county_done_pct: float | None
    township_households: int


@dataclass(frozen=True)
class VillageGap:
    """A village that does not meet a commitment, and what is missing, in words."""

    village_code: str
    name: str
    missing: str


@dataclass(frozen=True)
class GuaranteeShare:
    """One guarantee of 两不愁三保障: persons met, not met and unknown (not recorded);
    met_pct = 100 × met / recorded persons (met + not met; None when none is recorded).
    Unknown is never counted as met or as not met (analytics.guarantees.guarantee_shares)."""

    key: str
    label: str
    persons: int
    met: int
    unmet: int
    unknown: int
    met_pct: float | None


@dataclass(frozen=True)
class TargetLine:
    """One village target (analytics.village_targets) for the township's villages due:
    ``verdict`` None before the deadline, else met / missed_late / missed."""

    item: str
    label: str
    requirement: str
    villages: int
    met: int
    unmet: int
    unknown: int
    verdict: str | None
    verdict_text: str


@dataclass(frozen=True)
class PlanCommitments:
    """帮扶与保障 for one township and year. Counts are None where the township has no
    建档立卡 household that year (``households_recorded`` False)."""

    households_recorded: bool
    # 一户一策
    poor_households: int | None
    poor_households_with_measure: int | None
    without_measure: int | None
    measure_coverage_pct: float | None
    measures: tuple[MeasureCount, ...]  # this year's, most households first
    county_plans: tuple[CountyPlan, ...]
    # 8741
    poor_households_with_cadre: int | None
    cadre_coverage_pct: float | None
    # 驻村帮扶 (两个全覆盖)
    support_recorded: bool  # False: no 驻村帮扶 record for the township in the year
    support_villages: int  # poor villages judged
    support_met: int
    support_not_met: tuple[VillageGap, ...]
    days_minimum: float
    # 低保兜底
    dibao1_households: int | None
    dibao2_households: int | None
    poor_dibao_households: int | None
    poor_dibao_pct: float | None
    # 两不愁三保障
    guarantees: tuple[GuaranteeShare, ...]
    households_any_unmet: int | None
    # 基础设施与村级资金
    targets: tuple[TargetLine, ...]
    villages_not_met: tuple[VillageGap, ...]
    # 回头看
    new_households: int | None
    new_persons: int | None
    removed_households: int | None
    removed_persons: int | None
    change_sentence: str | None  # None in the first panel year (``change_note`` says so)
    change_note: str = ""


def _row(frame: pd.DataFrame, code: str, year: int) -> pd.Series | None:
    rows = frame[(frame["scope_code"] == code) & (frame["year"] == year)]
    return None if rows.empty else rows.iloc[0]


def _county_plans(store, code: str, year: int, measures: pd.DataFrame,
                  whole_county: bool) -> tuple[CountyPlan, ...]:
    """The plan's counts for ``year``, with the county's progress when the viewer sees
    the whole county, and this township's households with the measure."""
    plan = assistance.scope_measure_plan(store)  # the county's counts
    own = assistance.measure_plan_progress(measures, plan)
    own = own[own["year"] == year]
    if own.empty:
        return ()
    county = None
    if whole_county:
        county = assistance.measure_plan_progress(assistance.measure_counts(store), plan)
        county = county[county["year"] == year].set_index("measure")
    here = measures[(measures["scope_code"] == code) & (measures["year"] == year)]
    here = here.set_index("measure")["households"]
    plans = []
    for row in own.itertuples():
        done = None if county is None or row.measure not in county.index else county.loc[row.measure]
        plans.append(CountyPlan(
            str(row.measure), float(row.planned),
            None if done is None else int(done["households"]),
            None if done is None else plain_number(done["done_pct"]),
            int(here.get(row.measure, 0))))
    return tuple(plans)


def _support(scoped, code: str, year: int):
    """(recorded, poor villages, met, villages not met) for 两个全覆盖 in ``year``."""
    status = pairing.village_support_status(scoped, townships=(code,))
    status = status[status["year"] == year] if not status.empty else status
    if status.empty:
        return False, 0, 0, ()
    row = _row(pairing.village_support_counts(status), code, year)
    missing = status[~status["met"]].sort_values("village_code")
    gaps = tuple(VillageGap(str(r.village_code), str(r.village_name), str(r.missing))
                 for r in missing.itertuples())
    return True, int(row["poor_villages"]), int(row["met"]), gaps


def _targets(scoped, code: str, year: int):
    status = village_targets.village_target_status(scoped, townships=(code,))
    table = village_targets.target_table(village_targets.target_counts(status), year)
    labels = village_targets.ITEM_LABELS
    lines = tuple(
        TargetLine(str(r.item), labels[r.item], str(r.requirement), int(r.villages), int(r.met),
                   int(r.unmet), int(r.unknown),
                   r.verdict if isinstance(r.verdict, str) else None, str(r.verdict_text))
        for r in table.itertuples())
    not_met = village_targets.villages_not_met(status, year) if not status.empty else status
    gaps = tuple(VillageGap(str(r.village_code), str(r.village_name), str(r.missing))
                 for r in not_met.itertuples())
    return lines, gaps


def plan_commitments(store, scoped, township_code: str, township_name: str, year: int, *,
                     whole_county: bool) -> PlanCommitments:
    """帮扶与保障 of ``township_code`` in ``year``. ``scoped``: the caller's store restricted
    to the township; ``store``: the caller's own, read only when ``whole_county`` (the
    county's progress on the plan's counts)."""
    code = township_code
    counts = household_counts(scoped, townships=(code,))
    counts = counts[counts["scope_code"] == code]  # the 'total' rows are the same township
    now = _row(counts, code, year)
    recorded = now is not None

    def value(frame: pd.DataFrame, column: str, number=plain_int):
        row = _row(frame, code, year)
        return None if row is None else number(row[column])

    coverage = assistance.measure_coverage(counts)
    cadres = pairing.cadre_coverage(counts)
    dibao = assistance.dibao_shares(counts)

    measures = assistance.measure_counts(scoped, townships=(code,))
    this_year = measures[(measures["scope_code"] == code) & (measures["year"] == year)
                         & (measures["households"] > 0)]
    this_year = this_year.assign(_order=range(len(this_year))).sort_values(
        ["households", "_order"], ascending=[False, True])
    measure_rows = tuple(MeasureCount(str(r.measure), int(r.households)) for r in this_year.itertuples())

    shares = guarantees.guarantee_shares(counts)
    shares = shares[(shares["scope_code"] == code) & (shares["year"] == year)]
    guarantee_rows = tuple(
        GuaranteeShare(str(r.guarantee), guarantees.GUARANTEE_LABELS[r.guarantee], int(r.persons),
                       int(r.met), int(r.unmet), int(r.unknown), plain_number(r.met_pct))
        for r in shares.itertuples())

    support_recorded, support_villages, support_met, support_gaps = _support(scoped, code, year)
    target_lines, target_gaps = _targets(scoped, code, year)

    changes = register_changes.change_table(counts)
    change = _row(changes, code, year)
    if change is not None:
        sentence, note = register_changes.change_sentence(change, township_name, year), ""
    elif recorded and len(counts) and year <= int(counts["year"].min()):
        sentence, note = None, f"{year}年为建档立卡基线年，没有上一年可比。"
    else:
        sentence, note = None, f"{year}年没有上一年的建档立卡数据可比。"

    return PlanCommitments(
        households_recorded=recorded,
        poor_households=value(coverage, "poor_households"),
        poor_households_with_measure=value(coverage, "poor_households_with_measure"),
        without_measure=value(coverage, "without_measure"),
        measure_coverage_pct=value(coverage, "coverage_pct", plain_number),
        measures=measure_rows,
        county_plans=_county_plans(store, code, year, measures, whole_county),
        poor_households_with_cadre=value(cadres, "poor_households_with_cadre"),
        cadre_coverage_pct=value(cadres, "poor_coverage_pct", plain_number),
        support_recorded=support_recorded,
        support_villages=support_villages,
        support_met=support_met,
        support_not_met=support_gaps,
        days_minimum=pairing.days_minimum(),
        dibao1_households=value(dibao, "dibao1_households"),
        dibao2_households=value(dibao, "dibao2_households"),
        poor_dibao_households=value(dibao, "poor_dibao_households"),
        poor_dibao_pct=value(dibao, "poor_dibao_pct", plain_number),
        guarantees=guarantee_rows,
        households_any_unmet=None if now is None else plain_int(now["households_any_unmet"]),
        targets=target_lines,
        villages_not_met=target_gaps,
        new_households=None if change is None else plain_int(change["new_households"]),
        new_persons=None if change is None else plain_int(change["new_persons"]),
        removed_households=None if change is None else plain_int(change["removed_households"]),
        removed_persons=None if change is None else plain_int(change["removed_persons"]),
        change_sentence=sentence,
        change_note=note,
    )
