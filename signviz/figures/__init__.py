"""Plotly figures: pure functions, arrays in, ``plotly.graph_objects.Figure`` out.

Nothing here knows about Streamlit; every function can be called (and tested) alone.
One exception to "figures out": `weight_images` gives plain RGB images in the
heatmaps' colours, for live previews that must cost the browser little.
The modules group the figures by what they show:

- :mod:`~signviz.figures.images`: photos, mosaics of photos, weight heatmaps;
- :mod:`~signviz.figures.training`: cost curves and what a trained model predicts;
- :mod:`~signviz.figures.diagrams`: a box-and-arrow drawing tool and the computation
  graph drawn with it;
- :mod:`~signviz.figures.curves`: activation functions, the sigmoid and the loss;
- :mod:`~signviz.figures.animation`: gradient descent on one weight, played by the
  browser;
- :mod:`~signviz.figures.dataset`: what the dataset holds;
- :mod:`~signviz.figures.comparison`: confusion matrices and explanation maps;
- :mod:`~signviz.figures.sweep`: a hyperparameter sweep's grid and its runs' costs.
"""

from signviz.figures.animation import descent_animation
from signviz.figures.comparison import confusion_matrix, explanation_map
from signviz.figures.curves import activation_curves, loss_curves, sigmoid_point
from signviz.figures.dataset import (
    class_counts,
    digit_samples,
    preparation_diagram,
)
from signviz.figures.diagrams import computation_graph
from signviz.figures.images import (
    image_figure,
    image_grid,
    weight_heatmap,
    weight_heatmaps,
    weight_images,
)
from signviz.figures.sweep import run_label, sweep_cost_curves, sweep_heatmap
from signviz.figures.training import (
    cost_curve,
    cost_curves,
    hidden_activation_bars,
    prediction_grid,
)

__all__ = [
    "activation_curves",
    "class_counts",
    "computation_graph",
    "confusion_matrix",
    "cost_curve",
    "cost_curves",
    "descent_animation",
    "digit_samples",
    "explanation_map",
    "hidden_activation_bars",
    "image_figure",
    "image_grid",
    "loss_curves",
    "prediction_grid",
    "preparation_diagram",
    "run_label",
    "sigmoid_point",
    "sweep_cost_curves",
    "sweep_heatmap",
    "weight_heatmap",
    "weight_heatmaps",
    "weight_images",
]
