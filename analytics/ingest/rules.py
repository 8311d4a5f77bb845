"""The import rules, as SQL over the staged tables (docs/import-rules.md lists them).

Longer than 600 lines because every rule has its one home here, beside the others of its
step: split by rule, a reader would lose the order in which they run.

Every rule has one home here: its id, what it checks (``RULES``), the SQL that finds the
rows breaking it and the Chinese message. The rules run in three steps:

1. **Cells** (``check_cells``): one pass over each staged table computes, per contract
   column, the normalised text, the typed value, and the first rule the cell breaks
   (``required``, ``stored_as_number``, ``code_format``, ``int_format``, ``real_format``,
   ``bool_format``, ``enum``, ``minimum``, ``id_format``, ``id_birth_date``,
   ``id_checksum``, ``nul_byte``). The result is the table ``staging.checked_<table>``:
   the typed value where the cell is valid (NULL otherwise), so the later rules and the
   final load read typed columns and a bad cell is reported once.
2. **Between rows and tables** (``check_relations``): keys, foreign keys, village
   codes, planned exit years, the dataset's years, the household panel.
3. **Load** (``load_tables``): only when nothing was found, each contract table is
   filled from its checked table.

At most MAX_PROBLEMS_PER_RULE problems per (table, column, rule) are fetched; the rest
are counted in SQL and summarised in one line. Identifiers in the SQL come from the
contract (``_q``); values are bound.
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.config import load_config
from analytics.contract import (
    EXITED,
    FALSE_WORDS,
    POOR,
    STATUS_ALIASES,
    TABLE_ORDER,
    TABLES,
    TRUE_WORDS,
    Column,
)
from analytics.ingest.report import MAX_PROBLEMS_PER_RULE, Collector, shown_value
from analytics.store.schema import sql_identifier, sql_string

#: rule id → what it checks (docs/import-rules.md explains each with an example).
RULES: dict[str, str] = {
    "unsupported_input": "输入须为装有各表 CSV/Parquet 文件的文件夹，或一个工作簿（.xlsx/.xls）",
    "file_unreadable": "文件能打开并解析",
    "file_too_large": "文件不超过大小上限",
    "zip_bomb": "工作簿解压后不超过上限",
    "encoding": "CSV 为 UTF-8（可带 BOM）或 GB18030/GBK 编码",
    "duplicate_source": "每张表只由一个文件或工作表提供",
    "unknown_table": "文件或工作表以数据规范中的表命名（其余的跳过并提示）",
    "missing_table": "必需的表都已提供",
    "empty_table": "必需的表有表头和数据行",
    "bad_header": "第 1 行是表头，有数据的列都有列名",
    "duplicate_column": "列名不重复",
    "missing_column": "表的每一列都存在",
    "unknown_column": "没有数据规范以外的列",
    "bad_row": "CSV 每行的字段数与表头相同（行尾多一个逗号可以）",
    "bad_quote": "CSV 的引号成对：开引号在字段开头，闭引号在字段结尾",
    "nul_byte": "单元格中没有空字符（NUL）",
    "formula": "工作簿中没有公式单元格（只要数值）",
    "merged_cells": "工作簿的数据区没有合并单元格",
    "date_cell": "年份列不是日期（1 月 1 日的日期按其年份读取）",
    "stored_as_number": "代码和编号是文本，不是被 Excel 转换的数字",
    "required": "必填的单元格不为空",
    "code_format": "代码的位数正确（乡镇 9 位，村 12 位）",
    "int_format": "整数列是整数（±2147483647 以内）",
    "real_format": "数值列是有限的十进制数",
    "bool_format": "是/否列为 1/0、true/false、是/否、Y/N、yes/no、T/F",
    "enum": "取值在该列的可选值之内（状态也接受 poor/exited）",
    "minimum": "数值不小于该列的最小值",
    "maximum": "人口、户数、收入和金额不超出合理范围（data/config.toml [import]）；每月驻村天数不超过 31",
    "personal_value": "名称、单位等公开的文字列不含身份证号或手机号",
    "id_format": "身份证号为 18 位：17 位数字加校验位 0-9 或 X",
    "id_birth_date": "身份证号中的出生日期是 1900 年至今的真实日期",
    "id_checksum": "身份证号的校验位符合 GB 11643（ISO 7064 MOD 11-2）",
    "duplicate_key": "主键不重复",
    "duplicate_value": "唯一列（户主身份证号）不重复",
    "foreign_key": "引用的行在被引用的表中存在",
    "village_township": "村代码的前 9 位是其乡镇代码",
    "planned_exit_year": "只有贫困村才填计划退出年份",
    "year_range": "年度记录的年份有贫困线；退出、计划退出、识别年份和驻村帮扶的年份在数据的年份范围之内",
    "year_before_registered": "年度记录的年份不早于该户的识别年份",
    "year_gap": "每户的年度记录从识别年份起逐年连续",
    "relapse_cause": "返贫原因只填在返贫的行（上一年已脱贫、本年未脱贫）",
    # the national formats (data/formats/, docs/import-formats.md)
    "format_year": "建档立卡人口明细和村级台账的每一行都有年度或数据日期",
    "duplicate_year": "同一年只有一个名单文件",
    "value_map": "状态等取值在格式文件的取值表中（data/formats/）",
    "household_villages": "一个户编号只在一个村",
    "household_head": "每户每年恰有一个户主行（与户主关系为户主）",
    "household_members": "人数与名单中这一户的人数相同",
    "relapse_word": "返贫户的标注与前后两年的状态一致",
    "place_name": "乡镇和行政村的名称在统计用区划代码表中，且只对应一个代码",
    "cadre_match": "户的帮扶责任人（姓名和单位）在帮扶责任人名单中且只有一人",
    # from the loading step
    "import_in_progress": "同一数据库一次只能有一个导入",
    "audit_unavailable": "导入先写审计记录；写不了就不替换数据",
    "import_failed": "导入中途出错（如内存不足）时不替换数据",
    # notices
    "skipped_sheet": "不是数据规范中的表的工作表被跳过（提示）",
    "hidden_rows": "隐藏或筛选掉的行也被导入（提示）",
    "normalised_characters": "代码和编号中的全角字符、不可见空格已规范化（提示）",
    "trailing_comma": "行尾多余的逗号被忽略（提示）",
    "optional_table_missing": "未提供可选的表（驻村帮扶、帮扶干部、帮扶措施）时，导入后这张表为空（提示）",
    "stray_cr": "单元格内单独的回车符被删除（提示）",
    "xls_limits": "旧版 .xls 工作簿无法检查公式和隐藏行（提示）",
    "ignored_columns": "全国系统导出中不需要的列（如联系电话）不读取、不保存（提示）",
    "footer_rows": "合计、填表人等表尾行被跳过（提示）",
    "derivation_skipped": "文件本身有问题时，户、户主、人数、年度之间的关系留待改正后再检查（提示）",
}

_SCI = r"^[+-]?[0-9]+(\.[0-9]+)?[eE][+-]?[0-9]+$"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_FULL_WIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F))
_HALF_WIDTH = "".join(chr(c) for c in range(0x21, 0x7F))
_INVISIBLE = r"[\s\x{00A0}\x{3000}\x{200B}-\x{200D}\x{2060}\x{FEFF}]"
#: A cell the reader has already reported (a formula, a number in an ID column…): it is
#: invalid, and no other rule reports it again.
REPORTED = "\x1e"
INT_MAX = 2**31 - 1
# an ID number (18 characters or the old 15 digits) or a mobile number inside a text
_PERSONAL_IN_TEXT = (r"(^|[^0-9])([0-9]{17}[0-9Xx]|[0-9]{15}|(86)?1[3-9][0-9]{9})([^0-9]|$)")
# what a number may be written with: separators and invisible characters, dropped first
_NUMBER_SEPARATORS = r"[\s\-+\x{00A0}\x{3000}\x{200B}-\x{200D}\x{2060}\x{FEFF}]"
#: Columns other tables refer to (their text is kept for the foreign-key rule).
REFERENCED = frozenset((fk.table, rc) for t in TABLES.values() for fk in t.foreign_keys
                       for rc in fk.ref_columns)


# identifiers and constants go into the importer's SQL as into the store's (one home)
_q = sql_identifier
_lit = sql_string


def staging_relation(name: str) -> str:
    """The importer's scratch relation ``name`` in the in-memory ``staging`` database
    (``store.DatasetBuilder``), quoted by ``sql_identifier`` (our own names only): the one
    way the importer names its staged tables and views in SQL."""
    return f"staging.{_q(name)}"


def _in(values) -> str:
    return "(" + ", ".join(_lit(v) for v in sorted(values)) + ")"


#: Lines of a table staged from several files: file index × LINE_BASE + line.
LINE_BASE = 1_000_000_000


@dataclass
class Staged:
    """One table as staged: ``relation`` (``staging.s_households``) has a ``line`` column
    and one column per contract column found, named ``columns[name]``, of DuckDB type
    ``types[name]``; ``positions[name]`` is the column's 1-based position in the file."""

    table: str
    source: str
    relation: str
    columns: dict[str, str]
    types: dict[str, str]
    positions: dict[str, int]
    rows: int = 0
    dropped_rows: int = 0   # rows the reader could not stage (bad_row): their keys are unknown
    #: A table derived from several files (national formats): its ``line`` is the file's
    #: index in ``sources`` × LINE_BASE + the line in that file.
    sources: tuple[str, ...] = ()

    def place(self, line: int | None) -> tuple[str, int | None]:
        """(file as printed, line in it) of a staged row's ``line``."""
        if line is None or not self.sources:
            return self.source, line
        return self.sources[line // LINE_BASE], line % LINE_BASE

    @property
    def checked(self) -> str:
        return staging_relation("checked_" + self.table)


def _is_id_column(col: Column) -> bool:
    """The contract's 'code and ID columns': text, never numbers."""
    return col.kind in ("code", "id_number") or (col.kind == "text" and col.name.endswith("_id"))


_NUMERIC_TYPES = ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT",
                  "UINTEGER", "USMALLINT", "UTINYINT")
