"""Results: open a folder written by ``peninsula run`` and show what was run and its charts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, ui
from sim.errors import PeninsulaError

st.title("Results of a saved run")
st.caption("A folder written by `peninsula run` (or `Results.save`): manifest.json, results.parquet, "
           "choices.parquet.")

folder = ui.folder_picker(
    data.find_runs(), noun="run", found_key="results_found", query_key="run", placeholder="runs/baseline",
    found_help="Folders under runs/ that hold a manifest.json, newest first.",
    path_help="A folder under runs/ in the folder the dashboard was started from: its name (baseline), or its path, "
              "relative (runs/baseline) or absolute. Nothing outside runs/ opens here.")
if not folder:
    st.info("No run folder yet. Make one with `peninsula run baseline` (it writes runs/baseline), "
            "or type the path of a folder above.")
    st.stop()

try:
    path = data.resolve_run(folder)  # only under runs/: symlinks and .. resolved first
except PeninsulaError as exc:
    st.error(str(exc))  # the same words for any path outside runs/, whether it exists or not
    st.stop()
if not path.exists():
    st.error(f"There is no run folder {ui.plain(folder)} under runs/. Make one with `peninsula run "
             "<scenario> --out runs/<name>`, or pick one of the runs found.")
    st.stop()
try:
    run = data.open_run(path)
except PeninsulaError as exc:
    st.error(f"This folder cannot be opened as a run: {ui.plain(exc)}")
    st.stop()
except Exception as exc:  # a damaged folder is a message, never a traceback  # noqa: BLE001
    st.error(f"This run folder is damaged and cannot be read: {ui.plain(type(exc).__name__)}: {ui.plain(exc)}")
    st.stop()

m = run.manifest
ens = run.ensemble
st.subheader(f"{m.get('scenario_name', run.scenario.name)}: {run.scenario.title}" if run.scenario.title
             else m.get("scenario_name", run.scenario.name))
cols = st.columns(5)
cols[0].metric("Members", f"{ens.members:,}")
cols[1].metric("Seed", f"{m.get('seed')}")
cols[2].metric("Months", f"{run.scenario.months}", help=f"{ens.dates[0]} to {ens.dates[-1]}")
cols[3].metric("Scenario hash", str(m.get("scenario_hash", ""))[:12], help=m.get("scenario_hash"))
cols[4].metric("Format", str(m.get("format", "?")))

left, right = st.columns(2)
with left:
    st.markdown("**Settings** (lever values and `--set`)")
    settings = m.get("settings") or {}
    if settings:
        st.dataframe(pd.DataFrame({"path": list(settings), "value": list(settings.values())}), hide_index=True)
    else:
        st.caption("None: the scenario as written.")
    st.markdown("**Versions**  \n" + " · ".join(f"{k} {v}" for k, v in (m.get("versions") or {}).items()))
with right:
    st.markdown("**Outputs** (SHA-256; `peninsula replay` checks them)")
    outs = m.get("outputs") or {}
    st.dataframe(pd.DataFrame({"file": list(outs), "bytes": [o.get("bytes") for o in outs.values()],
                               "sha256": [o.get("sha256") for o in outs.values()]}), hide_index=True)
    with st.expander("The whole manifest (without the scenario)"):
        st.json({k: v for k, v in m.items() if k != "scenario"}, expanded=1)

st.session_state["results_medians"] = {n: ens.median(n) for n in ui.HEADLINE}
ui.headline(ens, None)
ui.result_views(ens, key="results", member_ids=run.member_ids, record_of=run.member_record, with_scores=False)
st.divider()
ui.downloads(csv=lambda: data.results_csv_of_run(run.directory), yaml_text=run.scenario.to_yaml,
             name=str(m.get("scenario_name", "run")), key="results")
