"""The reference page for page benchmarks: one slider and a 1,000-point Plotly chart."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

k = st.slider("k", 0, 200, 100, key="k")
x = np.arange(1000)
fig = go.Figure(go.Scatter(x=x, y=np.sin(2 * np.pi * (k + 1) * x / 1000), mode="lines"))
st.plotly_chart(fig, theme=None)
st.metric("k", k)
