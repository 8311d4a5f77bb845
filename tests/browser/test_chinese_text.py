"""Chinese throughout (issue 14, point 3): every page, as the browser shows it, has no
English word, raw code, ``None`` or ``nan`` outside a short allow-list of proper nouns and
units."""

from __future__ import annotations

import re

import pytest

from analytics.store import Store
from tests.browser.server import At, wait_until_rendered

#: Proper nouns and units a Chinese reader meets as they are: file formats, encodings,
#: the poverty measures' names (FGT, Watts and its ln), UTC, MB, and the formats folder.
ALLOWED = {
    "CSV", "XLSX", "XLSM", "XLS", "ODS", "Parquet", "PDF", "Excel", "ZIP", "zip",
    "UTF", "GBK", "GB18030", "UTC", "MB", "GB",
    "FGT0", "FGT1", "FGT2", "FGT", "Watts", "ln",
    "data", "formats",  # the folder data/formats/ named in the import help
    "xlsx", "xls", "ods", "csv", "parquet", "xlsm",
}

#: The text a reader sees: text nodes of shown elements with a size (no visually hidden
#: skip link, no icon ligature such as keyboard_arrow_down, nothing of font size 0), and
#: the titles and placeholders of shown elements.
VISIBLE_TEXT = """() => {
    const out = [];
    const shown = (e) => {
        if (!e || e.closest('[data-testid="stIconMaterial"]')) return false;
        const s = getComputedStyle(e), r = e.getBoundingClientRect();
        return s.display !== 'none' && s.visibility === 'visible' && parseFloat(s.fontSize) > 0
            && r.width > 2 && r.height > 2 && s.opacity !== '0';
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const t = n.textContent.trim();
        if (t && n.parentElement.tagName !== 'STYLE' && n.parentElement.tagName !== 'SCRIPT'
            && shown(n.parentElement)) out.push(t);
    }
    for (const e of document.querySelectorAll('input[placeholder], textarea[placeholder]'))
        if (shown(e) && !e.value) out.push(e.getAttribute('placeholder'));  // shown when empty
    return out;
}"""

#: (addresses shared with test_fit_pages and test_battle_fit load once for both: ``shown``)
PAGES = ["", "townships", "relapse", "income", "data", "battle_map?kiosk=0&rotate=5&year=2017",
         "battle_map", "townships?year=2016&township=620523101", "income?year=2017",
         "relapse?year=2016", "assistance?year=2017", "guarantees?year=2017", "review?year=2016"]


def foreign_words(texts: list[str]) -> list[str]:
    """The words of ``texts`` a Chinese page should not show: Latin words outside
    ``ALLOWED``, and None/nan/NaT/True/False anywhere."""
    found = []
    for text in texts:
        for word in re.findall(r"[A-Za-z_][A-Za-z_0-9]*", text):
            if word in {"None", "nan", "NaN", "NaT", "True", "False", "null"} or (
                    len(word) > 1 and word not in ALLOWED):
                found.append(f"{word} ← {text[:60]}")
    return found


def test_the_word_check_catches_what_it_should():
    assert foreign_words(["状态 None", "household_id", "Upload", "人均 nan 元"]) == [
        "None ← 状态 None", "household_id ← household_id", "Upload ← Upload", "nan ← 人均 nan 元"]
    assert foreign_words(["导出 XLSX", "FGT0 收入低于贫困线人口比例", "45,000 人", "k"]) == []


@pytest.mark.changes_page  # it opens the expanders
@pytest.mark.parametrize("shown", [At(p, 1366, 768) for p in PAGES], indirect=True, ids=str)
def test_every_page_speaks_chinese(shown, artifacts, demo_db):
    path = shown.at.address
    page = shown.change("expanders opened")
    wait_until_rendered(page)
    # a page that writes its filters into the address runs once more: wait for content
    # (in the page: the battle map's panels are there while hidden by its rotation)
    page.wait_for_selector('[data-testid="stMetric"], .js-plotly-plot, .bm-tile', state="attached",
                           timeout=60000)
    wait_until_rendered(page)
    for summary in page.locator('[data-testid="stExpander"] summary').all():
        summary.click()  # what the expanders hold is on the page too
    wait_until_rendered(page)
    page.wait_for_function(  # every chart drawn
        "document.querySelectorAll('.js-plotly-plot .main-svg').length >= "
        "document.querySelectorAll('[data-testid=\"stPlotlyChart\"]').length", timeout=60000)
    # the data's source is the importer's own words (a folder or file name): not ours
    source = Store(demo_db).meta().get("source", "")
    texts = [re.sub(r"来源：.*$", "", t) for t in page.evaluate(VISIBLE_TEXT) if t != source]
    page.screenshot(path=str(artifacts / f"chinese_{re.sub(r'[^a-z0-9]+', '_', path) or 'overview'}.png"),
                    full_page=True)
    assert len(texts) > 5  # the page drew
    assert foreign_words(texts) == []
