"""scikit-learn's logistic regression, set up exactly as the tutorial sets it up."""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression


@dataclass(frozen=True)
class ReferenceFit:
    """A fitted scikit-learn model with how long it took and whether it converged."""

    model: LogisticRegression
    seconds: float
    converged: bool


def fit_scikit_learn_logistic(X, y, *, random_state: int = 42, max_iter: int = 150) -> ReferenceFit:
    """Fit ``LogisticRegression(random_state=42, max_iter=150)``, the tutorial's reference.

    Its solver (L-BFGS, with L2 regularization) converges well within the limit on the
    tutorial's task (28 iterations for 0 against 1); on some other pairs of digits it
    can stop at the 150-iteration limit first. That is reported in ``converged``
    instead of as a warning.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    y : array of shape (n_samples,)
    """
    model = LogisticRegression(random_state=random_state, max_iter=max_iter)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    seconds = time.perf_counter() - started
    return ReferenceFit(model, seconds, converged=bool(model.n_iter_.max() < max_iter))
