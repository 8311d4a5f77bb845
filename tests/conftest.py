"""Shared fixtures: a hand-computed database and a small demo database."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _private_file(variable: str, prefix: str, name: str) -> None:
    """Point ``variable`` at a file in a new temporary folder, removed when this process
    ends, unless it is set already (pytest-xdist's workers inherit the controller's)."""
    if variable not in os.environ:
        folder = tempfile.mkdtemp(prefix=prefix)
        atexit.register(shutil.rmtree, folder, True)
        os.environ[variable] = str(Path(folder) / name)


# Tests never write to the project's own audit trail or accounts file.
_private_file("TONGWEI_AUDIT", "audit-", "audit.duckdb")
_private_file("TONGWEI_USERS", "users-", "users.toml")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analytics.store import Store, write_dataset  # noqa: E402
from tests.hand_dataset import hand_tables  # noqa: E402

FIXTURE_SCALE = float(os.environ.get("FIXTURE_SCALE", "0.05"))


@pytest.fixture(scope="session")
def hand_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hand") / "hand.duckdb"
    write_dataset(hand_tables(), path, source="hand")
    return path


@pytest.fixture(scope="session")
def hand_store(hand_db) -> Store:
    return Store(hand_db)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """A small demo database (every township and village, few households)."""
    from analytics.demo import demo_as_of, demo_tables

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    write_dataset(demo_tables(scale=FIXTURE_SCALE, seed=7), path, source="fixture",
                  as_of=demo_as_of())
    return path


@pytest.fixture(scope="session")
def demo_store(demo_db) -> Store:
    return Store(demo_db)
