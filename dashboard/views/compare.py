"""Compare: two scenarios (or one with other lever values) side by side, member by member."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data, story, ui
from sim.indicators import unit_label

st.title("Compare")
st.caption("A and B run with the same members and seed, so member i of both meets the same random draws "
           "(common random numbers): the differences are the scenario's, not the dice's.")

names = data.bundled_scenarios()
st.sidebar.header("Ensemble")
side = {}
cols = st.columns(2)
for col, tag, default in zip(cols, ("A", "B"), ("baseline", "ceasefire"), strict=True):
    with col:
        key = f"cmp_{tag.lower()}"
        name = st.selectbox(f"Scenario {tag}", names, index=names.index(default) if default in names else 0, key=key,
                            bind="query-params", format_func=lambda n: f"{n} — {data.load_bundled(n).title}")
        sc = data.load_bundled(name)
        with st.expander(f"Levers of {tag}", expanded=False):
            settings = ui.lever_sliders(sc, name, prefix=f"{key}_", where=st)
        moved = [lv.label for lv in sc.levers
                 if abs(settings[lv.path] - data.lever_default(sc, lv)) > 1e-12]
        st.caption(f"{'solid' if tag == 'A' else 'dashed'} lines · "
                   + (f"levers moved: {'; '.join(moved)}" if moved else "levers at the scenario's settings"))
        side[tag] = (sc, settings)

(sa, set_a), (sb, set_b) = side["A"], side["B"]
members, seed = ui.ensemble_inputs(sa, prefix="cmp_")
ka, kb = data.settings_key(set_a), data.settings_key(set_b)
args = (sa.content_hash(), ka, sb.content_hash(), kb, members, seed, sa, sb)
cmp = data.compare(*args)
label_a = f"A ({sa.name})"
label_b = f"B ({sb.name})"
ens_a, ens_b = data.compare_ensembles(*args, (label_a, label_b))

table = cmp.indicator_table()
last = table[table["month"] == table["month"].max()].set_index("indicator")
st.session_state["compare_horizon"] = last[["median_a", "median_b", "median", "p10", "p90"]].to_dict("index")

view_overlay, view_table, view_choices = st.tabs(["Side by side", "Differences B − A", "Choices"])
with view_overlay:
    picked = ui.pick_indicators(key="cmp")
    if picked:
        st.plotly_chart(charts.bands_figure([ens_a, ens_b], picked), key="cmp_bands", config={"displaylogo": False})
    st.caption(f"Solid: {label_a}; dashed: {label_b}. Lines are medians of {members:,} members, shades their "
               "10-90% bands; colours are the actors'. Dotted verticals: the events of A (see Explore).")

with view_table:
    st.markdown(f"**B − A, member by member**, at {', '.join(cmp.dates)}: the median of the {members:,} "
                "differences and their 10-90% range.")
    rows = []
    for r in table.itertuples():
        rows.append({"indicator": unit_label(r.indicator), "month": r.month,
                     "A (median)": ui.fmt_value(r.indicator, r.median_a),
                     "B (median)": ui.fmt_value(r.indicator, r.median_b),
                     "B − A (median)": ui.fmt_value(r.indicator, r.median, signed=True),
                     "B − A (10%)": ui.fmt_value(r.indicator, r.p10, signed=True),
                     "B − A (90%)": ui.fmt_value(r.indicator, r.p90, signed=True)})
    st.dataframe(pd.DataFrame(rows), hide_index=True, height=560)
    st.download_button("Differences (CSV)", data=lambda: table.to_csv(index=False).encode(),
                       file_name=f"compare-{sa.name}-{sb.name}.csv", mime="text/csv", on_click="ignore",
                       icon=":material/download:", key="cmp_csv")

with view_choices:
    ct = cmp.choice_table()
    ct = ct.assign(option=ct["option"].map(story.words))
    ct = ct.reindex(ct["change"].abs().sort_values(ascending=False).index)
    st.markdown("**How choices shift**: share of member-months on each option in A and in B.")
    st.dataframe(ct, hide_index=True, height=560, column_config={
        "share_a": st.column_config.NumberColumn("A", format="percent"),
        "share_b": st.column_config.NumberColumn("B", format="percent"),
        "change": st.column_config.NumberColumn("B − A", format="percent")})

st.divider()
c1, c2, c3, c4 = st.columns(4)
c3.download_button("Results A (CSV)", data=lambda: cmp.a.to_frame().to_csv(index=False).encode(),
                   file_name=f"{sa.name}-A-results.csv", mime="text/csv", on_click="ignore",
                   icon=":material/download:", key="cmp_csv_a")
c4.download_button("Results B (CSV)", data=lambda: cmp.b.to_frame().to_csv(index=False).encode(),
                   file_name=f"{sb.name}-B-results.csv", mime="text/csv", on_click="ignore",
                   icon=":material/download:", key="cmp_csv_b")
c1.download_button("Scenario A (YAML)", data=lambda: data.sim.with_settings(sa, set_a).to_yaml().encode(),
                   file_name=f"{sa.name}-A.yaml", mime="application/x-yaml", on_click="ignore",
                   icon=":material/download:", key="cmp_yaml_a")
c2.download_button("Scenario B (YAML)", data=lambda: data.sim.with_settings(sb, set_b).to_yaml().encode(),
                   file_name=f"{sb.name}-B.yaml", mime="application/x-yaml", on_click="ignore",
                   icon=":material/download:", key="cmp_yaml_b")
