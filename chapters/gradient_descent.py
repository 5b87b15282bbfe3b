"""Chapter 3: gradient descent on a single weight, and what the learning rate does."""

import streamlit as st

from signviz import descent, figures

COST = descent.QuadraticCost()
LEARNING_RATE_KEY = "gradient_descent_learning_rate"
PRESETS = {regime: descent.example_learning_rate(regime, COST) for regime in descent.Regime}
BOUNDARIES = descent.regime_boundaries(COST)
ALERTS = {
    descent.Regime.CRAWLING: st.warning,
    descent.Regime.CONVERGING: st.success,
    descent.Regime.OVERSHOOTING: st.info,
    descent.Regime.DIVERGING: st.error,
}


def use_learning_rate(value: float) -> None:
    """Set the learning-rate slider (a preset button's callback, run before the slider)."""
    st.session_state[LEARNING_RATE_KEY] = value


def regime_message(run: descent.DescentRun) -> str:
    """What this run does, in the words of the trip from Paris to Madrid."""
    factor = f"{run.factor:.3g}"
    steps = descent.steps_needed(run.learning_rate, COST)
    if run.regime is descent.Regime.CRAWLING:
        return (
            f"**Crawling.** Each step keeps {factor} of the distance to the minimum, so it "
            f"takes {steps:.0f} steps to get 99 % of the way there. Madrid is reached, "
            "eventually: far too slowly."
        )
    if run.regime is descent.Regime.CONVERGING:
        return (
            f"**Converging.** Each step keeps {factor} of the distance to the minimum, always "
            f"from the same side: 99 % of the way in {steps:.0f} step(s). A good speed."
        )
    if run.regime is descent.Regime.OVERSHOOTING:
        return (
            f"**Overshooting.** Each step jumps past the minimum to the other side (factor "
            f"{factor}), but lands closer than it started: 99 % of the way in {steps:.0f} "
            "steps, zigzagging. Too fast to be comfortable, yet it arrives."
        )
    ending = " The run left the chart and was stopped." if run.diverged else ""
    return (
        f"**Diverging.** The factor is {factor}: every step lands at least as far from the "
        f"minimum as it started, on the other side, so the cost never falls.{ending} Going this "
        "fast, you never reach Madrid."
    )


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

ALERTS[run.regime](regime_message(run))
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
$\alpha$ may be. The cost of chapter 4's logistic regression is far steeper than this
bowl: there a learning rate of 0.1 already makes the cost zigzag, and 1, comfortable
here, makes it diverge.
"""
)

st.info(
    f"**Try this:** find the largest learning rate that still converges without "
    f"zigzagging, then the largest that converges at all. Set the learning rate to exactly "
    f"{diverging_start:g}: the weight bounces between two points forever. Start at "
    f"w = {COST.minimum_weight:g} and nothing moves: the slope at the minimum is zero.",
    icon="🧪",
)
