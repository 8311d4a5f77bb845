"""Write a contract-format dataset as the files a Chinese county office really has.

The national poverty information system (全国扶贫开发信息系统) exports a person-level
roster (建档立卡人口明细), the township keeps a village ledger (村级台账) and a list of
pairing cadres (帮扶责任人名单), and the statistics office publishes a code table
(统计用区划代码). ``write_national`` turns a dataset in our contract format into those
files, in the layouts of ``data/formats/*.toml``, so that the importer of those formats
can be tested and benchmarked on data whose contract-format truth is known.

    python tests/national_files.py --db X.duckdb --out DIR [--xlsx-years 2016 2018]
                                   [--code-table] [--utf8]

Everything synthetic (household members other than the head, their names, relations
and IDs, natural villages, phone numbers, the 首次识别时间 wording) is a deterministic
function of the household ID: the same dataset always gives the same files. A person
keeps one 人编号 and one ID across years; member IDs are valid (GB 11643 check digit,
real birth date) and unique, never a head's. Replica k of a demo province (codes
9000kk…) is the county 通渭县·k, as its townships are 马营镇·k.

The person rows of the CSV years are built and written by DuckDB: every household's
family once (names, IDs, relations joined in one text), every household-year stored in
roster order (township, village, household) with its household's values, then per year
``unnest(range(members))`` over that table (a scan keeps the stored order: no join or
sort of person rows) ``COPY … TO`` a UTF-8 file, which a thread streams into the final
file (title line, header, body transcoded to GB18030 1 MB at a time, 合计 and 填表人
lines) while DuckDB writes the next year. No Python loop over rows; workbook years
(small datasets, tests), the ledger and the pairing list are written cell by cell.
Scale 10 (7.9 M person rows, 1.8 GB): ≈ 35 s on 2 CPUs, ≈ 2.2 GB peak RSS.
"""

from __future__ import annotations

import argparse
import codecs
import math
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: python tests/national_files.py
    sys.path.insert(0, str(ROOT))

from analytics import contract as C

__all__ = ["CODE_COLUMNS", "LEDGER_COLUMNS", "PAIRING_COLUMNS", "ROSTER_COLUMNS", "county_name",
           "roster_name", "write_national", "write_national_db"]

COUNTY = "通渭县"
COUNTY_CODE = "621121"
GBK_CODEC = "gb18030"  # GBK's superset: the same bytes for every GBK character
CHUNK = 1 << 20  # bytes transcoded at a time
MEMORY_LIMIT = "2GB"  # DuckDB's; its work tables (≈1 GB at scale 10) spill beyond it
FOOTER = "填表人：XXX  审核人：XXX"
TOTAL = "合计"
SEP = "chr(31)"  # SQL: joins a family's names, IDs and relations in one text (unit separator)

#: The roster's columns, in order (every one an alias of data/formats/roster.toml but
#: 联系电话, which the importer must ignore).
ROSTER_COLUMNS = (
    "序号", "年度", "县(市、区、旗)", "乡(镇)", "行政村", "自然村", "户编号", "人编号", "姓名",
    "证件号码", "人数", "与户主关系", "主要致贫原因", "贫困户属性", "低保类别", "贫困户状态",
    "人均纯收入", "人均工资性收入", "首次识别时间", "危房户", "是否解决安全饮用水",
    "是否参加大病保险", "是否不愁吃不愁穿", "是否义务教育有保障", "返贫原因", "帮扶责任人",
    "帮扶单位", "帮扶责任人编号", "联系电话",
)
#: Parent cells of the workbook roster's two-row header: (label, first column, last column).
ROSTER_GROUPS = (
    ("收入情况", "人均纯收入", "人均工资性收入"),
    ("两不愁三保障", "危房户", "是否义务教育有保障"),
)
_ROSTER_NUMBERS = {"序号", "年度", "人数", "人均纯收入", "人均工资性收入"}

LEDGER_COLUMNS = (
    "序号", "年度", "乡(镇)", "行政村", "是否贫困村", "计划退出年度", "退出年度", "户籍人口",
    "户数", "农村居民人均可支配收入", "通水泥路", "安全饮水", "动力电", "标准化卫生室", "幼儿园",
    "宽带", "网店", "互助资金", "村集体经济收入",
)
_LEDGER_NUMBERS = {"序号", "年度", "计划退出年度", "退出年度", "户籍人口", "户数",
                   "农村居民人均可支配收入", "网店", "互助资金", "村集体经济收入"}
PAIRING_COLUMNS = ("序号", "帮扶责任人编号", "姓名", "单位", "职级")
CODE_COLUMNS = ("统计用区划代码", "城乡分类代码", "名称")
URBAN_RURAL_CODE = "220"  # 城乡分类代码 220: 村庄

