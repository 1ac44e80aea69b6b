"""The Streamlit layer of quantviz: the only part of the package that imports Streamlit.

- :mod:`quantviz.app.ui`: the shared page chrome, control blocks, metric cards, players;
- :mod:`quantviz.app.params`: the one mapping between widget keys, URL parameters and engine settings;
- :mod:`quantviz.app.cached`: the pages' cached engine calls (Streamlit caches, built once per process).

Everything outside this subpackage is the engine, importable from a notebook
without Streamlit (``tests/test_no_streamlit.py`` enforces it).
"""