_FLOAT_TYPES = ("DOUBLE", "FLOAT")


def _typed_as_is(typ: str, col: Column) -> bool:
    """Whether a typed cell (Parquet, a workbook's numbers) of this column is checked as
    it is, not as text: numbers of a number column, booleans of a yes/no column. Their
    text form is needed only for a bad cell's message (casting every DOUBLE of a
    household panel to text cost a quarter of the import's cell checks)."""
    if col.kind in ("int", "real"):
        return typ in _NUMERIC_TYPES or typ in _FLOAT_TYPES
    return col.kind == "bool" and typ == "BOOLEAN"


def _text(ref: str, typ: str, col: Column) -> str:
    """The cell as normalised text, NULL when empty (a number or boolean checked as it is,
    see ``_typed_as_is``, stays typed). Surrounding spaces are trimmed.
    Codes, IDs, numbers and yes/no values: full-width forms (NFKC) to ASCII, then spaces
    and invisible characters stripped anywhere; a trailing ``.0`` of a number export is left for the
    rules. The common case (plain ASCII, nothing to trim) costs no regular expression."""
    if _typed_as_is(typ, col):
        return ref
    if typ != "VARCHAR":
        return f"CAST({ref} AS VARCHAR)"
    edges = (f"ascii({ref}) > 32 AND NOT ends_with({ref}, ' ') AND NOT ends_with({ref}, chr(9)) "
             f"AND NOT ends_with({ref}, chr(13))")
    if _is_id_column(col) or col.kind in ("int", "real", "bool"):
        clean = (f"strlen({ref}) = length({ref}) AND NOT contains({ref}, ' ') "
                 f"AND NOT contains({ref}, chr(9)) AND {edges}")
        fixed = (f"regexp_replace(translate({ref}, {_lit(_FULL_WIDTH)}, {_lit(_HALF_WIDTH)}), "
                 f"{_lit(_INVISIBLE)}, '', 'g')")
    else:
        clean = edges
        fixed = f"trim({ref}, ' \t\r\n　')"
    return f"CASE WHEN {clean} THEN {ref} ELSE NULLIF({fixed}, '') END"


