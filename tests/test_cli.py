"""The command line, on a tiny dataset the tests make, and the tutorial on the real one."""

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from signviz.__main__ import main
from signviz.data import KAGGLE_COLUMN_DIGITS, LABEL_ORDER_VARIABLE


@pytest.fixture
def tiny_data(tmp_path, monkeypatch):
    """A Kaggle-style X.npy/Y.npy: 30 images each of digits 0, 1 and 7, 8x8 pixels.

    Zeros are bright on the left, ones on the right, sevens at the top, so every
    model can tell them apart; but the last three ones look like zeros, so no model
    is perfect on them.
    """
    rng = np.random.default_rng(0)
    images, one_hot = [], []
    for digit, region in ((0, np.s_[:, :4]), (1, np.s_[:, 4:]), (7, np.s_[:4, :])):
        for index in range(30):
            image = 0.3 * rng.random((8, 8))
            image[np.s_[:, :4] if digit == 1 and index >= 27 else region] += 0.7
            images.append(image)
            row = np.zeros(10)
            row[KAGGLE_COLUMN_DIGITS.index(digit)] = 1
            one_hot.append(row)
    np.save(tmp_path / "X.npy", np.array(images))
    np.save(tmp_path / "Y.npy", np.array(one_hot))
    # Its column counts are not the full dataset's, so the layout must be stated.
    monkeypatch.setenv(LABEL_ORDER_VARIABLE, "kaggle")
    return str(tmp_path)


@pytest.fixture
def tiny_ten(tmp_path, monkeypatch):
    """A Kaggle-style X.npy/Y.npy of all ten digits, 12 images each, 8x8 pixels: digit
    ``d`` lights row ``d % 8`` and, for 8 and 9, column 0 or 7 too, so a linear model
    can tell all ten apart."""
    rng = np.random.default_rng(0)
    images, one_hot = [], []
    for digit in range(10):
        for _ in range(12):
            image = 0.2 * rng.random((8, 8))
            image[digit % 8, :] += 0.8
            if digit >= 8:
                image[:, 7 * (digit - 8)] += 0.8
            images.append(np.minimum(image, 1.0))
            row = np.zeros(10)
            row[KAGGLE_COLUMN_DIGITS.index(digit)] = 1
            one_hot.append(row)
    folder = tmp_path / "ten"
    folder.mkdir()
    np.save(folder / "X.npy", np.array(images))
    np.save(folder / "Y.npy", np.array(one_hot))
    monkeypatch.setenv(LABEL_ORDER_VARIABLE, "kaggle")
    return str(folder)


