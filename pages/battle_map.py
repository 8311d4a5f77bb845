"""挂图作战 — the meeting-room screen: township map, countdown tiles, rotating panels.

Kiosk by default (``?kiosk=0`` shows the normal frame). ``?rotate=30`` sets the
seconds between panels (they rotate in the browser; the data is fetched again once a
cycle, and within ``[pages] recheck_database_seconds`` of an import:
``ui.frame.rerun_on_new_data``); ``?metric=incidence|relapse|income_progress|status``
the map's colouring; ``?year=`` the year (default: the latest). Everything on it is an
aggregate: no names, ID numbers or causes.
"""

from __future__ import annotations

import streamlit as st

from ui import battle
from ui.frame import page_frame, rerun_on_new_data

params = battle.screen_params(st.query_params)
page_frame("挂图作战", "battle_map", kiosk=params.kiosk)
st.html(battle.SCREEN_CSS)  # the screen's look, kiosk or not (style only: no space taken)
if not params.kiosk:
    st.html(battle.FRAMED_CSS)


@st.fragment(run_every=battle.refresh_seconds(params))
def screen() -> None:
    battle.render_screen(params)


screen()
rerun_on_new_data()
