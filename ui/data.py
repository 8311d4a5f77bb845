"""Cached access to the analytics for the pages.

The store (one read-only connection) is shared by every session; results are
cached per function, arguments and database generation, so a new import is picked
up on the next run without restarting the server.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from analytics import (assistance, audit, early_warning, geo, guarantees, households, metrics,
                       pairing, projections, quality, status, village_targets)
from analytics import sessions
from analytics.comprehensive_incidence import comprehensive_incidence as _comprehensive_incidence
from analytics.access import OPEN_VIEWER, Viewer
from analytics.accounts import accounts_configured
from analytics.config import config_path
from analytics.counties import unique_labels
from analytics.store import Store, default_db_path


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    return Store(path)


def get_store() -> Store:
    return _store(str(default_db_path()))


_FUNCTIONS: dict[str, Callable] = {}


def current_scope() -> tuple[str, ...]:
    """What the pages' data is restricted to: the viewer's townships or counties, narrowed
    to the county chosen in the filters (``st.session_state["county"]``, set by ui.frame
    only to a county the viewer may see). Empty = everything loaded."""
    county = st.session_state.get("county")
    return (county,) if county else current_viewer().allowed


def scoped_store():
    """The store as the current viewer may query it, within the chosen county (for work
    done outside the cache)."""
    scope = current_scope()
    return get_store().scoped(scope) if scope else get_store()


class NotSignedIn(PermissionError):
    """Data asked for by a session nobody is signed in to, while accounts exist."""


def current_viewer() -> Viewer:
    """The signed-in viewer (set by ui.frame); the open demo viewer only while no account
    is configured. Fails closed: with accounts configured and nobody signed in (a
    fragment's rerun after 退出登录, a forged message), raises ``NotSignedIn`` rather
    than answering as a county-wide viewer."""
    viewer = st.session_state.get("viewer")
    session = st.session_state.get("session")
    if session is not None and not sessions.still_valid(session):
        raise NotSignedIn("登录已过期或已退出：请重新登录")
    if viewer is not None and not viewer.open_mode:
        return viewer
    if accounts_configured():
        raise NotSignedIn("未登录：请先登录再查看数据")
    return OPEN_VIEWER


@st.cache_data(ttl=3600, max_entries=512, show_spinner=False)
def _run(name: str, generation: str, allowed: tuple, args: tuple, kwargs: tuple, config: str):
    """One analytics call; the viewer's townships are part of the key and of the SQL, the
    configuration file part of the key."""
    store = get_store()
    return _FUNCTIONS[name](store.scoped(allowed) if allowed else store, *args, **dict(kwargs))


def _cached(func: Callable, *, within_county: bool = True) -> Callable:
    """``func(store, *args, **kwargs)`` cached per data generation, scope, arguments and
    configuration file; the scope is ``current_scope()`` (the viewer's, narrowed to the
    chosen county), or the viewer's alone when ``within_county`` is False (the list of
    counties to choose from). The cache key names the function by module and qualified
    name, so two functions called alike in different modules never share cached answers."""
    key = f"{func.__module__}.{func.__qualname__}"
    if _FUNCTIONS.setdefault(key, func) is not func:
        raise ValueError(f"two cached functions under one key: {key}")

    def call(*args, **kwargs):
        scope = current_scope() if within_county else current_viewer().allowed
        return _run(key, get_store().generation, scope, args,
                    tuple(sorted(kwargs.items())), str(config_path()))

    call.__name__ = func.__name__
    call.__doc__ = func.__doc__
    return call


def _meta(store: Store) -> dict[str, str]:
    return store.meta()


def _findings(store: Store) -> list:
    return quality.quality_findings(store)


dataset_meta = _cached(_meta)
counties = _cached(metrics.counties, within_county=False)


#: The product's name, alone where no data is read yet (sign-in, a database that cannot be read).
PRODUCT_NAME = "精准扶贫监测"


def dataset_name() -> str:
    """What the viewer may see, named: the county's name (通渭县) when one county is
    visible, 全省 when several are."""
    names = counties()["name"]
    return str(names.iloc[0]) if len(names) == 1 else "全省"


def app_title() -> str:
    """The dashboard's name as the viewer sees it: 通渭县精准扶贫监测, or 全省精准扶贫监测."""
    return f"{dataset_name()}{PRODUCT_NAME}"


def top_label() -> str:
    """What everything the viewer may see is called: 全省 when it holds more than one
    county (a province's data), else 全县."""
    return "全省" if len(counties()) > 1 else "全县"
figures_by_level = _cached(metrics.figures_by_level)
selection_figures = _cached(metrics.selection_figures)
exits_against_plan = _cached(metrics.exits_against_plan)
relapse_by_cause = _cached(metrics.relapse_by_cause)
cohort_relapse = _cached(metrics.cohort_relapse)
cadres_over_quota = _cached(metrics.cadres_over_quota)
quality_findings = _cached(_findings)


def _townships(store: Store) -> pd.DataFrame:
    return store.query("townships")


def _villages(store: Store) -> pd.DataFrame:
    return store.query("villages")


townships = _cached(_townships)
villages = _cached(_villages)


def township_labels() -> dict[str, str]:
    """Township code → its label in rows, bars and filters of the current scope: the
    name, or 城关镇（通渭县） where two counties' townships share it
    (``analytics.counties.unique_labels``)."""
    towns = townships()
    return unique_labels(towns["township_code"], towns["name"])

village_table = _cached(households.village_table)
poverty_cause_breakdown = _cached(households.poverty_cause_breakdown)
household_list = _cached(households.household_list)
household_file = _cached(households.household_file)
at_risk_households = _cached(households.at_risk_households)


def income_progress_of(figures: pd.DataFrame, targets: dict | None = None) -> pd.DataFrame:
    """Progress columns for already-fetched figures against ``targets`` (the scope's,
    ``Filters.targets``; default the county's), cheap, not cached."""
    return metrics.income_progress(figures, targets)


township_map_values = _cached(status.township_map_values)
county_map_values = _cached(status.county_map_values)
township_shapes = _cached(geo.township_shapes)
county_shapes = _cached(geo.county_shapes)
village_map_points = _cached(status.village_map_points)


def audit_log() -> pd.DataFrame:
    """The latest audit rows the viewer may see (``audit.recent``: a county account its
    county's, a township analyst its townships'; not cached: it changes with every
    sign-in and export)."""
    return audit.recent(allowed=current_viewer().allowed)


def audit_total() -> int:
    """How many audit rows the viewer may see (not cached, as ``audit_log``)."""
    return audit.total(allowed=current_viewer().allowed)


township_outlook = _cached(projections.township_outlook)
comprehensive_incidence = _cached(_comprehensive_incidence)

# Counts and bounded lists for the household-level pages (sized by the scope, not by
# the number of households).
at_risk_village_counts = _cached(households.at_risk_village_counts)
risk_level_counts = _cached(early_warning.risk_level_counts)
relapsed_households_listed = _cached(early_warning.relapsed_households_listed)
visit_list_top = _cached(early_warning.visit_list_top)
household_income_bands = _cached(households.household_income_bands)

# The plan's countable commitments (issue 16): small per-village tables built at import.
household_counts = _cached(households.household_counts)
measure_counts = _cached(assistance.measure_counts)
scope_measure_plan = _cached(assistance.scope_measure_plan)
measure_gap_list = _cached(assistance.measure_gap_list)
guarantee_gap_list = _cached(guarantees.guarantee_gap_list)
village_support_status = _cached(pairing.village_support_status)
village_target_counts = _cached(village_targets.village_target_counts)
villages_not_met_in = _cached(village_targets.villages_not_met_in)
