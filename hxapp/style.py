"""The app's CSS: the projector mode, rows of columns that wrap on a small screen, page links that wrap."""

from __future__ import annotations

import streamlit as st

PRESENT_CSS = """
<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
header[data-testid="stHeader"]
  { display: none !important; }
.block-container, [data-testid="stMainBlockContainer"] { padding-top: 0.6rem !important; padding-bottom: 0 !important;
  max-width: 100% !important; }
/* A slide fits the screen whole (1024×768, 1280×720): tighter gaps between blocks than on a page. */
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] { gap: 0.45rem !important; }
[data-testid="stMainBlockContainer"] h1 { padding: 0.1rem 0 0.2rem 0 !important; }
[data-testid="stMainBlockContainer"] h3 { padding: 0.1rem 0 !important; }
/* The keyboard shortcuts' script frame has no height: it takes no row either. */
[data-testid="stElementContainer"]:has(iframe[height="0"]) { position: absolute !important; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li, [data-testid="stCaptionContainer"]
  { font-size: 22px !important; color: #000 !important; }
[data-testid="stMarkdownContainer"] li { margin: 0 !important; line-height: 1.3 !important; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * { font-size: 64px !important; color: #000 !important;
  line-height: 1.15 !important; white-space: normal !important; }
[data-testid="stMetricLabel"] p { font-size: 26px !important; color: #000 !important; white-space: normal !important; }
[data-testid="stMetricDelta"] { font-size: 24px !important; }
button p { font-size: 22px !important; }
h1 { font-size: 40px !important; color: #000 !important; }
</style>
"""

# A projector at 1024×768 leaves about 560 px beside the sidebar: four KPI cards in a row would
# cut their figures ("1.05…"). Below 1200 px, rows of columns wrap two by two, and a figure that
# still does not fit wraps instead of being cut.
RESPONSIVE_CSS = """
<style>
@media (max-width: 1200px) {
  div[data-testid="stHorizontalBlock"] { flex-wrap: wrap; row-gap: 1rem; }
  div[data-testid="stHorizontalBlock"] > div[data-testid="stColumn"] {
    min-width: calc(50% - 1rem) !important; flex: 1 1 calc(50% - 1rem) !important; }
}
div[data-testid="stMetricValue"] *, div[data-testid="stMetricLabel"] *, div[data-testid="stMetricDelta"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
@media (max-width: 1200px) { div[data-testid="stMetricValue"] { font-size: 1.9rem !important; } }
/* Charts side by side stack below a width: a column holding a chart is never narrower than 320 px
   (at 1024 px with the sidebar open the two charts of a row go one under the other). KPI rows and
   the sidebar hold no chart and keep the 2×2 rule above. */
@media (max-width: 1280px) {
  div[data-testid="stHorizontalBlock"]:has([data-testid="stVegaLiteChart"]) { flex-wrap: wrap; row-gap: 1rem; }
  div[data-testid="stHorizontalBlock"] > div[data-testid="stColumn"]:has([data-testid="stVegaLiteChart"]) {
    min-width: min(100%, 320px) !important; flex: 1 1 320px !important; }
}
/* Printing a page: the figures, not the app. No sidebar, header, toolbar or buttons; the page's
   full width; a chart, table or card never split across sheets; a new sheet before each section. */
@media print {
  section[data-testid="stSidebar"], header[data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stDecoration"], [data-testid="stStatusWidget"], [data-testid="stSidebarCollapsedControl"],
  [data-testid="stExpandSidebarButton"], [data-testid="stElementToolbar"], [data-testid="stBaseButton-elementToolbar"],
  .stButton, .stDownloadButton, [data-testid="stDownloadButton"], [data-testid="stButton"], .stTextInput,
  [data-testid="stNumberInput"], [data-testid="stRadio"], [data-testid="stSegmentedControl"], iframe
    { display: none !important; }
  [data-testid="stMain"], [data-testid="stMainBlockContainer"], .block-container
    { max-width: 100% !important; padding: 0 !important; margin: 0 !important; overflow: visible !important; }
  [data-testid="stVegaLiteChart"], [data-testid="stDataFrame"], [data-testid="stTable"], [data-testid="stMetric"],
  [data-testid="stHorizontalBlock"], [data-testid="stAlert"]
    { break-inside: avoid; page-break-inside: avoid; }
  [data-testid="stHeading"]:has(h2), [data-testid="stHeading"]:has(h3) { break-before: page; page-break-before: always; }
  [data-testid="stHeading"] { break-after: avoid; page-break-after: avoid; }
  [data-testid="stVegaLiteChart"] { width: 100% !important; }
}
</style>
"""

# Streamlit's own English, which no page should show. The hover toolbar of charts and tables
# ("Show data", "Download as PNG", "Copy Vega-Lite spec", "Download as CSV", "Search",
# "Fullscreen"; their tooltips are English and cannot be translated) goes: every chart has its
# Vietnamese "Tải ảnh PNG", every table's data its Vietnamese CSV/XLSX download, the lists their own
# search box. The running indicator keeps its icon and loses its English "Stop" button.
# (Altair's usermeta embedOptions cannot do this: Streamlit 1.67 keeps only theme, renderer and
# padding from them, and draws this toolbar itself.)
NO_ENGLISH_CSS = """
<style>
[data-testid="stElementToolbar"] { display: none !important; }
[data-testid="stStatusWidget"] button { display: none !important; }
</style>
"""

# st.page_link draws its label on one line, cut with "…" (white-space: nowrap; overflow: hidden on
# the label's span, 28 px high): at 1024×768 the long lines of "Cần chỉ đạo" lost their end. Labels
# wrap instead, 20 px a line; a one-line link keeps its 28 px (4 px padding above and below) and
# its icon stays level with the first line. Streamlit 1.67 renders
# div[stPageLink] > a[stPageLink-NavLink] > span (icon) + span > div[stMarkdownContainer] > p.
PAGE_LINK_CSS = """
<style>
[data-testid="stPageLink-NavLink"] { height: auto !important; min-height: 28px; align-items: flex-start !important;
  padding-top: 4px !important; padding-bottom: 4px !important; }
[data-testid="stPageLink-NavLink"] > span:first-child:not(:has([data-testid="stMarkdownContainer"])) { margin-top: 2px; }
[data-testid="stPageLink-NavLink"] > span:has([data-testid="stMarkdownContainer"]),
[data-testid="stPageLink-NavLink"] [data-testid="stMarkdownContainer"],
[data-testid="stPageLink-NavLink"] [data-testid="stMarkdownContainer"] p {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; height: auto !important;
  line-height: 20px !important; }
</style>
"""

# The big figure of a projector slide, with its unit smaller beside it.
BIG_FIGURE = ('<div style="font-size:76px;font-weight:700;color:#000;line-height:1.1">'
              '{value}<span style="font-size:34px">{unit}</span></div>')


def presentation_css() -> None:
    st.html(PRESENT_CSS + NO_ENGLISH_CSS + PAGE_LINK_CSS)


def responsive_css() -> None:
    st.html(RESPONSIVE_CSS + NO_ENGLISH_CSS + PAGE_LINK_CSS)
