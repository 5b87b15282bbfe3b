"""The Keras network's cross-validation as a background job: its progress as typed
events, and how far along it is.

This module imports no TensorFlow (the job imports it when it starts), so a page can
read the progress of a cross-validation without paying for Keras.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The tutorial's number of folds: ``cross_val_score(..., cv=3)``.
N_FOLDS = 3


@dataclass(frozen=True)
class CrossValidation:
    """Accuracy of each fold (fractions), with their mean and standard deviation."""

    fold_accuracies: tuple[float, ...]

    @property
    def mean(self) -> float:
        """The mean accuracy (a fraction)."""
        return float(np.mean(self.fold_accuracies))

    @property
    def std(self) -> float:
        """The standard deviation of the accuracies (a fraction), numpy's ``std()``."""
        return float(np.std(self.fold_accuracies))


@dataclass(frozen=True)
class EpochDone:
    """One epoch of one fold's training ended.

    Attributes
    ----------
    fold : int
        The fold being trained, from 0.
    epoch : int
        The epoch that ended, from 0.
    loss : float
        The training loss of that epoch (NaN if Keras reported none).
    """

    fold: int
    epoch: int
    loss: float


@dataclass(frozen=True)
class FoldDone:
    """One fold's network is trained and scored on the part it did not see.

    Attributes
    ----------
    fold : int
        From 0.
    accuracy : float
        Its accuracy on the held-out part, a fraction.
    """

    fold: int
    accuracy: float


@dataclass(frozen=True)
class Progress:
    """How far a cross-validation of ``n_folds`` folds of ``n_epochs`` epochs each is.

    Attributes
    ----------
    folds_done, epochs_done : int
        Folds finished, and epochs finished over every fold.
    n_folds, n_epochs : int
    """

    folds_done: int
    epochs_done: int
    n_folds: int
    n_epochs: int

    @property
    def fraction(self) -> float:
        """The share of all epochs done, between 0 and 1."""
        return min(self.epochs_done / (self.n_folds * self.n_epochs), 1.0)

    def message(self) -> str:
        """One line for a progress bar."""
        fold = min(self.folds_done + 1, self.n_folds)
        return f"Cross-validation: fold {fold} of {self.n_folds}, {self.epochs_done} epochs in all"


def progress(events, n_folds: int, n_epochs: int) -> Progress:
    """Count the events a cross-validation reported so far.

    Parameters
    ----------
    events : sequence of EpochDone or FoldDone
        What `run` reported, in order.
    n_folds, n_epochs : int
        Folds, and epochs per fold.
    """
    return Progress(
        folds_done=sum(isinstance(event, FoldDone) for event in events),
        epochs_done=sum(isinstance(event, EpochDone) for event in events),
        n_folds=int(n_folds),
        n_epochs=int(n_epochs),
    )


def run(job, network, X, y, n_folds: int = N_FOLDS):
    """Cross-validate ``network`` on ``X``, ``y``, reporting every epoch and fold to ``job``.

    Stop (``job.stop_requested``) ends the fold being trained at its next epoch and
    skips the folds still to come.

    Parameters
    ----------
    job : signviz.jobs.BackgroundJob
        Anything with ``report(event)`` and ``stop_requested``.
    network : signviz.models.keras_network.KerasNetwork
        Untrained: each fold trains a clone of it.
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,)
    n_folds : int, default `N_FOLDS`

    Returns
    -------
    CrossValidation
        The accuracy of each fold finished.
    """
    from signviz.models.keras_network import cross_validate

    folds_done = 0

    def epoch_done(epoch: int, logs) -> bool:
        job.report(EpochDone(folds_done, int(epoch), float((logs or {}).get("loss", "nan"))))
        return job.stop_requested

    def fold_done(fold: int, accuracy: float) -> bool:
        nonlocal folds_done
        folds_done = fold + 1
        job.report(FoldDone(int(fold), float(accuracy)))
        return job.stop_requested

    return cross_validate(
        network, X, y, n_splits=n_folds, on_fold_end=fold_done, on_epoch_end=epoch_done
    )
