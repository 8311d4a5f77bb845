"""The meeting-room screen's address: bad values fall back to safe ones (ui.battle.screen_params)."""

from __future__ import annotations

import pytest

from ui.battle import MIN_ROTATE, refresh_seconds, rotation_css, screen_params


@pytest.mark.parametrize(("query", "rotate", "metric", "year", "scale"), [
    ({}, 30, "status", None, 1.0),
    ({"rotate": "abc", "metric": "xyz", "year": "x", "scale": "nan"}, 30, "status", None, 1.0),
    ({"rotate": "1"}, MIN_ROTATE, "status", None, 1.0),
    ({"scale": "-1"}, 30, "status", None, 1.0),
    ({"scale": "0"}, 30, "status", None, 1.0),
    ({"scale": "100"}, 30, "status", None, 3.0),
    ({"scale": "inf"}, 30, "status", None, 1.0),
    ({"scale": "2", "metric": "relapse", "year": "2016", "rotate": "12"}, 12, "relapse", 2016, 2.0),
])
def test_screen_params(query, rotate, metric, year, scale):
    params = screen_params(query)
    assert (params.rotate, params.metric, params.year, params.scale) == (rotate, metric, year, scale)


def test_each_panel_is_shown_for_its_share_of_the_cycle():
    css = rotation_css(4, 10)
    assert "bm-cycle 40s" in css and "0%, 25.0000%" in css
    # panel k starts k·10 s into the cycle: a negative delay of (k - 4)·10 s
    assert [f"animation-delay: {d}s" in css for d in (-40, -30, -20, -10)] == [True] * 4
    assert refresh_seconds(screen_params({"rotate": "10"})) == 40
