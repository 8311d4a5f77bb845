"""Every page printed to PDF in a real browser (issue 14.5): A4 landscape, 总览 on two
sheets, no sidebar, tiles in a grid, nothing wider than the sheet.

The print stylesheet is ``ui/print_style.py``. Each page is opened at 1920×1080 and
drawn, shown as print media (its charts redraw for the print layout), printed to an
A4-landscape PDF whose sheets are counted, and then laid out at the sheet's own width
to check what lands on paper. The PDFs are kept under artifacts/ (``print_*.pdf``) for
a person to look at.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.browser.server import At, wait_until_rendered
from ui.print_style import PAGE_MARGIN_MM

#: (address, heading, most sheets). 总览 must fit two sheets (issue 14.5). The battle map
#: is one screen and prints on one sheet. The other pages print on two sheets with the
#: demo data; three leaves room for a table that grows a little, yet fails as soon as the
#: print layout is lost (without it 总览 took six sheets, with the sidebar and tiles
#: squeezed beside it).
PAGES = [
    ("", "总览", 2),
    ("townships?township=621121101", "乡镇", 3),  # a township's villages (the whole county's
                                                 # 332 print up to 200 rows, several sheets)
    ("relapse", "返贫监测", 3),
    ("income", "收入", 3),
    ("data", "数据", 3),
    ("assistance?year=2017", "帮扶措施", 4),
    ("guarantees", "保障与设施", 4),
    ("review?year=2016", "回头看", 2),
    ("battle_map", None, 1),
]

#: A4 landscape less the @page margins, in CSS px (96 per inch): the width of the paper's
#: layout, and the height of one sheet's content.
SHEET_PX = (round((297 - 2 * PAGE_MARGIN_MM) * 96 / 25.4), round((210 - 2 * PAGE_MARGIN_MM) * 96 / 25.4))
#: A4 landscape in PostScript points, as a PDF's MediaBox gives it.
A4_LANDSCAPE_PT = (841.89, 595.28)

#: Shown elements matching a selector (hidden rotating panels and collapsed expanders
#: excluded), for the JavaScript below.
SHOWN = """const shown = s => [...document.querySelectorAll(s)]
    .filter(e => e.checkVisibility({visibilityProperty: true}));"""

#: Every lazily loaded element has arrived and every shown chart, table and map has drawn.
DRAWN = f"""() => {{ {SHOWN}
    return !document.querySelector('[data-testid="stSkeleton"]')
        && shown('[data-testid="stPlotlyChart"]').every(c => c.querySelector('.main-svg'))
        && shown('[data-testid="stDataFrame"]').every(c => c.querySelector('canvas'))
        && shown('[data-testid="stDeckGlJsonChart"]').every(c => c.querySelector('canvas'));
}}"""

#: Every shown chart, table and map has been redrawn to its container's width (the print
#: layout is wider than the screen's, which had the sidebar; a table's canvas sits inside
#: its 1 px border).
FITTED = f"""() => {{ {SHOWN}
    const fits = (outer, inner) => inner
        && Math.abs(inner.getBoundingClientRect().width - outer.getBoundingClientRect().width) < 4;
    return shown('[data-testid="stPlotlyChart"]').every(c => fits(c, c.querySelector('.main-svg')))
        && shown('[data-testid="stDataFrame"]').every(c => fits(c, c.querySelector('canvas')))
        && shown('[data-testid="stDeckGlJsonChart"]').every(c => fits(c, c.querySelector('canvas')));
}}"""

#: What is on the sheet: boxes of the shown tiles, and what sticks out or should be gone.
SHEET = f"""() => {{ {SHOWN}
    const box = e => {{ const b = e.getBoundingClientRect();
                       return {{top: b.top, left: b.left, width: b.width, right: b.right}}; }};
    const sel = '[data-testid="stMainBlockContainer"], [data-testid="stMetric"], [data-testid="stPlotlyChart"], '
        + '[data-testid="stDeckGlJsonChart"], [data-testid="stDataFrame"], .bm-tile, .bm-head';
    return {{
        tiles: shown('[data-testid="stMetric"]').map(box),
        wider: shown(sel).filter(e => box(e).right > window.innerWidth + 1)
            .map(e => (e.dataset.testid || e.className) + ' ' + Math.round(box(e).right)),
        chrome: shown('[data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"], '
            + '[data-testid="stButton"], [data-testid="stDownloadButton"], [data-testid="stFileUploader"], '
            + '[data-testid="stSelectbox"], [data-testid="stMultiSelect"], [data-testid="stButtonGroup"]')
            .map(e => e.dataset.testid),
        title: shown('h1, .bm-title').map(e => e.textContent.trim()),
    }};
}}"""


def tiles_per_row(tiles: list[dict]) -> list[int]:
    """How many tiles share each row (tops within 2 px), top row first."""
    rows: list[list[float]] = []
    for top in sorted(t["top"] for t in tiles):
        if rows and top - rows[-1][0] < 2:
            rows[-1].append(top)
        else:
            rows.append([top])
    return [len(r) for r in rows]


def pdf_pages(pdf: bytes) -> int:
    """The number of pages of a PDF as Chromium writes it (plain, uncompressed page
    objects): its page objects, checked against the page tree's own count."""
    assert pdf[:5] == b"%PDF-", pdf[:20]
    leaves = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\s*/Count\s+(\d+)", pdf)]
    assert counts and max(counts) == leaves, (counts, leaves)
    return leaves


