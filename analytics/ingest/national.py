"""The files a county has, turned into the contract's tables (docs/import-formats.md).

Longer than 600 lines because the derivations below read one another's staged tables in
one order (persons → households → villages → townships): they are one pipeline.

Input: the raw staged files of the national formats (``layouts.formats()``): the person
roster exported by the national poverty information system, one file per year or one
stacked file; the village ledger (村级台账); the pairing list (帮扶责任人名单); the
statistics office's code table (统计用区划代码, Tongwei's in data/geo/ by default).
Output: staged contract tables (``d_households``, ``d_household_years``, ``d_villages``,
``d_village_years``, ``d_townships``, ``d_cadres``), every cell text, each row's
``line`` pointing at the file row it came from (``Staged.sources``), so the rules of
rules.py check them and report problems where the analyst can find them.

The derivations, in SQL over the staged rows, no table in pandas:

- **households from person rows**: one household per 户编号; its members in a year are
  its person rows (a 人数 that disagrees is a problem); its head is the row whose
  与户主关系 is a head word; the head's name, ID, cause, cadre and registration come
  from the head row of the household's latest year;
- **status** from the status word map; a relapse word must agree with the years (last
  year exited, this year poor), and the other way round when the export uses the word;
- **registration year** from 首次识别时间: its year, and a registration before the
  baseline year (December 2013) counts in the baseline (2014);
- **village codes** from township and village names through the code table;
- **两不愁三保障**: what the export holds (危房户 is housing's opposite); what it lacks stays
  unknown (NULL), never secure or insecure.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from analytics.contract import EXITED, INFRASTRUCTURE_COLUMNS, POOR, TABLES
from analytics.store.schema import sql_path
from analytics.ingest.layouts import FORMATS_DIR, Layout, formats
from analytics.ingest.report import Collector, safe_text, shown_value
from analytics.ingest.rules import (
    _FULL_WIDTH,
    _HALF_WIDTH,
    LINE_BASE,
    REPORTED,
    Staged,
    staging_relation,
    _listed,
    _lit,
    _q,
)

GEO_DIR = FORMATS_DIR.parent / "geo"
_YEAR = r"((19|20)[0-9]{2})"


_PLACE = re.compile(r"(村|社区|镇|乡|街道|委员会|居委会|村委会)$")


def _place(name: object) -> str:
    """A place name as a message shows it: in full when it reads as a place (ends in
    村, 社区, 镇, 乡 …), masked like any cell otherwise (a shifted column may hold a name)."""
    text = str(name or "").strip()
    return f"「{safe_text(text)}」" if _PLACE.search(text) else shown_value(text)


def _word(value: object) -> str:
    """A word of a value list (a status word) as a message shows it: in full when it is
    short, so the analyst can add it to the format file; masked like any cell when long
    or shaped like an ID or phone number."""
    text = str(value or "").strip()
    return f"「{safe_text(text)}」" if len(text) <= 10 else shown_value(text)


def _label(s: Staged, field: str) -> str:
    """A national format's field as its problems name it: the header it is known by."""
    layout = next(x for x in formats().values() if x.table == s.table)
    return layout.field_label(field)


