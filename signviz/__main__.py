"""The command line: ``signviz app | tutorial | train | predict | sweep | download``.

``app`` starts the Streamlit app (the copy shipped in the package when signviz is
installed); ``tutorial`` runs the whole tutorial headless and prints what it prints;
``train`` trains one model on one task (``--json`` for a machine-readable result,
``--save`` to keep the model); ``predict`` asks a saved model about photos; ``sweep``
trains a grid of settings in parallel; ``download`` fetches and verifies the dataset
into the user cache. The same commands answer to ``python -m signviz``.

Bad input never ends in a traceback: an unusable argument, dataset or setting exits
with status 2 and one line saying what is wrong; Ctrl-C exits with status 130 and one
line (``train`` first reports what it trained so far).

Building the parser imports nothing heavy, so ``--help`` answers at once: scikit-learn
and TensorFlow wait until a command runs, and numpy until a command's choices that come
from the core (`LazyChoices`) are checked or shown.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Sequence

from signviz import kinds

MODELS = tuple(kinds.KINDS)

#: scikit-learn's iterations when --iterations is not given.
SKLEARN_MAX_ITER = 150

#: The models that can learn all ten digits at once (``--digits all``).
TEN_DIGIT_MODELS = ("logreg", "two-layer", "sklearn")

#: Which models each model-specific option applies to.
OPTION_MODELS = {
    "learning_rate": ("logreg", "two-layer", "deep", "keras"),
    "hidden_units": ("two-layer",),
    "init_scale": ("two-layer", "deep"),
    "layers": ("deep", "keras"),
}

DESCRIPTION = (
    "Learn deep learning by training models on the Sign Language Digits dataset: "
    "start the app, run the tutorial, train, predict, sweep."
)

#: Shown at the end of ``train --help``; tests/test_package.py parses every one.
TRAIN_EXAMPLES = """\
examples:
  {prog} train logreg
  {prog} train two-layer --digits 3 8 --hidden-units 8 --learning-rate 0.05
  {prog} train logreg --digits all --json
  {prog} train deep --layers 16,8 --epochs 50 --json
  {prog} train two-layer --hidden-units 8 --save hand.npz
  {prog} train keras --layers 8,4 --epochs 20 --save hand.keras
"""

DATA_HELP = (
    "dataset folder, or a folder with X.npy and Y.npy (default: $SIGNVIZ_DATA_DIR, "
    "else the copy in the user cache, downloaded the first time)"
)


class UsageError(Exception):
    """A command-line argument that cannot work; reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


class LazyChoices(Sequence):
    """Choices that come from a module with heavy imports, read when first needed.

    argparse reads choices to check a value or to write a command's help; until then
    ``load`` is not called, so parsing ``--help`` imports nothing heavy.

    Parameters
    ----------
    load : callable
        Returns the choices (an iterable of str).
    """

    def __init__(self, load: Callable[[], object]):
        self._load = load
        self._choices: tuple | None = None

    def _get(self) -> tuple:
        if self._choices is None:
            self._choices = tuple(self._load())
        return self._choices

    def __getitem__(self, index):
        return self._get()[index]

    def __len__(self) -> int:
        return len(self._get())


