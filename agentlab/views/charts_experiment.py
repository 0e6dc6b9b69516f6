"""``al.charts.completion_vs_cost``: an experiment's designs, completion rate against cost.

Re-exported by ``agentlab.views.charts``, so it is ``al.charts.completion_vs_cost(result)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentlab._format import clip
from agentlab.views._altair import Chart, _alt
from agentlab.views.chart_axes import LABEL_LIMIT, money_axis
from agentlab.views.chart_data import EXPERIMENT_COLUMNS, experiment_frame

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["completion_vs_cost"]
LABEL_CHARS = 32  # a design's name beside its point, cut with an ellipsis (full in the legend)


def completion_vs_cost(results: Any) -> Chart:
    """Experiment results: completion rate against cost per task, one point per design.

    Takes an ``ExperimentResult``, its ``summary()`` DataFrame (columns design,
    completion_rate, cost_per_task; completion_ci_low/high draw the interval when
    present) or its per-task ``to_pandas()``. Unpriced designs (NaN cost) are left out
    of the chart. Each design has its colour in the legend; beside a point sits its
    name, or "<n> designs" where several land on the same spot, so labels never pile up.

    >>> al.charts.completion_vs_cost(result)  # doctest: +SKIP
    """
    alt = _alt()
    frame = experiment_frame(results)
    ci = [c for c in ("completion_ci_low", "completion_ci_high") if c in frame.columns]
    frame = _labelled(frame[[*EXPERIMENT_COLUMNS, *ci]])
    base = alt.Chart(frame).encode(
        x=alt.X("cost_per_task:Q", title="Cost per task (USD)", axis=money_axis(alt)),
        y=alt.Y(
            "completion_rate:Q",
            title="Completion rate",
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, 1]),
        ),
    )
    legend = alt.Legend(title="Design", labelLimit=LABEL_LIMIT + 80, symbolLimit=0)
    color = alt.Color("design:N", sort=None, legend=legend, scale=alt.Scale(scheme="tableau20"))
    layers = [
        base.mark_point(size=120, filled=True).encode(color=color),
        base.mark_text(align="left", dx=8).encode(text="label:N"),
    ]
    if len(ci) == 2:  # the experiment's Wilson 95% interval, when it gives one
        layers.insert(
            0,
            base.mark_rule().encode(
                y=alt.Y("completion_ci_low:Q", title="Completion rate"), y2="completion_ci_high:Q"
            ),
        )
    chart = alt.layer(*layers)
    return chart.properties(title="Completion rate vs cost per task")


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a ``label`` column: the design's (clipped) name on the first design at
    each spot, "<n> designs" when several share it, and nothing on the others."""
    spots = [
        (round(float(c), 12) if c == c else None, round(float(r), 3))
        for c, r in zip(frame["cost_per_task"], frame["completion_rate"], strict=True)
    ]
    labels = []
    for i, (spot, design) in enumerate(zip(spots, frame["design"], strict=True)):
        first, n = spots.index(spot) == i, spots.count(spot)
        labels.append("" if not first else clip(design, LABEL_CHARS) if n == 1 else f"{n} designs")
    return frame.assign(label=labels)
