"""?scale=2 on the meeting-room screen (a 3840×2160 screen run at 100 %): the charts'
axis titles clear their tick labels and the legend swatches grow with the text."""

from __future__ import annotations



#: Per visible chart: the legend's swatch height and text height, and whether the y
#: axis title's box overlaps any y tick label's box.
MEASURE = """() => {
    const out = [];
    for (const plot of document.querySelectorAll('.st-key-bm_stage .js-plotly-plot')) {
        const swatch = plot.querySelector('.legend .legendpoints path');
        const text = plot.querySelector('.legend .legendtext');
        const title = plot.querySelector('.g-ytitle text');
        const ticks = [...plot.querySelectorAll('.ytick text')].map(t => t.getBoundingClientRect());
        const t = title ? title.getBoundingClientRect() : null;
        const overlap = t ? ticks.some(r => r.width && r.left < t.right && t.left < r.right
                                           && r.top < t.bottom && t.top < r.bottom) : false;
        out.push({swatch: swatch ? swatch.getBoundingClientRect().height : null,
                  text: text ? text.getBoundingClientRect().height : null, overlap});
    }
    return out;
}"""


def measure(page, server, scale: int):
    page.goto(f"{server}/battle_map?year=2016&scale={scale}")
    page.wait_for_function("() => document.querySelectorAll('.st-key-bm_stage .js-plotly-plot .legend').length >= 3",
                           timeout=90000)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=90000)
    return page.evaluate(MEASURE)


def test_scale_two_scales_legend_swatches_and_clears_axis_titles(page, server):
    small, big = measure(page, server, 1), measure(page, server, 2)
    assert len(small) == len(big) >= 3
    for one, two in zip(small, big):
        assert not two["overlap"] and not one["overlap"], (one, two)
        if one["swatch"] and two["swatch"]:
            # the swatch keeps its size relative to the text (within a fifth)
            assert two["swatch"] / two["text"] >= 0.8 * one["swatch"] / one["text"], (one, two)
