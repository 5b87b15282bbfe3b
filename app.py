"""signviz: the Streamlit app. Run it with ``streamlit run app.py``."""

import streamlit as st

st.set_page_config(page_title="signviz", page_icon="✋")
st.title("signviz")
st.write(
    "Learn deep learning by training models on photos of hands showing digits. "
    "The chapters of the tutorial arrive here as pages; until then, the command line "
    "runs it all: `python -m signviz tutorial`."
)
