"""Explore: pick or upload a scenario, move its levers, and see what the ensemble does."""

from __future__ import annotations

import numpy as np
import streamlit as st

import sim
from dashboard import data, ui
from sim.indicators import KEY_INDICATORS

st.sidebar.header("Scenario")
scenario, sid = ui.scenario_picker(url=True)
if scenario.levers:
    st.sidebar.header("Levers")
settings = ui.lever_sliders(scenario, sid, url=True)
st.sidebar.header("Ensemble")
members, seed = ui.ensemble_inputs(scenario, url=True)
ui.sync_url(scenario, sid, settings, members, seed)

st.title(scenario.title or scenario.name)
if scenario.description:
    st.caption(scenario.description)

chash = scenario.content_hash()
key = data.settings_key(settings)
defaults = data.settings_key(data.default_settings(scenario))
try:
    ens = data.ensemble(chash, key, members, seed, scenario, scenario.name)
    ref = None if key == defaults else data.ensemble(chash, defaults, members, seed, scenario, scenario.name)
except Exception as exc:  # noqa: BLE001 - an uploaded file that validates but cannot run: a message, not a traceback
    if not sid.startswith("upload-"):
        raise
    st.error(f"The uploaded scenario cannot be run: {ui.plain(exc)}. Remove the file to go back to the bundled "
             "scenarios.", icon="⚠️")
    st.stop()
st.session_state["explore_medians"] = {n: ens.median(n) for n in KEY_INDICATORS}

ui.headline(ens, ref)
moved = [lv.label for lv in scenario.levers if dict(key)[lv.path] != dict(defaults)[lv.path]]
st.caption(f"{members:,} members, seed {seed}, {ens.dates[0]} to {ens.dates[-1]}. "
           + (f"Levers moved: {'; '.join(moved)}. Changes are from the scenario's own settings."
              if moved else "All levers at the scenario's own settings."))


def record_of(member: int) -> dict:
    """One member's record in the run with the current settings."""
    return data.member_record(data.run(chash, key, members, seed, scenario), member)


ui.result_views(ens, key="explore", member_ids=np.arange(members), record_of=record_of)

with st.expander("The evidence behind the levers"):
    for lv in scenario.levers:
        st.markdown(f"**{lv.label}** (`{lv.path}`, {ui.number(lv.min)} to {ui.number(lv.max)})"
                    + (f"  \n{lv.description}" if lv.description else ""))
        st.markdown(ui.claims_markdown(lv.claims) if lv.claims else "_No claims cited._")

st.divider()
ui.downloads(csv=lambda: data.run(chash, key, members, seed, scenario).to_frame().to_csv(index=False).encode(),
             yaml_text=lambda: sim.with_settings(scenario, dict(key)).to_yaml(), name=scenario.name, key="explore")
