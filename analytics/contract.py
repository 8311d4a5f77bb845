"""The data contract (../shared/data-contract.md) as data.

Every table, column, type and rule of the interchange format lives here once.
The store derives its DuckDB schema from it, the importer validates against it,
the exporter writes its column order, and the demo generator fills it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

POOR = "未脱贫"
EXITED = "已脱贫"
STATUS_ALIASES = {"poor": POOR, "exited": EXITED, POOR: POOR, EXITED: EXITED}

POVERTY_CAUSES = (
    "因病", "因残", "因学", "因灾", "缺土地", "缺水", "缺技术", "缺劳力",
    "缺资金", "交通条件落后", "自身发展动力不足", "其他",
)
RELAPSE_CAUSES = ("因病", "因残", "因学", "因灾", "其他")
DIBAO_CLASSES = ("一类", "二类")
TOWNSHIP_KINDS = ("镇", "乡")
CADRE_RANKS = ("正县级", "副县级", "科级", "一般干部")
# The county's "8741" pairing: households each cadre rank is asked to help.
RANK_QUOTA = {"正县级": 8, "副县级": 7, "科级": 4, "一般干部": 1}
MEASURES = (
    "产业扶持", "转移就业", "易地搬迁", "教育资助", "健康扶贫", "危房改造",
    "低保兜底", "小额信贷", "光伏扶贫", "电商扶贫", "其他",
)
SECURITY_COLUMNS = (
    "food_clothing_secure", "education_secure", "medical_secure",
    "housing_secure", "water_secure",
)
INFRASTRUCTURE_COLUMNS = (
    "cement_road", "safe_water", "power_grid", "clinic", "kindergarten", "broadband",
)

TRUE_WORDS = {"1", "true", "是", "y", "yes", "t"}
FALSE_WORDS = {"0", "false", "否", "n", "no", "f"}


@dataclass(frozen=True)
class Column:
    """One column of a contract table.

    kind: ``code`` (digits-only text of ``digits`` length), ``text``, ``int``,
    ``real``, ``bool``, ``enum`` (one of ``choices``), ``id_number`` (GB 11643).
    ``minimum``/``maximum``: the contract's own range (``maximum`` only where the
    contract gives one, e.g. at most 31 days a month; the plausibility limits of
    data/config.toml [import] are not here).
    """

    name: str
    kind: str
    nullable: bool = False
    digits: int | None = None
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    personal: bool = False
    label: str = ""
    maximum: float | None = None

    @property
    def sql_type(self) -> str:
        return {
            "int": "INTEGER",
            "real": "DOUBLE",
            "bool": "BOOLEAN",
        }.get(self.kind, "VARCHAR")


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    table: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    name: str
    label: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    required: bool = True
    foreign_keys: tuple[ForeignKey, ...] = field(default_factory=tuple)
    unique: tuple[str, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


COLUMN_LABELS = {  # Chinese names of the bool columns, for messages and tables
    "cement_road": "通水泥路", "safe_water": "安全饮水", "power_grid": "动力电",
    "clinic": "标准化卫生室", "kindergarten": "幼儿园", "broadband": "宽带",
    "food_clothing_secure": "不愁吃穿", "education_secure": "义务教育有保障",
    "medical_secure": "基本医疗有保障", "housing_secure": "住房安全有保障",
    "water_secure": "饮水安全有保障",
}


def _bools(*names: str, nullable: bool) -> tuple[Column, ...]:
    return tuple(Column(n, "bool", nullable=nullable, label=COLUMN_LABELS[n]) for n in names)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "townships", "乡镇",
            (
                Column("township_code", "code", digits=9, label="乡镇代码"),
                Column("name", "text", label="乡镇"),
                Column("short_name", "text", nullable=True, label="简称"),
                Column("kind", "enum", choices=TOWNSHIP_KINDS, label="类别"),
                Column("planned_exit_year", "int", nullable=True, label="计划摘帽年份"),
                Column("seat_lat", "real", nullable=True, label="乡镇驻地纬度"),
                Column("seat_lon", "real", nullable=True, label="乡镇驻地经度"),
            ),
            ("township_code",),
        ),
        Table(
            "villages", "村",
            (
                Column("village_code", "code", digits=12, label="村代码"),
                Column("township_code", "code", digits=9, label="乡镇代码"),
                Column("name", "text", label="村"),
                Column("is_poor_village", "bool", label="贫困村"),
                Column("planned_exit_year", "int", nullable=True, label="计划退出年份"),
                Column("exit_year", "int", nullable=True, label="退出年份"),
                Column("lat", "real", nullable=True, label="纬度"),
                Column("lon", "real", nullable=True, label="经度"),
            ),
            ("village_code",),
            foreign_keys=(ForeignKey(("township_code",), "townships", ("township_code",)),),
        ),
        Table(
            "village_years", "村级台账",
            (
                Column("village_code", "code", digits=12, label="村代码"),
                Column("year", "int", label="年份"),
                Column("registered_population", "int", minimum=0, label="农村户籍人口"),
                Column("households", "int", minimum=0, label="户数"),
                Column("rural_income_per_capita", "real", nullable=True, minimum=0,
                       label="农村居民人均可支配收入"),
                *_bools(*INFRASTRUCTURE_COLUMNS, nullable=True),
                Column("online_shops", "int", nullable=True, minimum=0, label="网店"),
                Column("mutual_fund_yuan", "real", nullable=True, minimum=0, label="互助资金"),
                Column("collective_income_yuan", "real", nullable=True, label="村集体经济收入"),
            ),
            ("village_code", "year"),
            foreign_keys=(ForeignKey(("village_code",), "villages", ("village_code",)),),
        ),
        Table(  # a contract extension (docs/contract-extensions.md), optional
            "village_support", "驻村帮扶",
            (
                Column("village_code", "code", digits=12, label="村代码"),
                Column("year", "int", label="年份"),
                Column("unit", "text", nullable=True, label="帮扶单位"),  # null: none assigned
                # null: no 驻村工作队; the leader's name is personal data, like head_name
                Column("team_leader", "text", nullable=True, personal=True,
                       label="驻村工作队队长"),
                Column("days_in_village_per_month", "real", nullable=True, minimum=0,
                       maximum=31, label="每月驻村天数"),
            ),
            ("village_code", "year"),
            required=False,
            foreign_keys=(ForeignKey(("village_code",), "villages", ("village_code",)),),
        ),
        Table(
            "households", "建档立卡户",
            (
                Column("household_id", "text", label="户编号"),
                Column("village_code", "code", digits=12, label="村代码"),
                Column("head_name", "text", personal=True, label="户主姓名"),
                Column("head_id_number", "id_number", personal=True, label="户主身份证号"),
                Column("registered_year", "int", label="识别年份"),
                Column("poverty_cause", "enum", choices=POVERTY_CAUSES, personal=True,
                       label="主要致贫原因"),
                Column("cadre_id", "text", nullable=True, label="帮扶责任人"),
            ),
            ("household_id",),
            foreign_keys=(
                ForeignKey(("village_code",), "villages", ("village_code",)),
                ForeignKey(("cadre_id",), "cadres", ("cadre_id",)),
            ),
            unique=("head_id_number",),
        ),
        Table(
            "household_years", "年度动态",
            (
                Column("household_id", "text", label="户编号"),
                Column("year", "int", label="年份"),
                Column("members", "int", minimum=1, label="家庭人口"),
                Column("net_income_per_capita", "real", label="人均纯收入"),
                Column("wage_income_per_capita", "real", nullable=True, minimum=0,
                       label="人均工资性收入"),
                Column("status", "enum", choices=(POOR, EXITED), label="状态"),
                Column("relapse_cause", "enum", nullable=True, choices=RELAPSE_CAUSES,
                       personal=True, label="返贫原因"),
                Column("dibao_class", "enum", nullable=True, choices=DIBAO_CLASSES,
                       label="低保"),
                *_bools(*SECURITY_COLUMNS, nullable=True),  # null = not recorded (contract)
            ),
            ("household_id", "year"),
            foreign_keys=(ForeignKey(("household_id",), "households", ("household_id",)),),
        ),
        Table(
            "cadres", "帮扶干部",
            (
                Column("cadre_id", "text", label="帮扶责任人编号"),
                Column("name", "text", personal=True, label="姓名"),
                Column("rank", "enum", choices=CADRE_RANKS, label="级别"),
                Column("unit", "text", label="帮扶单位"),
            ),
            ("cadre_id",),
            required=False,
        ),
        Table(
            "household_measures", "帮扶措施",
            (
                Column("household_id", "text", label="户编号"),
                Column("year", "int", label="年份"),
                Column("measure", "enum", choices=MEASURES, label="措施"),
                Column("amount_yuan", "real", nullable=True, minimum=0, label="金额"),
            ),
            ("household_id", "year", "measure"),
            required=False,
            foreign_keys=(ForeignKey(("household_id",), "households", ("household_id",)),),
        ),
    )
}

# Load order: a table comes after every table its foreign keys name.
TABLE_ORDER = (
    "townships", "villages", "village_years", "village_support", "cadres", "households",
    "household_years", "household_measures",
)
REQUIRED_TABLES = tuple(n for n in TABLE_ORDER if TABLES[n].required)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    """GB 11643 / ISO 7064 MOD 11-2 check character for the first 17 digits.

    check = "10X98765432"[(Σ_i digit_i · w_i) mod 11], w = 2^(17-i) mod 11.
    """
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS))
    return _ID_CHECK[total % 11]


def mask_name(name: str | None) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: first character kept, the rest starred."""
    if name is None or name != name or name == "":
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_id_number(id_number: str | None) -> str:
    """621121198001011234 → 6211**********1234: first four and last four kept."""
    if id_number is None or id_number != id_number or id_number == "":
        return ""
    s = str(id_number)
    if len(s) <= 8:
        return "*" * len(s)
    return s[:4] + "*" * (len(s) - 8) + s[-4:]