def run_json(capsys, *arguments):
    assert main(["train", *arguments, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_train_json_reports_everything(tiny_data, capsys):
    result = run_json(capsys, "logreg", "--data", tiny_data, "--learning-rate", "0.5")
    assert set(result) == {
        "model", "digits", "n_train", "n_test", "costs", "train_accuracy",
        "test_accuracy", "seconds", "diverged", "diverged_at", "interrupted",
        "n_classes", "confusion",
    }  # fmt: skip
    assert result["model"] == "logreg"
    assert result["digits"] == [0, 1]
    assert result["n_classes"] == 2
    confusion = np.array(result["confusion"])
    assert confusion.shape == (2, 2)
    assert confusion.sum() == 9
    assert np.trace(confusion) / 9 == pytest.approx(result["test_accuracy"])
    assert (result["n_train"], result["n_test"]) == (51, 9)
    assert len(result["costs"]) == 150
    assert result["costs"][-1] < result["costs"][0]
    assert 0.9 <= result["train_accuracy"] < 1.0
    assert 0.75 <= result["test_accuracy"] <= 1.0
    assert result["seconds"] > 0
    assert result["diverged"] is False
    assert result["diverged_at"] is None
    assert result["interrupted"] is False


@pytest.mark.parametrize(
    ("arguments", "n_costs"),
    [
        (["two-layer", "--hidden-units", "4", "--iterations", "40", "--learning-rate", "1"], 40),
        (["deep", "--layers", "6,3", "--epochs", "5", "--digits", "7", "1"], 5),
        (["sklearn", "--iterations", "50", "--test-size", "0.3", "--seed", "3"], 0),
    ],
    ids=["two-layer", "deep", "sklearn"],
)
def test_train_each_model(tiny_data, capsys, arguments, n_costs):
    result = run_json(capsys, *arguments, "--data", tiny_data)
    assert result["model"] == arguments[0]
    assert len(result["costs"]) == n_costs
    assert 0 <= result["test_accuracy"] <= 1
    if arguments[0] == "sklearn":
        assert (result["n_train"], result["n_test"]) == (42, 18)
        assert result["test_accuracy"] >= 0.8


@pytest.mark.parametrize(
    ("arguments", "model_class"),
    [
        (["logreg", "--learning-rate", "0.1", "--iterations", "300"], "SoftmaxRegression"),
        (["two-layer", "--hidden-units", "12", "--learning-rate", "0.5", "--iterations", "400"],
         "TwoLayerNetwork"),
        (["sklearn"], "LogisticRegression"),
    ],
    ids=["logreg", "two-layer", "sklearn"],
)  # fmt: skip
def test_train_on_all_ten_digits(tiny_ten, capsys, arguments, model_class):
    result = run_json(capsys, *arguments, "--digits", "all", "--data", tiny_ten)
    assert result["digits"] == list(range(10))
    assert result["n_classes"] == 10
    assert (result["n_train"], result["n_test"]) == (102, 18)
    confusion = np.array(result["confusion"])
    assert confusion.shape == (10, 10)
    # Rows are the true digits: the stratified split keeps one or two test images of each.
    assert set(confusion.sum(axis=1)) <= {1, 2} and confusion.sum() == 18
    assert np.trace(confusion) / 18 == pytest.approx(result["test_accuracy"])
    assert result["test_accuracy"] >= 0.8  # measured: 1.0 for all three; chance is 0.1
    assert main(["train", *arguments, "--digits", "all", "--data", tiny_ten]) == 0
    output = capsys.readouterr().out
    assert f"{arguments[0]} ({model_class}) on all ten digits" in output
    assert "102 training and 18 test images, 64 pixels each" in output


def test_the_ten_digit_split_is_the_same_for_every_model(tiny_ten, capsys):
    runs = [
        run_json(capsys, model, "--digits", "all", "--iterations", "2", "--data", tiny_ten)
        for model in ("logreg", "sklearn")
    ]
    totals = [np.array(run["confusion"]).sum(axis=1).tolist() for run in runs]
    assert totals[0] == totals[1]


def test_init_scale_sets_the_size_of_the_initial_weights(tiny_data, capsys):
    runs = {
        scale: run_json(capsys, "two-layer", "--iterations", "1", "--init-scale", scale,
                        "--data", tiny_data)
        for scale in ("0.01", "3")
    }  # fmt: skip
    # Small weights answer about 50 % for every image: a first cost near ln 2.
    assert runs["0.01"]["costs"][0] == pytest.approx(np.log(2), abs=0.01)
    assert runs["3"]["costs"][0] > 0.75  # measured 0.80: large weights, confident answers


def test_seed_controls_the_split_and_the_initialization(tiny_data, capsys):
    runs = [
        run_json(capsys, "two-layer", "--iterations", "3", "--seed", seed, "--data", tiny_data)
        for seed in ("1", "1", "2")
    ]
    assert runs[0]["costs"] == runs[1]["costs"]
    assert runs[0]["costs"] != runs[2]["costs"]


def test_a_diverging_run_is_reported_not_raised(tiny_data, capsys):
    result = run_json(capsys, "logreg", "--learning-rate", "1e6", "--data", tiny_data)
    assert result["diverged"] is True
    assert 0 < len(result["costs"]) < 150
    assert main(["train", "logreg", "--learning-rate", "1e6", "--data", tiny_data]) == 0
    assert "Training diverged at iteration" in capsys.readouterr().out


def test_human_readable_output(tiny_data, capsys):
    assert main(["train", "logreg", "--iterations", "30", "--data", tiny_data]) == 0
    output = capsys.readouterr().out
    assert "logreg on digits 0 and 1" in output
    assert "51 training and 9 test images, 64 pixels each" in output
    assert "Cost after iteration 0:" in output
    assert re.search(r"test accuracy: \d+\.\d\d %", output)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["train", "logreg", "--digits", "1", "1"], "differ"),
        (["train", "logreg", "--digits", "1", "12"], "0 to 9"),
        (["train", "logreg", "--digits", "1"], "--digits takes two digits such as 3 8, or"),
        (["train", "logreg", "--digits", "1", "2", "3"], "--digits takes two digits"),
        (["train", "logreg", "--digits", "al"], "--digits takes two digits"),
        (["train", "logreg", "--digits", "all", "1"], "--digits takes two digits"),
        (["train", "deep", "--digits", "all"], "--digits all: deep learns two digits only"),
        (["train", "keras", "--digits", "all"], "--digits all: keras learns two digits only"),
        (["train", "logreg", "--digits", "all", "--save", "m.npz"], "cannot be saved yet"),
        (["train", "logreg", "--test-size", "1.5"], "--test-size must be between 0 and 1"),
        (["train", "logreg", "--learning-rate", "-1"], "--learning-rate must be a positive"),
        (["train", "logreg", "--learning-rate", "nan"], "--learning-rate must be a positive"),
        (["train", "sklearn", "--iterations", "0"], "--iterations must be a positive whole"),
        (["train", "sklearn", "--iterations", "-1"], "--iterations must be a positive whole"),
        (["train", "logreg", "--iterations", "0"], "--iterations must be a positive whole"),
        (["train", "two-layer", "--hidden-units", "0"], "--hidden-units must be a positive"),
        (["train", "two-layer", "--init-scale", "0"], "--init-scale must be a positive number"),
        (["train", "logreg", "--init-scale", "0.1"], "--init-scale applies to two-layer, deep"),
        (["train", "logreg", "--seed", "-1"], "--seed must be a whole number"),
        (["train", "logreg", "--label-order", "random"], "invalid choice"),
        (["train", "logreg", "--learning-rate", "0", "\r0"], "arguments: \\r0"),
        (["train", "logreg", "--hidden-units", "3"], "--hidden-units applies to two-layer"),
        (["train", "two-layer", "--layers", "8,4"], "--layers applies to deep, keras"),
        (["train", "deep", "--layers", "8,x"], "whole numbers"),
        (["train", "deep", "--layers", "8,0"], "at least one unit"),
        (["train", "cnn"], "invalid choice"),
        (["train", "logreg", "--iterations", "many"], "invalid int"),
        (["fly"], "invalid choice"),
        ([], "required"),
    ],
)
def test_bad_arguments_exit_2_with_one_clear_line(tiny_data, capsys, arguments, message):
    assert main([*arguments, "--data", tiny_data] if arguments[:1] == ["train"] else arguments) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("signviz: error:")
    assert message in lines[0]