def _norm_word(word: object) -> str:
    """A value-map key or cell as compared: NFKC, no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(word))).lower()


def _cell(expr: str) -> str:
    """SQL: a cell as compared with a value map (full-width → half-width, no spaces,
    lower case), NULL when empty. No regular expression: it runs on every person row."""
    return (f"NULLIF(lower(replace(replace(replace(translate({expr}, {_lit(_FULL_WIDTH)}, "
            f"{_lit(_HALF_WIDTH)}), ' ', ''), '　', ''), chr(160), '')), '')")


def _name_key(expr: str, suffixes) -> str:
    """SQL: a place name as matched: half-width, no spaces, a committee suffix dropped
    (李家村村民委员会 = 李家村). Run on distinct names only."""
    pattern = "(" + "|".join(re.escape(x) for x in suffixes) + ")$" if suffixes else "$^"
    return (f"NULLIF(regexp_replace(regexp_replace(translate(trim({expr}), {_lit(_FULL_WIDTH)}, "
            f"{_lit(_HALF_WIDTH)}), '[[:space:]　\u00a0]+', '', 'g'), {_lit(pattern)}, ''), '')")


def _yes_no(layout: Layout, expr: str, invert: bool = False) -> str:
    """SQL: a yes/no cell as 'true'/'false' (the rules read those); another word stays
    as written, for the rules to report; empty is NULL (unknown)."""
    t, f = ("false", "true") if invert else ("true", "false")
    words = {**{w: t for w in layout.values("yes")}, **{w: f for w in layout.values("no")}}
    return _map_case(words, expr, expr)


def _map_case(mapping: dict[str, str], expr: str, otherwise: str) -> str:
    """SQL: a cell through a value map of the format file; ``otherwise`` when the word
    is not in it, NULL when the cell is empty. The word as written is tried first (a
    simple CASE: nearly every cell), its normalised form (``_cell``) only when that
    misses."""
    if not mapping:
        return otherwise
    raw = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in mapping.items())
    norm = " ".join(f"WHEN {_lit(_norm_word(k))} THEN {_lit(v)}" for k, v in mapping.items())
    return f"CASE {expr} {raw} ELSE CASE {_cell(expr)} {norm} ELSE {otherwise} END END"


def _stack(db, parts: list[Staged], layout: Layout, name: str, key: str,
           out: Collector) -> Staged:
    """One table of every file of a format: ``line`` = file index × LINE_BASE + line,
    ``src`` the file index, one VARCHAR column per field (NULL where a file lacks it).
    Rows without ``key`` are then dropped when they are 合计, 填表人 or blank rows (a
    notice), reported as ``required`` otherwise."""
    selects = []
    for i, part in enumerate(parts):
        cols = [f"{i}::BIGINT * {LINE_BASE} + line AS line", f"{i} AS src"]
        for f in layout.fields:
            c = part.columns.get(f)
            cols.append(f"NULLIF(trim({_q(c)}), '') AS {_q(f)}" if c else f"NULL::VARCHAR AS {_q(f)}")
        # the row's first three cells, whatever they hold, kept only where the key is empty
        raw = [r[0] for r in db.fetch(f"DESCRIBE {part.relation}") if re.fullmatch(r"c[0-9]+", r[0])]
        first = " || '|' || ".join(f"coalesce({_q(c)}, '')" for c in raw[:3]) or "''"
        k = part.columns.get(key)
        cols.append(f"CASE WHEN NULLIF(trim({_q(k)}), '') IS NULL THEN {first} END AS head_text"
                    if k else f"{first} AS head_text")
        selects.append(f"SELECT {', '.join(cols)} FROM {part.relation}")
    # views, not tables: the files' rows are copied once, into the table derived from them
    every = staging_relation(name + "_all")
    relation = staging_relation(name)
    db.execute(f"CREATE OR REPLACE VIEW {every} AS {' UNION ALL '.join(selects)}")
    stacked = Staged(layout.table, parts[0].source, relation, {}, {},
                     {layout.field_label(f): p for f, p in parts[0].positions.items()},
                     sources=tuple(p.source for p in parts))
    stacked.rows = sum(p.rows for p in parts)
    markers = "|".join(re.escape(m) for m in layout.footer_markers) or "$^"
    footer = f"regexp_matches(head_text, {_lit('(^|[|])[[:space:]]*(' + markers + ')')})"
    blank = " AND ".join(f"{_q(f)} IS NULL" for f in layout.fields)
    dropped = f"({footer} OR ({blank}))"
    for src, n in db.fetch(f"SELECT src, count(*) FROM {every} WHERE {_q(key)} IS NULL "
                           f"AND {dropped} GROUP BY src ORDER BY src"):
        out.notice(layout.table, None, None, "footer_rows",
                   f"跳过了 {n:,} 行合计、填表人或空行", parts[src].source)
    label = layout.field_label(key)
    _listed(db, out, stacked, label, "required",
            f"SELECT line FROM {every} WHERE {_q(key)} IS NULL AND NOT {dropped}", [],
            lambda: f"“{label}”必须填写，不能为空")
    db.execute(f"CREATE OR REPLACE VIEW {relation} AS SELECT * FROM {every} "
               f"WHERE {_q(key)} IS NOT NULL")
    return stacked


def _drop_stack(db, name: str, parts: list[Staged]) -> None:
    """Drop the views of the stack ``name`` (as given to ``_stack``) and the files'
    staged rows, once derived from. Identifiers: our own names, quoted by ``_q``."""
    for view in (name, name + "_all"):
        db.execute(f"DROP VIEW IF EXISTS {staging_relation(view)}")
    for part in parts:
        db.execute(f"DROP TABLE IF EXISTS {part.relation}")


def _years(db, s: Staged, parts: list[Staged], layout: Layout, out: Collector) -> str | None:
    """SQL: a stacked format row's year. A file with no year column, a year that cannot
    be read, and two files for one year are problems. None when a file has no year
    column: nothing is derived from it then (every other problem would be a knock-on)."""
    given = [f for f in layout.year_from]
    without = [str(i) for i, p in enumerate(parts) if not any(f in p.columns for f in given)]
    for i in without:
        names = "或".join(f"“{layout.field_label(f)}”" for f in given)
        out.add(s.table, None, None, "format_year",
                f"没有{names}列：无法知道这是哪一年的{layout.label}；请加上这一列",
                parts[int(i)].source)
    if without:
        return None
    source = "coalesce(" + ", ".join(_q(f) for f in given) + ")"
    year = (f"coalesce(TRY_CAST({source} AS INTEGER), "
            f"TRY_CAST(regexp_extract({source}, {_lit(_YEAR)}, 1) AS INTEGER))")
    _listed(db, out, s, layout.field_label(given[0]), "format_year",
            f"SELECT line FROM {s.relation} WHERE {source} IS NOT NULL AND {year} IS NULL", [],
            lambda: "年度或数据日期中读不出年份（应如 2016、2016年、2016-12-31）")
    _listed(db, out, s, layout.field_label(given[0]), "format_year",
            f"SELECT line FROM {s.relation} WHERE {source} IS NULL"
            + (f" AND src NOT IN ({', '.join(without)})" if without else ""), [],
            lambda: "年度或数据日期为空")
    twice = db.fetch(
        f"SELECT y, list(DISTINCT src ORDER BY src) FROM (SELECT {year} AS y, src FROM "
        f"{s.relation}) WHERE y IS NOT NULL GROUP BY y HAVING count(DISTINCT src) > 1 "
        "ORDER BY y")
    for y, files in twice:
        names = "、".join(parts[i].source for i in files)
        out.add(s.table, None, None, "duplicate_year",
                f"{y} 年的{layout.label}有 {len(files)} 个文件：{names}；每年只能有一个",
                parts[files[0]].source)
    return None if twice else year  # two files for a year: every household a knock-on


# --------------------------------------------------------------------------- places


def _places(db, codes: list[Staged], out: Collector) -> None:
    """``staging.places``: township_code, township_name, tkey, village_code, village_name,
    vkey, from the code table given, else Tongwei's (data/geo/)."""
    suffixes = formats()["codes"].values("name_suffixes")
    if codes:
        s = _stack(db, codes, formats()["codes"], "raw_codes", "code", out)
        code = "regexp_replace(code, '[^0-9]', '', 'g')"
        db.execute(f"""CREATE OR REPLACE TABLE staging.places AS
            WITH c AS (SELECT {code} AS code, trim(name) AS name FROM {s.relation}
                       WHERE code IS NOT NULL AND name IS NOT NULL),
            t AS (SELECT left(code, 9) AS township_code, any_value(name) AS township_name FROM c
                  WHERE (length(code) = 12 AND right(code, 3) = '000' AND substr(code, 7, 3) <> '000')
                     OR length(code) = 9 GROUP BY 1)
            SELECT t.township_code, t.township_name, v.code AS village_code,
                   {_name_key('v.name', suffixes)} AS village_name
            FROM t LEFT JOIN c v ON length(v.code) = 12 AND right(v.code, 3) <> '000'
                                AND left(v.code, 9) = t.township_code""")
        _drop_stack(db, "raw_codes", codes)
    else:
        db.execute(f"""CREATE OR REPLACE TABLE staging.places AS
            SELECT t.township_code, t.name AS township_name, v.village_code,
                   {_name_key('v.name', suffixes)} AS village_name
            FROM read_csv({sql_path(GEO_DIR / 'townships.csv')}, all_varchar = true) t
            LEFT JOIN read_csv({sql_path(GEO_DIR / 'villages.csv')}, all_varchar = true) v
              USING (township_code)""")
    db.execute(f"""CREATE OR REPLACE TABLE staging.places AS
                   SELECT *, {_name_key('township_name', ())} AS tkey,
                          {_name_key('village_name', ())} AS vkey FROM staging.places""")


