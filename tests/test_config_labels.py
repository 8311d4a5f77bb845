"""Labels come from config: change every threshold in a copy of data/config.toml, open every
page, and look for the old numbers anywhere on it (tiles, help, captions, column labels,
chart titles and target lines, the battle map's HTML). Issue 13, point 4."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from analytics.config import CONFIG_PATH, ROOT
from tests.test_pages import run_page

#: (section, key) → (new value, patterns of the old value's text that must be gone,
#: the new value's text that must be there somewhere)
CHANGES = {
    ("targets", "exit_threshold_pct"): (2.5, [r"(?<![\d.])3%", r"(?<![\d.])3 %"], "2.5%"),
    ("targets", "incidence_pct"): (4.5, [r"<5%"], "<4.5%"),
    ("targets", "relapse_cap_pct"): (6.0, [r"上限 ?5%", r"5%上限"], "上限 6%"),
    ("targets", "rural_income_yuan"): (6900, [r"6,?811"], "6,900"),
    ("targets", "registered_income_yuan"): (3750, [r"3,?700"], "3,750"),
    ("targets", "province_rural_income_yuan"): (7100, [r"省目标 ?7,?000"], "7,100"),
    ("targets", "province_registered_income_yuan"): (4100, [r"省目标 ?4,?000"], "4,100"),
    ("targets", "wage_share_pct"): (55.0, [r"(?<![\d.])50%"], "55%"),
    ("risk", "income_line_multiple"): (1.7, [r"1\.5 ?倍"], "1.7倍"),
    ("risk", "income_drop_pct"): (35.0, [r"(?<![\d.])30%"], "35%"),
    ("scores", "incidence_points"): (50, [r"减贫进度 ?40"], "减贫进度 50"),
    ("scores", "relapse_points"): (25, [r"返贫控制 ?30"], "返贫控制 25"),
    ("scores", "income_points"): (25, [r"收入进度 ?30"], "收入进度 25"),
    ("grades", "好"): (85, [r"≥ ?90"], "≥85"),
    ("grades", "较好"): (75, [r"≥ ?80"], "≥75"),
    ("grades", "一般"): (65, [r"≥ ?70"], "≥65"),
    ("early_warning", "high_level"): (7, [r"≥ ?6 ?高风险", r"风险分 ?≥ ?6(?!\d)"], "≥7 高风险"),
    ("early_warning", "medium_level"): (5, [r"≥ ?4 ?中风险", r"风险分 ?≥ ?4(?!\d)"], "≥5 中风险"),
    ("early_warning", "income_drop_points"): (4, [r"收入骤降 3(?!\d)"], "收入骤降 4"),
    ("pairing", "days_in_village_min"): (18, [r"不少于 ?20 ?天"], "不少于18天"),
    ("early_warning", "dependants_members"): (6, [r"家庭人口 ?≥ ?5 ?人"], "家庭人口 ≥6 人"),
}
PAGES = [  # (page, sidebar year, townships, url)
    (None, 2016, (), {}),
    (None, 2020, (), {}),
    ("pages/townships.py", 2016, ("621121101",), {}),
    ("pages/income.py", 2016, (), {}),
    ("pages/relapse.py", 2016, (), {}),
    ("pages/data.py", None, (), {}),
    ("pages/battle_map.py", None, (), {"year": "2016"}),
    ("pages/battle_map.py", None, (), {"year": "2020"}),
    ("pages/assistance.py", 2017, (), {}),
    ("pages/guarantees.py", 2017, (), {}),
    ("pages/review.py", 2016, (), {}),
]


def with_value(text: str, section: str, key: str, value) -> str:
    """``text`` (a TOML file) with ``key`` of ``[section]`` set to ``value``, comments kept."""
    lines, current = text.splitlines(), None
    for i, line in enumerate(lines):
        head = re.match(r"\[([^\]]+)\]", line)
        if head:
            current = head.group(1).strip()
        elif current == section and re.match(rf'\s*"?{re.escape(key)}"?\s*=', line):
            name, rest = line.split("=", 1)
            comment = rest[rest.index("#"):] if "#" in rest else ""
            lines[i] = f"{name}= {value!r}  {comment}".rstrip()
            return "\n".join(lines) + "\n"
    raise AssertionError(f"{section}.{key} is not in config.toml any more")


@pytest.fixture(scope="module")
def changed_config(tmp_path_factory) -> Path:
    text = CONFIG_PATH.read_text(encoding="utf-8")
    for (section, key), (value, _, _) in CHANGES.items():
        text = with_value(text, section, key, value)
    raw = tomllib.loads(text)
    assert all(raw[s][k] == v for (s, k), (v, _, _) in CHANGES.items())
    path = tmp_path_factory.mktemp("config") / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _texts(value):
    """Every string in a decoded proto, JSON inside strings (chart specs) decoded too."""
    if isinstance(value, dict):
        for v in value.values():
            yield from _texts(v)
    elif isinstance(value, list):
        for v in value:
            yield from _texts(v)
    elif isinstance(value, str):
        if value[:1] in "{[":
            try:
                yield from _texts(json.loads(value))
                return
            except ValueError:
                pass
        yield value


def page_text(page, year, townships, url) -> str:
    if url:  # the battle map, opened directly (AppTest's switch_page clears the parameters)
        at = AppTest.from_file(str(ROOT / page), default_timeout=90)
        for key, value in url.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    else:
        at = run_page(page, year=year, townships=townships)
    texts = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None:
            texts.extend(_texts(MessageToDict(proto)))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    walk(at.sidebar)
    return "\n".join(texts)


@pytest.mark.parametrize("page, year, townships, url", PAGES,
                         ids=[f"{p or 'overview'}-{y or u.get('year', '')}" for p, y, _, u in PAGES])
def test_no_page_shows_an_old_threshold(changed_config, monkeypatch, demo_db, page, year, townships, url):
    monkeypatch.setenv("TONGWEI_DB", str(demo_db))
    monkeypatch.setenv("TONGWEI_CONFIG", str(changed_config))
    text = page_text(page, year, townships, url)
    found = {f"{section}.{key}": hits for (section, key), (_, patterns, _) in CHANGES.items()
             if (hits := sorted({m.group(0) for p in patterns for m in re.finditer(standalone(p), text)}))}
    assert not found, {k: [_context(text, h) for h in v] for k, v in found.items()}


def standalone(pattern: str) -> str:
    """``pattern`` where it stands alone, not inside a longer code or number: the page's
    element ids are hex strings (one ended in …cb73700 and read as the old 3,700 yuan)."""
    return rf"(?<![0-9A-Za-z.])(?:{pattern})(?![0-9A-Za-z])"


@pytest.mark.parametrize("text, pattern, found", [
    ("目标 3,700 元", r"3,?700", True), ("≥3700元", r"3,?700", True),
    ("id cb73700 x", r"3,?700", False), ("13700 元", r"3,?700", False), ("3,7001", r"3,?700", False),
])
def test_an_old_value_is_found_only_where_it_stands_alone(text, pattern, found):
    assert bool(re.search(standalone(pattern), text)) == found


def _context(text: str, hit: str) -> str:
    i = text.find(hit)
    return text[max(0, i - 30): i + len(hit) + 30].replace("\n", " ")


def test_the_changed_thresholds_reach_the_pages(changed_config, monkeypatch, demo_db):
    """The check above can fail: with the changed file, the new numbers are what shows."""
    monkeypatch.setenv("TONGWEI_DB", str(demo_db))
    monkeypatch.setenv("TONGWEI_CONFIG", str(changed_config))
    text = "\n".join(page_text(*spec) for spec in PAGES)
    missing = [shown for _, _, shown in CHANGES.values() if shown not in text]
    assert not missing
    # and with the shipped file, the shipped numbers are there (the patterns do match)
    monkeypatch.delenv("TONGWEI_CONFIG")
    shipped = "\n".join(page_text(*spec) for spec in PAGES[:2])
    assert re.search(CHANGES[("targets", "rural_income_yuan")][1][0], shipped)
    assert re.search(CHANGES[("targets", "exit_threshold_pct")][1][0], shipped)
