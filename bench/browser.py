"""Speed as the browser feels it: every page in headless Chromium, from navigation until
every chart and map has drawn, cold and warm (issue 14, point 8).

    python bench/browser.py --db /tmp/bench/s100.duckdb --json bench/results/browser_scale100.json
    python bench/browser.py --snapshot /tmp/bench_browser/code --db ...   # measure a copy of the tree
    python bench/browser.py --experiments --db /tmp/bench/s1.duckdb      # what each kind of element costs
    python bench/browser.py --report bench/results/browser_scale1.json bench/results/browser_scale100.json

For each page (总览 ``/`` and every page of ``analytics.access.PAGES``, at the URL Streamlit gives
its file) a Streamlit server is started on ``--db`` for that page alone
(``tests/browser/server.running_server``), and Chromium (``/usr/bin/chromium``, the tests'
``CHROMIUM_ARGS``, 1920×1080) visits it:

- **cold**: the first visit after the server started (Streamlit's caches empty, the
  server's first script run imports the app) in a new browser context (HTTP cache empty);
- **warm**: ``--runs`` further visits in that context, each a new tab and so a new
  Streamlit session (server caches warm, the static files in the browser's HTTP cache):
  the second look at a page;
- **new viewer**: ``--new-viewers`` visits each in a new context (server caches warm,
  browser cache empty): someone else's first look;
- **via a link**: ``--links`` times, 总览 (乡镇 for 总览) is opened and drawn, then its
  sidebar link to the page is clicked: the time from the click until the page has drawn,
  inside the loaded app (no reload), as users move between pages.

**Drawn** is checked in the page by a probe added before any page script runs (``PROBE``),
in the animation frame after every change (DOM mutation or canvas draw call; and every
100 ms). The page is drawn at the first such frame where all of these hold:

1. Streamlit finished its run: ``window.prerenderReady === true`` and ``stApp`` has
   ``data-test-script-state="notRunning"`` and ``data-test-connection-state="CONNECTED"``
   (the running indicator is gone; what ``wait_until_rendered`` waits for);
2. every graphic element of the run is drawn. Streamlit marks the container of every
   Plotly chart and deck.gl map with ``stPrintGraphic`` as soon as the element arrives,
   before the chart's lazily loaded code is there, so their number is the number
   expected from the server (those in collapsed expanders or inactive tabs excepted):
   - a Plotly chart is drawn when its ``.js-plotly-plot`` has ``_fullLayout``, a
     ``.main-svg`` and at least one ``g.trace`` per visible trace of ``_fullData``;
   - a deck.gl map is drawn when its ``canvas`` has a non-zero size and WebGL draw calls
     were made on it (the probe counts ``drawArrays``/``drawElements``/… per canvas and
     per animation frame);
   - a container with neither is still loading: not drawn;
3. at least the counts of ``EXPECTED`` for the page are there (a check that the page is
   the one meant, e.g. 4 charts and a map on 总览), and its ``selector`` if any.

Tables (``stPrintFixedWidth``: Glide data grids on a canvas) are reported apart as
``tables_s`` (drawn when their canvas has had 2D draw calls); they are not part of the
goal. Times are the page's own ``performance.now()`` (zero = navigation start), so the
benchmark's polling adds nothing to them. After the page is drawn the benchmark waits
until it is quiet (no DOM change and no canvas draw for 1 s, at most 20 s) and checks
that nothing more was expected: the counts are the same and each map's frame at the
drawn time had as many draw calls as its last frame (else the map's time is moved to its
first complete frame, and the page's with it).

Recorded per visit, besides the times: the bytes over HTTP (on the wire, from the Chrome
DevTools Protocol's ``Network.loadingFinished``; by file: the Plotly and deck.gl chunks,
Streamlit's main bundle, …) and over the websocket (``Network.webSocketFrameReceived``,
each frame decoded as a Streamlit ``ForwardMsg``: bytes per element type, each Plotly
figure's JSON and each deck's JSON with its traces, points, layers and objects), the
phases (document, websocket open, rerun request sent, first and last message of the
run), DOM elements (all, and inside Plotly charts), main-thread time (CDP
``Performance.getMetrics``: task, script, layout, style), the JS heap, page errors, and
``os.getloadavg()`` before and after. Unless ``--no-profile``, two more warm visits per
page (not counted in the times) run under the CDP sampling profiler (main-thread time
summed by script file) and under a Chrome trace (each thread's busy time, the page's main
thread's self time by event, from navigation to drawn).

The machine has 2 cores shared by the server, Chromium and anything else running. Before
each visit the benchmark waits (at most ``--calm-limit`` s) until the machine is calm —
its own processes and everything else each under 20 % of a core for half a second — and
records the wait, the CPU seconds its own processes (server, Chromium's processes by
kind) and everything else used until the page was drawn, and the load averages; a visit
during which everything else used more than a quarter of a core is "disturbed", and the
goals are judged on the undisturbed ones. ``--snapshot DIR`` copies the working tree (no
databases) to DIR once and measures the copy, so that every page of every scale runs the
same code while others commit. ``--experiments`` measures a scratch app
(``EXPERIMENT_APP``) instead: a blank page, Plotly, Vega-Lite, deck.gl, server-drawn SVG,
data grid and HTML table, one variant at a time. Results: JSON (``--json``) and a
Markdown table on stdout; ``--report`` prints the tables of several JSON files.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.server import (
    CHROMIUM,
    CHROMIUM_ARGS,
    running_server,
    wait_until_rendered,
)

VIEWPORT = {"width": 1920, "height": 1080}
TIMEOUT_MS = 180_000

#: The least every page must show at its default view (county, default year), from the
#: page code: checks that the page measured is the one meant. ``plots``/``decks``: Plotly
#: charts and deck.gl maps; ``selector``: an element that must be there.
EXPECTED = {
    "app.py": {"plots": 4, "decks": 1},               # 4 trends, the township map
    "pages/townships.py": {"plots": 1, "decks": 1},   # map (no township chosen), causes, …
    "pages/relapse.py": {"plots": 2, "decks": 0},     # by township, by cause, cohorts
    "pages/income.py": {"plots": 5, "decks": 0},      # 4 trends and the histogram, measures
    "pages/assistance.py": {"plots": 3, "decks": 0},  # measures, the plan, 低保
    "pages/guarantees.py": {"plots": 2, "decks": 0},  # 两不愁三保障, village targets
    "pages/review.py": {"plots": 1, "decks": 0},      # the waterfall
    "pages/data.py": {"plots": 0, "decks": 0, "selector": '[data-testid="stDataFrame"]'},
    # the first panel (the map) and the tiles; ``part``: the first panel's container, timed
    # on its own as ``first_panel_s`` (the page's other panels may draw later)
    "pages/battle_map.py": {"plots": 0, "decks": 1, "selector": ".bm-tile", "part": ".st-key-bm_panel_0"},
}

#: The probe, added before any page script runs (``{EXPECTED}`` is replaced by the
#: page's expected counts). It counts draw calls per canvas and evaluates "drawn" in the
#: animation frame after each change; ``window.__bench`` holds what it saw.
PROBE = r"""
(() => {
  if (window.__bench) return;
  const now = () => performance.now();
  const B = window.__bench = {frame: 0, t: {}, first: {}, lastMutation: 0, lastDraw: 0,
                              expected: {EXPECTED}, state: null, error: null};
  const note = (canvas, kind) => {
    if (!canvas) return;
    let s = canvas.__bench;
    const t = now();
    if (!s) s = canvas.__bench = {kind, draws: 0, first: t, last: t, frames: []};
    s.draws++; s.last = t; B.lastDraw = t;
    // a frame: the draw calls of one uninterrupted run of script (closed by a microtask)
    const f = s.frames[s.frames.length - 1];
    if (f && f.open) { f.draws++; f.end = t; }
    else {
      const frame = {t, end: t, draws: 1, open: true};
      s.frames.push(frame); if (s.frames.length > 400) s.frames.shift();
      Promise.resolve().then(() => { frame.open = false; });
    }
    schedule();
  };
  const wrap = (proto, names, kind) => {
    if (!proto) return;
    for (const name of names) {
      const orig = proto[name];
      if (typeof orig !== 'function') continue;
      proto[name] = function (...args) { note(this.canvas, kind); return orig.apply(this, args); };
    }
  };
  const GL = ['drawArrays', 'drawElements', 'drawArraysInstanced', 'drawElementsInstanced', 'drawRangeElements'];
  wrap(window.WebGLRenderingContext && WebGLRenderingContext.prototype, GL, 'gl');
  wrap(window.WebGL2RenderingContext && WebGL2RenderingContext.prototype, GL, 'gl');
  wrap(window.CanvasRenderingContext2D && CanvasRenderingContext2D.prototype,
       ['fillText', 'drawImage', 'fillRect', 'fill', 'stroke'], '2d');
  B.longTasks = [];
  try {
    new PerformanceObserver(list => { for (const e of list.getEntries()) B.longTasks.push([e.startTime, e.duration]); })
      .observe({type: 'longtask', buffered: true});
  } catch (err) { B.longTasks = null; }
  new MutationObserver(records => {
    B.lastMutation = now();
    // a script run after a navigation's click: the run state attribute changed (however
    // short the run, each change leaves a record)
    if (B.nav && B.nav.start != null && records.some(r => r.attributeName === 'data-test-script-state'))
      B.nav.sawRunning = true;
    schedule();
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});

  const LIVE = ':not([data-st-inactive] *):not(details:not([open]) *)';
  const visibleTraces = gd => gd._fullData.filter(d => d.visible === true).length;
  const plotDrawn = gd => !!(gd._fullLayout && gd._fullData && gd.querySelector('.main-svg')
      && gd.querySelectorAll('.main-svg g.trace').length >= visibleTraces(gd));
  const deckDrawn = c => c.width > 0 && c.height > 0 && !!c.__bench && c.__bench.draws > 0;
  const gridDrawn = c => c.width > 0 && c.height > 0 && !!c.__bench && c.__bench.draws > 0;

  function state(t) {
    const app = document.querySelector('[data-testid="stApp"]');
    const idle = !!app && window.prerenderReady === true
      && app.getAttribute('data-test-script-state') === 'notRunning'
      && app.getAttribute('data-test-connection-state') === 'CONNECTED';
    const s = {idle, plots: 0, plotsDrawn: 0, decks: 0, decksDrawn: 0, pending: 0,
               tables: 0, tablesDrawn: 0, tablesPending: 0};
    for (const el of document.querySelectorAll('[data-testid="stElementContainer"].stPrintGraphic' + LIVE)) {
      const gd = el.querySelector('.js-plotly-plot');
      const canvas = el.querySelector('[data-testid="stDeckGlJsonChart"] canvas');
      const vega = el.querySelector('.vega-embed');
      if (gd) {
        s.plots++;
        if (plotDrawn(gd)) { s.plotsDrawn++; if (gd.__benchDrawn === undefined) gd.__benchDrawn = t; }
      } else if (vega) {  // Vega-Lite (st.line_chart, st.altair_chart): its canvas drawn, or its SVG marks
        s.plots++;
        const c = vega.querySelector('canvas');
        if ((c && gridDrawn(c)) || vega.querySelector('svg .mark-line, svg .mark-rect, svg .mark-symbol')) s.plotsDrawn++;
      } else if (canvas) {
        s.decks++;
        if (deckDrawn(canvas)) s.decksDrawn++;
      } else s.pending++;
    }
    for (const el of document.querySelectorAll('[data-testid="stElementContainer"].stPrintFixedWidth' + LIVE)) {
      const grid = el.querySelector('canvas[data-testid="data-grid-canvas"]');
      if (grid) {
        s.tables++;
        if (gridDrawn(grid)) { s.tablesDrawn++; if (grid.__benchDrawn === undefined) grid.__benchDrawn = t; }
      } else if (el.querySelector('table')) { s.tables++; s.tablesDrawn++; }
      else s.tablesPending++;
    }
    const e = B.expected;
    s.expectedMet = s.plots >= (e.plots || 0) && s.decks >= (e.decks || 0)
      && (!e.selector || !!document.querySelector(e.selector));
    s.charts = s.pending === 0 && s.plotsDrawn === s.plots;
    s.maps = s.pending === 0 && s.decksDrawn === s.decks;
    s.drawn = idle && s.charts && s.maps && s.expectedMet;
    // the page's part timed on its own (its graphics drawn and the selector there), if any
    const part = e.part ? document.querySelector(e.part) : null;
    if (part) {
      const inPart = [...part.querySelectorAll('[data-testid="stElementContainer"].stPrintGraphic')];
      s.partGraphics = inPart.length;
      s.part = inPart.length > 0 && (!e.selector || !!document.querySelector(e.selector)) && inPart.every(el => {
        const gd = el.querySelector('.js-plotly-plot');
        const canvas = el.querySelector('[data-testid="stDeckGlJsonChart"] canvas');
        return gd ? plotDrawn(gd) : canvas ? deckDrawn(canvas) : false;
      });
    } else s.part = s.drawn;
    s.tablesAll = s.tablesPending === 0 && s.tablesDrawn === s.tables;
    s.all = s.drawn && s.tablesAll;
    return s;
  }
  const KEYS = ['idle', 'charts', 'maps', 'drawn', 'all', 'part'];
  function check() {
    B.pending = false;
    B.frame++;
    try {
      const t = now();
      const s = state(t);
      B.probeMs += now() - t;
      for (const k of KEYS) {
        const was = B.t[k] != null;
        if (s[k]) { if (B.t[k] == null) B.t[k] = t; if (B.first[k] == null) B.first[k] = t; }
        else B.t[k] = null;
        // a condition that held and no longer does (a rerun, a chart drawn again): kept,
        // with what the page counted then, so that a late "drawn" can be explained
        if (was && !s[k] && B.flips.length < 50)
          B.flips.push({t, key: k, plots: s.plots, plotsDrawn: s.plotsDrawn, decks: s.decks,
                        decksDrawn: s.decksDrawn, pending: s.pending, idle: s.idle});
      }
      if (s.drawn && B.atDrawn == null) {
        B.atDrawn = {t, state: s, dom: document.getElementsByTagName('*').length};
        performance.mark('bench:drawn');
      }
      const n = B.nav;  // a navigation inside the app (a sidebar link), once clicked
      if (n && n.start != null && n.drawn == null) {
        if (!s.idle) n.sawRunning = true;
        const there = location.pathname.replace(/\/$/, '') === n.path.replace(/\/$/, '');
        if (n.sawRunning && there) {
          if (s.idle && n.idle == null) n.idle = t;
          if (s.part && n.part == null) n.part = t;
          if (s.drawn) { n.drawn = t; n.state = s; n.dom = document.getElementsByTagName('*').length; performance.mark('bench:nav-drawn'); }
        }
      }
      B.state = s;
    } catch (err) { B.error = String(err && err.stack || err); }
  }
  // checked in the animation frame after anything changed (a DOM mutation, a canvas draw),
  // and every 100 ms in case a change came without either: no work while nothing changes
  function schedule() { if (!B.pending) { B.pending = true; requestAnimationFrame(check); } }
  B.probeMs = 0;
  B.flips = [];
  setInterval(schedule, 100);

  // arm a navigation: the next click on a link to ``path`` starts it (its event time)
  B.armNav = (expected, path) => { B.nav = {path, expected, start: null, sawRunning: false, idle: null, part: null, drawn: null}; };
  document.addEventListener('click', ev => {
    const a = ev.target.closest && ev.target.closest('a[data-testid="stPageLink-NavLink"]');
    if (B.nav && B.nav.start == null && a) {
      B.nav.start = ev.timeStamp; B.expected = B.nav.expected; B.atDrawn = null;
      for (const c of document.querySelectorAll('canvas')) c.__bench = undefined;
    }
  }, true);

  B.snapshot = () => {
    const t = now();
    const plots = [...document.querySelectorAll('.js-plotly-plot')].map(gd => ({
      key: (gd.closest('[data-testid="stElementContainer"]')?.className.match(/st-key-(\S+)/) || [])[1] || null,
      traces: gd._fullData ? visibleTraces(gd) : null,
      types: gd._fullData ? [...new Set(gd._fullData.map(d => d.type))] : null,
      points: gd._fullData ? gd._fullData.reduce((n, d) => n + (d._length || (d.values ? d.values.length : 0) || 0), 0) : null,
      svg_elements: gd.getElementsByTagName('*').length,
      drawn_ms: gd.__benchDrawn ?? null,
    }));
    const canvases = [...document.querySelectorAll('canvas')].map(c => ({
      owner: c.closest('[data-testid="stDeckGlJsonChart"]') ? 'deck'
        : c.getAttribute('data-testid') === 'data-grid-canvas' ? 'table' : (c.closest('[data-testid]')?.getAttribute('data-testid') || null),
      width: c.width, height: c.height,
      draws: c.__bench ? c.__bench.draws : 0,
      first_ms: c.__bench ? c.__bench.first : null, last_ms: c.__bench ? c.__bench.last : null,
      frames: c.__bench && c.closest('[data-testid="stDeckGlJsonChart"]') ? c.__bench.frames.map(f => [f.t, f.end, f.draws]) : null,
      drawn_ms: c.__benchDrawn ?? null,
      in_part: !!(B.expected.part && c.closest(B.expected.part)),
    }));
    const nav = performance.getEntriesByType('navigation')[0];
    return {now_ms: t, checks: B.frame, probe_ms: B.probeMs, nav: B.nav ? {...B.nav, expected: undefined} : null, t: B.t, first: B.first, state: B.state, at_drawn: B.atDrawn || null,
            error: B.error, long_tasks: B.longTasks, flips: B.flips, last_mutation_ms: B.lastMutation, last_draw_ms: B.lastDraw,
            dom_elements: document.getElementsByTagName('*').length,
            plotly_svg_elements: [...document.querySelectorAll('.js-plotly-plot')].reduce((n, g) => n + g.getElementsByTagName('*').length, 0),
            plots, canvases, time_origin: performance.timeOrigin,
            timing: nav ? {response_end_ms: nav.responseEnd, dom_content_loaded_ms: nav.domContentLoadedEventEnd,
                        load_ms: nav.loadEventEnd, transfer_size: nav.transferSize} : null,
            links: [...document.querySelectorAll('[data-testid="stPageLink-NavLink"]')].map(a => a.getAttribute('href')),
            exceptions: document.querySelectorAll('[data-testid="stException"]').length};
  };
})();
"""

QUIET = "() => { const B = window.__bench; return performance.now() - Math.max(B.lastMutation, B.lastDraw) > 1000; }"


# ---------------------------------------------------------------------------- pages

def app_pages() -> list[tuple[str, str, str]]:
    """(file, label, URL path) of every page, from the page registry
    (``analytics.access.PAGES``): Streamlit serves ``app.py`` at ``/`` and
    ``pages/<name>.py`` at ``/<name>``."""
    from analytics.access import PAGES
    return [(page.path, page.label, page.url_path) for page in PAGES]


# ---------------------------------------------------------------------------- network

def _asset(url: str) -> str:
    """A short name for a requested file: the chunk's name without its hash."""
    path = urlparse(url).path
    name = path.rsplit("/", 1)[-1] or path
    if name.endswith((".js", ".css", ".woff2", ".woff", ".ttf")):
        stem, _, ext = name.rpartition(".")
        return f"{stem.split('.')[0]}.{ext}"
    if path.startswith("/_stcore/"):
        return path
    return "document" if "." not in name else name