#: Exit status after Ctrl-C, as shells report a process ended by SIGINT.
INTERRUPTED = 130


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    """Run the command line; returns the exit status.

    Parameters
    ----------
    argv : list of str, optional
        The arguments (default: ``sys.argv[1:]``).
    prog : str, optional
        The program's name in usage lines (default: `invoked_as`).
    """
    parser = build_parser(prog or invoked_as())
    try:
        arguments = parser.parse_args(argv)
        return arguments.run(arguments)
    except (UsageError, ValueError) as error:
        print(f"signviz: error: {one_line(str(error))}", file=sys.stderr)
        return 2
    except MemoryError:
        print("signviz: error: ran out of memory; choose smaller settings", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("signviz: stopped", file=sys.stderr)
        return INTERRUPTED


def invoked_as(argv0: str | None = None) -> str:
    """How the user started the command line: ``python -m signviz`` or ``signviz``.

    Parameters
    ----------
    argv0 : str, optional
        The program's path (default: ``sys.argv[0]``).
    """
    argv0 = sys.argv[0] if argv0 is None else argv0
    name = os.path.basename(argv0)
    if name in ("__main__.py", "-m", "-c", ""):  # python -m signviz (or a test)
        return "python -m signviz"
    return os.path.splitext(name)[0]  # the console script: signviz (signviz.exe)


def one_line(message: str) -> str:
    """The message with control characters (a newline in a typed value...) escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)


def build_parser(prog: str = "signviz") -> argparse.ArgumentParser:
    """The whole command line.

    Parameters
    ----------
    prog : str, default "signviz"
        The program's name in usage lines and in the examples of ``train --help``.
    """
    from signviz import __version__

    parser = _Parser(prog=prog, description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND", parser_class=_Parser)

    add_app_parser(commands)

    tutorial = commands.add_parser("tutorial", help="run the whole tutorial and print its results")
    tutorial.add_argument("--data", metavar="PATH", help=DATA_HELP)
    add_label_order(tutorial)
    tutorial.add_argument(
        "--no-keras", action="store_true", help="skip the Keras chapter (no TensorFlow import)"
    )
    tutorial.set_defaults(run=run_tutorial)

    train = commands.add_parser(
        "train",
        help="train one model and report its accuracy",
        epilog=TRAIN_EXAMPLES.format(prog=prog),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    train.add_argument(
        "model", choices=MODELS, metavar="MODEL",
        help="%(choices)s; with --digits all, logreg is softmax regression (its ten-class "
        "form), two-layer has a softmax output and sklearn is multinomial",
    )  # fmt: skip
    train.add_argument(
        "--digits", nargs="+", default=("0", "1"), metavar="DIGIT",
        help="the two digits to tell apart, e.g. 3 8, or the word all for the ten digits, "
        f"with {', '.join(TEN_DIGIT_MODELS)} only (default: 0 1, the tutorial's)",
    )  # fmt: skip
    train.add_argument(
        "--learning-rate", type=float, metavar="RATE",
        help="step size of gradient descent (default: the model's own, as in the tutorial)",
    )  # fmt: skip
    train.add_argument(
        "--iterations", "--epochs", type=int, dest="iterations", metavar="N",
        help="iterations, or epochs for deep and keras (default: the model's own; "
        f"sklearn: {SKLEARN_MAX_ITER})",
    )  # fmt: skip
    train.add_argument(
        "--hidden-units", type=int, metavar="N",
        help="hidden units of two-layer (default: the model's own, as in the tutorial)",
    )  # fmt: skip
    train.add_argument(
        "--init-scale", type=float, metavar="SCALE",
        help="size of the initial weights of two-layer and deep (default: the model's own; "
        "on all ten digits two-layer learns faster from 0.02)",
    )  # fmt: skip
    train.add_argument(
        "--layers", type=parse_layers, metavar="8,4",
        help="hidden layer sizes of deep and keras (default: the model's own)",
    )  # fmt: skip
    train.add_argument(
        "--seed", type=int, default=42, metavar="N",
        help="the split's random state and the initialization (default: %(default)s)",
    )  # fmt: skip
    train.add_argument(
        "--test-size", type=float, default=0.15, metavar="SHARE",
        help="share of the images kept for testing (default: %(default)s)",
    )  # fmt: skip
    train.add_argument("--data", metavar="PATH", help=DATA_HELP)
    add_label_order(train)
    train.add_argument("--json", action="store_true", help="print one JSON object")
    train.add_argument(
        "--save", metavar="FILE",
        help="save the trained model to FILE: .npz, or .keras for keras (default: not saved)",
    )  # fmt: skip
    train.set_defaults(run=run_train)

    predict = commands.add_parser("predict", help="ask a saved model which digit photos show")
    predict.add_argument("photos", nargs="+", metavar="PHOTO", help="JPEG or PNG photos")
    predict.add_argument(
        "--model", required=True, metavar="FILE",
        help="a model saved as .npz by train --save or the app (required)",
    )  # fmt: skip
    predict.add_argument("--json", action="store_true", help="print a JSON list, one per photo")
    predict.set_defaults(run=run_predict)

    add_sweep_parser(commands)

    download = commands.add_parser("download", help="download and verify the dataset")
    download.set_defaults(run=run_download)
    return parser


def _label_orders():
    from signviz import data

    return data.LABEL_ORDERS


def add_label_order(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--label-order",
        choices=LazyChoices(_label_orders),
        metavar="ORDER",
        help="digit order of the columns of a Kaggle-style Y.npy: %(choices)s (default: "
        "$SIGNVIZ_LABEL_ORDER, else recognized from the counts)",
    )


def parse_layers(text: str) -> tuple[int, ...]:
    """``"8,4"`` -> ``(8, 4)``."""
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"layers must be whole numbers separated by commas, like 8,4 (got {text!r})"
        ) from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"every layer needs at least one unit (got {text!r})")
    return sizes


# -- app -------------------------------------------------------------------------------


def add_app_parser(commands) -> None:
    """The ``app`` command: ``streamlit run`` on the app, with the project's settings."""
    app = commands.add_parser(
        "app",
        help="start the app (streamlit run) and open it in the browser",
        description="Start the app with streamlit run, with the settings of its "
        ".streamlit/config.toml. Options after -- go to streamlit run as they are and "
        "win over those settings, e.g. -- --server.runOnSave true while editing.",
    )
    app.add_argument(
        "--port", type=port_number, default=8501, metavar="N",
        help="the port to serve on (default: %(default)s)",
    )  # fmt: skip
    app.add_argument(
        "--address", metavar="HOST",
        help="the address to serve on (default: Streamlit's, every interface)",
    )  # fmt: skip
    app.add_argument("--headless", action="store_true", help="do not open a browser (on a server)")
    app.add_argument(
        "streamlit_options", nargs="*", metavar="-- OPTION",
        help="more options for streamlit run, after -- (default: none)",
    )  # fmt: skip
    app.set_defaults(run=run_app)


def port_number(text: str) -> int:
    """An argparse type: a TCP port, 1 to 65535."""
    value = positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 1 to 65535, got {text!r}")
    return value


def app_command(arguments) -> list[str]:
    """The ``streamlit run`` command line that `run_app` executes.

    The settings of the app's ``.streamlit/config.toml`` are given as flags, so they
    hold wherever the command runs (Streamlit reads that file only from the current
    folder); the options typed after ``--`` come last and win.

    Parameters
    ----------
    arguments : argparse.Namespace
        The parsed ``app`` command: ``port``, ``address``, ``headless``,
        ``streamlit_options``.

    Returns
    -------
    list of str
        The program (this Python) and its arguments.
    """
    import tomllib

    from signviz.app_files import app_folder

    folder = app_folder()
    script = folder / "app.py"
    if not script.is_file():
        raise UsageError(f"the app is missing from this installation ({script})")
    command = [sys.executable, "-m", "streamlit", "run", str(script)]
    config = folder / ".streamlit" / "config.toml"
    settings = tomllib.loads(config.read_text()) if config.is_file() else {}
    for section, options in settings.items():
        for name, value in options.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            command.append(f"--{section}.{name}={text}")
    command.append(f"--server.port={arguments.port}")
    if arguments.address is not None:
        command.append(f"--server.address={arguments.address}")
    if arguments.headless:
        command.append("--server.headless=true")
    return command + list(arguments.streamlit_options)


def run_app(arguments) -> int:
    """Replace this process with ``streamlit run`` (a stop signal then reaches the server)."""
    import importlib.util
    import subprocess

    command = app_command(arguments)
    if importlib.util.find_spec("streamlit") is None:
        raise UsageError("the app needs Streamlit: pip install streamlit")
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.execv(command[0], command)
    return subprocess.call(command)  # Windows: exec would detach from the console


# -- train ---------------------------------------------------------------------------


def run_train(arguments) -> int:
    from signviz import data

    for option, models in OPTION_MODELS.items():
        if getattr(arguments, option) is not None and arguments.model not in models:
            flag = "--" + option.replace("_", "-")
            raise UsageError(f"{flag} applies to {', '.join(models)}, not to {arguments.model}")
    check_numbers(arguments)
    digits = parse_digits(arguments.digits)
    ten_digits = digits == data.ALL_DIGITS
    if ten_digits and arguments.model not in TEN_DIGIT_MODELS:
        raise UsageError(
            f"--digits all: {arguments.model} learns two digits only for now; "
            f"use {', '.join(TEN_DIGIT_MODELS)}"
        )
    if ten_digits and arguments.save is not None:
        raise UsageError("--save: a model of all ten digits cannot be saved yet")
    check_save_path(arguments)
    estimator = make_estimator(arguments, ten_digits=ten_digits)
    dataset = load(arguments, progressbar=not arguments.json)
    task = data.make_task(
        dataset, digits, test_size=arguments.test_size, random_state=arguments.seed
    )
    started = time.perf_counter()
    interrupted = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scikit-learn's ConvergenceWarning at max_iter=150
            estimator.fit(task.x_train, task.y_train)
    except KeyboardInterrupt:  # Ctrl-C: report what was trained so far
        interrupted = True
    seconds = time.perf_counter() - started
    trained = hasattr(estimator, "n_iter_")
    result = {
        "model": arguments.model,
        "digits": list(task.digits),
        "n_classes": task.n_classes,
        "n_train": task.n_train,
        "n_test": task.n_test,
        "costs": list(getattr(estimator, "cost_history_", [])),
        "train_accuracy": float(estimator.score(task.x_train, task.y_train)) if trained else None,
        "test_accuracy": float(estimator.score(task.x_test, task.y_test)) if trained else None,
        "seconds": seconds,
        "diverged": bool(getattr(estimator, "diverged_", False)),
        "diverged_at": getattr(estimator, "diverged_at_", None),
        "interrupted": interrupted,
        "confusion": confusion(estimator, task) if trained else None,
    }
    if interrupted:
        done = int(getattr(estimator, "n_iter_", 0)) if trained else 0
        print(f"signviz: stopped at iteration {done}", file=sys.stderr)
    elif arguments.save is not None:
        save(estimator, task, arguments.save)
    if arguments.json:
        print(to_json(result))
        return INTERRUPTED if interrupted else 0
    if task.n_classes == 2:
        print(f"{arguments.model} on digits {task.digits[0]} and {task.digits[1]}")
    else:
        print(f"{arguments.model} ({type(estimator).__name__}) on all ten digits")
    print(f"{task.n_train} training and {task.n_test} test images, {task.n_features} pixels each")
    print_costs(result["costs"], every=max(1, len(result["costs"]) // 15))
    if result["diverged"]:
        print(estimator.divergence_message_)
    if trained:
        print_accuracies(estimator, task)
    print(f"trained in {seconds:.2f} s")
    return INTERRUPTED if interrupted else 0


def parse_digits(values) -> tuple[int, int] | str:
    """``--digits``: two whole numbers (checked 0-9 by `signviz.data.make_task`), or ``all``.

    Parameters
    ----------
    values : sequence of str
        What followed ``--digits``.

    Returns
    -------
    tuple of int or "all"
    """
    from signviz.data import ALL_DIGITS

    if list(values) == [ALL_DIGITS]:
        return ALL_DIGITS
    try:
        first, second = (int(value) for value in values)
    except ValueError:
        raise UsageError(
            "--digits takes two digits such as 3 8, or the word all; got " + " ".join(values)
        ) from None
    return first, second


def confusion(model, task) -> list[list[int]]:
    """The test set's confusion matrix, ``(n_classes, n_classes)`` as lists: row ``i``
    counts the test images of label ``i`` by the label the model answered (column)."""
    from sklearn.metrics import confusion_matrix

    predicted = model.predict(task.x_test)
    matrix = confusion_matrix(task.y_test, predicted, labels=range(task.n_classes))
    return matrix.tolist()


def check_save_path(arguments) -> None:
    """``--save``: a Keras network goes to a ``.keras`` file, the others to ``.npz``."""
    if arguments.save is None:
        return
    suffix = kinds.get(arguments.model).file_suffix
    if not arguments.save.endswith(suffix):
        raise UsageError(f"--save: a {arguments.model} model is saved to a {suffix} file")
    folder = os.path.dirname(os.path.abspath(arguments.save))
    if not os.path.isdir(folder):
        raise UsageError(f"--save: the folder {folder} does not exist")


def save(estimator, task, path: str) -> None:
    """Write the trained model to ``path`` (see `signviz.export`)."""
    from signviz import export

    try:
        if path.endswith(".keras"):
            estimator.model_.save(path)
        else:
            content = export.save_model(estimator, task)
            with open(path, "wb") as file:
                file.write(content)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
    print(f"signviz: saved the model to {path}", file=sys.stderr)


def to_json(value) -> str:
    """Strict JSON: a non-finite number (a diverged cost) becomes null, never ``NaN``."""

    def finite(item):
        if isinstance(item, float) and not math.isfinite(item):
            return None
        if isinstance(item, dict):
            return {key: finite(entry) for key, entry in item.items()}
        if isinstance(item, list | tuple):
            return [finite(entry) for entry in item]
        return item

    return json.dumps(finite(value), allow_nan=False)


def load(arguments, progressbar: bool):
    """The dataset the arguments name; its fallback message and notices go to stderr."""
    from signviz import data

    dataset = data.load_dataset(
        arguments.data, progressbar=progressbar, label_order=arguments.label_order
    )
    for note in ([dataset.message] if dataset.is_fallback else []) + list(dataset.notices):
        print(f"signviz: note: {note}", file=sys.stderr)
    return dataset


def check_numbers(arguments) -> None:
    """Options that must be positive are checked here, named as typed, for every model."""
    for flag, value, integer in (
        ("--iterations", arguments.iterations, True),
        ("--hidden-units", arguments.hidden_units, True),
        ("--init-scale", arguments.init_scale, False),
        ("--learning-rate", arguments.learning_rate, False),
    ):
        if value is not None and not (math.isfinite(value) and value > 0):
            kind = "a positive whole number" if integer else "a positive number"
            raise UsageError(f"{flag} must be {kind}, got {value}")
    if not (math.isfinite(arguments.test_size) and 0 < arguments.test_size < 1):
        raise UsageError(f"--test-size must be between 0 and 1, got {arguments.test_size}")
    if not 0 <= arguments.seed < 2**32:
        raise UsageError(f"--seed must be a whole number from 0 to 2**32 - 1, got {arguments.seed}")


def make_estimator(arguments, ten_digits: bool = False):
    """The model named on the command line, with the options given (defaults otherwise).

    With ``ten_digits``, ``logreg`` is softmax regression (same options); the others
    grow their ten-class form when they see ten labels.
    """
    options = {}
    if arguments.learning_rate is not None:
        options["learning_rate"] = arguments.learning_rate
    if arguments.layers is not None:
        options["hidden_layer_sizes"] = arguments.layers
    if arguments.hidden_units is not None:
        options["hidden_units"] = arguments.hidden_units
    if arguments.init_scale is not None:
        options["init_scale"] = arguments.init_scale
    kind = kinds.get(arguments.model)
    if kind.name == "sklearn":  # the tutorial's settings, not scikit-learn's defaults
        options["max_iter"] = SKLEARN_MAX_ITER
    if kind.name != "logreg":  # the tutorial's logistic regression starts at w = 0.01
        options["random_state"] = arguments.seed
    if kind.name == "logreg" and ten_digits:
        from signviz.models.softmax import SoftmaxRegression

        if arguments.iterations is not None:
            options[kind.length] = arguments.iterations
        return SoftmaxRegression(**options)
    return kind.build(arguments.iterations, **options)


# -- tutorial ------------------------------------------------------------------------


def run_tutorial(arguments) -> int:
    from signviz import data
    from signviz.models import LogisticRegressionGD, TwoLayerNetwork
    from signviz.models.reference import fit_scikit_learn_logistic

    dataset = load(arguments, progressbar=True)
    task = data.make_task(dataset, (0, 1))
    shapes = task.tutorial_shapes()
    section("The data")
    print(f"{len(dataset.digits)} images ({dataset.source}: {dataset.location or 'scikit-learn'})")
    print(f"X shape: {shapes['X']}   Y shape: {shapes['Y']}")
    print(f"x_train shape: {shapes['X_train_flatten']}   x_test shape: {shapes['X_test_flatten']}")
    print(
        f"transposed for the numpy code: x_train {shapes['x_train']}, y_train {shapes['y_train']}"
    )

    section("Logistic regression from scratch")
    run_iterative(LogisticRegressionGD(), task, every=10)

    section("Logistic regression with scikit-learn")
    reference = fit_scikit_learn_logistic(task.x_train, task.y_train)
    print_accuracies(reference.model, task)

    section("Two-layer neural network")
    run_iterative(TwoLayerNetwork(), task, every=100)

    if not arguments.no_keras:
        section("L-layer neural network with Keras: 3-fold cross-validation")
        from signviz.models.keras_network import KerasNetwork, cross_validate

        result = cross_validate(
            KerasNetwork(),
            task.x_train,
            task.y_train,
            on_fold_end=lambda fold, accuracy: print(f"fold {fold + 1}: accuracy {accuracy:.4f}"),
        )
        print(f"Accuracy mean: {result.mean:.4f}")
        print(f"Accuracy standard deviation: {result.std:.4f}")
    return 0


def run_iterative(model, task, every: int) -> None:
    """Train a from-scratch model, printing its cost every ``every`` iterations."""
    model.fit(task.x_train, task.y_train)
    print_costs(model.cost_history_, every)
    if model.diverged_:
        print(model.divergence_message_)
    print_accuracies(model, task)


def section(title: str) -> None:
    print(f"\n== {title} ==")


def print_costs(costs: list[float], every: int) -> None:
    for iteration in range(0, len(costs), every):
        print(f"Cost after iteration {iteration}: {costs[iteration]:f}")


def print_accuracies(model, task) -> None:
    print(f"train accuracy: {100 * model.score(task.x_train, task.y_train):.2f} %")
    print(f"test accuracy: {100 * model.score(task.x_test, task.y_test):.2f} %")


# -- sweep -----------------------------------------------------------------------------

#: The sweep's options that take lists of values, and the hyperparameter each sets.
SWEEP_OPTIONS = {
    "learning_rates": "learning_rate",
    "hidden_units": "hidden_units",
    "seeds": "random_state",
}


def add_sweep_parser(commands) -> None:
    """The ``sweep`` command: its options and what runs it."""
    sweep = commands.add_parser(
        "sweep", help="train a grid of hyperparameters in parallel and compare them"
    )
    sweep.add_argument(
        "model", choices=LazyChoices(_sweep_models), metavar="MODEL", help="%(choices)s"
    )
    sweep.add_argument(
        "--learning-rates", type=number_list(float), metavar="0.001,0.01,0.1",
        help="learning rates to try (default: not varied)",
    )  # fmt: skip
    sweep.add_argument(
        "--hidden-units", type=number_list(int), metavar="1,3,8",
        help="hidden units to try, two-layer only (default: not varied)",
    )  # fmt: skip
    sweep.add_argument(
        "--seeds", type=number_list(int), metavar="0,1,2",
        help="seeds of the initial weights to try (default: not varied)",
    )  # fmt: skip
    sweep.add_argument(
        "--iterations", "--epochs", type=positive_int, dest="iterations", metavar="N",
        help="iterations (or epochs) of every run (default: the tutorial's)",
    )  # fmt: skip
    sweep.add_argument(
        "--jobs", type=positive_int, metavar="N", help="worker processes (default: one per core)"
    )
    sweep.add_argument(
        "--dask-scheduler", metavar="ADDR",
        help="run on this Dask cluster, like tcp://host:8786 (default: $SIGNVIZ_DASK_SCHEDULER)",
    )  # fmt: skip
    sweep.add_argument(
        "--digits", nargs=2, type=int, default=(0, 1), metavar=("A", "B"),
        help="the two digits to tell apart (default: 0 1, the tutorial's)",
    )  # fmt: skip
    sweep.add_argument("--data", metavar="PATH", help=DATA_HELP)
    sweep.add_argument("--json", action="store_true", help='print {"runs": [...]} as JSON')
    sweep.set_defaults(run=run_sweep)


def _sweep_models():
    from signviz.sweep import MODELS

    return MODELS


def number_list(kind: type):
    """An argparse type: ``"0.1,1"`` -> ``[0.1, 1.0]`` of ``kind``."""

    def parse(text: str) -> list:
        try:
            return [kind(part) for part in text.split(",")]
        except ValueError:
            what = "whole numbers" if kind is int else "numbers"
            raise argparse.ArgumentTypeError(
                f"expected {what} separated by commas, like 1,3,8 (got {text!r})"
            ) from None

    return parse


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def make_sweep(arguments):
    """The `~signviz.sweep.Sweep` the options describe; `UsageError` for options that do
    not apply to the model."""
    from signviz import sweep

    parameters = sweep.hyperparameters(arguments.model)
    grid = {}
    for option, name in SWEEP_OPTIONS.items():
        values = getattr(arguments, option)
        if values is None:
            continue
        if name not in parameters:
            flag = "--" + option.replace("_", "-")
            raise UsageError(f"{flag} does not apply to {arguments.model}")
        grid[name] = values
    if not grid:
        raise UsageError("give values to try, e.g. --learning-rates 0.001,0.01,0.1")
    fixed = {}
    if arguments.iterations is not None:
        fixed[sweep.iterations_parameter(arguments.model)] = arguments.iterations
    return sweep.Sweep(arguments.model, grid, fixed)


def run_sweep(arguments) -> int:
    import numpy as np
    from tqdm import tqdm

    from signviz import data, sweep

    plan = make_sweep(arguments)
    scheduler = arguments.dask_scheduler or os.environ.get(sweep.SCHEDULER_VARIABLE) or None
    dataset = data.load_dataset(arguments.data, progressbar=not arguments.json)
    task = data.make_task(dataset, tuple(arguments.digits), dtype=np.float32)
    if dataset.is_fallback:
        print(dataset.message, file=sys.stderr)
    interrupted = False
    with sweep.SweepPool(arguments.jobs, scheduler=scheduler) as pool:
        job = pool.submit(plan, task)
        with tqdm(total=len(plan), desc="runs", unit="run", file=sys.stderr) as bar:
            bar.set_postfix_str(pool.description)
            try:
                for _ in job:
                    bar.update()
            except KeyboardInterrupt:  # Ctrl-C: keep and show what finished
                job.stop()
                interrupted = True
    if job.error is not None:
        print(f"signviz: a run failed: {job.error}", file=sys.stderr)
        return 1
    results = sorted(job.results, key=lambda result: result.index)
    if arguments.json:
        print(json.dumps({"runs": [result.as_dict() for result in results]}, allow_nan=False))
    else:
        print(sweep_table(plan, results))
        if interrupted:
            print(f"stopped: {len(results)} of {len(plan)} runs finished")
    return 130 if interrupted else 0


def sweep_table(plan, results) -> str:
    """The finished runs as a text table: the swept values, accuracies, cost, time."""
    from signviz.sweep import format_value

    header = [*plan.grid, "train acc", "test acc", "final cost", "diverged", "seconds"]
    rows = [header]
    for result in results:
        accuracies = [
            "-" if math.isnan(value) else f"{100 * value:.2f} %"
            for value in (result.train_accuracy, result.test_accuracy)
        ]
        rows.append(
            [
                *(format_value(result.settings[name]) for name in plan.grid),
                *accuracies,
                f"{result.costs[-1]:.4g}" if result.costs else "-",
                f"at {result.diverged_at}" if result.diverged else "no",
                f"{result.seconds:.2f}",
            ]
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    return "\n".join(
        "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    )


# -- predict -------------------------------------------------------------------------


def run_predict(arguments) -> int:
    """Each photo's answer from a saved model: the largest centred square, preprocessed."""
    from signviz import export, photo

    saved = export.load_model(arguments.model)
    results = []
    for path in arguments.photos:
        try:
            with open(path, "rb") as file:
                raw = file.read(photo.MAX_FILE_BYTES + 1)
        except OSError as error:
            raise UsageError(f"cannot read {path}: {error.strerror or error}") from None
        if len(raw) > photo.MAX_FILE_BYTES:
            raise UsageError(f"{path}: larger than {photo.MAX_FILE_BYTES // 2**20} MB")
        try:
            image = photo.read_photo(raw)
        except photo.PhotoError as error:
            raise UsageError(f"{path}: {error}") from None
        pixels = photo.prepare(image, photo.crop_box(image.size), saved.image_shape)
        probabilities = saved.probabilities(pixels.reshape(1, -1))[0]
        digit = max(probabilities, key=probabilities.get)
        results.append({"photo": path, "digit": digit, "probabilities": probabilities})
    if arguments.json:
        print(
            to_json(
                [
                    {**r, "probabilities": {str(d): p for d, p in r["probabilities"].items()}}
                    for r in results
                ]
            )
        )
        return 0
    for result in results:
        shares = ", ".join(f"{d}: {p:.3f}" for d, p in result["probabilities"].items())
        print(f"{result['photo']}: {result['digit']} ({shares})")
    return 0


# -- download ------------------------------------------------------------------------


def run_download(arguments) -> int:
    from signviz import data

    try:
        folder = data.download_dataset(progressbar=True)
    except data.DatasetError as error:
        print(f"signviz: {error}", file=sys.stderr)
        return 1
    print(f"The dataset is verified and ready in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
