"""Chapter 3: gradient descent on a single weight, and what the learning rate does."""

import streamlit as st

from signviz import descent, diagnose, figures, texts, ui
from signviz.models import LogisticRegressionGD

COST = descent.QuadraticCost()
WALK = descent.TutorialWalk()
#: The tutorial's logistic regression: learning rate, iterations, initial weight.
TUTORIAL_LOGISTIC = (0.01, 150, 0.01)
LEARNING_RATE_KEY = "gradient_descent_learning_rate"
PRESETS = {regime: descent.example_learning_rate(regime, COST) for regime in descent.Regime}
BOUNDARIES = descent.regime_boundaries(COST)
ALERTS = {
    descent.Regime.CRAWLING: st.warning,
    descent.Regime.CONVERGING: st.success,
    descent.Regime.OVERSHOOTING: st.info,
    descent.Regime.DIVERGING: st.error,
}


@st.cache_resource(max_entries=16, show_spinner=False)
def tutorial_logistic_costs(_task, key: tuple) -> list[float]:
    """The cost of every iteration of the tutorial's logistic regression on a task."""
    rate, n_iterations, initial_weight = TUTORIAL_LOGISTIC
    model = LogisticRegressionGD(rate, n_iterations, initial_weight)
    return model.fit(_task.x_train, _task.y_train).cost_history_


def use_learning_rate(value: float) -> None:
    """Set the learning-rate slider (a preset button's callback, run before the slider)."""
    st.session_state[LEARNING_RATE_KEY] = value


st.title("3. Gradient descent")
st.markdown(
    """
Training means finding the weights with the lowest cost. A real model has thousands of
weights, which no chart can show, so picture just one weight w and its cost J(w), a
bowl. You start somewhere on its wall, blindfolded: all you can feel is the slope under
your feet, the derivative J'(w). Step downhill, feel again, step again. The learning rate
$\\alpha$ sets how far each step goes in proportion to the slope.
"""
)
st.latex(
    rf"J(w) = {COST.curvature / 2:g}\,(w - {COST.minimum_weight:g})^2 + {COST.minimum_cost:g}"
    rf"\qquad J'(w) = {COST.curvature:g}\,(w - {COST.minimum_weight:g})"
    r"\qquad w \leftarrow w - \alpha \, J'(w)"
)
st.markdown(
    f"""
This bowl is an illustration with easy numbers, not the tutorial's own curve. The
tutorial's example walks from w = {WALK.weights[0]:g} to {WALK.weights[1]:g} to
{WALK.weights[2]:g} with a learning rate of 1, quoting a cost and a slope at each point;
each step is indeed w minus the slope. But those numbers were picked by hand and fit no
single bowl: on a bowl the slope grows in a straight line with the distance from the
minimum, so the first two slopes fix the bowl, and that bowl disagrees with the rest.
"""
)
with st.expander("The tutorial's walk beside the only bowl that fits its first two slopes"):
    bowl = WALK.bowl
    st.dataframe(
        WALK.table(),
        hide_index=True,
        column_config={name: st.column_config.NumberColumn(format="%.3f") for name in WALK.table()},
        key="gradient_descent_tutorial_walk",
    )
    st.caption(
        f"A slope of {WALK.slopes[0]:g} at w = {WALK.weights[0]:g} and {WALK.slopes[1]:g} at "
        f"w = {WALK.weights[1]:g} mean a bowl of curvature {bowl.curvature:.3f} with its "
        f"minimum at w = {bowl.minimum_weight:.3f}. At w = {WALK.weights[2]:g} it has slope "
        f"{bowl.slope(WALK.weights[2]):.3f}, not {WALK.slopes[2]:g}, and its cost falls by "
        f"{bowl.cost(WALK.weights[0]) - bowl.cost(WALK.weights[1]):.2f} on the first step, not "
        f"{WALK.costs[0] - WALK.costs[1]:.2f}. The walk teaches the idea; the bowl on this page "
        "keeps its numbers consistent."
    )
st.markdown(
    """
Think of a trip from Paris (where the weights start) to Madrid (the lowest cost), where
the learning rate is your speed. Drive too slowly and you will get there in weeks. Drive
too fast and you miss every turn, overshoot, and may never arrive at all. Try one speed
of each kind:
"""
)
preset_columns = st.columns(len(PRESETS))
for column, (regime, value) in zip(preset_columns, PRESETS.items(), strict=True):
    column.button(
        f"{regime.value.capitalize()}: {value:g}", key=f"gradient_descent_preset_{regime}",
        on_click=use_learning_rate, args=(value,), width="stretch",
    )  # fmt: skip

