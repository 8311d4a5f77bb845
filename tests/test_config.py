"""The deployment configuration is safe by default, and the data configuration is complete."""

from __future__ import annotations

import tomllib

from analytics.config import ROOT, load_config


def test_streamlit_config_for_a_government_intranet():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False      # no telemetry
    assert config["client"]["showErrorDetails"] == "none"      # no tracebacks (personal data)
    assert config["client"]["toolbarMode"] == "viewer"
    assert config["server"]["address"] == "127.0.0.1"          # listen wider only when deployed
    assert 1 <= config["server"]["maxUploadSize"] <= 500        # MB
    assert config["client"]["showSidebarNavigation"] is False  # the frame draws navigation per role
    assert config["runner"]["postScriptGC"] is False           # a full gc.collect per rerun: see bench/load.py


def test_data_config_has_every_year_target_and_threshold():
    config = load_config()
    assert config.years == list(range(2014, 2021))
    assert config.line(2017) == 2952 and config.line(2020) == 4000
    t = config.targets
    assert (t["incidence_pct"], t["rural_income_yuan"], t["registered_income_yuan"],
            t["relapse_cap_pct"], t["exit_threshold_pct"]) == (5.0, 6811, 3700, 5.0, 3.0)
    assert [config.plan[y]["persons"] for y in (2015, 2016, 2017)] == [20000, 30100, 40000]
    assert sum(config.plan[y]["villages"] for y in (2015, 2016, 2017)) == 115
    assert list(config.grades) == ["好", "较好", "一般", "较差"]
    assert config.risk["income_line_multiple"] == 1.5