class NetLog:
    """What Chromium sent and received for one tab, from CDP Network events."""

    def __init__(self) -> None:
        self.requests: dict[str, dict] = {}
        self.doc_mono: float | None = None   # CDP monotonic time of the document request
        self.doc_wall: float | None = None
        self.ws_received: list[tuple[float, bytes]] = []
        self.ws_sent: list[tuple[float, bytes]] = []
        self.ws_created: float | None = None
        self.ws_extensions: str | None = None

    def attach(self, cdp) -> None:
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.dataReceived", self._data)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.requestServedFromCache", self._cached)
        cdp.on("Network.webSocketCreated", self._ws_created)
        cdp.on("Network.webSocketHandshakeResponseReceived", self._ws_handshake)
        cdp.on("Network.webSocketFrameReceived", self._ws_in)
        cdp.on("Network.webSocketFrameSent", self._ws_out)

    def _sent(self, e):
        if e.get("type") == "Document" and self.doc_mono is None:
            self.doc_mono, self.doc_wall = e["timestamp"], e["wallTime"]
        self.requests.setdefault(e["requestId"], {"url": e["request"]["url"], "type": e.get("type"),
                                                  "start": e["timestamp"], "decoded": 0})

    def _response(self, e):
        r = self.requests.setdefault(e["requestId"], {"url": e["response"]["url"], "decoded": 0})
        headers = {k.lower(): v for k, v in e["response"].get("headers", {}).items()}
        r.update(status=e["response"].get("status"), encoding=headers.get("content-encoding"),
                 from_cache=bool(e["response"].get("fromDiskCache") or e["response"].get("fromPrefetchCache")
                                 or e["response"].get("fromServiceWorker")) or r.get("from_cache", False),
                 mime=e["response"].get("mimeType"))

    def _data(self, e):
        r = self.requests.get(e["requestId"])
        if r is not None:
            r["decoded"] += e.get("dataLength", 0)

    def _finished(self, e):
        r = self.requests.get(e["requestId"])
        if r is not None:
            r["wire"] = e.get("encodedDataLength", 0)
            r["end"] = e["timestamp"]

    def _cached(self, e):
        self.requests.setdefault(e["requestId"], {"decoded": 0})["from_cache"] = True

    def _ws_created(self, e):
        if self.ws_created is None:
            self.ws_created = time.time()  # replaced by the first frame's CDP time below

    def _ws_handshake(self, e):
        headers = {k.lower(): v for k, v in e["response"].get("headers", {}).items()}
        self.ws_extensions = headers.get("sec-websocket-extensions")

    @staticmethod
    def _payload(e) -> bytes:
        r = e["response"]
        return base64.b64decode(r["payloadData"]) if r.get("opcode") == 2 else r["payloadData"].encode()

    def _ws_in(self, e):
        self.ws_received.append((e["timestamp"], self._payload(e)))

    def _ws_out(self, e):
        self.ws_sent.append((e["timestamp"], self._payload(e)))

    def ms(self, mono: float | None, time_origin_ms: float) -> float | None:
        """A CDP monotonic time as milliseconds after the page's navigation start."""
        if mono is None or self.doc_mono is None:
            return None
        return round((self.doc_wall + (mono - self.doc_mono)) * 1000 - time_origin_ms, 1)

    def http_summary(self, time_origin_ms: float) -> dict:
        by_asset: dict[str, dict] = defaultdict(lambda: {"requests": 0, "wire": 0, "decoded": 0, "cached": 0})
        total = {"requests": 0, "wire": 0, "decoded": 0, "cached": 0}
        for r in self.requests.values():
            if "url" not in r or r["url"].startswith(("ws:", "wss:", "data:")):
                continue
            a = by_asset[_asset(r["url"])]
            if "start_ms" not in a:  # when the file was asked for and when it had arrived
                a["start_ms"] = self.ms(r.get("start"), time_origin_ms)
                a["end_ms"] = self.ms(r.get("end"), time_origin_ms)
            for d in (a, total):
                d["requests"] += 1
                d["wire"] += r.get("wire", 0)
                d["decoded"] += r.get("decoded", 0)
                d["cached"] += int(bool(r.get("from_cache")))
        biggest = dict(sorted(by_asset.items(), key=lambda kv: -kv[1]["decoded"])[:12])
        return {**total, "by_file": biggest}


