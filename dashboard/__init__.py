"""The Peninsula dashboard: a Streamlit multi-page app over ``sim`` (run ``peninsula dashboard``).

The pages in ``dashboard/views/`` are thin: they read widgets, call ``sim`` through the
cached functions of :mod:`dashboard.data`, and draw with :mod:`dashboard.charts`. No
model logic lives here; only presentation (percentiles, sentences, colours).
"""

import gc
import importlib

_PAGE_MODULES = ("dashboard.ui", "dashboard.game_ui", "dashboard.evidence", "sim.game.classroom",
                 "sim.game.exercise")
_frozen = False


def freeze_imports() -> None:
    """Hide what the imports left on the heap from the garbage collector, once per server process.

    Streamlit runs a full garbage collection after every script run (``runner.postScriptGC``).
    With Streamlit, NumPy, pandas, Plotly, pyarrow and ``sim`` imported, that collection walks
    some 200,000 objects, which took 110-150 ms on a 2-core machine, after every run: the server
    holds the GIL meanwhile, so the run's last messages (the figure) left that much later and
    every redraw waited for it. Imported modules, classes and functions live as long as the
    server, so they are moved to the collector's permanent generation (:func:`gc.freeze`), after
    one collection of what the imports left behind; the collection after each run then takes
    well under a millisecond. Objects made later (runs, figures, sessions) are collected as before.
    """
    global _frozen
    if _frozen:
        return
    for name in _PAGE_MODULES:  # what the pages import, so that a first visit does not add to the heap later
        importlib.import_module(name)
    gc.collect()
    gc.freeze()
    _frozen = True