def _checksum_ok(v: str) -> str:
    """GB 11643: the 18th character is "10X98765432"[Σ digit_i·w_i mod 11]."""
    total = " + ".join(f"(ord(substr({v}, {i + 1}, 1)) - 48) * {w}"
                       for i, w in enumerate(_ID_WEIGHTS))
    return f"substr('10X98765432', (({total}) % 11) + 1, 1) = substr({v}, 18, 1)"


def cell_limits() -> tuple[dict[str, float], list[int]]:
    """(column → largest plausible value, the years with a poverty line), from
    data/config.toml: [import] max_members, max_income_per_capita; [poverty_line]."""
    config = load_config()
    per_capita = float(config.imports.get("max_income_per_capita", 1_000_000))
    yuan = float(config.imports.get("max_yuan", 1_000_000_000))
    limits = {"members": float(config.imports.get("max_members", 30)),
              "net_income_per_capita": per_capita, "wage_income_per_capita": per_capita,
              "rural_income_per_capita": per_capita,
              "registered_population": float(config.imports.get("max_village_population",
                                                                100_000)),
              "households": float(config.imports.get("max_village_households", 30_000)),
              "amount_yuan": yuan, "mutual_fund_yuan": yuan, "collective_income_yuan": yuan}
    return limits, sorted(config.poverty_line)


