"""The command line: ``python -m signviz tutorial | train MODEL | download``.

``tutorial`` runs the whole tutorial headless and prints what it prints; ``train``
trains one model on one task (``--json`` for a machine-readable result);
``download`` fetches and verifies the dataset into the user cache.

Bad input never ends in a traceback: an unusable argument, dataset or setting exits
with status 2 and one line saying what is wrong; Ctrl-C exits with status 130 and one
line (``train`` first reports what it trained so far).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import warnings

from signviz import data
from signviz.models import DeepNetwork, LogisticRegressionGD, TwoLayerNetwork
from signviz.models.reference import fit_scikit_learn_logistic

MODELS = ("logreg", "sklearn", "two-layer", "deep", "keras")

#: Which models each model-specific option applies to.
OPTION_MODELS = {
    "learning_rate": ("logreg", "two-layer", "deep", "keras"),
    "hidden_units": ("two-layer",),
    "layers": ("deep", "keras"),
}


class UsageError(Exception):
    """A command-line argument that cannot work; reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


#: Exit status after Ctrl-C, as shells report a process ended by SIGINT.
INTERRUPTED = 130


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
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


def one_line(message: str) -> str:
    """The message with control characters (a newline in a typed value...) escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m signviz", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND", parser_class=_Parser)

    tutorial = commands.add_parser("tutorial", help="run the whole tutorial and print its results")
    tutorial.add_argument("--data", metavar="PATH", help="dataset folder (default: see README)")
    add_label_order(tutorial)
    tutorial.add_argument(
        "--no-keras", action="store_true", help="skip the Keras chapter (no TensorFlow import)"
    )
    tutorial.set_defaults(run=run_tutorial)

    train = commands.add_parser("train", help="train one model and report its accuracy")
    train.add_argument("model", choices=MODELS, metavar="MODEL", help=" | ".join(MODELS))
    train.add_argument("--digits", nargs=2, type=int, default=(0, 1), metavar=("A", "B"))
    train.add_argument("--learning-rate", type=float)
    train.add_argument(
        "--iterations", "--epochs", type=int, dest="iterations", help="iterations (or epochs)"
    )
    train.add_argument("--hidden-units", type=int)
    train.add_argument("--layers", type=parse_layers, metavar="8,4", help="hidden layer sizes")
    train.add_argument(
        "--seed", type=int, default=42, help="the split's random state and the initialization"
    )
    train.add_argument("--test-size", type=float, default=0.15)
    train.add_argument("--data", metavar="PATH", help="dataset folder (default: see README)")
    add_label_order(train)
    train.add_argument("--json", action="store_true", help="print one JSON object")
    train.set_defaults(run=run_train)

    download = commands.add_parser("download", help="download and verify the dataset")
    download.set_defaults(run=run_download)
    return parser


def add_label_order(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--label-order",
        choices=tuple(data.LABEL_ORDERS),
        help=f"digit order of the columns of a Kaggle-style Y.npy (default: "
        f"{data.LABEL_ORDER_VARIABLE}, else recognized from the counts)",
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


# -- train ---------------------------------------------------------------------------


def run_train(arguments) -> int:
    for option, models in OPTION_MODELS.items():
        if getattr(arguments, option) is not None and arguments.model not in models:
            flag = "--" + option.replace("_", "-")
            raise UsageError(f"{flag} applies to {', '.join(models)}, not to {arguments.model}")
    check_numbers(arguments)
    estimator = make_estimator(arguments)
    dataset = load(arguments, progressbar=not arguments.json)
    task = data.make_task(
        dataset, tuple(arguments.digits), test_size=arguments.test_size, random_state=arguments.seed
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
        "n_train": task.n_train,
        "n_test": task.n_test,
        "costs": list(getattr(estimator, "cost_history_", [])),
        "train_accuracy": float(estimator.score(task.x_train, task.y_train)) if trained else None,
        "test_accuracy": float(estimator.score(task.x_test, task.y_test)) if trained else None,
        "seconds": seconds,
        "diverged": bool(getattr(estimator, "diverged_", False)),
        "diverged_at": getattr(estimator, "diverged_at_", None),
        "interrupted": interrupted,
    }
    if interrupted:
        done = int(getattr(estimator, "n_iter_", 0)) if trained else 0
        print(f"signviz: stopped at iteration {done}", file=sys.stderr)
    if arguments.json:
        print(to_json(result))
        return INTERRUPTED if interrupted else 0
    print(f"{arguments.model} on digits {task.digits[0]} and {task.digits[1]}")
    print(f"{task.n_train} training and {task.n_test} test images, {task.n_features} pixels each")
    print_costs(result["costs"], every=max(1, len(result["costs"]) // 15))
    if result["diverged"]:
        print(estimator.divergence_message)
    if trained:
        print_accuracies(estimator, task)
    print(f"trained in {seconds:.2f} s")
    return INTERRUPTED if interrupted else 0


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


def load(arguments, progressbar: bool) -> data.Dataset:
    """The dataset the arguments name; its fallback message and notices go to stderr."""
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
        ("--learning-rate", arguments.learning_rate, False),
    ):
        if value is not None and not (math.isfinite(value) and value > 0):
            kind = "a positive whole number" if integer else "a positive number"
            raise UsageError(f"{flag} must be {kind}, got {value}")
    if not (math.isfinite(arguments.test_size) and 0 < arguments.test_size < 1):
        raise UsageError(f"--test-size must be between 0 and 1, got {arguments.test_size}")
    if not 0 <= arguments.seed < 2**32:
        raise UsageError(f"--seed must be a whole number from 0 to 2**32 - 1, got {arguments.seed}")


def make_estimator(arguments):
    """The model named on the command line, with the options given (defaults otherwise)."""
    options = {}
    if arguments.learning_rate is not None:
        options["learning_rate"] = arguments.learning_rate
    if arguments.layers is not None:
        options["hidden_layer_sizes"] = arguments.layers
    if arguments.hidden_units is not None:
        options["hidden_units"] = arguments.hidden_units
    iterations = arguments.iterations
    if arguments.model == "logreg":
        if iterations is not None:
            options["n_iterations"] = iterations
        return LogisticRegressionGD(**options)
    if arguments.model == "sklearn":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(
            random_state=arguments.seed, max_iter=150 if iterations is None else iterations
        )
    options["random_state"] = arguments.seed
    if arguments.model == "two-layer":
        if iterations is not None:
            options["n_iterations"] = iterations
        return TwoLayerNetwork(**options)
    if iterations is not None:
        options["n_epochs"] = iterations
    if arguments.model == "deep":
        return DeepNetwork(**options)
    from signviz.models.keras_network import KerasNetwork

    return KerasNetwork(**options)


# -- tutorial ------------------------------------------------------------------------


def run_tutorial(arguments) -> int:
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
        print(model.divergence_message)
    print_accuracies(model, task)


def section(title: str) -> None:
    print(f"\n== {title} ==")


def print_costs(costs: list[float], every: int) -> None:
    for iteration in range(0, len(costs), every):
        print(f"Cost after iteration {iteration}: {costs[iteration]:f}")


def print_accuracies(model, task) -> None:
    print(f"train accuracy: {100 * model.score(task.x_train, task.y_train):.2f} %")
    print(f"test accuracy: {100 * model.score(task.x_test, task.y_test):.2f} %")


# -- download ------------------------------------------------------------------------


def run_download(arguments) -> int:
    try:
        folder = data.download_dataset(progressbar=True)
    except data.DatasetError as error:
        print(f"signviz: {error}", file=sys.stderr)
        return 1
    print(f"The dataset is verified and ready in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