def _village_codes(db, s: Staged, out: Collector) -> str:
    """Match a stacked table's township and village names to codes, per distinct pair of
    names: the temp table ``name_codes`` (township, village as written; tkey, vkey;
    village_code when the names name one village). An unknown or ambiguous name is a
    problem at its first line. Returns the join clause (alias ``n``, rows ``raw``)."""
    suffixes = formats()["codes"].values("name_suffixes")
    db.execute(f"""CREATE OR REPLACE TEMP TABLE name_codes AS
        SELECT k.*,
               (SELECT count(*) FROM staging.places p WHERE p.tkey = k.tkey) AS townships,
               (SELECT list(village_code) FROM staging.places p
                WHERE p.tkey = k.tkey AND p.vkey = k.vkey) AS codes
        FROM (SELECT township, village, line, {_name_key('township', ())} AS tkey,
                     {_name_key('village', suffixes)} AS vkey
              FROM (SELECT township, village, min(line) AS line FROM {s.relation}
                    GROUP BY ALL)) k""")
    _listed(db, out, s, _label(s, "township"), "place_name",
            "SELECT min(line) AS line, any_value(township) FROM name_codes WHERE tkey IS NOT NULL "
            "AND townships = 0 GROUP BY tkey", [],
            lambda t: f"乡镇{_place(t)}不在统计用区划代码表中（请核对名称，或在文件夹中放入本县的"
                      "统计用区划代码表）")
    _listed(db, out, s, _label(s, "village"), "place_name",
            "SELECT line, township, village, coalesce(len(codes), 0) FROM name_codes "
            "WHERE townships > 0 AND vkey IS NOT NULL AND coalesce(len(codes), 0) <> 1", [],
            lambda t, v, n: (f"{_place(t)}没有名为{_place(v)}的行政村（统计用区划代码表）"
                             if n == 0 else
                             f"{_place(t)}有 {n} 个名为{_place(v)}的行政村：名称无法确定村代码"))
    _listed(db, out, s, _label(s, "village"), "required",
            "SELECT line FROM name_codes WHERE tkey IS NULL OR vkey IS NULL", [],
            lambda: "乡镇和行政村必须填写")
    db.execute("""ALTER TABLE name_codes ADD COLUMN village_code VARCHAR;
                  UPDATE name_codes SET village_code = codes[1] WHERE coalesce(len(codes), 0) = 1""")
    return "LEFT JOIN name_codes n ON n.township = raw.township AND n.village = raw.village"