def _cell_sql(col: Column, ref: str, typ: str, v: str) -> tuple[str, str]:
    """(rule expression, typed-value expression) of one column: ``ref`` is the staged
    cell, ``v`` the normalised text (see ``_text``). The rule is the first one the cell
    breaks, NULL when it is valid; the typed value never raises (TRY_CAST)."""
    limits, years = cell_limits()
    whens: list[tuple[str, str]] = []
    if typ == "VARCHAR":
        whens.append((f"{ref} = {_lit(REPORTED)}", "reported"))
        whens.append((f"strpos({ref}, chr(0)) > 0", "nul_byte"))
    if not col.nullable:
        whens.append((f"{v} IS NULL", "required"))
    kind = col.kind
    numeric = typ in _NUMERIC_TYPES
    floating = typ in _FLOAT_TYPES
    if _is_id_column(col):
        whens.append((f"(contains({v}, 'E') OR contains({v}, 'e')) AND regexp_matches({v}, {_lit(_SCI)})",
                      "stored_as_number"))
    if kind == "code":
        pattern = f"^[0-9]{{{col.digits}}}(\\.0+)?$"
        whens.append((f"NOT regexp_matches({v}, {_lit(pattern)})", "code_format"))
        typed = f"regexp_replace({v}, '\\.0+$', '')"
    elif kind == "id_number":
        u = f"upper({v})"
        if numeric or floating:
            whens.append(("true", "stored_as_number"))
        whens.append((f"regexp_matches({v}, '^[0-9]+\\.0+$')", "stored_as_number"))
        whens.append((f"NOT regexp_matches({u}, '^[0-9]{{17}}[0-9X]$')", "id_format"))
        whens.append((f"ends_with({v}, '000') AND NOT ({_checksum_ok(u)})", "stored_as_number"))
        birth = f"try_strptime(substr({v}, 7, 8), '%Y%m%d')"
        whens.append((f"{birth} IS NULL OR year({birth}) < 1900 OR {birth} > current_date",
                      "id_birth_date"))
        whens.append((f"NOT ({_checksum_ok(u)})", "id_checksum"))
        typed = u
    elif kind == "text":
        if not col.personal and not _is_id_column(col):
            digits = (f"regexp_replace(translate({v}, {_lit(_FULL_WIDTH)}, {_lit(_HALF_WIDTH)}), "
                      f"{_lit(_NUMBER_SEPARATORS)}, '', 'g')")
            # the cheap test first: most names and units hold no digit at all
            whens.append((f"regexp_matches({v}, '[0-9０-９]') AND "
                          f"regexp_matches({digits}, {_lit(_PERSONAL_IN_TEXT)})",
                          "personal_value"))
        typed = (f"CASE WHEN contains({v}, '.') THEN regexp_replace({v}, '^([0-9]+)\\.0+$', "
                 f"'\\1') ELSE {v} END" if _is_id_column(col) else v)
    elif kind == "int":
        if numeric:
            number = f"TRY_CAST({ref} AS HUGEINT)"
        elif floating:
            whens.append((f"NOT isfinite({ref}) OR {ref} <> round({ref})", "int_format"))
            number = f"TRY_CAST({ref} AS HUGEINT)"
        else:
            whens.append((f"NOT regexp_matches({v}, '^[+-]?[0-9]{{1,10}}(\\.0+)?$')",
                          "int_format"))
            number = f"TRY_CAST(regexp_replace({v}, '\\.0+$', '') AS HUGEINT)"
        whens.append((f"abs({number}) > {INT_MAX}", "int_format"))
        if col.minimum is not None:
            whens.append((f"{number} < {int(col.minimum)}", "minimum"))
        if col.name in limits:
            whens.append((f"{number} > {int(limits[col.name])}", "maximum"))
        if col.maximum is not None:  # the contract's own bound
            whens.append((f"{number} > {int(col.maximum)}", "maximum"))
        if col.name == "year":  # a panel year needs its poverty line (data/config.toml)
            first, last = min(years), max(years)
            whens.append((f"{number} NOT BETWEEN {first} AND {last}", "year_range"))
        typed = f"TRY_CAST({number} AS INTEGER)"
    elif kind == "real":
        if numeric or floating:
            number = f"TRY_CAST({ref} AS DOUBLE)"
        else:
            whens.append((f"NOT regexp_matches({v}, "
                          "'^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?$')",
                          "real_format"))
            number = f"TRY_CAST({v} AS DOUBLE)"
        whens.append((f"NOT isfinite({number})", "real_format"))
        if col.minimum is not None:
            whens.append((f"{number} < {float(col.minimum)!r}", "minimum"))
        if col.name in limits:
            whens.append((f"abs({number}) > {float(limits[col.name])!r}", "maximum"))
        if col.maximum is not None:  # the contract's own bound (31 days a month)
            whens.append((f"{number} > {float(col.maximum)!r}", "maximum"))
        typed = number
    elif kind == "bool":
        if typ == "BOOLEAN":
            typed = ref
        else:
            words = TRUE_WORDS | FALSE_WORDS
            whens.append((f"{v} NOT IN {_in(words)} AND lower({v}) NOT IN {_in(words)}",
                          "bool_format"))
            typed = (f"CASE WHEN {v} IN {_in(TRUE_WORDS)} THEN true WHEN {v} IN {_in(FALSE_WORDS)} "
                     f"THEN false ELSE lower({v}) IN {_in(TRUE_WORDS)} END")
    elif kind == "enum":
        if col.name == "status":
            low = f"lower({v})"
            poor = [k.lower() for k, st in STATUS_ALIASES.items() if st == POOR]
            exited = [k.lower() for k, st in STATUS_ALIASES.items() if st == EXITED]
            whens.append((f"{v} NOT IN ({_lit(POOR)}, {_lit(EXITED)}) AND "
                          f"{low} NOT IN {_in(poor + exited)}", "enum"))
            typed = (f"CASE WHEN {v} IN ({_lit(POOR)}, {_lit(EXITED)}) THEN {v} "
                     f"WHEN {low} IN {_in(poor)} THEN {_lit(POOR)} ELSE {_lit(EXITED)} END")
        else:
            whens.append((f"{v} NOT IN {_in(col.choices or ())}", "enum"))
            typed = v
    else:  # pragma: no cover - the contract has no other kind
        raise ValueError(col.kind)
    # a NULL cell breaks nothing but `required`; the other rules look at values
    branches = [f"WHEN {cond} THEN {_lit(rule)}" if rule in ("reported", "nul_byte", "required")
                else f"WHEN {v} IS NOT NULL AND ({cond}) THEN {_lit(rule)}"
                for cond, rule in whens]
    rule = f"CASE {' '.join(branches)} END" if branches else "NULL::VARCHAR"
    return rule, typed