# Relations of the members after the head (idx 1, 2, …), two family shapes; beyond: 其他.
_RELATIONS = (
    ("配偶", "长子", "长女", "孙子", "孙女", "儿媳", "次子", "次女", "母亲", "三子", "三女",
     "孙子", "孙女", "女婿", "其他"),
    ("配偶", "长女", "长子", "儿媳", "孙女", "孙子", "次女", "次子", "父亲", "三女", "三子",
     "孙女", "孙子", "女婿", "其他"),
)
_MALE = ("长子", "次子", "三子", "孙子", "父亲", "女婿")
_FEMALE = ("长女", "次女", "三女", "孙女", "母亲", "儿媳")
_MARRIED_IN = ("配偶", "儿媳", "女婿", "母亲")  # their own surname
# years added to the head's birth date (low, span) by relation
_BIRTH_OFFSET = {
    "配偶": (-3, 7), "长子": (21, 4), "长女": (21, 4), "次子": (25, 4), "次女": (25, 4),
    "三子": (28, 4), "三女": (28, 4), "儿媳": (20, 8), "女婿": (20, 8), "孙子": (44, 8),
    "孙女": (44, 8), "父亲": (-29, 5), "母亲": (-27, 5), "其他": (-10, 40),
}
_SURNAMES = "王李张刘杨陈赵马何牛魏谢常郭蔺孙周吴胡朱高冯董石苟景汪姚任潘"
_MALE_GIVEN = "建国明军平强伟勇志海文华生成福贵忠有宝林永万德金兵学东全虎"
_FEMALE_GIVEN = "秀英兰花梅芳霞桂珍凤琴莲娥玲翠香燕丽红娟"
_GROUPS = ("一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def roster_name(year: int, xlsx: bool = False) -> str:
    return f"贫困人口明细_{year}.{'xlsx' if xlsx else 'csv'}"


def county_name(code: str) -> str:
    """The county of a 6-digit code: 通渭县 for 621121, 通渭县·k for the demo's replica
    900000 + k (whose townships and villages are named 马营镇·k, 赤砂村·k)."""
    if code == COUNTY_CODE:
        return COUNTY
    if code.isdigit() and 900000 < int(code) < 1000000:
        return f"{COUNTY}·{int(code) - 900000}"
    return f"{COUNTY}({code})"


def _sql_list(words) -> str:
    return "[" + ", ".join("'" + w.replace("'", "''") + "'" for w in words) + "]"


def _pick(words, key: str) -> str:
    """SQL: one of ``words`` chosen by the hash expression ``key``."""
    return f"list_element({_sql_list(words)}, CAST(({key}) % {len(words)} AS INTEGER) + 1)"


def _yes_no(expr: str, yes: str = "是", no: str = "否") -> str:
    return f"CASE WHEN {expr} THEN '{yes}' WHEN NOT {expr} THEN '{no}' END"


def _check_digit_sql(b17: str) -> str:
    """SQL: the GB 11643 check character of the 17-digit text ``b17``."""
    total = " + ".join(f"CAST(substr({b17}, {i + 1}, 1) AS INTEGER) * {w}"
                       for i, w in enumerate(_ID_WEIGHTS))
    return f"substr('10X98765432', (({total}) % 11) + 1, 1)"


# --- the tables ---------------------------------------------------------------------
def _create_empty(con, name: str) -> None:
    cols = ", ".join(f'"{c.name}" {c.sql_type}' for c in C.TABLES[name].columns)
    con.execute(f"CREATE TEMP TABLE {name} ({cols})")


def _connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB whose work tables spill to disk beyond ``MEMORY_LIMIT``."""
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    return con


def _connect_frames(tables: dict) -> duckdb.DuckDBPyConnection:
    import pyarrow as pa

    con = _connect()
    for name in ("townships", "villages", "village_years", "households", "household_years",
                 "cadres"):
        df = tables.get(name)
        if df is None:
            if C.TABLES[name].required:
                raise ValueError(f"the dataset has no {name} table")
            _create_empty(con, name)
            continue
        arrow = pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False)
        con.register(f"_in_{name}", arrow)
        con.execute(f"CREATE TEMP VIEW {name} AS SELECT * FROM _in_{name}")
    return con


def _connect_db(db: Path) -> duckdb.DuckDBPyConnection:
    con = _connect()
    con.execute(f"ATTACH '{db!s}' AS src (READ_ONLY)")
    have = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'src'").fetchall()}
    for name in ("townships", "villages", "village_years", "households", "household_years",
                 "cadres"):
        if name in have:
            con.execute(f"CREATE TEMP VIEW {name} AS SELECT * FROM src.main.{name}")
        elif C.TABLES[name].required:
            raise ValueError(f"{db} has no {name} table")
        else:
            _create_empty(con, name)
    return con


def _prepare(con) -> None:
    """Temp tables ``persons`` (every person of every household, head first: idx 0) and
    ``hy`` (every household-year, in roster order, with its household-level roster
    values, ``row_start`` (persons before it that year) and its family's names, IDs and
    relations, each one text joined by ``SEP``)."""
    _persons(con)
    _household_years(con)


def _persons(con) -> None:
    # the members after the head: relation, sex, surname, birth date, ID (area + birth + seq)
    rel = (f"CASE WHEN idx <= {len(_RELATIONS[0])} THEN list_element(CASE WHEN hh % 2 = 0 "
           f"THEN {_sql_list(_RELATIONS[0])} ELSE {_sql_list(_RELATIONS[1])} END, "
           "CAST(idx AS INTEGER)) ELSE '其他' END")
    male = (f"CASE WHEN relation = '配偶' THEN 1 - head_male "
            f"WHEN relation IN {tuple(_MALE)} THEN 1 WHEN relation IN {tuple(_FEMALE)} THEN 0 "
            "ELSE CAST(hash(household_id, idx, 'sex') % 2 AS INTEGER) END")
    low = "CASE relation " + " ".join(f"WHEN '{r}' THEN {a}" for r, (a, _) in _BIRTH_OFFSET.items()) + " END"
    span = "CASE relation " + " ".join(f"WHEN '{r}' THEN {b}" for r, (_, b) in _BIRTH_OFFSET.items()) + " END"
    given = (f"CASE WHEN male = 1 THEN {_pick(_MALE_GIVEN, 'hash(household_id, idx, 1)')} "
             f"ELSE {_pick(_FEMALE_GIVEN, 'hash(household_id, idx, 1)')} END"
             f" || CASE WHEN hash(household_id, idx, 3) % 4 = 0 THEN '' "
             f"WHEN male = 1 THEN {_pick(_MALE_GIVEN, 'hash(household_id, idx, 2)')} "
             f"ELSE {_pick(_FEMALE_GIVEN, 'hash(household_id, idx, 2)')} END")
    con.execute(f"""
        CREATE TEMP TABLE members AS
        WITH h AS (
            SELECT h.household_id, h.head_name, m.mx, hash(h.household_id, 'family') AS hh,
                   CASE WHEN regexp_full_match(h.head_id_number, '\\d{{17}}[\\dXx]')
                        THEN left(h.head_id_number, 6) ELSE left(h.village_code, 6) END AS area,
                   coalesce(CAST(try_strptime(substr(h.head_id_number, 7, 8), '%Y%m%d') AS DATE),
                            DATE '1970-01-01') AS head_birth,
                   CASE WHEN try_cast(substr(h.head_id_number, 17, 1) AS INTEGER) % 2 = 0
                        THEN 0 ELSE 1 END AS head_male
            FROM households h
            JOIN (SELECT household_id, max(members) AS mx FROM household_years GROUP BY 1) m
              ON m.household_id = h.household_id
            WHERE m.mx > 1
        ), r AS (
            SELECT *, {rel} AS relation
            FROM (SELECT *, unnest(range(1, mx)) AS idx FROM h)
        ), s AS (
            SELECT *, {male} AS male,
                   head_birth + CAST(({low}) * 365 + CAST(hash(household_id, idx, 'age') % ({span} * 365)
                                                             AS BIGINT) AS INTEGER) AS birth0
            FROM r
        )
        SELECT household_id, CAST(idx AS INTEGER) AS idx, relation, male,
               CASE WHEN relation IN {tuple(_MARRIED_IN)} OR head_name IS NULL OR head_name = ''
                    THEN {_pick(_SURNAMES, 'hash(household_id, idx, 0)')}
                    ELSE left(head_name, 1) END || {given} AS name,
               area,
               strftime(CASE WHEN birth0 < DATE '1920-01-01'
                             THEN DATE '1920-01-01' + CAST(hash(household_id, idx) % 3650 AS INTEGER)
                             WHEN birth0 > DATE '2013-12-31'
                             THEN DATE '2000-01-01' + CAST(hash(household_id, idx) % 5000 AS INTEGER)
                             ELSE birth0 END, '%Y%m%d') AS birth,
               CAST((hash(household_id, idx, 'seq') % 500) * 2 + male AS INTEGER) AS seq,
               CAST(NULL AS VARCHAR) AS id_number
        FROM s
    """)
    b17 = "area || birth || lpad(CAST(seq AS VARCHAR), 3, '0')"
    con.execute(f"UPDATE members SET id_number = {b17} || {_check_digit_sql(b17)}")
    # a member's ID is unique: not a head's, not another member's (bump the sequence, same sex)
    for round_ in range(1, 60):  # 2–4 rounds on the demo
        con.execute("""
            CREATE OR REPLACE TEMP TABLE clash AS
            SELECT household_id, idx FROM members
            WHERE id_number IN (SELECT head_id_number FROM households WHERE head_id_number IS NOT NULL)
            UNION
            SELECT household_id, idx FROM (
                SELECT household_id, idx,
                       row_number() OVER (PARTITION BY id_number ORDER BY household_id, idx) AS k
                FROM members) WHERE k > 1
        """)
        if not con.execute("SELECT count(*) FROM clash").fetchone()[0]:
            break
        con.execute(f"""
            UPDATE members SET seq = (members.seq + {2 * round_}) % 1000 FROM clash
            WHERE members.household_id = clash.household_id AND members.idx = clash.idx""")
        con.execute(f"""
            UPDATE members SET id_number = {b17} || {_check_digit_sql(b17)} FROM clash
            WHERE members.household_id = clash.household_id AND members.idx = clash.idx""")
    else:
        raise RuntimeError("could not make the members' ID numbers unique")
    con.execute("DROP TABLE IF EXISTS clash")
    con.execute("""
        CREATE TEMP TABLE persons AS
        SELECT household_id, 0 AS idx, '户主' AS relation, head_name AS name,
               head_id_number AS id_number
        FROM households
        UNION ALL
        SELECT household_id, idx, relation, name, id_number FROM members
    """)
    con.execute("DROP TABLE members")


def _household_years(con) -> None:
    county = ("CASE WHEN left(v.village_code, 6) = '621121' THEN '通渭县' "
              "WHEN regexp_full_match(left(v.village_code, 6), '9\\d{5}') "
              "AND left(v.village_code, 6) > '900000' "
              "THEN '通渭县·' || CAST(CAST(left(v.village_code, 6) AS INTEGER) - 900000 AS VARCHAR) "
              "ELSE '通渭县(' || left(v.village_code, 6) || ')' END")
    status = ("CASE WHEN y.status IN ('未脱贫', 'poor') THEN '未脱贫' "
              "WHEN y.status IN ('已脱贫', 'exited') THEN '已脱贫' END")
    prev = ("CASE WHEN p.status IN ('已脱贫', 'exited') THEN TRUE ELSE FALSE END")
    # households in roster order (township, village, household), their household-level
    # values and their family (names, IDs, relations in idx order, joined by SEP)
    con.execute(f"""
        CREATE TEMP TABLE ho AS
        SELECT h.household_id,
               row_number() OVER (ORDER BY t.township_code, v.village_code, h.household_id) AS hrank,
               t.name AS township, v.name AS village, {county} AS county,
               {_pick(_GROUPS, "hash(h.household_id, 'group')")} AS natural_village,
               h.poverty_cause,
               CASE WHEN h.registered_year = 2014 THEN
                        CASE WHEN hash(h.household_id, 'reg') % 2 = 0 THEN '2013年12月'
                             ELSE '2014-03' END
                    WHEN hash(h.household_id, 'reg') % 2 = 0
                        THEN CAST(h.registered_year AS VARCHAR) || '-06'
                    ELSE CAST(h.registered_year AS VARCHAR) || '年6月' END AS registered,
               c.name AS cadre_name, c.unit AS cadre_unit, h.cadre_id,
               '138' || lpad(CAST(hash(h.household_id, 'phone') % 100000000 AS VARCHAR), 8, '0')
                   AS phone,
               f.names, f.ids, f.relations
        FROM households h
        JOIN villages v ON v.village_code = h.village_code
        JOIN townships t ON t.township_code = v.township_code
        LEFT JOIN cadres c ON c.cadre_id = h.cadre_id
        JOIN (SELECT household_id, string_agg(coalesce(name, ''), {SEP} ORDER BY idx) AS names,
                     string_agg(coalesce(id_number, ''), {SEP} ORDER BY idx) AS ids,
                     string_agg(relation, {SEP} ORDER BY idx) AS relations
              FROM persons GROUP BY household_id) f ON f.household_id = h.household_id
    """)
    # every household-year in roster order with its year's values and row_start (the
    # persons before it that year); stored sorted, read back in that order
    con.execute(f"""
        CREATE TEMP TABLE hy AS
        WITH base AS (
            SELECT y.household_id, CAST(y.year AS INTEGER) AS year,
                   CAST(y.members AS INTEGER) AS members, o.hrank,
                   CASE WHEN y.dibao_class IS NULL THEN '一般贫困户' ELSE '低保贫困户' END AS attribute,
                   y.dibao_class,
                   CASE WHEN {status} = '已脱贫' THEN '脱贫户'
                        WHEN {prev} THEN '返贫户' ELSE '贫困户' END AS state,
                   CAST(y.net_income_per_capita AS DOUBLE) AS income,
                   CAST(y.wage_income_per_capita AS DOUBLE) AS wage,
                   {_yes_no("y.housing_secure", "否", "是")} AS housing_unsafe,
                   {_yes_no("y.water_secure")} AS water,
                   {_yes_no("y.medical_secure")} AS medical,
                   {_yes_no("y.food_clothing_secure")} AS food,
                   {_yes_no("y.education_secure")} AS education,
                   y.relapse_cause,
                   o.township, o.village, o.county, o.natural_village, o.poverty_cause,
                   o.registered, o.cadre_name, o.cadre_unit, o.cadre_id, o.phone,
                   o.names, o.ids, o.relations
            FROM household_years y
            JOIN ho o ON o.household_id = y.household_id
            LEFT JOIN household_years p
                   ON p.household_id = y.household_id AND p.year = y.year - 1
        )
        SELECT *, CAST(sum(members) OVER (PARTITION BY year ORDER BY hrank
                                          ROWS UNBOUNDED PRECEDING) - members AS BIGINT) AS row_start
        FROM base ORDER BY year, hrank
    """)
    con.execute("DROP TABLE ho")
    missing = con.execute("SELECT (SELECT count(*) FROM household_years) - (SELECT count(*) FROM hy)"
                          ).fetchone()[0]
    if missing:
        raise ValueError(f"{missing} household-years have no household, village or township")



# One row per person of a year's household-years, in roster order: ``hy`` is stored in
# that order and a scan, filter and unnest keep it (DuckDB's preserve_insertion_order),
# so neither a join nor a sort of the person rows is needed.
_PERSON_SELECT = """
    SELECT row_start + idx + 1 AS n, year, county, township, village, natural_village,
           household_id, household_id || printf('%02d', idx + 1), nullif(split_part(names, {sep}, idx + 1), ''),
           nullif(split_part(ids, {sep}, idx + 1), ''), members, split_part(relations, {sep}, idx + 1), poverty_cause, attribute, dibao_class, state,
           {income}, {wage}, registered, housing_unsafe, water, medical, food, education,
           relapse_cause, cadre_name, cadre_unit, cadre_id, phone
    FROM (SELECT *, unnest(range(members)) AS idx FROM hy WHERE year = {year})
"""


# --- CSV ----------------------------------------------------------------------------
def _csv_line(cells, width: int) -> str:
    cells = list(cells) + [""] * (width - len(cells))
    return ",".join(cells) + "\n"


def _stream(body: Path, out: Path, head: str, foot: str, encoding: str, bom: bool = False) -> None:
    """``head`` + ``body`` (UTF-8 text, re-encoded ``CHUNK`` bytes at a time) + ``foot``."""
    with open(out, "wb") as f:
        if bom:
            f.write(codecs.BOM_UTF8)
        f.write(head.encode(encoding))
        with open(body, "rb") as src:
            if encoding.replace("-", "").lower() in ("utf8", "utf_8"):
                shutil.copyfileobj(src, f, CHUNK)
            else:
                decoder = codecs.getincrementaldecoder("utf-8")("strict")
                encoder = codecs.getincrementalencoder(encoding)("strict")
                while True:
                    block = src.read(CHUNK)
                    f.write(encoder.encode(decoder.decode(block, final=not block), final=not block))
                    if not block:
                        break
        f.write(foot.encode(encoding))


def _roster_csv(con, year: int, out: Path, tmp: Path, *, title: bool, encoding: str,
                pool) -> tuple[int, object]:
    """DuckDB writes the year's person rows (UTF-8, no header) into ``tmp``; a job of
    ``pool`` (a thread: DuckDB releases the GIL, so the next year's COPY runs meanwhile)
    streams them into ``out`` between the header and footer lines, and deletes them.
    Returns (person rows, that job's future)."""
    persons = con.execute("SELECT coalesce(sum(members), 0) FROM hy WHERE year = ?", [year]).fetchone()[0]
    body = tmp / f"body_{year}.csv"
    select = _PERSON_SELECT.format(income="CAST(income AS VARCHAR)",
                                   wage="CAST(wage AS VARCHAR)", year=int(year),
                                   sep=SEP)
    con.execute(f"COPY ({select}) TO '{body}' (FORMAT csv, HEADER false)")
    width = len(ROSTER_COLUMNS)
    head = ((_csv_line([f"{COUNTY}{year}年建档立卡贫困人口明细"], width) if title else "")
            + ",".join(ROSTER_COLUMNS) + "\n")
    total = [""] * width
    total[0], total[ROSTER_COLUMNS.index("人数")] = TOTAL, str(persons)
    foot = _csv_line(total, width) + _csv_line([FOOTER], width)

    def job():
        _stream(body, out, head, foot, encoding)
        body.unlink()

    return int(persons), pool.submit(job)


# --- workbooks ----------------------------------------------------------------------
class _Exact(float):
    """A float XlsxWriter writes with every digit: it formats numbers ``.16G`` (Excel's
    own precision), which loses the 17th significant digit; repr never does."""

    def __format__(self, spec: str) -> str:
        return repr(float(self)) if spec.upper().endswith("G") else float.__format__(self, spec)


def _cell(ws, r: int, c: int, value, number: bool, fmt=None) -> None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return
    if number:
        ws.write_number(r, c, _Exact(value) if isinstance(value, float) else value, fmt)
    else:
        ws.write_string(r, c, str(value), fmt)


def _formats(wb) -> dict:
    return {
        "title": wb.add_format({"bold": True, "font_size": 14, "align": "center"}),
        "head": wb.add_format({"bold": True, "align": "center", "valign": "vcenter",
                               "border": 1, "text_wrap": True}),
        "text": wb.add_format({"num_format": "@"}),
    }


def _roster_xlsx(con, year: int, out: Path) -> int:
    import xlsxwriter

    select = _PERSON_SELECT.format(income="income", wage="wage", year=int(year), sep=SEP)
    rows = con.execute(select).fetchall()
    width = len(ROSTER_COLUMNS)
    wb = xlsxwriter.Workbook(str(out))
    f = _formats(wb)
    ws = wb.add_worksheet(f"{year}年")
    ws.merge_range(0, 0, 0, width - 1, f"{COUNTY}{year}年建档立卡贫困人口明细", f["title"])
    grouped = {}
    for label, first, last in ROSTER_GROUPS:
        a, b = ROSTER_COLUMNS.index(first), ROSTER_COLUMNS.index(last)
        ws.merge_range(1, a, 1, b, label, f["head"])
        for c in range(a, b + 1):
            grouped[c] = ROSTER_COLUMNS[c]
    for c, name in enumerate(ROSTER_COLUMNS):
        if c in grouped:
            ws.write_string(2, c, name, f["head"])
        elif c % 5 == 4:  # a few cells written in the first row, the second left empty
            ws.write_string(1, c, name, f["head"])
        else:
            ws.merge_range(1, c, 2, c, name, f["head"])
    numbers = [name in _ROSTER_NUMBERS for name in ROSTER_COLUMNS]
    r = 3
    for row in rows:
        for c, value in enumerate(row):
            _cell(ws, r, c, value, numbers[c], None if numbers[c] else f["text"])
        r += 1
    ws.write_string(r, 0, TOTAL)
    ws.write_number(r, ROSTER_COLUMNS.index("人数"), len(rows))
    ws.write_string(r + 1, 0, FOOTER)  # one cell: the importer refuses merged cells below the header
    ws.freeze_panes(3, 0)
    wb.close()
    return len(rows)


def _ledger_rows(con) -> list[tuple]:
    infra = ", ".join(_yes_no(f"y.{c}") for c in C.INFRASTRUCTURE_COLUMNS)
    return con.execute(f"""
        SELECT row_number() OVER (ORDER BY y.year, v.township_code, y.village_code),
               CAST(y.year AS INTEGER), t.name, v.name, {_yes_no("v.is_poor_village")},
               CAST(v.planned_exit_year AS INTEGER), CAST(v.exit_year AS INTEGER),
               CAST(y.registered_population AS BIGINT), CAST(y.households AS BIGINT),
               CAST(y.rural_income_per_capita AS DOUBLE), {infra},
               CAST(y.online_shops AS BIGINT), CAST(y.mutual_fund_yuan AS DOUBLE),
               CAST(y.collective_income_yuan AS DOUBLE)
        FROM village_years y JOIN villages v ON v.village_code = y.village_code
        JOIN townships t ON t.township_code = v.township_code
        ORDER BY y.year, v.township_code, y.village_code
    """).fetchall()


def _ledger_xlsx(rows: list[tuple], out: Path) -> int:
    import xlsxwriter

    width = len(LEDGER_COLUMNS)
    wb = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    f = _formats(wb)
    ws = wb.add_worksheet("村级台账")
    ws.merge_range(0, 0, 0, width - 1, f"{COUNTY}村级台账（行政村基本情况）", f["title"])
    for c, name in enumerate(LEDGER_COLUMNS):
        ws.write_string(1, c, name, f["head"])
    numbers = [name in _LEDGER_NUMBERS for name in LEDGER_COLUMNS]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row):
            _cell(ws, r, c, value, numbers[c])
    r = len(rows) + 2
    ws.write_string(r, 0, TOTAL)
    for name in ("户籍人口", "户数"):
        c = LEDGER_COLUMNS.index(name)
        ws.write_number(r, c, sum(row[c] or 0 for row in rows))
    wb.close()
    return len(rows)


def _pairing_rows(con) -> list[tuple]:
    return con.execute("""
        SELECT row_number() OVER (ORDER BY cadre_id), cadre_id, name, unit, rank
        FROM cadres ORDER BY cadre_id""").fetchall()


def _pairing_xlsx(rows: list[tuple], out: Path) -> int:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    f = _formats(wb)
    ws = wb.add_worksheet("帮扶责任人")
    ws.merge_range(0, 0, 0, len(PAIRING_COLUMNS) - 1, f"{COUNTY}建档立卡贫困户帮扶责任人名单",
                   f["title"])
    for c, name in enumerate(PAIRING_COLUMNS):
        ws.write_string(1, c, name, f["head"])
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row):
            _cell(ws, r, c, value, c == 0)
    wb.close()
    return len(rows)


# --- small CSVs ---------------------------------------------------------------------
def _townships_csv(con, out: Path) -> int:
    labels = [c.label for c in C.TABLES["townships"].columns]
    cols = ", ".join(f'CAST("{c.name}" AS VARCHAR) AS "{c.label}"'
                     for c in C.TABLES["townships"].columns)
    body = out.with_name(out.name + ".body")
    con.execute(f"COPY (SELECT {cols} FROM townships ORDER BY township_code) "
                f"TO '{body}' (FORMAT csv, HEADER false)")
    n = con.execute("SELECT count(*) FROM townships").fetchone()[0]
    _stream(body, out, ",".join(labels) + "\n", "", "utf-8", bom=True)
    body.unlink()
    return int(n)


def _codes_csv(con, out: Path) -> int:
    """统计用区划代码: every township (its code + 000) and village; every other village's
    name with its committee's suffix (村民委员会 after …村, 居民委员会 after …社区)."""
    body = out.with_name(out.name + ".body")
    con.execute(f"""
        COPY (
            SELECT code, '{URBAN_RURAL_CODE}', name FROM (
                SELECT township_code || '000' AS code, name, 0 AS k FROM townships
                UNION ALL
                SELECT village_code, CASE
                    WHEN k % 2 = 1 AND regexp_matches(name, '村(·\\d+)?$') THEN name || '村民委员会'
                    WHEN k % 2 = 1 AND regexp_matches(name, '社区(·\\d+)?$') THEN name || '居民委员会'
                    ELSE name END, k
                FROM (SELECT village_code, name,
                             row_number() OVER (ORDER BY village_code) AS k FROM villages))
            ORDER BY code
        ) TO '{body}' (FORMAT csv, HEADER false)""")
    n = con.execute("SELECT (SELECT count(*) FROM townships) + (SELECT count(*) FROM villages)"
                    ).fetchone()[0]
    _stream(body, out, ",".join(CODE_COLUMNS) + "\n", "", "utf-8")
    body.unlink()
    return int(n)


# --- the writer ---------------------------------------------------------------------
def _write(con, folder: Path, *, xlsx_years, code_table: bool, gbk: bool,
           counts: dict | None = None) -> dict[str, Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    xlsx_years = {int(y) for y in xlsx_years}
    counts = {} if counts is None else counts
    written: dict[str, Path] = {}
    tmp = Path(tempfile.mkdtemp(prefix=".national-", dir=folder))
    con.execute(f"SET temp_directory = '{tmp / 'spill'}'")  # not the working directory
    # Python's share (the two workbooks, then each year's transcoding) runs in one thread
    # while DuckDB (which releases the GIL) builds the person rows.
    pool = ThreadPoolExecutor(max_workers=1)
    jobs = []

    def later(key: str, out: Path, write, *args) -> None:
        written[key] = out

        def job():
            counts[out.name] = write(*args, out)

        jobs.append(pool.submit(job))

    try:
        later("ledger", folder / "村级台账.xlsx", _ledger_xlsx, _ledger_rows(con))
        if con.execute("SELECT count(*) FROM cadres").fetchone()[0]:
            later("pairing", folder / "帮扶责任人名单.xlsx", _pairing_xlsx, _pairing_rows(con))
        _prepare(con)
        years = [r[0] for r in con.execute("SELECT DISTINCT year FROM hy ORDER BY year").fetchall()]
        csv_years = [y for y in years if y not in xlsx_years]
        for year in years:
            xlsx = year in xlsx_years
            out = folder / roster_name(year, xlsx)
            if xlsx:
                counts[out.name] = _roster_xlsx(con, year, out)
            else:
                counts[out.name], done = _roster_csv(
                    con, year, out, tmp, title=csv_years.index(year) % 2 == 0,
                    encoding=GBK_CODEC if gbk else "utf-8", pool=pool)
                jobs.append(done)
            written[f"roster_{year}"] = out
        written["townships"] = folder / "乡镇.csv"
        counts[written["townships"].name] = _townships_csv(con, written["townships"])
        if code_table:
            written["codes"] = folder / "统计用区划代码.csv"
            counts[written["codes"].name] = _codes_csv(con, written["codes"])
        for done in jobs:
            done.result()  # a failed job raises here
    finally:
        pool.shutdown(wait=True)
        shutil.rmtree(tmp, ignore_errors=True)
    return written


def write_national(tables: dict, folder: Path, *, xlsx_years: set[int] = frozenset(),
                   code_table: bool = False, gbk: bool = True) -> dict[str, Path]:
    """Write ``tables`` (contract format) into ``folder`` as a county office's files.

    ``tables``: table name → pandas DataFrame, contract columns (as
    ``analytics.demo.demo_tables`` returns): townships, villages, village_years,
    households, household_years required; cadres optional (household_measures unused).

    Writes:

    - ``贫困人口明细_<year>.csv`` (GB18030 when ``gbk``, else UTF-8) for every year of
      household_years not in ``xlsx_years``, or ``贫困人口明细_<year>.xlsx`` for those in
      it: one row per person (Σ members rows a year: the head, then members − 1 others),
      the 29 ``ROSTER_COLUMNS``; every other CSV year starts with a title line; every CSV
      ends with a 合计 line and a 填表人 line. A workbook has a merged title row, a
      two-row header (收入情况, 两不愁三保障 over their columns), the rows, 合计, 填表人.
    - ``村级台账.xlsx``: sheet 村级台账, title row, header, one row per village_years row
      (``LEDGER_COLUMNS``), 合计.
    - ``帮扶责任人名单.xlsx``: sheet 帮扶责任人, title row, header, one row per cadre
      (``PAIRING_COLUMNS``); only when cadres has rows.
    - ``乡镇.csv`` (UTF-8 with BOM): townships under the contract's Chinese labels.
    - ``统计用区划代码.csv`` (UTF-8) when ``code_table``: ``CODE_COLUMNS``, one row per
      township (9 digits + 000) and per village (12 digits).

    Returns {"roster_<year>": path, "ledger", "pairing", "townships", "codes": path}
    for what was written.
    """
    con = _connect_frames(tables)
    try:
        return _write(con, folder, xlsx_years=xlsx_years, code_table=code_table, gbk=gbk)
    finally:
        con.close()


def write_national_db(db: Path, folder: Path, *, xlsx_years: set[int] = frozenset(),
                      code_table: bool = False, gbk: bool = True,
                      counts: dict | None = None) -> dict[str, Path]:
    """``write_national`` on the tables of a DuckDB database file (opened read only);
    ``counts`` (a dict) receives the rows written per file."""
    con = _connect_db(Path(db))
    try:
        return _write(con, folder, xlsx_years=xlsx_years, code_table=code_table, gbk=gbk,
                      counts=counts)
    finally:
        con.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True, help="a DuckDB database (read only)")
    parser.add_argument("--out", type=Path, required=True, help="the folder to write into")
    parser.add_argument("--xlsx-years", type=int, nargs="*", default=[],
                        help="years whose roster is a workbook (the others are CSV)")
    parser.add_argument("--code-table", action="store_true", help="also write 统计用区划代码.csv")
    parser.add_argument("--utf8", action="store_true", help="roster CSVs in UTF-8, not GB18030")
    args = parser.parse_args(argv)
    if not args.db.exists():
        parser.error(f"no database at {args.db}")
    started = time.perf_counter()
    counts: dict[str, int] = {}
    written = write_national_db(args.db, args.out, xlsx_years=set(args.xlsx_years),
                                code_table=args.code_table, gbk=not args.utf8, counts=counts)
    for path in written.values():
        print(f"{path.name}\t{counts.get(path.name, '')} rows\t{path.stat().st_size / 1e6:.1f} MB")
    total = sum(p.stat().st_size for p in written.values())
    print(f"done: {len(written)} files, {total / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