# --------------------------------------------------------------------------- derivations


def _derived(db, table: str, sql: str, sources: tuple[str, ...], label: str) -> Staged:
    relation = staging_relation("d_" + table)
    db.execute(f"CREATE OR REPLACE TABLE {relation} AS {sql}")
    names = [r[0] for r in db.fetch(f"DESCRIBE {relation}") if r[0] != "line"]
    staged = Staged(table, label, relation, {c: c for c in names}, {c: "VARCHAR" for c in names},
                    {}, sources=sources)
    staged.rows = db.fetch(f"SELECT count(*) FROM {relation}")[0][0]
    return staged


def _data_date(db, roster: str, parts: list[Staged]) -> date | None:
    """The roster's own date: the latest whole date in 数据日期 (``data_date``: 2016-12-31,
    2016/12/31, 2016年12月31日, or a date cell) among the rows of its last year (``yr``),
    or None when that year's rows give none. Dates that do not exist (2016-02-30) are
    not dates."""
    if not any("data_date" in p.columns for p in parts):
        return None
    return db.fetch(f"""SELECT max(TRY_CAST(s.y || '-' || lpad(s.m, 2, '0') || '-' || lpad(s.d, 2, '0')
                                   AS DATE))
        FROM (SELECT regexp_extract(CAST(data_date AS VARCHAR),
                                    '((?:19|20)[0-9]{{2}})\\D{{1,3}}([0-9]{{1,2}})\\D{{1,3}}([0-9]{{1,2}})',
                                    ['y', 'm', 'd']) AS s
              FROM {roster} WHERE yr = (SELECT max(yr) FROM {roster}))
        WHERE s.y <> ''""")[0][0]


