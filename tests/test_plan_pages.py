"""AppTest of the pages of the plan's countable commitments (帮扶措施, 保障与设施, 回头看)
on the small demo database: each renders for the county and a township, its tiles say
what the analytics compute, its lists are masked, its tables can be exported."""

from __future__ import annotations

import re

import pytest

from analytics import assistance, guarantees, households, pairing, register_changes, village_targets
from analytics.exports import export_frame
from tests.test_pages import MAYING, metric, run_page
from ui.format import fmt_int, fmt_pct, fmt_share

YEAR = 2017


@pytest.fixture(autouse=True)
def _database(demo_db, monkeypatch):
    monkeypatch.setenv("TONGWEI_DB", str(demo_db))


def _total(frame, year, column):
    return frame[(frame["scope_code"] == "total") & (frame["year"] == year)][column].iloc[0]


@pytest.mark.parametrize("townships", [(), (MAYING,)])
def test_assistance_tiles_equal_the_analytics(demo_store, townships):
    at = run_page("pages/assistance.py", year=YEAR, townships=townships)
    counts = households.household_counts(demo_store, townships)
    coverage = assistance.measure_coverage(counts)
    assert metric(at, "未脱贫户措施覆盖率") == fmt_share(_total(coverage, YEAR, "coverage_pct"))
    cadres = pairing.cadre_coverage(counts)
    assert metric(at, "未脱贫户结对覆盖率") == fmt_share(_total(cadres, YEAR, "poor_coverage_pct"))
    dibao = assistance.dibao_shares(counts)
    assert metric(at, "未脱贫户低保占比") == fmt_pct(_total(dibao, YEAR, "poor_dibao_pct"), 1)
    titles = [h.value for h in at.subheader]
    assert titles == ["一户一策帮扶措施", "双联结对（8741）", "驻村帮扶（两个全覆盖）", "低保兜底"]
    assert len(at.get("download_button")) >= 4


def test_assistance_shows_amounts_by_measure(demo_store):
    at = run_page("pages/assistance.py", year=2015)
    at.segmented_control(key="measure_value").set_value("金额").run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(d.value for d in at.dataframe if "amount_yuan" in d.value)
    measures = assistance.measure_counts(demo_store)
    total = measures[(measures["scope_code"] == "total") & (measures["year"] == 2015)]
    row = table[table["scope_code"] == "total"].iloc[0]
    for measure, amount in zip(total["measure"], total["amount_yuan"]):
        assert row[measure] == pytest.approx(amount)
    assert any("帮扶措施（元）" in m.value for m in at.markdown)


def test_assistance_lists_are_masked(demo_store):
    at = run_page("pages/assistance.py", year=YEAR)
    shown = "\n".join(d.value.to_csv() for d in at.dataframe)
    assert not re.search(r"\d{17}[\dX]", shown)
    for frame in at.dataframe:
        if "head_name" in frame.value:
            assert frame.value["head_name"].str.contains(r"\*").all()


@pytest.mark.parametrize("townships", [(), (MAYING,)])
def test_guarantee_tiles_and_targets_equal_the_analytics(demo_store, townships):
    at = run_page("pages/guarantees.py", year=YEAR, townships=townships)
    shares = guarantees.guarantee_shares(households.household_counts(demo_store, townships))
    now = shares[(shares["scope_code"] == "total") & (shares["year"] == YEAR)].set_index("guarantee")
    for key, label in guarantees.GUARANTEE_LABELS.items():
        assert metric(at, label) == fmt_share(now.loc[key, "met_pct"])
    status = village_targets.village_target_status(demo_store, townships)
    table = village_targets.target_table(village_targets.target_counts(status), YEAR)
    shown = next(d.value for d in at.dataframe if "requirement" in d.value)
    assert list(shown["verdict_text"]) == list(table["verdict_text"])
    assert list(shown["met"]) == list(table["met"])
    not_met = village_targets.villages_not_met(status, YEAR)
    assert any(f"有未达标项的村（{fmt_int(len(not_met))} 个）" in m.value for m in at.markdown)
    listed = guarantees.guarantee_gap_list(demo_store, YEAR, townships)
    if len(listed) < guarantees.GAP_LIST_LIMIT:  # the whole list is shown: its count heads it
        assert any(f"有未达标项的建档立卡户（{fmt_int(len(listed))} 户）" in m.value for m in at.markdown)


def test_review_tiles_equal_the_decomposition(demo_store):
    at = run_page("pages/review.py", year=2016)
    changes = register_changes.change_table(households.household_counts(demo_store))
    row = changes[(changes["scope_code"] == "total") & (changes["year"] == 2016)].iloc[0]
    assert metric(at, "新识别") == f"{fmt_int(row['new_households'])} 户"
    assert metric(at, "自然减少") == f"{fmt_int(row['removed_households'])} 户"
    assert metric(at, "贫困人口变化") == f"{int(row['change']):+,} 人"
    assert any(register_changes.change_sentence(row, "通渭县", 2016) == m.value for m in at.markdown)


