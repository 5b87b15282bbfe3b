"""signviz: learn deep learning by training models live on the Sign Language Digits.

The package is the app's core and never imports Streamlit (``signviz.ui`` is the one
exception, the glue the pages use). Data flows one way:

``signviz.data`` (dataset -> task) -> ``signviz.models`` (trained step by step)
-> ``signviz.figures`` (plotly figures).
"""

__version__ = "0.1.0"
