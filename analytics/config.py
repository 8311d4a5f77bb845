"""Configuration: poverty lines, the county plan's targets and rule thresholds.

Read once from ``data/config.toml`` (or the file named by ``$TONGWEI_CONFIG``); nothing
here is computed. Every threshold a page prints is formatted from here, never typed in.
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


@lru_cache(maxsize=8)
def _read(path: Path) -> Config:
    raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
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