def check_cells(db, staged: Staged, out: Collector) -> None:
    """Rule step 1 for one table: build ``staged.checked`` (line; per contract column:
    ``e_<c>`` the rule broken, ``w_<c>`` the text of a bad cell, ``v_<c>`` the normalised
    text, ``<c>`` the typed value of a valid cell) and report every bad cell."""
    spec = TABLES[staged.table]
    names = [c.name for c in spec.columns if c.name in staged.columns]
    if not names:
        return
    inner, middle, final = ["line"], ["line"], ["line"]
    normalised: list[str] = []
    for name in names:
        col = spec.column(name)
        ref, v, e, t = (_q(staged.columns[name]), _q("v_" + name), _q("e_" + name),
                        _q("t_" + name))
        typ = staged.types[name]
        inner += [f"{ref}", f"{_text(ref, typ, col)} AS {v}"]
        rule, typed = _cell_sql(col, ref, typ, v)
        middle += [v, f"{rule} AS {e}", f"{typed} AS {t}"]
        final += [e, f"CASE WHEN {e} IS NOT NULL THEN coalesce(CAST({v} AS VARCHAR), '') END "
                     f"AS {_q('w_' + name)}",
                  f"CASE WHEN {e} IS NULL THEN {t} END AS {_q(name)}"]
        if (staged.table, name) in REFERENCED:  # a parent key as written (foreign keys)
            final.append(v)
        if typ == "VARCHAR" and _is_id_column(col):  # full-width or invisible characters
            inner.append(f"CASE WHEN strlen({ref}) <> length({ref}) THEN {ref} END "
                         f"AS {_q('x_' + name)}")
            middle.append(_q("x_" + name))
            final.append(f"coalesce({e} IS NULL AND {v} <> trim({_q('x_' + name)}), false) "
                         f"AS {_q('n_' + name)}")
            normalised.append(name)
    # a projection of the staged rows: planning it costs more than running it (writer)
    db.execute_unoptimized(
        f"CREATE OR REPLACE TABLE {staged.checked} AS SELECT {', '.join(final)} FROM ("
        f"SELECT {', '.join(middle)} FROM (SELECT {', '.join(inner)} "
        f"FROM {staged.relation}))")
    _report_cells(db, staged, names, out)
    for name in normalised:
        n, lines = db.fetch(f"SELECT count(*), list(line ORDER BY line)[1:10] FROM {staged.checked} "
                            f"WHERE {_q('n_' + name)}")[0]
        if n:
            places = [staged.place(line) for line in lines]
            source = places[0][0]
            shown = "、".join(str(ln) for src, ln in places if src == source) + (
                "……" if n > len(lines) else "")
            out.notice(staged.table, None, name, "normalised_characters",
                       f"{n:,} 个单元格含全角字符或不可见空格（第 {shown} 行），已转为半角并去除",
                       source, staged.positions.get(name))


def _report_cells(db, staged: Staged, names: list[str], out: Collector) -> None:
    spec = TABLES[staged.table]
    pairs = ", ".join(f"({_q('e_' + n)}, {_q('w_' + n)}) AS {_q(n)}" for n in names)
    rows = db.fetch(
        f"""WITH bad AS (
              UNPIVOT (SELECT line, {', '.join(f'{_q("e_" + n)}, {_q("w_" + n)}' for n in names)}
                       FROM {staged.checked}
                       WHERE {' OR '.join(f'{_q("e_" + n)} IS NOT NULL' for n in names)})
              ON {pairs} INTO NAME col VALUE rule, value)
            SELECT col, rule, line, value, count(*) OVER w AS total,
                   max(line) OVER w AS last_line,
                   row_number() OVER (PARTITION BY col, rule ORDER BY line) AS k
            FROM bad WHERE rule IS NOT NULL AND rule <> 'reported'
            WINDOW w AS (PARTITION BY col, rule)
            QUALIFY k <= ? + 1
            ORDER BY col, rule, line""", [MAX_PROBLEMS_PER_RULE])
    for name, rule, line, value, total, last_line, k in rows:
        col = spec.column(name)
        position = staged.positions.get(name)
        if k > MAX_PROBLEMS_PER_RULE:
            _summary(out, staged, name, rule, total - MAX_PROBLEMS_PER_RULE, line, last_line,
                     position)
            continue
        _add(out, staged, line, name, rule, cell_message(rule, col, value), position)