def _roster(db, parts: list[Staged], pairing: Staged | None, out: Collector,
            staged: dict[str, Staged]) -> date | None:
    """Derive households and household_years from the roster files; returns the roster's
    own date (``_data_date``), None when it gives none or cannot be derived."""
    layout = formats()["roster"]
    spec = layout.spec["format"]
    s = _stack(db, parts, layout, "raw_roster", "household_id", out)
    year = _years(db, s, parts, layout, out)
    if year is None:
        return None
    join = _village_codes(db, s, out)
    heads = ", ".join(_lit(_norm_word(w)) for w in layout.values("head"))
    relapse_words = ", ".join(_lit(_norm_word(w)) for w in layout.values("relapse")["words"])
    r = "staging.roster"
    # the words, mapped once per distinct word (a few), then joined to every person row
    db.execute(f"""CREATE OR REPLACE TEMP TABLE relation_words AS
        SELECT relation, coalesce({_cell('relation')} IN ({heads}), false) AS is_head
        FROM (SELECT DISTINCT relation FROM {s.relation})""")
    db.execute(f"""CREATE OR REPLACE TEMP TABLE status_words AS
        SELECT status, {_map_case(layout.values('status'), 'status', 'NULL')} AS st,
               coalesce({_cell('status')} IN ({relapse_words}), false) AS relapse_word
        FROM (SELECT DISTINCT status FROM {s.relation})""")
    db.execute(f"""CREATE OR REPLACE TABLE {r} AS
        SELECT raw.*, {year} AS yr, n.tkey, n.vkey, n.village_code,
               coalesce(rw.is_head, false) AS is_head, sw.st,
               coalesce(sw.relapse_word, false) AS relapse_word
        FROM {s.relation} raw {join}
        LEFT JOIN relation_words rw ON rw.relation = raw.relation
        LEFT JOIN status_words sw ON sw.status = raw.status""")
    _drop_stack(db, "raw_roster", parts)
    s.relation = r
    as_of = _data_date(db, r, parts)
    _listed(db, out, s, _label(s, "status"), "value_map",
            f"SELECT line, status FROM {r} WHERE is_head AND status IS NOT NULL AND st IS NULL", [],
            lambda w: f"{_word(w)} 不是认识的贫困户状态（可在 data/formats/roster.toml "
                      "[values.status] 中加上它）")
    # one household, one village
    _listed(db, out, s, _label(s, "village"), "household_villages",
            f"""SELECT line, household_id, first_place, township || village FROM (
                  SELECT line, household_id, township, village, tkey, vkey,
                         first(township || village ORDER BY line) OVER w AS first_place,
                         first(tkey || '|' || vkey ORDER BY line) OVER w AS first_key,
                         row_number() OVER (PARTITION BY household_id, tkey, vkey ORDER BY line) AS k
                  FROM {r} WHERE tkey IS NOT NULL AND vkey IS NOT NULL
                    AND household_id IN (SELECT household_id FROM {r} GROUP BY household_id
                                         HAVING count(DISTINCT (tkey, vkey)) > 1)
                  WINDOW w AS (PARTITION BY household_id))
                WHERE tkey || '|' || vkey <> first_key AND k = 1""", [],
            lambda h, a, b: f"户编号{shown_value(h, TABLES['households'].column('household_id'))}"
                            f"出现在两个村：{_place(a)}和{_place(b)}")
    # per household-year: person count, heads, the stated 人数
    members = "members" if "members" in _fields_given(parts) else "NULL"
    db.execute(f"""CREATE OR REPLACE TABLE staging.roster_hy AS
        SELECT household_id, yr, count(*) AS persons, count(*) FILTER (WHERE is_head) AS heads,
               min(line) AS first_line, min(line) FILTER (WHERE is_head) AS head_line,
               TRY_CAST(regexp_replace(any_value({members}), '\\.0+$', '') AS BIGINT) AS stated
        FROM {r} WHERE yr IS NOT NULL GROUP BY household_id, yr""")
    _listed(db, out, s, _label(s, "relation"), "household_head",
            "SELECT first_line AS line, heads, yr FROM staging.roster_hy WHERE heads <> 1", [],
            lambda n, y: (f"{y} 年这一户没有户主行（与户主关系为“户主”的行）" if n == 0 else
                          f"{y} 年这一户有 {n} 个户主行：每户只能有一个户主"))
    _listed(db, out, s, _label(s, "members"), "household_members",
            "SELECT coalesce(head_line, first_line) AS line, stated, persons FROM staging.roster_hy "
            "WHERE stated IS NOT NULL AND stated <> persons", [],
            lambda st, n: f"人数写的是 {st}，名单中这一户有 {n} 人")
    fields = _fields_given(parts)

    def f(name: str) -> str:
        return f"h.{_q(name)}" if name in fields else "NULL::VARCHAR"

    if "wage_income" in fields:
        wage = f("wage_income")
    elif "wage_income_household" in fields:
        total = f("wage_income_household")
        wage = (f"CASE WHEN TRY_CAST({total} AS DOUBLE) IS NULL THEN {total} ELSE "
                f"CAST(TRY_CAST({total} AS DOUBLE) / c.persons AS VARCHAR) END")
    else:
        wage = "NULL::VARCHAR"
    attribute = _map_case(layout.values("attribute"), f("attribute"), "NULL") \
        if "attribute" in fields else "NULL"
    dibao = (_map_case(layout.values("dibao_class"), f("dibao_class"), f("dibao_class"))
             if "dibao_class" in fields else "NULL::VARCHAR")
    security = []
    for column, field_name, invert in (("food_clothing_secure", "food_clothing_secure", False),
                                       ("education_secure", "education_secure", False),
                                       ("medical_secure", "medical_secure", False),
                                       ("housing_secure", "housing_unsafe", True),
                                       ("water_secure", "water_secure", False)):
        security.append((_yes_no(layout, f(field_name), invert) if field_name in fields
                         else "NULL::VARCHAR") + f" AS {column}")
    # a household-year without its head row (reported above) still has its row, its
    # head's values marked as reported, so it does not also show as a gap in the years
    no_head = "h.line IS NULL"
    reported = _lit(REPORTED)
    hy = _derived(db, "household_years", f"""
        SELECT coalesce(c.head_line, c.first_line) AS line, c.household_id,
               c.yr::VARCHAR AS year, c.persons::VARCHAR AS members,
               CASE WHEN {no_head} THEN {reported} ELSE {f('income')} END AS net_income_per_capita,
               {wage} AS wage_income_per_capita,
               CASE WHEN {no_head} THEN {reported} WHEN h.status IS NULL THEN NULL
                    ELSE coalesce(h.st, {reported}) END AS status,
               {f('relapse_cause')} AS relapse_cause,
               CASE WHEN {attribute} = 'none' THEN NULL ELSE {dibao} END AS dibao_class,
               {', '.join(security)}, coalesce(h.relapse_word, false) AS relapse_word
        FROM staging.roster_hy c LEFT JOIN {r} h ON h.line = c.head_line""",
                  s.sources, layout.label)
    # the relapse word and the years agree
    any_word = db.fetch(f"SELECT bool_or(relapse_word) FROM {hy.relation}")[0][0]
    _listed(db, out, hy, "status", "relapse_word",
            f"""SELECT line, word FROM (
                  SELECT line, relapse_word AS word, status,
                         lag(status) OVER w AS prev, lag(year::INTEGER) OVER w AS prev_year,
                         year::INTEGER AS y
                  FROM {hy.relation} WINDOW w AS (PARTITION BY household_id ORDER BY year::INTEGER))
                WHERE status IN ({_lit(POOR)}, {_lit(EXITED)})
                  AND ((word AND NOT coalesce(prev = {_lit(EXITED)} AND prev_year = y - 1
                                              AND status = {_lit(POOR)}, false))
                       OR ({bool(any_word)} AND NOT word AND prev = {_lit(EXITED)}
                           AND prev_year = y - 1 AND status = {_lit(POOR)}))""", [],
            lambda word: ("贫困户状态为返贫，但上一年不是已脱贫，或本年已脱贫" if word else
                          "上一年已脱贫、本年未脱贫，贫困户状态应为返贫户"))
    db.execute(f"ALTER TABLE {hy.relation} DROP COLUMN relapse_word")
    del hy.columns["relapse_word"], hy.types["relapse_word"]
    staged["household_years"] = hy
    # households: the head row of each household's latest year
    baseline = int(spec.get("baseline_year", 0))
    registered = f("registered")
    reg_year = f"TRY_CAST(regexp_extract({registered}, {_lit(_YEAR)}, 1) AS INTEGER)"
    cadre = _cadre_ids(db, s, pairing, fields, out)
    unit = "h.cadre_unit" if "cadre_unit" in fields else "NULL"
    join = (f"LEFT JOIN staging.cadre_keys k ON k.name = h.cadre_name "
            f"AND k.unit IS NOT DISTINCT FROM {unit}" if "k.cadre_id" in cadre else "")
    staged["households"] = _derived(db, "households", f"""
        SELECT coalesce(h.line, first.line) AS line, l.household_id,
               coalesce(h.village_code, first.village_code) AS village_code,
               CASE WHEN {no_head} THEN {reported} ELSE {f('name')} END AS head_name,
               CASE WHEN {no_head} THEN {reported} ELSE {f('id_number')} END AS head_id_number,
               CASE WHEN {no_head} THEN {reported} WHEN {reg_year} IS NULL THEN {registered}
                    ELSE greatest({reg_year}, {baseline})::VARCHAR END AS registered_year,
               CASE WHEN {no_head} THEN {reported} ELSE {f('poverty_cause')} END AS poverty_cause,
               {cadre} AS cadre_id
        FROM (SELECT household_id, arg_max(head_line, yr) FILTER (WHERE head_line IS NOT NULL)
                       AS head_line, min(first_line) AS first_line
              FROM staging.roster_hy GROUP BY household_id) l
        LEFT JOIN {r} h ON h.line = l.head_line
        LEFT JOIN {r} first ON first.line = l.first_line
        {join}""", s.sources, layout.label)
    return as_of


