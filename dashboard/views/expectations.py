"""Expectations: what each scenario says should happen, and the share of members in which it does."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, ui
from sim.errors import PeninsulaError

st.title("Expectations")
st.caption("A scenario declares what should happen (`expectations:` in its file), each to hold in at least a "
           "share of the members. Some are marked *expected to fail*: where the articles expect something the "
           "model does not do, the file says why. A verdict is OK when it is the declared one.")

st.sidebar.header("Scenario")
every = st.sidebar.toggle("Every bundled scenario", value=False, key="exp_all", persist_state="session")
if every:
    scenarios = [data.load_bundled(n) for n in data.bundled_scenarios()]
else:
    sc, _ = ui.scenario_picker(prefix="exp_")
    scenarios = [sc]
st.sidebar.header("Ensemble")
members, seed = ui.ensemble_inputs(scenarios[0], prefix="exp_")

rows = []
for sc in scenarios:
    try:
        verdicts = data.check(sc.content_hash(), members, seed, sc)
    except PeninsulaError as exc:
        st.error(f"{sc.name}: {exc}")
        continue
    for v in verdicts:
        rows.append({"scenario": v.scenario, "expectation": v.text, "held in": v.share, "required": v.required,
                     "verdict": "held" if v.passed else "did not hold",
                     "expected to fail": v.expected_to_fail, "as declared": v.ok,
                     "why the model disagrees": v.why, "claims": ", ".join(v.claims)})

if not rows:
    st.info("No expectations declared" + ("" if every else f" in '{scenarios[0].name}'") + ".")
    st.stop()
df = pd.DataFrame(rows)
shown = ["scenario", "expectation", "held in", "required", "verdict", "as declared"]
st.session_state["expectations"] = df[shown].to_dict("records")
n_ok = int(df["as declared"].sum())
c1, c2, c3 = st.columns(3)
c1.metric("Expectations", len(df))
c2.metric("As declared", n_ok)
c3.metric("Not as declared", len(df) - n_ok)
st.dataframe(df, hide_index=True, height=min(35 * (len(df) + 1) + 3, 640), column_config={
    "expectation": st.column_config.TextColumn(width="large"),
    "as declared": st.column_config.CheckboxColumn("as declared", help="Held, or failed where marked expected "
                                                   "to fail."),
    "held in": st.column_config.ProgressColumn("held in", min_value=0.0, max_value=1.0, format="percent",
                                               help="Share of members in which it held."),
    "required": st.column_config.NumberColumn("required", format="percent"),
    "expected to fail": st.column_config.CheckboxColumn("expected to fail"),
    "why the model disagrees": st.column_config.TextColumn(width="large"),
})
st.caption(f"{members:,} members, seed {seed}. Comparisons with another scenario ('lower than the baseline') "
           "run it with the same members and seed.")
with st.expander("The claims behind these expectations"):
    ids = sorted({c for r in rows for c in r["claims"].split(", ") if c})
    st.markdown(ui.claims_markdown(ids) if ids else "_None cited._")

st.divider()
name = "all-scenarios" if every else scenarios[0].name
c1, c2 = st.columns(2)
c1.download_button("Expectations (CSV)", data=lambda: df.to_csv(index=False).encode(),
                   file_name=f"{name}-expectations-{members}-members-seed-{seed}.csv", mime="text/csv",
                   on_click="ignore", icon=":material/download:", key="exp_csv",
                   help="This table: each expectation, the share of members in which it held, the verdict.")
if not every:
    c2.download_button("Scenario (YAML)", data=lambda: scenarios[0].to_yaml().encode("utf-8"),
                       file_name=f"{name}.yaml", mime="application/x-yaml", on_click="ignore",
                       icon=":material/download:", key="exp_yaml", help="The scenario checked, resolved.")