def test_review_in_the_baseline_year_says_there_is_nothing_to_compare():
    at = run_page("pages/review.py", year=2014)
    assert any("基线年" in i.value for i in at.info)
    assert not at.metric


def test_the_plans_county_count_is_not_a_townships_completion_rate():
    county = run_page("pages/assistance.py", year=2015)
    assert any(m.label.startswith("危房改造（计划") and "完成" in (m.delta or "") for m in county.metric)
    town = run_page("pages/assistance.py", year=2015, townships=(MAYING,))
    tile = next(m for m in town.metric if m.label.startswith("危房改造"))
    assert "完成" not in (tile.delta or "") and "全县计划" in tile.delta


def test_no_support_record_is_never_said_to_be_met():
    at = run_page("pages/assistance.py", year=2014)   # teams were sent from 2015
    assert any("没有驻村帮扶记录" in i.value for i in at.info)
    assert not any("驻村" in s.value for s in at.success)


def test_a_share_never_reads_100_while_someone_is_unmet():
    assert fmt_share(99.96) == "99.9%" and fmt_share(100.0) == "100.0%" and fmt_share(None) == "—"



@pytest.mark.parametrize("page", ["pages/review.py", "pages/assistance.py", "pages/guarantees.py"])
def test_a_chosen_villages_row_is_named_after_the_village(demo_store, page):
    """With one village chosen, the township-by-township tables hold only its figures:
    their row says the village (马营村（马营镇）), never the township's name alone."""
    villages = demo_store.query("villages")
    village = villages[villages["township_code"] == MAYING].iloc[0]
    town = demo_store.query("townships").set_index("township_code").at[MAYING, "name"]
    at = run_page(page, year=2016, townships=(MAYING,))
    at.multiselect(key="village").set_value([village["village_code"]]).run()
    assert not at.exception, [e.value for e in at.exception]
    rows = [d.value for d in at.dataframe if "scope_code" in d.value and MAYING in set(d.value["scope_code"])]
    assert rows, "no table by township"
    for frame in rows:
        assert frame.loc[frame["scope_code"] == MAYING, "name"].iloc[0] == f"{village['name']}（{town}）"
    assert any("所选村" in h.value for h in [*at.subheader, *at.markdown])


@pytest.mark.parametrize("page,labels", [("pages/assistance.py", assistance.GAP_LIST_LABELS),
                                         ("pages/guarantees.py", guarantees.GAP_LIST_LABELS)])
def test_county_household_lists_say_each_households_township(demo_store, page, labels):
    """A county-wide list of households names each one's 乡镇 and 村, on screen and in its
    exports (the export's columns are ``labels``)."""
    assert list(labels)[:2] == ["township_name", "village_name"] and labels["township_name"] == "乡镇"
    at = run_page(page, year=YEAR)
    listed = next(d.value for d in at.dataframe if "head_id_number" in d.value and "township_name" in d.value)
    names = demo_store.query("townships").set_index("township_code")["name"]
    assert (listed["township_name"] == listed["township_code"].map(names)).all()
    assert "乡镇" in export_frame(listed, labels).columns


def test_unrecorded_is_neither_met_nor_unmet_in_every_note():
    """The notes and tooltips of 保障与设施 give the definition (达标 ÷ 有记录; 未记录 apart),
    never the old one (未记录 counted as not met)."""
    at = run_page("pages/guarantees.py", year=YEAR)
    notes = [c.value for c in at.caption]
    assert any(guarantees.UNKNOWN_NOTE in n for n in notes)
    assert any(village_targets.UNKNOWN_NOTE in n for n in notes)
    for m in at.metric:
        if m.label in guarantees.GUARANTEE_LABELS.values():
            assert guarantees.UNKNOWN_NOTE in m.help
    assert not any("不算达标。" in n or "不计为达标" in n for n in notes)


def test_the_plan_chart_waits_for_the_plan(demo_store):
    """The county plan is not drawn in a year before it was made (2014, the plan is from
    2015): the page says so; from its first year on it is drawn."""
    first = int(assistance.measure_plan_progress(assistance.measure_counts(demo_store), assistance.scope_measure_plan(demo_store))["year"].min())
    before = run_page("pages/assistance.py", year=first - 1)
    assert any("尚未规定措施户数计划" in c.value for c in before.caption)
    after = run_page("pages/assistance.py", year=first)
    assert not any("尚未规定措施户数计划" in c.value for c in after.caption)
    assert len(after.get("plotly_chart")) == len(before.get("plotly_chart")) + 1


def test_the_gap_list_heading_gives_its_count(demo_store):
    at = run_page("pages/assistance.py", year=YEAR)
    gap = _total(assistance.measure_coverage(households.household_counts(demo_store)), YEAR, "without_measure")
    assert any(f"尚无帮扶措施的未脱贫户（{fmt_int(gap)} 户）" in m.value for m in at.markdown)
