"""Peninsula dashboard: the entry point (``peninsula dashboard``, or ``streamlit run dashboard/app.py``).

A multi-page app (``st.navigation``). The pages live in ``dashboard/views/`` and call ``sim``
through :mod:`dashboard.data`. Not in ``pages/``: Streamlit takes a folder of that name for an
old-style multipage app and runs a page linked directly (``/results``) without this entry
point, so without the page config and the navigation.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run` puts dashboard/ on the path, not the checkout
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

import sim  # noqa: E402
from dashboard import freeze_imports  # noqa: E402

freeze_imports()  # once per process: keeps Streamlit's collection after each run cheap

HERE = Path(__file__).resolve().parent

st.set_page_config(page_title="Peninsula", page_icon=":material/public:", layout="wide")

pages = [
    st.Page(HERE / "views" / "explore.py", title="Explore", icon=":material/tune:", default=True),
    st.Page(HERE / "views" / "compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
    st.Page(HERE / "views" / "results.py", title="Results", icon=":material/folder_open:", url_path="results"),
    st.Page(HERE / "views" / "experiments.py", title="Experiments", icon=":material/scatter_plot:",
            url_path="experiments"),
    st.Page(HERE / "views" / "evidence.py", title="Evidence", icon=":material/format_quote:", url_path="evidence"),
]
if hasattr(sim, "check"):
    pages.append(st.Page(HERE / "views" / "expectations.py", title="Expectations", icon=":material/rule:",
                         url_path="expectations"))

game_pages = [  # the teaching game: a menu of its own in the top bar
    st.Page(HERE / "views" / "play.py", title="Play", icon=":material/sports_esports:", url_path="play"),
    st.Page(HERE / "views" / "classroom.py", title="Classroom", icon=":material/school:", url_path="classroom"),
]

page = st.navigation({"": pages, "Teaching game": game_pages}, position="top")
page.run()