def _fields_given(parts: list[Staged]) -> set[str]:
    return {f for p in parts for f in p.columns}


def _cadre_ids(db, s: Staged, pairing: Staged | None, fields: set[str], out: Collector) -> str:
    """SQL (over the head row ``h`` and the lookup ``k``): the household's cadre_id, from
    the roster's 帮扶责任人编号 where a file has it, else its 帮扶责任人 and 帮扶单位 looked up
    in the pairing list (``staging.cadre_keys``)."""
    given = "h.cadre_id" if "cadre_id" in fields else "NULL::VARCHAR"
    if "cadre_name" not in fields:
        return given
    if pairing is None:
        if "cadre_id" not in fields:
            out.notice(s.table, None, None, "optional_table_missing",
                       "建档立卡人口明细写了帮扶责任人，但没有帮扶责任人名单：户的帮扶责任人未导入",
                       s.source)
            return "NULL::VARCHAR"
        return given
    unit = "h.cadre_unit" if "cadre_unit" in fields else "NULL"
    def message(n, lines):
        if not n:
            return "帮扶责任人（姓名和帮扶单位）在帮扶责任人名单中找不到"
        where = "、".join(f"{src} 第 {ln:,} 行" for src, ln in map(pairing.place, lines[:5]))
        return (f"帮扶责任人名单中有 {n} 位同名同单位的帮扶责任人（{where}）：无法确定是哪一位；"
                "请在名单和明细中都加上“帮扶责任人编号”列")

    _listed(db, out, s, _label(s, "cadre_name"), "cadre_match",
            f"""SELECT min(h.line) AS line, any_value(k.n), any_value(k.lines)
                FROM {s.relation} h
                LEFT JOIN staging.cadre_keys k ON k.name = h.cadre_name
                     AND k.unit IS NOT DISTINCT FROM {unit}
                WHERE h.is_head AND h.cadre_name IS NOT NULL AND k.cadre_id IS NULL
                  AND {given} IS NULL
                GROUP BY h.cadre_name, {unit}""", [], message)
    return f"coalesce({given}, k.cadre_id)"