def cell_message(rule: str, col: Column, value: str | None) -> str:
    """The Chinese message of a cell rule (``value``: the normalised cell text)."""
    shown = shown_value(value, col)
    n = len(value or "")
    if rule == "required":
        return "必须填写，不能为空"
    if rule == "nul_byte":
        return "单元格中含有空字符（NUL），文件可能已损坏"
    if rule == "stored_as_number":
        if col.kind == "id_number":
            if value and value.endswith("000") and len(value) == 18:
                return ("以 000 结尾且校验位不符：身份证号被 Excel 当作数字保存（只保留 15 位）；"
                        "请把该列设为文本并重新录入完整号码")
            return "身份证号被存成了数字，已丢失位数；请把该列设为文本格式后重新导出"
        return f"{shown} 是被存成数字的代码或编号（科学计数法已丢失位数）；请把该列设为文本后重新导出"
    if rule == "code_format":
        return f"{shown} 不是 {col.digits} 位数字代码（现有 {n} 个字符）"
    if rule == "int_format":
        return f"{shown} 不是整数（±2,147,483,647 以内）"
    if rule == "real_format":
        return f"{shown} 不是数字（只用数字和小数点，不要千位分隔符或单位）"
    if rule == "bool_format":
        return f"{shown} 不是“是/否”值（1/0、true/false、是/否、Y/N）"
    if rule == "enum":
        choices = list(col.choices or ())
        if col.name == "status":
            choices += ["poor", "exited"]
        return f"{shown} 不是可选值之一：{'、'.join(choices)}"
    if rule == "minimum":
        return f"{shown} 小于最小值 {col.minimum:g}"
    if rule == "maximum" and col.maximum is not None:
        return f"{shown} 大于最大值 {col.maximum:g}"
    if rule == "maximum":
        limits, _ = cell_limits()
        return (f"{shown} 超出合理范围（绝对值不超过 {limits[col.name]:,.0f}，data/config.toml "
                "[import]）：请核对是否多输了位数")
    if rule == "year_range":
        _, years = cell_limits()
        return (f"{shown} 不在已配置贫困线的年份 {min(years)}–{max(years)} 之内"
                "（data/config.toml [poverty_line]）")
    if rule == "personal_value":
        return ("这一列含有身份证号或手机号：它会显示在大屏和报表上，不能含个人信息；"
                "请删去号码")
    if rule == "id_format":
        return f"不是身份证号：应为 18 位，17 位数字加校验位 0-9 或 X（现有 {n} 个字符）"
    if rule == "id_birth_date":
        return "第 7–14 位的出生日期不是 1900 年至今的真实日期"
    if rule == "id_checksum":
        return "校验位不符"
    return rule  # pragma: no cover - every cell rule has a message above


# --------------------------------------------------------------------------- between rows


def _add(out: Collector, staged: Staged, line, column, rule: str, message: str,
         position=None) -> None:
    source, line = staged.place(line)
    out.add(staged.table, line, column, rule, message, source, position)


def _summary(out: Collector, staged: Staged, column, rule: str, more: int, first, last,
             position=None) -> None:
    source, first = staged.place(first)
    last_source, last = staged.place(last)
    if last_source != source:
        last = None
        first = None
    out.summary(staged.table, column, rule, more, first, last, source, position)


def _listed(db, out: Collector, staged: Staged, column: str, rule: str, sql: str, params,
            message) -> int:
    """Run a rule's query (rows: line, then the message's values, ordered by line) and
    list at most MAX_PROBLEMS_PER_RULE of its rows, summarising the rest."""
    rows = db.fetch(
        f"SELECT *, count(*) OVER () AS total, max(line) OVER () AS last_line FROM ({sql}) "
        f"ORDER BY line NULLS LAST LIMIT ?", list(params) + [MAX_PROBLEMS_PER_RULE + 1])
    first_col = column.split(",")[0].strip()
    position = staged.positions.get(first_col)
    for i, row in enumerate(rows):
        line, values, total, last_line = row[0], row[1:-2], row[-2], row[-1]
        if i == MAX_PROBLEMS_PER_RULE:
            _summary(out, staged, column, rule, total - MAX_PROBLEMS_PER_RULE, line,
                     last_line, position)
            break
        _add(out, staged, line, column, rule, message(*values), position)
    return rows[0][-2] if rows else 0


def check_relations(db, staged: dict[str, Staged], out: Collector) -> None:
    """Rule step 2: keys, foreign keys, village codes and years, the household panel."""
    for s in staged.values():
        spec = TABLES[s.table]
        for cols, rule in [(spec.primary_key, "duplicate_key")] + [
                ((u,), "duplicate_value") for u in spec.unique]:
            if set(cols) <= set(s.columns):
                _check_unique(db, s, cols, rule, out)
    for s in staged.values():
        for fk in TABLES[s.table].foreign_keys:
            (c,), (rc,) = fk.columns, fk.ref_columns
            parent = staged.get(fk.table)
            if parent is None or c not in s.columns or rc not in parent.columns:
                continue
            _check_foreign_key(db, s, c, parent, rc, out)
    v = staged.get("villages")
    if v is not None:
        if {"village_code", "township_code"} <= set(v.columns):
            _listed(db, out, v, "village_code", "village_township",
                    f"SELECT line, village_code, township_code FROM {v.checked} "
                    "WHERE NOT starts_with(village_code, township_code)", [],
                    lambda vc, tc: f"村代码{shown_value(vc)}的前 9 位不是其乡镇代码{shown_value(tc)}")
        if {"planned_exit_year", "is_poor_village"} <= set(v.columns):
            _listed(db, out, v, "planned_exit_year", "planned_exit_year",
                    f"SELECT line, planned_exit_year FROM {v.checked} "
                    "WHERE planned_exit_year IS NOT NULL AND NOT is_poor_village", [],
                    lambda y: f"填写了计划退出年份 {y}，但该村不是贫困村（is_poor_village 为否）")
    span = _check_year_range(db, staged, out)
    hy, hh = staged.get("household_years"), staged.get("households")
    if (hy is not None and hh is not None and {"household_id", "year"} <= set(hy.columns)
            and {"household_id", "registered_year"} <= set(hh.columns)):
        _check_panel(db, hy, hh, out, span)


