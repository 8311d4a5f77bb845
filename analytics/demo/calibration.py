"""Every calibration constant of the demo, in one block, in the order of
docs/demo-data.md: each group names the section it comes from ("How it is built", step
N; "The township story"; "Planted data-quality problems"; "Misses against the plan's
targets"; "Deliberate edge cases"). Counts are per full county replica and scaled by the
household fraction where the docs say so; probabilities are shares (0–1); money is yuan.

Changing a value changes the demo: update tests/test_demo_pinned.py's digests in the
same commit and say why in docs/demo-data.md."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np

# ---------------------------------------------------------------------------
# The panel's years (docs/demo-data.md, opening paragraph: 2014–2020)
# ---------------------------------------------------------------------------
YEARS = tuple(range(2014, 2021))
NY = len(YEARS)
FIRST_YEAR = YEARS[0]
DEMO_AS_OF = datetime.date(2020, 12, 31)

# ---------------------------------------------------------------------------
# The township story (docs/demo-data.md, "The township story").  A township is due in its
# planned_exit_year; one the plan does not name is due with the county
# (targets.unnamed_due_year: 2017, 整体脱贫摘帽).  Each year the generator exits enough
# poor households of a township to bring its poverty incidence at year end down to its
# path: before the due year a share of the township's own 2014 incidence, from the due
# year on an incidence in %.
# ---------------------------------------------------------------------------
GROUP_PATHS = {   # due year → {year: share of 2014 incidence (before due) | % (from due)}
    2016: {2015: 0.88, 2016: None, 2017: 2.0, 2018: 1.4, 2019: 0.7, 2020: 0.15},
    2017: {2015: 0.93, 2016: 0.78, 2017: None, 2018: 1.6, 2019: 0.8, 2020: 0.2},
}
# None: the township's own value in U(2.0, 2.8) % (met, just under the 3 % rule).
PATH_AT_DUE = (2.0, 2.8)
PATH_WOBBLE = 0.04    # s.d. of a township's shift of the shares before its due year


@dataclass(frozen=True)
class TownshipStory:
    """How a township departs from its plan group (each departure has its reason in
    docs/demo-data.md, "Departures from the group path")."""
    path: dict            # overrides of the group path, same units
    incidence: float = 1.0          # factor on its villages' 2014 incidence
    late_villages: float = 0.0      # share of its poor villages announced late
    water_and_illness: bool = False  # more 因病 and 缺水 households


TOWNSHIP_STORY = {
    "100": TownshipStory({2015: 0.50, 2016: 0.17, 2017: 1.4}, incidence=0.6),  # 平襄镇: county seat
    "110": TownshipStory({2015: 0.60, 2016: 0.15}),   # 襄南镇: next to the county seat
    "207": TownshipStory({2015: 0.28}),               # 李店乡: smallest, started early
    # the three misses: remote hill townships, hit by a shock in the run-up
    "215": TownshipStory({2016: 4.6, 2017: 2.4}, incidence=1.05, late_villages=0.5,
                         water_and_illness=True),      # 寺子川乡: 2016 hail; < 3 % in 2017
    "112": TownshipStory({2015: 0.95, 2016: 0.85, 2017: 9.0, 2018: 4.8, 2019: 2.3},
                         incidence=1.15, late_villages=0.6,
                         water_and_illness=True),      # 华家岭镇: high ridge, no water; < 3 % in 2019
    "203": TownshipStory({2016: 0.82, 2017: 6.0, 2018: 2.6}, incidence=1.1, late_villages=0.5,
                         water_and_illness=True),      # 新景乡: far east, 2017 illness; < 3 % in 2018
}

# ---------------------------------------------------------------------------
# Poor villages (docs/demo-data.md, "How it is built", step 1): the first plan year's
# villages weighted a + b × (1 − the township's path share that year), the others
# DUE_TOWNSHIP_WEIGHT : 1 towards the townships due in the village's planned year
# ---------------------------------------------------------------------------
FIRST_PLAN_YEAR_WEIGHT = (0.5, 3.0)
DUE_TOWNSHIP_WEIGHT = 6.0
LATE_VILLAGES = 0.10   # share of the other townships' poor villages announced late …
LATE_VILLAGE_YEARS = {2018: 0.5, 2019: 0.35, 2020: 0.15}   # … and when: year → share

# ---------------------------------------------------------------------------
# Population (docs/demo-data.md, "How it is built", step 2)
# ---------------------------------------------------------------------------
VILLAGE_POPULATION_MEDIAN = 1180.0     # a village's registered rural population: log-normal
VILLAGE_POPULATION_SIGMA = 0.35        # s.d. of its log
POOR_VILLAGE_POPULATION_FACTOR = 1.1   # poor villages are larger
# (target, s.d. of a log-normal factor on it): the county's persons in 2014, and its
# registered poor persons in 2014 (≈27 % of the rural population)
COUNTY_POPULATION_2014 = (400_000.0, 0.01)
COUNTY_POOR_PERSONS_2014 = (110_000.0, 0.015)
POPULATION_DRIFT = (-0.004, 0.004)     # mean and s.d. of the yearly change of a village's log population
# a village's 2014 incidence: Beta with this mean (by planned exit year; the others') and
# concentration (α + β), times its township's TownshipStory.incidence
POOR_VILLAGE_INCIDENCE_MEAN = {2015: 0.31, 2016: 0.40, 2017: 0.47}
VILLAGE_INCIDENCE_MEAN = 0.235
INCIDENCE_CONCENTRATION = 20.0

# ---------------------------------------------------------------------------
# Households (docs/demo-data.md, "How it is built", step 3)
# ---------------------------------------------------------------------------
# poverty causes, in contract.POVERTY_CAUSES order (因病 20 %, 因残 7 %, 因学 9 %, …)
CAUSE_P = np.array([0.20, 0.07, 0.09, 0.05, 0.02, 0.04, 0.17, 0.11, 0.16, 0.03, 0.04, 0.02])
# … times these in the townships that miss their due year (TownshipStory.water_and_illness)
MISSING_TOWNSHIP_CAUSE_FACTOR = {"因病": 1.5, "缺水": 4.0}
MEMBERS_P = np.array([0.05, 0.11, 0.17, 0.24, 0.21, 0.13, 0.06, 0.03])  # 1..8
# a village's 2014 households: its poor persons ÷ (the mean of MEMBERS_P − this) = ÷ 4.15
MEAN_SIZE_OFFSET = 0.08
WEAK_LABOUR_SMALLER_P = 0.5            # chance a 缺劳力 / 因残 household has one member fewer
HOUSEHOLD_SIZE_DRIFT = (0.03, 0.94, 0.03)  # chance of −1, 0, +1 member a year
NEW_HOUSEHOLDS = {2015: 650, 2016: 300}    # registered after the 2015 回头看 review (× fraction)
LEAVE_P = 0.015                        # households leaving the register in a random year
# 低保: the chance by cause (the others': DIBAO_P_OTHER); 一类 among them (the rest 二类)
DIBAO_P = {"因残": 0.45, "缺劳力": 0.40, "因病": 0.20}
DIBAO_P_OTHER = 0.06
DIBAO_FIRST_CLASS = 0.4

# ---------------------------------------------------------------------------
# Exits (docs/demo-data.md, "How it is built", step 4)
# ---------------------------------------------------------------------------
# the villages announced as exited keep up to this share of their population poor (an
# honest claim always meets the national 3 % rule)
ANNOUNCED_VILLAGE_RETAINED = 0.015
# the score a township's exits are drawn in order of: Gumbel noise, raised for households
# that have exited before (relapsed) and, once the claim is past, for the ones a planted
# contradicting claim kept poor (problem 9); lowered for 因病/因残/缺劳力, for
# 自身发展动力不足 and 缺水, and for a poor village's households before its exit year
EXIT_SCORE_EXITED_BEFORE = 1.5
EXIT_SCORE_CLAIM_PAST = 3.0
EXIT_SCORE_HARD = 1.0
EXIT_SCORE_LAZY_OR_DRY = 0.5
EXIT_SCORE_VILLAGE_LATER = 1.0

# ---------------------------------------------------------------------------
# Relapse (返贫; docs/demo-data.md, "How it is built", step 5)
# ---------------------------------------------------------------------------
RELAPSE_BASE_RATE = {2016: 0.012, 2017: 0.018, 2018: 0.017, 2019: 0.014, 2020: 0.006}  # of exited persons
RELAPSE_TOWNSHIP_SIGMA = 0.3   # s.d. of a township-year's log-normal factor on it
RELAPSE_CAP = 0.035            # … capped (the shocked township-years excepted)
RELAPSE_HARD_WEIGHT = 2.0      # 因病/因残/缺劳力 households are this many times as likely
RELAPSE_CAUSE_P = np.array([0.45, 0.15, 0.12, 0.15, 0.13])  # 因病 因残 因学 因灾 其他 (RELAPSE_CAUSES)
# designed relapse shocks (township code suffix → (year, rate, main cause))
SHOCK_TOWNSHIPS = {
    "112": (2016, 0.09, "因灾"),   # 华家岭镇: hail
    "113": (2016, 0.085, "因灾"),  # 北城铺镇: drought
    "215": (2016, 0.09, "因灾"),  # 寺子川乡: hail
    "203": (2017, 0.075, "因病"),  # 新景乡: illness cluster (its 2017 miss)
}
SHOCK_MAIN_CAUSE_SHARE = 0.85  # a shocked township-year's relapses with the shock's cause

# ---------------------------------------------------------------------------
# Incomes (docs/demo-data.md, "How it is built", step 6); z is the year's poverty line
# ---------------------------------------------------------------------------
# a poor row: z × b, b a household's ratio 0.5 + 0.485 × Beta(2, 1.3) (mean ≈0.79) with
# log-normal yearly noise, clipped to POOR_INCOME_RATIO; in a relapse year × U(0.75, 1)
POOR_INCOME_RATIO = (0.5, 0.985)
POOR_INCOME_SPAN = 0.485
POOR_INCOME_BETA = (2.0, 1.3)
POOR_INCOME_NOISE = 0.06
RELAPSE_INCOME_FACTOR = (0.75, 1.0)
# an exited row: z × (1.06 + e × 1.15^years since exit) × log-normal noise, e a household's
# excess: log-normal (median, s.d. of its log), clipped to [low, high]
EXIT_INCOME_FLOOR = 1.06
EXIT_INCOME_GROWTH = 1.15
EXIT_INCOME_EXCESS = (0.26, 0.45, 0.03, 1.2)
EXIT_INCOME_NOISE = 0.05
INCOME_YEAR_ON_YEAR_CAP = 2.9   # no natural row above this × the year before's (only problem 3)
# wage income: a share of the net income, ≈30 % (2014) → ≈50 % (2020) on average, a
# household's own offset (lower for 缺劳力 / 因残) and yearly noise, clipped
WAGE_SHARE_MEAN = np.array([0.31, 0.35, 0.39, 0.43, 0.46, 0.49, 0.515])   # by year, 2014–2020
WAGE_SHARE_HOUSEHOLD_SIGMA = 0.07
WAGE_SHARE_WEAK_LABOUR = 0.10
WAGE_SHARE_YEAR_SIGMA = 0.03
WAGE_SHARE_RANGE = (0.02, 0.85)
WAGE_NULL_P = 0.003

# ---------------------------------------------------------------------------
# 两不愁三保障 (docs/demo-data.md, "How it is built", step 7): the chance of each
# SECURITY_COLUMNS flag being false for a poor household in 2014, falling by 22 % a year
# ---------------------------------------------------------------------------
GUARANTEE_GAP_P = np.array([0.03, 0.08, 0.15, 0.30, 0.20])   # food, education, medical, housing, water
GUARANTEE_GAP_DECAY = 0.78

# ---------------------------------------------------------------------------
# Village ledgers (docs/demo-data.md, "How it is built", step 8)
# ---------------------------------------------------------------------------
MAX_VILLAGE_INCIDENCE = 0.8     # registered population ≥ poor persons ÷ this (but problem 5)
PERSONS_PER_HOUSEHOLD = 3.9     # a village's households: at least its population ÷ this
# rural_income_per_capita: the county's series (2017: the real 6,197), villages ± a
# factor (s.d., poor villages lower, yearly s.d., clipped), rescaled to the series each year
COUNTY_RURAL_INCOME = np.array([4811.0, 5235.0, 5696.0, 6197.0, 6730.0, 7316.0, 7901.0])  # 2014–2020
RURAL_INCOME_VILLAGE_SIGMA = 0.08
RURAL_INCOME_POOR_VILLAGE = 0.07
RURAL_INCOME_YEAR_SIGMA = 0.02
RURAL_INCOME_RANGE = (0.8, 1.2)
# infrastructure, per contract.INFRASTRUCTURE_COLUMNS (cement road, safe water, power,
# clinic, kindergarten, broadband): (share already there in 2014 of the other villages,
# of the poor villages, the last year of the roll-out); a poor village gets it by its
# exit year with INFRASTRUCTURE_BY_EXIT_P; with INFRASTRUCTURE_NEVER_P another village
# never gets an item rolled out until 2020
INFRASTRUCTURE = [(0.55, 0.15, 2018), (0.60, 0.25, 2018), (0.85, 0.60, 2017),
                  (0.50, 0.20, 2019), (0.25, 0.05, 2020), (0.15, 0.02, 2020)]
INFRASTRUCTURE_BY_EXIT_P = 0.9
INFRASTRUCTURE_NEVER_P = 0.1
# online_shops: Poisson with a village's Gamma(shape, scale) rate (× ONLINE_SHOPS_POOR_FACTOR
# in a poor village), growing 55 % a year
ONLINE_SHOPS_GAMMA = (2.0, 0.15)
ONLINE_SHOPS_POOR_FACTOR = 0.7
ONLINE_SHOPS_GROWTH = 1.55
# mutual_fund_yuan: (share of villages with a fund in 2014, its range), poor and other
# villages; a poor village without one starts with MUTUAL_FUND_LATE_START in 2015 or 2016;
# growth a year (poor, other)
MUTUAL_FUND_POOR = (0.8, (2e5, 5e5))
MUTUAL_FUND_OTHER = (0.4, (1e5, 3e5))
MUTUAL_FUND_LATE_START = 5e5
MUTUAL_FUND_GROWTH = (1.12, 1.06)
# collective_income_yuan: (share with an income in 2014, its range), poor and other
# villages, growing 10 % a year; a poor village gains (range, growth a year) from its
# exit year, another village a gain a year from 2017
COLLECTIVE_INCOME_POOR = (0.2, (5e3, 3e4))
COLLECTIVE_INCOME_OTHER = (0.5, (1e4, 8e4))
COLLECTIVE_INCOME_GROWTH = 1.1
COLLECTIVE_EXIT_BOOST = ((2e4, 6e4), 1.15)
COLLECTIVE_NONPOOR_GAIN = (0, 3e4)

# ---------------------------------------------------------------------------
# Cadres, "8741" (docs/demo-data.md, "How it is built", step 9)
# ---------------------------------------------------------------------------
CADRE_COVERAGE = (0.90, 0.96)       # the share of households with a cadre: uniform in this range
CADRES_BY_RANK = (30, 90, 4950)     # 正县级, 副县级, 科级 (× fraction); 一般干部 fill the rest
CADRE_FULL_QUOTA_P = 0.7            # a cadre helps its rank's quota, otherwise 1..quota households
TOWNSHIP_GOVERNMENT_P = 0.5         # 一般干部 working for a township government (the others: county units)
CADRE_FEMALE_P = 0.25

# ---------------------------------------------------------------------------
# Measures, 一户一策 (docs/demo-data.md, "How it is built", step 10)
# ---------------------------------------------------------------------------
MEASURE_AMOUNT = {  # yuan, (low, high)
    "产业扶持": (2000, 10000), "转移就业": (300, 2000), "易地搬迁": (40000, 90000),
    "教育资助": (1000, 5000), "健康扶贫": (1500, 20000), "危房改造": (15000, 35000),
    "低保兜底": (1500, 6000), "小额信贷": (30000, 50000), "光伏扶贫": (1000, 3000),
    "电商扶贫": (300, 2000), "其他": (200, 3000),
}
MEASURE_AMOUNT_NULL_P = 0.02
# the measures of a household's registration year: how many (1, 2, 3: their chances)
# drawn by these weights (1 for a measure not named), the cause's measure and 低保兜底
# weighted up
MEASURES_AT_REGISTRATION = (0.35, 0.45, 0.20)
MEASURE_WEIGHT_AT_REGISTRATION = {
    "产业扶持": 5, "转移就业": 2, "易地搬迁": 0.4, "教育资助": 1, "健康扶贫": 1, "危房改造": 1.5,
    "低保兜底": 0.2, "小额信贷": 2.5, "光伏扶贫": 0.5, "电商扶贫": 0.3, "其他": 0.3,
}
CAUSE_MEASURE_WEIGHT = {("因学", "教育资助"): 6, ("因病", "健康扶贫"): 6}   # (cause, measure) → weight
DIBAO_MEASURE_WEIGHT = 5            # 低保兜底 for a household on 低保
# the measures of its first exit year: how many (1, 2), drawn by these weights (the others
# MEASURE_WEIGHT_AT_EXIT_OTHER)
MEASURES_AT_EXIT = (0.6, 0.4)
MEASURE_WEIGHT_AT_EXIT = {"产业扶持": 4, "转移就业": 4, "光伏扶贫": 1.5, "电商扶贫": 1.2, "小额信贷": 1, "其他": 0.5}
MEASURE_WEIGHT_AT_EXIT_OTHER = 0.2

# ---------------------------------------------------------------------------
# 驻村帮扶 (village_support; docs/demo-data.md, "How it is built", step 11): every poor
# village from 2015, when the teams were sent, a 帮扶单位 and a 驻村工作队 whose days in
# the village a month the plan puts at 20 or more.  Drawn on a stream of their own
# (SeedSequence([seed, k, 2])), so the rest of the demo is what it was without them.
# Per replica (villages are not thinned below scale 1):
# ---------------------------------------------------------------------------
SUPPORT_FIRST_YEAR = 2015
SUPPORT_DAYS_MIN = 20.0           # the plan's 每月驻村不少于 20 天 (config [pairing])
SUPPORT_DAYS = (22.5, 1.8)        # days in the village a month: normal (mean, s.d.), in half days …
SUPPORT_DAYS_MAX = 28.0           # … clipped to [SUPPORT_DAYS_MIN, this]
SUPPORT_NO_UNIT = {2015: 2, 2016: 1}         # year → poor villages without a 帮扶单位
SUPPORT_NO_TEAM = {2015: 2, 2017: 1, 2019: 1}  # year → poor villages without a 驻村工作队
SUPPORT_DAYS_UNRECORDED = {2020: 1}          # year → teams whose days were not recorded
# the teams behind on days: remote hill townships far from the county seat (华家岭镇, 新景乡),
# each poor village-year there with this chance of 14–19.5 days; elsewhere 20–28 days
SUPPORT_SHORT_TOWNSHIPS = ("112", "203")
SUPPORT_SHORT_P = {2015: 0.5, 2016: 0.45, 2017: 0.35, 2018: 0.2, 2019: 0.15, 2020: 0.1}
SUPPORT_SHORT_HALF_DAYS = (28, 40)  # 14–19.5 days, in half days (numpy's integers(low, high))
SUPPORT_ROTATION_YEAR = 2018      # most teams are replaced (a new leader) that year …
SUPPORT_ROTATED_P = 0.7           # … this share of them
SUPPORT_LEADER_FEMALE_P = 0.2

# ---------------------------------------------------------------------------
# Heads (docs/demo-data.md, "How it is built", step 12)
# ---------------------------------------------------------------------------
HEAD_FEMALE_P = 0.08
SECOND_GIVEN_NAME_P = 0.72          # names with two given characters (heads, cadres, team leaders)
BIRTH_MIN = np.datetime64("1935-01-01")
BIRTH_MAX = np.datetime64("1998-12-31")
BIRTH_YEARS = 63.0                  # birth year: BIRTH_MIN's + this × Beta(2.2, 2.0) (median ≈1968)
BIRTH_YEAR_BETA = (2.2, 2.0)

# ---------------------------------------------------------------------------
# Planted data-quality problems (docs/demo-data.md, "Planted data-quality problems"; per
# full county replica; see planted_problems)
# ---------------------------------------------------------------------------
PLANTED_PER_COUNTY = {
    # 1. 错退 suspects: exit-year row, status 已脱贫, income below the line …
    "wrong_exit_income": 40,
    # … or income above the line but one *_secure flag false.
    "wrong_exit_security": 20,
    # 3. exit-year income ≥ 3 × the previous year's (previous > 0).
    "income_jump": 8,
    # 4. pairs of heads with the same name and birth date in one township.
    "duplicate_person_pairs": 5,
    # 5. village-years with more poor persons than registered population (not scaled).
    "population_overflow": 1,
    # 6. households whose size jumps by 8 for one year (3 → 11 → 3).
    "size_jump": 6,
    # 7. relapse rows (已脱贫 → 未脱贫) with no relapse_cause.
    "relapse_without_cause": 5,
    # 8. cadres with more households than their rank's "8741" quota.
    "cadres_over_quota": 3,
    # 9. villages whose exit_year claim contradicts their incidence (2, or 1 below half scale).
    "village_exit_contradiction": 2,
}
WRONG_EXIT_INCOME = (0.80, 0.97)   # 1a. the exit-year income, × the line
# 2. income bunching: the township whose code ends in this suffix (什川镇 in Tongwei)
BUNCHING_TOWNSHIP_SUFFIX = "111"
BUNCHING_SHARE = 0.5               # 2. least share of its exit rows moved into [line, (1 + BUNCHING_BAND) × line]
BUNCHING_BAND = 0.045
INCOME_JUMP = (3.2, 4.0)           # 3. the exit-year income, × the year before's
OVERFLOW_CANDIDATES = 5            # 5. the village is one of those with the highest 2014 incidence …
OVERFLOW_FACTOR = 0.92             # 5. … its 2014 population this × its poor persons
SIZE_JUMP = 8                      # 6. persons added for the one year
OVER_QUOTA = (1, 4)                # 8. households over the quota: 1 to 3 (numpy's integers(low, high))
CONTRADICTION_YEARS = (2016, 2017)  # 9. the claimed exit years (one village each)
CONTRADICTION_MIN_SHARE = 0.15      # 9. a village whose whole-period households hold this share of
                                    #    its population, if there is one
CONTRADICTION_LOCKED_SHARE = 0.08   # 9. its population kept poor through the claimed year

# ---------------------------------------------------------------------------
# Targets of the plan the demo misses a little (docs/demo-data.md, "Misses against the
# plan's targets"); drawn on a stream of their own (SeedSequence([seed, k, 3])) after
# everything else, so no other figure moves.  Per replica:
# ---------------------------------------------------------------------------
# 精准 gap: households with no 一户一策 measure at all, GAP_SHARE of the households, in a
# few villages of two townships (陇山镇, 榜罗镇): villages drawn (by size) until they hold
# the township's part ÷ GAP_IN_VILLAGE households, then that part of their households
# (about half of each village's households end up in the gap)
GAP_TOWNSHIPS = ("107", "103")
GAP_SHARE = 0.015
GAP_IN_VILLAGE = 0.7
# 危房改造 households in 2015 (plan: 3,000, [measure_plan]); × the household fraction
HOUSING_2015 = 2730
HOUSING_UNSAFE_WEIGHT = 20.0   # … drawn this many times as likely when the house is unsafe
# villages planned to exit in 2015 with no 网店 at the end of 2015 (plan: one or more each)
SHOP_MISSES = 4
SHOP_EXTRA_MEAN = 0.5   # the others have 1 + Poisson(this) from 2015 on, at least
# poor villages without 动力电 until 2018 (plan: every poor village by 2017)
POWER_MISSES = 2
# 饮水安全 not recorded (null) for one township-year: 义岗川镇, 2018
WATER_UNRECORDED = ("105", 2018)
WATER_UNKNOWN_BIT = 5   # in the guarantee gaps' bit mask (bits 0–4: a SECURITY_COLUMNS flag false)

# ---------------------------------------------------------------------------
# Contract edge cases planted on purpose, not problems (docs/demo-data.md, "Deliberate
# edge cases (not problems)"): per full replica
# ---------------------------------------------------------------------------
EDGE_NEGATIVE_INCOME_ROWS = 30
EDGE_NEGATIVE_INCOME = (50.0, 800.0)   # yuan below zero
EDGE_ON_LINE_ROWS = 20
