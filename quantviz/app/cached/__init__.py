"""Cached engine calls of the pages (Streamlit caches), defined once per server process.

Like :mod:`quantviz.app.ui`, this package imports Streamlit; the engine does not.
A cache decorator written inside a page script is rebuilt on every rerun, and
building one makes Streamlit read and tokenize the function's source (about
2.4 ms each), so the pages import their cached calls from here.
"""