def _check_unique(db, s: Staged, cols, rule: str, out: Collector) -> None:
    keys = ", ".join(map(_q, cols))
    not_null = " AND ".join(f"{_q(c)} IS NOT NULL" for c in cols)
    spec = TABLES[s.table]

    def message(first_line, *values):
        shown = "，".join(f"{c} {shown_value(val, spec.column(c))}" for c, val in zip(cols, values))
        what = "主键重复" if rule == "duplicate_key" else "重复"
        return f"{what}：{shown} 与第 {first_line:,} 行相同"

    _listed(db, out, s, ", ".join(cols), rule,
            f"""SELECT line, first_line, {keys} FROM (
                  SELECT line, {keys}, min(line) OVER (PARTITION BY {keys}) AS first_line
                  FROM {s.checked} WHERE {not_null}
                    AND ({keys}) IN (SELECT ({keys}) FROM {s.checked} WHERE {not_null}
                                     GROUP BY ALL HAVING count(*) > 1))
                WHERE line > first_line""", [], message)


def _check_foreign_key(db, s: Staged, c: str, parent: Staged, rc: str, out: Collector) -> None:
    # parent keys as written, valid or not: a parent row with a bad key is reported once
    parent_keys = f"SELECT {_q('v_' + rc)} AS k FROM {parent.checked}"
    sql = (f"SELECT line, {_q(c)} FROM {s.checked} WHERE {_q(c)} IS NOT NULL "
           f"AND {_q(c)} NOT IN ({parent_keys} WHERE k IS NOT NULL)")
    if parent.dropped_rows or parent.rows == 0:
        # keys of rows the reader could not read are unknown: one line, not one per child
        n, first = db.fetch(f"SELECT count(*), min(line) FROM ({sql})")[0]
        if n:
            _add(out, s, first, c, "foreign_key",
                    f"{n:,} 行引用的 {c} 在 {parent.table}.{rc} 中不存在；" + (
                        f"{parent.source} 有 {parent.dropped_rows:,} 行无法读取（见上），多半是"
                        "它们，请先改正那些行" if parent.dropped_rows else
                        # an optional table's header alone is no problem of its own above
                        f"{parent.source} 没有数据行" + ("（见上）" if TABLES[parent.table].required
                                                       else "：只有表头")),
                 s.positions.get(c))
        return
    _listed(db, out, s, c, "foreign_key", sql, [],
            lambda key: f"{c} {shown_value(key, TABLES[s.table].column(c))} 在 "
                        f"{parent.table}.{rc} 中不存在")


def _check_year_range(db, staged: dict[str, Staged], out: Collector) -> tuple[int, int] | None:
    """exit_year, planned_exit_year, registered_year and village_support.year lie within
    the dataset's years (household_years' first to last year), widened by
    data/config.toml [import]."""
    hy = staged.get("household_years")
    if hy is None or "year" not in hy.columns:
        return None
    first, last = db.fetch(f"SELECT min(year), max(year) FROM {hy.checked}")[0]
    if first is None:
        return None
    allowance = load_config().imports
    low = first - int(allowance.get("year_allowance_before", 0))
    high = last + int(allowance.get("year_allowance_after", 0))
    for table, column in (("townships", "planned_exit_year"), ("villages", "planned_exit_year"),
                          ("villages", "exit_year"), ("households", "registered_year"),
                          ("village_support", "year")):
        s = staged.get(table)
        if s is None or column not in s.columns:
            continue
        _listed(db, out, s, column, "year_range",
                f"SELECT line, {_q(column)} FROM {s.checked} "
                f"WHERE {_q(column)} NOT BETWEEN ? AND ?", [low, high],
                lambda y: f"{y} 不在数据的年份范围 {low}–{high} 之内")
    return low, high


