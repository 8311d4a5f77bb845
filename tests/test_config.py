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
    """Complete and coherent, whatever its values (a county edits them; CI must not pin
    them): a positive line for every panel year, never falling; every target the pages
    judge; a plan for the campaign years; grades from best to worst; rule thresholds in
    their ranges."""
    config = load_config()
    years = config.years
    assert years == list(range(years[0], years[-1] + 1)) and len(years) >= 2
    lines = [config.line(y) for y in years]
    assert all(v > 0 for v in lines) and lines == sorted(lines)
    t = config.targets
    for key in ("incidence_pct", "rural_income_yuan", "registered_income_yuan", "relapse_cap_pct",
                "exit_threshold_pct", "wage_share_pct"):
        assert float(t[key]) > 0, key
    assert years[0] <= int(t["baseline_year"]) < int(t["target_year"]) <= years[-1]
    for year in range(int(t["baseline_year"]) + 1, int(t["target_year"]) + 1):
        assert int(config.plan[year]["persons"]) > 0 and int(config.plan[year]["villages"]) >= 0
    grades = list(config.grades.values())
    assert grades == sorted(grades, reverse=True) and grades[-1] == 0
    assert config.risk["income_line_multiple"] > 1 and 0 < config.risk["income_drop_pct"] < 100
    assert config.pairing["days_in_village_min"] > 0
    assert all(spec["villages"] in ("all", "poor") or int(spec["villages"]) in years
               for spec in config.village_targets.values())


def test_a_county_file_from_an_older_version_gets_the_settings_added_since(tmp_path):
    """A county's own config.toml, written before a setting existed, loads with the shipped
    value of that setting (the 数据 page failed with KeyError: 'print_audit_rows'); the
    county's own values win; its plan is its own, never mixed with the shipped one."""
    import tomllib

    from analytics.config import CONFIG_PATH, _read

    shipped = tomllib.loads(CONFIG_PATH.read_text(encoding="utf-8"))
    text = CONFIG_PATH.read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("print_audit_rows"))
    text = text.replace("max_list_rows = 20000", "max_list_rows = 500")
    first_plan_year = min(shipped["plan"])
    text = text.replace(f"[plan.{first_plan_year}]", f"[plan_removed.{first_plan_year}]")
    county = tmp_path / "county.toml"
    county.write_text(text, encoding="utf-8")
    config = _read(county)
    assert config.pages["print_audit_rows"] == shipped["pages"]["print_audit_rows"]
    assert config.pages["max_list_rows"] == 500
    assert int(first_plan_year) not in config.plan and config.plan  # the county's plan only
