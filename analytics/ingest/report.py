"""What an import tells its user: problems and notices, in Chinese, with no personal value.

A ``Problem`` names its file, its line in that file (header = line 1), the column (name
and 1-based position in the file), a stable English rule id and a Chinese message.
Printed, it reads::

    households.csv 第 12 行，第 5 列 head_id_number（户主身份证号）：校验位不符 [id_checksum]

A problem rejects the import; a notice (``severity="notice"``) only informs (a skipped
sheet, normalised characters, hidden rows that were imported). The command line and the
upload page print the same text (``str(problem)``, ``write_problems_report``).

Values in messages go through ``shown_value``: an empty value is （空）; a value of a
personal column, and anything that looks like an ID number or a name in whatever column
it turns up, is masked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from analytics.contract import TABLE_ORDER, TABLES, Column, mask_id_number, mask_name

#: Individual problems listed per (table, column, rule); the rest are summarised.
MAX_PROBLEMS_PER_RULE = 1000
EMPTY = "（空）"

# the shapes of a 公民身份号码 (18 characters, GB 11643, or the old 15 digits) and of a
# mobile phone number, as whole runs of digits
_ID_LIKE = re.compile(r"(?<![0-9])([0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9])")
_PHONE_LIKE = re.compile(r"(?<![0-9])(86)?1[3-9][0-9]{9}(?![0-9])")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９ＸｘＸ", "0123456789XxX")


def safe_text(value: object) -> str:
    """A name a user wrote (a column header, a file or sheet name) as a message may show
    it: an ID or mobile number in it is masked (words such as 说明 or 备注 are shown)."""
    text = str(value)
    digits = re.sub(r"[\s\-+\u200b-\u200d\u2060\ufeff]", "", text.translate(_FULL_WIDTH_DIGITS))
    if _ID_LIKE.search(digits) or _PHONE_LIKE.search(digits):
        return mask_name(text)
    return text
_CJK = re.compile(r"[\u3400-\u9fff]")
# Words of the contract's vocabularies, safe to show (they are no one's name).
_VOCABULARY = frozenset(
    v for t in TABLES.values() for c in t.columns for v in (c.choices or ())) | {
    "是", "否", "未脱贫", "已脱贫", "贫困户", "脱贫户", "返贫户"}


#: The words of the contract's personal columns (poverty and relapse causes: illness,
#: disability, disaster …): a message never shows one, in whatever column it turns up.
_PERSONAL_WORDS = frozenset(
    v for t in TABLES.values() for c in t.columns if c.personal for v in (c.choices or ()))


def _is_vocabulary(text: str) -> bool:
    """A contract word, or a piece of one (脱贫 of 已脱贫): no one's name."""
    return any(text in word for word in _VOCABULARY)


def shown_value(value: object, column: Column | None = None) -> str:
    """A cell value as a message may show it, quoted: 「…」.

    （空） for an empty value. Masked (``mask_id_number`` / ``mask_name``), whatever the
    column: the value of a personal column; a value holding an ID number's or a mobile
    number's shape; a value with Chinese characters that is not a word (or part of a
    word) of the contract's vocabularies, since it may be a name (two or more characters:
    no name is one). A poverty or relapse cause (因病, 因残 …) is ＊ in any column.
    Cut at 30 characters.
    """
    if value is None or str(value).strip() == "":
        return EMPTY
    text = str(value).strip()
    digits = re.sub(r"[\s\-+\u200b-\u200d\u2060\ufeff]", "", text.translate(_FULL_WIDTH_DIGITS))
    id_like = _ID_LIKE.search(digits) is not None
    phone_like = _PHONE_LIKE.search(digits) is not None
    name_like = len(_CJK.findall(text)) >= 2 and not _is_vocabulary(text)  # no name is 1 字
    if any(word in text for word in _PERSONAL_WORDS):
        text = "＊"
    elif column is not None and column.personal:
        text = mask_id_number(text) if column.kind == "id_number" and not name_like \
            else mask_name(text)
    elif name_like:
        text = mask_name(text)
    elif id_like:
        text = mask_id_number(text)
    elif phone_like:
        text = mask_name(text)
    if len(text) > 30:
        text = text[:29] + "…"
    return f"「{text}」"


def column_title(table: str, column: str | None) -> str:
    """``head_id_number（户主身份证号）``: a contract column with its Chinese label."""
    if not column:
        return ""
    spec = TABLES.get(table)
    if spec is not None and column in spec.column_names and spec.column(column).label:
        return f"{column}（{spec.column(column).label}）"
    return column


@dataclass(frozen=True)
class Problem:
    """One problem (or notice) of an import.

    ``table``: the contract table, or ``"dataset"`` for the input as a whole; ``line``:
    the line in the file (header = 1; a workbook's row number; Parquet: row index + 2);
    ``column``: the column's name; ``column_index``: its 1-based position in the file;
    ``rule``: a stable English id (docs/import-rules.md); ``message``: Chinese;
    ``source``: the file as printed (``households.csv``, ``data.xlsx 工作表 households``).
    """

    table: str
    line: int | None
    column: str | None
    rule: str
    message: str
    source: str = ""
    column_index: int | None = None
    severity: str = "problem"
    more: int = 0  # a summary line: how many problems it stands for

    @property
    def count(self) -> int:
        """The problems this line stands for (1, or 1 + more for a summary line)."""
        return self.more or 1

    @property
    def where(self) -> str:
        """``households.csv 第 12 行，第 5 列 head_id_number（户主身份证号）``."""
        parts = [self.source or self.table]
        place = []
        if self.line is not None:
            place.append(f"第 {self.line:,} 行")
        if self.column_index is not None:
            place.append(f"第 {self.column_index} 列")
        text = " ".join(parts + (["，".join(place)] if place else []))
        if self.column:
            text += " " + column_title(self.table, self.column)
        return text

    def __str__(self) -> str:
        return f"{self.where}：{self.message} [{self.rule}]"


