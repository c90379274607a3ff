"""Compare: two to four scenarios (or one with other lever values) side by side, member by member."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, story, ui
from sim.actors import ACTOR_CLASSES
from sim.indicators import unit_label

TAGS = ("A", "B", "C", "D")
DEFAULTS = ("baseline", "ceasefire", "china_squeeze", "rice_deal")
DASHES = dict(zip(TAGS, ("solid", "dashed", "dotted", "dash-dotted"), strict=True))

st.title("Compare")
st.caption("Every variant runs with the same members and seed, so member i of each meets the same random draws "
           "(common random numbers): the differences are the scenarios', not the dice's. Differences are from A.")

names = data.bundled_scenarios()
st.sidebar.header("Variants")
count = st.sidebar.segmented_control("How many", [2, 3, 4], default=2, key="cmp_n", bind="query-params",
                                     persist_state="session",
                                     help="Two to four scenarios, or one scenario with different lever values.")
count = count or 2
st.sidebar.header("Ensemble")

variants = []  # (tag, scenario, settings)
cols = st.columns(count)
for col, tag, default in zip(cols, TAGS[:count], DEFAULTS[:count], strict=True):
    with col:
        key = f"cmp_{tag.lower()}"
        # plain names (a bound selectbox writes its shown label into the link: keep it short)
        name = st.selectbox(f"Scenario {tag}", names, index=names.index(default) if default in names else 0, key=key,
                            bind="query-params")
        sc = data.load_bundled(name)
        st.markdown(f"**{sc.title or sc.name}**")
        with st.expander(f"Levers of {tag}", expanded=False):
            settings = ui.lever_sliders(sc, name, where=st, bind=f"{tag.lower()}.")
        moved = [lv.label for lv in sc.levers if abs(settings[lv.path] - data.lever_default(sc, lv)) > 1e-12]
        st.caption(f"{DASHES[tag]} lines · "
                   + (f"levers moved: {'; '.join(moved)}" if moved else "levers at the scenario's settings"))
        variants.append((tag, sc, settings))

members, seed = ui.ensemble_inputs(variants[0][1], prefix="cmp_", bind=True)
keys = [(sc.content_hash(), data.settings_key(settings)) for _, sc, settings in variants]
labels = [f"{tag} ({sc.name})" for tag, sc, _ in variants]
ensembles = [data.ensemble(h, k, members, seed, sc, label)
             for (h, k), (_, sc, _), label in zip(keys, variants, labels, strict=True)]
(hash_a, key_a), (_, sa, set_a) = keys[0], variants[0]
comparisons = {tag: data.compare(hash_a, key_a, h, k, members, seed, sa, sc)
               for (h, k), (tag, sc, _) in zip(keys[1:], variants[1:], strict=True)}

tables = {tag: cmp.indicator_table() for tag, cmp in comparisons.items()}  # X - A, member by member
horizons = {}
for tag, table in tables.items():
    last = table[table["month"] == table["month"].max()].set_index("indicator")
    horizons[tag] = last[["median_a", "median_b", "median", "p10", "p90"]].to_dict("index")
st.session_state["compare_horizons"] = horizons
st.session_state["compare_horizon"] = horizons["B"]
runs = [comparisons["B"].a] + [cmp.b for cmp in comparisons.values()]  # A, B, ...: the cached runs

view_overlay, view_table, view_choices = st.tabs(["Side by side", "Differences from A", "Postures and moves"])
with view_overlay:
    ui.indicators_view(ensembles, key="cmp")  # the chart of Explore (cached, drawn at its width), every variant
    st.caption(" · ".join(f"{DASHES[tag]}: {label}" for (tag, _, _), label in zip(variants, labels, strict=True))
               + ". Colours are the actors'; the events marked are A's.")

with view_table:
    other = TAGS[1]
    if count > 2:
        other = st.segmented_control("Difference", list(comparisons), default="B", key="cmp_diff",
                                     format_func=lambda t: f"{t} − A", persist_state="session") or "B"
    cmp, table = comparisons[other], tables[other]
    st.markdown(f"**{other} − A, member by member**, at {', '.join(cmp.dates)}: the median of the {members:,} "
                "differences and their 10-90% range.")
    rows = []
    for r in table.itertuples():
        rows.append({"indicator": unit_label(r.indicator), "month": r.month,
                     "A (median)": ui.fmt_value(r.indicator, r.median_a),
                     f"{other} (median)": ui.fmt_value(r.indicator, r.median_b),
                     f"{other} − A (median)": ui.fmt_value(r.indicator, r.median, signed=True),
                     f"{other} − A (10%)": ui.fmt_value(r.indicator, r.p10, signed=True),
                     f"{other} − A (90%)": ui.fmt_value(r.indicator, r.p90, signed=True)})
    st.dataframe(pd.DataFrame(rows), hide_index=True, height=560)
    st.download_button(f"Differences {other} − A (CSV)", data=lambda: table.to_csv(index=False).encode(),
                       file_name=f"compare-{sa.name}-{variants[TAGS.index(other)][1].name}.csv", mime="text/csv",
                       on_click="ignore", icon=":material/download:", key="cmp_csv")

with view_choices:
    # postures: each instrument's median level at the horizon, in each variant
    postures = pd.DataFrame([{"actor": code, "instrument": story.words(ins.indicator.partition(".")[2]),
                              "indicator": ins.indicator} for code, cls in ACTOR_CLASSES.items()
                             for ins in cls.instruments])
    for tag, ens in zip(TAGS, ensembles, strict=False):
        postures[tag] = [ens.median(name) for name in postures["indicator"]]
    for tag in comparisons:
        postures[f"{tag} − A"] = postures[tag] - postures["A"]
    st.session_state["compare_postures"] = postures
    st.markdown(f"**Postures at the horizon** ({ensembles[0].dates[-1]}): each instrument's median level (0 to 1) "
                "in each variant, and the change from A.")
    st.dataframe(postures.drop(columns="indicator"), hide_index=True, key="cmp_postures", column_config={
        c: st.column_config.NumberColumn(c, format="%+.2f" if "−" in c else "%.2f")
        for c in postures.columns if c not in ("actor", "instrument", "indicator")})
    # moves: share of each actor's reviews (member-months with a review) on each move, keep included
    shares = pd.DataFrame([{"actor": code, "move": story.words(move)} for code, cls in ACTOR_CLASSES.items()
                           for move in cls.option_names()])
    for tag, res in zip(TAGS, runs, strict=False):
        col = []
        for code, cls in ACTOR_CLASSES.items():
            reviewed = data.reviewed_mask(res, code).T  # (months, members), as choice_index
            n = max(int(reviewed.sum()), 1)
            col += [float(((res.choice_index[code] == k) & reviewed).sum() / n) for k in range(len(cls.options))]
        shares[tag] = col
    for tag in comparisons:
        shares[f"{tag} − A"] = shares[tag] - shares["A"]
    change = shares[[f"{t} − A" for t in comparisons]].abs().max(axis=1)
    shares = shares.reindex(change.sort_values(ascending=False).index)
    st.session_state["compare_moves"] = shares
    st.markdown("**How moves shift**: of each actor's reviews of its posture (the member-months in which it reviewed "
                "it), the share that made each move, in each variant, and the change from A. The months between "
                "reviews, in which every actor keeps its posture, are left out.")
    st.dataframe(shares, hide_index=True, height=560, key="cmp_moves", column_config={
        c: st.column_config.NumberColumn(c, format="percent") for c in shares.columns if c not in ("actor", "move")})

st.divider()
cols = st.columns(2 * count)
for i, ((tag, sc, settings), res) in enumerate(zip(variants, runs, strict=True)):
    cols[2 * i].download_button(f"Scenario {tag} (YAML)",
                                data=lambda sc=sc, settings=settings: data.sim.with_settings(sc, settings).to_yaml()
                                .encode(), file_name=f"{sc.name}-{tag}.yaml", mime="application/x-yaml",
                                on_click="ignore", icon=":material/download:", key=f"cmp_yaml_{tag.lower()}")
    cols[2 * i + 1].download_button(f"Results {tag} (CSV)",
                                    data=lambda res=res: res.to_frame().to_csv(index=False).encode(),
                                    file_name=f"{sc.name}-{tag}-results.csv", mime="text/csv", on_click="ignore",
                                    icon=":material/download:", key=f"cmp_csv_{tag.lower()}")