def decode_ws(net: NetLog, time_origin_ms: float) -> dict:
    """The run's messages: bytes per message and element type, times, figures' sizes."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    by_type: dict[str, int] = defaultdict(int)
    elements: list[dict] = []
    finished = first_delta = None
    for mono, payload in net.ws_received:
        try:
            msg = ForwardMsg.FromString(payload)
        except Exception:  # noqa: BLE001 - a frame that is not a ForwardMsg: count it as such
            by_type["(undecoded)"] += len(payload)
            continue
        kind = msg.WhichOneof("type") or "(empty)"
        if kind == "delta":
            if first_delta is None:
                first_delta = mono
            delta = msg.delta.WhichOneof("type")
            if delta == "new_element":
                element = msg.delta.new_element.WhichOneof("type")
                kind = f"element:{element}"
                info = {"type": element, "bytes": len(payload)}
                if element == "plotly_chart":
                    info.update(_plotly_info(msg.delta.new_element.plotly_chart.spec))
                elif element == "deck_gl_json_chart":
                    info.update(_deck_info(msg.delta.new_element.deck_gl_json_chart.json))
                elif element in ("arrow_data_frame", "data_frame", "arrow_table"):
                    info["arrow_bytes"] = len(getattr(msg.delta.new_element, element).data)
                if element in ("plotly_chart", "deck_gl_json_chart", "arrow_data_frame", "data_frame"):
                    elements.append(info)
            else:
                kind = f"delta:{delta}"
        elif kind == "script_finished" and finished is None:
            finished = mono
        by_type[kind] += len(payload)
    rerun = None
    for mono, payload in net.ws_sent:
        try:
            if BackMsg.FromString(payload).WhichOneof("type") == "rerun_script":
                rerun = mono
                break
        except Exception:  # noqa: BLE001, S112 - a frame that is not a BackMsg (a ping)
            continue
    return {
        "frames_in": len(net.ws_received), "bytes_in": sum(len(p) for _, p in net.ws_received),
        "frames_out": len(net.ws_sent), "bytes_out": sum(len(p) for _, p in net.ws_sent),
        "compression": net.ws_extensions,
        "by_type": dict(sorted(by_type.items(), key=lambda kv: -kv[1])),
        "elements": elements,
        "rerun_sent_ms": net.ms(rerun, time_origin_ms),
        "first_delta_ms": net.ms(first_delta, time_origin_ms),
        "script_finished_ms": net.ms(finished, time_origin_ms),
        "first_frame_ms": net.ms(net.ws_received[0][0], time_origin_ms) if net.ws_received else None,
    }


def _plotly_info(spec: str) -> dict:
    try:
        figure = json.loads(spec)
    except ValueError:
        return {"spec_bytes": len(spec)}
    traces = figure.get("data", [])

    def length(trace) -> int:
        for axis in ("x", "y", "values", "z", "lat"):
            v = trace.get(axis)
            if isinstance(v, list):
                return len(v)
            if isinstance(v, dict) and "bdata" in v:  # plotly.py's typed arrays, base64
                size = {"f8": 8, "f4": 4, "i4": 4, "u4": 4, "i2": 2, "u2": 2, "i1": 1, "u1": 1}
                return len(base64.b64decode(v["bdata"])) // size.get(v.get("dtype", "f8"), 8)
        return 0

    layout = figure.get("layout", {})
    return {"spec_bytes": len(spec.encode()), "traces": len(traces),
            "points": sum(length(t) for t in traces),
            "trace_types": sorted({t.get("type", "scatter") for t in traces}),
            "layout_bytes": len(json.dumps(layout, ensure_ascii=False).encode()),
            "template_bytes": len(json.dumps(layout.get("template", {}), ensure_ascii=False).encode()),
            "shapes": len(layout.get("shapes", [])), "annotations": len(layout.get("annotations", []))}


def _deck_info(spec: str) -> dict:
    try:
        deck = json.loads(spec)
    except ValueError:
        return {"json_bytes": len(spec)}
    layers = []
    for layer in deck.get("layers", []):
        data = layer.get("data")
        layers.append({"type": layer.get("@@type"), "id": layer.get("id"),
                       "objects": len(data) if isinstance(data, list) else None,
                       "bytes": len(json.dumps(layer, ensure_ascii=False).encode())})
    return {"json_bytes": len(spec.encode()), "layers": layers}


# ---------------------------------------------------------------------------- one visit

def _process_kind(proc) -> str:
    try:
        cmd = " ".join(proc.cmdline())
    except Exception:  # noqa: BLE001 - gone, or not ours to read
        return "?"
    if "streamlit" in cmd:
        return "server"
    if "chrom" in cmd:
        for kind in ("gpu-process", "renderer", "utility", "zygote"):
            if f"--type={kind}" in cmd:
                return "chromium " + kind.replace("-process", "")
        return "chromium browser"
    if "node" in cmd or "playwright" in cmd:
        return "playwright driver"
    return "other"


def cpu_by_process() -> dict[int, tuple[str, float]]:
    """CPU seconds (user + system) so far of every process this benchmark started (the
    server, Chromium's processes, Playwright's driver), by pid."""
    import psutil

    me = psutil.Process()
    t = me.cpu_times()
    out = {me.pid: ("benchmark (python)", t.user + t.system)}
    for proc in me.children(recursive=True):
        try:
            t = proc.cpu_times()
            out[proc.pid] = (_process_kind(proc), t.user + t.system)  # not children: reaped tabs
        except psutil.Error:
            continue
    return out


def system_cpu() -> tuple[float, float]:
    """(busy, steal) CPU seconds of the whole machine so far, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    hz = os.sysconf("SC_CLK_TCK")
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq) / hz, steal / hz


CALM_LIMIT_S = 90.0


