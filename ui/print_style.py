"""The print stylesheet every page carries: A4 landscape, no screen chrome, tiles in a grid.

On paper the content keeps a fixed layout width, ``LAYOUT_PX`` (the width of a 1920 px
screen), with Streamlit's columns side by side as on screen, and is zoomed down to
the sheet: A4 landscape is far narrower than a screen, and 总览 has to fit two sheets.

Why the zoom sits in a ``max-width`` query: Plotly charts and dataframes are drawn at
the pixel width their container had when the page's script last measured it, and
they measure *zoomed* widths. A browser printing at once (Ctrl+P) runs no script
between its print layout and the printing, so the charts keep the width they were
drawn with on screen (at 1920 px with the sidebar open, three quarters of their
column on paper; not cut from a screen up to 1920 px wide). A browser asked to show
print media first (print preview tools, the browser test) redraws them for the print
layout: with the zoom already applied they would be drawn zoomed and zoomed again, at
about half their column's width. Zooming only on a medium narrower than the layout — the sheet, never a 1920 px
window — lets them be drawn at the layout's full width and then zoomed with
everything else.
"""

from __future__ import annotations

import math

import streamlit as st

#: ``@page`` margin; the sheet is A4 landscape, 297 × 210 mm.
PAGE_MARGIN_MM = 6
#: The printable width of the sheet in CSS px (96 px per inch).
PRINTABLE_WIDTH_PX = (297 - 2 * PAGE_MARGIN_MM) * 96 / 25.4
#: The content's layout width on paper before zooming (CSS px).
LAYOUT_PX = 1920
#: How much the layout is zoomed to fit the sheet's width (≈ 0.56: 16 px text prints at 6.7 pt).
ZOOM = math.floor(PRINTABLE_WIDTH_PX / LAYOUT_PX * 10_000) / 10_000  # rounded down: never wider
#: The battle map (large type, one screen) keeps to one sheet at a larger scale.
SCREEN_LAYOUT_PX = 1400
SCREEN_ZOOM = math.floor(PRINTABLE_WIDTH_PX / SCREEN_LAYOUT_PX * 10_000) / 10_000

PRINT_CSS = f"""<style>
@page {{ size: A4 landscape; margin: {PAGE_MARGIN_MM}mm; }}
/* Print-only blocks (``print-only``, drawn with st.html: the frame's scope line, the tables'
   rows on paper): no room on screen, not even the gap of their element. */
@media screen {{
  .print-only, [data-testid="stElementContainer"]:has(> [data-testid="stHtml"] > .print-only) {{
    display: none !important; }}
}}
.print-scope {{ font-size: 18px; color: #39434f; margin: -0.4rem 0 0.2rem 0; }}
.print-table {{ border-collapse: collapse; width: 100%; font-size: 13px; line-height: 1.2;
  color: #1b2430; }}
.print-table th, .print-table td {{ border: 1px solid #c8ccd2; padding: 1px 6px; text-align: left;
  word-break: keep-all; }}  /* a name (常家河镇) never split across lines; text breaks at · and spaces */
.print-table th {{ background: #f3f5f8; font-weight: 600; }}
.print-table td.num {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
.print-table thead {{ display: table-header-group; }}  /* its titles again on every sheet */
.print-table tr {{ break-inside: avoid; }}
.print-table-note {{ font-size: 14px; color: #4a5566; margin-top: 4px; }}
@media print {{
  /* Screen chrome: sidebar (filters and links), header, toolbar, decoration. */
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
  [data-testid="stHeader"], header, [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stStatusWidget"], [data-testid="stBottom"], footer {{ display: none !important; }}
  /* Controls that do nothing on paper; the scope stays in each page's 范围 caption. */
  [data-testid="stButton"], [data-testid="stDownloadButton"], [data-testid="stFormSubmitButton"],
  [data-testid="stFileUploader"], [data-testid="stElementToolbar"], [data-testid="stPageLink"],
  [data-testid="stTooltipIcon"], [data-testid="stTooltipHoverTarget"],
  [data-testid="stButtonGroup"], [data-testid="stSelectbox"], [data-testid="stMultiSelect"],
  [data-testid="stTextInput"] {{ display: none !important; }}
  html, body, html body .stApp, html body [data-testid="stAppViewContainer"],
  html body [data-testid="stMain"] {{ background: #ffffff !important; }}
  [data-testid="stMain"] {{ display: block !important; }}
  /* A table's data grid is a canvas cut to its scroll box: on paper its rows print whole
     as a plain table instead (ui.tables.data_table). */
  [class*="st-key-printable_"] [data-testid="stElementContainer"]:has([data-testid="stDataFrame"]) {{
    display: none !important; }}
  [data-testid="stMainBlockContainer"], .block-container {{
    width: {LAYOUT_PX}px !important; max-width: none !important; min-width: 0 !important;
    padding: 0 !important; margin: 0 !important; }}
  /* Columns side by side, as on screen (Streamlit stacks them for print). */
  [data-testid="stHorizontalBlock"] {{ display: flex !important; flex-wrap: nowrap !important; }}
  /* Nothing split across two sheets: a tile, a chart, the map, a table, a row of them. */
  [data-testid="stMetric"], [data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"],
  [data-testid="stDataFrame"], [data-testid="stTable"], [data-testid="stAlert"],
  [data-testid="stHorizontalBlock"], .bm-tile {{ break-inside: avoid; }}
  h1, h2, h3, [data-testid="stHeading"] {{ break-after: avoid; }}
  /* The battle map: its dark meeting-room screen on white paper, at the sizes of 1920×1080
     (not the screen height's steps); the map panel, not whichever panel was rotating in,
     and the tiles, on one sheet. ("html body": above the screen's own style sheet.) */
  :root {{ --bm-s: 1 !important; --bm-pad: 0px !important; }}
  html body .bm-title, html body .bm-legend, html body [data-testid="stMain"] h1 {{
    color: #1b2430 !important; }}
  html body .bm-asof, html body .bm-note, html body .bm-panel-no {{ color: #4a5566 !important; }}
  html body .bm-panel-title {{ color: #8a5a00 !important; }}
  html body .bm-tile {{ background: #f3f5f8 !important; border-top: 1px solid #d5dae1;
    border-right: 1px solid #d5dae1; border-bottom: 1px solid #d5dae1; }}
  html body .bm-label, html body .bm-value small {{ color: #39434f !important; }}
  html body .bm-value {{ color: #111820 !important; }}
  html body .st-key-bm_stage,
  html body [data-testid="stLayoutWrapper"]:has(> .st-key-bm_stage) {{ height: 800px !important; }}
  html body [class*="st-key-bm_panel_"] {{ animation: none !important; visibility: visible !important;
    opacity: 1 !important; }}
  html body [class*="st-key-bm_panel_"]:not(.st-key-bm_panel_0) {{ display: none !important; }}
  .block-container:has(.bm-head) {{ width: {SCREEN_LAYOUT_PX}px !important; }}
}}
@media print and (max-width: {LAYOUT_PX - 1}px) {{
  [data-testid="stMainBlockContainer"], .block-container {{ zoom: {ZOOM:.4f}; }}
  .block-container:has(.bm-head) {{ zoom: {SCREEN_ZOOM:.4f}; }}
}}
</style>"""


def print_style() -> None:
    """Add the print stylesheet to the page. ``st.html`` with nothing but a style sheet
    takes no room on the page (``st.markdown`` would add an empty element, and a gap of
    1 rem above everything, on screen)."""
    st.html(PRINT_CSS)