def pdf_text(pdf: bytes) -> str:
    """The text on a PDF's sheets, as poppler's ``pdftotext`` reads it (what a reader, or
    a search, finds on paper: a canvas prints as a picture and has none)."""
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext not found: apt-get install poppler-utils"
    return subprocess.run([tool, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode("utf-8")


def print_page(page, heading: str | None) -> bytes:
    """``page`` drawn at 1920×1080 (its heading, or the battle map's header, there), shown
    as print media, printed to A4 landscape; then laid out as wide as the sheet's content
    (SHEET_PX), to check what lands on paper."""
    wait_until_rendered(page, heading)
    if heading is None:
        page.wait_for_selector('.bm-head', timeout=60000)
    page.wait_for_function(DRAWN, timeout=60000)
    page.emulate_media(media="print")
    page.wait_for_function(FITTED, timeout=60000)
    pdf = page.pdf(format="A4", landscape=True, print_background=True, prefer_css_page_size=True)
    page.set_viewport_size({"width": SHEET_PX[0], "height": SHEET_PX[1]})
    return pdf


def pdf_page_size(pdf: bytes) -> tuple[float, float]:
    """Width and height (pt) of the PDF's first page."""
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert box, "no MediaBox"
    return float(box.group(1)), float(box.group(2))


# Each page is loaded once for the tests that print it (``shown``); the first to print it
# prints it for all. This test reads the screen before printing: it comes first.
@pytest.mark.changes_page
@pytest.mark.parametrize("shown", [At("")], indirect=True, ids=str)
def test_print_layout_hides_the_sidebar_and_keeps_tiles_in_rows(shown):
    """总览 at the sheet's width shown as print media: the sidebar gone, three tiles a row."""
    page = shown.as_loaded()
    wait_until_rendered(page, "总览")
    page.wait_for_function(DRAWN, timeout=60000)
    assert page.locator('[data-testid="stSidebar"]').is_visible()  # on screen it is there
    shown.printed(lambda page: print_page(page, "总览"))
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    tiles = page.evaluate(SHEET)["tiles"]
    assert len(tiles) == 6, tiles
    assert tiles_per_row(tiles) == [3, 3], tiles
    assert min(t["width"] for t in tiles) > SHEET_PX[0] / 4, tiles


@pytest.mark.changes_page
@pytest.mark.parametrize("shown, heading, most", [(At(p), h, m) for p, h, m in PAGES], indirect=["shown"],
                         ids=[p or "overview" for p, _, _ in PAGES])
def test_page_prints_on_a4_landscape(shown, artifacts, heading, most):
    path = shown.at.address
    pdf = shown.printed(lambda page: print_page(page, heading))
    page = shown.page  # as print media at the sheet's width
    year = (page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="年份", include_hidden=True)
            .input_value() if path not in ("data", "battle_map") else None)
    name = path.split("?")[0] or "overview"
    (artifacts / f"print_{name}.pdf").write_bytes(pdf)
    width, height = pdf_page_size(pdf)
    assert abs(width - A4_LANDSCAPE_PT[0]) < 3 and abs(height - A4_LANDSCAPE_PT[1]) < 3, (width, height)
    sheets = pdf_pages(pdf)
    assert 1 <= sheets <= most, f"{name} printed on {sheets} A4 sheets, at most {most} expected"
    # Every sheet says what it shows: scope, year and the data's date (the frame's line
    # under the title; the battle map's own header).
    text = pdf_text(pdf)
    if path == "battle_map":
        assert re.search(r"20\d\d年", text) and "数据截至" in text, text[:300]
    elif path == "data":  # the whole dataset: every year
        assert re.search(r"范围：全县.* · 20\d\d–20\d\d 年 · 数据截至 \d{4}-\d\d-\d\d", text), text[:300]
    else:
        assert re.search(rf"范围：\S+ · {year} 年 · 数据截至 \d{{4}}-\d\d-\d\d", text), text[:300]

    # The layout on paper: print media as wide as the sheet's content.
    sheet = page.evaluate(SHEET)
    assert not sheet["chrome"], f"on paper but of no use there: {sheet['chrome']}"
    assert not sheet["wider"], f"wider than the sheet ({SHEET_PX[0]} px): {sheet['wider']}"
    assert sheet["title"], "the page's title is not printed"
    tiles = sheet["tiles"]
    if tiles:
        narrow = [round(t["width"]) for t in tiles if t["width"] <= 150]
        assert not narrow, f"tiles {narrow} px wide on a {SHEET_PX[0]} px sheet"
        assert len(tiles) == 1 or max(tiles_per_row(tiles)) >= 2, f"one tile per row: {tiles}"


@pytest.mark.changes_page
@pytest.mark.parametrize("shown", [At("data")], indirect=True, ids=str)
def test_data_page_tables_print_every_row(shown, artifacts, demo_store):
    """数据's tables on paper: every row (a data grid prints only what fits its box; the
    15 quality checks do not fit the default height)."""
    from analytics.quality import quality_findings

    pdf = shown.printed(lambda page: print_page(page, "数据"))
    (artifacts / "print_data_rows.pdf").write_bytes(pdf)
    text = pdf_text(pdf)
    titles = [f.title for f in quality_findings(demo_store)]
    assert len(titles) > 10
    missing = [t for t in titles if t not in text]
    assert not missing, f"quality checks not on paper: {missing}"
    for year in range(2014, 2021):  # 综合贫困发生率, a row a year
        assert str(year) in text


@pytest.mark.changes_page
@pytest.mark.parametrize("shown", [At("?year=2017")], indirect=True, ids=str)
def test_overview_tables_print_every_township(shown, artifacts, demo_store):
    """总览's league table (18 townships in a 600 px box) and outlook table on paper:
    every township's name, in both."""
    pdf = shown.printed(lambda page: print_page(page, "总览"))
    (artifacts / "print_overview_rows.pdf").write_bytes(pdf)
    text = pdf_text(pdf)
    names = list(demo_store.query("townships")["name"])
    assert len(names) == 18
    missing = [n for n in names if text.count(n) < 2]  # league and outlook; the map's labels are a canvas
    assert not missing, f"townships not in both tables on paper: {missing}"