def wait_until_calm(limit_s: float | None = None) -> dict:
    """Wait until the machine is calm before a measurement: over half a second, the
    benchmark's own processes (a closing tab, the GPU process, the server ending a
    session) and everything else on the machine (other people's tests) each used under
    20 % of a core. Gives up after ``limit_s`` (``--calm-limit``) and measures anyway;
    returns how long it waited and whether the machine was calm."""
    limit_s = CALM_LIMIT_S if limit_s is None else limit_s
    started = time.perf_counter()
    ours, machine = cpu_by_process(), system_cpu()[0]
    calm = False
    while time.perf_counter() - started < limit_s:
        time.sleep(0.5)
        ours_now, machine_now = cpu_by_process(), system_cpu()[0]
        spent = sum(cpu_spent(ours, ours_now).values())
        others = (machine_now - machine) - spent
        if spent < 0.1 and others < 0.1:
            calm = True
            break
        ours, machine = ours_now, machine_now
    return {"waited_s": round(time.perf_counter() - started, 2), "calm": calm}


def cpu_spent(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds spent between two ``cpu_by_process`` snapshots, by kind of process."""
    spent: dict[str, float] = defaultdict(float)
    for pid, (kind, t) in after.items():
        spent[kind] += t - before.get(pid, (kind, 0.0))[1]
    return {k: round(v, 2) for k, v in sorted(spent.items(), key=lambda kv: -kv[1])}


def _metrics(cdp) -> dict:
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def _profile_by_script(profile: dict) -> dict:
    """Main-thread self time (ms) of a CDP CPU profile, summed by script file."""
    nodes = {n["id"]: n for n in profile["nodes"]}
    self_ms: dict[int, float] = defaultdict(float)
    for node_id, delta in zip(profile["samples"], profile["timeDeltas"]):
        self_ms[node_id] += delta / 1000
    by_script: dict[str, float] = defaultdict(float)
    by_function: dict[str, float] = defaultdict(float)
    for node_id, ms in self_ms.items():
        frame = nodes[node_id]["callFrame"]
        url = frame.get("url") or ""
        name = _asset(url) if url else frame.get("functionName") or "(anonymous)"
        by_script[name] += ms
        if url:
            by_function[f"{_asset(url)}:{frame.get('functionName') or '(anonymous)'}"] += ms
    total = sum(by_script.values())
    idle = by_script.get("(idle)", 0)
    top = lambda d, n: {k: round(v, 1) for k, v in sorted(d.items(), key=lambda kv: -kv[1])[:n]}
    return {"total_ms": round(total, 1), "busy_ms": round(total - idle, 1),
            "by_script_ms": top(by_script, 14), "top_functions_ms": top(by_function, 15)}


TRACE_CATEGORIES = ["blink.user_timing", "toplevel", "devtools.timeline", "disabled-by-default-devtools.timeline", "v8",
                    "v8.execute", "blink", "loading", "gpu"]


def _trace_summary(trace: bytes) -> dict:
    """From a Chrome trace: each thread's busy time (its top-level tasks) and the renderer
    main thread's self time per event name, between the page's navigationStart and the
    probe's ``bench:drawn`` mark."""
    events = json.loads(trace).get("traceEvents", [])
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
             if e.get("ph") == "M" and e.get("name") == "thread_name"}
    drawn = [e for e in events if e.get("name") == "bench:drawn"]
    if not drawn:
        return {"error": "no bench:drawn mark in the trace"}
    main_key = (drawn[0]["pid"], drawn[0]["tid"])
    end = drawn[0]["ts"]
    # the mark carries its page time (ms after navigation start): the window's start
    since = (drawn[0].get("args") or {}).get("data", {}).get("startTime")
    if since is not None:
        start = end - since * 1000
    else:
        starts = [e["ts"] for e in events if e.get("name") == "navigationStart" and e["ts"] <= end
                  and str(((e.get("args") or {}).get("data") or {}).get("documentLoaderURL", "")).startswith("http")]
        if not starts:
            return {"error": "no navigationStart before bench:drawn"}
        start = max(starts)
    tasks: dict[tuple, list] = defaultdict(list)
    spans = []
    for e in events:
        if e.get("ph") != "X" or "dur" not in e:
            continue
        key = (e["pid"], e["tid"])
        if e["name"] in ("ThreadControllerImpl::RunTask", "RunTask"):
            lo, hi = max(start, e["ts"]), min(end, e["ts"] + e["dur"])
            if hi > lo:
                tasks[key].append((lo, hi))
        if key == main_key and start <= e["ts"] <= end:
            spans.append(e)
    busy: dict[str, float] = defaultdict(float)
    for key, intervals in tasks.items():  # the union of a thread's tasks (they nest)
        total, reach = 0.0, None
        for lo, hi in sorted(intervals):
            if reach is None or lo > reach:
                total += hi - lo
                reach = hi
            elif hi > reach:
                total += hi - reach
                reach = hi
        label = names.get(key, "?") + (" (page)" if key[0] == main_key[0] else "")
        busy[label] += total
    # self time: each event's duration less its children's (events nest on one thread)
    selfs: dict[str, float] = defaultdict(float)
    stack: list[list] = []  # [end_ts, name, children_us, dur_us]

    def pop() -> None:
        done = stack.pop()
        selfs[done[1]] += done[3] - done[2]
        if stack:
            stack[-1][2] += done[3]

    for e in sorted(spans, key=lambda e: (e["ts"], -e["dur"])):
        while stack and stack[-1][0] <= e["ts"]:
            pop()
        stack.append([e["ts"] + e["dur"], e["name"], 0.0, min(e["dur"], end - e["ts"])])
    while stack:
        pop()
    ms = lambda d, n: {k: round(v / 1000, 1) for k, v in sorted(d.items(), key=lambda kv: -kv[1])[:n]}
    return {"window_ms": round((end - start) / 1000, 1), "threads_busy_ms": ms(busy, 12),
            "page_main_self_ms": ms(selfs, 20), "page_main_busy_ms": round(sum(selfs.values()) / 1000, 1)}