class ImportRejected(Exception):
    """The dataset breaks the contract; ``problems`` lists every problem found and
    ``notices`` what was noticed on the way. Nothing was changed."""

    def __init__(self, problems: Iterable[Problem], notices: Iterable[Problem] = ()):
        self.problems: list[Problem] = list(problems)
        self.notices: list[Problem] = list(notices)
        n = len(self.problems)
        first = f"；第一个：{self.problems[0]}" if self.problems else ""
        super().__init__(f"导入被拒绝：{n} 个问题{first}")


class Collector:
    """Collects problems and notices; ``add_many`` lists at most MAX_PROBLEMS_PER_RULE per
    (table, column, rule) and summarises the rest in one line."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.notices: list[Problem] = []

    def add(self, table: str, line: int | None, column: str | None, rule: str, message: str,
            source: str = "", column_index: int | None = None) -> None:
        self.problems.append(Problem(table, line, column, rule, message, source, column_index))

    def notice(self, table: str, line: int | None, column: str | None, rule: str,
               message: str, source: str = "", column_index: int | None = None) -> None:
        self.notices.append(Problem(table, line, column, rule, message, source, column_index,
                                    severity="notice"))

    def summary(self, table: str, column: str | None, rule: str, more: int, first: int | None,
                last: int | None, source: str = "", column_index: int | None = None) -> None:
        """The line standing for problems past the listed ones."""
        span = f"（第 {first:,}–{last:,} 行）" if first is not None and last is not None else ""
        self.problems.append(Problem(table, None, column, rule,
                                     f"……另有 {more:,} 行同样的问题{span}", source,
                                     column_index, more=more))


#: Problems of a file itself, not of its values: a file cut short or saved wrongly. Every
#: other problem may follow from one of them (a truncated households file leaves thousands
#: of household-years without their household), so they are listed first.
FILE_RULES = frozenset({"file_unreadable", "encoding", "bad_header", "bad_row", "bad_quote",
                        "nul_byte", "empty_table"})


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Dataset-wide problems first, then the problems of a file itself (``FILE_RULES``),
    then by table in load order, then by line."""
    order = {name: i for i, name in enumerate(("dataset", *TABLE_ORDER))}

    def key(p: Problem):
        group = 2 if p.more else (0 if p.line is None else 1)  # summaries after their lines
        return (p.table != "dataset", p.rule not in FILE_RULES, order.get(p.table, len(order)),
                p.source, group, p.line or 0, p.column_index or 0)

    return sorted(problems, key=key)


def file_problems_lead(problems: Iterable[Problem]) -> str | None:
    """The sentence that puts a file's own problems before the others (they may cause
    them), or None when there are none: what the command line and the upload page say
    under the total."""
    found = [p for p in problems if p.rule in FILE_RULES]
    if not found:
        return None
    files = sorted({p.source or p.table for p in found})
    named = "、".join(files[:3]) + ("等" if len(files) > 3 else "")
    return (f"先看 {named} 文件本身的 {problem_count(found):,} 个问题（字段数不对、引号不配对、"
            "文件损坏或被截断等）：其余问题可能由它们引起，修好后请重新导入。")


def problem_count(problems: Iterable[Problem]) -> int:
    """How many problems a list stands for (a summary line counts what it summarises)."""
    return sum(p.count for p in problems)


def write_problems_report(problems: Iterable[Problem], notices: Iterable[Problem] = ()) -> str:
    """The text the command line prints: a total, the problems grouped by table, then the
    notices."""
    problems, notices = list(problems), list(notices)
    lines: list[str] = []
    if problems:
        groups: dict[str, list[Problem]] = {}
        for p in problems:
            groups.setdefault(p.table, []).append(p)
        total = problem_count(problems)
        listed = "" if total == len(problems) else f"（逐条列出 {sum(not p.more for p in problems):,} 个）"
        lines.append(f"导入被拒绝：{len(groups)} 个表共 {total:,} 个问题{listed}。现有数据未改动。")
        lead = file_problems_lead(problems)
        lines += [lead, ""] if lead else [""]
        order = {name: i for i, name in enumerate(("dataset", *TABLE_ORDER))}
        first = {p.table for p in problems if p.rule in FILE_RULES}  # their tables first
        for table in sorted(groups, key=lambda t: (t != "dataset", t not in first,
                                                   order.get(t, len(order)), t)):
            title = f"{table}（{TABLES[table].label}）" if table in TABLES else "输入文件"
            lines.append(f"{title}：{problem_count(groups[table]):,} 个问题")
            lines += [f"  - {p}" for p in groups[table]]
            lines.append("")
    elif not notices:
        lines.append("没有发现问题。")
    if notices:
        lines.append(f"提示（{len(notices):,} 条，不影响导入）：")
        lines += [f"  - {p}" for p in notices]
        lines.append("")
    return "\n".join(lines) + "\n"
