"""Configuration: poverty lines, the county plan's targets and rule thresholds.

Read once from ``data/config.toml`` (or the file named by ``$TONGWEI_CONFIG``, completed
from the shipped file for settings it lacks: ``SETTINGS_TABLES``); nothing here is computed. Every threshold a page prints is formatted from here, never typed in.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
CONFIG_PATH = DATA_DIR / "config.toml"


@dataclass(frozen=True)
class Config:
    poverty_line: dict[int, float]
    targets: dict[str, float]
    plan: dict[int, dict[str, int]]
    grades: dict[str, float]
    scores: dict[str, float]
    risk: dict[str, float]
    checks: dict[str, float]
    early_warning: dict[str, float]
    honesty: dict[str, float]
    projection: dict[str, float]
    imports: dict[str, float]
    map: dict[str, list[float]] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)
    signin: dict[str, float] = field(default_factory=dict)
    measure_plan: dict[int, dict[str, int]] = field(default_factory=dict)
    village_targets: dict[str, dict] = field(default_factory=dict)
    pairing: dict[str, float] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        return sorted(self.poverty_line)

    def line(self, year: int) -> float:
        return self.poverty_line[year]


def config_path() -> Path:
    """The configuration file in use: ``$TONGWEI_CONFIG``, else data/config.toml (part of
    the key of every cached result, since thresholds change the verdicts)."""
    return Path(os.environ.get("TONGWEI_CONFIG") or CONFIG_PATH)


def load_config(path: Path | None = None) -> Config:
    """The configuration in ``path``, else ``config_path()`` (each file read once)."""
    return _read(Path(path or config_path()))


#: Tables of settings, merged key by key over the shipped file's: a county's file written
#: for an older version lacks the settings added since, and gets their shipped values.
#: Every other table (poverty lines, the plans, grades, village targets) is the county's
#: own when its file has it, never mixed with the shipped one.
SETTINGS_TABLES = ("targets", "scores", "risk", "checks", "early_warning", "honesty",
                   "projection", "import", "map", "pages", "signin", "pairing")


def _with_defaults(raw: dict, shipped: dict) -> dict:
    """``raw`` (a county's file) completed from ``shipped`` (data/config.toml): a missing
    table is taken whole; a table of SETTINGS_TABLES gets the settings it lacks."""
    merged = {**shipped, **raw}
    for name in SETTINGS_TABLES:
        if name in raw and name in shipped:
            merged[name] = {**shipped[name], **raw[name]}
    return merged


@lru_cache(maxsize=8)
def _read(path: Path) -> Config:
    raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    if Path(path).resolve() != CONFIG_PATH.resolve():
        raw = _with_defaults(raw, tomllib.loads(CONFIG_PATH.read_text(encoding="utf-8")))
    return Config(
        poverty_line={int(k): float(v) for k, v in raw["poverty_line"].items()},
        targets=dict(raw["targets"]),
        plan={int(y): dict(v) for y, v in raw["plan"].items()},
        grades=dict(sorted(raw["grades"].items(), key=lambda kv: -kv[1])),
        scores={k: float(v) for k, v in raw["scores"].items()},
        risk=dict(raw["risk"]),
        checks=dict(raw["checks"]),
        early_warning=dict(raw["early_warning"]),
        honesty=dict(raw["honesty"]),
        projection=dict(raw["projection"]),
        imports=dict(raw.get("import", {})),
        map=dict(raw.get("map", {})),
        pages=dict(raw.get("pages", {})),
        signin=dict(raw.get("signin", {})),
        measure_plan={int(y): dict(v) for y, v in raw.get("measure_plan", {}).items()},
        village_targets={k: dict(v) for k, v in raw.get("village_targets", {}).items()},
        pairing=dict(raw.get("pairing", {})),
    )