def _check_panel(db, hy: Staged, hh: Staged, out: Collector, span) -> None:
    """year_before_registered, year_gap and relapse_cause over the household panel.
    A registered_year outside the dataset's years (``span``) was reported as year_range
    and is left out here, so one typo is one problem."""
    low, high = span if span else (-INT_MAX, INT_MAX)
    reg = (f"SELECT household_id, min(registered_year) AS registered_year FROM {hh.checked} "
           f"WHERE household_id IS NOT NULL AND registered_year BETWEEN {int(low)} AND "
           f"{int(high)} GROUP BY ALL")
    _listed(db, out, hy, "year", "year_before_registered",
            f"SELECT y.line, y.year, r.registered_year, y.household_id FROM {hy.checked} y "
            f"JOIN ({reg}) r USING (household_id) WHERE y.year < r.registered_year", [],
            lambda y, r, h: f"年份 {y} 早于该户的识别年份 {r}（户编号{shown_value(h)}）")
    # a household with a year already reported (2030 typed for 2017) is not also gapped
    bad_years = (f"AND household_id NOT IN (SELECT household_id FROM {hy.checked} "
                 "WHERE e_year IS NOT NULL AND household_id IS NOT NULL)")
    # gaps: a household's distinct years from its registered_year fall short of the span
    # to its last year (an aggregate, no sort); only those households are then walked.
    # The distinct years are counted as the bits of a mask, one bit per year after the
    # registered year (a third of the time of count(DISTINCT) at scale 10), when the
    # dataset's years fit in 64 bits; years outside the span were reported and left out.
    distinct_years = ("bit_count(bit_or(1::UBIGINT << (y.year - r.registered_year)::UBIGINT))"
                      if span and high - low < 64 else "count(DISTINCT y.year)")
    db.execute(f"""CREATE OR REPLACE TEMP TABLE gapped AS
        SELECT household_id, any_value(r.registered_year) AS registered_year
        FROM {hy.checked} y JOIN ({reg}) r USING (household_id)
        WHERE y.year >= r.registered_year {bad_years}
        GROUP BY household_id
        HAVING {distinct_years} < max(y.year) - any_value(r.registered_year) + 1""")

    def gap_message(h, r, missing):
        years = "、".join(map(str, missing[:20])) + ("……" if len(missing) > 20 else "")
        return f"户{shown_value(h)}缺少 {years} 年的记录（从识别年份 {r} 起应逐年连续）"

    _listed(db, out, hy, "year", "year_gap",
            f"""SELECT min(line) AS line, household_id, any_value(registered_year),
                       flatten(list(range(coalesce(prev_year, registered_year - 1) + 1, year)
                                    ORDER BY year))
                FROM (SELECT y.line, y.household_id, y.year, g.registered_year,
                             lag(y.year) OVER (PARTITION BY y.household_id ORDER BY y.year)
                                 AS prev_year
                      FROM {hy.checked} y JOIN gapped g USING (household_id)
                      WHERE y.year >= g.registered_year)
                WHERE year - coalesce(prev_year, registered_year - 1) > 1
                GROUP BY household_id""", [], gap_message)
    db.execute("DROP TABLE gapped")
    last_year = db.fetch(f"SELECT max(year) FROM {hy.checked}")[0][0]
    if last_year is not None:
        _listed(db, out, hy, "household_id", "year_gap",
                f"""SELECT NULL::BIGINT AS line, h.household_id, h.line AS hh_line,
                           h.registered_year
                    FROM {hh.checked} h
                    WHERE h.household_id IS NOT NULL AND h.registered_year <= ?
                      AND h.household_id NOT IN (SELECT household_id FROM {hy.checked}
                                                 WHERE household_id IS NOT NULL)""",
                [last_year],
                lambda h, hl, r: f"户{shown_value(h)}（{hh.place(hl)[0]} 第 {hh.place(hl)[1]:,} 行）没有任何年度记录；"
                                 f"应从识别年份 {r} 起逐年填报")
    if {"status", "relapse_cause"} <= set(hy.columns):
        # only the rows with a cause are looked at, each with its previous year's row
        _listed(db, out, hy, "relapse_cause", "relapse_cause",
                f"""SELECT DISTINCT c.line, c.status FROM {hy.checked} c
                    LEFT JOIN {hy.checked} p
                      ON p.household_id = c.household_id AND p.year = c.year - 1
                    WHERE c.relapse_cause IS NOT NULL AND c.status IS NOT NULL
                      AND c.household_id IS NOT NULL AND c.year IS NOT NULL
                      {bad_years.replace("household_id NOT IN", "c.household_id NOT IN")}
                      AND NOT coalesce(c.status = {_lit(POOR)} AND p.status = {_lit(EXITED)},
                                       false)""", [],
                lambda st: "此行不是返贫（" + ("本年状态为已脱贫" if st == EXITED else
                                               "上一年不是已脱贫") +
                           "），不应填写返贫原因；返贫原因只用于上一年已脱贫、本年未脱贫的行")


def load_tables(db, staged: dict[str, Staged]) -> None:
    """Rule step 3: fill every contract table from its checked table (no problems left)."""
    for table in TABLE_ORDER:
        s = staged.get(table)
        if s is None:
            continue
        cols = ", ".join(_q(c.name) for c in TABLES[table].columns)
        db.execute(f"INSERT INTO {_q(table)} ({cols}) SELECT {cols} FROM {s.checked}")
