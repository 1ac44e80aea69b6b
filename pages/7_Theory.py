"""Theory (issue #15): being built."""

import streamlit as st

from quantviz.app import ui

ui.setup_page("Theory", "Being built (issue #15).")
st.info("This page is being built (issue #15).")
