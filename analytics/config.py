"""Configuration: poverty lines, the county plan's targets and rule thresholds.

Read once from ``data/config.toml``; nothing here is computed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
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
    risk: dict[str, float]
    checks: dict[str, float]
    early_warning: dict[str, float]
    honesty: dict[str, float]
    projection: dict[str, float]
    imports: dict[str, float]

    @property
    def years(self) -> list[int]:
        return sorted(self.poverty_line)

    def line(self, year: int) -> float:
        return self.poverty_line[year]


@lru_cache(maxsize=4)
def load_config(path: Path = CONFIG_PATH) -> Config:
    raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    return Config(
        poverty_line={int(k): float(v) for k, v in raw["poverty_line"].items()},
        targets=dict(raw["targets"]),
        plan={int(y): dict(v) for y, v in raw["plan"].items()},
        grades=dict(sorted(raw["grades"].items(), key=lambda kv: -kv[1])),
        risk=dict(raw["risk"]),
        checks=dict(raw["checks"]),
        early_warning=dict(raw["early_warning"]),
        honesty=dict(raw["honesty"]),
        projection=dict(raw["projection"]),
        imports=dict(raw.get("import", {})),
    )
