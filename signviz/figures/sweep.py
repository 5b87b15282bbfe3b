"""Figures of a hyperparameter sweep: the grid of test accuracies and every run's cost."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from signviz.figures.style import COLORS, layout
from signviz.sweep import GridSummary, RunResult, format_value

#: Test accuracy, from chance (dark) to perfect (yellow), in the heatmap and the curves.
ACCURACY_COLORSCALE = "Viridis"


def sweep_heatmap(
    summary: GridSummary,
    *,
    labels: dict[str, str] | None = None,
    tutorial: dict | None = None,
    title: str = "Test accuracy of each setting",
    height: int | None = None,
) -> go.Figure:
    """The sweep's grid: one cell per pair of values, coloured by test accuracy.

    Cells still waiting show "…", cells whose every run diverged are grey with
    "diverged" (a diverged run has no accuracy to speak of: it is not 0 %), and a cell
    where some of its runs diverged says how many. The tutorial's settings, when they
    are on the grid, are framed. A transparent marker on each finished cell lets a click
    select it (its ``customdata`` is ``[column, row]``).

    Parameters
    ----------
    summary : GridSummary
        From `signviz.sweep.summarize`.
    labels : dict of str to str, optional
        Axis titles by hyperparameter (default: the names).
    tutorial : dict, optional
        The tutorial's settings; the cell with its values of ``summary.x`` and
        ``summary.y`` is framed.
    title : str
    """
    labels = labels or {}
    columns = [format_value(value) for value in summary.x_values]
    rows = [format_value(value) if value is not None else "" for value in summary.y_values]
    accuracy = summary.test_accuracy
    all_diverged = (summary.finished > 0) & (summary.diverged == summary.finished)
    text = np.empty(accuracy.shape, dtype=object)
    for (row, column), value in np.ndenumerate(accuracy):
        finished, diverged = summary.finished[row, column], summary.diverged[row, column]
        planned = summary.planned[row, column]
        if all_diverged[row, column]:
            cell = "diverged"
        elif finished == 0:
            cell = "…"
        else:
            cell = f"{value:.1%}"
            if diverged:
                cell += f"<br>{diverged} of {finished} diverged"
        if 0 < finished < planned:
            cell += f"<br>({finished} of {planned} runs)"
        text[row, column] = cell
    hover = (
        f"{labels.get(summary.x, summary.x)} %{{x}}<br>"
        + (f"{labels.get(summary.y, summary.y)} %{{y}}<br>" if summary.y else "")
        + "%{text}<extra></extra>"
    )
    traces = [
        go.Heatmap(
            z=np.where(np.isnan(accuracy), None, accuracy),
            x=columns,
            y=rows,
            text=text,
            texttemplate="%{text}",
            zmin=0,
            zmax=1,
            colorscale=ACCURACY_COLORSCALE,
            colorbar={"title": {"text": "test accuracy"}, "tickformat": ".0%", "thickness": 12},
            hovertemplate=hover,
            hoverongaps=False,
            xgap=2,
            ygap=2,
            name="test accuracy",
        ),
        go.Heatmap(
            z=np.where(all_diverged, 1.0, None),
            x=columns,
            y=rows,
            text=text,
            texttemplate="%{text}",
            colorscale=[[0, COLORS["neutral"]], [1, COLORS["neutral"]]],
            showscale=False,
            hovertemplate=hover,
            hoverongaps=False,
            xgap=2,
            ygap=2,
            name="diverged",
        ),
    ]
    # Clicks reach a trace with hover events only: the markers carry the cells' hover text.
    done_rows, done_columns = np.nonzero(summary.finished > 0)
    x_label = labels.get(summary.x, summary.x)
    y_label = labels.get(summary.y, summary.y)
    traces.append(
        go.Scatter(
            x=[columns[column] for column in done_columns],
            y=[rows[row] for row in done_rows],
            customdata=np.column_stack([done_columns, done_rows]).tolist(),
            hovertext=[
                f"{x_label} {columns[column]}<br>"
                + (f"{y_label} {rows[row]}<br>" if summary.y else "")
                + f"{text[row, column]}<br>(click for this run)"
                for row, column in zip(done_rows, done_columns, strict=True)
            ],
            hoverinfo="text",
            mode="markers",
            marker={"symbol": "square", "size": 40, "opacity": 0},
            showlegend=False,
            name="select a cell",
        )
    )
    if tutorial is not None:
        place = summary.cell(tutorial.get(summary.x), tutorial.get(summary.y))
        if place is not None:
            traces.append(
                go.Scatter(
                    x=[columns[place[1]]],
                    y=[rows[place[0]]],
                    mode="markers",
                    marker={
                        "symbol": "square-open",
                        "size": 46,
                        "color": COLORS["wrong"],
                        "line": {"width": 3},
                    },
                    unselected={"marker": {"opacity": 1}},  # a click elsewhere keeps it
                    name="the tutorial's settings",
                    hoverinfo="name",
                    showlegend=True,
                )
            )
    return go.Figure(
        traces,
        layout=layout(
            title,
            x_title=labels.get(summary.x, summary.x),
            y_title=labels.get(summary.y, summary.y) if summary.y else None,
            height=height or 140 + 70 * len(rows),
            xaxis={"type": "category", "showgrid": False},
            yaxis={"type": "category", "showgrid": False, "autorange": "reversed"},
            legend={"orientation": "h", "y": -0.25},
            clickmode="event+select",
        ),
    )


def run_label(result: RunResult, names: Sequence[str], labels: dict | None = None) -> str:
    """``"learning rate 0.01, hidden units 3"``: a run by the values it was given."""
    labels = labels or {}
    return ", ".join(
        f"{labels.get(name, name)} {format_value(result.settings[name])}" for name in names
    )


def sweep_cost_curves(
    results: Sequence[RunResult],
    names: Sequence[str],
    *,
    labels: dict | None = None,
    selected: int | None = None,
    planned: int | None = None,
    title: str = "Cost of every run",
    x_title: str = "iteration",
    height: int = 380,
    max_points: int = 250,
) -> go.Figure:
    """Every finished run's cost curve on one chart, coloured by its test accuracy.

    Diverged runs are red and dotted; the run whose ``index`` is ``selected`` is drawn
    thick and black, on top. Each curve keeps at most ``max_points`` evenly spaced
    points (and its last one): dozens of runs of thousands of iterations would
    otherwise weigh megabytes on every live redraw.

    Parameters
    ----------
    results : sequence of RunResult
    names : sequence of str
        The hyperparameters that tell runs apart (the sweep's grid), for the hover text.
    labels : dict of str to str, optional
    selected : int, optional
    planned : int, optional
        Iterations each run will have: fixes the x axis while runs arrive.
    """
    traces = []
    ordered = sorted(results, key=lambda result: (result.index == selected, result.index))
    for result in ordered:
        accuracy = result.test_accuracy
        if result.index == selected:
            line = {"color": "black", "width": 3}
        elif result.diverged or np.isnan(accuracy):
            line = {"color": COLORS["wrong"], "width": 1.5, "dash": "dot"}
        else:
            color = sample_colorscale(ACCURACY_COLORSCALE, [min(max(accuracy, 0), 1)])[0]
            line = {"color": color, "width": 1.5}
        status = "diverged" if result.diverged else f"test accuracy {accuracy:.1%}"
        shown = _thinned(len(result.costs), max_points)
        traces.append(
            go.Scatter(
                x=shown,
                y=np.asarray(result.costs, dtype=float)[shown],
                mode="lines",
                line=line,
                name=run_label(result, names, labels),
                hovertemplate=f"{run_label(result, names, labels)}<br>{status}<br>"
                f"{x_title} %{{x}}, cost %{{y:.4g}}<extra></extra>",
                showlegend=False,
            )
        )
    x_axis = {} if planned is None else {"range": [0, max(planned - 1, 1)]}
    return go.Figure(
        traces,
        layout=layout(
            title,
            x_title=x_title,
            y_title="cost",
            height=height,
            xaxis=x_axis,
            yaxis={"type": "log"},
        ),
    )


def _thinned(length: int, max_points: int) -> np.ndarray:
    """At most ``max_points`` evenly spaced indices of ``range(length)``, the last included."""
    step = max(1, -(-length // max_points))
    indices = np.arange(0, length, step)
    if length and indices[-1] != length - 1:
        indices = np.append(indices, length - 1)
    return indices