def test_a_missing_data_folder_is_a_clear_error(tmp_path, capsys):
    assert main(["train", "logreg", "--data", str(tmp_path / "nowhere")]) == 2
    error = capsys.readouterr().err
    assert "is not an existing folder" in error
    assert len(error.strip().splitlines()) == 1


def test_module_entry_point_runs(tiny_data):
    completed = subprocess.run(
        [sys.executable, "-m", "signviz", "train", "deep", "--epochs", "2", "--data", tiny_data,
         "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert len(json.loads(completed.stdout)["costs"]) == 2


@pytest.mark.slow
def test_train_keras(tiny_data, capsys):
    result = run_json(capsys, "keras", "--layers", "4", "--epochs", "3", "--data", tiny_data)
    assert len(result["costs"]) == 3
    assert result["n_train"] == 51


@pytest.mark.slow
@pytest.mark.real_data
def test_tutorial_prints_the_tutorials_results(real_dataset, capsys):
    assert main(["tutorial", "--data", real_dataset.location]) == 0
    output = capsys.readouterr().out
    assert "X shape: (410, 64, 64)   Y shape: (410, 1)" in output
    assert "x_train shape: (348, 4096)   x_test shape: (62, 4096)" in output
    assert "x_train (4096, 348), y_train (1, 348)" in output
    logistic_section = output.split("== Logistic regression from scratch ==")[1].split("==")[0]
    costs = {
        int(i): float(c)
        for i, c in re.findall(r"Cost after iteration (\d+): ([\d.]+)", logistic_section)
    }
    assert costs[0] == pytest.approx(14.01, abs=0.1)
    assert costs[10] == pytest.approx(2.54, abs=0.15)
    assert max(costs) == 140  # every 10 iterations
    assert "Cost after iteration 2400:" in output  # the two-layer network, every 100
    accuracies = [float(a) for a in re.findall(r"test accuracy: ([\d.]+) %", output)]
    logistic, sklearn, two_layer = accuracies
    assert logistic == pytest.approx(93.55, abs=0.01)
    assert sklearn >= 93
    assert two_layer >= 90
    assert len(re.findall(r"fold \d: accuracy", output)) == 3
    mean = float(re.search(r"Accuracy mean: ([\d.]+)", output).group(1))
    std = float(re.search(r"Accuracy standard deviation: ([\d.]+)", output).group(1))
    assert mean > 0.9
    assert 0 < std < 0.1
