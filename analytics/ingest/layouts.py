"""Input layouts: which header names feed which field, for every table or file a county has.

A *layout* is what a file's header is matched against:

- each contract table (``households``, ``villages`` …) with its column names and the
  Chinese labels the product's own exports write (户编号, 户主姓名 …);
- each format of ``data/formats/*.toml``: the national system's person roster
  (``roster``), the village ledger (``ledger``), the pairing list (``pairing``) and the
  statistics office's code table (``codes``). Their aliases, value maps and rules are
  data: an analyst adds a province's variant to the file, not to the code.

``recognise(rows)`` finds, in a file's first rows, the header (a two-row header is
joined) and the layout it names best. Header names match after ``header_key``: spaces
removed, case folded, full-width brackets made half-width and a trailing unit in
brackets (``人均纯收入(元)``) dropped.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from analytics.contract import TABLE_ORDER, TABLES, Column

FORMATS_DIR = Path(__file__).resolve().parents[2] / "data" / "formats"
#: How many rows from the top a header is looked for in.
HEADER_SEARCH_ROWS = 10
# a unit in brackets that does not change the value (人均纯收入(元)); (万元) does, so a
# header with it matches no alias and is not read as yuan
_UNIT = re.compile(r"\((元|人|户|个|元/人|%|年)\)$")

#: The contract column that says how a national-format field's cells are read from a
#: workbook (numbers in code and ID fields, dates in year fields).
_FIELD_COLUMNS = {
    "household_id": ("households", "household_id"),
    "id_number": ("households", "head_id_number"),
    "cadre_id": ("cadres", "cadre_id"),
    "year": ("household_years", "year"),
    "code": ("villages", "village_code"),
}


def header_key(name: object) -> str:
    """A header cell as compared: NFKC (full-width → half-width), no spaces, lower case,
    a trailing unit in brackets dropped."""
    text = unicodedata.normalize("NFKC", str(name or ""))
    text = re.sub(r"\s+", "", text).lower()
    return _UNIT.sub("", text)


@dataclass(frozen=True)
class Layout:
    """A table or file format a header can name.

    ``fields``: field names in order; ``aliases``: header key → field; ``required``:
    fields a file of this layout cannot do without; ``identify``: fields that, all named,
    make a header this layout's; ``strict``: contract tables (a column the contract
    does not know is a problem; national formats ignore it); ``table``: the contract
    table a problem of this layout is filed under; ``spec``: the format file's content.
    """

    name: str
    label: str
    fields: tuple[str, ...]
    aliases: dict[str, str]
    required: frozenset[str]
    identify: tuple[str, ...]
    strict: bool
    table: str
    spec: dict = field(default_factory=dict, compare=False, hash=False)

    def column(self, name: str) -> Column | None:
        """The contract column a field's cells are read as (None: plain text)."""
        if self.strict:
            return TABLES[self.name].column(name)
        where = _FIELD_COLUMNS.get(name)
        return TABLES[where[0]].column(where[1]) if where else None

    def values(self, key: str):
        """A value map or list of the format file (``[values]``), empty when absent."""
        return self.spec.get("values", {}).get(key, {})

    @property
    def footer_markers(self) -> tuple[str, ...]:
        return tuple(self.spec.get("footer", {}).get("markers", ()))

    @property
    def year_from(self) -> tuple[str, ...]:
        return tuple(self.spec.get("format", {}).get("year_from", ()))

    def field_label(self, name: str) -> str:
        """A field as a reader knows it: its first alias (a contract column's name)."""
        if self.strict:
            return name
        aliases = self.spec.get("fields", {}).get(name)
        return aliases[0] if aliases else name


def _contract_layout(name: str) -> Layout:
    spec = TABLES[name]
    aliases: dict[str, str] = {}
    for c in spec.columns:
        aliases[header_key(c.name)] = c.name
        aliases.setdefault(header_key(c.label), c.name)
    return Layout(name, spec.label, tuple(spec.column_names), aliases,
                  frozenset(c.name for c in spec.columns), (), strict=True, table=name)


_PROBLEM_TABLE = {"roster": "households", "ledger": "village_years", "pairing": "cadres",
                  "codes": "villages"}


