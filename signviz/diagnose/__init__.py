"""What a training run really did, measured: findings a page renders, never guesses.

A teaching app that says something false about the curve on the screen teaches the
false thing. Each function here looks at a model, its cost history or its data and
returns a *finding*: a small frozen dataclass with a ``kind`` (which case it is) and
the numbers behind it, or ``None`` when there is nothing to say. Every finding has a
``message()`` in Markdown, built from those numbers only, so a page can show it with
one line and a test can check each number it states. The findings live by what they
look at (`curves`: a cost history; `logistic`: logistic regression's steps;
`networks`: hidden units and layers; `sweeps`: a hyperparameter sweep), and every one
can be reached from here, ``diagnose.cost_jumps``:

- `two_layer_report`: every finding below that concerns a trained two-layer network,
  as `Notice` objects a page only renders;
- `zero_initialization`: a two-layer network started at zero is a constant (tanh,
  relu) or a set of identical units (sigmoid); `zero_initialization_outcome` says so
  before training;
- `cost_scale`: how far the cost really moved, for a chart whose axis zooms in;
- `stuck_near_chance`: a network near chance whose cost has stopped falling, told
  apart from one that is still learning;
- `cost_rises`, `cost_jumps` and `first_logistic_steps`: where the cost rose, and why the very
  first steps of logistic regression overshoot;
- `step_change`, `step_direction` and `logistic_step_directions`: what a gradient step
  changed in the weights, against the mean images of the two classes;
- `tutorial_two_layer_cost`: the tutorial's two-layer cost (only the ``-y log y_hat``
  term) beside the full cross-entropy;
- `dead_units` and `keras_stuck`: relu units that never fire, and a layered network
  whose loss stays high, explained per activation;
- `cross_validation_summary`: folds, mean and spread, all in percent;
- `sweep_status`, `sweep_grid`, `best_run` and `best_run_of_each_cell`: where a sweep
  stands, what its grid says, and which run to show;
- `blank_explanation`: why a network's explanation map is empty for one image.
"""

from signviz.diagnose.curves import (
    CHANCE_COST,
    SATURATED_SHARE,
    CostJumps,
    CostScale,
    StuckNearChance,
    cost_jumps,
    cost_rises,
    cost_scale,
    recent_fall,
    stuck_near_chance,
)
from signviz.diagnose.logistic import (
    FirstLogisticSteps,
    LogisticStepDirections,
    StepChange,
    StepDirection,
    first_logistic_steps,
    logistic_step_directions,
    step_change,
    step_direction,
)
from signviz.diagnose.networks import (
    IDENTICAL_WITHIN,
    BlankExplanation,
    CrossValidationSummary,
    DeadUnits,
    KerasStuck,
    TutorialTwoLayerCost,
    TwoLayerReport,
    ZeroInitialization,
    blank_explanation,
    cross_validation_summary,
    dead_units,
    keras_stuck,
    tutorial_two_layer_cost,
    two_layer_report,
    zero_initialization,
    zero_initialization_outcome,
)
from signviz.diagnose.notice import (
    Notice,
)
from signviz.diagnose.sweeps import (
    SweepGrid,
    SweepStatus,
    best_run,
    best_run_of_each_cell,
    sweep_grid,
    sweep_status,
)

__all__ = [
    "CHANCE_COST",
    "IDENTICAL_WITHIN",
    "SATURATED_SHARE",
    "BlankExplanation",
    "CostJumps",
    "CostScale",
    "CrossValidationSummary",
    "DeadUnits",
    "FirstLogisticSteps",
    "KerasStuck",
    "LogisticStepDirections",
    "Notice",
    "StepChange",
    "StepDirection",
    "StuckNearChance",
    "SweepGrid",
    "SweepStatus",
    "TutorialTwoLayerCost",
    "TwoLayerReport",
    "ZeroInitialization",
    "best_run",
    "best_run_of_each_cell",
    "blank_explanation",
    "cost_jumps",
    "cost_rises",
    "cost_scale",
    "cross_validation_summary",
    "dead_units",
    "first_logistic_steps",
    "keras_stuck",
    "logistic_step_directions",
    "recent_fall",
    "step_change",
    "step_direction",
    "stuck_near_chance",
    "sweep_grid",
    "sweep_status",
    "tutorial_two_layer_cost",
    "two_layer_report",
    "zero_initialization",
    "zero_initialization_outcome",
]