def visit(context, url: str, expected: dict, *, profile: bool = False, trace: bool = False) -> dict:
    """Open ``url`` in a new tab of ``context`` and measure until every chart and map has drawn."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)[:300]))
    page.add_init_script(PROBE.replace("{EXPECTED}", json.dumps(expected)))
    cdp = context.new_cdp_session(page)
    net = NetLog()
    net.attach(cdp)
    cdp.send("Network.enable")
    cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
    if profile:
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 500})
        cdp.send("Profiler.start")
    if trace:
        context.browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
    calm_wait = wait_until_calm()
    load_before = os.getloadavg()
    before = _metrics(cdp)
    cpu_before, system_before = cpu_by_process(), system_cpu()
    started = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
    wait_until_rendered(page, timeout=TIMEOUT_MS)
    page.wait_for_function("() => window.__bench && window.__bench.t.drawn != null",
                           polling=50, timeout=TIMEOUT_MS)
    at = _metrics(cdp)
    wall = time.perf_counter() - started
    cpu = cpu_spent(cpu_before, cpu_by_process())
    system_after = system_cpu()
    profiled = _profile_by_script(cdp.send("Profiler.stop")["profile"]) if profile else None
    at_drawn = page.evaluate("() => window.__bench.snapshot()")
    traced = context.browser.stop_tracing() if trace else None
    try:
        page.wait_for_function(QUIET, polling=100, timeout=20_000)
        settled = True
    except Exception:  # noqa: BLE001 - a page that never goes quiet: say so
        settled = False
    final = page.evaluate("() => window.__bench.snapshot()")
    load_after = os.getloadavg()
    page.close()
    record = _visit_record(at_drawn, final, net, before, at, wall, settled, errors, load_before,
                           load_after, profiled)
    record["cpu_s_until_drawn"] = cpu
    busy = system_after[0] - system_before[0]
    record["machine_cpu_s_until_drawn"] = {
        "all": round(busy, 2), "benchmark": round(sum(cpu.values()), 2),
        "others": round(max(busy - sum(cpu.values()), 0), 2),
        "steal": round(system_after[1] - system_before[1], 2)}
    record["calm_before"] = calm_wait
    if traced:
        record["trace"] = _trace_summary(traced)
    return record


def nav_visit(context, base: str, origin: str, path: str, expected: dict, link_index: int) -> dict:
    """Open ``origin`` (drawn and quiet), then click its sidebar link to ``path``: the time
    from the click until the target page has drawn, as a user moving between pages feels it
    (Streamlit changes page inside the loaded app: no reload, the chunks already there)."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)[:300]))
    page.add_init_script(PROBE.replace("{EXPECTED}", json.dumps(EXPECTED.get(_file_of(origin), {}))))
    cdp = context.new_cdp_session(page)
    net = NetLog()
    page.goto(f"{base}/{origin}", wait_until="commit", timeout=TIMEOUT_MS)
    wait_until_rendered(page, timeout=TIMEOUT_MS)
    page.wait_for_function("() => window.__bench && window.__bench.t.drawn != null", polling=50, timeout=TIMEOUT_MS)
    quiet = True
    try:
        page.wait_for_function(QUIET, polling=100, timeout=20_000)
    except Exception:  # noqa: BLE001
        quiet = False
    net.attach(cdp)
    cdp.send("Network.enable")
    cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
    origin_ms = page.evaluate("() => performance.timeOrigin")
    net.doc_mono, net.doc_wall = None, None
    calm_wait = wait_until_calm()
    load_before = os.getloadavg()
    before = _metrics(cdp)
    cpu_before, system_before = cpu_by_process(), system_cpu()
    page.evaluate("([e, p]) => window.__bench.armNav(e, p)", [expected, "/" + path])
    started = time.perf_counter()
    link = page.locator('[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"]').nth(link_index)
    href = link.get_attribute("href", timeout=30_000) or ""
    if href.split("?")[0].strip("/") != path:
        raise RuntimeError(f"sidebar link {link_index} is {href!r}, not /{path}")
    link.click(timeout=30_000)
    failed = None
    try:
        page.wait_for_function("() => window.__bench.nav.drawn != null", polling=50, timeout=TIMEOUT_MS)
    except Exception as error:  # noqa: BLE001 - recorded, the run goes on
        failed = str(error).splitlines()[0]
    at = _metrics(cdp)
    cpu, system_after = cpu_spent(cpu_before, cpu_by_process()), system_cpu()
    wall = round(time.perf_counter() - started, 3)
    snap = page.evaluate("() => window.__bench.snapshot()")
    load_after = os.getloadavg()
    page.close()
    n = snap["nav"]
    sec = lambda ms: None if ms is None or n["start"] is None else round((ms - n["start"]) / 1000, 3)
    ws_in = sum(len(p) for _, p in net.ws_received)
    return {"origin": "/" + origin, "drawn_s": sec(n["drawn"]), "idle_s": sec(n["idle"]), "error": failed,
            "nav_state": {k: n.get(k) for k in ("start", "sawRunning", "idle", "drawn")},
            "first_panel_s": sec(n["part"]) if n.get("state") and n["state"].get("partGraphics") else None,
            "reloaded": snap["time_origin"] != origin_ms, "origin_quiet": quiet, "wall_s": wall,
            "counts": {k: n["state"][k] for k in ("plots", "decks", "tables")} if n.get("state") else None,
            "dom_elements": n.get("dom"), "ws_bytes_in": ws_in, "http_bytes": sum(
                r.get("wire", 0) for r in net.requests.values()),
            "main_thread_s": {k: round(at.get(m, 0) - before.get(m, 0), 3) for k, m in (
                ("task", "TaskDuration"), ("script", "ScriptDuration"))},
            "cpu_s_until_drawn": cpu,
            "machine_cpu_s_until_drawn": {"all": round(system_after[0] - system_before[0], 2),
                                          "benchmark": round(sum(cpu.values()), 2),
                                          "others": round(max(system_after[0] - system_before[0] - sum(cpu.values()), 0), 2)},
            "page_errors": errors, "calm_before": calm_wait, "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in load_after]}


def _file_of(path: str) -> str:
    return "app.py" if path.strip("/") == "" else f"pages/{path.strip('/')}.py"


def _visit_record(snap: dict, final: dict, net: NetLog, before: dict, at: dict, wall: float,
                  settled: bool, errors: list[str], load_before, load_after, profiled) -> dict:
    origin = snap["time_origin"]
    t = snap["t"]
    drawn = t["drawn"]
    # each map: its frame at the drawn time against its last frame (complete?)
    maps = []
    for c in final["canvases"]:
        if c["owner"] != "deck" or not c["frames"]:
            continue
        frames = c["frames"]
        full = frames[-1][2]
        first_full = next((f for f in frames if f[2] >= full), frames[-1])
        at_drawn = [f for f in frames if f[0] <= drawn]
        maps.append({"size": [c["width"], c["height"]], "frames": len(frames), "draw_calls": c["draws"],
                     "draws_per_frame_final": full,
                     "draws_in_frame_at_drawn": at_drawn[-1][2] if at_drawn else 0,
                     "first_frame_ms": round(frames[0][0], 1),
                     "first_complete_frame_ms": round(first_full[1], 1)})
    maps_ms = max((m["first_complete_frame_ms"] for m in maps), default=None)
    drawn_ms = max(drawn, maps_ms) if maps_ms is not None else drawn
    part_maps = [m for m, c in zip(maps, [c for c in final["canvases"] if c["owner"] == "deck" and c["frames"]])
                 if c["in_part"]]
    part_ms = t.get("part")
    if part_ms is not None and part_maps:
        part_ms = max(part_ms, *(m["first_complete_frame_ms"] for m in part_maps))
    plots_ms = max((p["drawn_ms"] for p in final["plots"] if p["drawn_ms"] is not None), default=None)
    tables = [c for c in final["canvases"] if c["owner"] == "table"]
    tables_ms = max((c["drawn_ms"] for c in tables if c["drawn_ms"] is not None), default=None)
    long_tasks = snap["long_tasks"] or []
    ws = decode_ws(net, origin)
    state_at, state_end = snap["at_drawn"]["state"], final["state"]
    count_keys = ("plots", "decks", "tables")
    sec = lambda ms: None if ms is None else round(ms / 1000, 3)
    record = {
        "drawn_s": sec(drawn_ms),
        "predicate_s": sec(drawn),
        "first_drawn_s": sec(snap["first"].get("drawn")),
        "flips": [{**f, "t": sec(f["t"])} for f in final.get("flips", [])],
        "idle_s": sec(t["idle"]),
        "plots_drawn_s": sec(plots_ms),
        "maps_drawn_s": sec(maps_ms),
        "first_panel_s": sec(part_ms) if snap["at_drawn"]["state"].get("partGraphics") else None,
        "tables_drawn_s": sec(tables_ms),
        "all_drawn_s": sec(max(drawn_ms, t["all"])) if t.get("all") is not None else None,
        "long_tasks": {"count": len(long_tasks), "total_s": sec(sum(d for _, d in long_tasks)),
                       "longest_s": sec(max((d for _, d in long_tasks), default=0)),
                       "after_script_finished_s": sec(sum(d for st, d in long_tasks
                                                          if ws["script_finished_ms"] is not None
                                                          and st >= ws["script_finished_ms"]))},
        "wall_s": round(wall, 3),
        "phases_s": {
            "document": sec(snap["timing"]["response_end_ms"]) if snap["timing"] else None,
            "dom_content_loaded": sec(snap["timing"]["dom_content_loaded_ms"]) if snap["timing"] else None,
            "rerun_sent": sec(ws["rerun_sent_ms"]),
            "first_delta": sec(ws["first_delta_ms"]),
            "script_finished": sec(ws["script_finished_ms"]),
            "idle": sec(t["idle"]),
            "drawn": sec(drawn_ms),
        },
        "counts_at_drawn": {k: state_at[k] for k in count_keys},
        "counts_settled": {k: state_end[k] for k in count_keys},
        "counts_stable": all(state_at[k] == state_end[k] for k in ("plots", "decks")),
        "settled": settled,
        "maps": maps,
        "plots": final["plots"],
        "dom_elements": snap["at_drawn"]["dom"],
        "dom_elements_settled": final["dom_elements"],
        "plotly_svg_elements": final["plotly_svg_elements"],
        "http": net.http_summary(origin),
        "ws": ws,
        "main_thread_s": {k: round(at.get(m, 0) - before.get(m, 0), 3) for k, m in (
            ("task", "TaskDuration"), ("script", "ScriptDuration"), ("layout", "LayoutDuration"),
            ("style", "RecalcStyleDuration"))},
        "js_heap_mb": round(at.get("JSHeapUsedSize", 0) / 1e6, 1),
        "layouts": int(at.get("LayoutCount", 0) - before.get("LayoutCount", 0)),
        "page_errors": errors,
        "exceptions_shown": final["exceptions"],
        "probe_error": final["error"],
        "links": snap["links"],
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
    }
    if profiled:
        record["cpu_profile"] = profiled
    return record


# ---------------------------------------------------------------------------- one page

def _try(fn, *args, **kwargs) -> dict:
    """A visit, or the record of its failure (the run goes on; the failure is reported)."""
    try:
        return fn(*args, **kwargs)
    except Exception as error:  # noqa: BLE001
        print(f"[{time.strftime('%H:%M:%S')}] visit failed: {str(error).splitlines()[0]}", file=sys.stderr, flush=True)
        return {"error": str(error).splitlines()[0], "drawn_s": None, "idle_s": None, "first_panel_s": None,
                "calm_before": {"calm": False, "waited_s": None}, "machine_cpu_s_until_drawn": {}}


def measure_page(browser, db: Path, file: str, label: str, path: str, runs: int, new_viewers: int,
                 profile: bool, log: Path, navigations: int, link_index: int) -> dict:
    expected = EXPECTED.get(file, {})
    print(f"[{time.strftime('%H:%M:%S')}] {label} /{path}: server start", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    with running_server(db, log) as (base, process):
        server_start_s = time.perf_counter() - t0
        url = f"{base}/{path}"
        context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
        cold = _try(visit, context, url, expected)
        say(label, "cold", cold)
        warm = []
        for _ in range(runs):
            warm.append(_try(visit, context, url, expected))
            say(label, "warm", warm[-1])
        profiled = _try(visit, context, url, expected, profile=True) if profile else None
        traced = _try(visit, context, url, expected, trace=True) if profile else None
        context.close()
        fresh = []
        for _ in range(new_viewers):
            other = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
            fresh.append(_try(visit, other, url, expected))
            other.close()
            say(label, "new viewer", fresh[-1])
        navs = []
        origin = "townships" if path == "" else ""
        context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
        for _ in range(navigations):
            navs.append(_try(nav_visit, context, base, origin, path, expected, link_index))
            print(f"[{time.strftime('%H:%M:%S')}] {label} via link from /{origin}: drawn {navs[-1]['drawn_s']} s "
                  f"(idle {navs[-1]['idle_s']}), others {navs[-1]['machine_cpu_s_until_drawn'].get('others')} CPU-s"
                  f"{', ' + navs[-1]['error'] if navs[-1].get('error') else ''}", file=sys.stderr, flush=True)
        context.close()
        rss = _tree_rss_mb(process.pid)
    page = {"page": label, "file": file, "path": "/" + path, "expected": expected,
            "server_start_s": round(server_start_s, 2), "server_rss_mb": rss,
            "cold": cold, "warm": warm, "new_viewer": fresh, "link": navs,
            "profiled_warm": profiled, "traced_warm": traced}
    return {**summarize(page), **page}


#: A visit is "undisturbed" when everything else on the machine used at most this share
#: of one core while it ran (the machine is shared: other people's tests run Chromium
#: too). The rest of the machine is never quite still: the kernel's work for the
#: benchmark's own processes (loopback network, page faults) and processes that ended
#: during the visit count as "others", about 0.1–0.2 of a core when nothing else runs.
UNDISTURBED_SHARE = 0.25


def _others(v: dict) -> float:
    return v.get("machine_cpu_s_until_drawn", {}).get("others", 0.0)


def _undisturbed(v: dict) -> bool:
    return _others(v) <= UNDISTURBED_SHARE * max(v.get("wall_s") or v.get("drawn_s") or 1.0, 1.0)


def summarize(page: dict) -> dict:
    """The page's figures from its visits: all visits, and the undisturbed ones."""
    out = {}
    for kind in ("warm", "new_viewer", "link"):
        visits = page.get(kind) or []
        drawn = [v["drawn_s"] for v in visits if v["drawn_s"] is not None]
        quiet = [v["drawn_s"] for v in visits if v["drawn_s"] is not None and _undisturbed(v)]
        out[f"{kind}_median_s"] = _median(drawn)
        out[f"{kind}_best_s"] = min(drawn, default=None)
        out[f"{kind}_max_s"] = max(drawn, default=None)
        out[f"{kind}_all_s"] = drawn
        out[f"{kind}_undisturbed_median_s"] = _median(quiet)
        out[f"{kind}_undisturbed_n"] = len(quiet)
    cold = page["cold"]
    out["cold_s"] = cold["drawn_s"]
    out["cold_undisturbed"] = _undisturbed(cold)
    out["first_panel_cold_s"] = cold.get("first_panel_s")
    out["first_panel_warm_median_s"] = _median([v.get("first_panel_s") for v in page.get("warm") or []])
    timed = [cold, *(page.get("warm") or []), *(page.get("new_viewer") or [])]
    out["visits_after_calm"] = f"{sum(bool(v.get('calm_before', {}).get('calm')) for v in timed)}/{len(timed)}"
    out["failed_visits"] = sum(bool(v.get("error")) for v in [*timed, *(page.get("link") or [])])
    out["others_cpu_s"] = [_others(v) for v in timed]
    return out


def _median(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


def say(label: str, kind: str, v: dict) -> None:
    if v.get("error"):
        return
    ph = v["phases_s"]
    m = v.get("machine_cpu_s_until_drawn", {})
    print(f"[{time.strftime('%H:%M:%S')}] {label} {kind}: drawn {v['drawn_s']} s (idle {v['idle_s']}, "
          f"calm {v['calm_before']}, CPU-s: ours {m.get('benchmark')}, others {m.get('others')}, "
          f"run {ph['rerun_sent']}→{ph['script_finished']}), ws {v['ws']['bytes_in'] / 1e3:,.0f} kB, "
          f"http {v['http']['wire'] / 1e3:,.0f} kB, DOM {v['dom_elements']}, "
          f"load {v['load_before'][0]}→{v['load_after'][0]}", file=sys.stderr, flush=True)


def _tree_rss_mb(pid: int) -> float | None:
    try:
        import psutil
    except ImportError:
        return None
    try:
        process = psutil.Process(pid)
        procs = [process, *process.children(recursive=True)]
        return round(sum(p.memory_info().rss for p in procs) / 1e6)
    except psutil.Error:
        return None


# ---------------------------------------------------------------------------- context

def _run(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=30,
                              check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def dataset(db: Path) -> dict:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        meta = dict(con.execute("SELECT key, value FROM dataset_meta").fetchall())
        counts = json.loads(meta.get("row_counts", "{}"))
    return {"db": str(db), "db_mb": round(db.stat().st_size / 1e6, 1), "source": meta.get("source"),
            "as_of": meta.get("as_of"), "years": f"{meta.get('first_year')}–{meta.get('last_year')}",
            "row_counts": counts}


SOURCE_ENV = "BENCH_BROWSER_SOURCE"


def source() -> dict:
    """The code measured: the commit and the uncommitted files (the server runs the working
    tree), or, run from a snapshot, those of the tree it was copied from."""
    if os.environ.get(SOURCE_ENV):
        return json.loads(os.environ[SOURCE_ENV])
    dirty = [line[3:] for line in _run(["git", "status", "--porcelain"]).splitlines() if line.strip()]
    return {"commit": _run(["git", "rev-parse", "--short", "HEAD"]), "uncommitted_files": len(dirty),
            "uncommitted": dirty[:40], "snapshot": None}


def run_from_snapshot(directory: Path, argv: list[str]) -> int:
    """Copy the working tree (tracked and untracked files git does not ignore, no
    databases) to ``directory`` once, and run this benchmark from the copy: every page of
    every scale then runs the same code while others commit (as bench/run.py does). An
    existing copy is reused, so several scales can be measured on one snapshot."""
    import shutil

    directory = directory.resolve()
    stamp = directory / ".bench_source.json"
    if not stamp.exists():
        files = [f for f in _run(["git", "ls-files", "-co", "--exclude-standard"]).splitlines()
                 if f and not f.endswith((".duckdb", ".wal")) and (ROOT / f).is_file()]
        for f in files:
            (directory / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / f, directory / f)
        info = {**source(), "snapshot": str(directory),
                "copied": datetime.now(UTC).isoformat(timespec="seconds")}
        stamp.write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
    info = json.loads(stamp.read_text(encoding="utf-8"))
    print(f"running from the snapshot {directory} of commit {info['commit']} "
          f"(+{info['uncommitted_files']} uncommitted files, copied {info['copied']})", file=sys.stderr)
    rest, skip = [], False
    for a in argv:  # the same arguments, paths made absolute, without --snapshot
        if skip:
            skip = False
            continue
        if a == "--snapshot":
            skip = True
            continue
        rest.append(str(Path(a).resolve()) if a.endswith((".json", ".duckdb")) else a)
    env = dict(os.environ, **{SOURCE_ENV: json.dumps(info, ensure_ascii=False)})
    return subprocess.run([sys.executable, str(directory / "bench" / "browser.py"), *rest],
                          cwd=directory, env=env, check=False).returncode


def environment(browser_version: str) -> dict:
    from importlib.metadata import version

    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = {name: version(name) for name in ("streamlit", "plotly", "pydeck", "playwright", "duckdb",
                                                   "pandas", "protobuf")}
    return {"date": datetime.now(UTC).isoformat(timespec="seconds"), **source(),
            "machine": " ".join(platform.uname()[i] for i in (0, 2, 4)), "cpus": os.cpu_count(),
            "ram_gib": round(mem_gb, 1), "python": platform.python_version(),
            "chromium": browser_version, "versions": versions, "viewport": VIEWPORT}


def webgl_renderer(browser) -> str | None:
    """What draws WebGL in this Chromium (SwiftShader: on the CPU, no GPU here)."""
    context = browser.new_context()
    try:
        return context.new_page().evaluate("""() => {
            const gl = document.createElement('canvas').getContext('webgl2') || document.createElement('canvas').getContext('webgl');
            if (!gl) return null;
            const info = gl.getExtension('WEBGL_debug_renderer_info');
            return info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
        }""")
    finally:
        context.close()


def static_bundles() -> dict:
    """Size of the chunks the pages load, raw and gzip -6 (what the server sends)."""
    import gzip

    import streamlit

    js = Path(streamlit.__file__).parent / "static" / "static" / "js"
    out = {}
    for prefix in ("index", "PlotlyChart", "DeckGlJsonChart", "DataFrame", "react-dom"):
        for f in sorted(js.glob(f"{prefix}.*.js")):
            raw = f.read_bytes()
            out[f.name] = {"raw": len(raw), "gzip": len(gzip.compress(raw, 6))}
    return out


# ---------------------------------------------------------------------------- experiments

#: A scratch Streamlit app (written to a temporary directory, never into the app) that
#: draws one variant per ``?v=``: what each kind of element costs the browser, and what
#: lighter ways of drawing the same would cost. The charts and the map are the app's own
#: (``analytics.charts.build_trend``, ``analytics.maps.build_township_map`` on the database).
EXPERIMENT_APP = r"""
import json, math, os
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import charts, maps, status
from analytics.geo import township_polygons
from analytics.store import Store

st.set_page_config(layout="wide")
v = st.query_params.get("v", "blank")


@st.cache_resource
def data():
    store = Store(Path(os.environ["TONGWEI_DB"]))
    year = 2020
    values = status.township_map_values(store, year)
    villages = status.village_map_points(store, year)
    polygons, _ = township_polygons()
    return values, villages, polygons


def trend(i):
    frame = pd.DataFrame({"year": range(2014, 2021), "y": [20 - 2.5 * k + i for k in range(7)]})
    return charts.build_trend(frame, "y", f"指标{i}", "%", targets=[(3, "目标 3%"), (2, "退出线 2%"), (1, "省目标 1%")])


def deck(compact=False):
    values, villages, polygons = data()
    d = maps.build_township_map(polygons, values, "status", villages, dark=False, label_size=16,
                                height=560, view={"latitude": 35.21, "longitude": 105.22, "zoom": 8.95})
    serialized = maps.SerializedDeck(d)
    if compact:
        serialized._json = json.dumps(json.loads(serialized._json), ensure_ascii=False, separators=(",", ":"))
    return serialized


def svg_map(width=656, height=560):
    values, villages, polygons = data()
    fills = dict(zip(values["township_code"], maps.township_colors(values, "status")))
    xs, ys = [], []
    def walk(c):
        if isinstance(c[0], (int, float)):
            xs.append(c[0]); ys.append(c[1])
        else:
            for x in c: walk(x)
    for f in polygons["features"]:
        walk(f["geometry"]["coordinates"])
    k = math.cos(math.radians(35.2))
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    scale = min(width / ((x1 - x0) * k), height / (y1 - y0))
    P = lambda lon, lat: (round((lon - x0) * k * scale, 1), round((y1 - lat) * scale, 1))
    def ring(r):
        return "M" + "L".join("%s,%s" % P(*pt) for pt in r) + "Z"
    parts = []
    for f in polygons["features"]:
        g = f["geometry"]
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        d = "".join(ring(r) for poly in polys for r in poly)
        c = fills.get(f["properties"]["township_code"], [200, 200, 200, 255])
        parts.append(f'<a href="?township={f["properties"]["name"]}" target="_self"><path d="{d}" '
                     f'fill="rgba({c[0]},{c[1]},{c[2]},{c[3] / 255:.2f})" stroke="#3c3c3c" stroke-width="1.5">'
                     f'<title>{f["properties"]["name"]}</title></path></a>')
    for lon, lat, verdict in zip(villages["lon"], villages["lat"], villages["verdict"]):
        if lon == lon and lat == lat:
            c = maps.VERDICT_COLORS.get(verdict, maps.VERDICT_COLORS["no_data"])
            x, y = P(lon, lat)
            parts.append(f'<circle cx="{x}" cy="{y}" r="3" fill="rgb({c[0]},{c[1]},{c[2]})" stroke="#141414" stroke-width="0.5"/>')
    for f in polygons["features"]:
        x, y = P(f["properties"]["seat_lon"], f["properties"]["seat_lat"])
        parts.append(f'<text x="{x}" y="{y}" font-size="14" text-anchor="middle" paint-order="stroke" '
                     f'stroke="#fff" stroke-width="3">{f["properties"]["name"]}</text>')
    return (f'<svg class="bench-svg-map" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'xmlns="http://www.w3.org/2000/svg">' + "".join(parts) + "</svg>")


def plotly_map():
    # the townships as filled polygons on plain axes (lon, lat at equal scale): SVG, no
    # WebGL, no map tiles (a Plotly geo choropleth would fetch its world outline from the
    # internet, which the intranet forbids)
    values, villages, polygons = data()
    fills = dict(zip(values["township_code"], maps.township_colors(values, "status")))
    fig = go.Figure()
    for f in polygons["features"]:
        g = f["geometry"]
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        xs, ys = [], []
        for poly in polys:
            for ring in poly:
                xs += [p[0] for p in ring] + [None]
                ys += [p[1] for p in ring] + [None]
        c = fills.get(f["properties"]["township_code"], [200, 200, 200, 255])
        fig.add_trace(go.Scatter(x=xs, y=ys, fill="toself", mode="lines", name=f["properties"]["name"],
                                 fillcolor=f"rgba({c[0]},{c[1]},{c[2]},{c[3] / 255:.2f})",
                                 line={"color": "#3c3c3c", "width": 1.5}, hoverinfo="name"))
    fig.add_trace(go.Scatter(x=villages["lon"], y=villages["lat"], mode="markers", hoverinfo="skip",
                             marker={"size": 5, "color": "#2e7d32"}))
    fig.add_trace(go.Scatter(x=[f["properties"]["seat_lon"] for f in polygons["features"]],
                             y=[f["properties"]["seat_lat"] for f in polygons["features"]],
                             text=[f["properties"]["name"] for f in polygons["features"]],
                             mode="text", hoverinfo="skip"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1 / math.cos(math.radians(35.2)))
    fig.update_layout(height=560, showlegend=False, margin={"l": 0, "r": 0, "t": 0, "b": 0})
    return fig


def svg_trend(i, width=640, height=300):
    # the trend chart as the server could draw it: a line, its points, three target lines
    ys = [20 - 2.5 * k + i for k in range(7)]
    left, right, top, bottom = 50, 20, 30, 40
    sx = lambda k: left + k * (width - left - right) / 6
    sy = lambda y: top + (1 - y / 25) * (height - top - bottom)
    parts = [f'<text x="{left}" y="18" font-size="15" font-weight="bold">指标{i}</text>']
    for y in (0, 5, 10, 15, 20, 25):
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{sy(y):.1f}" y2="{sy(y):.1f}" stroke="#eee"/>'
                     f'<text x="{left - 8}" y="{sy(y) + 4:.1f}" font-size="12" text-anchor="end" fill="#666">{y}</text>')
    for k in range(7):
        parts.append(f'<text x="{sx(k):.1f}" y="{height - 18}" font-size="12" text-anchor="middle" fill="#666">{2014 + k}</text>')
    for y, label in ((3, "目标 3%"), (2, "退出线 2%"), (1, "省目标 1%")):
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{sy(y):.1f}" y2="{sy(y):.1f}" stroke="#2c3e50" stroke-dasharray="6 4"/>'
                     f'<text x="{width - right}" y="{sy(y) - 4:.1f}" font-size="12" text-anchor="end">{label}</text>')
    parts.append('<polyline fill="none" stroke="#c0392b" stroke-width="3" points="'
                 + " ".join(f"{sx(k):.1f},{sy(y):.1f}" for k, y in enumerate(ys)) + '"/>')
    parts += [f'<circle cx="{sx(k):.1f}" cy="{sy(y):.1f}" r="4" fill="#c0392b"><title>{2014 + k}: {y:g}%</title></circle>'
              for k, y in enumerate(ys)]
    return (f'<svg class="bench-svg-trend" viewBox="0 0 {width} {height}" width="100%" height="{height}" '
            f'xmlns="http://www.w3.org/2000/svg">' + "".join(parts) + "</svg>")


def table():
    values, _, _ = data()
    return values[["name", "verdict_text", "poverty_incidence_pct", "relapse_rate_pct"]]


st.title(f"variant {v}")
if v in ("plotly1", "plotly4", "overview_like"):
    for i in range(1 if v == "plotly1" else 4):
        st.plotly_chart(trend(i), key=f"t{i}")
if v == "plotly4_static":
    for i in range(4):
        st.plotly_chart(trend(i), key=f"t{i}", config={"staticPlot": True})
if v in ("deck", "overview_like"):
    st.pydeck_chart(deck(), height=560, key="map")
if v == "deck_compact":
    st.pydeck_chart(deck(compact=True), height=560, key="map")
if v in ("svg_map", "overview_light", "overview_svg"):
    st.markdown(svg_map(), unsafe_allow_html=True)  # st.html drops an <svg> (1.67)
if v == "overview_light":
    for i in range(4):
        st.plotly_chart(trend(i), key=f"t{i}", config={"staticPlot": True})
if v in ("svg_trends4", "overview_svg"):
    for i in range(4):
        st.markdown(svg_trend(i), unsafe_allow_html=True)
if v == "vega4":
    for i in range(4):
        st.line_chart(pd.DataFrame({"year": range(2014, 2021), "y": [20 - 2.5 * k + i for k in range(7)]}),
                      x="year", y="y", height=300)
if v == "plotly_map":
    st.plotly_chart(plotly_map(), key="plotly_map")
if v in ("dataframe", "overview_like"):
    st.dataframe(table(), hide_index=True)
if v in ("html_table", "overview_light", "overview_svg"):
    st.table(table())
st.write("end")
"""

#: variant → what must be there (as ``EXPECTED``) and what it shows.
EXPERIMENTS = {
    "blank": ({}, "a title and a line of text: Streamlit's own start"),
    "plotly1": ({"plots": 1}, "one of the app's trend charts (Plotly, 7 points)"),
    "plotly4": ({"plots": 4}, "four trend charts (总览's four)"),
    "plotly4_static": ({"plots": 4}, "the four, config staticPlot (no hover, no toolbar)"),
    "svg_trends4": ({"selector": "svg.bench-svg-trend"}, "the four trends as SVG drawn on the server (no JS)"),
    "vega4": ({"plots": 4}, "the four trends as st.line_chart (Vega-Lite)"),
    "deck": ({"decks": 1}, "the township map as the app draws it (deck.gl, WebGL)"),
    "deck_compact": ({"decks": 1}, "the same map, its JSON without pydeck's indentation"),
    "plotly_map": ({"plots": 1}, "the same map drawn by Plotly: polygons on plain axes (SVG, no WebGL)"),
    "svg_map": ({"selector": "svg.bench-svg-map"}, "the same map as an SVG drawn on the server (no JS)"),
    "dataframe": ({"selector": '[data-testid="stDataFrame"]'}, "a Glide data grid, 18 rows"),
    "html_table": ({"selector": '[data-testid="stTable"]'}, "st.table, 18 rows (HTML)"),
    "overview_like": ({"plots": 4, "decks": 1, "selector": '[data-testid="stDataFrame"]'},
                      "总览's heavy parts: 4 trends + deck map + data grid"),
    "overview_light": ({"plots": 4, "selector": "svg.bench-svg-map"},
                       "the same, lighter: 4 static trends + SVG map + HTML table"),
    "overview_svg": ({"selector": "svg.bench-svg-map"},
                     "the same drawn on the server: 4 SVG trends + SVG map + HTML table (no chart library)"),
}


def experiments(browser, db: Path, runs: int, log: Path) -> dict:
    """Each variant of ``EXPERIMENT_APP``: one visit to warm the server, then ``runs``
    visits in a context whose HTTP cache is warm."""
    from tests.browser.server import free_port, stop_server, wait_for_health

    out = {}
    with tempfile.TemporaryDirectory(prefix="bench_browser_") as tmp:
        script = Path(tmp) / "variants.py"
        script.write_text(EXPERIMENT_APP, encoding="utf-8")
        port = free_port()
        env = dict(os.environ, TONGWEI_DB=str(db), PYTHONPATH=str(ROOT))
        with open(log, "ab") as server_log:
            process = subprocess.Popen(  # the app's config (cwd), this script
                [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                 "--server.address", "127.0.0.1", "--server.headless", "true"],
                cwd=ROOT, env=env, stdout=server_log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for_health(port)
            base = f"http://127.0.0.1:{port}"
            context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
            for name, (expected, what) in EXPERIMENTS.items():
                url = f"{base}/?v={name}"
                first = visit(context, url, expected)  # server caches, browser cache
                visits = [visit(context, url, expected) for _ in range(runs)]
                drawn = [x["drawn_s"] for x in visits]
                w = visits[0]
                out[name] = {
                    "what": what, "first_s": first["drawn_s"], "drawn_all_s": drawn,
                    "drawn_median_s": round(statistics.median(drawn), 3), "drawn_best_s": min(drawn),
                    "idle_median_s": _median([x["idle_s"] for x in visits]),
                    "renderer_cpu_s": _median([x["cpu_s_until_drawn"].get("chromium renderer", 0) for x in visits]),
                    "gpu_cpu_s": _median([x["cpu_s_until_drawn"].get("chromium gpu", 0) for x in visits]),
                    "main_thread_task_s": _median([x["main_thread_s"]["task"] for x in visits]),
                    "js_decoded_kb": round(first["http"]["decoded"] / 1e3),
                    "ws_kb": round(w["ws"]["bytes_in"] / 1e3, 1), "dom_elements": w["dom_elements"],
                    "load": [first["load_before"][0], visits[-1]["load_after"][0]],
                }
                print(f"[{time.strftime('%H:%M:%S')}] experiment {name}: drawn median "
                      f"{out[name]['drawn_median_s']} s, renderer {out[name]['renderer_cpu_s']} CPU-s, "
                      f"GPU {out[name]['gpu_cpu_s']} CPU-s", file=sys.stderr, flush=True)
            context.close()
        finally:
            stop_server(process)
    return out


# ---------------------------------------------------------------------------- report

def _f(x, spec=".2f") -> str:
    return "—" if x is None else format(x, spec)


def table(results: list[dict]) -> str:
    """A Markdown table: one row per page and result file (scale)."""
    out = [("| page | scale | cold s | warm s: median (best) | warm s, undisturbed: median (n) | via a link s: median (best) "
            "| new viewer s: median | ws kB | HTTP MB, cold | DOM elements | charts · traces · points | maps |"),
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for i in range(len(results[0]["pages"])):
        for r in results:
            if i >= len(r["pages"]):
                continue
            p = r["pages"][i]
            w = next((v for v in [*p["warm"], p["cold"]] if "ws" in v), None)
            if w is None:
                out.append(f"| {p['page']} | {r['scale_label']} | every visit failed |")
                continue
            plots = [e for e in w["ws"]["elements"] if e["type"] == "plotly_chart"]
            decks = [e for e in w["ws"]["elements"] if e["type"] == "deck_gl_json_chart"]
            cold = _f(p["cold_s"]) + ("" if p["cold_undisturbed"] else "*")
            if p.get("first_panel_cold_s") is not None and p["first_panel_cold_s"] != p["cold_s"]:
                cold += f" (first panel {_f(p['first_panel_cold_s'])})"
            out.append(
                f"| {p['page']} | {r['scale_label']} | {cold} | {_f(p['warm_median_s'])} ({_f(p['warm_best_s'])}) | "
                f"{_f(p['warm_undisturbed_median_s'])} ({p['warm_undisturbed_n']}) | "
                f"{_f(p['link_median_s'])} ({_f(p['link_best_s'])}) | {_f(p['new_viewer_median_s'])} | "
                f"{w['ws']['bytes_in'] / 1e3:,.0f} | {_f(p['cold'].get('http', {}).get('wire', 0) / 1e6, ',.1f')} | {w['dom_elements']:,} | "
                f"{len(plots)} · {sum(e.get('traces', 0) for e in plots)} · {sum(e.get('points', 0) for e in plots):,} | "
                f"{len(decks)}{' (' + format(sum(e.get('json_bytes', 0) for e in decks) / 1e3, ',.0f') + ' kB)' if decks else ''} |")
    return "\n".join(out)


def experiment_table(doc: dict) -> str:
    rows = [("| variant | what it draws | drawn s: median (best) | renderer CPU s | GPU process CPU s "
             "| JS, CSS, fonts kB (decoded) | ws kB | DOM elements |"),
            "|---|---|---:|---:|---:|---:|---:|---:|"]
    for name, r in doc["variants"].items():
        rows.append(f"| {name} | {r['what']} | {r['drawn_median_s']:.2f} ({r['drawn_best_s']:.2f}) | "
                    f"{r['renderer_cpu_s']:.2f} | {r['gpu_cpu_s']:.2f} | {r['js_decoded_kb']:,} | "
                    f"{r['ws_kb']:,.1f} | {r['dom_elements']:,} |")
    return "\n".join(rows)


def goals(result: dict) -> list[str]:
    """The issue's goals, judged on the undisturbed warm visits when there are 3 or more."""
    lines = []
    for p in result["pages"]:
        quiet = p["warm_undisturbed_n"] >= 3
        warm = p["warm_undisturbed_median_s"] if quiet else p["warm_median_s"]
        basis = f"undisturbed warm median of {p['warm_undisturbed_n']}" if quiet else \
            f"warm median of all {len(p['warm_all_s'])} (only {p['warm_undisturbed_n']} undisturbed)"
        if warm is None:
            lines.append(f"- {result['scale_label']} {p['page']}: no warm visit drew the page — NOT met")
            continue
        lines.append(f"- {result['scale_label']} {p['page']}: {basis} {warm:.2f} s "
                     f"{'≤' if warm <= 2 else '>'} 2 s — {'met' if warm <= 2 else 'NOT met'}")
        if p["file"] == "pages/battle_map.py":
            c = p["first_panel_cold_s"] if p["first_panel_cold_s"] is not None else p["cold_s"]
            if c is None:
                lines.append(f"- {result['scale_label']} {p['page']}: the cold visit failed — NOT met")
                continue
            lines.append(f"- {result['scale_label']} {p['page']}: first panel cold {c:.2f} s "
                         f"{'≤' if c <= 3 else '>'} 3 s — {'met' if c <= 3 else 'NOT met'}"
                         f"{'' if p['cold_undisturbed'] else ' (others used ' + str(_others(p['cold'])) + ' CPU-s meanwhile)'}")
    return lines


# ---------------------------------------------------------------------------- main

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "tongwei.duckdb")
    parser.add_argument("--runs", type=int, default=5, help="warm visits per page (median and best)")
    parser.add_argument("--new-viewers", type=int, default=3, help="visits in a new browser context each")
    parser.add_argument("--pages", nargs="*", help="URL paths to measure (default: all; '' or / for 总览)")
    parser.add_argument("--links", type=int, default=3,
                        help="visits by a sidebar link from another page (总览, or 乡镇 for 总览)")
    parser.add_argument("--calm-limit", type=float, default=90.0,
                        help="seconds to wait at most for a calm machine before each visit")
    parser.add_argument("--no-profile", dest="profile", action="store_false")
    parser.add_argument("--label", help="the scale's name in the tables (default: from the dataset source)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--snapshot", type=Path,
                        help="copy the working tree here once (reused if there) and measure that copy")
    parser.add_argument("--report", nargs="+", type=Path, help="print the table of these result files")
    parser.add_argument("--experiments", action="store_true",
                        help="instead of the pages: the cost of each kind of element (EXPERIMENTS)")
    args = parser.parse_args(argv)
    global CALM_LIMIT_S
    CALM_LIMIT_S = args.calm_limit
    if args.snapshot:
        return run_from_snapshot(args.snapshot, list(sys.argv[1:] if argv is None else argv))
    if args.report:
        results = [json.loads(p.read_text(encoding="utf-8")) for p in args.report]
        for r in [r for r in results if "variants" in r]:
            print(experiment_table(r) + "\n")
        results = [r for r in results if "pages" in r]
        if not results:
            return 0
        for r in results:  # with this version's summaries
            r["pages"] = [{**page, **summarize(page)} for page in r["pages"]]
        print(table(results))
        print()
        for r in results:
            print("\n".join(goals(r)))
        return 0
    if not Path(CHROMIUM).exists():
        parser.error(f"Chromium not found at {CHROMIUM}")
    db = args.db.resolve()
    if not db.exists():
        parser.error(f"no database at {db}")
    from playwright.sync_api import sync_playwright

    data = dataset(db)
    label = args.label or (data["source"] or db.stem).replace("demo ", "").split(" seed")[0]
    pages = app_pages()
    if args.pages is not None:
        wanted = {p.strip("/") for p in args.pages}
        pages = [p for p in pages if p[2] in wanted]
    log = Path(tempfile.gettempdir()) / f"bench_browser_{(args.json or Path('run')).stem}.server.log"
    if args.experiments:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            env = {**environment(browser.version), "webgl": webgl_renderer(browser)}
            load_start = os.getloadavg()
            found = experiments(browser, db, args.runs, log)
            browser.close()
        doc = {"benchmark": "bench/browser.py --experiments", "environment": env, "dataset": data,
               "runs": args.runs, "load_at_start": [round(x, 2) for x in load_start],
               "load_at_end": [round(x, 2) for x in os.getloadavg()], "variants": found}
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
        print(experiment_table(doc))
        return 0
    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        env = {**environment(browser.version), "webgl": webgl_renderer(browser)}
        started = datetime.now(UTC).isoformat(timespec="seconds")
        load_start = os.getloadavg()
        for file, name, path in pages:
            results.append(measure_page(browser, db, file, name, path, args.runs, args.new_viewers,
                                        args.profile, log, args.links,
                                        [f for f, _, _ in app_pages()].index(file)))
            if args.json:  # after every page, so an interrupted run leaves what it measured
                _write(args.json, env, data, label, args, started, load_start, results)
        browser.close()
    out = _write(args.json, env, data, label, args, started, load_start, results) if args.json else \
        _document(env, data, label, args, started, load_start, results)
    print(table([out]))
    print("\n".join(goals(out)))
    return 0


def _document(env, data, label, args, started, load_start, results) -> dict:
    return {"benchmark": "bench/browser.py", "scale_label": label, "environment": env, "dataset": data,
            "runs": {"warm": args.runs, "new_viewers": args.new_viewers, "links": args.links, "profile": args.profile},
            "started": started, "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "load_at_start": [round(x, 2) for x in load_start],
            "load_at_end": [round(x, 2) for x in os.getloadavg()],
            "static_bundles": static_bundles(), "pages": results}


def _write(path: Path, *parts) -> dict:
    doc = _document(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return doc


if __name__ == "__main__":
    raise SystemExit(main())