def _format_layout(path: Path) -> Layout:
    spec = tomllib.loads(path.read_text(encoding="utf-8"))
    fmt = spec["format"]
    aliases: dict[str, str] = {}
    for f, names in spec["fields"].items():
        for alias in names:
            aliases.setdefault(header_key(alias), f)
    name = fmt["name"]
    return Layout(name, fmt["label"], tuple(spec["fields"]), aliases,
                  frozenset(fmt.get("required", ())), tuple(fmt.get("identify", ())),
                  strict=False, table=_PROBLEM_TABLE.get(name, "dataset"), spec=spec)


@lru_cache(maxsize=1)
def formats() -> dict[str, Layout]:
    """The national formats of data/formats/*.toml, by name."""
    found = {}
    for path in sorted(FORMATS_DIR.glob("*.toml")):
        layout = _format_layout(path)
        found[layout.name] = layout
    return found


@cache
def contract_layout(table: str) -> Layout:
    return _contract_layout(table)


def all_layouts() -> list[Layout]:
    """Every layout a header may name: the contract tables, then the formats."""
    return [contract_layout(t) for t in TABLE_ORDER] + list(formats().values())


@dataclass
class Header:
    """A recognised header: ``index`` of its (last) row among the rows read, ``line`` its
    line in the file, ``names`` the column names (a two-row header joined), ``mapping``
    field → 0-based column, ``ignored`` the named columns no field takes, ``title_rows``
    how many rows above it are not the header."""

    layout: Layout
    index: int
    line: int
    names: list[str]
    mapping: dict[str, int]
    ignored: list[tuple[int, str]]
    title_rows: int
    two_rows: bool = False

    @property
    def missing(self) -> list[str]:
        return [f for f in self.layout.fields if f in self.layout.required
                and f not in self.mapping]


def _matches(layout: Layout, cells: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for j, cell in enumerate(cells):
        f = layout.aliases.get(header_key(cell))
        if f is not None and f not in found:
            found[f] = j
    return found


def _header_at(layout: Layout, rows: list[tuple[int, list[str]]], i: int) -> Header:
    line, names = rows[i][0], [str(c or "").strip() for c in rows[i][1]]
    two = False
    if not layout.strict and i + 1 < len(rows):
        below = [str(c or "").strip() for c in rows[i + 1][1]]
        mine = _matches(layout, names)
        sub = _matches(layout, below)
        # a second header row names fields the first does not, and holds no data where
        # the first row's identifying fields are
        if set(sub) - set(mine) and all(
                j >= len(below) or not below[j] for f, j in mine.items() if f in layout.identify):
            two = True
            width = max(len(names), len(below))
            names = [(below[j] if j < len(below) and below[j] else
                      names[j] if j < len(names) else "") for j in range(width)]
            line = rows[i + 1][0]
    mapping = _matches(layout, names)
    taken = set(mapping.values())
    ignored = [(j, n) for j, n in enumerate(names) if n and j not in taken]
    return Header(layout, i + (1 if two else 0), line, names, mapping, ignored, i, two)


def recognise(rows: list[tuple[int, list[str]]],
              candidates: list[Layout] | None = None) -> Header | None:
    """The header among the first rows and the layout it names.

    A file named after a contract table (``candidates`` = that table's layout): the first
    row that names one of its columns, as before. Otherwise every layout competes: a
    format needs its identifying fields named, a contract table half of its columns; the
    header naming most fields wins, contract tables first on a tie. None: no header.
    """
    layouts = candidates if candidates is not None else all_layouts()
    best: tuple[int, int, int] | None = None
    for i, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        text = [str(c or "") for c in cells]
        for rank, layout in enumerate(layouts):
            found = _matches(layout, text)
            if not found or not all(f in found for f in layout.identify):
                continue
            if candidates is not None and len(layouts) == 1:
                return _header_at(layout, rows, i)
            if layout.strict and len(found) * 2 < len(layout.fields):
                continue
            key = (len(found), -rank, -i)
            if best is None or key > best:
                best = key
                chosen = (layout, i)
    return _header_at(chosen[0], rows, chosen[1]) if best else None