def _pairing(db, parts: list[Staged], out: Collector, staged: dict[str, Staged]) -> Staged:
    layout = formats()["pairing"]
    s = _stack(db, parts, layout, "raw_pairing", "cadre_name", out)
    rank = _map_case(layout.values("rank"), "rank", "rank")
    cadres = _derived(db, "cadres", f"""
        SELECT line, coalesce(cadre_id, 'BF' || lpad((row_number() OVER (ORDER BY line))::VARCHAR,
                                                        6, '0')) AS cadre_id,
               cadre_name AS name, {rank} AS rank, cadre_unit AS unit
        FROM {s.relation}""", s.sources, layout.label)
    staged["cadres"] = cadres
    # name + unit → id, for rosters without 帮扶责任人编号 (a pair named twice: no id)
    db.execute(f"""CREATE OR REPLACE TABLE staging.cadre_keys AS
        SELECT name, unit, CASE WHEN count(*) = 1 THEN any_value(cadre_id) END AS cadre_id,
               count(*) AS n, list(line ORDER BY line) AS lines
        FROM {cadres.relation} GROUP BY name, unit""")
    _drop_stack(db, "raw_pairing", parts)  # its lines stay known (``place``); rows in cadres
    return s


def _ledger(db, parts: list[Staged], out: Collector, staged: dict[str, Staged]) -> None:
    layout = formats()["ledger"]
    s = _stack(db, parts, layout, "raw_ledger", "village", out)
    year = _years(db, s, parts, layout, out)
    if year is None:
        return
    join = _village_codes(db, s, out)
    r = "staging.ledger"
    db.execute(f"CREATE OR REPLACE TABLE {r} AS SELECT raw.*, {year} AS yr, n.village_code "
               f"FROM {s.relation} raw {join}")
    _drop_stack(db, "raw_ledger", parts)
    s.relation = r
    fields = _fields_given(parts)

    def f(name: str) -> str:
        return _q(name) if name in fields else "NULL::VARCHAR"

    bools = ", ".join((_yes_no(layout, f(c)) if c in fields else "NULL::VARCHAR") + f" AS {c}"
                      for c in INFRASTRUCTURE_COLUMNS)
    staged["village_years"] = _derived(db, "village_years", f"""
        SELECT line, village_code, yr::VARCHAR AS year,
               {f('registered_population')} AS registered_population,
               {f('households')} AS households,
               {f('rural_income_per_capita')} AS rural_income_per_capita, {bools},
               {f('online_shops')} AS online_shops, {f('mutual_fund_yuan')} AS mutual_fund_yuan,
               {f('collective_income_yuan')} AS collective_income_yuan
        FROM {r} WHERE village_code IS NOT NULL""", s.sources, layout.label)
    poor = _yes_no(layout, f("is_poor_village")) if "is_poor_village" in fields else "NULL"
    staged["villages"] = _derived(db, "villages", f"""
        SELECT arg_max(r.line, r.yr) AS line, r.village_code,
               any_value(p.township_code) AS township_code, any_value(p.village_name) AS name,
               arg_max({poor}, r.yr) AS is_poor_village,
               arg_max({f('planned_exit_year')}, r.yr) AS planned_exit_year,
               arg_max({f('exit_year')}, r.yr) AS exit_year,
               NULL::VARCHAR AS lat, NULL::VARCHAR AS lon
        FROM {r} r JOIN staging.places p USING (village_code)
        GROUP BY r.village_code""", s.sources, layout.label)


