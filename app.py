"""signviz: the tutorial's chapters as pages. Run with ``streamlit run app.py``.

Navigation only: the page config, the chapters, and the task in the sidebar that
every chapter works on. Each chapter lives in ``chapters/``. (Not ``pages/``: Streamlit
treats a folder of that name as an old-style multipage app, which would run a page
without this file when a server's first visitor opens a link to it.)
"""

import streamlit as st

from signviz import ui

st.set_page_config(page_title="signviz: deep learning on sign language digits", page_icon="✋")

CHAPTERS = [
    st.Page("chapters/start.py", title="Start here", icon="👋", default=True),
    st.Page("chapters/introduction.py", title="0. What deep learning is", icon="💡"),
    st.Page("chapters/dataset.py", title="1. The dataset", icon="🖐️"),
    st.Page("chapters/computation_graph.py", title="2. Computation graph", icon="🕸️"),
    st.Page("chapters/gradient_descent.py", title="3. Gradient descent", icon="⛰️"),
    st.Page("chapters/logistic_regression.py", title="4. Logistic regression", icon="📈"),
    st.Page("chapters/two_layer_network.py", title="5. Two-layer network", icon="🧠"),
    st.Page("chapters/keras_network.py", title="6. L-layer network (Keras)", icon="🏗️"),
    st.Page("chapters/mistakes.py", title="7. Mistakes & comparison", icon="🔍"),
    st.Page("chapters/own_hand.py", title="7b. Your own hand", icon="🤚"),
    st.Page("chapters/sweep.py", title="8. Try them", icon="🎛️"),
]

page = st.navigation(CHAPTERS)
ui.server_status()
ui.select_task()
page.run()
