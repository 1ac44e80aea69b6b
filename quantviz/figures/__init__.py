"""Plotly figure builders: one function per figure kind, no Streamlit.

``common`` holds the colours, layout and the display decimation that every
builder uses; the other modules group the builders by topic.
"""

from quantviz.figures.common import COLORS, base_figure, envelope, line
from quantviz.figures import signals

__all__ = ["COLORS", "base_figure", "envelope", "line", "signals"]
