"""The cross-validation's progress, counted from its typed events (no TensorFlow)."""

import pytest

from signviz.cross_validation import N_FOLDS, EpochDone, FoldDone, progress


def test_the_tutorials_fold_count():
    assert N_FOLDS == 3


def test_progress_counts_epochs_over_every_fold():
    events = [EpochDone(0, epoch, 0.6) for epoch in range(4)] + [FoldDone(0, 0.9)]
    events += [EpochDone(1, 0, 0.5)]
    done = progress(events, n_folds=3, n_epochs=4)
    assert (done.folds_done, done.epochs_done) == (1, 5)
    assert done.fraction == pytest.approx(5 / 12)
    assert done.message() == "Cross-validation: fold 2 of 3, 5 epochs in all"


def test_progress_before_and_after():
    assert progress([], 3, 10).fraction == 0
    assert progress([], 3, 10).message().startswith("Cross-validation: fold 1 of 3")
    events = [FoldDone(fold, 1.0) for fold in range(3)] + [EpochDone(2, 0, 0.1)] * 40
    finished = progress(events, 3, 10)
    assert finished.fraction == 1.0  # never past the end
    assert "fold 3 of 3" in finished.message()