def _townships(db, codes_given: bool, staged: dict[str, Staged]) -> None:
    """Townships from the code table: kind from the name's ending; Tongwei's own table
    (data/geo/townships.csv) also gives short names, planned exit years and seats."""
    if codes_given:
        sql = """SELECT NULL::BIGINT AS line, township_code, any_value(township_name) AS name,
                        NULL::VARCHAR AS short_name,
                        CASE WHEN ends_with(any_value(township_name), '镇') THEN '镇'
                             WHEN ends_with(any_value(township_name), '乡') THEN '乡' END AS kind,
                        NULL::VARCHAR AS planned_exit_year, NULL::VARCHAR AS seat_lat,
                        NULL::VARCHAR AS seat_lon
                 FROM staging.places GROUP BY township_code"""
    else:
        sql = (f"SELECT row_number() OVER () + 1 AS line, township_code, name, short_name, kind, "
               f"planned_exit_year, seat_lat, seat_lon FROM read_csv("
               f"{sql_path(GEO_DIR / 'townships.csv')}, all_varchar = true)")
    staged["townships"] = _derived(db, "townships", sql, (),
                                   "统计用区划代码表" if codes_given else "data/geo/townships.csv")


def derive(db, raw: dict[str, list[Staged]], staged: dict[str, Staged], given: set[str],
           out: Collector, progress=None) -> date | None:
    """Turn the national formats' staged files (``raw``: format name → files) into staged
    contract tables, added to ``staged`` and ``given``. A table given directly in the
    contract format (``staged``) wins over a derived one: providing both is a problem.
    Returns the data's own date when the roster states one (``_data_date``), else None."""
    if not any(raw.get(k) for k in ("roster", "ledger", "pairing")):
        return None
    if out.problems:
        # a file that could not be read whole (encoding, header, cells) would make every
        # relation between households and years a knock-on: those wait for the next try
        out.notice("dataset", None, None, "derivation_skipped",
                   "文件本身有问题（见上）：改正后再导入，才会检查户、户主、人数、年度之间的关系",
                   "")
        for fmt, tables in (("roster", ("households", "household_years")),
                            ("ledger", ("villages", "village_years")), ("pairing", ("cadres",))):
            if raw.get(fmt):
                given.update(tables)
        return None
    if progress:
        progress("整理建档立卡人口明细、村级台账和帮扶责任人名单")
    derived: dict[str, Staged] = {}
    direct = set(given)  # the tables given in the contract format
    _places(db, raw.get("codes", []), out)
    pairing = _pairing(db, raw["pairing"], out, derived) if raw.get("pairing") else None
    as_of = _roster(db, raw["roster"], pairing, out, derived) if raw.get("roster") else None
    if raw.get("ledger"):
        _ledger(db, raw["ledger"], out, derived)
        if "townships" not in direct:
            _townships(db, bool(raw.get("codes")), derived)
    for table, s in derived.items():
        if table in direct:
            out.add(table, None, None, "duplicate_source",
                    f"表 {table}（{TABLES[table].label}）既由 {staged[table].source} 提供，"
                    f"又可由{s.source}得出；请只保留一个", staged[table].source)
            continue
        staged[table] = s
        given.add(table)
    # a format given but not derivable (a file without its year) already said why: its
    # tables count as given, so they are not also reported missing
    if raw.get("roster"):
        given |= {"households", "household_years"}
    if raw.get("ledger"):
        given |= {"villages", "village_years"}
    return as_of
