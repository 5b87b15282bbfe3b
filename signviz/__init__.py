"""signviz: learn deep learning by training models live on the Sign Language Digits.

The package is the app's core and never imports Streamlit (``signviz.ui`` is the one
exception, the glue the pages use). Data flows one way:

``signviz.data`` (dataset -> task) -> ``signviz.models`` (trained step by step)
-> ``signviz.figures`` (plotly figures).

In a notebook, the names below are one attribute away, imported the first time they
are used, so ``import signviz`` (and ``signviz --help``) stays quick::

    import signviz

    task = signviz.make_task(signviz.load_dataset(), (0, 1))
    model = signviz.LogisticRegressionGD().fit(task.x_train, task.y_train)
    signviz.figures.cost_curve(model.cost_history_)

- the data: `load_dataset`, `make_task`, `download_dataset`, `Dataset`, `Task`,
  `DatasetError`;
- the models: `LogisticRegressionGD`, `SoftmaxRegression` (its ten-class form),
  `TwoLayerNetwork`, `DeepNetwork`, and `KerasNetwork` (which imports TensorFlow when
  first used);
- saved models: `save_model`, `load_model`;
- the modules `data`, `models`, `figures` (every figure) and `export`.
"""

import importlib

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_NAMES = {
    "load_dataset": "signviz.data",
    "make_task": "signviz.data",
    "download_dataset": "signviz.data",
    "Dataset": "signviz.data",
    "Task": "signviz.data",
    "DatasetError": "signviz.data",
    "LogisticRegressionGD": "signviz.models",
    "SoftmaxRegression": "signviz.models",
    "TwoLayerNetwork": "signviz.models",
    "DeepNetwork": "signviz.models",
    "KerasNetwork": "signviz.models.keras_network",
    "save_model": "signviz.export",
    "load_model": "signviz.export",
}
_MODULES = ("data", "models", "figures", "export")

__all__ = sorted([*_NAMES, *_MODULES])


def __getattr__(name: str):
    """Import a public name's module when the name is first used (PEP 562)."""
    if name in _NAMES:
        value = getattr(importlib.import_module(_NAMES[name]), name)
    elif name in _MODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later uses skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
