"""Plotly figures built once per input and shared by every session.

Building a plotly figure validates every property it is given (≈ 15 ms for a trend
chart with its target lines); under load (bench/load.py) the overview's four charts,
rebuilt on every rerun of every session, were the largest cost after Streamlit's
post-run garbage collection. A figure depends only on its builder and arguments, so it
is cached as a resource: one object, not copied, because ``st.plotly_chart`` only
reads it (it serialises a deep copy).
"""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from analytics import charts, plan_charts
from analytics.config import config_path


@st.cache_resource(max_entries=512, show_spinner=False)
def _figure(builder: str, args: tuple, kwargs: tuple, config: str) -> go.Figure:
    module, name = builder.split(".")
    return getattr(_BUILDER_MODULES[module], name)(*args, **dict(kwargs))


#: The modules whose ``build_*`` functions ``figure`` accepts.
_BUILDER_MODULES = {"charts": charts, "plan_charts": plan_charts}


def figure(builder: Callable[..., go.Figure], *args, **kwargs) -> go.Figure:
    """``builder(*args, **kwargs)`` — a ``build_*`` of analytics.charts or
    analytics.plan_charts — built once per distinct arguments (frames are hashed by
    content) and configuration file, and shared; do not modify it."""
    module = builder.__module__.rsplit(".", 1)[-1]
    if getattr(_BUILDER_MODULES.get(module), builder.__name__, None) is not builder:
        raise ValueError(f"{builder.__name__} is not a figure builder of analytics.charts")
    return _figure(f"{module}.{builder.__name__}", args, tuple(sorted(kwargs.items())),
                   str(config_path()))