rate_column, start_column, steps_column = st.columns([2, 1, 1])
learning_rate = rate_column.slider(
    r"Learning rate $\alpha$", 0.01, 5.0, 1.0, 0.01, key=LEARNING_RATE_KEY, persist_state="session",
    help="The tutorial's example uses 1.",
)  # fmt: skip
start = start_column.number_input(
    "Start w", -10.0, 10.0, 5.0, 0.5, key="gradient_descent_start", persist_state="session",
    help="Where the weight starts (the tutorial's example: 5).",
)  # fmt: skip
n_steps = steps_column.slider(
    "Steps", 1, 40, 12, key="gradient_descent_steps", persist_state="session"
)

try:
    run = descent.gradient_descent(start, learning_rate, n_steps, COST)
except ValueError as error:
    st.error(f"These settings cannot run: {error}")
    st.stop()

at_minimum = run.weights[0] == COST.minimum_weight
(st.info if at_minimum else ALERTS[run.regime])(descent.regime_message(run))
st.plotly_chart(figures.descent_animation(run), key="gradient_descent_animation")
st.caption(
    "Press ▶ Play to watch the steps, ❚❚ Pause to stop, or drag the slider under the chart to "
    "go through them one by one. Grey dots mark every step; at the purple point, the orange "
    "line is the tangent (its slope is J'(w)) and the dashed arrow the jump to the next weight."
)
table = run.table()
st.dataframe(
    table,
    hide_index=True,
    column_config={name: st.column_config.NumberColumn(format="%.4f") for name in list(table)[1:]},
    key="gradient_descent_table",
)

st.header("Why these four regimes?")
st.markdown("Subtract the minimum from both sides of the update rule:")
st.latex(
    rf"w_{{k+1}} - {COST.minimum_weight:g} = \big(1 - \alpha J''\big)"
    rf"\,\big(w_k - {COST.minimum_weight:g}\big) \qquad J'' = {COST.curvature:g}"
)
crawling_end = BOUNDARIES[descent.Regime.CONVERGING]
one_step = BOUNDARIES[descent.Regime.OVERSHOOTING]
diverging_start = BOUNDARIES[descent.Regime.DIVERGING]
st.markdown(
    r"Every step multiplies the distance to the minimum by the same factor, "
    r"$1 - \alpha J''$, and its value decides everything:"
)
st.table(
    {
        "regime": [regime.value for regime in descent.Regime],
        "learning rate": [
            f"below {crawling_end:g}",
            f"{crawling_end:g} to {one_step:g}",
            f"{one_step:g} to {diverging_start:g}",
            f"{diverging_start:g} and above",
        ],
        "factor": ["above 0.9", "0.9 down to 0", "0 down to -1", "-1 or less"],
        "what happens": [
            "under a tenth of the remaining way per step",
            f"from one side; at {one_step:g} a single step lands on the minimum",
            "jumps to the other side each time, but lands closer",
            "never gets closer; beyond the boundary, flies off",
        ],
    },
    hide_index=True,
)
st.markdown(
    r"""
A steeper bowl (a larger $J''$) moves every boundary to a smaller learning rate. A real
cost has a different steepness in every direction, and the steepest one sets how large
$\alpha$ may be.
"""
)

st.header("The same zigzag in chapter 4")
task = ui.current_task()
first, second = task.label_names
rate, n_iterations, initial_weight = TUTORIAL_LOGISTIC
costs = tutorial_logistic_costs(task, ui.task_key(task))
jumps = diagnose.cost_jumps(costs)
start = diagnose.first_logistic_steps(task.x_train, initial_weight)
if jumps is None:
    st.markdown(
        f"With the tutorial's settings (learning rate {rate:g}, {n_iterations} iterations) on "
        f"**{first}** against **{second}**, the logistic regression of chapter 4 never jumps up."
    )
else:
    st.markdown(
        f"""
The cost of chapter 4's logistic regression is far steeper than this bowl. Even the
tutorial's small learning rate, {rate:g}, overshoots there: on **{first}** against
**{second}**, with the tutorial's settings, the cost rises after {jumps.rises} of its
{jumps.steps} steps, for instance from {jumps.cost_before:.3f} at iteration
{jumps.first_jump - 1} to {jumps.first_jump_cost:.3f} at iteration {jumps.first_jump}, and
the last rise comes at iteration {jumps.last_rise}. The
tutorial prints the cost only every 10 iterations ({costs[0]:.2f}, then {costs[10]:.2f}),
which hides the zigzag; chapter 4's curve shows every iteration.

{start.message()}
"""
    )

with st.expander("The tutorial's names"):
    st.markdown(texts.load("names_gradient_descent"))

st.info(
    f"**Try this:** find the largest learning rate that still converges without "
    f"zigzagging, then the largest that converges at all. Set the learning rate to exactly "
    f"{diverging_start:g}: the weight bounces between two points forever. Start at "
    f"w = {COST.minimum_weight:g} and nothing moves: the slope at the minimum is zero.",
    icon="🧪",
)
