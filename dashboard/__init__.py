"""The Peninsula dashboard: a Streamlit multi-page app over ``sim`` (run ``peninsula dashboard``).

The pages in ``dashboard/views/`` are thin: they read widgets, call ``sim`` through the
cached functions of :mod:`dashboard.data`, and draw with :mod:`dashboard.charts`. No
model logic lives here; only presentation (percentiles, sentences, colours).
"""
